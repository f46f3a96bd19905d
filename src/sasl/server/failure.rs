//! What a server-side mechanism can answer besides a challenge or success:
//! a [`SaslFailure`] for the client under test (it goes into `<failure/>`
//! and into the verdict), or a [`SaslServerError`] for the harness itself.
//!
//! Which condition, following RFC 6120 §6.5:
//!
//! - `incorrect-encoding` (§6.5.3) only for the base64 of the XML element
//!   ([`super::decode_auth`], [`super::decode_response`]). Its definition
//!   is about the base64 encoding (RFC 4648 §4) of the XML character data;
//!   a mechanism message that decodes fine but breaks the mechanism's own
//!   grammar (PLAIN without its two NULs, a SCRAM `c=` that is not base64)
//!   is `malformed-request`, whose definition names exactly that: "the
//!   data sent violates the syntax for the specified SASL mechanism".
//! - `malformed-request` (§6.5.8): the mechanism's syntax, a directive
//!   missing or repeated, initial response data for DIGEST-MD5 (§6.5.8's
//!   own example), an option we did not offer (`qop=auth-int`, `p=`
//!   channel binding).
//! - `not-authorized` (§6.5.10): well-formed, but wrong: unknown user,
//!   wrong password, a nonce / realm / digest-uri / channel binding that
//!   does not match the exchange.
//! - `invalid-authzid` (§6.5.6): authenticated, but the authorization
//!   identity is not one this account may use.
//! - `invalid-mechanism` (§6.5.7): a mechanism that was not offered.
//! - The others (`aborted`, `account-disabled`, `credentials-expired`,
//!   `encryption-required`, `mechanism-too-weak`, `temporary-auth-failure`)
//!   are never produced by a mechanism; they are here so the engine and
//!   scenarios can send them (`aborted` answers `<abort/>`, §6.4.5).

use std::fmt;

use thiserror::Error;

/// The defined conditions of RFC 6120 §6.5, one child element of
/// `<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>` each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureCondition {
    Aborted,
    AccountDisabled,
    CredentialsExpired,
    EncryptionRequired,
    IncorrectEncoding,
    InvalidAuthzid,
    InvalidMechanism,
    MalformedRequest,
    MechanismTooWeak,
    NotAuthorized,
    TemporaryAuthFailure,
}

impl FailureCondition {
    /// All of them, in RFC 6120 §6.5's order.
    pub const ALL: [Self; 11] = [
        Self::Aborted,
        Self::AccountDisabled,
        Self::CredentialsExpired,
        Self::EncryptionRequired,
        Self::IncorrectEncoding,
        Self::InvalidAuthzid,
        Self::InvalidMechanism,
        Self::MalformedRequest,
        Self::MechanismTooWeak,
        Self::NotAuthorized,
        Self::TemporaryAuthFailure,
    ];

    /// The element's local name, e.g. `not-authorized`.
    pub fn element_name(self) -> &'static str {
        match self {
            Self::Aborted => "aborted",
            Self::AccountDisabled => "account-disabled",
            Self::CredentialsExpired => "credentials-expired",
            Self::EncryptionRequired => "encryption-required",
            Self::IncorrectEncoding => "incorrect-encoding",
            Self::InvalidAuthzid => "invalid-authzid",
            Self::InvalidMechanism => "invalid-mechanism",
            Self::MalformedRequest => "malformed-request",
            Self::MechanismTooWeak => "mechanism-too-weak",
            Self::NotAuthorized => "not-authorized",
            Self::TemporaryAuthFailure => "temporary-auth-failure",
        }
    }

    /// The condition named `name`, if RFC 6120 §6.5 defines it (for
    /// scenario files).
    pub fn from_element_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.element_name() == name)
    }
}

impl fmt::Display for FailureCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.element_name())
    }
}

/// The server's `<failure/>`: the condition sent to the client, and the
/// detail shown to the client's developer in the verdict (what exactly was
/// wrong, with the expected and received values where that helps).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{condition}: {detail}")]
pub struct SaslFailure {
    pub condition: FailureCondition,
    pub detail: String,
}

impl SaslFailure {
    pub fn new(condition: FailureCondition, detail: impl Into<String>) -> Self {
        Self {
            condition,
            detail: detail.into(),
        }
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(FailureCondition::MalformedRequest, detail)
    }

    pub fn not_authorized(detail: impl Into<String>) -> Self {
        Self::new(FailureCondition::NotAuthorized, detail)
    }

    /// The answer to the client's `<abort/>` (RFC 6120 §6.4.5).
    pub fn aborted() -> Self {
        Self::new(FailureCondition::Aborted, "the client aborted the exchange")
    }
}

/// A problem of the harness, not of the client under test: the engine
/// called the mechanism out of order, the options cannot work, or the
/// operating system gave no randomness. The run should stop with an
/// error verdict rather than blame the client.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SaslServerError {
    /// `start` twice, `step` before `start` or after the outcome.
    #[error("{mechanism} server: {call} called {when}")]
    UnexpectedCall {
        mechanism: &'static str,
        call: &'static str,
        when: &'static str,
    },

    /// Options this mechanism cannot run with (a SCRAM nonce suffix with a
    /// `,`, zero iterations).
    #[error("{mechanism} server: invalid options: {detail}")]
    InvalidOptions {
        mechanism: &'static str,
        detail: String,
    },

    /// The operating system's random source failed.
    #[error("random source failed: {0}")]
    Random(String),
}

impl SaslServerError {
    pub(super) fn unexpected(
        mechanism: &'static str,
        call: &'static str,
        when: &'static str,
    ) -> Self {
        Self::UnexpectedCall {
            mechanism,
            call,
            when,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_names_round_trip() {
        for c in FailureCondition::ALL {
            assert_eq!(
                FailureCondition::from_element_name(c.element_name()),
                Some(c)
            );
        }
        assert_eq!(FailureCondition::from_element_name("bad-auth"), None);
        assert_eq!(
            FailureCondition::TemporaryAuthFailure.to_string(),
            "temporary-auth-failure"
        );
    }

    #[test]
    fn display_leads_with_the_condition() {
        let f = SaslFailure::not_authorized("wrong password");
        assert_eq!(f.to_string(), "not-authorized: wrong password");
        assert_eq!(SaslFailure::aborted().condition, FailureCondition::Aborted);
        let e = SaslServerError::unexpected("PLAIN", "step()", "after success");
        assert_eq!(e.to_string(), "PLAIN server: step() called after success");
    }
}
