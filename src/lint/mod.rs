//! A passive lint: rules every stanza and stream error must follow,
//! checked on every element the peer sends in every scenario, whatever the
//! scenario is about.
//!
//! A scenario checks the answer it asked for; a server can still break a
//! rule of the core in what it sends along the way (an iq result with two
//! payloads, an error stanza without a condition). Each rule here is one
//! sentence of RFC 6120 that a single received element can be held to, so
//! a finding is always a claim about the peer, with its rule: the engine
//! fails the scenario it occurred in (a pinned finding is no less a
//! departure because the scenario's subject was something else).
//!
//! The table [`RULES`] is the one place a rule is defined; its unit tests
//! hold each rule to an element captured from a real server (which passes)
//! and to the same element broken (which does not).

use crate::xml::{Element, NS_CLIENT, NS_STANZAS, NS_STREAM_ERRORS, NS_STREAMS};

/// One rule.
pub struct Rule {
    /// A short stable name (`iq-id`).
    pub name: &'static str,
    /// Where the rule is written.
    pub spec: &'static str,
    /// What it requires, in our words.
    pub requires: &'static str,
    /// Whether `element`, a first-level element, breaks it.
    broken: fn(&Element) -> bool,
}

/// A rule a received element broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub spec: &'static str,
    pub requires: &'static str,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}: {})", self.rule, self.spec, self.requires)
    }
}

/// Every rule, in the order findings are reported.
pub static RULES: &[Rule] = &[
    Rule {
        name: "iq-id",
        spec: "RFC 6120 §8.2.3",
        requires: "an iq stanza has an 'id' attribute",
        broken: |e| is_stanza(e, "iq") && e.attr("id").is_none_or(str::is_empty),
    },
    Rule {
        name: "iq-type",
        spec: "RFC 6120 §8.2.3",
        requires: "an iq stanza's 'type' is get, set, result or error",
        broken: |e| {
            is_stanza(e, "iq")
                && !matches!(e.attr("type"), Some("get" | "set" | "result" | "error"))
        },
    },
    Rule {
        name: "iq-request-payload",
        spec: "RFC 6120 §8.2.3",
        requires: "an iq of type get or set contains exactly one child element",
        broken: |e| {
            is_stanza(e, "iq")
                && matches!(e.attr("type"), Some("get" | "set"))
                && e.child_elements().count() != 1
        },
    },
    Rule {
        name: "iq-result-payload",
        spec: "RFC 6120 §8.2.3",
        requires: "an iq of type result contains zero or one child element",
        broken: |e| {
            is_stanza(e, "iq") && e.attr("type") == Some("result") && e.child_elements().count() > 1
        },
    },
    Rule {
        name: "error-child",
        spec: "RFC 6120 §8.3.1",
        requires: "a stanza of type error contains an <error/> child",
        broken: |e| is_any_stanza(e) && e.attr("type") == Some("error") && error_of(e).is_none(),
    },
    Rule {
        name: "error-condition",
        spec: "RFC 6120 §8.3.2",
        requires: "a stanza's <error/> contains a defined condition element",
        broken: |e| {
            is_any_stanza(e)
                && e.attr("type") == Some("error")
                && error_of(e).is_some_and(|error| !has_condition(error, NS_STANZAS))
        },
    },
    Rule {
        name: "error-type",
        spec: "RFC 6120 §8.3.2",
        requires: "a stanza's <error/> has a 'type' of auth, cancel, continue, modify or wait",
        broken: |e| {
            is_any_stanza(e)
                && e.attr("type") == Some("error")
                && error_of(e).is_some_and(|error| {
                    !matches!(
                        error.attr("type"),
                        Some("auth" | "cancel" | "continue" | "modify" | "wait")
                    )
                })
        },
    },
    Rule {
        name: "stream-error-condition",
        spec: "RFC 6120 §4.9.2",
        requires: "a stream error contains a defined condition element",
        broken: |e| e.is(NS_STREAMS, "error") && !has_condition(e, NS_STREAM_ERRORS),
    },
];

/// The rules `element`, a first-level element the peer sent, breaks.
pub fn check(element: &Element) -> Vec<Finding> {
    RULES
        .iter()
        .filter(|rule| (rule.broken)(element))
        .map(|rule| Finding {
            rule: rule.name,
            spec: rule.spec,
            requires: rule.requires,
        })
        .collect()
}

fn is_stanza(e: &Element, name: &str) -> bool {
    e.is(NS_CLIENT, name)
}

fn is_any_stanza(e: &Element) -> bool {
    e.ns == NS_CLIENT && matches!(e.name.as_str(), "message" | "presence" | "iq")
}

fn error_of(e: &Element) -> Option<&Element> {
    e.child(NS_CLIENT, "error")
}

/// A child in `ns` other than `<text/>`: the condition.
fn has_condition(e: &Element, ns: &str) -> bool {
    e.child_elements().any(|c| c.ns == ns && c.name != "text")
}

#[cfg(test)]
mod tests;
