//! A passive lint: rules every stream header, stanza and stream error must
//! follow, checked on everything the peer sends in every scenario,
//! whatever the scenario is about.
//!
//! A scenario checks the answer it asked for; a server can still break a
//! rule of the core in what it sends along the way (an iq result with two
//! payloads, an error stanza without a condition, a prefixed stanza). Each
//! rule here is one sentence of RFC 6120 (or RFC 6121) that a single
//! received element or stream header can be held to, so a finding is
//! always a claim about the peer, with its rule and the rule's level: the
//! engine fails the scenario for a MUST and makes it non-strict for a
//! SHOULD (a pinned finding is no less a departure because the scenario's
//! subject was something else).
//!
//! Three kinds of rule: on a first-level element, on a stream header, and
//! on bytes the parser refused (XML that is not well-formed, restricted
//! or not UTF-8 is a finding of its own, beside the step it fails).
//!
//! The table [`RULES`] (in `rules.rs`) is the one place a rule is defined;
//! its unit tests hold each rule to what Prosody 0.12 and ejabberd 23.01
//! really sent (which passes) and to the same thing broken (which does
//! not).

mod lang;
mod predicates;
mod rules;

use crate::scenario::{Level, Peer};
use crate::xml::{Element, StreamError, StreamHeader};

pub use rules::RULES;

/// One rule.
pub struct Rule {
    /// A short stable name (`iq-id`).
    pub name: &'static str,
    /// Where the rule is written.
    pub spec: &'static str,
    /// The rule's level: a MUST finding fails the scenario, a SHOULD
    /// finding makes it non-strict.
    pub level: Level,
    /// What it requires, in our words.
    pub requires: &'static str,
    /// The inventoried statements (`spec/*.toml`) the rule enforces, each
    /// with the senders it holds them to: a statement is listed only when
    /// breaking it, as that sender, in one element or header breaks the
    /// rule. `xmpp-conform coverage` counts them as covered by the lint
    /// (for a sender the statement binds); a unit test checks every id
    /// against the inventory.
    pub enforces: &'static [(&'static str, &'static [Peer])],
    /// What the rule is held to.
    broken: Broken,
}

/// What a rule looks at, and how it tells it is broken.
enum Broken {
    /// A first-level element the peer sent.
    Element(fn(&Element) -> bool),
    /// A stream header the peer sent, knowing which side sent it: a server
    /// sends response headers, a client initial ones (RFC 6120 §4.7 holds
    /// them to different rules).
    Header(fn(&StreamHeader, Peer) -> bool),
    /// Bytes the peer sent that the parser refused, by what the parser
    /// found: XML that is not well-formed, restricted or not UTF-8 breaks
    /// §11 whatever the scenario was about.
    Bytes(fn(&StreamError) -> bool),
}

/// A rule the peer broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub spec: &'static str,
    pub level: Level,
    pub requires: &'static str,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.level {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        };
        write!(
            f,
            "{} ({} {level}: {})",
            self.rule, self.spec, self.requires
        )
    }
}

impl Rule {
    fn finding(&self) -> Finding {
        Finding {
            rule: self.name,
            spec: self.spec,
            level: self.level,
            requires: self.requires,
        }
    }
}

/// The rules `element`, a first-level element the peer sent, breaks.
pub fn check(element: &Element) -> Vec<Finding> {
    RULES
        .iter()
        .filter(|rule| matches!(rule.broken, Broken::Element(broken) if broken(element)))
        .map(Rule::finding)
        .collect()
}

/// The rules `header`, a stream header (with the XML declaration before
/// it) that `sender` sent, breaks.
pub fn check_header(header: &StreamHeader, sender: Peer) -> Vec<Finding> {
    RULES
        .iter()
        .filter(|rule| matches!(rule.broken, Broken::Header(broken) if broken(header, sender)))
        .map(Rule::finding)
        .collect()
}

/// The rules `error`, the parser's refusal of bytes the peer sent where
/// XML was due, breaks.
pub fn check_bytes(error: &StreamError) -> Vec<Finding> {
    RULES
        .iter()
        .filter(|rule| matches!(rule.broken, Broken::Bytes(broken) if broken(error)))
        .map(Rule::finding)
        .collect()
}

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;
