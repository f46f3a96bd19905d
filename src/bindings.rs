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

use crate::accounts::{self, Account};
use crate::sasl::Secret;

/// The variables a scenario may use, set from the command line.
pub const KNOWN_VARIABLES: &[&str] = &["domain", "user", "password", "jid", "resource"];

/// The fields of a named account a placeholder can use: `{romeo.jid}`
/// (its bare JID), `{romeo.user}`, `{romeo.domain}`, `{romeo.password}`
/// (a secret, like `{password}`).
pub const ACCOUNT_FIELDS: &[&str] = &["jid", "user", "domain", "password"];

/// Whether `{name}` names a variable: one of [`KNOWN_VARIABLES`], or
/// `ACCOUNT.FIELD` with a field of [`ACCOUNT_FIELDS`].
pub fn is_variable_name(name: &str) -> bool {
    KNOWN_VARIABLES.contains(&name)
        || name.split_once('.').is_some_and(|(account, field)| {
            accounts::is_account_name(account) && ACCOUNT_FIELDS.contains(&field)
        })
}

/// Whether `name` is a valid capture name: `[A-Za-z_][A-Za-z0-9_-]*`,
/// or several such joined by `.` (`$juliet-2.jid`).
/// Here, beside the variable names, because both the placeholder syntax
/// and function arguments spell captures.
pub fn is_capture_name(name: &str) -> bool {
    name.split('.').all(|part| {
        let mut chars = part.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    })
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

    /// The variables of a named account: `{NAME.jid}`, `{NAME.user}`,
    /// `{NAME.domain}`, and `{NAME.password}` as a secret.
    pub fn set_account(&mut self, account: &Account) {
        let name = &account.name;
        self.set_var(format!("{name}.jid"), account.jid());
        self.set_var(format!("{name}.user"), account.user.as_str());
        self.set_var(format!("{name}.domain"), account.domain.as_str());
        self.set_var(format!("{name}.password"), account.password.clone());
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
    fn an_account_gives_its_fields_and_keeps_its_password_secret() {
        let romeo = accounts::account("romeo", "romeo@montague.lit", "x").expect("valid");
        let mut b = Bindings::new();
        b.set_account(&romeo);
        assert_eq!(b.var("romeo.jid"), Some("romeo@montague.lit"));
        assert_eq!(b.var("romeo.domain"), Some("montague.lit"));
        assert!(b.is_secret("romeo.password") && !b.is_secret("romeo.jid"));
        assert!(is_variable_name("romeo.jid") && is_variable_name("jid"));
        assert!(!is_variable_name("romeo.resource") && !is_variable_name("romeo"));
    }

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
        // `login` on connection `juliet-2` captures `$juliet-2.jid`.
        assert!(is_capture_name("juliet-2.jid"));
        assert!(!is_capture_name("a."));
        assert!(!is_capture_name(".a"));
    }
}
