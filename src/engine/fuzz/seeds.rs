//! Stanzas to mutate, taken from the scenario files: every line the
//! harness sends that parses as one first-level element.

use crate::bindings::Bindings;
use crate::scenario::{Action, Peer, Scenario};
use crate::xml::{Element, NS_CLIENT, NS_STREAMS, NamespaceScope, parse_element};

use super::Phase;

/// The distinct elements the server scenarios send, fit for `phase`:
/// before authentication anything (stanzas, `<auth/>`, `<starttls/>`);
/// after it, stanzas only (SASL and TLS elements are over by then).
pub(super) fn from_scenarios(
    scenarios: &[Scenario],
    bindings: &Bindings,
    phase: Phase,
) -> Vec<Element> {
    let scope: NamespaceScope = vec![
        (None, NS_CLIENT.into()),
        (Some("stream".into()), NS_STREAMS.into()),
    ];
    let mut seeds: Vec<Element> = Vec::new();
    for scenario in scenarios.iter().filter(|s| s.meta.peer == Peer::Server) {
        for step in &scenario.steps {
            let Action::Send(template) = &step.action else {
                continue;
            };
            let Ok(bytes) = template.render(bindings) else {
                continue;
            };
            let Ok(element) = parse_element(&bytes, &scope) else {
                continue;
            };
            let is_stanza = element.ns == NS_CLIENT
                && matches!(element.name.as_str(), "message" | "presence" | "iq");
            if (phase == Phase::PostAuth && !is_stanza) || seeds.contains(&element) {
                continue;
            }
            seeds.push(element);
        }
    }
    if seeds.is_empty() {
        // Scenarios that send nothing usable: a ping is always a stanza.
        if let Ok(ping) = parse_element(
            b"<iq type='get' id='seed'><ping xmlns='urn:xmpp:ping'/></iq>",
            &scope,
        ) {
            seeds.push(ping);
        }
    }
    seeds
}
