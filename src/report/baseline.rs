//! Baselines: the verdicts an implementation is known to get.
//!
//! A server's CI accepts its known deviations by listing them; any
//! difference from the list, an unexpected pass included, is reported and
//! fails the run. The format is one scenario per line:
//!
//! ```text
//! # Prosody 0.12: comments say which rule a deviation breaks.
//! rfc6120/stream/basic-session        pass
//! rfc6120/xml/restricted-comment      fail   # §11.1: ...
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use crate::engine::{Status, Verdict};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// Scenario id → expected status.
    pub expected: BTreeMap<String, Status>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Syntax {
        path: String,
        line: usize,
        message: String,
    },
}

/// One way the run differs from the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The scenario got another verdict than the baseline says.
    Changed {
        id: String,
        expected: Status,
        actual: Status,
    },
    /// The scenario ran but the baseline does not list it.
    Unlisted { id: String, actual: Status },
    /// The baseline lists a scenario that did not run.
    NotRun { id: String, expected: Status },
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Difference::Changed {
                id,
                expected,
                actual,
            } => write!(
                f,
                "{id}: baseline says {}, got {}",
                expected.as_str(),
                actual.as_str()
            ),
            Difference::Unlisted { id, actual } => write!(
                f,
                "{id}: not in the baseline (got {}); add it",
                actual.as_str()
            ),
            Difference::NotRun { id, expected } => write!(
                f,
                "{id}: in the baseline ({}) but did not run; remove it or check --scenarios",
                expected.as_str()
            ),
        }
    }
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Baseline::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, path: &str) -> Result<Baseline, BaselineError> {
        let mut expected = BTreeMap::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let syntax = |message: String| BaselineError::Syntax {
                path: path.to_string(),
                line: index + 1,
                message,
            };
            let mut words = line.split_whitespace();
            let (Some(id), Some(word), None) = (words.next(), words.next(), words.next()) else {
                return Err(syntax(format!(
                    "expected `scenario-id verdict`, found `{line}`"
                )));
            };
            let status = Status::parse(word).ok_or_else(|| {
                syntax(format!(
                    "unknown verdict `{word}` (pass, fail, non-strict, unsupported, skip, error)"
                ))
            })?;
            if expected.insert(id.to_string(), status).is_some() {
                return Err(syntax(format!("`{id}` is listed twice")));
            }
        }
        Ok(Baseline { expected })
    }

    /// Differences between this baseline and the run. Scenarios the
    /// baseline lists but that did not run count only when `complete` (no
    /// `--filter` narrowed the run).
    pub fn compare(&self, verdicts: &[Verdict], complete: bool) -> Vec<Difference> {
        let mut diffs = Vec::new();
        for v in verdicts {
            match self.expected.get(&v.id) {
                Some(&expected) if expected != v.status => diffs.push(Difference::Changed {
                    id: v.id.clone(),
                    expected,
                    actual: v.status,
                }),
                Some(_) => {}
                None => diffs.push(Difference::Unlisted {
                    id: v.id.clone(),
                    actual: v.status,
                }),
            }
        }
        if complete {
            for (id, &expected) in &self.expected {
                if !verdicts.iter().any(|v| &v.id == id) {
                    diffs.push(Difference::NotRun {
                        id: id.clone(),
                        expected,
                    });
                }
            }
        }
        diffs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids_verdicts_and_comments() {
        let b = Baseline::parse("# header\n\na/b pass\nc/d   fail # §11.1 broken\n", "x.txt")
            .expect("valid baseline");
        assert_eq!(b.expected.get("a/b"), Some(&Status::Pass));
        assert_eq!(b.expected.get("c/d"), Some(&Status::Fail));
        assert_eq!(b.expected.len(), 2);
    }

    #[test]
    fn rejects_unknown_verdicts_with_the_line() {
        let err = Baseline::parse("a/b pass\na/c passed\n", "x.txt").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("x.txt:2: unknown verdict `passed`"),
            "{err}"
        );
    }

    #[test]
    fn rejects_duplicates_and_missing_verdicts() {
        assert!(Baseline::parse("a pass\na fail\n", "x").is_err());
        assert!(Baseline::parse("a\n", "x").is_err());
    }
}
