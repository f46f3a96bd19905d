//! One fuzz case against a live server, and the liveness probe.
//!
//! The oracle: after the mutated stanza the harness sends a ping (XEP-0199);
//! a healthy server answers it (a result, or an error before
//! authentication) or has closed the stream, with a stream error or
//! without, within the timeout. Silence is a hang; a refused connection is
//! a crash.
//!
//! Cases go over the run's transport: on TCP the mutated bytes are the
//! stream; over WebSocket and BOSH they travel unchecked inside the
//! framing (a text message, a `<body/>`'s payload), so the mutation meets
//! the server's parser behind its HTTP or WebSocket front end.

use std::time::Duration;

use tokio::time::Instant;

use crate::bindings::Bindings;
use crate::scenario::{Location, Meta};
use crate::transport;
use crate::xml::{NS_PING, NS_STREAMS, StreamEvent};

use super::super::RunConfig;
use super::super::login;
use super::super::session::{Received, Session};
use super::super::transcript::Transcript;
use super::Phase;

/// The ping every case ends with.
pub(super) const PROBE_ID: &str = "xc-fuzz-probe";

/// Between the writes of a split stanza.
const SPLIT_PAUSE: Duration = Duration::from_millis(2);

/// What one case showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    /// The server answered the probe or closed the stream: healthy.
    Answered,
    /// The connection ended without `</stream:stream>` or a stream error:
    /// fine if the server still lives (the runner checks at once).
    Dropped,
    /// Nothing within the timeout.
    Hang(String),
    /// The server could not be reached, or hung up before the stream even
    /// opened: it may have died.
    Down(String),
}

pub(super) fn probe_stanza(domain: &str) -> Vec<u8> {
    format!("<iq type='get' id='{PROBE_ID}' to='{domain}'><ping xmlns='{NS_PING}'/></iq>")
        .into_bytes()
}

/// Open a session as `phase` wants: a stream (pre-auth) or a logged-in,
/// bound session (post-auth).
async fn open(config: &RunConfig, phase: Phase, meta: &Meta) -> Result<Session, Outcome> {
    // The run's own transport: TCP (direct TLS too), or a WebSocket or
    // BOSH session for a ws:// or http:// target.
    let stream = super::super::open(config)
        .await
        .map_err(|e| Outcome::Down(e.to_string()))?;
    let mut session = Session::new(stream, Transcript::default());
    let loc = Location {
        path: std::sync::Arc::new("fuzz".into()),
        line: 0,
        column: 0,
    };
    let mut bindings: Bindings = config.bindings.clone();
    match phase {
        Phase::PostAuth => login::run(&mut session, config, meta, &mut bindings, true, &loc)
            .await
            .map_err(|f| Outcome::Down(format!("login failed: {}", f.message)))?,
        Phase::PreAuth => login::open_stream(&mut session, config, meta, &loc)
            .await
            .map_err(|f| Outcome::Down(f.message))?,
    }
    Ok(session)
}

/// Send `parts` (each one write) and the probe; judge the answer.
pub(super) async fn run(
    config: &RunConfig,
    phase: Phase,
    meta: &Meta,
    parts: &[Vec<u8>],
) -> Outcome {
    let mut session = match open(config, phase, meta).await {
        Ok(s) => s,
        Err(outcome) => return outcome,
    };
    let domain = config.bindings.var("domain").unwrap_or_default();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            // A split write must reach the server as two reads: a pause
            // between the parts, none after the last (it cost every case
            // 2 ms, most of a case's time against a local server).
            tokio::time::sleep(SPLIT_PAUSE).await;
        }
        if send_part(&mut session, part, config.timeout).await.is_err() {
            return Outcome::Dropped;
        }
    }
    if session
        .send(&probe_stanza(domain), config.timeout)
        .await
        .is_err()
    {
        return Outcome::Dropped;
    }
    // Over BOSH a server that could not use the mutated payload may hold
    // the request for its `wait` before answering, and the probe's answer
    // queues behind it: silence is a hang only past both.
    let limit = config.timeout + session.answer_allowance();
    let deadline = Instant::now() + limit;
    let outcome = loop {
        let Ok(received) = session.wait(deadline, &[]).await else {
            break Outcome::Dropped;
        };
        match received {
            Received::Event(StreamEvent::Element(e))
                if e.name == "iq" && e.attr("id") == Some(PROBE_ID) =>
            {
                break Outcome::Answered;
            }
            Received::Event(StreamEvent::Element(e)) if e.is(NS_STREAMS, "error") => {
                break Outcome::Answered;
            }
            Received::Event(StreamEvent::Close | StreamEvent::Error(_)) => break Outcome::Answered,
            Received::Event(_) => continue,
            Received::Eof => break Outcome::Dropped,
            Received::Timeout => {
                break Outcome::Hang(format!(
                    "no answer to a ping within {limit:?} after the mutated stanza"
                ));
            }
        }
    };
    session.shutdown().await;
    outcome
}

/// One write of a case: as bytes on a byte stream; on a transport that
/// frames the stream (WebSocket, BOSH), as the payload of its next message
/// or `<body/>`, unchecked, so that the mutation reaches the peer's parser
/// inside the framing instead of being refused by the harness's.
async fn send_part(
    session: &mut Session,
    part: &[u8],
    limit: Duration,
) -> Result<(), transport::SendError> {
    if session.carries_raw_bytes() {
        return session.send(part, limit).await;
    }
    let shown = String::from_utf8_lossy(part).into_owned();
    session
        .send_message(transport::MessageKind::Payload, part, shown, limit)
        .await
}

/// A fresh connection still gets a stream header and features.
pub(super) async fn alive(config: &RunConfig, meta: &Meta) -> Result<(), String> {
    match open(config, Phase::PreAuth, meta).await {
        Ok(mut session) => {
            session.shutdown().await;
            Ok(())
        }
        Err(Outcome::Down(why) | Outcome::Hang(why)) => Err(why),
        Err(Outcome::Answered | Outcome::Dropped) => Ok(()),
    }
}
