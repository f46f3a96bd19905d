//! Stream-level faults the parser detects, each mapped to the RFC 6120 §4.9.3
//! condition that a conforming receiver sends for it.

use std::fmt;

/// RFC 6120 §4.9.3 defined stream error conditions that the parser can
/// decide on its own (the others depend on the session's state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    /// §4.9.3.1: a first-level child that is not allowed there.
    BadFormat,
    /// §4.9.3.2: an unbound prefix or a `stream` element with a wrong prefix.
    BadNamespacePrefix,
    /// §4.9.3.10: wrong stream namespace or content namespace.
    InvalidNamespace,
    /// §4.9.3.13: not well-formed XML.
    NotWellFormed,
    /// §4.9.3.14: a local limit was exceeded (stanza size, depth, ...).
    PolicyViolation,
    /// §4.9.3.18: comments, PIs, DTDs, undefined entity references (§11.1).
    RestrictedXml,
    /// §4.9.3.22: an encoding other than UTF-8 (§11.6).
    UnsupportedEncoding,
    /// §4.9.3.24: a first-level child the stream does not know.
    UnsupportedStanzaType,
    /// §4.9.3.25: a stream `version` the receiver cannot handle.
    UnsupportedVersion,
}

impl Condition {
    /// The element name as it appears inside `<stream:error>`.
    pub fn element_name(self) -> &'static str {
        match self {
            Condition::BadFormat => "bad-format",
            Condition::BadNamespacePrefix => "bad-namespace-prefix",
            Condition::InvalidNamespace => "invalid-namespace",
            Condition::NotWellFormed => "not-well-formed",
            Condition::PolicyViolation => "policy-violation",
            Condition::RestrictedXml => "restricted-xml",
            Condition::UnsupportedEncoding => "unsupported-encoding",
            Condition::UnsupportedStanzaType => "unsupported-stanza-type",
            Condition::UnsupportedVersion => "unsupported-version",
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.element_name())
    }
}

/// A fault found in the byte stream, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{condition} at byte {offset}: {detail}")]
pub struct StreamError {
    pub condition: Condition,
    /// Offset of the offending byte from the start of the stream.
    pub offset: u64,
    /// What exactly was wrong, for a human.
    pub detail: String,
}

/// How the detail of an unbound prefix's fault begins (`ns::unbound`
/// writes it), which tells it from the other `bad-namespace-prefix` fault,
/// a stream header written with another prefix than `stream`.
pub(crate) const UNBOUND_PREFIX: &str = "namespace prefix";

impl StreamError {
    /// A prefix used without a declaration: XML that is well-formed but
    /// not namespace-well-formed (Namespaces in XML 1.0 §5), unlike the
    /// other `bad-namespace-prefix` fault, a stream header whose prefix
    /// the parser does not accept.
    pub fn is_unbound_prefix(&self) -> bool {
        self.condition == Condition::BadNamespacePrefix && self.detail.starts_with(UNBOUND_PREFIX)
    }
}
