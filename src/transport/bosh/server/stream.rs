//! The XMPP stream of one BOSH session, as the reference server's session
//! state machine holds it: a [`Transport`] like any other.
//!
//! What the client's requests carry arrives as stream events (the
//! creation request as the header, payloads as elements, a restart as a
//! new header, `type='terminate'` as the close); what the session writes,
//! RFC 6120 text as over TCP, is read back through the crate's parser and
//! handed to the session's [`Core`] element by element, which puts it in
//! responses. The session never learns which transport it speaks over.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until, timeout_at};

use crate::transport::{Incoming, SendError, TlsError, TlsUpgrade, Transport, TransportKind};
use crate::xml::{NS_CLIENT, ParserConfig, SmolStr, StreamEvent, StreamParser, writer};

use super::core::Core;

/// How often an idle session's inactivity deadline is looked at again.
const IDLE_TICK: std::time::Duration = std::time::Duration::from_millis(100);

pub(super) struct BoshStream {
    core: Arc<Mutex<Core>>,
    events: mpsc::Receiver<StreamEvent>,
    /// Reads the server's own output back, to hand it over element by
    /// element.
    outgoing: StreamParser,
    described: String,
}

impl BoshStream {
    pub fn new(core: Arc<Mutex<Core>>, events: mpsc::Receiver<StreamEvent>, sid: &str) -> Self {
        BoshStream {
            core,
            events,
            outgoing: StreamParser::new(ParserConfig {
                content_namespaces: Vec::new(),
                max_stanza_bytes: 16 * 1024 * 1024,
                ..ParserConfig::default()
            }),
            described: format!("bosh server side, session {sid}"),
        }
    }

    fn with_core<T>(&self, f: impl FnOnce(&mut Core) -> T) -> T {
        let mut core = self.core.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut core)
    }
}

impl Drop for BoshStream {
    fn drop(&mut self) {
        // A session that ends without its closing tag still ends the
        // BOSH session, so a held request is not left to its wait.
        self.with_core(|core| core.on_close());
    }
}

#[async_trait::async_trait]
impl Transport for BoshStream {
    fn describe(&self) -> String {
        self.described.clone()
    }

    fn kind(&self) -> TransportKind {
        TransportKind::Bosh
    }

    fn is_tls(&self) -> bool {
        false
    }

    fn carries_raw_bytes(&self) -> bool {
        false
    }

    async fn send(&mut self, bytes: &[u8], _limit: Duration) -> Result<(), SendError> {
        let text = bytes.trim_ascii_start();
        if text.starts_with(b"<?xml") || text.starts_with(b"<stream:stream") {
            self.outgoing.reset();
        }
        let mut events = Vec::new();
        self.outgoing.feed(bytes, &mut events);
        let mut kept = true;
        self.with_core(|core| {
            for event in events {
                match event {
                    StreamEvent::Open(header) => core.on_header(&header.element),
                    StreamEvent::Element(element) => kept &= core.push(standalone(element)),
                    StreamEvent::Close => core.on_close(),
                    StreamEvent::Error(_) => {}
                }
            }
            core.written();
        });
        match kept {
            true => Ok(()),
            false => Err(SendError::Gone),
        }
    }

    async fn next(&mut self, deadline: Instant) -> Incoming {
        loop {
            // §10: the session ends when the client has been idle too long.
            let idle = self.with_core(|core| core.idle_deadline());
            if let Some(at) = idle
                && at <= Instant::now()
            {
                self.with_core(Core::expire);
                return Incoming::Closed("the BOSH session was inactive too long".to_owned());
            }
            // Looked at again every tick: a request answered since (a
            // pause's, which also shortens the period) starts or moves the
            // deadline without an event for this side to wake up on.
            let tick = Instant::now() + IDLE_TICK;
            let until = idle.map_or(deadline, |at| at.min(deadline)).min(tick);
            match timeout_at(until, self.events.recv()).await {
                Ok(Some(event)) => return Incoming::Event(event),
                Ok(None) => return Incoming::Closed("the BOSH session ended".to_owned()),
                Err(_) if Instant::now() >= deadline => return Incoming::Timeout,
                Err(_) => continue,
            }
        }
    }

    fn restart(&mut self) {
        // Nothing to drop: the restart request can only follow the
        // response that carried <success/>, so what is queued is its own.
    }

    fn has_unread(&self) -> bool {
        !self.events.is_empty()
    }

    async fn start_tls(&mut self, _: TlsUpgrade, _: Duration) -> Result<(), TlsError> {
        Err(TlsError::NotSupported(TransportKind::Bosh))
    }

    async fn shutdown(&mut self, _limit: Duration) {
        self.with_core(|core| core.on_close());
    }

    async fn drain(&mut self, linger: Duration) {
        // Nothing to read: let a last held request be answered first.
        let _ = sleep_until(Instant::now() + linger.min(Duration::from_millis(1))).await;
    }
}

/// A first-level element with the namespaces it inherited from the
/// server's header declared where the `<body/>` does not declare them.
fn standalone(mut element: crate::xml::Element) -> String {
    let declares = |e: &crate::xml::Element, prefix: Option<&str>| {
        e.declarations.iter().any(|(p, _)| p.as_deref() == prefix)
    };
    if !declares(&element, None) {
        element.declarations.push((None, SmolStr::new(NS_CLIENT)));
    }
    writer::to_xml(&element)
}
