//! The built-in scenarios, embedded in the binary by `build.rs`.
//!
//! The suite a user runs must not depend on the folder they stand in: it
//! used to be `./scenarios/server` when the working directory had one,
//! else the crate's source folder, which an installed binary may no longer
//! have. Files are known by their path from the crate's root
//! (`scenarios/server/_include/starttls.xmpp`), which is also how messages
//! and reports show them. `--scenarios DIR` still reads files on disk.

use std::path::{Component, Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/built_in_scenarios.rs"));

/// The folder of the built-in server scenarios, as paths show it.
pub const SERVER: &str = "scenarios/server";
/// The folder of the built-in client scenarios.
pub const CLIENT: &str = "scenarios/client";

/// The bytes of the built-in file at `path` (any `.`/`..` in it resolved
/// lexically, `/` or the platform's separator).
pub fn get(path: &Path) -> Option<&'static [u8]> {
    let wanted = slash_path(&super::paths::normalise(path));
    FILES
        .iter()
        .find(|(name, _)| *name == wanted)
        .map(|(_, bytes)| *bytes)
}

/// The scenario files below `folder` (`scenarios/server`), sorted, each
/// with `folder` as its root, as [`super::discover`] finds them on disk:
/// names starting with `_` or `.` (fragments in `_include/`) are left out.
pub fn discover(folder: &str) -> Vec<(PathBuf, PathBuf)> {
    let prefix = format!("{}/", folder.trim_end_matches('/'));
    let mut out: Vec<(PathBuf, PathBuf)> = FILES
        .iter()
        .filter_map(|(name, _)| name.strip_prefix(&prefix).map(|rest| (*name, rest)))
        .filter(|(_, rest)| {
            !rest
                .split('/')
                .any(|part| part.starts_with('_') || part.starts_with('.'))
        })
        .map(|(name, _)| (PathBuf::from(folder), PathBuf::from(name)))
        .collect();
    out.sort();
    out
}

/// Every built-in file (fragments included), by path: for `corpus export`
/// and the tests.
pub fn files() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    FILES.iter().copied()
}

/// `path` with `/` between its parts, whatever the platform.
fn slash_path(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_under_scenarios_is_embedded() {
        let on_disk = super::super::discover(&[Path::new(env!("CARGO_MANIFEST_DIR")).join(SERVER)])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(discover(SERVER).len(), on_disk.len());
        assert!(
            discover(CLIENT)
                .iter()
                .all(|(root, _)| root == Path::new(CLIENT))
        );
        assert!(get(Path::new("scenarios/server/_include/starttls.xmpp")).is_some());
        assert!(
            get(Path::new(
                "scenarios/server/rfc6120/tls/../../_include/starttls.xmpp"
            ))
            .is_some()
        );
        assert!(get(Path::new("scenarios/server/nope.xmpp")).is_none());
        assert!(
            discover(SERVER)
                .iter()
                .all(|(_, f)| !f.to_string_lossy().contains("_include"))
        );
    }
}
