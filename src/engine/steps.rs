//! Each kind of scenario step, executed against the session.

use std::time::Duration;

use tokio::time::Instant;

use crate::bindings::Bindings;
use crate::matching::{self, Check, Matched, Mismatch, Mode};
use crate::scenario::functions::Call;
use crate::scenario::template::{RenderError, Template};
use crate::scenario::{Alternative, Expectation, Location, Meta, Peer, WsMessage};
use crate::transport::{MessageKind, SendError, TlsError, TlsUpgrade};
use crate::xml::{NS_STREAMS, StreamEvent, writer};

use super::failure::{Failure, FailureKind};
use super::functions::Helpers;
use super::render;
use super::session::{Received, Session};
use super::transcript::Direction;

/// A step that did not go as the scenario says: what went wrong, which
/// [`FailureKind::status`] turns into the verdict.
pub(super) type StepResult = Result<(), Box<Failure>>;

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
            RenderError::Unbound(e) => {
                Failure::new(FailureKind::ScenarioBug, format!("scenario bug: {e}")).at(loc)
            }
            RenderError::Call { .. } => Failure::new(FailureKind::Check, e.to_string()).at(loc),
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
        Err(e) => Err(send_failed(&e, loc)),
    }
}

/// `ws-send`: the line as one message of its own, as is. Its bytes are
/// in the transcript as sent (a binary message's, lossily; secrets
/// redacted as in `C:` lines).
pub(super) async fn send_message(
    session: &mut Session,
    kind: MessageKind,
    line: &Template,
    bindings: &Bindings,
    loc: &Location,
    timeout: Duration,
) -> StepResult {
    let bytes = line.render(bindings).map_err(|e| {
        Failure::new(FailureKind::ScenarioBug, format!("scenario bug: {e}")).at(loc)
    })?;
    let shown = if line.has_secret(bindings) {
        line.shown(bindings)
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    session
        .send_message(kind, &bytes, shown, timeout)
        .await
        .map_err(|e| send_failed(&e, loc))
}

/// The kind of message a `ws-send` line sends.
pub(super) fn ws_kind(kind: WsMessage) -> MessageKind {
    match kind {
        WsMessage::Text => MessageKind::Text,
        WsMessage::Binary => MessageKind::Binary,
        WsMessage::Ping => MessageKind::Ping,
        WsMessage::Close => MessageKind::Close,
    }
}

/// Sending failed: the transport refused bytes it cannot carry as written
/// (the scenario cannot run on it), the peer had closed the connection
/// (a broken pipe, a reset), or the peer took no data.
pub(super) fn send_failed(e: &SendError, loc: &Location) -> Box<Failure> {
    let kind = match e {
        SendError::Unsupported { .. } => FailureKind::NeedsUnmet,
        SendError::Io(io) if crate::transport::is_disconnect(io) => FailureKind::PeerClosed,
        SendError::Timeout(_)
        | SendError::Io(_)
        | SendError::Gone
        | SendError::NoPong(_)
        | SendError::NoCloseReply(_) => FailureKind::Send,
    };
    Failure::new(kind, format!("could not send to the peer: {e}")).at(loc)
}

/// How a `starttls` step ended.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Tls {
    /// TLS is on; a new stream follows.
    On,
    /// The server closed the connection instead (`starttls or-close`).
    Closed,
}

/// Upgrade to TLS after `<proceed/>`; a failed handshake fails the
/// scenario with rustls's reason, unless `or_close` and the server simply
/// hung up.
pub(super) async fn start_tls(
    session: &mut Session,
    config: &super::RunConfig,
    or_close: bool,
    loc: &Location,
) -> Result<Tls, Box<Failure>> {
    let upgrade = config.client_tls();
    match session.start_tls(upgrade, config.timeout).await {
        Ok(_) => Ok(Tls::On),
        Err(TlsError::Handshake(e)) if or_close && crate::transport::is_disconnect(&e) => {
            session.transcript.record(
                Direction::Note,
                format!(
                    "the server closed the connection instead of the TLS handshake ({e}), \
                     which `starttls or-close` accepts: the scenario ends here"
                ),
            );
            Ok(Tls::Closed)
        }
        // Not a failed handshake: the server never began one, and said
        // more in clear text instead, which the STARTTLS rules forbid.
        Err(e @ (TlsError::ClearTextBeforeHandshake | TlsError::NotTls(_))) => {
            session.transcript.record(Direction::Note, e.to_string());
            let message = format!(
                "{e}: after <proceed/> the server must start TLS and send no further XML \
                 until TLS negotiation is complete (RFC 6120 §5.4.2.3, §5.4.3.1)"
            );
            Err(Failure::new(FailureKind::Unexpected, message).at(loc))
        }
        Err(e) => {
            session.transcript.record(Direction::Note, e.to_string());
            Err(Failure::new(FailureKind::Tls, e.to_string()).at(loc))
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
        return Err(Failure::new(
            FailureKind::Setup,
            "no server certificate is configured for this run",
        )
        .at(loc));
    };
    match session
        .start_tls(TlsUpgrade::Server(tls), config.timeout)
        .await
    {
        Ok(_) => Ok(()),
        // The client never began TLS: it said more in clear text.
        Err(e @ (TlsError::ClearTextBeforeHandshake | TlsError::NotTls(_))) => {
            session.transcript.record(Direction::Note, e.to_string());
            let message = clear_text(&e);
            Err(Failure::new(FailureKind::Unexpected, message).at(loc))
        }
        Err(e) => {
            session.transcript.record(Direction::Note, e.to_string());
            Err(Failure::new(FailureKind::Tls, e.to_string()).at(loc))
        }
    }
}

/// Wait for the peer's next event and match it against the alternatives;
/// then run the checks of the functions the matching pattern uses.
///
/// A step that expects an element of a kind the scenario ignores
/// (presence, by default) does not skip those blindly: it takes the first
/// one that matches, first among those set aside by earlier steps, and
/// sets aside the ones that do not match (RFC 6121 leaves the order of
/// unrelated presence, such as a resource's own echo and a contact's, to
/// the server). A scenario that wants every presence expected in order
/// says `ignore = []`.
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
    let awaits_ignored = alternatives.iter().any(|a| match &a.expectation {
        Expectation::Element(p) => {
            super::session::ignores(&meta.ignore, &p.root.name.ns, &p.root.name.local)
        }
        _ => false,
    });
    if awaits_ignored {
        for at in 0..session.set_aside.len() {
            let event = StreamEvent::Element(session.set_aside[at].clone());
            if let Some(found) = first_match(alternatives, &event, bindings) {
                session.set_aside.remove(at);
                session.transcript.record(
                    Direction::Note,
                    format!("matched {}, set aside earlier", short(&event)),
                );
                let checks = found.commit(bindings);
                return run_checks(&checks, bindings, helpers, &event, loc);
            }
        }
    }
    // Scansion skips an unasked-for element only when it does not match:
    // a script may expect presence, which it otherwise ignores.
    let (skip_before, skip_after): (&[String], &[String]) = match meta.matching {
        Mode::Rfc if awaits_ignored => (&[], &[]),
        Mode::Rfc => (&meta.ignore, &[]),
        Mode::Scansion => (&[], &meta.ignore),
    };
    let deadline = Instant::now() + timeout;
    loop {
        let event = match session
            .wait(deadline, skip_before)
            .await
            .map_err(|f| f.at(loc))?
        {
            Received::Event(event) => event,
            Received::Eof => {
                return Err(Failure::new(
                    FailureKind::PeerClosed,
                    "the peer closed the connection instead",
                )
                .expected(expected)
                .at(loc));
            }
            Received::Timeout => {
                return Err(Failure::new(
                    FailureKind::Timeout,
                    format!("nothing arrived within {timeout:?}"),
                )
                .expected(expected)
                .at(loc));
            }
        };
        if let StreamEvent::Error(e) = &event {
            return Err(Failure::new(
                FailureKind::NotXml,
                format!("the peer sent bytes that are not XMPP's XML: {e}"),
            )
            .expected(expected)
            .at(loc));
        }
        if let Some(found) = first_match(alternatives, &event, bindings) {
            let checks = found.commit(bindings);
            return run_checks(&checks, bindings, helpers, &event, loc);
        }
        if super::session::is_ignored(&event, skip_after) {
            session
                .transcript
                .record(Direction::Note, "skipped: not asked for by this step");
            continue;
        }
        if let (true, StreamEvent::Element(e)) = (
            awaits_ignored && super::session::is_ignored(&event, &meta.ignore),
            &event,
        ) {
            if session.set_aside.len() >= super::session::SET_ASIDE_LIMIT {
                session.set_aside.pop_front();
            }
            session.set_aside.push_back(e.clone());
            session
                .transcript
                .record(Direction::Note, "set aside: not the one this step expects");
            continue;
        }
        let shown = super::session::hidden(&event);
        return Err(mismatch(alternatives, &shown, bindings, expected).at(loc));
    }
}

/// The first alternative `event` matches, with what the match found.
fn first_match(
    alternatives: &[Alternative],
    event: &StreamEvent,
    bindings: &Bindings,
) -> Option<Matched> {
    alternatives
        .iter()
        .find_map(|alt| try_match(&alt.expectation, event, bindings).ok())
}

/// Why `event` matched none of the alternatives: the diff against the
/// closest one, or the kinds when none compares.
fn mismatch(
    alternatives: &[Alternative],
    event: &StreamEvent,
    bindings: &Bindings,
    expected: String,
) -> Failure {
    let closest = alternatives
        .iter()
        .find_map(|alt| try_match(&alt.expectation, event, bindings).err().flatten());
    match closest {
        Some(m) => Failure {
            diff: Some(m.diff()),
            ..Failure::new(FailureKind::Mismatch, m.to_string())
                .expected(expected)
                .received(m.received.clone())
        },
        None => Failure::new(
            FailureKind::Unexpected,
            format!(
                "expected {}, received {}",
                kind_of(alternatives),
                short(event)
            ),
        )
        .expected(expected)
        .received(render::event(event)),
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
            return Err(
                Failure::new(FailureKind::Check, format!("`{{{call}}}`: {reason}"))
                    .received(render::event(event))
                    .at(loc),
            );
        }
    }
    Ok(())
}

/// `tls-certificate`: the server's end-entity certificate, held to RFC
/// 6120 §13.7.1.1 (not a CA, a non-null subject).
pub(super) fn tls_certificate(session: &Session, loc: &Location) -> StepResult {
    if !session.is_tls() {
        return Err(Failure::new(
            FailureKind::ScenarioBug,
            "`tls-certificate` needs a connection over TLS",
        )
        .at(loc));
    }
    // TLS that another layer runs (wss://, https://) shows no certificate
    // here: the scenario cannot run on that transport.
    let Some(der) = session.peer_certificate() else {
        return Err(Failure::new(
            FailureKind::NeedsUnmet,
            "this transport does not show the server's certificate to the harness",
        )
        .at(loc));
    };
    super::certificate::check(&der).map_err(|why| {
        Failure::new(
            FailureKind::Check,
            format!("the server's certificate {why} (RFC 6120 §13.7.1.1)"),
        )
        .at(loc)
    })
}

/// After `expect-close close-notify`: the peer ended TLS with its
/// close_notify alert before closing TCP (RFC 6120 §4.4; RFC 8446 §6.1).
pub(super) fn close_notify_received(session: &Session, loc: &Location) -> StepResult {
    if !session.is_tls() {
        return Err(Failure::new(
            FailureKind::ScenarioBug,
            "`expect-close close-notify` needs a stream over TLS",
        )
        .at(loc));
    }
    if session.closed_without_close_notify() {
        return Err(Failure::new(
            FailureKind::Unexpected,
            "the peer closed the TCP connection without sending TLS close_notify first \
             (RFC 6120 §4.4: the side closing a stream over TLS sends close_notify)",
        )
        .at(loc));
    }
    Ok(())
}

/// The peer must close the TCP connection; `abrupt`, without a stream
/// error or closing tag first. Bytes that are not XML may come first (a
/// TLS alert), so the lint does not judge them meanwhile.
pub(super) async fn expect_close(
    session: &mut Session,
    meta: &Meta,
    abrupt: bool,
    loc: &Location,
    timeout: Duration,
) -> StepResult {
    session.not_xml_expected = true;
    let result = wait_for_close(session, meta, abrupt, loc, timeout).await;
    session.not_xml_expected = false;
    result
}

async fn wait_for_close(
    session: &mut Session,
    meta: &Meta,
    abrupt: bool,
    loc: &Location,
    timeout: Duration,
) -> StepResult {
    let deadline = Instant::now() + timeout;
    let mut answered = false;
    loop {
        match session
            .wait(deadline, &meta.ignore)
            .await
            .map_err(|f| f.at(loc))?
        {
            Received::Eof => return Ok(()),
            Received::Event(ev @ StreamEvent::Close) if abrupt => {
                return Err(abrupt_failure(&ev, loc));
            }
            Received::Event(StreamEvent::Element(e)) if abrupt && e.is(NS_STREAMS, "error") => {
                return Err(abrupt_failure(&StreamEvent::Element(e), loc));
            }
            // A client that closes its stream waits for the server's
            // closing tag before it ends the connection (RFC 6120 §4.4):
            // the harness, playing the server, answers it, unless its last
            // words were that tag already.
            Received::Event(StreamEvent::Close)
                if meta.peer == Peer::Client
                    && !answered
                    && !session.sent.trim_end().ends_with("</stream:stream>") =>
            {
                answered = true;
                // A client that hung up already cannot take it; the close
                // is then seen as the end of the connection.
                let _ = session.send(b"</stream:stream>", timeout).await;
            }
            Received::Event(StreamEvent::Close) => continue,
            // Closing with a stream error first is closing too (RFC 6120
            // §4.9.1.1): where a rule allows either, the error is noted.
            Received::Event(StreamEvent::Element(e)) if e.is(NS_STREAMS, "error") => {
                session.transcript.record(
                    Direction::Note,
                    "a stream error before the close".to_string(),
                );
            }
            // What matters here is the close; bytes that are not XML (a TLS
            // alert after a failed handshake, say) may come before it.
            Received::Event(StreamEvent::Error(e)) => {
                session.transcript.record(
                    Direction::Note,
                    format!("not XML, ignored while waiting for the close: {e}"),
                );
            }
            // A scansion client that disconnects reads nothing more.
            Received::Event(ev @ StreamEvent::Element(_)) if meta.matching == Mode::Scansion => {
                session.transcript.record(
                    Direction::Note,
                    format!("skipped while disconnecting: {}", short(&ev)),
                );
            }
            Received::Event(ev) => {
                return Err(Failure::new(
                    FailureKind::Unexpected,
                    format!("expected the connection to close, received {}", short(&ev)),
                )
                .at(loc));
            }
            Received::Timeout => {
                return Err(Failure::new(
                    FailureKind::Timeout,
                    format!("the peer kept the connection open for {timeout:?}"),
                )
                .at(loc));
            }
        }
    }
}

/// XML before a close that had to come without it: after a failed TLS
/// handshake the stream is already replaced (RFC 6120 §5.4.3.2).
fn abrupt_failure(event: &StreamEvent, loc: &Location) -> Box<Failure> {
    Failure::new(
        FailureKind::Unexpected,
        format!(
            "expected the connection to close with no stream error or closing tag first, \
             received {} (RFC 6120 §5.4.3.2: after a failed TLS handshake the receiving entity \
             must not send a closing stream tag)",
            short(event)
        ),
    )
    .at(loc)
}

/// Nothing may arrive for `quiet`.
/// The duration a `silence` with a placeholder stands for, now that its
/// value is known: at most [`crate::scenario::MAX_SILENCE`].
pub(super) fn duration_of(
    template: &Template,
    bindings: &Bindings,
    loc: &Location,
) -> Result<Duration, Box<Failure>> {
    let bytes = template.render(bindings).map_err(|e| {
        Failure::new(FailureKind::ScenarioBug, format!("scenario bug: {e}")).at(loc)
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let quiet = humantime::parse_duration(text.trim()).map_err(|e| {
        Failure::new(
            FailureKind::Check,
            format!("`{text}` is not a duration: {e}"),
        )
        .at(loc)
    })?;
    Ok(quiet.min(crate::scenario::MAX_SILENCE))
}

pub(super) async fn silence(
    session: &mut Session,
    meta: &Meta,
    loc: &Location,
    quiet: Duration,
) -> StepResult {
    let deadline = Instant::now() + quiet;
    match session
        .wait(deadline, &meta.ignore)
        .await
        .map_err(|f| f.at(loc))?
    {
        Received::Timeout => Ok(()),
        Received::Event(ev) => Err(Failure::new(
            FailureKind::Unexpected,
            format!("expected silence for {quiet:?}, received {}", short(&ev)),
        )
        .at(loc)),
        Received::Eof => Err(Failure::new(
            FailureKind::PeerClosed,
            format!("expected silence for {quiet:?}, but the peer closed the connection"),
        )
        .at(loc)),
    }
}

/// `Err(None)` when the event is of another kind than the expectation
/// (an element where a close was expected): no diff makes sense then.
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
    match super::session::hidden(event).as_ref() {
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

/// The failure text for a client that sent clear text after `<proceed/>`.
pub(super) fn clear_text(e: &TlsError) -> String {
    format!(
        "{e}: after <proceed/> the client must begin the TLS handshake and send no further XML \
         until TLS negotiation is complete (RFC 6120 §5.4.2.3, §5.4.3.1)"
    )
}
