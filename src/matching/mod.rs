//! Compare what a peer sent with what a scenario expects.
//!
//! Rules (also in docs/scenario-format.md): names compare by namespace URI
//! and local name, never by prefix; attribute order is ignored; attributes
//! the pattern does not name are allowed; children compare in order and one
//! to one, unless the pattern has a `…` child, which makes the named children
//! an unordered subset; whitespace-only text is ignored on both sides.

use crate::bindings::Bindings;
use crate::xml::{Element, StreamHeader};

/// Why a received element does not fit its pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct Mismatch {
    /// Where in the tree: `/stream:features/mechanisms[1]`.
    pub path: String,
    pub reason: String,
    /// The pattern, pretty-printed.
    pub expected: String,
    /// What arrived, pretty-printed.
    pub received: String,
}

impl Mismatch {
    /// Unified diff of expected against received.
    pub fn diff(&self) -> String {
        todo!()
    }
}

/// Match a first-level element. On success, new captures are added to
/// `bindings`; on failure `bindings` is left as it was.
pub fn match_element(
    pattern: &Element,
    received: &Element,
    bindings: &mut Bindings,
) -> Result<(), Mismatch> {
    let _ = (pattern, received, bindings);
    todo!()
}

/// Match a stream header: its attributes, and the namespace declarations
/// the pattern writes (`xmlns`, `xmlns:stream`) against those received.
pub fn match_header(
    pattern: &Element,
    received: &StreamHeader,
    bindings: &mut Bindings,
) -> Result<(), Mismatch> {
    let _ = (pattern, received, bindings);
    todo!()
}
