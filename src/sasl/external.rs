//! EXTERNAL (RFC 4422 Appendix A): the credentials are outside SASL (a TLS
//! client certificate); the message is empty or an authorization identity.
//! Only used when a scenario asks for it.

use super::single_step::SingleStep;
use super::{Mechanism, SaslError};

const NAME: &str = "EXTERNAL";

#[derive(Debug)]
pub struct External {
    authzid: String,
    step: SingleStep,
}

impl External {
    /// `None` (or `Some("")`) asks for the identity the external
    /// credentials imply; it is sent as an empty response (`=`).
    pub fn new(authzid: Option<&str>) -> Self {
        Self {
            authzid: authzid.unwrap_or("").to_owned(),
            step: SingleStep::new(NAME),
        }
    }

    fn message(authzid: &str) -> Result<Vec<u8>, SaslError> {
        if authzid.contains('\0') {
            return Err(SaslError::credentials(NAME, "authzid contains NUL"));
        }
        Ok(authzid.as_bytes().to_vec())
    }
}

impl Mechanism for External {
    fn name(&self) -> &'static str {
        NAME
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        let authzid = &self.authzid;
        self.step.initial_response(|| Self::message(authzid))
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let authzid = &self.authzid;
        self.step.respond(challenge, || Self::message(authzid))
    }

    fn verify_success(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        self.step.verify_success(additional_data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_or_authzid() {
        let mut m = External::new(None);
        assert_eq!(m.name(), "EXTERNAL");
        assert_eq!(m.initial_response().unwrap(), Some(vec![]));
        m.verify_success(Some(b"")).unwrap();

        let mut m = External::new(Some("juliet@example.com"));
        assert_eq!(
            m.initial_response().unwrap().unwrap(),
            b"juliet@example.com"
        );
        assert!(m.initial_response().is_err(), "a second initial response");
    }
}
