//! `xmpp-conform merge`: the JSON reports of the parts of one suite (run
//! with `--shard K/N` on N machines) joined into one set of verdicts, from
//! which the JSON, JUnit and HTML reports are written as if one machine
//! had run them all.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use crate::engine::transcript::{Entry, Transcript};
use crate::engine::{Failure, Status, Verdict};
use crate::scenario::Level;

/// Why the parts could not be joined.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("{file}: not a JSON report of xmpp-conform: {reason}")]
    NotAReport { file: String, reason: String },
    #[error("scenario `{id}` is in {first} and in {second}: parts of one run never overlap")]
    Overlap {
        id: String,
        first: String,
        second: String,
    },
    #[error("{file}: scenario `{id}` has an unknown level `{level}`")]
    Level {
        file: String,
        id: String,
        level: String,
    },
}

/// The joined run.
#[derive(Debug)]
pub struct Merged {
    /// The parts' targets, each once, in order.
    pub targets: Vec<String>,
    /// Every scenario, sorted by id, as one run lists them.
    pub verdicts: Vec<Verdict>,
    /// The longest part: what the run took with the parts side by side.
    pub wall_time: Duration,
}

#[derive(Deserialize)]
struct Part {
    target: String,
    duration_ms: f64,
    scenarios: Vec<PartVerdict>,
}

#[derive(Deserialize)]
struct PartVerdict {
    id: String,
    title: String,
    file: String,
    spec: Vec<String>,
    level: String,
    #[serde(default)]
    peer: Option<String>,
    status: Status,
    duration_ms: f64,
    failure: Option<Failure>,
    transcript: Vec<Entry>,
}

/// Join `(file name, JSON text)` parts.
pub fn merge(parts: &[(String, String)]) -> Result<Merged, MergeError> {
    let mut by_id: BTreeMap<String, (String, Verdict)> = BTreeMap::new();
    let mut targets: Vec<String> = Vec::new();
    let mut wall_time = Duration::ZERO;
    for (file, text) in parts {
        let part: Part = serde_json::from_str(text).map_err(|e| MergeError::NotAReport {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        if !targets.contains(&part.target) {
            targets.push(part.target.clone());
        }
        wall_time = wall_time.max(millis(part.duration_ms));
        for v in part.scenarios {
            let verdict = verdict(file, v)?;
            if let Some((first, _)) = by_id.get(&verdict.id) {
                return Err(MergeError::Overlap {
                    id: verdict.id,
                    first: first.clone(),
                    second: file.clone(),
                });
            }
            by_id.insert(verdict.id.clone(), (file.clone(), verdict));
        }
    }
    Ok(Merged {
        targets,
        verdicts: by_id.into_values().map(|(_, v)| v).collect(),
        wall_time,
    })
}

fn verdict(file: &str, v: PartVerdict) -> Result<Verdict, MergeError> {
    let level = match v.level.as_str() {
        "MUST" => Level::Must,
        "SHOULD" => Level::Should,
        "MAY" => Level::May,
        _ => {
            return Err(MergeError::Level {
                file: file.to_string(),
                id: v.id,
                level: v.level,
            });
        }
    };
    Ok(Verdict {
        id: v.id,
        title: v.title,
        spec: v.spec,
        level,
        path: v.file,
        peer_is_server: v.peer.as_deref() != Some("client"),
        status: v.status,
        failure: v.failure,
        transcript: Transcript::from_entries(v.transcript, 0),
        duration: millis(v.duration_ms),
    })
}

fn millis(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(ids: &[(&str, &str)]) -> String {
        let scenarios: Vec<String> = ids
            .iter()
            .map(|(id, status)| {
                format!(
                    r#"{{"id":"{id}","title":"t","file":"f","spec":["RFC 6120 §4"],"level":"MUST",
                    "peer":"server","status":"{status}","fails_run":false,"duration_ms":1.5,
                    "failure":null,"transcript":[{{"at":0.5,"connection":"main","direction":"sent","text":"<a/>"}}]}}"#
                )
            })
            .collect();
        format!(
            r#"{{"tool":"xmpp-conform","target":"127.0.0.1:5222","duration_ms":10.0,"scenarios":[{}]}}"#,
            scenarios.join(",")
        )
    }

    #[test]
    fn parts_join_in_id_order() {
        let merged = merge(&[
            ("b.json".into(), part(&[("b/two", "fail")])),
            (
                "a.json".into(),
                part(&[("a/one", "pass"), ("c/three", "skip")]),
            ),
        ])
        .expect("merge");
        let ids: Vec<(&str, Status)> = merged
            .verdicts
            .iter()
            .map(|v| (v.id.as_str(), v.status))
            .collect();
        assert_eq!(
            ids,
            [
                ("a/one", Status::Pass),
                ("b/two", Status::Fail),
                ("c/three", Status::Skip)
            ]
        );
        assert_eq!(merged.targets, ["127.0.0.1:5222"]);
        assert_eq!(merged.verdicts[0].transcript.entries.len(), 1);
    }

    #[test]
    fn overlapping_parts_and_other_files_are_refused() {
        let e = merge(&[
            ("a.json".into(), part(&[("a/one", "pass")])),
            ("b.json".into(), part(&[("a/one", "pass")])),
        ])
        .expect_err("overlap");
        assert!(matches!(e, MergeError::Overlap { .. }), "{e}");
        let e = merge(&[("x.json".into(), "{}".into())]).expect_err("not a report");
        assert!(
            e.to_string().starts_with("x.json: not a JSON report"),
            "{e}"
        );
    }
}
