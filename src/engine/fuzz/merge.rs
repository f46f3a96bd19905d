//! `fuzz --merge DIR… --out DIR`: the findings of several shards in one
//! folder. A finding's file is named by its content hash
//! ([`super::finding::file_name`]), so the same finding from two shards is
//! one file: merging copies each name once.

use std::path::{Path, PathBuf};

/// Why findings could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("cannot read the findings folder {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What a merge did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Merged {
    /// Findings copied into the output folder.
    pub copied: usize,
    /// Findings the output folder already had (found by another shard).
    pub duplicates: usize,
}

/// Copy the findings of `from` into `into`, each distinct one once. Files
/// that are not findings (other names) are left out.
pub fn merge(from: &[PathBuf], into: &Path) -> Result<Merged, MergeError> {
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MergeError::Write { path, source }
    };
    std::fs::create_dir_all(into).map_err(write_err(into))?;
    let mut merged = Merged::default();
    for dir in from {
        let read_err = |source| MergeError::Read {
            path: dir.clone(),
            source,
        };
        let mut names: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
            .map_err(read_err)?
            .filter_map(Result::ok)
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
            .filter(|(name, _)| super::finding::is_finding_name(name))
            .collect();
        // The same order on every machine, for the counts.
        names.sort();
        for (name, path) in names {
            let target = into.join(&name);
            if target.exists() {
                merged.duplicates += 1;
                continue;
            }
            std::fs::copy(&path, &target).map_err(write_err(&target))?;
            merged.copied += 1;
        }
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_finding_from_two_shards_is_copied_once() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (a, b, out) = (
            root.path().join("a"),
            root.path().join("b"),
            root.path().join("out"),
        );
        for dir in [&a, &b] {
            std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
        }
        let write = |dir: &Path, name: &str| {
            std::fs::write(dir.join(name), name).unwrap_or_else(|e| panic!("{e}"));
        };
        write(&a, "hang-00000000000000aa.xmpp");
        write(&a, "crash-00000000000000bb.xmpp");
        write(&b, "hang-00000000000000aa.xmpp");
        write(&b, "hang-00000000000000cc.xmpp");
        write(&b, "notes.txt");
        let merged = merge(&[a, b], &out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            merged,
            Merged {
                copied: 3,
                duplicates: 1
            }
        );
        assert_eq!(std::fs::read_dir(&out).map(Iterator::count).ok(), Some(3));
        let missing = merge(&[root.path().join("nope")], &out);
        assert!(matches!(missing, Err(MergeError::Read { .. })));
    }
}
