//! PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd`, in one message.
//!
//! The password crosses the wire in clear, so the catalogue
//! ([`super::catalogue`]) ranks it below every hashed mechanism and uses
//! and offers it only over TLS.

use super::single_step::SingleStep;
use super::{Credentials, Mechanism, SaslError};

const NAME: &str = "PLAIN";

#[derive(Debug)]
pub struct Plain {
    credentials: Credentials,
    step: SingleStep,
}

impl Plain {
    pub fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            step: SingleStep::new(NAME),
        }
    }

    /// RFC 4616 §2: authcid and passwd are `1*SAFE`, authzid `*SAFE`; SAFE
    /// is any UTF-8 but NUL. An empty authzid is the same as none.
    fn message(credentials: &Credentials) -> Result<Vec<u8>, SaslError> {
        let authzid = credentials.authzid.as_deref().unwrap_or("");
        let authcid = credentials.authcid.as_str();
        let password = credentials.password.expose();
        for (field, value) in [
            ("authzid", authzid),
            ("authcid", authcid),
            ("password", password),
        ] {
            if value.contains('\0') {
                return Err(SaslError::credentials(
                    NAME,
                    format!("{field} contains NUL"),
                ));
            }
        }
        if authcid.is_empty() {
            return Err(SaslError::credentials(NAME, "authcid is empty"));
        }
        if password.is_empty() {
            return Err(SaslError::credentials(NAME, "password is empty"));
        }
        let mut out = Vec::with_capacity(authzid.len() + authcid.len() + password.len() + 2);
        out.extend_from_slice(authzid.as_bytes());
        out.push(0);
        out.extend_from_slice(authcid.as_bytes());
        out.push(0);
        out.extend_from_slice(password.as_bytes());
        Ok(out)
    }
}

impl Mechanism for Plain {
    fn name(&self) -> &'static str {
        NAME
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        let credentials = &self.credentials;
        self.step.initial_response(|| Self::message(credentials))
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let credentials = &self.credentials;
        self.step.respond(challenge, || Self::message(credentials))
    }

    fn verify_success(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        self.step.verify_success(additional_data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_layout() {
        let mut m = Plain::new(Credentials::new("juliet", "r0m30myr0m30"));
        assert_eq!(m.name(), "PLAIN");
        assert_eq!(
            m.initial_response().unwrap().unwrap(),
            b"\0juliet\0r0m30myr0m30"
        );
        m.verify_success(None).unwrap();
    }

    #[test]
    fn with_authzid() {
        // RFC 4616 §4's example.
        let creds = Credentials::new("tim", "tanstaaftanstaaf").with_authzid("Ursel");
        let mut m = Plain::new(creds);
        assert_eq!(
            m.initial_response().unwrap().unwrap(),
            b"Ursel\0tim\0tanstaaftanstaaf"
        );
    }

    #[test]
    fn rejects_nul_and_empty_without_echoing_the_password() {
        for creds in [
            Credentials::new("a\0b", "pw"),
            Credentials::new("ab", "p\0secretword"),
            Credentials::new("ab", "pw").with_authzid("x\0"),
            Credentials::new("", "pw"),
            Credentials::new("ab", ""),
        ] {
            let err = Plain::new(creds).initial_response().unwrap_err();
            assert!(matches!(err, SaslError::InvalidCredentials { .. }), "{err}");
            assert!(!err.to_string().contains("secretword"));
        }
    }

    #[test]
    fn answers_an_empty_first_challenge_when_no_initial_response_was_sent() {
        let mut m = Plain::new(Credentials::new("u", "p"));
        assert_eq!(m.respond(b"").unwrap(), b"\0u\0p");
        m.verify_success(Some(b"")).unwrap();
    }

    #[test]
    fn any_other_server_message_is_unexpected() {
        let mut m = Plain::new(Credentials::new("u", "p"));
        m.initial_response().unwrap();
        assert!(matches!(
            m.respond(b""),
            Err(SaslError::UnexpectedStep { .. })
        ));

        let mut m = Plain::new(Credentials::new("u", "p"));
        m.initial_response().unwrap();
        assert!(matches!(
            m.verify_success(Some(b"extra")),
            Err(SaslError::MalformedChallenge { .. })
        ));

        let mut m = Plain::new(Credentials::new("u", "p"));
        assert!(matches!(
            m.verify_success(None),
            Err(SaslError::UnexpectedStep { .. })
        ));

        let mut m = Plain::new(Credentials::new("u", "p"));
        assert!(matches!(
            m.respond(b"hello"),
            Err(SaslError::MalformedChallenge { .. })
        ));
        // After an error the mechanism is finished.
        assert!(m.verify_success(None).is_err());
    }
}
