//! One connection to the peer: bytes out, parser events in, every wait
//! bounded by a deadline, everything recorded in the transcript.

use std::time::Duration;

use tokio::time::Instant;

use crate::transport::{Incoming, MessageKind, SendError, TlsError, TlsUpgrade, Transport};
use crate::xml::{Element, NS_CLIENT, NS_SASL, NS_STREAMS, StreamEvent};

use crate::accounts::Account;
use crate::sasl::Credentials;
use crate::scenario::Peer;
use crate::scenario::template::REDACTED;
use crate::snapshot::{Item, Log};

use super::failure::{Failure, FailureKind};
use super::render;
use super::transcript::{Direction, MAIN_CONNECTION, Transcript};

/// What waiting for the peer gave.
#[derive(Debug)]
pub(super) enum Received {
    Event(StreamEvent),
    /// The peer closed (or reset) the connection.
    Eof,
    /// Nothing arrived before the deadline.
    Timeout,
}

pub(super) struct Session {
    stream: Box<dyn Transport>,
    /// The scenario's name for this connection (`main`, `juliet-phone`).
    pub name: String,
    /// Who this connection logs in as; `None`: the run's `--user`.
    pub account: Option<Account>,
    /// The peer's side has ended (noted once in the transcript).
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
    /// Rules of the passive lint ([`crate::lint`]) the peer's elements broke.
    pub lint: Vec<crate::lint::Finding>,
    /// The side under test, which sent the headers this connection reads:
    /// a server's are response headers, a client's initial ones.
    pub peer: Peer,
    /// Unsolicited elements (of a kind the scenario ignores) that arrived
    /// while a step waited for another element of that kind: a later
    /// step may still expect them, since the order in which a server
    /// sends unrelated presence is its own (at most [`SET_ASIDE_LIMIT`]).
    pub set_aside: std::collections::VecDeque<Element>,
    /// Bytes that are not XML are no finding while set: waiting for the
    /// close after a TLS handshake the harness broke, the peer's TLS
    /// alert arrives where the stream's XML would.
    pub not_xml_expected: bool,
}

/// Elements set aside per connection; older ones are dropped first.
pub(super) const SET_ASIDE_LIMIT: usize = 64;

/// At most this many unread events are shown before a handshake that
/// found them.
const UNREAD_SHOWN: usize = 16;

/// Past this much the sent text is not kept for the snapshot any more.
const SENT_LIMIT: usize = 1024 * 1024;

impl Session {
    pub fn new(stream: Box<dyn Transport>, transcript: Transcript) -> Self {
        Session {
            stream,
            name: MAIN_CONNECTION.to_string(),
            account: None,
            eof: false,
            peer_closed: false,
            features: None,
            transcript,
            log: Log::default(),
            sent: String::new(),
            lint: Vec::new(),
            peer: Peer::Server,
            set_aside: std::collections::VecDeque::new(),
            not_xml_expected: false,
        }
    }

    /// Whether the transport sends bytes exactly as written (a byte
    /// stream) rather than framing each write itself.
    pub fn carries_raw_bytes(&self) -> bool {
        self.stream.carries_raw_bytes()
    }

    /// How much later an answer may rightly come on this transport than on
    /// a byte stream ([`Transport::answer_allowance`]).
    pub fn answer_allowance(&self) -> Duration {
        self.stream.answer_allowance()
    }

    /// Send `bytes` as one write, within `limit`.
    pub async fn send(&mut self, bytes: &[u8], limit: Duration) -> Result<(), SendError> {
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
    ) -> Result<(), SendError> {
        if self.sent.len() + shown.len() <= SENT_LIMIT {
            self.sent.push_str(&shown);
        }
        self.transcript.record(Direction::Sent, shown);
        self.stream.send(bytes, limit).await?;
        if let Some(framed) = self.stream.sent_as() {
            self.transcript.record(Direction::Note, framed);
        }
        Ok(())
    }

    /// Send `bytes` as one message of `kind`, as is (`ws-send`).
    pub async fn send_message(
        &mut self,
        kind: MessageKind,
        bytes: &[u8],
        shown: String,
        limit: Duration,
    ) -> Result<(), SendError> {
        let label = match kind {
            MessageKind::Text => "a text message",
            MessageKind::Binary => "a binary message",
            MessageKind::Ping => "a ping, its pong awaited",
            MessageKind::Close => "a WebSocket Close frame, the peer's Close awaited",
            MessageKind::HttpRequest => "an HTTP POST of its own",
            MessageKind::Payload => "the payload of the transport's next message, unchecked",
        };
        self.transcript.record(Direction::Sent, shown.clone());
        self.transcript
            .record(Direction::Note, format!("sent as is, as {label}"));
        if self.sent.len() + shown.len() <= SENT_LIMIT {
            self.sent.push_str(&shown);
        }
        self.stream.send_message(kind, bytes, limit).await
    }

    /// The next event from the peer that the scenario does not `ignore`,
    /// waiting until `deadline` at most: the engine's one wait. Ignored
    /// elements are noted in the transcript and skipped; reading failing
    /// for another reason than a close fails the step.
    pub async fn wait(
        &mut self,
        deadline: Instant,
        ignore: &[String],
    ) -> Result<Received, Failure> {
        loop {
            if self.eof {
                return Ok(Received::Eof);
            }
            match self.stream.next(deadline).await {
                Incoming::Event(event) if is_ignored(&event, ignore) => {
                    self.note_received(&event);
                    self.transcript
                        .record(Direction::Note, "skipped: not asked for by this step");
                }
                Incoming::Event(event) => {
                    self.note_received(&event);
                    return Ok(Received::Event(event));
                }
                Incoming::Closed(why) => self.mark_eof(&why),
                Incoming::Timeout => return Ok(Received::Timeout),
                Incoming::Failed(e) => {
                    return Err(Failure::new(
                        FailureKind::Read,
                        format!("reading from the peer failed: {e}"),
                    ));
                }
            }
        }
    }

    /// Keep what the peer's event tells (closed, features), and record it
    /// in the transcript and the snapshot log.
    fn note_received(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::Close => self.peer_closed = true,
            StreamEvent::Element(e) if e.is(NS_STREAMS, "features") => {
                self.features = Some(e.clone());
            }
            _ => {}
        }
        let shown = render::event(&hidden(event));
        self.transcript.record(Direction::Received, shown);
        let findings = match event {
            StreamEvent::Element(e) => crate::lint::check(e),
            StreamEvent::Open(h) => crate::lint::check_header(h, self.peer),
            StreamEvent::Error(e) if !self.not_xml_expected => crate::lint::check_bytes(e),
            StreamEvent::Close | StreamEvent::Error(_) => Vec::new(),
        };
        for finding in findings {
            self.transcript
                .record(Direction::Note, format!("lint: breaks {finding}"));
            self.lint.push(finding);
        }
        let item = match event {
            StreamEvent::Open(h) => Item::Header(h.clone()),
            StreamEvent::Element(e) => Item::Element(e.clone()),
            StreamEvent::Close => Item::Close,
            StreamEvent::Error(e) => Item::NotXml(e.condition.to_string()),
        };
        self.log.push_at(item, self.sent.len());
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
        self.stream.restart();
        self.features = None;
        self.transcript.record(Direction::Note, "stream restart");
        self.log.push(Item::Restart);
    }

    /// The TLS handshake in place (STARTTLS: after `<proceed/>`, either
    /// role), then a new stream is expected. Returns the description of
    /// the TLS session.
    pub async fn start_tls(
        &mut self,
        upgrade: TlsUpgrade,
        limit: Duration,
    ) -> Result<String, TlsError> {
        // Data already there is clear text where TLS had to begin: the
        // handshake would only wait for an answer the peer is not giving.
        if self.stream.has_unread() {
            self.record_unread().await;
            return Err(TlsError::ClearTextBeforeHandshake);
        }
        self.stream.start_tls(upgrade, limit).await?;
        let described = self.stream.describe();
        self.transcript
            .record(Direction::Note, format!("TLS established: {described}"));
        self.restart();
        Ok(described)
    }

    /// Record in the transcript what the peer sent that has not been read
    /// (so a report shows the clear text a peer sent where TLS had to
    /// begin), taking only events already parsed or readable at once: at
    /// most [`UNREAD_SHOWN`] of them, so a flooding peer cannot hold the
    /// step.
    async fn record_unread(&mut self) {
        for _ in 0..UNREAD_SHOWN {
            match self.stream.next(Instant::now()).await {
                Incoming::Event(event) => self.note_received(&event),
                Incoming::Closed(why) => {
                    self.mark_eof(&why);
                    break;
                }
                Incoming::Timeout | Incoming::Failed(_) => break,
            }
        }
        self.transcript.record(
            Direction::Note,
            "received in clear text after the STARTTLS exchange, where the TLS handshake must begin",
        );
    }

    /// Who this connection authenticates as: its account, else the run's
    /// `--user`/`--password`.
    pub fn credentials(&self, bindings: &crate::bindings::Bindings) -> Credentials {
        match &self.account {
            Some(account) => Credentials::new(&account.user, account.password.expose()),
            None => Credentials::new(
                bindings.var("user").unwrap_or_default(),
                bindings.var("password").unwrap_or_default(),
            ),
        }
    }

    /// The first bytes the peer sent, for saying what answered.
    pub fn received_prefix(&self) -> &[u8] {
        self.stream.received_prefix()
    }

    /// Whether the connection runs over TLS now.
    pub fn is_tls(&self) -> bool {
        self.stream.is_tls()
    }

    /// The DER of the end-entity certificate the peer presented over TLS.
    pub fn peer_certificate(&self) -> Option<Vec<u8>> {
        self.stream.peer_certificate()
    }

    /// Whether the peer ended TLS by closing TCP, without close_notify.
    pub fn closed_without_close_notify(&self) -> bool {
        self.stream.closed_without_close_notify()
    }

    /// Close our side politely; errors no longer matter here.
    pub async fn shutdown(&mut self) {
        self.stream.shutdown(Duration::from_millis(200)).await;
    }
}

/// `event` as reports may show it: the payload of a SASL `<auth/>` or
/// `<response/>` replaced by `[redacted]` (in the transcript and in the
/// failure that quotes what arrived).
pub(super) fn hidden(event: &StreamEvent) -> std::borrow::Cow<'_, StreamEvent> {
    match event {
        StreamEvent::Element(e) if carries_credentials(e) => {
            let mut hidden = e.clone();
            hidden.children = vec![crate::xml::Node::Text(REDACTED.into())];
            std::borrow::Cow::Owned(StreamEvent::Element(hidden))
        }
        _ => std::borrow::Cow::Borrowed(event),
    }
}

/// A client's `<auth/>` or `<response/>` with a payload: PLAIN carries the
/// password itself, the others values derived from it. Recorded as
/// `[redacted]` whichever side sent it.
fn carries_credentials(e: &Element) -> bool {
    e.ns == NS_SASL && (e.name == "auth" || e.name == "response") && !e.text().trim().is_empty()
}

/// Elements the scenario lets through while waiting (unsolicited presence,
/// by default): first-level elements named in `ignore`, by local name in
/// `jabber:client`, or as `{namespace}name` in any other namespace.
pub(super) fn is_ignored(event: &StreamEvent, ignore: &[String]) -> bool {
    let StreamEvent::Element(e) = event else {
        return false;
    };
    ignores(ignore, &e.ns, &e.name)
}

/// Whether `ignore` names first-level elements called `name` in `ns`:
/// the one reading of the front matter's entries, for what arrives and
/// for what a line expects.
pub(super) fn ignores(ignore: &[String], ns: &str, name: &str) -> bool {
    ignore.iter().any(
        |i| match i.strip_prefix('{').and_then(|r| r.split_once('}')) {
            Some((i_ns, i_name)) => ns == i_ns && name == i_name,
            None => ns == NS_CLIENT && name == i,
        },
    )
}

#[cfg(test)]
mod ignore_tests {
    use super::*;
    use crate::xml::{NamespaceScope, parse_element};

    fn element(xml: &str) -> StreamEvent {
        StreamEvent::Element(parse_element(xml.as_bytes(), &NamespaceScope::new()).expect("xml"))
    }

    #[test]
    fn local_names_in_jabber_client_and_qualified_names_elsewhere() {
        let ignore = vec!["presence".to_string(), format!("{{{NS_SASL}}}failure")];
        assert!(is_ignored(
            &element("<presence xmlns='jabber:client'/>"),
            &ignore
        ));
        assert!(is_ignored(
            &element(&format!("<failure xmlns='{NS_SASL}'/>")),
            &ignore
        ));
        assert!(!is_ignored(
            &element("<failure xmlns='jabber:client'/>"),
            &ignore
        ));
        assert!(!is_ignored(
            &element("<presence xmlns='urn:other'/>"),
            &ignore
        ));
        assert!(!is_ignored(&StreamEvent::Close, &ignore));
    }
}
