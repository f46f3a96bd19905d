//! One client connection as the server sees it: the crate's
//! [`Transport`] (the same stream code the engine uses), with the server's
//! idle and write timeouts, and the polite way to hang up.
//!
//! Reads are cancel-safe (an interrupted wait loses nothing), so a session
//! can wait for the client and for stanzas routed to it at once.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::transport::{
    ByteIo, ByteStream, Incoming, InputFilter, TlsError, TlsUpgrade, Transport,
};
use crate::xml::{ParserConfig, StreamEvent};

pub(super) use crate::transport::SendError;

use super::config::Limits;

/// What waiting for the client gave.
#[derive(Debug)]
pub(super) enum Input {
    Event(StreamEvent),
    /// The client closed (or reset) the connection.
    Closed,
    /// No byte for [`Limits::idle_timeout`].
    Idle,
    /// Part of a stanza waited longer than [`Link::stall_partial_after`]
    /// allows: only a server with the `partial-stanza` fault says so.
    Stalled,
}

/// The stream the server reads a client through: `io` parsed with
/// `parser_config`; `lenient`, comments and processing instructions are
/// dropped before parsing instead of being refused (a fault).
pub(super) fn client_stream<IO: ByteIo>(
    io: IO,
    parser_config: ParserConfig,
    lenient: bool,
) -> Box<dyn Transport> {
    let stream = ByteStream::new(io, parser_config);
    match lenient {
        true => stream.with_filter(Box::<Lenient>::default()).boxed(),
        false => stream.boxed(),
    }
}

pub(super) struct Link {
    stream: Box<dyn Transport>,
    idle_timeout: Duration,
    write_timeout: Duration,
    /// When the client will have been silent too long.
    idle_at: Instant,
    /// The `partial-stanza` fault: how long part of an element may wait
    /// for the rest. `None` on a conforming server (RFC 6120 §8: the
    /// timing of a stanza's parts means nothing).
    partial_limit: Option<Duration>,
}

impl Link {
    pub fn new(stream: Box<dyn Transport>, limits: &Limits) -> Self {
        Link {
            stream,
            idle_timeout: limits.idle_timeout,
            write_timeout: limits.write_timeout,
            idle_at: Instant::now() + limits.idle_timeout,
            partial_limit: None,
        }
    }

    /// Give up on a stanza whose rest has not come within `limit` of
    /// looking (the `partial-stanza` fault).
    pub fn stall_partial_after(&mut self, limit: Duration) {
        self.partial_limit = Some(limit);
    }

    /// The next event from the client. Cancel-safe.
    pub async fn next(&mut self) -> Input {
        loop {
            let look = self.partial_limit.map(|l| Instant::now() + l);
            let deadline = look.map_or(self.idle_at, |l| l.min(self.idle_at));
            return match self.stream.next(deadline).await {
                Incoming::Event(event) => {
                    self.idle_at = Instant::now() + self.idle_timeout;
                    Input::Event(event)
                }
                Incoming::Timeout if Instant::now() < self.idle_at => {
                    if self.stream.has_unread() {
                        Input::Stalled
                    } else {
                        continue;
                    }
                }
                Incoming::Timeout => Input::Idle,
                Incoming::Closed(_) | Incoming::Failed(_) => Input::Closed,
            };
        }
    }

    /// Write `text` and flush it, within the write timeout.
    pub async fn send(&mut self, text: &str) -> Result<(), SendError> {
        self.stream.send(text.as_bytes(), self.write_timeout).await
    }

    /// A new stream starts on this connection (after TLS or SASL success,
    /// RFC 6120 §5.4.3.3, §6.4.6): what the old one still had queued is
    /// dropped, since the client must send nothing between the server's
    /// `<proceed/>` or `<success/>` and the new header.
    pub fn restart(&mut self) {
        self.stream.restart();
    }

    /// The server side of the TLS handshake, within `limit`. On failure the
    /// connection is gone (rustls gave the client its alert).
    pub async fn start_tls(
        &mut self,
        config: Arc<rustls::ServerConfig>,
        limit: Duration,
    ) -> Result<(), TlsError> {
        self.stream
            .start_tls(TlsUpgrade::Server(config), limit)
            .await?;
        self.idle_at = Instant::now() + self.idle_timeout;
        Ok(())
    }

    /// Whether the client sent more than has been handled: events not
    /// taken yet, or part of a unit the parser holds (whitespace between
    /// elements does not count).
    pub fn has_unread(&self) -> bool {
        self.stream.has_unread()
    }

    pub fn is_tls(&self) -> bool {
        self.stream.is_tls()
    }

    /// The client's TLS certificate (DER), if it presented one.
    pub fn peer_certificate(&self) -> Option<Vec<u8>> {
        self.stream.peer_certificate()
    }

    /// Over WebSocket TLS is the `wss://` URL's, never STARTTLS (RFC 7395
    /// §3.9).
    pub fn is_websocket(&self) -> bool {
        self.stream.kind() == crate::transport::TransportKind::WebSocket
    }

    /// Over BOSH TLS is the `https://` URL's (XEP-0206 §2: channel
    /// encryption at the HTTP layer), so STARTTLS is never offered.
    pub fn is_bosh(&self) -> bool {
        self.stream.kind() == crate::transport::TransportKind::Bosh
    }

    /// Hang up: close our direction (TLS close_notify, then FIN), then
    /// read and discard what the client still sends, all within `linger`.
    pub async fn close(mut self, linger: Duration) {
        let started = Instant::now();
        self.stream.shutdown(linger).await;
        self.stream
            .drain(linger.saturating_sub(started.elapsed()))
            .await;
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

impl InputFilter for Lenient {
    fn filter(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len());
        for &b in input {
            self.byte(b, &mut out);
        }
        out
    }

    fn reset(&mut self) {
        *self = Lenient::default();
    }
}

impl Lenient {
    /// Longest PI target kept while deciding whether it is `xml`.
    const MAX_TARGET: usize = 8;

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
    use crate::transport::InputFilter;

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
