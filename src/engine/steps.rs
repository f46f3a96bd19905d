//! Each kind of scenario step, executed against the session.

use std::time::Duration;

use tokio::time::Instant;

use crate::bindings::Bindings;
use crate::matching::{self, Check, Matched, Mismatch};
use crate::scenario::functions::Call;
use crate::scenario::template::{RenderError, Template};
use crate::scenario::{Alternative, Expectation, Location, Meta};
use crate::xml::{NS_CLIENT, StreamEvent, writer};

use super::functions::Helpers;
use super::render;
use super::session::{Received, Session};
use super::transcript::Direction;
use super::verdict::{Failure, Status};

/// A step that did not go as the scenario says: the verdict it leads to.
pub(super) type StepResult = Result<(), (Status, Failure)>;

fn fail(failure: Failure) -> (Status, Failure) {
    (Status::Fail, failure)
}

/// Send one harness line. A line with the password or a secret function
/// value in it is recorded with those parts `[redacted]`.
pub(super) async fn send(
    session: &mut Session,
    template: &Template,
    bindings: &Bindings,
    helpers: &mut Helpers,
    loc: &Location,
    timeout: Duration,
) -> StepResult {
    let mut calls = |call: &Call, b: &Bindings| helpers.evaluate(call, b);
    let bytes = template
        .render_with(bindings, &mut calls)
        .map_err(|e| match e {
            RenderError::Unbound(e) => (
                Status::Error,
                Failure::new(format!("scenario bug: {e}")).at(loc),
            ),
            RenderError::Call { .. } => fail(Failure::new(e.to_string()).at(loc)),
        })?;
    let sent = if template.has_secret(bindings) {
        session
            .send_shown(&bytes, template.shown(bindings), timeout)
            .await
    } else {
        session.send(&bytes, timeout).await
    };
    match sent {
        Ok(()) => Ok(()),
        // The peer may legitimately have closed its stream already (after a
        // stream error); what we send after that cannot be delivered.
        Err(e) if session.peer_closed => {
            session
                .transcript
                .record(Direction::Note, format!("not delivered: {e}"));
            Ok(())
        }
        Err(e) => Err(fail(
            Failure::new(format!("could not send to the peer: {e}")).at(loc),
        )),
    }
}

/// Upgrade to TLS after `<proceed/>`; a failed handshake fails the
/// scenario with rustls's reason.
pub(super) async fn start_tls(
    session: &mut Session,
    config: &super::RunConfig,
    loc: &Location,
) -> StepResult {
    let domain = config.bindings.var("domain").unwrap_or_default();
    let tls = std::sync::Arc::clone(&config.tls_config);
    match session.start_tls(domain, tls, config.timeout).await {
        Ok(_) => Ok(()),
        Err(e) => {
            session.transcript.record(Direction::Note, e.to_string());
            Err(fail(Failure::new(e.to_string()).at(loc)))
        }
    }
}

/// The server side of STARTTLS, testing a client: the handshake after the
/// harness's `<proceed/>`; a failed one fails the scenario with rustls's
/// reason (a client that rejects the certificate shows up here).
pub(super) async fn accept_tls(
    session: &mut Session,
    config: &super::RunConfig,
    loc: &Location,
) -> StepResult {
    let Some(tls) = config.server_tls.clone() else {
        return Err((
            Status::Error,
            Failure::new("no server certificate is configured for this run").at(loc),
        ));
    };
    match session.accept_tls(tls, config.timeout).await {
        Ok(_) => Ok(()),
        Err(e) => {
            session.transcript.record(Direction::Note, e.to_string());
            Err(fail(Failure::new(e.to_string()).at(loc)))
        }
    }
}

/// Wait for the peer's next event and match it against the alternatives;
/// then run the checks of the functions the matching pattern uses.
pub(super) async fn expect(
    session: &mut Session,
    alternatives: &[Alternative],
    meta: &Meta,
    bindings: &mut Bindings,
    helpers: &mut Helpers,
    loc: &Location,
    timeout: Duration,
) -> StepResult {
    let expected = expected_text(alternatives);
    let deadline = Instant::now() + timeout;
    loop {
        let event = match session.next(deadline).await {
            Received::Event(event) => event,
            Received::Eof => {
                return Err(fail(
                    Failure {
                        expected: Some(expected),
                        ..Failure::new("the peer closed the connection instead")
                    }
                    .at(loc),
                ));
            }
            Received::Timeout => {
                return Err(fail(
                    Failure {
                        expected: Some(expected),
                        ..Failure::new(format!("nothing arrived within {timeout:?}"))
                    }
                    .at(loc),
                ));
            }
            Received::Io(e) => return Err(read_failed(&e, loc)),
        };
        if let StreamEvent::Error(e) = &event {
            return Err(fail(
                Failure {
                    expected: Some(expected),
                    ..Failure::new(format!("the peer sent bytes that are not XMPP's XML: {e}"))
                }
                .at(loc),
            ));
        }
        if is_ignored(&event, meta) {
            session
                .transcript
                .record(Direction::Note, "skipped: not asked for by this step");
            continue;
        }
        let mut closest: Option<Mismatch> = None;
        for alt in alternatives {
            match try_match(&alt.expectation, &event, bindings) {
                Ok(found) => {
                    let checks = found.commit(bindings);
                    return run_checks(&checks, bindings, helpers, &event, loc);
                }
                Err(Some(m)) if closest.is_none() => closest = Some(m),
                Err(_) => {}
            }
        }
        let received = render::event(&event);
        let failure = match closest {
            Some(m) => Failure {
                message: m.to_string(),
                expected: Some(expected),
                received: Some(m.received.clone()),
                diff: Some(m.diff()),
                step: None,
            },
            None => Failure {
                message: format!(
                    "expected {}, received {}",
                    kind_of(alternatives),
                    short(&event)
                ),
                expected: Some(expected),
                received: Some(received),
                ..Failure::default()
            },
        };
        return Err(fail(failure.at(loc)));
    }
}

/// The checks of the functions in the pattern that matched, in order,
/// after its captures were committed.
fn run_checks(
    checks: &[Check],
    bindings: &Bindings,
    helpers: &mut Helpers,
    event: &StreamEvent,
    loc: &Location,
) -> StepResult {
    for Check { call, text } in checks {
        if let Err(reason) = helpers.check(call, text, bindings) {
            return Err(fail(
                Failure {
                    received: Some(render::event(event)),
                    ..Failure::new(format!("`{{{call}}}`: {reason}"))
                }
                .at(loc),
            ));
        }
    }
    Ok(())
}

/// The peer must close the TCP connection.
pub(super) async fn expect_close(
    session: &mut Session,
    meta: &Meta,
    loc: &Location,
    timeout: Duration,
) -> StepResult {
    let deadline = Instant::now() + timeout;
    loop {
        match session.next(deadline).await {
            Received::Eof => return Ok(()),
            Received::Event(StreamEvent::Close) => continue,
            Received::Event(ev) if is_ignored(&ev, meta) => continue,
            // What matters here is the close; bytes that are not XML (a TLS
            // alert after a failed handshake, say) may come before it.
            Received::Event(StreamEvent::Error(e)) => {
                session.transcript.record(
                    Direction::Note,
                    format!("not XML, ignored while waiting for the close: {e}"),
                );
            }
            Received::Event(ev) => {
                return Err(fail(
                    Failure::new(format!(
                        "expected the connection to close, received {}",
                        short(&ev)
                    ))
                    .at(loc),
                ));
            }
            Received::Timeout => {
                return Err(fail(
                    Failure::new(format!("the peer kept the connection open for {timeout:?}"))
                        .at(loc),
                ));
            }
            Received::Io(e) => return Err(read_failed(&e, loc)),
        }
    }
}

/// Nothing may arrive for `quiet`.
pub(super) async fn silence(
    session: &mut Session,
    meta: &Meta,
    loc: &Location,
    quiet: Duration,
) -> StepResult {
    let deadline = Instant::now() + quiet;
    loop {
        match session.next(deadline).await {
            Received::Timeout => return Ok(()),
            Received::Event(ev) if is_ignored(&ev, meta) => continue,
            Received::Event(ev) => {
                return Err(fail(
                    Failure::new(format!(
                        "expected silence for {quiet:?}, received {}",
                        short(&ev)
                    ))
                    .at(loc),
                ));
            }
            Received::Eof => {
                return Err(fail(
                    Failure::new(format!(
                        "expected silence for {quiet:?}, but the peer closed the connection"
                    ))
                    .at(loc),
                ));
            }
            Received::Io(e) => return Err(read_failed(&e, loc)),
        }
    }
}

pub(super) fn read_failed(e: &std::io::Error, loc: &Location) -> (Status, Failure) {
    fail(Failure::new(format!("reading from the peer failed: {e}")).at(loc))
}

/// What matching `event` found, to be committed by the caller. `Err(None)`
/// when the event is of another kind than the expectation (an element
/// where a close was expected): no diff makes sense then.
fn try_match(
    expectation: &Expectation,
    event: &StreamEvent,
    bindings: &Bindings,
) -> Result<Matched, Option<Mismatch>> {
    match (expectation, event) {
        (Expectation::Open(p), StreamEvent::Open(h)) => {
            matching::match_header(p, h, bindings).map_err(Some)
        }
        (Expectation::Element(p), StreamEvent::Element(e)) => {
            matching::match_element(p, e, bindings).map_err(Some)
        }
        (Expectation::Close, StreamEvent::Close) => Ok(Matched::default()),
        _ => Err(None),
    }
}

/// Elements the scenario lets through while waiting (unsolicited presence,
/// by default).
pub(super) fn is_ignored(event: &StreamEvent, meta: &Meta) -> bool {
    match event {
        StreamEvent::Element(e) => e.ns == NS_CLIENT && meta.ignore.iter().any(|i| e.name == i),
        _ => false,
    }
}

fn expected_text(alternatives: &[Alternative]) -> String {
    alternatives
        .iter()
        .map(|a| a.source.clone())
        .collect::<Vec<_>>()
        .join("\nor: ")
}

fn kind_of(alternatives: &[Alternative]) -> String {
    let kinds: Vec<String> = alternatives
        .iter()
        .map(|a| match &a.expectation {
            Expectation::Open(_) => "a stream header".to_string(),
            Expectation::Element(p) => format!("<{}>", p.display_name()),
            Expectation::Close => "</stream:stream>".to_string(),
        })
        .collect();
    kinds.join(" or ")
}

/// A one-line description of an event for messages.
fn short(event: &StreamEvent) -> String {
    match event {
        StreamEvent::Open(_) => "a stream header".to_string(),
        StreamEvent::Element(e) => {
            let text = writer::to_xml(e);
            if text.chars().count() > 120 {
                let cut: String = text.chars().take(117).collect();
                format!("{cut}...")
            } else {
                text
            }
        }
        StreamEvent::Close => "</stream:stream>".to_string(),
        StreamEvent::Error(e) => format!("bytes the parser rejects ({e})"),
    }
}
