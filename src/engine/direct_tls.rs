//! Scenarios that open with STARTTLS, run under `--tls direct`.
//!
//! Most scenarios whose subject comes after TLS (every SASL one) begin
//! with the STARTTLS exchange (`scenarios/server/_include/starttls.xmpp`).
//! Under direct TLS (XEP-0368) the stream is encrypted from the first
//! byte, so that exchange has no place on it, but what follows it (a new
//! stream over TLS and what the scenario is about) applies unchanged.
//! Skipping the whole scenario would lose every SASL check on such runs;
//! so the exchange is recognised as a unit and only it is skipped. A
//! scenario whose subject *is* STARTTLS says so with `needs = ["starttls"]`
//! and is skipped with that reason instead.
//!
//! With the exchange gone, one of its checks must stay: the first features
//! of a stream that runs over TLS must not offer `<starttls/>` (RFC 6120
//! §5.4.3.3; §5.3.1: STARTTLS is offered only before TLS).

use crate::scenario::template::Segment;
use crate::scenario::{Action, Location, Peer, Scenario};
use crate::xml::NS_TLS;

use super::failure::{Failure, FailureKind};
use super::session::Session;
use super::{Direction, TlsMode};

/// The number of leading steps of `scenario` that are its STARTTLS
/// preamble, or `None` when it has none this module can recognise.
///
/// The preamble is exactly the shape every such scenario writes: the
/// stream header sent, the server's header and features expected, the
/// `<starttls/>` sent, the `<proceed/>` expected, then `starttls` (which
/// restarts the stream). It must be the scenario's start and its only
/// `starttls`, so nothing after the skip still depends on the exchange.
pub(super) fn preamble_len(scenario: &Scenario) -> Option<usize> {
    if scenario.meta.peer != Peer::Server || scenario.meta.needs.iter().any(|n| n == "starttls") {
        return None;
    }
    let steps = &scenario.steps;
    let tls_steps = steps
        .iter()
        .filter(|s| matches!(s.action, Action::StartTls { .. }))
        .count();
    if tls_steps != 1 || steps.len() < 6 {
        return None;
    }
    let sends = |i: usize, start: &str| match &steps[i].action {
        Action::Send(template) => template
            .segments
            .first()
            .is_some_and(|s| matches!(s, Segment::Literal(t) if t.trim_start().starts_with(start))),
        _ => false,
    };
    let expects = |i: usize| matches!(steps[i].action, Action::Expect(_));
    let opens_stream = sends(0, "<?xml") || sends(0, "<stream:stream");
    let shape = opens_stream
        && expects(1)
        && expects(2)
        && sends(3, "<starttls")
        && expects(4)
        && matches!(steps[5].action, Action::StartTls { .. });
    shape.then_some(6)
}

/// How many leading steps a run in `tls` mode skips: the STARTTLS
/// preamble under direct TLS (noted in `session`'s transcript), else none.
pub(super) fn skipped_steps(scenario: &Scenario, tls: TlsMode, session: &mut Session) -> usize {
    if tls != TlsMode::Direct {
        return 0;
    }
    let Some(n) = preamble_len(scenario) else {
        return 0;
    };
    session.transcript.record(
        Direction::Note,
        "the STARTTLS exchange is skipped: TLS is on from the first byte (--tls direct)",
    );
    n
}

/// Fail when `session`'s latest features, on a stream that runs over TLS
/// from the start, offer STARTTLS; the failure is the step's at `loc`.
/// `Ok(true)` once features were seen (checked, nothing more to do),
/// `Ok(false)` while none have arrived.
pub(super) fn check_features(session: &Session, loc: &Location) -> Result<bool, Box<Failure>> {
    let Some(features) = &session.features else {
        return Ok(false);
    };
    if features.child(NS_TLS, "starttls").is_some() {
        return Err(Failure::new(
            FailureKind::Mismatch,
            "the features of a stream over direct TLS offer <starttls/>: STARTTLS is \
                 offered only before TLS, never again once it is on (RFC 6120 §5.4.3.3, §5.3.1)",
        )
        .received(features.to_string())
        .at(loc));
    }
    Ok(true)
}
