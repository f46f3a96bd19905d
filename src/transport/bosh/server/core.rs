//! One BOSH session's HTTP side, as the server keeps it (XEP-0124): which
//! `rid` comes next, the requests held for pushing, the responses kept
//! for a repeated `rid`, what the XMPP session wrote that no response has
//! carried yet, and the session's timing rules.
//!
//! It knows nothing of HTTP connections or of XMPP: requests come in as
//! [`Request`]s with a [`Responder`] each, and it answers each responder
//! exactly once (now, when something is written, when a later request
//! releases it, or when its `wait` runs out). Payloads go to the XMPP
//! session as stream events through a bounded channel. All methods are
//! synchronous and called under one lock, so the rules are easy to follow
//! and to test.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::xml::{
    Attribute, Element, NS_CLIENT, NS_HTTPBIND, NS_STREAMS, NS_XBOSH, SmolStr, StreamEvent,
    StreamHeader, writer,
};

use super::departures::Departures;
use super::request::{Kind, Request};

/// Where a response goes: the HTTP exchange waiting for it.
pub(super) type Responder = oneshot::Sender<String>;

/// The session's parameters, as its creation response announces them.
#[derive(Debug, Clone)]
pub(super) struct Params {
    pub wait: u64,
    pub hold: usize,
    pub requests: usize,
    pub polling: u64,
    pub inactivity: u64,
    pub maxpause: u64,
    /// Responses acknowledge the highest rid received (XEP-0124 §9): the
    /// creation response says so with its own `ack`.
    pub ack: bool,
}

/// What a request gets at once: an answer, or a wait for one.
pub(super) enum Reply {
    Now(String),
    Later(oneshot::Receiver<String>),
}

/// How far the session is from its end.
#[derive(Debug)]
enum Ending {
    Open,
    /// The terminate response, waiting for a request to carry it.
    Pending(String),
    /// Over: every later request is for an unknown session.
    Gone,
}

/// The most bytes of payload kept for the client before the session is
/// dropped: a client that stops polling cannot make the server buffer
/// without end.
const MAX_OUTBOX_BYTES: usize = 1 << 20;
/// Responses kept for a repeated `rid`, at most.
const MAX_KEPT: usize = 8;

pub(super) struct Core {
    pub params: Params,
    pub content_type: String,
    departures: Departures,
    /// The rid of the last request processed, in order.
    last_rid: u64,
    /// Requests that came ahead of a gap, with their responders.
    ahead: BTreeMap<u64, (Request, Responder)>,
    /// Processed requests not answered yet, oldest first; `true` for the
    /// creation request, which waits for the features whatever `hold` is.
    held: VecDeque<(u64, Responder, bool)>,
    /// The last responses sent (XEP-0124 §14.3), with whether each
    /// carried payloads.
    sent: VecDeque<(u64, String, bool)>,
    outbox: Vec<String>,
    outbox_bytes: usize,
    /// The creation response's own attributes; taken by the first
    /// response.
    creation: Option<Vec<Attribute>>,
    /// The client's creation request as a stream header, given again (with
    /// the restart's own `to` and `xml:lang`) for a restart.
    header: StreamHeader,
    events: Option<mpsc::Sender<StreamEvent>>,
    ending: Ending,
    /// The last new empty request: its rid and when it came (XEP-0124 §12).
    last_empty: Option<(u64, Instant)>,
    last_response_at: Instant,
    /// A pause's inactivity period, until the next request (XEP-0124 §10).
    paused: Option<Duration>,
    /// The last `newkey` (or `key`) of the session (XEP-0124 §15): the
    /// SHA-1 of the next request's `key` must equal it.
    key: Option<String>,
}

impl Core {
    pub fn new(
        params: Params,
        content_type: String,
        departures: Departures,
        create: &Request,
        header: StreamHeader,
        events: mpsc::Sender<StreamEvent>,
        now: Instant,
    ) -> Core {
        Core {
            params,
            content_type,
            departures,
            last_rid: create.rid,
            ahead: BTreeMap::new(),
            held: VecDeque::new(),
            sent: VecDeque::new(),
            outbox: Vec::new(),
            outbox_bytes: 0,
            creation: None,
            header,
            events: Some(events),
            ending: Ending::Open,
            last_empty: None,
            last_response_at: now,
            paused: None,
            key: create.body.attr("newkey").map(str::to_owned),
        }
    }

    /// Hold the creation request until the XMPP session has written its
    /// features; its response carries `attrs` (sid, wait, …).
    pub fn hold_creation(&mut self, rid: u64, attrs: Vec<Attribute>) -> oneshot::Receiver<String> {
        self.creation = Some(attrs);
        let (tx, rx) = oneshot::channel();
        self.held.push_back((rid, tx, true));
        let header = self.header.clone();
        self.forward(StreamEvent::Open(header));
        rx
    }

    pub fn is_gone(&self) -> bool {
        matches!(self.ending, Ending::Gone)
    }

    /// When the session will have been idle too long, if it is idle now:
    /// every request answered (XEP-0124 §10).
    pub fn idle_deadline(&self) -> Option<Instant> {
        if !self.held.is_empty() || !self.ahead.is_empty() || self.departures.no_inactivity {
            return None;
        }
        let period = self
            .paused
            .unwrap_or(Duration::from_secs(self.params.inactivity));
        Some(self.last_response_at + period)
    }

    /// The session ends without a word to the client (XEP-0124 §10: the
    /// client is assumed gone).
    pub fn expire(&mut self) {
        self.ending = Ending::Gone;
        self.events = None;
    }

    /// A request for this session.
    pub fn receive(&mut self, request: Request, now: Instant) -> Reply {
        match &self.ending {
            Ending::Gone => return Reply::Now(terminate_body("item-not-found", &[])),
            Ending::Pending(body) => {
                let body = body.clone();
                self.ending = Ending::Gone;
                return Reply::Now(body);
            }
            Ending::Open => {}
        }
        let rid = request.rid;
        let window = self.params.requests as u64;
        let (tx, rx) = oneshot::channel();
        if rid <= self.last_rid {
            return self.repeated(rid, tx, rx);
        }
        if rid > self.last_rid + window && !self.departures.any_rid {
            // §14.2: beyond the window; the same error as too small.
            return Reply::Now(self.fail("item-not-found"));
        }
        // §11: more new requests than 'requests' with none answered; one
        // more is allowed to pause or terminate.
        let excused = request.kind == Kind::Terminate || request.pause.is_some();
        if !excused
            && !self.departures.no_overactivity
            && self.unanswered() + 1 > self.params.requests
        {
            return Reply::Now(self.fail("policy-violation"));
        }
        let next = self.last_rid + 1;
        if rid > next && !self.departures.any_rid && !self.departures.no_rid_order {
            // §14.2: payloads are forwarded in rid order: wait for the gap.
            if let Some((_, old)) = self.ahead.insert(rid, (request, tx)) {
                let _ = old.send(recoverable_body());
            }
            return Reply::Later(rx);
        }
        if let Some(answer) = self.process(request, tx, now) {
            return Reply::Now(answer);
        }
        while let Some((request, tx)) = self.ahead.remove(&(self.last_rid + 1)) {
            if let Some(answer) = self.process(request, tx, now) {
                return Reply::Now(answer);
            }
        }
        Reply::Later(rx)
    }

    fn unanswered(&self) -> usize {
        self.held
            .iter()
            .filter(|(_, _, creation)| !creation)
            .count()
            + self.ahead.len()
    }

    /// A rid already received (XEP-0124 §14.3): the buffered response if
    /// there is one, the new request in place of the old if it is still
    /// held (which gets a recoverable error), else `item-not-found`.
    fn repeated(&mut self, rid: u64, tx: Responder, rx: oneshot::Receiver<String>) -> Reply {
        if !self.departures.no_replay
            && let Some((_, body, _)) = self.sent.iter().find(|(r, _, _)| *r == rid)
        {
            return Reply::Now(body.clone());
        }
        if let Some(slot) = self.held.iter_mut().find(|(r, _, _)| *r == rid) {
            let old = std::mem::replace(&mut slot.1, tx);
            let _ = old.send(recoverable_body());
            return Reply::Later(rx);
        }
        Reply::Now(self.fail("item-not-found"))
    }

    /// Act on the next request in rid order; `Some` when it ended the
    /// session and is answered with that.
    fn process(&mut self, request: Request, tx: Responder, now: Instant) -> Option<String> {
        self.last_rid = request.rid;
        let empty = request.is_empty() && request.kind == Kind::Payload;
        if empty && request.pause.is_none() {
            // §12: two empty new requests closer than 'polling', the first
            // answered without payloads.
            let too_soon = self.last_empty.is_some_and(|(rid, at)| {
                now.duration_since(at) < Duration::from_secs(self.params.polling)
                    && self
                        .sent
                        .iter()
                        .any(|(r, _, payloads)| *r == rid && !payloads)
            });
            if too_soon && !self.departures.no_polling_check {
                let _ = tx.send(self.fail("policy-violation"));
                return Some(terminate_body("policy-violation", &[]));
            }
            self.last_empty = Some((request.rid, now));
        } else {
            self.last_empty = None;
        }
        self.paused = None;
        if !self.key_holds(&request) {
            // §15: not processed, the session ends, item-not-found.
            if self.departures.key_mismatch_keeps_session {
                let _ = tx.send(terminate_body("item-not-found", &[]));
                return None;
            }
            let _ = tx.send(self.fail("item-not-found"));
            return Some(terminate_body("item-not-found", &[]));
        }
        match request.kind {
            Kind::Create => {}
            Kind::Restart if self.departures.no_restart => {}
            Kind::Restart => {
                let header = restart_header(&self.header, &request.body);
                self.forward(StreamEvent::Open(header));
            }
            Kind::Payload | Kind::Terminate => {
                let keep =
                    !(request.kind == Kind::Terminate && self.departures.drop_terminate_payloads);
                if keep {
                    for payload in request.payloads() {
                        self.forward(StreamEvent::Element(payload.clone()));
                    }
                }
                if request.kind == Kind::Terminate {
                    self.forward(StreamEvent::Close);
                }
            }
        }
        self.held.push_back((request.rid, tx, false));
        if let Some(pause) = request.pause
            && pause <= self.params.maxpause
            && !self.departures.no_pause
        {
            // §10: answer everything held at once, without payloads, and
            // allow the longer (or shorter) silence until the next request.
            self.paused = Some(Duration::from_secs(pause));
            while let Some((rid, tx, _)) = self.held.pop_front() {
                let body = self.body(Vec::new(), None);
                self.answered(rid, tx, body, false);
            }
            return None;
        }
        self.flush();
        None
    }

    /// Whether `request` carries the next key of the session's sequence
    /// (XEP-0124 §15: its SHA-1, in hex, is the previous `newkey` or
    /// `key`, compared case-insensitively), or none is in use; the
    /// sequence moves on to its `newkey`, else its `key`.
    fn key_holds(&mut self, request: &Request) -> bool {
        use sha1::{Digest, Sha1};
        let key = request.body.attr("key");
        if let Some(expected) = &self.key {
            let Some(key) = key else { return false };
            let hash: String = Sha1::digest(key.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            if !hash.eq_ignore_ascii_case(expected) {
                return false;
            }
        }
        if let Some(next) = request.body.attr("newkey").or(key) {
            self.key = Some(next.to_owned());
        }
        true
    }

    /// Give the XMPP session an event; a session that cannot keep up ends.
    fn forward(&mut self, event: StreamEvent) {
        let Some(events) = &self.events else { return };
        if events.try_send(event).is_err() {
            self.events = None;
        }
    }

    /// The XMPP session's stream header: its `from`, `id` and `version`
    /// go on the creation response (XEP-0206 §4).
    pub fn on_header(&mut self, header: &Element) {
        let Some(attrs) = &mut self.creation else {
            return;
        };
        if let Some(from) = header.attr("from") {
            attrs.push(plain("from", from));
        }
        if let Some(id) = header.attr("id") {
            attrs.push(plain("authid", id));
        }
        if let Some(version) = header.attr("version") {
            attrs.push(xbosh("version", version));
        }
    }

    /// One element the XMPP session wrote; `false` when too much is
    /// waiting for the client. Sent by [`Core::written`], once the whole
    /// write is in: a stream error and the close that follows it must go
    /// out together, as `remote-stream-error`.
    pub fn push(&mut self, xml: String) -> bool {
        if matches!(self.ending, Ending::Gone) {
            return false;
        }
        self.outbox_bytes += xml.len();
        self.outbox.push(xml);
        self.outbox_bytes <= MAX_OUTBOX_BYTES
    }

    /// The end of one write of the XMPP session: answer what can be.
    pub fn written(&mut self) {
        if matches!(self.ending, Ending::Open) {
            self.flush();
        }
    }

    /// The XMPP session closed its stream: `type='terminate'`, with
    /// `remote-stream-error` if a stream error is among what it carries
    /// (XEP-0206 §6), on the oldest held request; the others get empty
    /// bodies (XEP-0124 §13).
    pub fn on_close(&mut self) {
        if !matches!(self.ending, Ending::Open) {
            return;
        }
        let has_error = self.outbox.iter().any(|e| e.starts_with("<stream:error"));
        let payloads = std::mem::take(&mut self.outbox);
        self.outbox_bytes = 0;
        let condition = match (has_error, self.departures.stream_error_as_payload) {
            (true, false) => Some("remote-stream-error"),
            _ => None,
        };
        let body = if has_error && self.departures.stream_error_as_payload {
            self.body(payloads, None)
        } else {
            self.body(payloads, Some(condition))
        };
        self.events = None;
        match self.held.pop_front() {
            Some((rid, tx, _)) => {
                self.answered(rid, tx, body, true);
                while let Some((rid, tx, _)) = self.held.pop_front() {
                    let empty = self.body(Vec::new(), None);
                    self.answered(rid, tx, empty, false);
                }
                self.ending = Ending::Gone;
            }
            None => self.ending = Ending::Pending(body),
        }
        for (_, (_, tx)) in std::mem::take(&mut self.ahead) {
            let _ = tx.send(terminate_body("item-not-found", &[]));
        }
    }

    /// A held request whose `wait` ran out: answered now, empty (or with
    /// what is waiting); `false` if it was answered already.
    pub fn wait_over(&mut self, rid: u64) -> Option<String> {
        if let Some(i) = self.held.iter().position(|(r, _, _)| *r == rid) {
            let (rid, tx, _) = self.held.remove(i)?;
            let payloads = std::mem::take(&mut self.outbox);
            self.outbox_bytes = 0;
            let has = !payloads.is_empty();
            let body = self.body(payloads, None);
            self.answered(rid, tx, body.clone(), has);
            return Some(body);
        }
        // A request ahead of a gap is not held: its payloads have not
        // been forwarded, and §14.2 forwards them once the gap is filled,
        // however long that takes. It stays until then, or until the
        // session ends (inactivity, terminate), which answers it.
        None
    }

    /// Whether `rid` came ahead of a gap that is still open.
    pub fn is_ahead(&self, rid: u64) -> bool {
        self.ahead.contains_key(&rid)
    }

    /// The gap before `rid` stayed open for a whole inactivity period
    /// after the request's `wait`: the client is taken to be gone as in
    /// XEP-0124 §10, the session ends, and the requests ahead get
    /// `item-not-found` (this one through the answer returned).
    pub fn gap_expired(&mut self, rid: u64) -> Option<String> {
        self.ahead.remove(&rid)?;
        self.expire();
        for (_, (_, tx)) in std::mem::take(&mut self.ahead) {
            let _ = tx.send(terminate_body("item-not-found", &[]));
        }
        Some(terminate_body("item-not-found", &[]))
    }

    /// Answer held requests: the oldest with what is waiting, and every
    /// one beyond `hold` (XEP-0124 §8), in rid order. The creation request
    /// waits for the first payload, whatever `hold` is.
    fn flush(&mut self) {
        if let Ending::Pending(body) = &self.ending
            && let Some((rid, tx, _)) = self.held.pop_front()
        {
            let body = body.clone();
            self.answered(rid, tx, body, true);
            self.ending = Ending::Gone;
            return;
        }
        let hold = if self.departures.no_hold {
            0
        } else {
            self.params.hold
        };
        loop {
            let counted = self.held.iter().filter(|(_, _, c)| !c).count();
            let over = counted > hold;
            let ready = !self.outbox.is_empty();
            if !(ready || over) {
                break;
            }
            let Some((rid, tx, _)) = self.held.pop_front() else {
                break;
            };
            let payloads = std::mem::take(&mut self.outbox);
            self.outbox_bytes = 0;
            let has = !payloads.is_empty();
            let body = self.body(payloads, None);
            self.answered(rid, tx, body, has);
        }
    }

    fn answered(&mut self, rid: u64, tx: Responder, body: String, payloads: bool) {
        self.last_response_at = Instant::now();
        // §9: every response acknowledges the highest rid received (all
        // lower ones received too: requests are processed in order),
        // except where that is the rid answered (SHOULD NOT).
        let body = match body.strip_prefix("<body") {
            Some(rest) if self.params.ack && !self.departures.no_ack && rid != self.last_rid => {
                format!("<body ack='{}'{rest}", self.last_rid)
            }
            _ => body,
        };
        let _ = tx.send(body.clone());
        self.sent.push_back((rid, body, payloads));
        while self.sent.len() > self.params.requests.clamp(1, MAX_KEPT) {
            self.sent.pop_front();
        }
    }

    /// A terminal binding error: the session is over; held requests get
    /// the same body.
    fn fail(&mut self, condition: &str) -> String {
        let body = terminate_body(condition, &[]);
        for (_, tx, _) in self.held.drain(..) {
            let _ = tx.send(body.clone());
        }
        for (_, (_, tx)) in std::mem::take(&mut self.ahead) {
            let _ = tx.send(body.clone());
        }
        self.ending = Ending::Gone;
        self.events = None;
        body
    }

    /// A response `<body/>`: the creation attributes on the first one,
    /// `type='terminate'` (and a condition) when `terminate` says so.
    fn body(&mut self, payloads: Vec<String>, terminate: Option<Option<&str>>) -> String {
        let mut attrs = self.creation.take().unwrap_or_default();
        if let Some(condition) = terminate {
            attrs.push(plain("type", "terminate"));
            if let Some(condition) = condition {
                attrs.push(plain("condition", condition));
            }
        }
        body_xml(attrs, &payloads)
    }
}

fn plain(name: &str, value: &str) -> Attribute {
    Attribute {
        ns: None,
        name: SmolStr::new(name),
        value: SmolStr::new(value),
    }
}

pub(super) fn xbosh(name: &str, value: &str) -> Attribute {
    Attribute {
        ns: Some(SmolStr::new(NS_XBOSH)),
        name: SmolStr::new(name),
        value: SmolStr::new(value),
    }
}

pub(super) fn attr(name: &str, value: impl ToString) -> Attribute {
    plain(name, &value.to_string())
}

/// A `<body/>` with these attributes around these payloads; the `stream`
/// prefix is declared for features and stream errors (XEP-0206 §2).
pub(super) fn body_xml(attrs: Vec<Attribute>, payloads: &[String]) -> String {
    let element = Element {
        declarations: vec![
            (None, SmolStr::new(NS_HTTPBIND)),
            (Some(SmolStr::new("xmpp")), SmolStr::new(NS_XBOSH)),
            (Some(SmolStr::new("stream")), SmolStr::new(NS_STREAMS)),
        ],
        attrs,
        ..Element::new(NS_HTTPBIND, "body")
    };
    if payloads.is_empty() {
        return writer::to_xml(&element);
    }
    format!(
        "{}{}</body>",
        writer::start_tag(&element),
        payloads.concat()
    )
}

/// `type='terminate'` with a condition, and nothing else.
pub(super) fn terminate_body(condition: &str, payloads: &[String]) -> String {
    body_xml(
        vec![plain("type", "terminate"), plain("condition", condition)],
        payloads,
    )
}

/// A recoverable binding error (XEP-0124 §17.3), for a request replaced
/// by a repeat of its rid.
fn recoverable_body() -> String {
    body_xml(vec![plain("type", "error")], &[])
}

/// The creation request as the stream header the XMPP session reads: its
/// `to`, `xml:lang`, `from` and `xmpp:version` (as `version`), in the
/// `jabber:client` stream (XEP-0206 §3).
pub(super) fn header_from_request(body: &Element) -> StreamHeader {
    let mut attrs = Vec::new();
    for a in &body.attrs {
        match (a.ns.as_deref(), a.name.as_str()) {
            (Some(NS_XBOSH), "version") => attrs.push(plain("version", &a.value)),
            (None, "to" | "from") => attrs.push(a.clone()),
            (Some(crate::xml::NS_XML), "lang") => attrs.push(a.clone()),
            _ => {}
        }
    }
    StreamHeader {
        element: Element {
            prefix: Some(SmolStr::new("stream")),
            declarations: vec![
                (None, SmolStr::new(NS_CLIENT)),
                (Some(SmolStr::new("stream")), SmolStr::new(NS_STREAMS)),
            ],
            attrs,
            ..Element::new(NS_STREAMS, "stream")
        },
        xml_decl: None,
        framing: None,
    }
}

/// The header a restart stands for: the session's, with the restart's own
/// `to` and `xml:lang` where it gives them (XEP-0206 §5).
fn restart_header(session: &StreamHeader, restart: &Element) -> StreamHeader {
    let mut header = session.clone();
    let given = header_from_request(restart);
    for a in given.element.attrs {
        if a.name == "version" {
            continue;
        }
        header
            .element
            .attrs
            .retain(|b| !(b.ns == a.ns && b.name == a.name));
        header.element.attrs.push(a);
    }
    header
}
