//! `starttls untrusted` and `starttls wrong-name`, testing a client: after
//! `<proceed/>` the harness presents a certificate for the domain that no
//! CA vouches for ([`crate::transport::tls::untrusted_server_config`]), or
//! one the run's CA signed for another name only. RFC 6120 §13.7.2: a
//! validating entity whose validation fails MUST terminate the session;
//! §5.4.3.1 makes the initiator validate as §13.7.2 says, and §13.9.5 makes
//! the TLS client check the server's name against the certificate.
//!
//! The client passes when it fails the handshake (an alert such as
//! `UnknownCA`, or a hang-up), or when it completes it and then ends the
//! session at once (a close, a stream error) without a new stream header:
//! some TLS stacks check the certificate only after the handshake. It
//! fails when it goes on over TLS: a stream header, or any other XML.
//! Either way the scenario ends with this step.

use tokio::time::Instant;

use crate::scenario::{Location, Meta, Presented};
use crate::transport::TlsUpgrade;
use crate::transport::tls::{self, TlsError};
use crate::xml::StreamEvent;

use super::RunConfig;
use super::failure::{Failure, FailureKind};
use super::login::next_event;
use super::session::Session;
use super::steps::{StepResult, clear_text};
use super::transcript::Direction;

/// The rules a client that goes on breaks.
const RULE: &str = "RFC 6120 §5.4.3.1, §13.7.2 and §13.9.5: the initiating entity validates \
     the server's certificate, its name included, and when validation fails it MUST terminate \
     the session";

pub(super) async fn run(
    session: &mut Session,
    config: &RunConfig,
    presented: Presented,
    meta: &Meta,
    loc: &Location,
) -> StepResult {
    let domain = config.bindings.var("domain").unwrap_or_default();
    let (untrusted, shown) = match presented {
        Presented::WrongName => {
            let Some(tls) = config.wrong_name_tls.clone() else {
                return Err(Failure::new(
                    FailureKind::NeedsUnmet,
                    "the run has no certificate for a wrong name: it makes one only with the \
                     certificate it generates (not with --cert/--key)",
                )
                .at(loc));
            };
            let shown = format!(
                "presenting a certificate of the run's CA for {} only, not for {domain}",
                tls::WRONG_NAME
            );
            (tls, shown)
        }
        Presented::Untrusted | Presented::Own => {
            let tls = tls::untrusted_server_config(domain).map_err(|e| {
                Failure::new(
                    FailureKind::Setup,
                    format!("cannot make the untrusted certificate: {e}"),
                )
                .at(loc)
            })?;
            let shown = format!(
                "presenting a self-signed certificate for {domain}, which no CA vouches for"
            );
            (tls, shown)
        }
    };
    session.transcript.record(Direction::Note, shown);
    match session
        .start_tls(TlsUpgrade::Server(untrusted), config.timeout)
        .await
    {
        Ok(_) => {}
        // Not TLS at all: the client said more in clear text instead.
        Err(e @ (TlsError::ClearTextBeforeHandshake | TlsError::NotTls(_))) => {
            session.transcript.record(Direction::Note, e.to_string());
            return Err(Failure::new(FailureKind::Unexpected, clear_text(&e)).at(loc));
        }
        Err(TlsError::Handshake(e)) => {
            session.transcript.record(
                Direction::Note,
                format!(
                    "the client ended the TLS handshake: {e}; it did not accept the certificate"
                ),
            );
            session.peer_closed = true;
            return Ok(());
        }
        Err(e) => {
            session.transcript.record(Direction::Note, e.to_string());
            return Err(Failure::new(FailureKind::Tls, e.to_string()).at(loc));
        }
    }
    let deadline = Instant::now() + config.timeout;
    let what = "the client to end the session";
    match next_event(session, meta, loc, deadline, what).await {
        Ok(StreamEvent::Open(_)) => Err(Failure::new(
            FailureKind::Unexpected,
            format!(
                "the client completed the TLS handshake with a certificate it cannot validate \
                 and opened a new stream over it ({RULE})"
            ),
        )
        .at(loc)),
        Ok(StreamEvent::Close) => {
            ended(session, "closed its stream");
            Ok(())
        }
        Ok(StreamEvent::Element(e)) => Err(Failure::new(
            FailureKind::Unexpected,
            format!(
                "the client completed the TLS handshake with a certificate it cannot validate \
                 and sent <{}/> over it ({RULE})",
                e.display_name()
            ),
        )
        .at(loc)),
        Ok(StreamEvent::Error(_)) => {
            ended(session, "sent bytes that are no stream");
            Ok(())
        }
        Err(_) if session.peer_closed => {
            ended(session, "closed the connection");
            Ok(())
        }
        Err(failure) => Err(failure),
    }
}

/// The note for a client that completed the handshake and then gave up.
fn ended(session: &mut Session, how: &str) {
    session.peer_closed = true;
    session.transcript.record(
        Direction::Note,
        format!("after the handshake the client {how}: it ended the session"),
    );
}
