//! The `sasl` step when the harness plays the server (testing a client):
//! the client must pick one of the mechanisms the line names, and every
//! answer it gives is checked by the server-side mechanisms of
//! [`crate::sasl::server`] against `--user`/`--password`.
//!
//! With `wrong-proof` the harness sends a well-formed but wrong server
//! proof (DIGEST-MD5 `rspauth`, SCRAM server signature) and the client
//! passes only if it gives up: `<abort/>`, a close, or anything but going
//! on as if authenticated (RFC 2831 §2.1.3, RFC 5802 §5.1 make checking the
//! proof the client's duty).
//!
//! Received `<auth/>` and `<response/>` payloads are recorded as
//! `[redacted]` by the session (PLAIN carries the password itself).

use tokio::time::Instant;

use crate::sasl;
use crate::sasl::b64;
use crate::sasl::server::{
    Accounts, FailureCondition, FixedChallenge, Identity, ProofIn, SaslFailure, ServerOptions,
    ServerProof, ServerStep, decode_auth, decode_response, encode_success_data,
};
use crate::scenario::{Location, Meta, SaslOption, SaslSpec};
use crate::xml::{Element, NS_SASL, NS_STREAM_ERRORS, NS_STREAMS, StreamEvent};

use super::RunConfig;
use super::failure::{Failure, FailureKind};
use super::login::next_event;
use super::session::Session;
use super::steps::{StepResult, send_failed};
use super::transcript::Direction;

/// The client broke the SASL exchange.
fn fail(message: impl Into<String>, loc: &Location) -> Box<Failure> {
    Failure::new(FailureKind::Sasl, message).at(loc)
}

/// The server options a `sasl` line asks for.
fn options(spec: &SaslSpec) -> ServerOptions {
    let mut options = ServerOptions {
        offered: spec.mechanisms.clone(),
        ..ServerOptions::default()
    };
    for option in &spec.options {
        match option {
            SaslOption::WrongProof => {
                options.digest_md5.proof = ServerProof::Wrong;
                options.scram.proof = ServerProof::Wrong;
            }
            SaslOption::ProofInSuccess => {
                options.digest_md5.proof_in = ProofIn::SuccessData;
                options.scram.proof_in = ProofIn::SuccessData;
            }
            SaslOption::ProofInChallenge => {
                options.digest_md5.proof_in = ProofIn::Challenge;
                options.scram.proof_in = ProofIn::Challenge;
            }
            SaslOption::Challenge(bytes) => {
                options.digest_md5.first_challenge = Some(FixedChallenge::new(bytes.clone()));
            }
            // Checked on the identity once the client proved the password,
            // and on the client's choice.
            SaslOption::NoAuthzid | SaslOption::NoPlain => {}
        }
    }
    options
}

/// The name of `mechanism`'s server proof, for verdicts.
fn proof_name(mechanism: &str) -> &'static str {
    sasl::find(mechanism)
        .and_then(|m| m.server_proof)
        .map_or("server proof", |p| p.name)
}

pub(super) async fn run(
    session: &mut Session,
    spec: &SaslSpec,
    config: &RunConfig,
    meta: &Meta,
    loc: &Location,
) -> StepResult {
    let accounts = Accounts::new(
        config.bindings.var("domain").unwrap_or_default(),
        session.credentials(&config.bindings),
    );
    let options = options(spec);
    let wrong = spec.options.contains(&SaslOption::WrongProof);
    let no_authzid = spec.options.contains(&SaslOption::NoAuthzid);

    let auth = next_sasl(session, config, meta, loc, "<auth/>").await?;
    let auth = match auth {
        Ok(auth) => auth,
        // Mechanisms are the client's choice: one that speaks none of the
        // offered ones may only give up, by a close or a stream error.
        Err(how) => {
            return Err(Failure::new(
                FailureKind::Unsupported,
                format!(
                    "the client {how} without choosing a mechanism; offered: {}",
                    spec.mechanisms.join(", ")
                ),
            )
            .at(loc));
        }
    };
    if auth.name != "auth" {
        return Err(fail(
            format!(
                "expected <auth/>, the client sent <{}/> (RFC 6120 §6.4.2: SASL begins with <auth/>)",
                auth.name
            ),
            loc,
        ));
    }
    let name = auth.attr("mechanism").unwrap_or_default().to_string();
    if name == "PLAIN" && spec.options.contains(&SaslOption::NoPlain) {
        let failure = SaslFailure::new(
            FailureCondition::MechanismTooWeak,
            "PLAIN chosen over stronger offered mechanisms",
        );
        send_failure(session, config, &failure, loc).await?;
        return Err(fail(
            format!(
                "the client chose PLAIN although {} were offered too (RFC 6120 §13.8.3: a client \
                 MUST prefer more secure mechanisms to PLAIN; §6.3.3: it tries mechanisms in its \
                 own order of preference)",
                spec.mechanisms
                    .iter()
                    .filter(|m| *m != "PLAIN")
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            loc,
        ));
    }
    let mut mechanism = match sasl::server_mechanism(&name, &accounts, &options) {
        Ok(m) => m,
        Err(failure) => {
            send_failure(session, config, &failure, loc).await?;
            return Err(fail(
                format!(
                    "the client chose SASL {} but was offered {} (RFC 6120 §6.4.2: it must pick an offered mechanism)",
                    if name.is_empty() {
                        "without a mechanism attribute"
                    } else {
                        &name
                    },
                    spec.mechanisms.join(", ")
                ),
                loc,
            ));
        }
    };
    let mut step = match decode_auth(auth.text().trim()) {
        Ok(initial) => mechanism
            .start(initial.as_deref())
            .map_err(|e| harness_error(&e, loc))?,
        Err(failure) => return refuse(session, config, &name, &failure, loc).await,
    };
    let proof_in = sasl::find(&name)
        .and_then(|m| m.server_proof)
        .map(|p| (p.placed)(&options));
    let mut noted = false;
    loop {
        if let (false, Some(what)) = (noted, mechanism.verification()) {
            session.transcript.record(Direction::Note, what.to_string());
            noted = true;
        }
        if matches!(step, ServerStep::Success(_)) && no_authzid {
            unwanted_authzid(session, config, mechanism.identity(), &name, loc).await?;
        }
        match step {
            ServerStep::Challenge(data) => {
                let text = format!(
                    "<challenge xmlns='{NS_SASL}'>{}</challenge>",
                    b64::encode(&data)
                );
                send(session, config, &text, loc).await?;
            }
            ServerStep::Success(_) if wrong && proof_in == Some(ProofIn::Challenge) => {
                // The client answered the wrong proof as if it were right.
                return Err(fail(
                    format!(
                        "the client answered a wrong {} with a <response/> instead of giving up: it does not check the server's proof ({})",
                        proof_name(&name),
                        mechanism_rule(&name)
                    ),
                    loc,
                ));
            }
            ServerStep::Success(data) => {
                let text = format!(
                    "<success xmlns='{NS_SASL}'>{}</success>",
                    encode_success_data(data.as_deref())
                );
                send(session, config, &text, loc).await?;
                if wrong {
                    return after_wrong_success(session, config, meta, &name, loc).await;
                }
                session.restart();
                return Ok(());
            }
            ServerStep::Failure(failure) => {
                return refuse(session, config, &name, &failure, loc).await;
            }
        }
        let next = match next_sasl(session, config, meta, loc, "<response/>").await? {
            Ok(next) => next,
            Err(how) => return gave_up(session, wrong, &name, &how, loc),
        };
        step = match next.name.as_str() {
            "response" => match client_response(session, next.text().trim()) {
                Ok(response) => mechanism
                    .step(&response)
                    .map_err(|e| harness_error(&e, loc))?,
                Err(failure) => return refuse(session, config, &name, &failure, loc).await,
            },
            "abort" => {
                send_failure(session, config, &SaslFailure::aborted(), loc).await?;
                return gave_up(session, wrong, &name, "sent <abort/>", loc);
            }
            other => {
                return Err(fail(
                    format!(
                        "expected <response/> or <abort/>, the client sent <{other}/> (RFC 6120 §6.4.3, §6.4.5)"
                    ),
                    loc,
                ));
            }
        };
    }
}

/// The bytes of a client's `<response/>`. RFC 6120 spells out the lone
/// `=` for an empty initial response (§6.4.2) and empty success data
/// (§6.4.6) but says nothing of responses; clients (aiosasl, slixmpp) send
/// `=` for an empty one too, and the spec's authors took the omission for
/// an oversight, so the harness takes it as empty and notes it rather than
/// fail a client on a reading the RFC does not clearly make.
fn client_response(session: &mut Session, text: &str) -> Result<Vec<u8>, SaslFailure> {
    if text == "=" {
        session.transcript.record(
            Direction::Note,
            "the client sent \"=\" for an empty response, taken as empty (RFC 6120 defines it for <auth/> and <success/> only)",
        );
        return Ok(Vec::new());
    }
    decode_response(text)
}

/// RFC 6120 §6.3.8, cited where a client's authorization identity is
/// wrong.
const AUTHZID_RULE: &str = "RFC 6120 §6.3.8: an initiating entity that does not act on behalf of \
     another MUST NOT provide an authorization identity, and on a client stream one is a bare \
     JID, never a full JID";

/// With `no-authzid`, once the client proved its password: it acts for
/// itself, so any authorization identity it sent breaks §6.3.8 (the
/// server answers `<invalid-authzid/>` instead of `<success/>`).
async fn unwanted_authzid(
    session: &mut Session,
    config: &RunConfig,
    identity: Option<&Identity>,
    name: &str,
    loc: &Location,
) -> StepResult {
    let Some(authzid) = identity.and_then(Identity::authzid) else {
        return Ok(());
    };
    let failure = SaslFailure::new(
        FailureCondition::InvalidAuthzid,
        format!("authzid {authzid:?} from a client acting for itself"),
    );
    send_failure(session, config, &failure, loc).await?;
    Err(fail(
        format!(
            "SASL {name}: the client, acting for itself, sent the authorization identity {authzid:?} ({AUTHZID_RULE})"
        ),
        loc,
    ))
}

/// The rule a client of `mechanism` follows, cited in failures: the
/// exchange, and for mechanisms with a server proof, the duty to check it.
fn mechanism_rule(mechanism: &str) -> &'static str {
    sasl::find(mechanism).map_or("RFC 6120 §6.4", |m| m.spec)
}

/// A fault on the harness's side (its random source, a misuse of the
/// mechanism), not the client's.
fn harness_error(e: &impl std::fmt::Display, loc: &Location) -> Box<Failure> {
    Failure::new(
        FailureKind::HarnessBug,
        format!("the harness's SASL server failed: {e}"),
    )
    .at(loc)
}

/// The client stopped: right after a wrong proof, wrong otherwise.
fn gave_up(
    session: &mut Session,
    wrong: bool,
    name: &str,
    how: &str,
    loc: &Location,
) -> StepResult {
    if wrong {
        session.transcript.record(
            Direction::Note,
            format!(
                "the client {how} after the wrong {}: it checks the proof",
                proof_name(name)
            ),
        );
        session.peer_closed = true;
        return Ok(());
    }
    Err(fail(
        format!(
            "the client {how} in the middle of SASL {name}, whose exchange the server followed ({})",
            mechanism_rule(name)
        ),
        loc,
    ))
}

/// After `<success/>` with a wrong proof, the client must not go on with a
/// new stream.
async fn after_wrong_success(
    session: &mut Session,
    config: &RunConfig,
    meta: &Meta,
    name: &str,
    loc: &Location,
) -> StepResult {
    session.restart();
    let deadline = Instant::now() + config.timeout;
    // The client that refuses the proof closes the stream it had, so its
    // `</stream:stream>` reaches a parser that expects a new header: no
    // finding of the lint's byte rules there.
    session.not_xml_expected = true;
    let reaction = next_event(session, meta, loc, deadline, "the client's reaction").await;
    session.not_xml_expected = false;
    match reaction {
        Ok(StreamEvent::Open(_)) => Err(fail(
            format!(
                "the client opened a new stream after <success/> carrying a wrong {}: it does not check the server's proof ({})",
                proof_name(name),
                mechanism_rule(name)
            ),
            loc,
        )),
        // A close, a stream error, garbage: the client gave up.
        Ok(_) | Err(_) => gave_up(session, true, name, "stopped", loc),
    }
}

/// Send `<failure/>` and fail the step with what the client got wrong.
async fn refuse(
    session: &mut Session,
    config: &RunConfig,
    name: &str,
    failure: &SaslFailure,
    loc: &Location,
) -> StepResult {
    send_failure(session, config, failure, loc).await?;
    // A client stream's authzid that is not the user's bare JID (a full
    // JID, another user): the rule is §6.3.8's.
    let rule = if failure.condition == FailureCondition::InvalidAuthzid {
        format!(" ({AUTHZID_RULE})")
    } else {
        String::new()
    };
    Err(fail(
        format!(
            "SASL {name}: the client's answer was refused with <{}/>: {}{rule}",
            failure.condition.element_name(),
            failure.detail
        ),
        loc,
    ))
}

async fn send_failure(
    session: &mut Session,
    config: &RunConfig,
    failure: &SaslFailure,
    loc: &Location,
) -> StepResult {
    let text = format!(
        "<failure xmlns='{NS_SASL}'><{}/></failure>",
        failure.condition.element_name()
    );
    send(session, config, &text, loc).await
}

async fn send(session: &mut Session, config: &RunConfig, text: &str, loc: &Location) -> StepResult {
    session
        .send(text.as_bytes(), config.timeout)
        .await
        .map_err(|e| send_failed(&e, loc))
}

/// The client's next SASL element, or how it gave up instead: it closed
/// the stream or the connection, or sent a stream error (RFC 6120 §4.9:
/// the way to end a stream it cannot go on with).
async fn next_sasl(
    session: &mut Session,
    config: &RunConfig,
    meta: &Meta,
    loc: &Location,
    waiting_for: &str,
) -> Result<Result<Element, String>, Box<Failure>> {
    let deadline = Instant::now() + config.timeout;
    match next_event(session, meta, loc, deadline, waiting_for).await {
        Ok(StreamEvent::Element(e)) if e.ns == NS_SASL => Ok(Ok(e)),
        Ok(StreamEvent::Close) => Ok(Err("closed the stream".to_string())),
        Ok(StreamEvent::Element(e)) if e.ns == NS_STREAMS && e.name == "error" => {
            let condition = e
                .child_elements()
                .find(|c| c.ns == NS_STREAM_ERRORS && c.name != "text")
                .map_or("no condition".to_string(), |c| format!("<{}/>", c.name));
            Ok(Err(format!("sent a stream error ({condition})")))
        }
        Ok(StreamEvent::Element(e)) => Err(fail(
            format!(
                "expected {waiting_for}, the client sent <{}/>",
                e.display_name()
            ),
            loc,
        )),
        Ok(_) => Err(fail(
            format!("expected {waiting_for}, the client opened a new stream"),
            loc,
        )),
        Err(_) if session.peer_closed => Ok(Err("closed the connection".to_string())),
        Err(e) => Err(e),
    }
}
