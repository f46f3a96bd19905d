//! The shared state machine of PLAIN, ANONYMOUS and EXTERNAL: the client
//! sends one message, the server answers success or failure, nothing else.
//!
//! The message goes out as the initial response, or — when the engine left
//! the initial response out on purpose — as the answer to the server's empty
//! first challenge (RFC 4422 §5). Any other challenge, and success data
//! (these mechanisms define none), is the server's error.

use super::SaslError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Sent,
    Done,
    Failed,
}

#[derive(Debug)]
pub(crate) struct SingleStep {
    name: &'static str,
    state: State,
}

impl SingleStep {
    pub(crate) fn new(name: &'static str) -> Self {
        Self {
            name,
            state: State::Start,
        }
    }

    pub(crate) fn initial_response(
        &mut self,
        message: impl FnOnce() -> Result<Vec<u8>, SaslError>,
    ) -> Result<Option<Vec<u8>>, SaslError> {
        if self.state != State::Start {
            return self.fail(SaslError::unexpected(self.name, "second initial response"));
        }
        self.send(message).map(Some)
    }

    pub(crate) fn respond(
        &mut self,
        challenge: &[u8],
        message: impl FnOnce() -> Result<Vec<u8>, SaslError>,
    ) -> Result<Vec<u8>, SaslError> {
        match self.state {
            State::Start if challenge.is_empty() => self.send(message),
            State::Start => self.fail(SaslError::malformed(
                self.name,
                format!(
                    "the first challenge must be empty, got {} bytes",
                    challenge.len()
                ),
            )),
            _ => self.fail(SaslError::unexpected(
                self.name,
                format!(
                    "challenge ({} bytes) after the only message",
                    challenge.len()
                ),
            )),
        }
    }

    pub(crate) fn verify_success(&mut self, data: Option<&[u8]>) -> Result<(), SaslError> {
        match (self.state, data) {
            (State::Sent, None) | (State::Sent, Some([])) => {
                self.state = State::Done;
                Ok(())
            }
            (State::Sent, Some(extra)) => self.fail(SaslError::malformed(
                self.name,
                format!(
                    "success carries {} bytes of additional data; the mechanism defines none",
                    extra.len()
                ),
            )),
            (State::Start, _) => self.fail(SaslError::unexpected(
                self.name,
                "success before the client sent its message",
            )),
            (State::Done, _) => self.fail(SaslError::unexpected(self.name, "second success")),
            (State::Failed, _) => Err(SaslError::unexpected(self.name, "success after an error")),
        }
    }

    fn send(
        &mut self,
        message: impl FnOnce() -> Result<Vec<u8>, SaslError>,
    ) -> Result<Vec<u8>, SaslError> {
        match message() {
            Ok(m) => {
                self.state = State::Sent;
                Ok(m)
            }
            Err(e) => self.fail(e),
        }
    }

    fn fail<T>(&mut self, e: SaslError) -> Result<T, SaslError> {
        self.state = State::Failed;
        Err(e)
    }
}
