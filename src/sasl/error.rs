//! The one error type of the SASL mechanisms.
//!
//! Every message is written for a conformance report: it names the
//! mechanism and what the server did wrong, and never carries a password,
//! a derived key or the value the harness expected for a server proof (an
//! expected `rspauth` or ServerSignature is password-derived).

use thiserror::Error;

/// What went wrong in one SASL exchange, client side.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SaslError {
    /// Text that should be base64 is not, strictly (RFC 6120 §6.4.2 calls
    /// this `incorrect-encoding`).
    #[error("incorrect-encoding: {0}")]
    Base64(String),

    /// A server challenge (or success data) that does not follow the
    /// mechanism's grammar.
    #[error("{mechanism}: malformed server message: {detail}")]
    MalformedChallenge {
        mechanism: &'static str,
        detail: String,
    },

    /// The server asked for something this client does not do (a qop,
    /// algorithm or mandatory extension it cannot use).
    #[error("{mechanism}: unsupported: {detail}")]
    Unsupported {
        mechanism: &'static str,
        detail: String,
    },

    /// DIGEST-MD5's `rspauth` did not prove the server knows the password.
    #[error("DIGEST-MD5: rspauth mismatch: {0}")]
    RspauthMismatch(String),

    /// SCRAM's `v=` did not prove the server knows the password.
    #[error("{mechanism}: server signature mismatch: {detail}")]
    ServerSignatureMismatch {
        mechanism: &'static str,
        detail: String,
    },

    /// The server said success without ever proving it knows the password
    /// (`proof` is `rspauth` or `server signature`).
    #[error("{mechanism}: success without {proof}")]
    MissingServerProof {
        mechanism: &'static str,
        proof: &'static str,
    },

    /// SCRAM's server-final carried `e=`.
    #[error("{mechanism}: server error e={value}")]
    ServerError {
        mechanism: &'static str,
        value: String,
    },

    /// SCRAM's server nonce does not extend the client nonce.
    #[error("{mechanism}: nonce mismatch: {detail}")]
    NonceMismatch {
        mechanism: &'static str,
        detail: String,
    },

    /// SCRAM's iteration count is zero or above the configured cap.
    #[error("{mechanism}: iteration count {count} out of range (accepted: 1..={max})")]
    IterationCount {
        mechanism: &'static str,
        count: u64,
        max: u32,
    },

    /// A message arrived in a state where the mechanism expects none (a
    /// challenge to PLAIN, a second server-final, success too early).
    #[error("{mechanism}: unexpected {step}")]
    UnexpectedStep {
        mechanism: &'static str,
        step: String,
    },

    /// The credentials cannot be expressed in this mechanism (a NUL in a
    /// PLAIN field, a trace token too long). Names the field, never its value.
    #[error("{mechanism}: invalid credentials: {detail}")]
    InvalidCredentials {
        mechanism: &'static str,
        detail: String,
    },

    /// The operating system's random source failed.
    #[error("random source failed: {0}")]
    Random(String),
}

impl SaslError {
    pub(crate) fn malformed(mechanism: &'static str, detail: impl Into<String>) -> Self {
        Self::MalformedChallenge {
            mechanism,
            detail: detail.into(),
        }
    }

    pub(crate) fn unexpected(mechanism: &'static str, step: impl Into<String>) -> Self {
        Self::UnexpectedStep {
            mechanism,
            step: step.into(),
        }
    }

    pub(crate) fn credentials(mechanism: &'static str, detail: impl Into<String>) -> Self {
        Self::InvalidCredentials {
            mechanism,
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_proof_that_failed() {
        let rsp = SaslError::RspauthMismatch("x".into()).to_string();
        assert!(rsp.contains("rspauth"), "{rsp}");
        let sig = SaslError::ServerSignatureMismatch {
            mechanism: "SCRAM-SHA-1",
            detail: "x".into(),
        }
        .to_string();
        assert!(sig.contains("server signature"), "{sig}");
        assert!(
            SaslError::Base64("bad".into())
                .to_string()
                .starts_with("incorrect-encoding")
        );
    }
}
