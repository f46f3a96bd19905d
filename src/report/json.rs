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
    pub status: Status,
    pub duration_ms: f64,
    pub failure: Option<&'a Failure>,
    pub transcript: &'a [Entry],
}

pub fn build<'a>(verdicts: &'a [Verdict], target: &'a str, wall_time: Duration) -> JsonReport<'a> {
    JsonReport {
        tool: "xmpp-conform",
        version: env!("CARGO_PKG_VERSION"),
        target,
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
                status: v.status,
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
