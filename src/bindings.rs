//! The values a scenario's placeholders stand for during one run.
//!
//! `{domain}`-style variables come from the command line; `{$name}`
//! captures are filled in by patterns as the peer's answers arrive.

use std::collections::BTreeMap;

use crate::scenario::functions::Call;

/// The variables a scenario may use, set from the command line.
pub const KNOWN_VARIABLES: &[&str] = &["domain", "user", "password", "jid", "resource"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bindings {
    vars: BTreeMap<String, String>,
    captures: BTreeMap<String, String>,
    /// Function calls met while matching a pattern, with the text each
    /// covered: the engine runs their checks once the whole element fits.
    checks: Vec<(Call, String)>,
}

impl Bindings {
    pub fn new() -> Self {
        Bindings::default()
    }

    /// Set a command-line variable such as `domain`.
    pub fn set_var(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(name.into(), value.into());
    }

    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
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

    /// Note that `call` covered `text` in a pattern; see [`Bindings::take_checks`].
    pub fn push_check(&mut self, call: Call, text: impl Into<String>) {
        self.checks.push((call, text.into()));
    }

    /// The checks noted since the last call, in pattern order.
    pub fn take_checks(&mut self) -> Vec<(Call, String)> {
        std::mem::take(&mut self.checks)
    }
}
