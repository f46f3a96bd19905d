//! The `sasl MECHANISM` step: a whole RFC 6120 §6 exchange driven by the
//! I/O-free mechanisms of [`crate::sasl`].
//!
//! Every payload is recorded as `[redacted]`: PLAIN carries the password
//! itself, and the other mechanisms' answers are derived from it.

use tokio::time::Instant;

use crate::sasl::{self, b64};
use crate::scenario::{Location, Meta};
use crate::xml::{Element, NS_SASL, NS_STREAMS, StreamEvent};

use super::RunConfig;
use super::failure::{Failure, FailureKind};
use super::session::{Received, Session};
use super::steps::{StepResult, send_failed};

/// The exchange with mechanism `name` failed.
fn fail(name: &str, message: String, loc: &Location) -> Box<Failure> {
    Failure::sasl(name, message).at(loc)
}

pub(super) async fn run(
    session: &mut Session,
    name: &str,
    config: &RunConfig,
    meta: &Meta,
    loc: &Location,
) -> StepResult {
    let offered = offered_mechanisms(session.features.as_ref()).unwrap_or_default();
    if !offered.iter().any(|m| m == name) {
        return Err(Failure::new(FailureKind::Unsupported, not_offered(name, &offered)).at(loc));
    }
    let credentials = session.credentials(&config.bindings);
    let domain = config.bindings.var("domain").unwrap_or_default();
    let Some(mut mechanism) = sasl::client(name, credentials, domain) else {
        return Err(Failure::new(
            FailureKind::HarnessBug,
            format!("this harness has no client for SASL {name}"),
        )
        .at(loc));
    };
    let initial = mechanism
        .initial_response()
        .map_err(|e| fail(name, named(name, &e), loc))?;
    let payload = initial.as_deref().map(b64::encode_initial_response);
    let auth = format!(
        "<auth xmlns='{NS_SASL}' mechanism='{name}'>{}</auth>",
        payload.as_deref().unwrap_or("")
    );
    let shown = format!(
        "<auth xmlns='{NS_SASL}' mechanism='{name}'>{}</auth>",
        if payload.is_some() { "[redacted]" } else { "" }
    );
    send(session, auth, shown, config, loc).await?;
    loop {
        let element = next_sasl_element(session, name, meta, loc, config).await?;
        match element.name.as_str() {
            "challenge" => {
                let challenge = b64::decode(element.text().trim()).map_err(|e| {
                    fail(
                        name,
                        format!("the server's <challenge/> is not valid base64: {e}"),
                        loc,
                    )
                })?;
                let answer = mechanism
                    .respond(&challenge)
                    .map_err(|e| fail(name, named(name, &e), loc))?;
                let response = format!(
                    "<response xmlns='{NS_SASL}'>{}</response>",
                    b64::encode(&answer)
                );
                let shown = format!("<response xmlns='{NS_SASL}'>[redacted]</response>");
                send(session, response, shown, config, loc).await?;
            }
            "success" => {
                let data = b64::decode_additional_data(element.text().trim()).map_err(|e| {
                    fail(
                        name,
                        format!("the server's <success/> data is not valid base64: {e}"),
                        loc,
                    )
                })?;
                mechanism.verify_success(data.as_deref()).map_err(|e| {
                    fail(
                        name,
                        format!("SASL {name}: the server's success does not check out: {e}"),
                        loc,
                    )
                })?;
                session.restart();
                return Ok(());
            }
            "failure" => {
                let condition = element
                    .child_elements()
                    .next()
                    .map(|c| c.name.to_string())
                    .unwrap_or_else(|| "no condition".to_string());
                return Err(Failure {
                    condition: Some(condition.clone()),
                    ..Failure::sasl(
                        name,
                        format!("SASL {name} authentication failed: <{condition}/>"),
                    )
                }
                .at(loc));
            }
            other => {
                return Err(fail(
                    name,
                    format!("expected <challenge/>, <success/> or <failure/>, received <{other}/>"),
                    loc,
                ));
            }
        }
    }
}

async fn send(
    session: &mut Session,
    bytes: String,
    shown: String,
    config: &RunConfig,
    loc: &Location,
) -> StepResult {
    session
        .send_shown(bytes.as_bytes(), shown, config.timeout)
        .await
        .map_err(|e| send_failed(&e, loc))
}

/// The next element in the SASL namespace; traffic the scenario ignores is
/// skipped, anything else fails the step.
async fn next_sasl_element(
    session: &mut Session,
    name: &str,
    meta: &Meta,
    loc: &Location,
    config: &RunConfig,
) -> Result<Element, Box<Failure>> {
    let deadline = Instant::now() + config.timeout;
    match session
        .wait(deadline, &meta.ignore)
        .await
        .map_err(|f| f.at(loc))?
    {
        Received::Event(StreamEvent::Element(e)) if e.ns == NS_SASL => Ok(e),
        Received::Event(StreamEvent::Element(e)) if e.ns == NS_STREAMS => Err(fail(
            name,
            format!(
                "the server answered the SASL exchange with <stream:{}>",
                e.name
            ),
            loc,
        )),
        Received::Event(_) => Err(fail(
            name,
            "unexpected traffic during the SASL exchange".to_string(),
            loc,
        )),
        Received::Eof => Err(Failure::new(
            FailureKind::PeerClosed,
            "the peer closed the connection during SASL",
        )
        .at(loc)),
        Received::Timeout => Err(Failure::new(
            FailureKind::Timeout,
            format!("no SASL answer within {:?}", config.timeout),
        )
        .at(loc)),
    }
}

/// "the server does not offer SASL X (it offers: A, B)": the reason of an
/// *unsupported* verdict.
pub(super) fn not_offered(name: &str, offered: &[String]) -> String {
    format!(
        "the server does not offer SASL {name} (it offers: {})",
        offered_list(offered)
    )
}

/// The offered mechanisms for a message: `A, B`, or `none`.
pub(super) fn offered_list(offered: &[String]) -> String {
    if offered.is_empty() {
        "none".to_string()
    } else {
        offered.join(", ")
    }
}

/// The mechanisms the last `<stream:features>` offered, in its order;
/// `None` when it has no `<mechanisms/>` list (or no features came yet).
pub(super) fn offered_mechanisms(features: Option<&Element>) -> Option<Vec<String>> {
    features
        .and_then(|f| f.child(NS_SASL, "mechanisms"))
        .map(|m| {
            m.child_elements()
                .filter(|c| c.is(NS_SASL, "mechanism"))
                .map(|c| c.text().trim().to_string())
                .collect()
        })
}

/// The error with the mechanism's name in front, once: most SASL errors
/// already start with it.
fn named(name: &str, e: &sasl::SaslError) -> String {
    let text = e.to_string();
    if text.starts_with(name) {
        text
    } else {
        format!("SASL {name}: {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{NS_STREAMS, Node};

    fn mechanisms(names: &[&str]) -> Element {
        let mut list = Element::new(NS_SASL, "mechanisms");
        for n in names {
            let mut m = Element::new(NS_SASL, "mechanism");
            m.children.push(Node::Text(format!(" {n} ").into()));
            list.children.push(Node::Element(m));
        }
        let mut features = Element::new(NS_STREAMS, "features");
        features.children.push(Node::Element(list));
        features
    }

    #[test]
    fn offered_mechanisms_come_from_the_features() {
        let f = mechanisms(&["SCRAM-SHA-1", "PLAIN"]);
        assert_eq!(
            offered_mechanisms(Some(&f)),
            Some(vec!["SCRAM-SHA-1".to_string(), "PLAIN".to_string()])
        );
        assert_eq!(offered_mechanisms(None), None);
        let empty = Element::new(NS_STREAMS, "features");
        assert_eq!(offered_mechanisms(Some(&empty)), None);
    }
}
