//! One client connection from accept to close: stream negotiation in RFC
//! 6120's order (§4 header, §5 STARTTLS, §6 SASL, §7 binding), then
//! stanzas, while waiting at once for the client, for stanzas routed to
//! this session, for a take-over of its resource and for shutdown.
//!
//! Every way out is a [`End`]: with a stream error (§4.9.1.1: the error,
//! the closing tag, then the TCP close), with a clean close (§4.4), or by
//! dropping a connection that is already gone.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, watch};

use crate::transport::{ByteIo, Transport};
use crate::xml::{Element, NS_CLIENT, NS_SASL, NS_TLS, Node, ParserConfig, StreamEvent};

use super::Shared;
use super::bind;
use super::config::Rule;
use super::error::{StreamCondition, StreamFault};
use super::link::{Input, Link, client_stream};
use super::reply::Sender;
use super::roster_iq;
use super::router::{Registration, SessionId};
use super::sasl::Negotiation;
use super::stanza;
use super::stream::{self, CLOSE};

/// Where the stream is in its negotiation.
pub(super) enum Phase {
    /// Before SASL success (TLS may or may not be on).
    Unauthenticated(Negotiation),
    /// Authenticated as this account; no resource yet.
    Authenticated {
        local: String,
    },
    Bound(Bound),
}

pub(super) struct Bound {
    pub local: String,
    pub resource: String,
    pub inbox: mpsc::Receiver<Element>,
    pub kicked: Option<oneshot::Receiver<()>>,
    /// Held for its drop, which takes the session out of the router.
    pub _registration: Registration,
}

/// Whether the session goes on.
pub(super) enum Flow {
    Go,
    End(End),
}

/// How a session ends.
pub(super) enum End {
    /// Our closing tag was sent: hang up politely.
    Close,
    /// The connection is gone or unusable: just drop it.
    Drop,
}

/// What woke the session up.
enum Wake {
    Client(Input),
    Delivery(Element),
    Kicked,
    Shutdown,
}

/// Serve one accepted connection until it ends.
pub(super) async fn serve<IO: ByteIo>(
    io: IO,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) {
    // §11.1: comments and PIs are refused by the parser, unless the fault
    // drops them before it sees them.
    let lenient = shared.faults.breaks(Rule::RestrictedXml);
    let stream = client_stream(io, parser_config(&shared), lenient);
    serve_stream(stream, shared, shutdown).await;
}

/// Serve one client over a transport already set up (a WebSocket whose
/// handshake is done): the same state machine as over TCP.
pub(super) async fn serve_stream(
    stream: Box<dyn Transport>,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) {
    let mut link = Link::new(stream, &shared.limits);
    // RFC 6120 §8: no meaning in the timing of a stanza's parts; the
    // fault times out one whose rest is 100 ms late.
    if shared.faults.breaks(Rule::PartialStanza) {
        link.stall_partial_after(std::time::Duration::from_millis(100));
    }
    if shared.direct_tls
        && link
            .start_tls(Arc::clone(&shared.tls), shared.limits.tls_handshake_timeout)
            .await
            .is_err()
    {
        return;
    }
    let negotiation =
        Negotiation::for_stream(&shared, link.is_tls(), link.peer_certificate().as_deref());
    let mut session = Session {
        id: shared.router.new_session_id(),
        link,
        shared,
        header_sent: false,
        phase: Phase::Unauthenticated(negotiation),
        pipelined: std::collections::VecDeque::new(),
        deferred: false,
        clear_text_from: None,
        bind_failures: 0,
    };
    let end = session.run(shutdown).await;
    let linger = session.shared.limits.close_linger;
    // The registration goes first, so no stanza is routed to a session
    // that is hanging up.
    drop(session.phase);
    // §4.4: over TLS, close_notify goes before TCP closes (the link's
    // shutdown sends it); the fault just drops the connection.
    if matches!(end, End::Close) && !session.shared.faults.breaks(Rule::CloseNotify) {
        session.link.close(linger).await;
    }
}

pub(super) fn parser_config(shared: &Shared) -> ParserConfig {
    let content_namespaces = if shared.faults.breaks(Rule::ContentNamespace) {
        Vec::new()
    } else {
        vec![NS_CLIENT.to_owned()]
    };
    // RFC 6120 §13.12: at least 10000 bytes; the fault allows 4 KiB.
    let max_stanza_bytes = if shared.faults.breaks(Rule::StanzaSizeFloor) {
        4096
    } else {
        shared.limits.max_stanza_bytes
    };
    ParserConfig {
        max_stanza_bytes,
        content_namespaces,
        ..ParserConfig::default()
    }
}

pub(super) struct Session {
    pub id: SessionId,
    pub link: Link,
    pub shared: Arc<Shared>,
    /// Our header for the current stream is out.
    pub header_sent: bool,
    pub phase: Phase,
    /// Events read before TLS that the `starttls-pipelined` fault handles
    /// on the TLS stream, first thing; always empty on a conforming server.
    pub pipelined: std::collections::VecDeque<StreamEvent>,
    /// The `roster-set-deferred` fault put a roster set behind the element
    /// after it; when it comes round again it is carried out.
    pub deferred: bool,
    /// The 'from' of the client's last header before TLS, which only the
    /// `clear-text-forgotten` fault reads after TLS.
    pub clear_text_from: Option<String>,
    /// Failed resource binding requests on this stream (RFC 6120 §7.7.3).
    pub bind_failures: u32,
}

impl Session {
    async fn run(&mut self, mut shutdown: watch::Receiver<bool>) -> End {
        loop {
            if *shutdown.borrow_and_update() {
                return self.system_shutdown().await;
            }
            let flow = match self.wait(&mut shutdown).await {
                Wake::Shutdown => return self.system_shutdown().await,
                Wake::Kicked => {
                    // The session is no longer registered: it ends, even
                    // on a server told to stay open after errors.
                    // §7.7.2.2: with the <conflict/> stream error, which
                    // the fault leaves out (the closing tag alone).
                    if self.shared.faults.breaks(Rule::ResourceConflict) {
                        let _ = self.send(CLOSE).await;
                        return End::Close;
                    }
                    let text = "another session bound this resource (RFC 6120 §7.7.2.2)";
                    let _ = self
                        .fail(StreamFault::new(StreamCondition::Conflict, text))
                        .await;
                    return End::Close;
                }
                Wake::Delivery(stanza) => self.send(&crate::xml::writer::to_xml(&stanza)).await,
                Wake::Client(input) => self.on_input(input).await,
            };
            if let Flow::End(end) = flow {
                return end;
            }
        }
    }

    /// The next thing to do. Each branch is cancel-safe, so the others
    /// lose nothing when one wins.
    async fn wait(&mut self, shutdown: &mut watch::Receiver<bool>) -> Wake {
        if let Some(event) = self.pipelined.pop_front() {
            return Wake::Client(Input::Event(event));
        }
        let (inbox, kicked) = match &mut self.phase {
            Phase::Bound(b) => (Some(&mut b.inbox), b.kicked.as_mut()),
            _ => (None, None),
        };
        let has_inbox = inbox.is_some();
        let has_kick = kicked.is_some();
        tokio::select! {
            biased;
            _ = shutdown.changed() => Wake::Shutdown,
            _ = async { if let Some(k) = kicked { let _ = k.await; } }, if has_kick => Wake::Kicked,
            stanza = async { match inbox { Some(i) => i.recv().await, None => None } }, if has_inbox => {
                // The router dropped this session's inbox: it was taken over.
                stanza.map_or(Wake::Kicked, Wake::Delivery)
            }
            input = self.link.next() => Wake::Client(input),
        }
    }

    async fn on_input(&mut self, input: Input) -> Flow {
        match input {
            Input::Closed => Flow::End(End::Drop),
            Input::Idle => {
                let text = format!("no data for {:?}", self.shared.limits.idle_timeout);
                let _ = self
                    .fail(StreamFault::new(StreamCondition::ConnectionTimeout, text))
                    .await;
                // Even a server told to stay open after errors stops here,
                // or it would time out again at once.
                Flow::End(End::Close)
            }
            Input::Stalled => {
                let text = "the rest of the stanza is late";
                let _ = self
                    .fail(StreamFault::new(StreamCondition::ConnectionTimeout, text))
                    .await;
                Flow::End(End::Close)
            }
            Input::Event(StreamEvent::Open(header)) => self.on_header(&header).await,
            Input::Event(StreamEvent::Element(element)) => self.on_element(element).await,
            // §4.4: the client's closing tag is answered with ours; the
            // fault hangs up without it.
            Input::Event(StreamEvent::Close) if self.shared.faults.breaks(Rule::AnswerClose) => {
                Flow::End(End::Close)
            }
            Input::Event(StreamEvent::Close) => match self.send(CLOSE).await {
                Flow::Go => Flow::End(End::Close),
                end => end,
            },
            Input::Event(StreamEvent::Error(e)) => self.bad_xml(e).await,
        }
    }

    /// What the parser refused: a stream error of the condition it named
    /// (§4.9.1.1), then the close.
    async fn bad_xml(&mut self, e: crate::xml::StreamError) -> Flow {
        let faults = &self.shared.faults;
        // §4.9.1.1: the entity that detects the error sends a stream
        // error; the fault closes the stream without saying why.
        if faults.breaks(Rule::ErrorOnBadXml) {
            if !self.header_sent {
                let header = self.error_header();
                if let Flow::End(end) = self.send(&header).await {
                    return Flow::End(end);
                }
                self.header_sent = true;
            }
            return match self.send(CLOSE).await {
                Flow::Go => Flow::End(End::Close),
                end => end,
            };
        }
        let mut condition = StreamCondition::from(e.condition);
        // §4.9.3.13: XML that is not well-formed is <not-well-formed/>;
        // the fault sends <bad-format/> (§4.9.3.1), the catch-all.
        if condition == StreamCondition::NotWellFormed && faults.breaks(Rule::NotWellFormed) {
            condition = StreamCondition::BadFormat;
        }
        self.fail(StreamFault::new(condition, e.detail)).await
    }

    /// The header sent in front of an error when the client's own header
    /// did not get one (§4.9.1.2).
    fn error_header(&self) -> String {
        stream::response_header(
            &self.shared.domain,
            &stream::new_id(),
            None,
            Some(stream::VERSION),
            &self.shared.faults,
        )
    }

    async fn on_element(&mut self, element: Element) -> Flow {
        // RFC 6120 §10.1: a request that affects what follows is carried
        // out before what follows; the fault lets the next element of the
        // same read overtake a roster set.
        let roster_set = element.attr("type") == Some("set") && roster_iq::is_roster(&element);
        let faulty = roster_set && self.shared.faults.breaks(Rule::RosterSetDeferred);
        if faulty && !std::mem::take(&mut self.deferred) && self.link.has_unread() {
            self.deferred = true;
            match self.link.next().await {
                Input::Event(next) => self.pipelined.push_back(next),
                other => return Box::pin(self.on_input(other)).await,
            }
            self.pipelined.push_back(StreamEvent::Element(element));
            return Flow::Go;
        }
        let ns = element.ns.as_str();
        if ns == NS_TLS && element.name == "starttls" {
            return self.starttls().await;
        }
        if ns == NS_SASL {
            return self.sasl(&element).await;
        }
        let is_stanza =
            ns == NS_CLIENT && matches!(element.name.as_str(), "message" | "presence" | "iq");
        // §4.8.4: data in another namespace is never routed; the fault
        // delivers it to the full JID it names, as if it were a stanza.
        let to = element
            .attr("to")
            .and_then(|t| super::jid::Jid::parse(t).ok());
        if !is_stanza
            && self.shared.faults.breaks(Rule::ForeignNamespaceRouted)
            && let (
                Phase::Bound(_),
                Some(super::jid::Jid {
                    local: Some(local),
                    resource: Some(resource),
                    ..
                }),
            ) = (&self.phase, to)
        {
            let _ = self.shared.router.to_full(&local, &resource, &element);
            return Flow::Go;
        }
        // §4.9.3.24; the fault lets the element pass unanswered.
        if !is_stanza && self.shared.faults.breaks(Rule::UnsupportedStanzaType) {
            return Flow::Go;
        }
        if !is_stanza {
            let text = format!("<{}/> in namespace '{ns}' is not a stanza", element.name);
            return self
                .fail(StreamFault::new(
                    StreamCondition::UnsupportedStanzaType,
                    text,
                ))
                .await;
        }
        match &self.phase {
            Phase::Unauthenticated(_) if self.shared.faults.breaks(Rule::AuthBeforeStanzas) => {
                Flow::Go
            }
            Phase::Unauthenticated(_) => {
                // §4.3.5: nothing is processed before negotiation ends; the
                // fault delivers the stanza to the full JID it names first.
                if self.shared.faults.breaks(Rule::UnauthenticatedRouting) {
                    let to = element
                        .attr("to")
                        .and_then(|t| super::jid::Jid::parse(t).ok());
                    if let Some(super::jid::Jid {
                        local: Some(local),
                        resource: Some(resource),
                        ..
                    }) = to
                    {
                        let _ = self.shared.router.to_full(&local, &resource, &element);
                    }
                }
                let text = "authenticate first (RFC 6120 §6)";
                self.fail(StreamFault::new(StreamCondition::NotAuthorized, text))
                    .await
            }
            Phase::Authenticated { .. } if bind::is_bind(&element) => self.bind(&element).await,
            // §7.1, §4.3.5; the fault drops the stanza and goes on.
            Phase::Authenticated { .. } if self.shared.faults.breaks(Rule::BindBeforeStanzas) => {
                Flow::Go
            }
            Phase::Authenticated { .. } => {
                let text = "bind a resource first (RFC 6120 §7.1)";
                self.fail(StreamFault::new(StreamCondition::NotAuthorized, text))
                    .await
            }
            Phase::Bound(b) => {
                let sender = Sender {
                    id: self.id,
                    local: &b.local,
                    resource: &b.resource,
                };
                let mut element = element;
                // §11.6: U+FEFF is a character wherever it stands; the
                // fault drops it as if it were a byte order mark.
                if self.shared.faults.breaks(Rule::Zwnbsp) {
                    strip_zwnbsp(&mut element);
                }
                // §4.8.5: a prefix on jabber:client elements is corrected
                // before the stanza goes anywhere; the fault passes it on.
                if !self.shared.faults.breaks(Rule::PrefixCorrected) {
                    unprefix_content(&mut element);
                }
                let replies = stanza::handle(element, &sender, &self.shared);
                for reply in replies {
                    if let Flow::End(end) = self.send(&crate::xml::writer::to_xml(&reply)).await {
                        return Flow::End(end);
                    }
                }
                Flow::Go
            }
        }
    }

    /// RFC 6120 §4.9.3.20, then the close.
    async fn system_shutdown(&mut self) -> End {
        let fault = StreamFault::new(StreamCondition::SystemShutdown, "the server is stopping");
        match self.fail(fault).await {
            Flow::End(end) => end,
            Flow::Go => End::Close,
        }
    }

    /// Send a stream error (after a header, if none went out on this
    /// stream yet: §4.9.1.2), the closing tag, and end (§4.9.1.1).
    pub(super) async fn fail(&mut self, fault: StreamFault) -> Flow {
        if !self.header_sent {
            let header = self.error_header();
            if let Flow::End(end) = self.send(&header).await {
                return Flow::End(end);
            }
            self.header_sent = true;
        }
        if self.shared.faults.breaks(Rule::CloseAfterError) {
            return self.send(&stream::stream_error(&fault)).await;
        }
        let text = format!("{}{CLOSE}", stream::stream_error(&fault));
        match self.send(&text).await {
            Flow::Go => Flow::End(End::Close),
            end => end,
        }
    }

    pub(super) async fn send(&mut self, text: &str) -> Flow {
        match self.link.send(text).await {
            Ok(()) => Flow::Go,
            Err(_) => Flow::End(End::Drop),
        }
    }
}

/// Remove every U+FEFF from the text of `element` and its descendants
/// (the `zwnbsp` fault).
fn strip_zwnbsp(element: &mut Element) {
    for node in &mut element.children {
        match node {
            Node::Text(text) if text.contains('\u{feff}') => {
                *text = text.replace('\u{feff}', "").into();
            }
            Node::Element(child) => strip_zwnbsp(child),
            _ => {}
        }
    }
}

/// Write `element` and its descendants in `jabber:client` without a
/// prefix, as RFC 6120 §4.8.5 requires of what a server passes on.
fn unprefix_content(element: &mut Element) {
    if element.ns == NS_CLIENT {
        element.prefix = None;
    }
    for node in &mut element.children {
        if let Node::Element(child) = node {
            unprefix_content(child);
        }
    }
}
