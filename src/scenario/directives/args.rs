//! A directive line split into its name and its arguments, with the means
//! to point an error at either: what every argument parser needs and
//! nothing more, so a parser is a few lines of its own rules.

use super::super::error::ScenarioError;
use super::super::model::Action;
use super::super::source::SourceFile;
use super::Parsed;

/// One directive line: `name argument text`.
pub(crate) struct Args<'a> {
    src: &'a SourceFile,
    line: u32,
    /// The first word of the line, as written.
    pub name: &'a str,
    /// Everything after the name, without surrounding whitespace; empty
    /// when the directive was written alone.
    pub text: &'a str,
    /// Byte offset of `text` in the line, so errors can underline it.
    pub start: usize,
}

impl<'a> Args<'a> {
    /// Split `text`, the whole of 1-based `line` of `src`, after its first
    /// word.
    pub fn split(src: &'a SourceFile, line: u32, text: &'a str) -> Args<'a> {
        let name_len = text.find(char::is_whitespace).unwrap_or(text.len());
        let rest = &text[name_len..];
        let start = name_len + (rest.len() - rest.trim_start().len());
        Args {
            src,
            line,
            name: &text[..name_len],
            text: text[start..].trim_end(),
            start,
        }
    }

    /// An error underlining the directive's name.
    pub fn at_name(&self, message: impl Into<String>) -> ScenarioError {
        self.src.error(self.line, 0, self.name.len(), message)
    }

    /// An error underlining all the arguments.
    pub fn at_text(&self, message: impl Into<String>) -> ScenarioError {
        self.at(self.start, self.text.len(), message)
    }

    /// An error underlining `len` bytes from byte `start` of the line.
    pub fn at(&self, start: usize, len: usize, message: impl Into<String>) -> ScenarioError {
        self.src.error(self.line, start, len, message)
    }

    /// `action`, for a directive that takes no argument.
    pub fn none(&self, action: Action) -> Result<Parsed, ScenarioError> {
        if self.text.is_empty() {
            Ok(Parsed::Step(action))
        } else {
            Err(self.at_text(format!("`{}` takes no argument", self.name)))
        }
    }

    /// Each whitespace-separated word of the arguments with its byte offset
    /// in the line.
    pub fn words(&self) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        let text = self.text;
        // Where the search for the next word starts: a word can occur
        // earlier inside another one (`A AA`).
        let mut from = 0;
        text.split_whitespace().map(move |w| {
            let at = from + text[from..].find(w).unwrap_or(0);
            from = at + w.len();
            (self.start + at, w)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_line(line: &str) -> (String, String, usize) {
        let src = SourceFile::new("t.xmpp".into(), line);
        let a = Args::split(&src, 1, &src.lines[0]);
        (a.name.to_owned(), a.text.to_owned(), a.start)
    }

    #[test]
    fn name_and_trimmed_arguments() {
        assert_eq!(
            split_line("silence \t 2s  "),
            ("silence".into(), "2s".into(), 10)
        );
        assert_eq!(split_line("restart"), ("restart".into(), String::new(), 7));
        assert_eq!(
            split_line("restart   "),
            ("restart".into(), String::new(), 10)
        );
    }

    #[test]
    fn words_carry_their_offsets() {
        let src = SourceFile::new("t.xmpp".into(), "sasl  PLAIN   x");
        let a = Args::split(&src, 1, &src.lines[0]);
        assert_eq!(a.words().collect::<Vec<_>>(), vec![(6, "PLAIN"), (14, "x")]);
    }
}
