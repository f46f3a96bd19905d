//! ANONYMOUS (RFC 4505), server side, for completeness: any trace, even
//! none or one breaking RFC 4505 §3's grammar, is accepted, since the trace
//! is informational only ("the server ... SHOULD NOT" rely on it). The
//! trace is kept in the [`Identity`] for scenarios that want to look at it.
//!
//! Without an initial response the server sends an empty challenge and
//! takes the trace as the response.

use super::failure::{SaslFailure, SaslServerError};
use super::single_message::SingleMessage;
use super::{Identity, ServerMechanism, ServerStep};

const NAME: &str = "ANONYMOUS";

/// An ANONYMOUS server for one exchange.
#[derive(Debug)]
pub struct AnonymousServer {
    exchange: SingleMessage,
}

impl AnonymousServer {
    pub fn new() -> Self {
        Self {
            exchange: SingleMessage::new(NAME),
        }
    }
}

/// Any trace is accepted: it is informational only.
fn accept(trace: &[u8]) -> Result<Identity, SaslFailure> {
    Ok(Identity::Anonymous {
        trace: String::from_utf8_lossy(trace).into_owned(),
    })
}

impl Default for AnonymousServer {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerMechanism for AnonymousServer {
    fn name(&self) -> &'static str {
        NAME
    }

    fn start(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, SaslServerError> {
        self.exchange.start(initial_response, accept)
    }

    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslServerError> {
        self.exchange.step(response, accept)
    }

    fn identity(&self) -> Option<&Identity> {
        self.exchange.identity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(s: &AnonymousServer) -> &str {
        match s.identity() {
            Some(Identity::Anonymous { trace }) => trace,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn any_trace_succeeds() {
        let mut s = AnonymousServer::new();
        assert_eq!(s.name(), "ANONYMOUS");
        assert_eq!(s.start(Some(b"sirhc")).unwrap(), ServerStep::Success(None));
        assert_eq!(trace(&s), "sirhc");
        assert!(s.step(b"").is_err());

        let mut s = AnonymousServer::default();
        assert_eq!(s.start(Some(b"\xff\n")).unwrap(), ServerStep::Success(None));
        assert_eq!(trace(&s), "\u{fffd}\n");
    }

    #[test]
    fn empty_challenge_without_initial_response() {
        let mut s = AnonymousServer::new();
        assert!(s.step(b"").is_err(), "step before start");
        assert_eq!(s.start(None).unwrap(), ServerStep::Challenge(vec![]));
        assert!(s.identity().is_none());
        assert!(s.start(None).is_err(), "started twice");
        assert_eq!(s.step(b"").unwrap(), ServerStep::Success(None));
        assert_eq!(trace(&s), "");
    }
}
