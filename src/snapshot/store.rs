//! Snapshot files on disk: `DIR/<scenario id>.snap`, compared on every
//! run, with the new version written beside a differing one as `.snap.new`.

use std::path::{Path, PathBuf};

use super::file::{SnapFile, parse, render};

/// What a run does with snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write missing snapshots, compare existing ones (the default outside
    /// CI).
    New,
    /// Compare; a missing snapshot fails too (the default when `CI` is set:
    /// nothing is accepted without review there).
    Check,
    /// Rewrite every snapshot with what was received.
    Update,
}

impl Mode {
    /// `check` when the environment says CI (`CI` set and not `false`/`0`),
    /// else `new`.
    pub fn default_for_environment() -> Mode {
        match std::env::var("CI") {
            Ok(v) if !v.is_empty() && v != "false" && v != "0" => Mode::Check,
            _ => Mode::New,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SnapshotConfig {
    pub dir: PathBuf,
    pub mode: Mode,
}

/// How a scenario's stream compared with its snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Equal to the stored snapshot.
    Matched,
    /// There was none; it was written (mode `new`), or rewritten (`update`).
    Written(PathBuf),
    /// Different: the new version is in `pending`, the diff says how.
    Differs { pending: PathBuf, diff: String },
    /// There was none and mode `check` does not write one; the new version
    /// is in `pending` for review.
    Missing { pending: PathBuf },
    /// The file could not be read or written.
    Failed(String),
}

/// The snapshot file of scenario `id` under `dir`.
pub fn path_of(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.snap"))
}

/// The pending new version beside `snap`.
pub fn pending_of(snap: &Path) -> PathBuf {
    let mut name = snap.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

/// Compare `snap` with the stored snapshot of scenario `id`, writing files
/// as `config.mode` says.
pub fn check(config: &SnapshotConfig, id: &str, snap: &SnapFile) -> Outcome {
    let path = path_of(&config.dir, id);
    let pending = pending_of(&path);
    let text = render(snap);
    let write = |to: &Path| -> Result<(), String> {
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::write(to, &text).map_err(|e| format!("cannot write {}: {e}", to.display()))
    };
    let finish = |outcome: Outcome| match write_result(&outcome, &write) {
        Ok(()) => outcome,
        Err(e) => Outcome::Failed(e),
    };
    if config.mode == Mode::Update {
        let _ = std::fs::remove_file(&pending);
        return finish(Outcome::Written(path));
    }
    let stored = match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Outcome::Failed(format!("cannot read {}: {e}", path.display())),
    };
    match stored {
        None if config.mode == Mode::New => finish(Outcome::Written(path)),
        None => finish(Outcome::Missing { pending }),
        Some(stored) => {
            let old = parse(&stored).map(|s| s.content).unwrap_or(stored);
            let new = snap.content.trim_end_matches('\n');
            if old.trim_end_matches('\n') == new {
                let _ = std::fs::remove_file(&pending);
                return Outcome::Matched;
            }
            let diff = unified_diff(&old, new, &path);
            finish(Outcome::Differs { pending, diff })
        }
    }
}

/// Write the file an outcome names, if any.
fn write_result(
    outcome: &Outcome,
    write: &dyn Fn(&Path) -> Result<(), String>,
) -> Result<(), String> {
    match outcome {
        Outcome::Written(p)
        | Outcome::Differs { pending: p, .. }
        | Outcome::Missing { pending: p } => write(p),
        Outcome::Matched | Outcome::Failed(_) => Ok(()),
    }
}

/// `-` lines from the stored snapshot, `+` lines from this run.
pub fn unified_diff(old: &str, new: &str, path: &Path) -> String {
    let old_name = path.display().to_string();
    let new_name = pending_of(path).display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&old_name, &new_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(content: &str) -> SnapFile {
        SnapFile {
            source: "s.xmpp".into(),
            description: "t".into(),
            content: content.into(),
        }
    }

    #[test]
    fn new_then_matched_then_differs_then_update() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let config = |mode| SnapshotConfig {
            dir: dir.path().to_path_buf(),
            mode,
        };
        let path = dir.path().join("rfc/a.snap");
        assert_eq!(
            check(&config(Mode::New), "rfc/a", &snap("<a/>")),
            Outcome::Written(path.clone())
        );
        assert_eq!(
            check(&config(Mode::Check), "rfc/a", &snap("<a/>\n")),
            Outcome::Matched
        );
        let Outcome::Differs { pending, diff } =
            check(&config(Mode::Check), "rfc/a", &snap("<b/>"))
        else {
            panic!("expected a difference");
        };
        assert!(pending.ends_with("rfc/a.snap.new"));
        assert!(diff.contains("-<a/>") && diff.contains("+<b/>"), "{diff}");
        assert!(pending.is_file());
        check(&config(Mode::Update), "rfc/a", &snap("<b/>"));
        assert!(!pending.exists(), "update clears the pending file");
        assert_eq!(
            check(&config(Mode::Check), "rfc/a", &snap("<b/>")),
            Outcome::Matched
        );
    }

    #[test]
    fn check_mode_does_not_write_a_missing_snapshot() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let config = SnapshotConfig {
            dir: dir.path().to_path_buf(),
            mode: Mode::Check,
        };
        let outcome = check(&config, "x", &snap("<a/>"));
        assert!(matches!(outcome, Outcome::Missing { .. }), "{outcome:?}");
        assert!(!dir.path().join("x.snap").exists());
        assert!(dir.path().join("x.snap.new").exists());
    }
}
