//! ANONYMOUS (RFC 4505): one message, an optional trace token (an email
//! address or an opaque string of up to 255 characters, no controls).
//! Only used when a scenario asks for it.

use super::single_step::SingleStep;
use super::{Mechanism, SaslError};

const NAME: &str = "ANONYMOUS";

#[derive(Debug)]
pub struct Anonymous {
    trace: String,
    step: SingleStep,
}

impl Anonymous {
    /// `trace` is sent as is; `None` sends an empty message (`=` on the wire).
    pub fn new(trace: Option<&str>) -> Self {
        Self {
            trace: trace.unwrap_or("").to_owned(),
            step: SingleStep::new(NAME),
        }
    }

    /// RFC 4505 §3: `message = [ email / token ]`, `token = 1*255TCHAR`.
    fn message(trace: &str) -> Result<Vec<u8>, SaslError> {
        if trace.chars().count() > 255 {
            return Err(SaslError::credentials(
                NAME,
                "trace token longer than 255 characters",
            ));
        }
        if trace.chars().any(char::is_control) {
            return Err(SaslError::credentials(
                NAME,
                "trace token contains a control character",
            ));
        }
        Ok(trace.as_bytes().to_vec())
    }
}

impl Mechanism for Anonymous {
    fn name(&self) -> &'static str {
        NAME
    }

    fn initial_response(&mut self) -> Result<Option<Vec<u8>>, SaslError> {
        let trace = &self.trace;
        self.step.initial_response(|| Self::message(trace))
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        let trace = &self.trace;
        self.step.respond(challenge, || Self::message(trace))
    }

    fn verify_success(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        self.step.verify_success(additional_data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_or_empty() {
        let mut m = Anonymous::new(Some("sirhc"));
        assert_eq!(m.name(), "ANONYMOUS");
        assert_eq!(m.initial_response().unwrap().unwrap(), b"sirhc");
        m.verify_success(None).unwrap();

        let mut m = Anonymous::new(None);
        let empty = m.initial_response().unwrap().unwrap();
        assert!(empty.is_empty());
        assert_eq!(crate::sasl::b64::encode_initial_response(&empty), "=");
    }

    #[test]
    fn rejects_long_or_control_trace() {
        let long = "a".repeat(256);
        assert!(Anonymous::new(Some(&long)).initial_response().is_err());
        assert!(
            Anonymous::new(Some(&"é".repeat(255)))
                .initial_response()
                .is_ok()
        );
        assert!(Anonymous::new(Some("a\nb")).initial_response().is_err());
    }

    #[test]
    fn challenge_after_message_is_unexpected() {
        let mut m = Anonymous::new(None);
        m.initial_response().unwrap();
        assert!(matches!(
            m.respond(b"x"),
            Err(SaslError::UnexpectedStep { .. })
        ));
    }
}
