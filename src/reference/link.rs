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
    /// Comments and PIs taken out before the parser sees them (the
    /// `restricted-xml` fault); `None` on a conforming server.
    lenient: Option<Lenient>,
}

impl Link {
    /// `lenient`: comments and processing instructions are dropped
    /// before parsing instead of being refused (a fault).
    pub fn new(
        conn: Connection,
        parser_config: ParserConfig,
        limits: &Limits,
        lenient: bool,
    ) -> Self {
        Link {
            lenient: lenient.then(Lenient::default),
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
                    let read = self.buf.get(..n).unwrap_or_default();
                    match self.lenient.as_mut() {
                        Some(lenient) => self.parser.feed(&lenient.filter(read), &mut events),
                        None => self.parser.feed(read, &mut events),
                    }
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
        if let Some(lenient) = self.lenient.as_mut() {
            *lenient = Lenient::default();
        }
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

    /// Whether the client sent more than has been handled: events not
    /// taken yet, or part of a unit the parser holds (whitespace between
    /// elements does not count).
    pub fn has_unread(&self) -> bool {
        !self.pending.is_empty() || self.parser.buffered_len() > 0
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

/// Where [`Lenient`] is in the bytes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Markup {
    #[default]
    Text,
    /// After `<`.
    Open,
    /// After `<!`.
    Bang,
    /// After `<!-`.
    BangDash,
    /// Inside a comment, after this many `-` in a row (at most 2).
    Comment(u8),
    /// After `<?` and this many bytes of the target name.
    Question(usize),
    /// Inside a processing instruction, just after a `?` or not.
    Pi(bool),
}

/// RFC 6120 §11.1 forbids comments and processing instructions, and the
/// parser refuses them with `restricted-xml`. A server with the
/// `restricted-xml` fault drops them silently instead, the way some
/// servers do: this takes them out of the byte stream before the parser
/// sees it, across reads. The XML declaration (`<?xml ` at any point)
/// goes through, so the parser still judges it; everything else the
/// parser refuses (a DOCTYPE, an entity) it still refuses. Only a fault:
/// it does not know about attribute values or CDATA.
#[derive(Debug, Default)]
struct Lenient {
    state: Markup,
    /// Bytes held back until it is known whether they start a comment or
    /// a PI (`<`, `<!`, `<!-`, `<?` and a target name).
    held: Vec<u8>,
}

impl Lenient {
    /// Longest PI target kept while deciding whether it is `xml`.
    const MAX_TARGET: usize = 8;

    fn filter(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len());
        for &b in input {
            self.byte(b, &mut out);
        }
        out
    }

    fn byte(&mut self, b: u8, out: &mut Vec<u8>) {
        use Markup::*;
        let held = |s: &mut Self, next: Markup| {
            s.held.push(b);
            s.state = next;
        };
        match self.state {
            Text if b == b'<' => held(self, Open),
            Text => out.push(b),
            Open if b == b'!' => held(self, Bang),
            Open if b == b'?' => held(self, Question(0)),
            Bang if b == b'-' => held(self, BangDash),
            BangDash if b == b'-' => {
                self.held.clear();
                self.state = Comment(0);
            }
            Open | Bang | BangDash => {
                // Not a comment or PI: let the parser have it all.
                out.append(&mut self.held);
                self.state = Text;
                self.byte(b, out);
            }
            Comment(dashes) => {
                self.state = match b {
                    b'-' => Comment((dashes + 1).min(2)),
                    b'>' if dashes == 2 => Text,
                    _ => Comment(0),
                };
            }
            Question(n)
                if n < Self::MAX_TARGET
                    && !matches!(b, b'?' | b'>')
                    && !b.is_ascii_whitespace() =>
            {
                held(self, Question(n + 1));
            }
            Question(_) => {
                let target = self.held.get(2..).unwrap_or_default();
                if target.eq_ignore_ascii_case(b"xml") {
                    out.append(&mut self.held);
                    out.push(b);
                    self.state = Text;
                } else {
                    self.held.clear();
                    self.state = Pi(b == b'?');
                }
            }
            Pi(question) => {
                self.state = match b {
                    b'>' if question => Text,
                    b'?' => Pi(true),
                    _ => Pi(false),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lenient;

    fn filtered(chunks: &[&str]) -> String {
        let mut lenient = Lenient::default();
        let out: Vec<u8> = chunks
            .iter()
            .flat_map(|c| lenient.filter(c.as_bytes()))
            .collect();
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn comments_and_pis_are_dropped_and_the_rest_kept() {
        let text =
            "<?xml version='1.0'?><a><!-- c - -- --><b/><?pi x??></a><!DOCTYPE x><?xml-s y?>";
        let expected = "<?xml version='1.0'?><a><b/></a><!DOCTYPE x>";
        assert_eq!(filtered(&[text]), expected);
        // The same, one byte at a time.
        let bytes: Vec<String> = text.chars().map(String::from).collect();
        let chunks: Vec<&str> = bytes.iter().map(String::as_str).collect();
        assert_eq!(filtered(&chunks), expected);
        assert_eq!(filtered(&["a<", "b>c</b", ">"]), "a<b>c</b>");
        assert_eq!(filtered(&["<!", "[CDATA[x]]>"]), "<![CDATA[x]]>");
        assert_eq!(filtered(&["<!-x"]), "<!-x");
    }
}
