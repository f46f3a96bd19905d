//! The one loop from a byte pipe to stream events, for every transport
//! that carries the XMPP stream as plain bytes (TCP with or without TLS,
//! the in-memory pair of the tests).
//!
//! Bytes are read in chunks of whatever size the pipe gives and fed to the
//! crate's [`StreamParser`]; events come out one at a time. The parser's
//! memory is bounded by its stanza limit whatever the chunk size, and the
//! events never depend on how the bytes were chunked.

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{Instant, timeout, timeout_at};

use crate::xml::{ParserConfig, StreamEvent, StreamParser};

use super::{Incoming, SendError, TlsError, TlsUpgrade, Transport, TransportKind};

/// Size of one read from the pipe.
const READ_CHUNK: usize = 16 * 1024;
/// Most bytes read and thrown away by [`Transport::drain`]: enough for
/// the rest of an oversize stanza (a scenario sends up to 4 MiB), so a
/// peer that sent one reads the stream error, not a reset caused by data
/// left unread at the close; still bounded, and by the linger time too.
const DRAIN_BYTES: usize = 4 * 1024 * 1024;
/// How many of the first bytes received are kept for messages.
const PREFIX_BYTES: usize = 64;

/// A byte pipe that can carry an XMPP stream: what a new byte transport
/// implements (its module holds nothing else).
#[async_trait::async_trait]
pub trait ByteIo: AsyncRead + AsyncWrite + Unpin + Send + Sync + Sized + 'static {
    /// For transcripts: the peer's address, TLS version and suite.
    fn describe(&self) -> String;
    fn kind(&self) -> TransportKind;
    fn is_tls(&self) -> bool;
    /// The DER of the end-entity certificate the peer presented in the
    /// TLS handshake, if the pipe runs TLS and the peer sent one.
    fn peer_certificate(&self) -> Option<Vec<u8>> {
        None
    }
    /// The TLS handshake over this pipe, within `limit`.
    async fn upgrade(self, upgrade: TlsUpgrade, limit: Duration) -> Result<Self, TlsError>;
}

/// Rewrites received bytes before the parser sees them, across reads. Only
/// the reference server's faults use one (a server that drops comments
/// instead of refusing them); a conforming stream has none.
pub trait InputFilter: Send + Sync {
    fn filter(&mut self, input: &[u8]) -> Vec<u8>;
    /// A new stream starts: forget any partial markup.
    fn reset(&mut self);
}

/// An XMPP stream over a byte pipe.
pub struct ByteStream<IO> {
    /// `None` once a failed TLS handshake consumed the pipe.
    io: Option<IO>,
    parser: StreamParser,
    parser_config: ParserConfig,
    pending: VecDeque<StreamEvent>,
    buf: Box<[u8]>,
    /// Why the peer's side ended, once it has.
    ended: Option<String>,
    filter: Option<Box<dyn InputFilter>>,
    /// The first [`PREFIX_BYTES`] bytes received.
    prefix: Vec<u8>,
    /// The peer ended TLS by closing TCP, without close_notify.
    unclean_tls_close: bool,
}

impl<IO: ByteIo> ByteStream<IO> {
    pub fn new(io: IO, parser_config: ParserConfig) -> Self {
        ByteStream {
            io: Some(io),
            parser: StreamParser::new(parser_config.clone()),
            parser_config,
            pending: VecDeque::new(),
            buf: vec![0; READ_CHUNK].into_boxed_slice(),
            ended: None,
            filter: None,
            prefix: Vec::new(),
            unclean_tls_close: false,
        }
    }

    /// Pass received bytes through `filter` before parsing them.
    pub fn with_filter(mut self, filter: Box<dyn InputFilter>) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Boxed, as the engine and the reference server hold it.
    pub fn boxed(self) -> Box<dyn Transport> {
        Box::new(self)
    }

    fn end(&mut self, why: String) {
        if self.ended.is_none() {
            self.ended = Some(why);
        }
    }
}

#[async_trait::async_trait]
impl<IO: ByteIo> Transport for ByteStream<IO> {
    fn describe(&self) -> String {
        self.io
            .as_ref()
            .map_or_else(|| "no connection".to_string(), ByteIo::describe)
    }

    fn kind(&self) -> TransportKind {
        // The kind is the pipe's; a pipe lost to a failed handshake was
        // of the same kind, which only matters for messages by then.
        self.io.as_ref().map_or(TransportKind::Tcp, ByteIo::kind)
    }

    fn is_tls(&self) -> bool {
        self.io.as_ref().is_some_and(ByteIo::is_tls)
    }

    fn closed_without_close_notify(&self) -> bool {
        self.unclean_tls_close
    }

    fn peer_certificate(&self) -> Option<Vec<u8>> {
        self.io.as_ref().and_then(ByteIo::peer_certificate)
    }

    fn carries_raw_bytes(&self) -> bool {
        true
    }

    async fn send(&mut self, bytes: &[u8], limit: Duration) -> Result<(), SendError> {
        let io = self.io.as_mut().ok_or(SendError::Gone)?;
        let write = async {
            io.write_all(bytes).await?;
            io.flush().await
        };
        match timeout(limit, write).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(SendError::Timeout(limit)),
        }
    }

    async fn next(&mut self, deadline: Instant) -> Incoming {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Incoming::Event(event);
            }
            if let Some(why) = &self.ended {
                return Incoming::Closed(why.clone());
            }
            let Some(io) = self.io.as_mut() else {
                return Incoming::Closed("the connection is gone".to_string());
            };
            // Only this read is awaited, and a read that is cancelled has
            // taken nothing: the loop is cancel-safe.
            match timeout_at(deadline, io.read(&mut self.buf)).await {
                Err(_) => return Incoming::Timeout,
                Ok(Ok(0)) => self.end("the peer closed the connection".to_string()),
                Ok(Ok(n)) => {
                    let read = self.buf.get(..n).unwrap_or_default();
                    let room = PREFIX_BYTES.saturating_sub(self.prefix.len());
                    self.prefix.extend(read.iter().take(room));
                    let mut events = Vec::new();
                    match self.filter.as_mut() {
                        Some(filter) => self.parser.feed(&filter.filter(read), &mut events),
                        None => self.parser.feed(read, &mut events),
                    }
                    self.pending.extend(events);
                }
                Ok(Err(e)) if is_disconnect(&e) => {
                    // rustls reports a TCP close without close_notify as
                    // an unexpected end of file.
                    self.unclean_tls_close |= e.kind() == std::io::ErrorKind::UnexpectedEof
                        && self.io.as_ref().is_some_and(ByteIo::is_tls);
                    self.end(format!("the connection was lost: {e}"))
                }
                Ok(Err(e)) => return Incoming::Failed(e),
            }
        }
    }

    fn restart(&mut self) {
        self.parser = StreamParser::new(self.parser_config.clone());
        self.pending.clear();
        if let Some(filter) = self.filter.as_mut() {
            filter.reset();
        }
    }

    fn has_unread(&self) -> bool {
        !self.pending.is_empty() || self.parser.buffered_len() > 0
    }

    fn received_prefix(&self) -> &[u8] {
        &self.prefix
    }

    async fn start_tls(&mut self, upgrade: TlsUpgrade, limit: Duration) -> Result<(), TlsError> {
        // What the peer sent after the STARTTLS exchange and before the
        // handshake would be lost by the restart and make the handshake
        // wait for a ClientHello/ServerHello that never comes; it is
        // itself the fault (RFC 6120 §5.4.2.3, §5.4.3.1), so say so.
        if self.has_unread() {
            return Err(TlsError::ClearTextBeforeHandshake);
        }
        let io = self.io.take().ok_or_else(|| {
            TlsError::Handshake(io::Error::new(io::ErrorKind::NotConnected, "no connection"))
        })?;
        self.io = Some(io.upgrade(upgrade, limit).await?);
        self.restart();
        Ok(())
    }

    async fn shutdown(&mut self, limit: Duration) {
        if let Some(io) = self.io.as_mut() {
            let _ = timeout(limit, io.shutdown()).await;
        }
    }

    async fn drain(&mut self, linger: Duration) {
        let Some(io) = self.io.as_mut() else {
            return;
        };
        let deadline = Instant::now() + linger;
        let mut discarded = 0;
        while discarded < DRAIN_BYTES {
            match timeout_at(deadline, io.read(&mut self.buf)).await {
                Ok(Ok(n)) if n > 0 => discarded += n,
                _ => break,
            }
        }
    }
}

/// Errors that mean the peer went away rather than that reading failed.
pub(crate) fn is_disconnect(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
    )
}
