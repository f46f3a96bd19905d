//! Finding scenario files on disk: `.xmpp` files and scansion's `.scs`
//! scripts.
//!
//! Folders and files whose name starts with `_` (such as `_include/`, for
//! fragments pulled in by `include`) or `.` are skipped, so fragments and
//! editor droppings never run as scenarios of their own.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Every `.xmpp` and `.scs` file under each of `paths`, each with its root: the folder
/// given, or the parent of a file given directly.
pub(super) fn discover(paths: &[PathBuf]) -> io::Result<Vec<(PathBuf, PathBuf)>> {
    let mut out = Vec::new();
    for path in paths {
        let meta = fs::metadata(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            let mut seen = HashSet::new();
            walk(path, &mut files, &mut seen)?;
            files.sort();
            out.extend(files.into_iter().map(|f| (path.clone(), f)));
        } else {
            let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
            out.push((root, path.clone()));
        }
    }
    Ok(out)
}

fn skipped(name: &str) -> bool {
    name.starts_with('_') || name.starts_with('.')
}

/// Collect `.xmpp` and `.scs` files below `dir`; `seen` holds the canonical folders
/// visited, so a symlink loop ends instead of recursing forever.
fn walk(dir: &Path, files: &mut Vec<PathBuf>, seen: &mut HashSet<PathBuf>) -> io::Result<()> {
    if !seen.insert(fs::canonicalize(dir)?) {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if skipped(name) {
            continue;
        }
        let path = entry.path();
        // Follows symlinks, so a linked folder of scenarios is found too.
        let meta = fs::metadata(&path)?;
        if meta.is_dir() {
            walk(&path, files, seen)?;
        } else if path
            .extension()
            .is_some_and(|e| e == "xmpp" || e == super::scansion::EXTENSION)
        {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, rel: &str) {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        fs::write(&p, "").unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn walks_sorted_and_skips_fragments() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = dir.path().to_path_buf();
        for rel in [
            "server/b.xmpp",
            "server/a.xmpp",
            "server/stream/c.xmpp",
            "server/_include/open.xmpp",
            "server/_x.xmpp",
            "server/.hidden/d.xmpp",
            "server/notes.txt",
        ] {
            touch(&root, rel);
        }
        let found = discover(std::slice::from_ref(&root)).unwrap_or_else(|e| panic!("{e}"));
        let rels: Vec<_> = found
            .iter()
            .map(|(r, f)| {
                assert_eq!(r, &root);
                f.strip_prefix(&root)
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(
            rels,
            vec!["server/a.xmpp", "server/b.xmpp", "server/stream/c.xmpp"]
        );
    }

    #[test]
    fn a_file_stands_for_itself() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        touch(dir.path(), "x/_frag.xmpp");
        let file = dir.path().join("x/_frag.xmpp");
        let found = discover(std::slice::from_ref(&file)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(found, vec![(dir.path().join("x"), file)]);
    }

    #[test]
    fn missing_path_names_it() {
        let e = discover(&[PathBuf::from("/nonexistent/xyz")]).err();
        assert!(e.is_some_and(|e| e.to_string().contains("/nonexistent/xyz")));
    }
}
