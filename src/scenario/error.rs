//! A fault in a scenario file, shown rustc-style.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// `path:line:column: message`, then the line and a caret under the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// Shared like [`super::Location::path`]; an `Arc` also keeps the error
    /// small enough to travel in every `Result` of the parser.
    pub path: Arc<PathBuf>,
    /// 1-based; 0 when the fault is about the file as a whole (unreadable).
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    /// How many characters to underline from `column`; 0 or 1 draw a single
    /// caret.
    pub width: u32,
    pub message: String,
    /// The offending line, as written.
    pub line_text: String,
    /// Shown after the carets: usually "did you mean `…`?".
    pub help: Option<String>,
    /// Extra context below the snippet, e.g. "included from a.xmpp:3".
    pub notes: Vec<String>,
}

impl ScenarioError {
    /// A fault about the file as a whole (unreadable, not UTF-8, ...).
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        ScenarioError {
            path: Arc::new(path.into()),
            line: 0,
            column: 0,
            width: 0,
            message: message.into(),
            line_text: String::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

impl std::error::Error for ScenarioError {}

/// How many columns a character takes on screen: tabs are shown as four
/// spaces, like rustc does, so the caret stays under the right character.
fn display_width(c: char) -> usize {
    if c == '\t' { 4 } else { 1 }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        if self.line == 0 {
            write!(f, " --> {}", self.path.display())?;
            if let Some(help) = &self.help {
                write!(f, "\n  = help: {help}")?;
            }
            for note in &self.notes {
                write!(f, "\n  = note: {note}")?;
            }
            return Ok(());
        }
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        writeln!(
            f,
            "{pad}--> {}:{}:{}",
            self.path.display(),
            self.line,
            self.column
        )?;
        writeln!(f, "{pad} |")?;
        let shown: String = self
            .line_text
            .chars()
            .map(|c| {
                if c == '\t' {
                    "    ".to_owned()
                } else {
                    c.to_string()
                }
            })
            .collect();
        writeln!(f, "{number} | {shown}")?;

        let before = self.column.saturating_sub(1) as usize;
        let indent: usize = self
            .line_text
            .chars()
            .take(before)
            .map(display_width)
            .sum::<usize>()
            + before.saturating_sub(self.line_text.chars().count());
        let remaining = self.line_text.chars().count().saturating_sub(before);
        let carets = (self.width as usize).min(remaining).max(1);
        let underline: usize = self
            .line_text
            .chars()
            .skip(before)
            .take(carets)
            .map(display_width)
            .sum::<usize>()
            .max(1);
        write!(f, "{pad} | {}{}", " ".repeat(indent), "^".repeat(underline))?;
        if let Some(help) = &self.help {
            write!(f, " {help}")?;
        }
        for note in &self.notes {
            write!(f, "\n{pad} = note: {note}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, column: u32, width: u32, text: &str) -> ScenarioError {
        ScenarioError {
            path: Arc::new(PathBuf::from("scenarios/server/x.xmpp")),
            line,
            column,
            width,
            message: "unknown directive `expect-clsoe`".into(),
            line_text: text.into(),
            help: Some("did you mean `expect-close`?".into()),
            notes: Vec::new(),
        }
    }

    #[test]
    fn renders_like_rustc() {
        let e = at(12, 1, 12, "expect-clsoe");
        assert_eq!(
            e.to_string(),
            "error: unknown directive `expect-clsoe`
  --> scenarios/server/x.xmpp:12:1
   |
12 | expect-clsoe
   | ^^^^^^^^^^^^ did you mean `expect-close`?"
        );
    }

    #[test]
    fn single_caret_without_width_and_tabs_expand() {
        let mut e = at(3, 3, 0, "\tab");
        e.help = None;
        let e = e.with_note("included from a.xmpp:2");
        assert_eq!(
            e.to_string(),
            "error: unknown directive `expect-clsoe`
 --> scenarios/server/x.xmpp:3:3
  |
3 |     ab
  |      ^
  = note: included from a.xmpp:2"
        );
    }

    #[test]
    fn caret_past_the_end_of_line() {
        let mut e = at(1, 4, 5, "abc");
        e.help = None;
        assert!(e.to_string().ends_with("1 | abc\n  |    ^"), "{e}");
    }

    #[test]
    fn whole_file_fault_has_no_snippet() {
        let e = ScenarioError::file("a.xmpp", "cannot read the file: gone").with_help("check it");
        assert_eq!(
            e.to_string(),
            "error: cannot read the file: gone\n --> a.xmpp\n  = help: check it"
        );
    }
}
