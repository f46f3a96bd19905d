//! Turning verdicts into what people and CI systems read.
//!
//! - [`console`]: one line per scenario as results come in, failure details,
//!   a summary.
//! - [`junit`]: JUnit XML for CI test reports (GitHub, GitLab, Jenkins).
//! - [`json`]: the same content for machines.
//! - [`html`]: one self-contained page for people to read and share.
//! - [`progress`]: the progress bar of long runs, on a terminal only.
//! - [`merge`]: the JSON reports of a suite's parts (`--shard`) joined.
//! - [`baseline`]: an implementation's known verdicts, and the differences
//!   from them.

pub mod baseline;
pub mod console;
pub mod html;
pub mod json;
pub mod junit;
pub mod merge;
pub mod progress;

use std::time::Duration;

use crate::engine::{Status, Verdict};

/// Counts per status, and the run's wall time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub non_strict: usize,
    pub unsupported: usize,
    pub skipped: usize,
    pub errors: usize,
    #[serde(skip)]
    pub wall_time: Duration,
}

impl Summary {
    pub fn of(verdicts: &[Verdict], wall_time: Duration) -> Summary {
        let mut s = Summary {
            total: verdicts.len(),
            wall_time,
            ..Summary::default()
        };
        for v in verdicts {
            match v.status {
                Status::Pass => s.passed += 1,
                Status::Fail => s.failed += 1,
                Status::NonStrict => s.non_strict += 1,
                Status::Unsupported => s.unsupported += 1,
                Status::Skip => s.skipped += 1,
                Status::Error => s.errors += 1,
            }
        }
        s
    }

    /// Whether the run as a whole failed.
    pub fn fails(&self, strict: bool) -> bool {
        self.failed > 0 || self.errors > 0 || (strict && self.non_strict > 0)
    }
}

/// The suite a scenario belongs to: its id's folder (`rfc6120/stream`).
pub fn suite_of(id: &str) -> &str {
    id.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("")
}

/// `MUST`, `SHOULD` or `MAY`, as the RFCs write them.
pub fn level_name(level: crate::scenario::Level) -> &'static str {
    match level {
        crate::scenario::Level::Must => "MUST",
        crate::scenario::Level::Should => "SHOULD",
        crate::scenario::Level::May => "MAY",
    }
}
