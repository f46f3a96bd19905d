//! BOSH (XEP-0124) carrying XMPP (XEP-0206), the harness as the client:
//! `--target http://host:port/path` or `https://…`.
//!
//! The stream is framed by the transport: a scenario's header becomes the
//! session creation request (or, after SASL, the restart request), its
//! stanzas travel in `<body/>`s with the next `rid`, and its closing tag is
//! `type='terminate'`; each response's `<body/>` becomes stream events (the
//! creation response is the header). Lines with no BOSH form are refused
//! with [`SendError::Unsupported`], which skips the scenario.
//!
//! While the session is open one empty request is kept pending (the
//! long-poll) so the server can push, within its `requests` limit; each
//! request is a task bounded by the session's `wait` plus the run's
//! timeout, so a cancelled [`Transport::next`] loses nothing, and dropping
//! the transport aborts them.

mod framing;
mod http;
mod raw;
mod server;

pub use server::{
    BoshService, Departures as BoshDepartures, ServerOptions as BoshServerOptions, serve_connection,
};

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::{Instant, timeout_at};

use crate::xml::{Attribute, Element, NS_SASL, ParserConfig, StreamEvent, StreamHeader};

use super::{
    Connector, Incoming, MessageKind, SendError, TlsError, TlsUpgrade, Transport, TransportError,
    TransportKind,
};
use framing::Line;
use http::{Endpoint, Reply, Sender};

/// The `wait` the harness asks for (XEP-0124 §7.1): how long the server
/// may hold an empty request. Short, so a finished scenario's held request
/// comes back soon, and long enough not to poll busily.
const WAIT_SECONDS: u64 = 20;
/// The `hold` the harness asks for: one request held, one to send on.
const HOLD: u64 = 1;
/// `requests` when the server does not say (XEP-0124 §7.1: hold + 1).
const DEFAULT_REQUESTS: usize = 2;
/// The most requests the harness keeps in flight, whatever the server allows.
const MAX_REQUESTS: usize = 4;

/// Why a BOSH target cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BoshError {
    #[error("`{url}` is not an http:// or https:// URL: {why}")]
    Url { url: String, why: String },
}

/// An `http://` or `https://` target, checked once when the run starts.
#[derive(Debug, Clone)]
pub struct BoshTarget {
    pub url: String,
    /// The host without brackets: the default XMPP domain and, for
    /// `https`, the name the certificate must carry.
    pub host: String,
    /// `host:port` to connect to.
    address: String,
    /// The `Host` header.
    authority: String,
    /// The request path (`/http-bind`).
    path: String,
    pub secure: bool,
}

impl BoshTarget {
    /// `None` when `target` is not an HTTP URL at all; an error when it is
    /// one but malformed.
    pub fn parse(target: &str) -> Option<Result<BoshTarget, BoshError>> {
        let parsed = super::url_target::parse(target, "https", "http")?;
        Some(
            parsed
                .map_err(|why| BoshError::Url {
                    url: target.to_string(),
                    why,
                })
                .map(|t| BoshTarget {
                    url: target.to_string(),
                    host: t.host,
                    address: t.address,
                    authority: t.authority,
                    path: t.path,
                    secure: t.secure,
                }),
        )
    }
}

/// Opens a BOSH session per connection of a scenario.
#[derive(Debug)]
pub struct BoshConnector {
    target: BoshTarget,
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
}

impl BoshConnector {
    pub fn new(target: BoshTarget, tls: Arc<rustls::ClientConfig>, timeout: Duration) -> Self {
        BoshConnector {
            target,
            tls,
            timeout,
        }
    }
}

#[async_trait::async_trait]
impl Connector for BoshConnector {
    fn kind(&self) -> TransportKind {
        TransportKind::Bosh
    }

    async fn connect(&self, parser: ParserConfig) -> Result<Box<dyn Transport>, TransportError> {
        let endpoint = Arc::new(Endpoint {
            target: self.target.clone(),
            tls: Arc::clone(&self.tls),
            timeout: self.timeout,
            // A response carries a few stanzas; the parser's limit per
            // stanza, times a few, bounds it.
            max_body: parser.max_stanza_bytes.saturating_mul(4),
        });
        // Connect now, so an unreachable target is found here (the
        // preflight's "unreachable"), not on the first request.
        let sender = endpoint.open().await.map_err(|e| match e {
            http::HttpFailure::Connect(e) => e,
            other => TransportError::Connect {
                target: endpoint.target.url.clone(),
                source: std::io::Error::other(other.to_string()),
            },
        })?;
        let described = format!(
            "bosh {} ({})",
            endpoint.target.url,
            if endpoint.target.secure {
                "HTTP/1.1 over TLS"
            } else {
                "HTTP/1.1"
            }
        );
        Ok(Box::new(Bosh {
            endpoint,
            described,
            rid: first_rid(),
            session: None,
            opening: None,
            terminating: false,
            payload_out: false,
            restarted: false,
            awaiting_restart: false,
            turn: None,
            in_flight: JoinSet::new(),
            outstanding: Default::default(),
            arrived: Default::default(),
            idle: vec![sender],
            outbox: VecDeque::new(),
            pending: VecDeque::new(),
            ended: None,
            received: 0,
            note: None,
            raw: None,
        }))
    }
}

/// A random first rid, well below 2^53 so that it can grow for long
/// (XEP-0124 §7.1).
fn first_rid() -> u64 {
    let mut bytes = [0u8; 4];
    // Without randomness a fixed rid still works: it only has to grow.
    let _ = getrandom::fill(&mut bytes);
    1_000_000 + u64::from(u32::from_le_bytes(bytes))
}

/// The session as its creation response set it up.
struct Session {
    sid: String,
    /// How many requests may be in flight at once.
    requests: usize,
    /// How long the server may hold a request.
    wait: Duration,
    /// The header the creation response stood for, given again after a
    /// restart (XEP-0206 §5: the restart response carries features only).
    header: StreamHeader,
}

/// A request waiting for a free slot.
enum Queued {
    Payload(String),
    /// Bytes as they are ([`MessageKind::Payload`]), for the fuzzer.
    Unchecked(Vec<u8>),
    Restart(Vec<Attribute>),
    Terminate,
}

/// One XMPP stream over a BOSH session.
struct Bosh {
    endpoint: Arc<Endpoint>,
    described: String,
    /// The next request's rid.
    rid: u64,
    session: Option<Session>,
    /// The rid of the creation or restart request whose answer stands for
    /// a stream header.
    opening: Option<u64>,
    /// `type='terminate'` was sent: no more long-polls.
    terminating: bool,
    /// A payload went out since the last long-poll was started.
    payload_out: bool,
    /// The stream was restarted and its new header has not been given.
    restarted: bool,
    /// SASL succeeded and the restart request has not gone out: XEP-0206
    /// §5 makes it the client's next request, so no long-poll before it
    /// (ejabberd then at times answered neither).
    awaiting_restart: bool,
    /// Resolves once the last request started has gone out.
    turn: Option<tokio::sync::oneshot::Receiver<Instant>>,
    in_flight: JoinSet<Reply>,
    /// The rids of the requests in flight (not `bosh-send`'s).
    outstanding: std::collections::BTreeSet<u64>,
    /// Answers that came before one to an earlier request, by rid.
    arrived: std::collections::BTreeMap<u64, Reply>,
    idle: Vec<Sender>,
    outbox: VecDeque<Queued>,
    pending: VecDeque<StreamEvent>,
    ended: Option<String>,
    received: u64,
    note: Option<String>,
    /// The requests a scenario sent as is (`bosh-send`), once it has:
    /// the transport then leaves long-polling to the scenario.
    raw: Option<raw::Raw>,
}

impl Bosh {
    fn end(&mut self, why: String) {
        if self.ended.is_none() {
            self.ended = Some(why);
        }
    }

    /// How long one request may take: the server's hold plus the run's
    /// own bound.
    fn request_limit(&self) -> Duration {
        self.answer_allowance() + self.endpoint.timeout
    }

    fn spawn(&mut self, body: impl Into<hyper::body::Bytes>) -> u64 {
        let body = body.into();
        self.outstanding.insert(self.rid);
        let rid = self.rid;
        self.rid += 1;
        let sender = self.idle.pop();
        let limit = self.request_limit();
        let endpoint = Arc::clone(&self.endpoint);
        let (sent, next) = tokio::sync::oneshot::channel();
        let turn = http::Turn {
            after: self.turn.replace(next),
            sent,
        };
        self.in_flight.spawn(http::exchange(
            endpoint, sender, rid, body, limit, turn, None,
        ));
        rid
    }

    /// `bosh-send`: `text` as one POST, in its turn after the requests
    /// before it; returns once it has gone out.
    async fn send_raw(&mut self, text: &str, limit: Duration) -> Result<(), SendError> {
        let base = self.rid;
        let raw = self.raw.get_or_insert_with(|| raw::Raw::new(base));
        let (body, rid, key) = raw.prepare(text).map_err(|why| SendError::Unsupported {
            transport: TransportKind::Bosh,
            why,
        })?;
        if let Some(rid) = rid {
            self.rid = self.rid.max(rid.saturating_add(1));
        }
        let endpoint = Arc::clone(&self.endpoint);
        let (sent, next) = tokio::sync::oneshot::channel();
        let turn = http::Turn {
            after: self.turn.take(),
            sent,
        };
        let label = rid.unwrap_or(0);
        let request_limit = self.request_limit();
        self.in_flight.spawn(http::exchange(
            endpoint,
            None,
            label,
            body.into(),
            request_limit,
            turn,
            Some(key),
        ));
        // Out before the step ends, so the next step's request follows it
        // on the wire, paced after it like any other.
        if let Ok(Ok(out)) = tokio::time::timeout(limit, next).await {
            let (sent, after) = tokio::sync::oneshot::channel();
            let _ = sent.send(out);
            self.turn = Some(after);
        }
        Ok(())
    }

    /// A response to a `bosh-send`: given as a `<response/>` element, in
    /// rid order.
    fn handle_raw(&mut self, key: raw::Key, reply: Reply) {
        let rid = key.0;
        let element = match &reply.outcome {
            Ok((status, bytes)) => {
                self.received += bytes.len() as u64;
                raw::response(rid, Ok((*status, reply.content_type.clone(), bytes)))
            }
            Err(e) => raw::response(rid, Err(e.to_string())),
        };
        if let Some(raw) = &mut self.raw {
            for due in raw.arrived(key, element) {
                self.pending.push_back(StreamEvent::Element(due));
            }
        }
    }

    /// Open connections until each request the session allows in flight
    /// has one ready: a request that opened its own connection could reach
    /// the server after the next rid, which a server may hold back until
    /// the gap is filled (XEP-0124 §14.3); ejabberd then stalls.
    async fn fill_idle(&mut self) {
        let allowed = self.session.as_ref().map_or(1, |s| s.requests);
        self.idle.retain(|s| !s.is_closed());
        while self.ended.is_none() && self.idle.len() + self.in_flight.len() < allowed {
            match self.endpoint.open().await {
                Ok(sender) => self.idle.push(sender),
                Err(e) => self.end(format!("could not open another HTTP connection: {e}")),
            }
        }
    }

    /// Start queued requests while the session allows more in flight;
    /// the rid of the last one started.
    fn pump(&mut self) -> Option<u64> {
        let mut last = None;
        while let Some(session) = &self.session {
            if self.ended.is_some() || self.in_flight.len() >= session.requests {
                break;
            }
            let sid = session.sid.clone();
            let Some(queued) = self.outbox.pop_front() else {
                break;
            };
            let rid = self.rid;
            let body: String = match queued {
                Queued::Payload(text) => framing::payload_request(rid, &sid, &text),
                Queued::Unchecked(bytes) => {
                    last = Some(self.spawn(framing::unchecked_request(rid, &sid, &bytes)));
                    continue;
                }
                Queued::Restart(attrs) => {
                    self.awaiting_restart = false;
                    if self.restarted {
                        self.opening = Some(rid);
                    }
                    framing::restart_request(rid, &sid, &attrs)
                }
                Queued::Terminate => {
                    self.terminating = true;
                    framing::terminate_request(rid, &sid)
                }
            };
            last = Some(self.spawn(body));
        }
        last
    }

    /// Keep one request at the server so it can push (XEP-0124 §4, §8): an
    /// empty one whenever none is in flight, or, after a payload went out
    /// (the server answers that one), while the session allows another.
    fn keep_polling(&mut self) {
        if let Some(session) = &self.session
            && self.raw.is_none()
            && self.ended.is_none()
            && !self.terminating
            && !self.awaiting_restart
            && self.opening.is_none()
            && self.outbox.is_empty()
            && (self.in_flight.is_empty()
                || (self.payload_out && self.in_flight.len() < session.requests))
        {
            self.payload_out = false;
            let body = framing::payload_request(self.rid, &session.sid.clone(), "");
            self.spawn(body);
        }
    }

    fn handle(&mut self, reply: Reply) {
        if let Some(key) = reply.raw {
            return self.handle_raw(key, reply);
        }
        let (status, bytes) = match reply.outcome {
            Ok(answer) => answer,
            Err(e) => return self.end(format!("the request with rid {} failed: {e}", reply.rid)),
        };
        if let Some(sender) = reply.sender
            && !sender.is_closed()
        {
            self.idle.push(sender);
        }
        let offset = self.received;
        self.received += bytes.len() as u64;
        if status != 200 {
            // XEP-0124 §17.1: an HTTP error status ends the session.
            return self.end(format!(
                "the server answered the request with rid {} with HTTP {status}, which ends \
                 the BOSH session (XEP-0124 §17.1)",
                reply.rid
            ));
        }
        let body = match framing::parse_body(&bytes, offset) {
            Ok(body) => body,
            Err(e) => {
                self.pending.push_back(StreamEvent::Error(e));
                return self.end("the server's response was not a BOSH <body/>".to_string());
            }
        };
        if self.raw.is_some() {
            // The scenario drives the session now: what its own requests
            // get it sees as <response/>s; of the transport's earlier
            // long-poll only the payloads count, its end is the
            // scenario's to see.
            for child in body.child_elements() {
                self.pending.push_back(StreamEvent::Element(child.clone()));
            }
            return;
        }
        let terminates = body.attr("type") == Some("terminate");
        // After a restart the first answer with content stands for the new
        // header, whichever request carried it: Prosody answers a held
        // request, and sends the features even before the restart request.
        let has_content = body.child_elements().next().is_some();
        if body.child_elements().any(|e| e.is(NS_SASL, "success")) {
            self.awaiting_restart = true;
        }
        let opens = match &self.session {
            None => self.opening == Some(reply.rid),
            Some(_) => self.restarted && (self.opening == Some(reply.rid) || has_content),
        };
        if opens {
            self.opening = None;
            self.restarted = false;
            self.open(&body, terminates);
        }
        let (events, terminated) = framing::events(&body, self.terminating, offset);
        self.pending.extend(events);
        if terminated {
            self.terminating = true;
            self.end("the server ended the BOSH session (type='terminate')".to_string());
        }
        // At once, not when this stream is next read: a scenario may be
        // on another connection while the server wants to push (a stream
        // error that ends this session is lost without a request to carry
        // it). Only on a connection already open, so it cannot overtake a
        // later rid (see `fill_idle`).
        if !self.idle.is_empty() {
            self.keep_polling();
        }
    }

    /// The answer to a creation or restart request: the stream header.
    fn open(&mut self, body: &Element, terminates: bool) {
        if let Some(session) = &self.session {
            self.pending
                .push_back(StreamEvent::Open(session.header.clone()));
            return;
        }
        if terminates {
            // A creation refused with a stream error still carries the
            // session's attributes (XEP-0206 §6): its header comes before
            // the error, as over TCP. A binding condition alone has none.
            if body.attr("sid").is_some() {
                self.pending
                    .push_back(StreamEvent::Open(framing::header_from_body(body)));
            }
            return;
        }
        if let Some(event) = framing::raised_limits(body, WAIT_SECONDS, HOLD, self.received) {
            self.pending.push_back(event);
            return self.end("the session creation response broke XEP-0124 §7.2".to_string());
        }
        let header = framing::header_from_body(body);
        let number = |name: &str| body.attr(name).and_then(|v| v.trim().parse::<u64>().ok());
        let Some(sid) = body.attr("sid") else {
            self.pending.push_back(StreamEvent::Open(header));
            return self.end(
                "the session creation response has no sid (XEP-0124 §7.2: it MUST)".to_string(),
            );
        };
        self.session = Some(Session {
            sid: sid.to_string(),
            requests: number("requests")
                .map_or(DEFAULT_REQUESTS, |r| r as usize)
                .clamp(1, MAX_REQUESTS),
            wait: Duration::from_secs(number("wait").unwrap_or(WAIT_SECONDS)),
            header: header.clone(),
        });
        self.pending.push_back(StreamEvent::Open(header));
    }

    /// Send what is queued, within `limit`, waiting for answers while the
    /// session allows no more requests in flight; the rid of the last
    /// request started.
    async fn push(&mut self, limit: Duration) -> Result<Option<u64>, SendError> {
        let deadline = Instant::now() + limit;
        self.fill_idle().await;
        let mut rid = self.pump();
        while !self.outbox.is_empty() {
            if self.ended.is_some() {
                return Err(SendError::Gone);
            }
            if !self.answer(deadline).await && Instant::now() >= deadline {
                return Err(SendError::Timeout(limit));
            }
            self.fill_idle().await;
            rid = self.pump().or(rid);
        }
        self.fill_idle().await;
        self.payload_out = true;
        self.keep_polling();
        Ok(rid)
    }

    /// Wait for one answer until `deadline`, and act on it once every
    /// request sent before it has been answered; false when nothing came.
    ///
    /// XEP-0124 §14.2: the client MUST process responses in the order the
    /// requests were made. Each request has its own connection, so the
    /// answers can come back in another order: a server that ends the
    /// session pushes its stream error on the held request and answers the
    /// next one with `item-not-found`, and the second could be read first
    /// (Prosody 0.12, an overridden resource, on a busy machine).
    async fn answer(&mut self, deadline: Instant) -> bool {
        loop {
            if let Some(reply) = self.due() {
                self.handle(reply);
                return true;
            }
            match timeout_at(deadline, self.in_flight.join_next()).await {
                Err(_) | Ok(None) => return false,
                Ok(Some(Ok(reply))) if reply.raw.is_some() => {
                    // `bosh-send`'s answers have their own order (raw.rs).
                    self.handle(reply);
                    return true;
                }
                Ok(Some(Ok(reply))) => {
                    self.outstanding.remove(&reply.rid);
                    self.arrived.insert(reply.rid, reply);
                }
                Ok(Some(Err(e))) => {
                    self.end(format!("a BOSH request task failed: {e}"));
                    return true;
                }
            }
        }
    }

    /// The earliest answer that has come, if no request sent before it
    /// is still unanswered.
    fn due(&mut self) -> Option<Reply> {
        let (&rid, _) = self.arrived.first_key_value()?;
        if self
            .outstanding
            .first()
            .is_some_and(|&earlier| earlier < rid)
        {
            return None;
        }
        self.arrived.remove(&rid)
    }

    /// No request out and no answer waiting to be acted on.
    fn quiet(&self) -> bool {
        self.in_flight.is_empty() && self.arrived.is_empty()
    }
}

#[async_trait::async_trait]
impl Transport for Bosh {
    fn answer_allowance(&self) -> Duration {
        self.session
            .as_ref()
            .map_or(Duration::from_secs(WAIT_SECONDS), |s| s.wait)
    }

    fn describe(&self) -> String {
        self.described.clone()
    }

    fn kind(&self) -> TransportKind {
        TransportKind::Bosh
    }

    fn is_tls(&self) -> bool {
        self.endpoint.target.secure
    }

    fn carries_raw_bytes(&self) -> bool {
        false
    }

    async fn send(&mut self, bytes: &[u8], limit: Duration) -> Result<(), SendError> {
        let unsupported = |why: String| SendError::Unsupported {
            transport: TransportKind::Bosh,
            why,
        };
        let line = framing::classify(bytes).map_err(unsupported)?;
        if self.ended.is_some() {
            return Err(SendError::Gone);
        }
        let fresh = self.session.is_none() && self.opening.is_none();
        let added = match line {
            Line::Header(attrs) if fresh => {
                let rid = self.rid;
                let body = framing::session_request(rid, &attrs, WAIT_SECONDS, HOLD);
                self.note = Some(format!("sent as {body}"));
                self.opening = Some(self.spawn(body));
                return Ok(());
            }
            Line::Header(attrs) => {
                self.outbox.push_back(Queued::Restart(attrs));
                None
            }
            Line::Close => {
                self.outbox.push_back(Queued::Terminate);
                None
            }
            _ if fresh => {
                return Err(unsupported(
                    "an element before the stream header: no BOSH session carries it yet"
                        .to_string(),
                ));
            }
            Line::Element { text, added } => {
                self.outbox.push_back(Queued::Payload(text));
                added
            }
        };
        let rid = self.push(limit).await?;
        let sid = self.session.as_ref().map_or("", |s| s.sid.as_str());
        self.note = rid.map(|rid| {
            format!(
                "sent in <body rid='{rid}' sid='{sid}'/>{}",
                added.map_or(String::new(), |a| format!(", with{a} declared"))
            )
        });
        Ok(())
    }

    fn sent_as(&mut self) -> Option<String> {
        self.note.take()
    }

    async fn send_message(
        &mut self,
        kind: MessageKind,
        bytes: &[u8],
        limit: Duration,
    ) -> Result<(), SendError> {
        let unsupported = |why: &str| SendError::Unsupported {
            transport: TransportKind::Bosh,
            why: why.to_owned(),
        };
        if kind == MessageKind::Payload {
            if self.ended.is_some() {
                return Err(SendError::Gone);
            }
            if self.session.is_none() {
                return Err(unsupported(
                    "a payload before the session is created: no <body/> carries it yet",
                ));
            }
            self.outbox.push_back(Queued::Unchecked(bytes.to_vec()));
            return self.push(limit).await.map(|_| ());
        }
        if kind != MessageKind::HttpRequest {
            return Err(unsupported(
                "it carries HTTP requests, not WebSocket messages",
            ));
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|_| unsupported("a request body that is not UTF-8"))?;
        self.send_raw(text, limit).await
    }

    async fn next(&mut self, deadline: Instant) -> Incoming {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Incoming::Event(event);
            }
            if let Some(why) = &self.ended {
                return Incoming::Closed(why.clone());
            }
            self.fill_idle().await;
            self.pump();
            self.keep_polling();
            if self.quiet() {
                // No session yet, and no request out: nothing can come.
                tokio::time::sleep_until(deadline).await;
                return Incoming::Timeout;
            }
            if !self.answer(deadline).await {
                return Incoming::Timeout;
            }
        }
    }

    fn restart(&mut self) {
        self.pending.clear();
        self.restarted = self.session.is_some();
    }

    fn has_unread(&self) -> bool {
        !self.pending.is_empty()
    }

    async fn start_tls(&mut self, _: TlsUpgrade, _: Duration) -> Result<(), TlsError> {
        // TLS belongs to the https:// URL, never STARTTLS.
        Err(TlsError::NotSupported(TransportKind::Bosh))
    }

    async fn shutdown(&mut self, limit: Duration) {
        // End the session rather than leave it to the server's inactivity
        // timeout; best effort, within `limit`. The held request stays
        // out: the server answers it (Prosody answers nothing else until
        // it has, so aborting it cost every scenario the whole `limit`).
        if self.session.is_some() && !self.terminating && self.ended.is_none() {
            self.outbox.clear();
            self.outbox.push_back(Queued::Terminate);
            let deadline = Instant::now() + limit;
            self.fill_idle().await;
            self.pump();
            while self.ended.is_none() && self.answer(deadline).await {
                self.pump();
            }
        }
        self.in_flight.abort_all();
    }

    async fn drain(&mut self, linger: Duration) {
        let deadline = Instant::now() + linger;
        while !self.quiet() && self.answer(deadline).await {}
        self.in_flight.abort_all();
    }
}
