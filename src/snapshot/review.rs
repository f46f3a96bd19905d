//! `xmpp-conform snapshots review DIR`: walk the pending `.snap.new`
//! files, show each diff, and accept (it replaces the `.snap`), reject (it
//! is deleted) or skip it. `--accept-all` and `--reject-all` do it without
//! asking, for scripts.

use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

use super::file::parse;
use super::store::unified_diff;

/// What to do with each pending snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Ask,
    AcceptAll,
    RejectAll,
}

/// How many were accepted, rejected and skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reviewed {
    pub accepted: usize,
    pub rejected: usize,
    pub skipped: usize,
}

/// Every `.snap.new` below `dir`, sorted.
pub fn pending(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(".snap.new") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Review every pending snapshot below `dir`. `input` answers the
/// questions when `decision` is `Ask` (a line starting with `a`, `r` or
/// `s`; end of input skips the rest).
pub fn review(
    dir: &Path,
    decision: Decision,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> io::Result<Reviewed> {
    let mut done = Reviewed::default();
    let files = pending(dir)?;
    if files.is_empty() {
        writeln!(output, "no pending snapshots under {}", dir.display())?;
        return Ok(done);
    }
    for (n, new_path) in files.iter().enumerate() {
        let snap_path = PathBuf::from(
            new_path
                .to_string_lossy()
                .trim_end_matches(".new")
                .to_string(),
        );
        let new_text = std::fs::read_to_string(new_path)?;
        let new_content = parse(&new_text).map(|s| s.content).unwrap_or(new_text);
        let old_content = std::fs::read_to_string(&snap_path)
            .ok()
            .map(|t| parse(&t).map(|s| s.content).unwrap_or(t))
            .unwrap_or_default();
        writeln!(
            output,
            "[{}/{}] {}{}",
            n + 1,
            files.len(),
            snap_path.display(),
            if snap_path.exists() { "" } else { " (new)" }
        )?;
        write!(
            output,
            "{}",
            unified_diff(&old_content, &new_content, &snap_path)
        )?;
        let choice = match decision {
            Decision::AcceptAll => 'a',
            Decision::RejectAll => 'r',
            Decision::Ask => ask(input, output)?,
        };
        match choice {
            'a' => {
                std::fs::rename(new_path, &snap_path)?;
                writeln!(output, "accepted")?;
                done.accepted += 1;
            }
            'r' => {
                std::fs::remove_file(new_path)?;
                writeln!(output, "rejected")?;
                done.rejected += 1;
            }
            _ => {
                writeln!(output, "skipped")?;
                done.skipped += 1;
            }
        }
    }
    Ok(done)
}

fn ask(input: &mut dyn BufRead, output: &mut dyn Write) -> io::Result<char> {
    loop {
        write!(output, "accept (a), reject (r) or skip (s)? ")?;
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok('s');
        }
        match line.trim().chars().next() {
            Some(c @ ('a' | 'r' | 's')) => return Ok(c),
            _ => writeln!(output, "please answer a, r or s")?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{SnapFile, render_snap};

    fn write_snap(path: &Path, content: &str) {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let text = render_snap(&SnapFile {
            source: "s.xmpp".into(),
            description: "t".into(),
            content: content.into(),
        });
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn asks_for_each_and_does_what_it_is_told() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path();
        write_snap(&root.join("a.snap"), "<old/>");
        write_snap(&root.join("a.snap.new"), "<new/>");
        write_snap(&root.join("sub/b.snap.new"), "<b/>");
        write_snap(&root.join("sub/c.snap.new"), "<c/>");
        let mut answers: &[u8] = b"x\na\nr\n";
        let mut out = Vec::new();
        let done = review(root, Decision::Ask, &mut answers, &mut out).ok();
        assert_eq!(
            done,
            Some(Reviewed {
                accepted: 1,
                rejected: 1,
                skipped: 1
            })
        );
        let shown = String::from_utf8_lossy(&out);
        assert!(
            shown.contains("-<old/>") && shown.contains("+<new/>"),
            "{shown}"
        );
        assert!(shown.contains("please answer"), "{shown}");
        let a = std::fs::read_to_string(root.join("a.snap")).unwrap_or_default();
        assert!(a.contains("<new/>"));
        assert!(!root.join("sub/b.snap.new").exists() && !root.join("sub/b.snap").exists());
        assert!(root.join("sub/c.snap.new").exists(), "end of input skips");
    }

    #[test]
    fn accept_all_without_questions() {
        let dir = tempfile::tempdir().expect("temporary folder");
        write_snap(&dir.path().join("x.snap.new"), "<x/>");
        let mut none: &[u8] = b"";
        let mut out = Vec::new();
        let done = review(dir.path(), Decision::AcceptAll, &mut none, &mut out).ok();
        assert_eq!(done.map(|d| d.accepted), Some(1));
        assert!(dir.path().join("x.snap").exists());
        assert!(pending(dir.path()).map(|p| p.is_empty()).unwrap_or(false));
    }
}
