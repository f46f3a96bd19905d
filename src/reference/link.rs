//! One client connection as the server sees it: bytes in through the
//! crate's [`StreamParser`], text out, every read and write bounded in
//! time, and the polite way to hang up.
//!
//! Reads are cancel-safe (an interrupted wait loses nothing), so a session
//! can wait for the client and for stanzas routed to it at once.

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{Instant, timeout, timeout_at};

use crate::transport::{Connection, TlsError};
use crate::xml::{ParserConfig, StreamEvent, StreamParser};

use super::config::Limits;

/// Bytes taken from the socket at once. The parser's memory is bounded by
/// the stanza limit whatever this is.
const READ_CHUNK: usize = 8 * 1024;
/// Most bytes read and thrown away while lingering after the close.
const LINGER_BYTES: usize = 64 * 1024;

/// What waiting for the client gave.
#[derive(Debug)]
pub(super) enum Input {
    Event(StreamEvent),
    /// The client closed (or reset) the connection.
    Closed,
    /// No byte for [`Limits::idle_timeout`].
    Idle,
}

/// A write did not go through: the connection is done for.
#[derive(Debug, thiserror::Error)]
pub(super) enum SendError {
    #[error("the client took no data for {0:?}")]
    Timeout(Duration),
    #[error("writing failed: {0}")]
    Io(#[from] io::Error),
    #[error("the connection is gone")]
    Gone,
}

pub(super) struct Link {
    /// `None` once a failed TLS handshake consumed the connection.
    conn: Option<Connection>,
    parser: StreamParser,
    parser_config: ParserConfig,
    pending: VecDeque<StreamEvent>,
    buf: Box<[u8]>,
    closed: bool,
    idle_timeout: Duration,
    write_timeout: Duration,
    /// When the client will have been silent too long.
    idle_at: Instant,
}

impl Link {
    pub fn new(conn: Connection, parser_config: ParserConfig, limits: &Limits) -> Self {
        Link {
            conn: Some(conn),
            parser: StreamParser::new(parser_config.clone()),
            parser_config,
            pending: VecDeque::new(),
            buf: vec![0; READ_CHUNK].into_boxed_slice(),
            closed: false,
            idle_timeout: limits.idle_timeout,
            write_timeout: limits.write_timeout,
            idle_at: Instant::now() + limits.idle_timeout,
        }
    }

    /// The next event from the client. Cancel-safe.
    pub async fn next(&mut self) -> Input {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Input::Event(event);
            }
            let Some(conn) = self.conn.as_mut().filter(|_| !self.closed) else {
                return Input::Closed;
            };
            match timeout_at(self.idle_at, conn.read(&mut self.buf)).await {
                Err(_) => return Input::Idle,
                Ok(Ok(0)) | Ok(Err(_)) => {
                    self.closed = true;
                    return Input::Closed;
                }
                Ok(Ok(n)) => {
                    self.idle_at = Instant::now() + self.idle_timeout;
                    let mut events = Vec::new();
                    self.parser
                        .feed(self.buf.get(..n).unwrap_or_default(), &mut events);
                    self.pending.extend(events);
                }
            }
        }
    }

    /// Write `text` and flush it, within the write timeout.
    pub async fn send(&mut self, text: &str) -> Result<(), SendError> {
        let limit = self.write_timeout;
        let conn = self.conn.as_mut().ok_or(SendError::Gone)?;
        let write = async {
            conn.write_all(text.as_bytes()).await?;
            conn.flush().await
        };
        match timeout(limit, write).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(SendError::Timeout(limit)),
        }
    }

    /// A new stream starts on this connection (after TLS or SASL success,
    /// RFC 6120 §5.4.3.3, §6.4.6): what the old one still had queued is
    /// dropped, since the client must send nothing between the server's
    /// `<proceed/>` or `<success/>` and the new header.
    pub fn restart(&mut self) {
        self.parser = StreamParser::new(self.parser_config.clone());
        self.pending.clear();
    }

    /// The server side of the TLS handshake, within `limit`. On failure the
    /// connection is gone (rustls gave the client its alert).
    pub async fn start_tls(
        &mut self,
        config: Arc<rustls::ServerConfig>,
        limit: Duration,
    ) -> Result<(), TlsError> {
        let conn = self.conn.take().ok_or(TlsError::AlreadyTls)?;
        let upgraded = conn.accept_tls(config, limit).await?;
        self.conn = Some(upgraded);
        self.restart();
        self.idle_at = Instant::now() + self.idle_timeout;
        Ok(())
    }

    pub fn is_tls(&self) -> bool {
        matches!(self.conn, Some(Connection::ServerTls(_)))
    }

    /// Hang up: close our direction (TLS close_notify, then FIN), then
    /// read and discard what the client still sends — its own closing tag,
    /// typically — until it closes too or `linger` passes. Dropping a
    /// socket with unread data would make the kernel send a reset, and the
    /// client could lose the stream error it has not read yet.
    pub async fn close(mut self, linger: Duration) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let deadline = Instant::now() + linger;
        if timeout_at(deadline, conn.shutdown()).await.is_err() {
            return;
        }
        let mut discarded = 0;
        while discarded < LINGER_BYTES {
            match timeout_at(deadline, conn.read(&mut self.buf)).await {
                Ok(Ok(n)) if n > 0 => discarded += n,
                _ => break,
            }
        }
    }
}
