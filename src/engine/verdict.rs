//! The outcome of one scenario.

use std::time::Duration;

use crate::scenario::{Level, Scenario};

use super::failure::Failure;
use super::status::Status;
use super::transcript::Transcript;

/// The verdict on one scenario run.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub id: String,
    pub title: String,
    pub spec: Vec<String>,
    pub level: Level,
    pub path: String,
    pub peer_is_server: bool,
    pub status: Status,
    pub failure: Option<Failure>,
    pub transcript: Transcript,
    pub duration: Duration,
}

impl Verdict {
    /// The verdict of a scenario whose run ended in `failure`: the kind
    /// says what that means for the peer, the scenario's level how much it
    /// counts.
    pub(super) fn failed(scenario: &Scenario, failure: Failure) -> Self {
        let mut verdict = Verdict::new(scenario, Status::Pass, None);
        verdict.fail_with(failure);
        verdict
    }

    /// Make `failure` the verdict's reason, and its status what the
    /// failure's kind means at this scenario's level.
    pub(super) fn fail_with(&mut self, failure: Failure) {
        self.status = failure.kind.status(self.level);
        self.failure = Some(failure);
    }

    pub(super) fn new(scenario: &Scenario, status: Status, failure: Option<Failure>) -> Self {
        Verdict {
            id: scenario.id.clone(),
            title: scenario.meta.title.clone(),
            spec: scenario.meta.spec.clone(),
            level: scenario.meta.level,
            path: scenario.path.display().to_string(),
            peer_is_server: scenario.meta.peer == crate::scenario::Peer::Server,
            status,
            failure,
            transcript: Transcript::default(),
            duration: Duration::ZERO,
        }
    }
}
