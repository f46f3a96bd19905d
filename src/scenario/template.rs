//! Text with placeholders: `{domain}`, `{$capture}`, `{*}`, `{hex:EB80}`.
//!
//! The same syntax serves both sides: in lines the harness sends, the
//! placeholders are substituted; in attribute values and text of patterns,
//! they are matched (see `crate::matching`).

use crate::bindings::Bindings;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    /// `{domain}`: a command-line variable.
    Var(String),
    /// `{$name}`: captured when first matched, compared afterwards.
    Capture(String),
    /// `{*}`: any text (patterns only).
    Any,
    /// `{hex:EB80}`: raw bytes, possibly not UTF-8 (sent lines only).
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    pub segments: Vec<Segment>,
}

/// A placeholder that cannot be parsed; `offset` is the byte offset in the
/// template text where it starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub offset: usize,
    pub message: String,
    /// A suggestion such as "did you mean `{domain}`?".
    pub help: Option<String>,
}

/// A placeholder with no value at run time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{{{0}}}` has no value here")]
pub struct Unbound(pub String);

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let _ = text;
        todo!()
    }

    /// Substitute every placeholder, for sending. `{*}` is an error here.
    pub fn render(&self, bindings: &Bindings) -> Result<Vec<u8>, Unbound> {
        let _ = bindings;
        todo!()
    }
}
