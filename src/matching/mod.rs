//! Compare what a peer sent with what a scenario expects.
//!
//! Rules (also in docs/scenario-format.md): names compare by namespace URI
//! and local name, never by prefix; attribute order is ignored; attributes
//! the pattern does not name are allowed, and `name='{absent}'` requires
//! one to be missing; a pattern's text, when it has any, must match the
//! received text (both trimmed); children compare in order and one to one,
//! unless the pattern has a `…` child, which makes the named children an
//! unordered subset; `{*}` as the whole content allows any content;
//! whitespace-only text is ignored on both sides.
//!
//! Patterns are compiled once, when the scenario is loaded
//! ([`compile`]); matching reads the run's bindings but never writes
//! them, and returns what it found ([`Matched`]: captures and the checks
//! of function calls) for the engine to commit once the whole element
//! matched.

pub mod compile;
mod found;
mod pattern;
mod pretty;
mod tree;
mod value;

pub use compile::{Mode, PatternError};
pub use found::{Check, Matched};
pub use pattern::{ElementPattern, HeaderPattern};

use crate::bindings::Bindings;
use crate::xml::{Element, NS_STREAMS, StreamHeader};

use found::State;
use tree::Failure;

/// Why a received element does not fit its pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct Mismatch {
    /// Where in the tree: `/stream:features/mechanisms/mechanism[2]`
    /// (`[n]` only when there are several siblings of that name).
    pub path: String,
    pub reason: String,
    /// The pattern, pretty-printed.
    pub expected: String,
    /// What arrived, pretty-printed.
    pub received: String,
}

impl Mismatch {
    /// Unified diff of expected against received, without colour (the
    /// reporter adds it).
    pub fn diff(&self) -> String {
        let expected = with_newline(&self.expected);
        let received = with_newline(&self.received);
        similar::TextDiff::from_lines(expected.as_str(), received.as_str())
            .unified_diff()
            .context_radius(3)
            .missing_newline_hint(false)
            .header("expected", "received")
            .to_string()
    }
}

fn with_newline(s: &str) -> String {
    if s.is_empty() || s.ends_with('\n') {
        s.to_owned()
    } else {
        format!("{s}\n")
    }
}

/// Match a first-level element. On success, what it found (new captures,
/// checks to run); `bindings` is only read.
pub fn match_element(
    pattern: &ElementPattern,
    received: &Element,
    bindings: &Bindings,
) -> Result<Matched, Mismatch> {
    let mut state = State::new(bindings);
    let path = format!("/{}", pattern.display_name());
    match tree::element(&pattern.root, received, &path, &mut state) {
        Ok(()) => Ok(state.into_matched()),
        Err(Failure { path, reason }) => Err(Mismatch {
            path,
            reason,
            expected: pretty::pretty(&pattern.source),
            received: pretty::pretty(received),
        }),
    }
}

/// Match a stream header: its attributes, and the namespace declarations
/// the pattern writes (`xmlns`, `xmlns:stream`) against those received.
pub fn match_header(
    pattern: &HeaderPattern,
    received: &StreamHeader,
    bindings: &Bindings,
) -> Result<Matched, Mismatch> {
    let got = &received.element;
    let fail = |reason: String| Mismatch {
        path: "/stream:stream".to_owned(),
        reason,
        expected: pretty::open_tag(&pattern.source),
        received: pretty::open_tag(got),
    };
    if !got.is(NS_STREAMS, "stream") {
        return Err(fail(format!(
            "expected <stream:stream xmlns:stream='{NS_STREAMS}'>, received <{} xmlns='{}'>",
            got.display_name(),
            got.ns
        )));
    }
    for (prefix, uri) in &pattern.declarations {
        let declared = got
            .declarations
            .iter()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str());
        let reason = match (prefix, declared) {
            (_, Some(d)) if d == uri => continue,
            (None, Some(d)) => format!("content namespace is {d}, expected {uri}"),
            (None, None) => format!("no content namespace declared, expected {uri}"),
            (Some(p), Some(d)) => format!("`xmlns:{p}` is {d}, expected {uri}"),
            (Some(p), None) => format!("`xmlns:{p}` is not declared, expected {uri}"),
        };
        return Err(fail(reason));
    }
    let mut state = State::new(bindings);
    tree::attributes(&pattern.attrs, &got.attrs, &mut state).map_err(fail)?;
    Ok(state.into_matched())
}

#[cfg(test)]
mod tests;
