//! Scenario paths as messages show them, worked out without the disk (the
//! built-in scenarios have none).

use std::path::{Component, Path, PathBuf};

/// `path` with `.` and `name/..` removed, without looking at the disk:
/// `a/b/../../c` is `c`; `..` that climbs above the start is kept.
pub(crate) fn normalise(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}
