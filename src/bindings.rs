//! The values a scenario's placeholders stand for during one run.
//!
//! `{domain}`-style variables come from the command line; `{$name}`
//! captures are filled in by patterns as the peer's answers arrive.
//!
//! Whether a value may be shown in a report is a property of the value,
//! set by whoever supplies it (the command line wraps `--password` in a
//! [`Secret`]), so redaction follows the value wherever it is used rather
//! than a list of names that could fall out of date.

use std::collections::BTreeMap;

use crate::sasl::Secret;

/// The variables a scenario may use, set from the command line.
pub const KNOWN_VARIABLES: &[&str] = &["domain", "user", "password", "jid", "resource"];

/// Whether `name` is a valid capture name: `[A-Za-z_][A-Za-z0-9_-]*`.
/// Here, beside the variable names, because both the placeholder syntax
/// and function arguments spell captures.
pub fn is_capture_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A variable's value. A secret one is used like any other to compute
/// what is sent, but every report shows `[redacted]` in its place (and its
/// `Debug` prints that too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Plain(String),
    Secret(Secret),
}

impl Value {
    /// The text, for sending and computing; never for a report unless
    /// [`Value::is_secret`] is false.
    pub fn text(&self) -> &str {
        match self {
            Value::Plain(text) => text,
            Value::Secret(secret) => secret.expose(),
        }
    }

    pub fn is_secret(&self) -> bool {
        matches!(self, Value::Secret(_))
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::Plain(text)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::Plain(text.to_owned())
    }
}

impl From<Secret> for Value {
    fn from(secret: Secret) -> Value {
        Value::Secret(secret)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bindings {
    vars: BTreeMap<String, Value>,
    captures: BTreeMap<String, String>,
}

impl Bindings {
    pub fn new() -> Self {
        Bindings::default()
    }

    /// Set a command-line variable such as `domain`; pass a [`Secret`] for
    /// a value reports must not show.
    pub fn set_var(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.vars.insert(name.into(), value.into());
    }

    /// The variable's text, secret or not.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(Value::text)
    }

    /// Whether the variable holds a secret value (false when it has none:
    /// there is nothing to hide then).
    pub fn is_secret(&self, name: &str) -> bool {
        self.vars.get(name).is_some_and(Value::is_secret)
    }

    pub fn capture(&self, name: &str) -> Option<&str> {
        self.captures.get(name).map(String::as_str)
    }

    pub fn set_capture(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.captures.insert(name.into(), value.into());
    }

    /// All captures so far, for the transcript.
    pub fn captures(&self) -> impl Iterator<Item = (&str, &str)> {
        self.captures.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrecy_belongs_to_the_value() {
        let mut b = Bindings::new();
        b.set_var("password", "shown");
        b.set_var("user", Secret::new("hidden"));
        assert!(!b.is_secret("password"));
        assert!(b.is_secret("user"));
        assert!(!b.is_secret("domain"), "no value, nothing to hide");
        assert_eq!(b.var("user"), Some("hidden"));
        let debug = format!("{b:?}");
        assert!(!debug.contains("hidden"), "{debug}");
    }

    #[test]
    fn capture_names() {
        assert!(is_capture_name("c1"));
        assert!(is_capture_name("_a-b"));
        assert!(!is_capture_name("1a"));
        assert!(!is_capture_name(""));
        assert!(!is_capture_name("a.b"));
    }
}
