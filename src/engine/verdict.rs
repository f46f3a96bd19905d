//! The outcome of one scenario.

use std::time::Duration;

use crate::scenario::{Level, Scenario};

use super::failure::Failure;
use super::transcript::Transcript;

/// Graded outcomes, in the spirit of h2spec's `--strict` and Autobahn's
/// classes: a broken SHOULD is reported but fails the run only with
/// `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    /// A MUST was broken.
    Fail,
    /// A SHOULD (or MAY) was broken.
    NonStrict,
    /// The target lacks an optional feature the scenario needs.
    Unsupported,
    /// The run cannot provide what the scenario needs.
    Skip,
    /// The harness itself could not run the scenario.
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NonStrict => "non-strict",
            Status::Unsupported => "unsupported",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Pass,
            Status::Fail,
            Status::NonStrict,
            Status::Unsupported,
            Status::Skip,
            Status::Error,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// Whether this outcome fails the run.
    pub fn fails_run(self, strict: bool) -> bool {
        match self {
            Status::Fail | Status::Error => true,
            Status::NonStrict => strict,
            Status::Pass | Status::Unsupported | Status::Skip => false,
        }
    }
}

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
