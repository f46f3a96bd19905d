//! Who the harness authenticates as.
//!
//! The password sits in a [`Secret`] whose `Debug` and `Display` print
//! `[redacted]`, so a `{:?}` of a config, a verdict or a transcript can never
//! leak it into a report; the only way to the text is the explicit
//! [`Secret::expose`].

use std::fmt;

/// A password (or other secret) that never prints itself.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret text, for the mechanism computing with it. Never format it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// The identities and password for one authentication.
///
/// Strings are used as given (UTF-8, no SASLprep): see the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Authentication identity: the username (an XMPP localpart).
    pub authcid: String,
    pub password: Secret,
    /// Authorization identity, when acting on behalf of someone else.
    pub authzid: Option<String>,
}

impl Credentials {
    pub fn new(authcid: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self {
            authcid: authcid.into(),
            password: password.into(),
            authzid: None,
        }
    }

    pub fn with_authzid(mut self, authzid: impl Into<String>) -> Self {
        self.authzid = Some(authzid.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_never_prints() {
        let c = Credentials::new("juliet", "r0m30myr0m30").with_authzid("romeo@example.net");
        let debug = format!("{c:?}");
        assert!(!debug.contains("r0m30"), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
        assert!(debug.contains("juliet"), "{debug}");
        assert_eq!(c.password.to_string(), "[redacted]");
        assert_eq!(format!("{:#?}", c.password), "[redacted]");
        assert_eq!(c.password.expose(), "r0m30myr0m30");
    }
}
