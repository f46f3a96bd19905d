//! The `login` and `authenticate` steps: everything a client does before
//! its first stanza, for scenarios whose subject comes after.
//!
//! The order is RFC 6120's (§5, §6, §7; the flow of §9.1 and §9.2): open
//! the stream, STARTTLS when offered (and the run allows it), SASL with
//! the strongest mechanism offered (or `--mechanism`), restart, then for
//! `login` bind a resource: the client's `{resource}` if the run sets one,
//! otherwise the server's choice. The bound full JID becomes the capture
//! `$jid`. A server that still lists the RFC 3921 session feature as
//! mandatory gets its `<session/>` request too.
//!
//! Every step here is checked as strictly as the spelled-out scenarios
//! check it: a server that breaks it fails the scenario that logs in, with
//! the step named.

use tokio::time::Instant;

use crate::bindings::Bindings;
use crate::sasl;
use crate::scenario::{Location, Meta};
use crate::xml::{
    Element, NS_BIND, NS_CLIENT, NS_SESSION, NS_STREAMS, NS_TLS, StreamEvent, writer,
};

use super::RunConfig;
use super::TlsMode;
use super::failure::{Failure, FailureKind};
use super::sasl_step::{self, offered_list, offered_mechanisms};
use super::session::{Received, Session};
use super::steps::{StepResult, send_failed};

/// The peer answered a step of the login with something else than the
/// RFC's answer.
fn fail(message: impl Into<String>, loc: &Location) -> Box<Failure> {
    Failure::new(FailureKind::Unexpected, message).at(loc)
}

pub(super) async fn run(
    session: &mut Session,
    config: &RunConfig,
    meta: &Meta,
    bindings: &mut Bindings,
    bind: bool,
    loc: &Location,
) -> StepResult {
    if session.features.is_none() {
        open_stream(session, config, meta, loc).await?;
    }
    if offers(session, NS_TLS, "starttls") && !session.is_tls() {
        match config.tls {
            TlsMode::StartTls => {
                send(
                    session,
                    config,
                    &format!("<starttls xmlns='{NS_TLS}'/>"),
                    loc,
                )
                .await?;
                let answer = next_element(session, config, meta, loc, "<proceed/>").await?;
                if !answer.is(NS_TLS, "proceed") {
                    return Err(fail(
                        format!("STARTTLS: expected <proceed/>, received <{}/>", answer.name),
                        loc,
                    ));
                }
                super::steps::start_tls(session, config, false, loc).await?;
                open_stream(session, config, meta, loc).await?;
            }
            TlsMode::None | TlsMode::Direct if requires_tls(session) => {
                return Err(Failure::new(
                    FailureKind::NeedsUnmet,
                    "the server requires STARTTLS; this run has TLS off (--tls none)",
                )
                .at(loc));
            }
            TlsMode::None | TlsMode::Direct => {}
        }
    }
    let mechanism = choose_mechanism(session, config)
        .map_err(|why| Failure::new(FailureKind::Unsupported, why).at(loc))?;
    sasl_step::run(session, mechanism, config, meta, loc).await?;
    open_stream(session, config, meta, loc).await?;
    if bind {
        bind_resource(session, config, meta, bindings, loc).await?;
    }
    Ok(())
}

/// The mechanism `login` uses: `--mechanism` if given (it must be
/// offered), else the strongest offered one the catalogue picks on its own
/// (PLAIN only over TLS).
fn choose_mechanism(session: &Session, config: &RunConfig) -> Result<&'static str, String> {
    let offered = offered_mechanisms(session.features.as_ref()).unwrap_or_default();
    let wanted = config.mechanism.as_deref();
    if let Some(m) = sasl::select(&offered, wanted, session.is_tls()) {
        return Ok(m.name);
    }
    let list = offered_list(&offered);
    Err(match wanted {
        Some(wanted) => {
            format!("--mechanism {wanted}: the server does not offer it (it offers: {list})")
        }
        None => {
            format!("no SASL mechanism this harness logs in with is offered (it offers: {list})")
        }
    })
}

fn offers(session: &Session, ns: &str, name: &str) -> bool {
    session
        .features
        .as_ref()
        .is_some_and(|f| f.child(ns, name).is_some())
}

fn requires_tls(session: &Session) -> bool {
    session
        .features
        .as_ref()
        .and_then(|f| f.child(NS_TLS, "starttls"))
        .is_some_and(|s| s.child(NS_TLS, "required").is_some())
}

/// The stream header a client sends to the run's domain.
pub(super) fn stream_header(config: &RunConfig) -> String {
    let domain = config.bindings.var("domain").unwrap_or_default();
    format!(
        "<?xml version='1.0'?><stream:stream to='{}' version='1.0' xml:lang='en' \
         xmlns='{NS_CLIENT}' xmlns:stream='{NS_STREAMS}'>",
        writer::escape_value(domain)
    )
}

/// Send a stream header and wait for the peer's header and features.
pub(super) async fn open_stream(
    session: &mut Session,
    config: &RunConfig,
    meta: &Meta,
    loc: &Location,
) -> StepResult {
    send(session, config, &stream_header(config), loc).await?;
    let deadline = Instant::now() + config.timeout;
    match next_event(session, meta, loc, deadline, "a stream header").await? {
        StreamEvent::Open(_) => {}
        other => {
            return Err(fail(
                format!("expected a stream header, received {}", describe(&other)),
                loc,
            ));
        }
    }
    let features = next_element(session, config, meta, loc, "<stream:features/>").await?;
    if !features.is(NS_STREAMS, "features") {
        return Err(fail(
            format!(
                "expected <stream:features/> after the stream header (RFC 6120 §4.3.2), received <{}/>",
                features.name
            ),
            loc,
        ));
    }
    Ok(())
}

/// Resource binding (RFC 6120 §7): the run's `{resource}` or the server's
/// choice; the result's JID is captured as `$jid`.
async fn bind_resource(
    session: &mut Session,
    config: &RunConfig,
    meta: &Meta,
    bindings: &mut Bindings,
    loc: &Location,
) -> StepResult {
    if !offers(session, NS_BIND, "bind") {
        return Err(fail(
            "the features after authentication do not offer resource binding (RFC 6120 §7.4)",
            loc,
        ));
    }
    // The account's own resource (a scansion `[Client]`'s) before the run's.
    let own = session.account.as_ref().and_then(|a| a.resource.clone());
    let resource = own
        .as_deref()
        .or_else(|| config.bindings.var("resource"))
        .map(|r| format!("<resource>{}</resource>", writer::escape_value(r)))
        .unwrap_or_default();
    let request =
        format!("<iq type='set' id='xc-bind'><bind xmlns='{NS_BIND}'>{resource}</bind></iq>");
    send(session, config, &request, loc).await?;
    let answer = next_element(session, config, meta, loc, "the bind result").await?;
    if answer.name != "iq" || answer.attr("id") != Some("xc-bind") {
        return Err(fail(
            format!(
                "expected the bind result <iq id='xc-bind'/>, received <{}/>",
                answer.name
            ),
            loc,
        ));
    }
    if answer.attr("type") != Some("result") {
        return Err(fail(
            format!(
                "resource binding failed: {}",
                crate::xml::writer::to_xml(&answer)
            ),
            loc,
        ));
    }
    let jid = answer
        .child(NS_BIND, "bind")
        .and_then(|b| b.child(NS_BIND, "jid"))
        .map(|j| j.text().trim().to_string())
        .filter(|j| !j.is_empty())
        .ok_or_else(|| fail("the bind result has no <jid/> (RFC 6120 §7.6.1)", loc))?;
    session
        .transcript
        .record(super::Direction::Note, format!("bound as {jid}"));
    // `$jid` is the latest login's; `$NAME.jid` stays connection NAME's.
    bindings.set_capture(format!("{}.jid", session.name), jid.clone());
    bindings.set_capture("jid", jid);
    if needs_session(session) {
        let request =
            format!("<iq type='set' id='xc-session'><session xmlns='{NS_SESSION}'/></iq>");
        send(session, config, &request, loc).await?;
        let answer = next_element(session, config, meta, loc, "the session result").await?;
        if answer.attr("type") != Some("result") {
            return Err(fail(
                format!(
                    "session establishment failed: {}",
                    crate::xml::writer::to_xml(&answer)
                ),
                loc,
            ));
        }
    }
    Ok(())
}

/// RFC 3921's session feature, still listed by some servers; only a
/// session without `<optional/>` (RFC 6121 Appendix E) needs the request.
fn needs_session(session: &Session) -> bool {
    session
        .features
        .as_ref()
        .and_then(|f| f.child(NS_SESSION, "session"))
        .is_some_and(|s| s.child(NS_SESSION, "optional").is_none())
}

async fn send(session: &mut Session, config: &RunConfig, text: &str, loc: &Location) -> StepResult {
    session
        .send(text.as_bytes(), config.timeout)
        .await
        .map_err(|e| send_failed(&e, loc))
}

/// The next first-level element, within the timeout.
async fn next_element(
    session: &mut Session,
    config: &RunConfig,
    meta: &Meta,
    loc: &Location,
    waiting_for: &str,
) -> Result<Element, Box<Failure>> {
    let deadline = Instant::now() + config.timeout;
    match next_event(session, meta, loc, deadline, waiting_for).await? {
        StreamEvent::Element(e) if e.is(NS_STREAMS, "error") => Err(fail(
            format!(
                "expected {waiting_for}, received a stream error: {}",
                crate::xml::writer::to_xml(&e)
            ),
            loc,
        )),
        StreamEvent::Element(e) => Ok(e),
        other => Err(fail(
            format!("expected {waiting_for}, received {}", describe(&other)),
            loc,
        )),
    }
}

/// The next event the scenario does not ignore, or the failure that
/// waiting for it ended in.
pub(super) async fn next_event(
    session: &mut Session,
    meta: &Meta,
    loc: &Location,
    deadline: Instant,
    waiting_for: &str,
) -> Result<StreamEvent, Box<Failure>> {
    let failure = |kind, message: String| Failure::new(kind, message).at(loc);
    // Login waits for iq answers (bind, session) itself: a scenario that
    // lets unrelated iq stanzas through (`ignore = ["iq"]`, for roster
    // pushes) must not have those skipped.
    let ignore: Vec<String> = meta.ignore.iter().filter(|i| *i != "iq").cloned().collect();
    match session
        .wait(deadline, &ignore)
        .await
        .map_err(|f| f.at(loc))?
    {
        Received::Event(StreamEvent::Error(e)) => Err(failure(
            FailureKind::NotXml,
            format!("expected {waiting_for}; the peer sent bytes that are not XMPP's XML: {e}"),
        )),
        Received::Event(ev) => Ok(ev),
        Received::Eof => Err(failure(
            FailureKind::PeerClosed,
            format!("expected {waiting_for}; the peer closed the connection"),
        )),
        Received::Timeout => Err(failure(
            FailureKind::Timeout,
            format!("expected {waiting_for}; nothing arrived in time"),
        )),
    }
}

fn describe(event: &StreamEvent) -> String {
    match event {
        StreamEvent::Open(_) => "a stream header".to_string(),
        StreamEvent::Element(e) => format!("<{}/>", e.display_name()),
        StreamEvent::Close => "</stream:stream>".to_string(),
        StreamEvent::Error(e) => format!("bytes that are not XMPP's XML ({e})"),
    }
}
