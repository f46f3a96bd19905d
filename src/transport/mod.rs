//! The XMPP stream to the peer, behind one trait for every transport and
//! both roles.
//!
//! A [`Transport`] carries an XMPP stream: it sends what the scenario (or
//! the reference server) writes and turns what the peer sends into parser
//! events ([`StreamEvent`]), with every wait bounded by a deadline. The
//! engine, testing a server or a client, and the reference server hold a
//! `Box<dyn Transport>` and never know which one they talk through.
//!
//! Transports that carry a byte stream (TCP, with TLS upgraded in place;
//! the in-memory pair the unit tests use) share [`ByteStream`], the one
//! loop from bytes through the crate's streaming parser to events: adding
//! one means implementing [`ByteIo`] for its pipe. Transports that frame
//! the stream themselves (WebSocket messages, BOSH bodies) implement
//! [`Transport`] directly; they say so through
//! [`Transport::carries_raw_bytes`], so that a scenario sending broken XML
//! or split writes can be skipped with the reason rather than misjudged.

pub mod bosh;
mod byte_stream;
pub mod memory;
mod stream_lines;
mod tcp;
#[cfg(test)]
mod tests;
pub mod tls;
mod trust;
mod url_target;
pub mod websocket;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::xml::{ParserConfig, StreamEvent};

pub use bosh::{BoshConnector, BoshError, BoshTarget};
pub(crate) use byte_stream::is_disconnect;
pub use byte_stream::{ByteIo, ByteStream, InputFilter};
pub use memory::MemoryConnector;
pub use tcp::{Connection, TransportError, accept, accept_direct_tls, connect, connect_tls};
pub use tls::{TlsError, Verification};
pub use websocket::{WebSocketConnector, WebSocketError, WebSocketTarget};

/// What waiting for the peer gave.
#[derive(Debug)]
pub enum Incoming {
    /// The next stream event: a header, an element, the close tag, or
    /// bytes the parser refused.
    Event(StreamEvent),
    /// The peer closed or reset the connection; the text says which.
    /// Every later wait gives this again.
    Closed(String),
    /// Nothing arrived before the deadline.
    Timeout,
    /// Reading failed for a reason other than the peer going away.
    Failed(io::Error),
}

/// A write that did not go through.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the peer accepted no data for {0:?}")]
    Timeout(Duration),
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("no connection")]
    Gone,
    /// A ping's pong did not come back: why.
    #[error("the ping was not answered (RFC 6455 §5.5.2: a pong MUST follow): {0}")]
    NoPong(String),
    /// A Close frame was not answered by one: why.
    #[error(
        "the WebSocket closing handshake was not answered (RFC 6455 §5.5.1: a Close frame \
         MUST be answered with a Close frame): {0}"
    )]
    NoCloseReply(String),
    /// The transport frames the stream itself and cannot send these bytes
    /// as written (a partial element, bytes that are not UTF-8).
    #[error("the {transport} transport cannot send arbitrary bytes: {why}")]
    Unsupported {
        transport: TransportKind,
        why: String,
    },
}

/// The kind of a message sent as is ([`Transport::send_message`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Text,
    Binary,
    /// A ping (RFC 6455 §5.5.2): the send waits for its pong.
    Ping,
    /// A WebSocket Close frame (code 1000, the bytes its reason), which
    /// starts the closing handshake: the send waits for the peer's Close
    /// (RFC 6455 §5.5.1, §7.1.2).
    Close,
    /// A BOSH `<body/>` as one HTTP POST of its own (`bosh-send`); its
    /// response comes back as an element in [`crate::xml::NS_HARNESS_HTTP`].
    HttpRequest,
    /// The bytes as the payload of the transport's own next unit, not
    /// checked to be one element, nor even UTF-8: a WebSocket text message
    /// (a binary one when the bytes are not UTF-8, which a text frame
    /// cannot carry), or the inside of the session's next `<body/>`. For
    /// the fuzzer, whose mutated stanzas are meant to reach the peer's
    /// parser inside the framing rather than be refused by ours.
    Payload,
}

/// Which side of a TLS handshake the harness takes, and with what.
#[derive(Debug, Clone)]
pub enum TlsUpgrade {
    /// The harness is the client: verify the server's certificate for
    /// this XMPP domain (RFC 6120 §13.7.2).
    Client {
        domain: String,
        config: Arc<rustls::ClientConfig>,
    },
    /// The harness (or the reference server) is the server and presents
    /// this configuration's certificate.
    Server(Arc<rustls::ServerConfig>),
}

/// The kinds of transport, as scenarios name them in `needs`
/// (`transport:tcp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportKind {
    Tcp,
    /// The in-memory pair of the unit tests.
    Memory,
    /// RFC 7395: one element per WebSocket text message.
    WebSocket,
    /// XEP-0124 and XEP-0206: stanzas in HTTP request and response bodies.
    Bosh,
}

impl TransportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TransportKind::Tcp => "tcp",
            TransportKind::Memory => "memory",
            TransportKind::WebSocket => "websocket",
            TransportKind::Bosh => "bosh",
        }
    }

    pub fn parse(name: &str) -> Option<TransportKind> {
        [
            TransportKind::Tcp,
            TransportKind::Memory,
            TransportKind::WebSocket,
            TransportKind::Bosh,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for TransportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A way to reach the server under test other than TCP to the run's
/// target: each call gives a new stream. The unit tests reach the
/// reference server through the in-memory pipe this way.
#[async_trait::async_trait]
pub trait Connector: Send + Sync + std::fmt::Debug {
    fn kind(&self) -> TransportKind;
    async fn connect(&self, parser: ParserConfig) -> Result<Box<dyn Transport>, TransportError>;
}

/// One XMPP stream to the peer, either role.
///
/// Every method that waits is bounded (a deadline or a limit), and
/// [`Transport::next`] is cancel-safe: a wait interrupted by another event
/// (the reference server also waits for stanzas routed to the session)
/// loses nothing.
#[async_trait::async_trait]
pub trait Transport: Send + Sync {
    /// What this is, for transcripts: `tcp 127.0.0.1:5222`, or the TLS
    /// version and cipher suite over it.
    fn describe(&self) -> String;

    fn kind(&self) -> TransportKind;

    /// Whether the stream runs over TLS now.
    fn is_tls(&self) -> bool;

    /// Whether bytes go out exactly as written, in the writes the scenario
    /// makes: broken XML, `{hex:…}` bytes, a stanza split over two writes.
    fn carries_raw_bytes(&self) -> bool;

    /// Send `bytes` as one write, within `limit`.
    async fn send(&mut self, bytes: &[u8], limit: Duration) -> Result<(), SendError>;

    /// Send `bytes` as one message of `kind`, as given, bypassing the
    /// framing translation: for scenarios about the framing itself (RFC
    /// 7395: a binary message, two elements in one message). Byte streams
    /// have no messages, so the default refuses (the scenario is skipped).
    async fn send_message(
        &mut self,
        kind: MessageKind,
        bytes: &[u8],
        limit: Duration,
    ) -> Result<(), SendError> {
        let _ = (kind, bytes, limit);
        Err(SendError::Unsupported {
            transport: self.kind(),
            why: "it carries a byte stream, not messages".to_string(),
        })
    }

    /// After a [`Transport::send`] that reframed the bytes (a header sent
    /// as RFC 7395's `<open/>`): what went on the wire instead, once, for
    /// the transcript. Byte transports send what they are given.
    fn sent_as(&mut self) -> Option<String> {
        None
    }

    /// The next event from the peer, waiting until `deadline` at most.
    async fn next(&mut self, deadline: Instant) -> Incoming;

    /// How much later than on a byte stream an answer may rightly come on
    /// this transport: BOSH's `wait` (XEP-0124 §7.1), since a server that
    /// cannot use a request holds it that long and answers in rid order
    /// (§14.2). A wait that must tell silence from a slow answer (live
    /// fuzzing's hang check) adds it to its own bound.
    fn answer_allowance(&self) -> Duration {
        Duration::ZERO
    }

    /// A new stream begins on this connection (after TLS or SASL success,
    /// RFC 6120 §5.4.3.3, §6.4.6): the peer's next bytes are a fresh
    /// header, and whatever the old stream still had queued is dropped.
    fn restart(&mut self);

    /// Whether the peer sent more than has been taken: events not read
    /// yet, or part of an element the parser holds.
    fn has_unread(&self) -> bool;

    /// The first bytes the peer sent on this connection (a few dozen at
    /// most), to say what answered when it was not XMPP.
    fn received_prefix(&self) -> &[u8] {
        &[]
    }

    /// Whether the peer, over TLS, closed the TCP connection without its
    /// close_notify alert first (RFC 8446 §6.1; RFC 6120 §4.4). Only
    /// transports that run TLS themselves can tell; the others say no.
    fn closed_without_close_notify(&self) -> bool {
        false
    }

    /// The DER of the end-entity certificate the peer presented in the
    /// TLS handshake this transport ran itself; `None` otherwise.
    fn peer_certificate(&self) -> Option<Vec<u8>> {
        None
    }

    /// The TLS handshake, in place, within `limit`; a new stream follows
    /// (the parser is restarted). On failure the connection is gone.
    async fn start_tls(&mut self, upgrade: TlsUpgrade, limit: Duration) -> Result<(), TlsError>;

    /// Close our direction (TLS close_notify, then FIN) within `limit`.
    async fn shutdown(&mut self, limit: Duration);

    /// After [`Transport::shutdown`]: read and discard what the peer still
    /// sends (its own closing tag, typically) until it closes too or
    /// `linger` passes, so the kernel does not answer unread data with a
    /// reset that could destroy a stream error the peer has not read yet.
    async fn drain(&mut self, linger: Duration);
}
