//! Machine-readable results: the console report's content as JSON.

use std::time::Duration;

use serde::Serialize;

use crate::engine::transcript::Entry;
use crate::engine::{Failure, Status, Verdict};

use super::Summary;

#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub tool: &'static str,
    pub version: &'static str,
    pub target: &'a str,
    /// Whether `--strict` was given: what `non-strict` verdicts did to
    /// the result.
    pub strict: bool,
    /// `pass` or `fail`: the run as a whole, as its exit code says.
    pub result: RunResult,
    /// The process's exit code, so a reader of the file alone knows it.
    pub exit_code: i32,
    /// With `--baseline`: how many verdicts differ from it (each fails
    /// the run, whatever its grade).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_differences: Option<usize>,
    pub duration_ms: f64,
    pub summary: Summary,
    pub scenarios: Vec<JsonVerdict<'a>>,
}

#[derive(Debug, Serialize)]
pub struct JsonVerdict<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub file: &'a str,
    pub spec: &'a [String],
    pub level: &'static str,
    /// The side under test: `server` or `client`.
    pub peer: &'static str,
    pub status: Status,
    /// Whether this verdict alone fails the run in this mode (a
    /// `non-strict` one does only under `--strict`).
    pub fails_run: bool,
    pub duration_ms: f64,
    pub failure: Option<&'a Failure>,
    pub transcript: &'a [Entry],
}

/// The run as a whole, decided by the command line (which owns the exit
/// codes and the baseline comparison) and recorded here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub strict: bool,
    pub passed: bool,
    pub exit_code: i32,
    pub baseline_differences: Option<usize>,
}

/// The overall result of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunResult {
    Pass,
    Fail,
}

pub fn build<'a>(
    verdicts: &'a [Verdict],
    target: &'a str,
    wall_time: Duration,
    outcome: Outcome,
) -> JsonReport<'a> {
    JsonReport {
        tool: "xmpp-conform",
        version: env!("CARGO_PKG_VERSION"),
        target,
        strict: outcome.strict,
        result: if outcome.passed {
            RunResult::Pass
        } else {
            RunResult::Fail
        },
        exit_code: outcome.exit_code,
        baseline_differences: outcome.baseline_differences,
        duration_ms: wall_time.as_secs_f64() * 1000.0,
        summary: Summary::of(verdicts, wall_time),
        scenarios: verdicts
            .iter()
            .map(|v| JsonVerdict {
                id: &v.id,
                title: &v.title,
                file: &v.path,
                spec: &v.spec,
                level: super::level_name(v.level),
                peer: if v.peer_is_server { "server" } else { "client" },
                status: v.status,
                fails_run: v.status.fails_run(outcome.strict),
                duration_ms: v.duration.as_secs_f64() * 1000.0,
                failure: v.failure.as_ref(),
                transcript: &v.transcript.entries,
            })
            .collect(),
    }
}

pub fn to_string(report: &JsonReport<'_>) -> serde_json::Result<String> {
    serde_json::to_string_pretty(report)
}
