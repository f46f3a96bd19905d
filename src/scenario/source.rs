//! The text of one scenario file as lines, and the mapping from offsets in
//! the text the parser works on back to `line:column` in the file.
//!
//! Every error the format can produce must point at the file, and a
//! multi-line `C:`/`S:` entry is parsed as one joined text; [`Joined`]
//! remembers where each of its pieces came from so an offset reported by
//! the XML parser or the template parser lands on the right line.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::Arc;

use super::error::ScenarioError;
use super::model::Location;

/// One scenario file, split into lines without their terminators.
#[derive(Debug)]
pub(crate) struct SourceFile {
    pub path: Arc<PathBuf>,
    pub lines: Vec<String>,
}

impl SourceFile {
    /// Split `text` into lines; `\r\n` and `\n` both end a line, and a
    /// leading UTF-8 byte order mark is dropped (editors on Windows add it).
    ///
    /// The path is kept as messages will show it: normalised
    /// (`scenarios/server/_include/starttls.xmpp` for an `include
    /// ../../_include/starttls.xmpp` from `rfc6120/tls/`), see [`shown`].
    pub fn new(path: PathBuf, text: &str) -> SourceFile {
        let path = shown(path);
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
            .collect();
        SourceFile {
            path: Arc::new(path),
            lines,
        }
    }

    /// The text of 1-based line `no` (empty past the end).
    pub fn line(&self, no: u32) -> &str {
        no.checked_sub(1)
            .and_then(|i| self.lines.get(i as usize))
            .map_or("", String::as_str)
    }

    pub fn location(&self, line: u32, column: u32) -> Location {
        Location {
            path: Arc::clone(&self.path),
            line,
            column,
        }
    }

    /// An error at `line`, starting at byte `start` of that line and
    /// underlining `len` bytes; converted to character columns here.
    pub fn error(
        &self,
        line: u32,
        start: usize,
        len: usize,
        message: impl Into<String>,
    ) -> ScenarioError {
        let text = self.line(line);
        let start = floor_char_boundary(text, start.min(text.len()));
        let end = floor_char_boundary(text, start.saturating_add(len).min(text.len()));
        let column = text[..start].chars().count() as u32 + 1;
        let width = text[start..end].chars().count() as u32;
        ScenarioError {
            path: Arc::clone(&self.path),
            line,
            column,
            width,
            message: message.into(),
            line_text: text.to_owned(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// An error about the whole of `line`, from its first non-blank
    /// character to its end.
    pub fn error_line(&self, line: u32, message: impl Into<String>) -> ScenarioError {
        let text = self.line(line);
        let start = text.len() - text.trim_start().len();
        let len = text.trim().len();
        self.error(line, start, len, message)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Largest scenario (or included) file read: scenarios are transcripts,
/// and a path to `/dev/zero` or a huge file must be an error, not a hang
/// or an exhausted memory.
pub(crate) const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

thread_local! {
    /// Whether the files being loaded on this thread are the built-in
    /// ones, so that their `include`s are read from the binary too and
    /// never from whatever the working directory holds under the same
    /// path. A scope rather than a parameter: includes are resolved by
    /// `scenario::build::Builder`, which reads through [`read_bounded`] and is
    /// not this module's to change. Loading is synchronous, so the scope
    /// covers exactly one scenario's files.
    static BUILT_IN: Cell<bool> = const { Cell::new(false) };
}

/// Run `load` with every file it reads taken from the built-in table.
pub(crate) fn reading_built_in<T>(load: impl FnOnce() -> T) -> T {
    /// Resets the scope even if `load` panics.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            BUILT_IN.with(|b| b.set(self.0));
        }
    }
    let _restore = Restore(BUILT_IN.with(|b| b.replace(true)));
    load()
}

fn is_built_in() -> bool {
    BUILT_IN.with(Cell::get)
}

/// How a scenario file's path is shown: normalised, unless on disk the
/// normalised path would name another file than the given one (a `..`
/// after a symlinked folder goes to the link target's parent), in which
/// case the path is kept as given, since includes are resolved from it.
fn shown(path: PathBuf) -> PathBuf {
    let normal = super::paths::normalise(&path);
    if normal == path || is_built_in() {
        return normal;
    }
    let same = std::fs::canonicalize(&path).ok() == std::fs::canonicalize(&normal).ok();
    if same { normal } else { path }
}

/// The bytes of the scenario file at `path`: a regular file of at most
/// [`MAX_FILE_BYTES`], or the built-in file of that path while loading the
/// built-in scenarios.
pub(crate) fn read_bounded(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    if is_built_in() {
        return super::built_in::get(path)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file among the built-in scenarios",
                )
            });
    }
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

/// Decode a file's bytes, pointing at the first line that is not UTF-8.
pub(crate) fn decode(path: &std::path::Path, bytes: Vec<u8>) -> Result<String, ScenarioError> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = e.utf8_error().valid_up_to();
        let line_start = bytes[..valid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let text = String::from_utf8_lossy(&bytes[line_start..])
            .lines()
            .next()
            .unwrap_or("")
            .to_owned();
        let column = String::from_utf8_lossy(&bytes[line_start..valid])
            .chars()
            .count() as u32
            + 1;
        ScenarioError {
            path: Arc::new(path.to_path_buf()),
            line,
            column,
            width: 1,
            message: "the file is not valid UTF-8".to_owned(),
            line_text: text,
            help: Some("scenario files are UTF-8; write raw bytes with `{hex:…}`".to_owned()),
            notes: Vec::new(),
        }
    })
}

/// A piece of a joined text: where it sits in the joined text and where
/// it came from in the file.
#[derive(Debug, Clone)]
struct Piece {
    /// Byte offset of the piece in [`Joined::text`].
    offset: usize,
    /// 1-based line in the file.
    line: u32,
    /// Byte offset in that line where the piece starts.
    start: usize,
    len: usize,
}

/// The text of a `C:`/`S:`/`or:` entry and its continuation lines, joined
/// with `\n`, with the way back to the file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Joined {
    pub text: String,
    pieces: Vec<Piece>,
}

impl Joined {
    /// Append the part of `line` from byte `start` to its end.
    pub fn push(&mut self, line: u32, start: usize, piece: &str) {
        if !self.pieces.is_empty() {
            self.text.push('\n');
        }
        self.pieces.push(Piece {
            offset: self.text.len(),
            line,
            start,
            len: piece.len(),
        });
        self.text.push_str(piece);
    }

    /// The line of the first piece.
    pub fn first_line(&self) -> u32 {
        self.pieces.first().map_or(0, |p| p.line)
    }

    /// (line, byte offset in that line) of `offset` in the joined text. An
    /// offset on a joining `\n` or past the end maps to the end of the
    /// piece before it.
    pub fn locate(&self, offset: usize) -> (u32, usize) {
        let piece = self
            .pieces
            .iter()
            .rev()
            .find(|p| p.offset <= offset)
            .or(self.pieces.first());
        match piece {
            Some(p) => (p.line, p.start + (offset - p.offset.min(offset)).min(p.len)),
            None => (0, 0),
        }
    }

    /// An error for the byte range `start..start + len` of the joined text,
    /// clipped to the line where it starts.
    pub fn error(
        &self,
        src: &SourceFile,
        start: usize,
        len: usize,
        message: impl Into<String>,
    ) -> ScenarioError {
        let (line, col) = self.locate(start);
        let piece_end = self
            .pieces
            .iter()
            .find(|p| p.line == line)
            .map_or(col, |p| p.start + p.len);
        let len = len.min(piece_end.saturating_sub(col));
        src.error(line, col, len, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_drop_terminators_and_bom() {
        let src = SourceFile::new("a".into(), "\u{feff}one\r\ntwo\nthree");
        assert_eq!(src.lines, vec!["one", "two", "three"]);
        assert_eq!(src.line(2), "two");
        assert_eq!(src.line(9), "");
        assert_eq!(src.line(0), "");
    }

    #[test]
    fn errors_count_columns_in_characters() {
        let src = SourceFile::new("a".into(), "C: <é x='{nope}'/>");
        let e = src.error(1, 10, 8, "m");
        assert_eq!((e.line, e.column, e.width), (1, 10, 8));
    }

    #[test]
    fn joined_offsets_map_back_to_lines() {
        let src = SourceFile::new("a".into(), "S: <a\n     b='1'/>");
        let mut j = Joined::default();
        j.push(1, 3, "<a");
        j.push(2, 0, "     b='1'/>");
        assert_eq!(j.text, "<a\n     b='1'/>");
        assert_eq!(j.locate(0), (1, 3));
        assert_eq!(j.locate(1), (1, 4));
        assert_eq!(j.locate(2), (1, 5));
        assert_eq!(j.locate(8), (2, 5));
        assert_eq!(j.locate(100), (2, 12));
        let e = j.error(&src, 8, 3, "m");
        assert_eq!((e.line, e.column, e.width), (2, 6, 3));
    }

    #[test]
    fn decode_points_at_the_bad_byte() {
        let e = decode(std::path::Path::new("a"), b"ok\nC: ab\xff\n".to_vec());
        let e = e.err().map(|e| (e.line, e.column));
        assert_eq!(e, Some((2, 6)));
    }
}
