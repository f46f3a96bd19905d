//! The shared state machine of the server side of PLAIN and ANONYMOUS: the
//! client sends one message, the server answers success or failure.
//!
//! The message comes as the initial response or, when `<auth/>` carried
//! none, as the answer to an empty challenge (RFC 6120 §6.4.2, RFC 4422
//! §5). The twin of the client side's `SingleStep`.

use super::failure::{SaslFailure, SaslServerError};
use super::{Identity, ServerStep};

#[derive(Debug)]
enum State {
    Start,
    AwaitMessage,
    Done(Identity),
    Failed,
}

/// One single-message exchange; the mechanism supplies the check.
#[derive(Debug)]
pub(super) struct SingleMessage {
    name: &'static str,
    state: State,
}

impl SingleMessage {
    pub(super) fn new(name: &'static str) -> Self {
        Self {
            name,
            state: State::Start,
        }
    }

    /// The `<auth/>`: check `initial_response`, or ask for the message.
    pub(super) fn start(
        &mut self,
        initial_response: Option<&[u8]>,
        check: impl FnOnce(&[u8]) -> Result<Identity, SaslFailure>,
    ) -> Result<ServerStep, SaslServerError> {
        if !matches!(self.state, State::Start) {
            return Err(SaslServerError::unexpected(self.name, "start()", "twice"));
        }
        Ok(match initial_response {
            Some(message) => self.finish(message, check),
            None => {
                self.state = State::AwaitMessage;
                ServerStep::Challenge(Vec::new())
            }
        })
    }

    /// The `<response/>` to the empty challenge.
    pub(super) fn step(
        &mut self,
        response: &[u8],
        check: impl FnOnce(&[u8]) -> Result<Identity, SaslFailure>,
    ) -> Result<ServerStep, SaslServerError> {
        match self.state {
            State::AwaitMessage => Ok(self.finish(response, check)),
            State::Start => Err(SaslServerError::unexpected(
                self.name,
                "step()",
                "before start()",
            )),
            State::Done(_) | State::Failed => Err(SaslServerError::unexpected(
                self.name,
                "step()",
                "after the outcome",
            )),
        }
    }

    pub(super) fn identity(&self) -> Option<&Identity> {
        match &self.state {
            State::Done(identity) => Some(identity),
            _ => None,
        }
    }

    fn finish(
        &mut self,
        message: &[u8],
        check: impl FnOnce(&[u8]) -> Result<Identity, SaslFailure>,
    ) -> ServerStep {
        match check(message) {
            Ok(identity) => {
                self.state = State::Done(identity);
                ServerStep::Success(None)
            }
            Err(f) => {
                self.state = State::Failed;
                ServerStep::Failure(f)
            }
        }
    }
}
