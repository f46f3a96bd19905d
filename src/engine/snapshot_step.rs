//! After a scenario ran to its end with `--snapshots`: compare what the
//! peer sent with the scenario's snapshot, and let a difference fail the
//! verdict. A scenario stopped by a failed step is not compared (the engine
//! does not call this): the stream around a failure depends on timing, as
//! when a server's clear-text error races the TLS handshake, and a pinned
//! version of it would fail later runs for nothing the peer changed.

use crate::scenario::Scenario;
use crate::snapshot::{self, Log, Outcome, SnapFile, SnapshotConfig};

use super::failure::{Failure, FailureKind};
use super::status::Status;
use super::transcript::Direction;
use super::verdict::Verdict;

pub(super) fn compare(
    config: &SnapshotConfig,
    scenario: &Scenario,
    log: &Log,
    sent: &str,
    verdict: &mut Verdict,
) {
    if matches!(verdict.status, Status::Skip | Status::Error) {
        return;
    }
    let content = snapshot::normalize(log, &scenario.meta.redact, &scenario.meta.ignore, sent);
    let snap = SnapFile {
        source: scenario.path.display().to_string(),
        description: scenario.meta.title.clone(),
        content,
    };
    let (message, diff) = match snapshot::check(config, &scenario.id, &snap) {
        Outcome::Matched => return,
        Outcome::Written(path) => {
            note(verdict, format!("snapshot written: {}", path.display()));
            return;
        }
        Outcome::Differs { pending, diff } => (
            format!(
                "the received stream differs from its snapshot; the new version is in {} \
                 (review with `xmpp-conform snapshots review {}`)",
                pending.display(),
                config.dir.display()
            ),
            Some(diff),
        ),
        Outcome::Missing { pending } => (
            format!(
                "no snapshot yet, and --snapshots-mode check writes none; the received stream is in {} \
                 (review with `xmpp-conform snapshots review {}`)",
                pending.display(),
                config.dir.display()
            ),
            None,
        ),
        Outcome::Failed(why) => {
            verdict.fail_with(Failure::new(FailureKind::Setup, format!("snapshot: {why}")));
            return;
        }
    };
    match verdict.status {
        // The lint failed the scenario: that stays the verdict's reason.
        Status::Fail | Status::NonStrict if verdict.failure.is_some() => note(verdict, message),
        _ => {
            verdict.fail_with(Failure {
                diff,
                ..Failure::new(FailureKind::Snapshot, message)
            });
        }
    }
}

fn note(verdict: &mut Verdict, text: String) {
    verdict.transcript.record(Direction::Note, text);
}
