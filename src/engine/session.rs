//! One connection to the peer: bytes out, parser events in, every wait
//! bounded by a deadline, everything recorded in the transcript.

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::{Instant, timeout_at};

use crate::transport::{Connection, TlsError};
use crate::xml::{Element, NS_STREAMS, ParserConfig, StreamEvent, StreamParser};

use crate::scenario::template::REDACTED;
use crate::snapshot::{Item, Log};

use super::render;
use super::transcript::{Direction, Transcript};

/// Size of one read from the socket. The parser's memory is bounded by the
/// stanza limit whatever this is.
const READ_CHUNK: usize = 16 * 1024;

/// What waiting for the peer gave.
#[derive(Debug)]
pub(super) enum Received {
    Event(StreamEvent),
    /// The peer closed (or reset) the TCP connection.
    Eof,
    /// Nothing arrived before the deadline.
    Timeout,
    /// Reading failed for another reason.
    Io(io::Error),
}

pub(super) struct Session {
    /// `None` only after a failed TLS upgrade consumed the connection.
    conn: Option<Connection>,
    parser: StreamParser,
    parser_config: ParserConfig,
    pending: VecDeque<StreamEvent>,
    buf: Vec<u8>,
    eof: bool,
    /// The peer has sent `</stream:stream>` or closed the connection.
    pub peer_closed: bool,
    /// The last `<stream:features>` the peer sent: what SASL mechanisms,
    /// TLS and binding it offers right now.
    pub features: Option<Element>,
    pub transcript: Transcript,
    /// What the peer sent, for the snapshot.
    pub log: Log,
    /// What the harness sent (as the transcript shows it), so the snapshot
    /// can tell the harness's own ids and resources from the peer's.
    pub sent: String,
}

/// Past this much the sent text is not kept for the snapshot any more.
const SENT_LIMIT: usize = 1024 * 1024;

impl Session {
    pub fn new(conn: Connection, parser_config: ParserConfig, transcript: Transcript) -> Self {
        Session {
            conn: Some(conn),
            parser: StreamParser::new(parser_config.clone()),
            parser_config,
            pending: VecDeque::new(),
            buf: vec![0; READ_CHUNK],
            eof: false,
            peer_closed: false,
            features: None,
            transcript,
            log: Log::default(),
            sent: String::new(),
        }
    }

    /// Send `bytes` as one write, within `limit`.
    pub async fn send(&mut self, bytes: &[u8], limit: Duration) -> io::Result<()> {
        self.send_shown(bytes, String::from_utf8_lossy(bytes).into_owned(), limit)
            .await
    }

    /// Send `bytes`, but record `shown` in the transcript: for payloads that
    /// carry credentials.
    pub async fn send_shown(
        &mut self,
        bytes: &[u8],
        shown: String,
        limit: Duration,
    ) -> io::Result<()> {
        if self.sent.len() + shown.len() <= SENT_LIMIT {
            self.sent.push_str(&shown);
        }
        self.transcript.record(Direction::Sent, shown);
        let Some(conn) = self.conn.as_mut() else {
            return Err(io::Error::new(io::ErrorKind::NotConnected, "no connection"));
        };
        let write = async {
            conn.write_all(bytes).await?;
            conn.flush().await
        };
        match tokio::time::timeout(limit, write).await {
            Ok(result) => result,
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the peer accepted no data for {limit:?}"),
            )),
        }
    }

    /// The next event from the peer, waiting until `deadline` at most.
    pub async fn next(&mut self, deadline: Instant) -> Received {
        loop {
            if let Some(event) = self.pending.pop_front() {
                match &event {
                    StreamEvent::Close => self.peer_closed = true,
                    StreamEvent::Element(e) if e.is(NS_STREAMS, "features") => {
                        self.features = Some(e.clone());
                    }
                    _ => {}
                }
                let shown = match &event {
                    StreamEvent::Element(e) if carries_credentials(e) => {
                        let mut hidden = e.clone();
                        hidden.children = vec![crate::xml::Node::Text(REDACTED.into())];
                        render::event(&StreamEvent::Element(hidden))
                    }
                    _ => render::event(&event),
                };
                self.transcript.record(Direction::Received, shown);
                let item = match &event {
                    StreamEvent::Open(h) => Item::Header(h.clone()),
                    StreamEvent::Element(e) => Item::Element(e.clone()),
                    StreamEvent::Close => Item::Close,
                    StreamEvent::Error(e) => Item::NotXml(e.condition.to_string()),
                };
                self.log.push_at(item, self.sent.len());
                return Received::Event(event);
            }
            if self.eof {
                return Received::Eof;
            }
            let Some(conn) = self.conn.as_mut() else {
                return Received::Eof;
            };
            match timeout_at(deadline, conn.read(&mut self.buf)).await {
                Err(_) => return Received::Timeout,
                Ok(Ok(0)) => self.mark_eof("the peer closed the connection"),
                Ok(Ok(n)) => {
                    let mut events = Vec::new();
                    self.parser.feed(&self.buf[..n], &mut events);
                    self.pending.extend(events);
                }
                Ok(Err(e)) if is_disconnect(&e) => {
                    self.mark_eof(&format!("the connection was lost: {e}"))
                }
                Ok(Err(e)) => return Received::Io(e),
            }
        }
    }

    fn mark_eof(&mut self, why: &str) {
        self.eof = true;
        self.peer_closed = true;
        self.log.push(Item::Closed);
        self.transcript.record(Direction::Note, why);
    }

    /// A new stream begins on the same connection (after TLS or SASL):
    /// the peer's next bytes are a fresh stream header.
    pub fn restart(&mut self) {
        self.parser = StreamParser::new(self.parser_config.clone());
        self.pending.clear();
        self.features = None;
        self.transcript.record(Direction::Note, "stream restart");
        self.log.push(Item::Restart);
    }

    /// Upgrade the connection to TLS in place (STARTTLS, the harness as
    /// client), then expect a new stream. Returns the description of the
    /// TLS session.
    pub async fn start_tls(
        &mut self,
        domain: &str,
        config: std::sync::Arc<rustls::ClientConfig>,
        limit: Duration,
    ) -> Result<String, TlsError> {
        let conn = self.take_connection()?;
        let upgraded = conn.start_tls(domain, config, limit).await?;
        Ok(self.now_tls(upgraded))
    }

    /// The server side of STARTTLS (testing a client): the TLS handshake
    /// after the harness sent `<proceed/>`, then a new stream is expected.
    pub async fn accept_tls(
        &mut self,
        config: std::sync::Arc<rustls::ServerConfig>,
        limit: Duration,
    ) -> Result<String, TlsError> {
        let conn = self.take_connection()?;
        let upgraded = conn.accept_tls(config, limit).await?;
        Ok(self.now_tls(upgraded))
    }

    /// The connection, for a TLS upgrade that consumes it.
    fn take_connection(&mut self) -> Result<Connection, TlsError> {
        self.conn.take().ok_or_else(|| {
            TlsError::Handshake(io::Error::new(io::ErrorKind::NotConnected, "no connection"))
        })
    }

    /// Keep the upgraded connection, note it, and expect a new stream.
    fn now_tls(&mut self, upgraded: Connection) -> String {
        let described = upgraded.describe();
        self.conn = Some(upgraded);
        self.transcript
            .record(Direction::Note, format!("TLS established: {described}"));
        self.restart();
        described
    }

    /// Whether the connection runs over TLS now.
    pub fn is_tls(&self) -> bool {
        matches!(
            self.conn,
            Some(Connection::Tls(_) | Connection::ServerTls(_))
        )
    }

    /// Close our side politely; errors no longer matter here.
    pub async fn shutdown(&mut self) {
        if let Some(conn) = self.conn.as_mut() {
            let _ = tokio::time::timeout(Duration::from_millis(200), conn.shutdown()).await;
        }
    }
}

/// A client's `<auth/>` or `<response/>` with a payload: PLAIN carries the
/// password itself, the others values derived from it. Recorded as
/// `[redacted]` whichever side sent it.
fn carries_credentials(e: &Element) -> bool {
    e.ns == NS_SASL && (e.name == "auth" || e.name == "response") && !e.text().trim().is_empty()
}

const NS_SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";

/// Errors that mean the peer went away rather than that reading failed.
fn is_disconnect(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof
    )
}
