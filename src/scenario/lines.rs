//! The line structure of a scenario body: `C:`/`S:`/`or:` entries with
//! their continuation lines, directives, comments and blank lines.
//!
//! This layer knows nothing about which side is under test; it only says
//! what each line is, so that mistakes in the shape of the file (a
//! misspelt directive, an indented directive, `c:` for `C:`) are reported
//! before any XML is looked at.

use super::directives::{self, Args, Directive, Parsed};
use super::error::ScenarioError;
use super::source::{Joined, SourceFile};

/// Which prefix an entry was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `C:`: the client's line.
    Client,
    /// `S:`: the server's line.
    Server,
    /// `or:`: another acceptable answer for the entry above.
    Or,
}

impl Kind {
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Client => "C:",
            Kind::Server => "S:",
            Kind::Or => "or:",
        }
    }
}

#[derive(Debug)]
pub(crate) enum Item {
    Entry {
        kind: Kind,
        line: u32,
        text: Joined,
    },
    /// A directive, with its row of the table and its arguments parsed.
    Directive {
        line: u32,
        directive: &'static Directive,
        parsed: Parsed,
    },
}

/// Read the body lines of `src`, from 0-based line index `start`.
pub(crate) fn read(src: &SourceFile, start: usize) -> Result<Vec<Item>, ScenarioError> {
    let mut items = Vec::new();
    // Whether an indented line may continue the last item.
    let mut open = false;
    for (index, text) in src.lines.iter().enumerate().skip(start) {
        let line = index as u32 + 1;
        if text.trim().is_empty() {
            open = false;
            continue;
        }
        if text.starts_with('#') {
            // Comments do not end an entry, so one can annotate a long one.
            continue;
        }
        if text.starts_with([' ', '\t']) {
            check_not_directive(src, line, text)?;
            match items.last_mut() {
                Some(Item::Entry { text: joined, .. }) if open => joined.push(line, 0, text),
                _ => {
                    return Err(src
                        .error_line(
                            line,
                            "this indented line does not continue a `C:`, `S:` or `or:` line",
                        )
                        .with_help(
                            "only entries continue on indented lines; start directives at column 1",
                        ));
                }
            }
            continue;
        }
        if let Some((kind, rest)) = entry_prefix(text) {
            let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            let start = text.len() - rest.len() + skipped;
            if start == text.len() {
                let p = kind.prefix();
                return Err(src
                    .error(line, 0, p.len(), format!("`{p}` has no text"))
                    .with_help(format!("write the text on the same line as `{p}`")));
            }
            let mut joined = Joined::default();
            joined.push(line, start, &text[start..]);
            items.push(Item::Entry {
                kind,
                line,
                text: joined,
            });
            open = true;
            continue;
        }
        open = false;
        let (directive, parsed) = directive(src, line, text)?;
        items.push(Item::Directive {
            line,
            directive,
            parsed,
        });
    }
    Ok(items)
}

fn entry_prefix(text: &str) -> Option<(Kind, &str)> {
    if let Some(rest) = text.strip_prefix("C:") {
        Some((Kind::Client, rest))
    } else if let Some(rest) = text.strip_prefix("S:") {
        Some((Kind::Server, rest))
    } else {
        text.strip_prefix("or:").map(|rest| (Kind::Or, rest))
    }
}

/// An indented line that is just a directive is almost surely a directive
/// written with indentation (it would otherwise be sent or matched as text).
fn check_not_directive(src: &SourceFile, line: u32, text: &str) -> Result<(), ScenarioError> {
    let trimmed = text.trim();
    let word = trimmed.split_whitespace().next().unwrap_or("");
    if trimmed.contains(['<', '>']) || directives::find(word).is_none() {
        return Ok(());
    }
    let start = text.len() - text.trim_start().len();
    Err(src
        .error(
            line,
            start,
            word.len(),
            format!("directive `{word}` must start at column 1"),
        )
        .with_help("an indented line continues the line above; remove the indentation"))
}

/// Parse a line at column 1 that is not an entry: a directive, as the
/// table in `directives` knows them, or a mistake worth naming.
fn directive(
    src: &SourceFile,
    line: u32,
    text: &str,
) -> Result<(&'static Directive, Parsed), ScenarioError> {
    if let Some(e) = misspelt_prefix(src, line, text) {
        return Err(e);
    }
    let args = Args::split(src, line, text);
    if args.name == "+++" {
        return Err(src
            .error(
                line,
                0,
                3,
                "front matter must start on the first line of the file",
            )
            .with_help("move the `+++` block to the top"));
    }
    directives::parse(&args)
}

/// `c:`, `S :`, `Or:` and the like: a line-kind prefix spelt wrong.
fn misspelt_prefix(src: &SourceFile, line: u32, text: &str) -> Option<ScenarioError> {
    let colon = text.find(':')?;
    let head = text[..colon].trim_end();
    if head.is_empty() || head.len() > 3 || !head.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let intended = match head.to_ascii_lowercase().as_str() {
        "c" => "C:",
        "s" => "S:",
        "or" => "or:",
        _ => {
            return Some(
                src.error(
                    line,
                    0,
                    colon + 1,
                    format!("unknown line kind `{}`", &text[..=colon]),
                )
                .with_help("lines start with `C:`, `S:` or `or:`"),
            );
        }
    };
    Some(
        src.error(
            line,
            0,
            colon + 1,
            format!("unknown line kind `{}`", &text[..=colon]),
        )
        .with_help(format!("did you mean `{intended}`?")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Result<Vec<Item>, ScenarioError> {
        read(&SourceFile::new("t.xmpp".into(), text), 0)
    }

    fn items(text: &str) -> Vec<Item> {
        read_str(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(text: &str) -> ScenarioError {
        match read_str(text) {
            Ok(items) => panic!("parsed: {items:?}"),
            Err(e) => e,
        }
    }

    fn entries(text: &str) -> Vec<(Kind, u32, String)> {
        items(text)
            .into_iter()
            .filter_map(|i| match i {
                Item::Entry { kind, line, text } => Some((kind, line, text.text)),
                Item::Directive { .. } => None,
            })
            .collect()
    }

    /// Each directive as its name and what it parsed into.
    fn directives(text: &str) -> Vec<String> {
        items(text)
            .into_iter()
            .filter_map(|i| match i {
                Item::Directive {
                    directive, parsed, ..
                } => Some(format!("{} {parsed:?}", directive.name)),
                Item::Entry { .. } => None,
            })
            .collect()
    }

    #[test]
    fn entries_and_prefixes() {
        assert_eq!(
            entries("C: <a/>\nS:<b/>\nor:\t <c/>"),
            vec![
                (Kind::Client, 1, "<a/>".into()),
                (Kind::Server, 2, "<b/>".into()),
                (Kind::Or, 3, "<c/>".into()),
            ]
        );
    }

    #[test]
    fn trailing_spaces_are_kept() {
        assert_eq!(entries("C: <a/>  ")[0].2, "<a/>  ");
    }

    #[test]
    fn continuation_lines_join_with_newline() {
        let text = "C: <a\n   b='1'\n\t/>\n\nS: <c/>";
        assert_eq!(
            entries(text),
            vec![
                (Kind::Client, 1, "<a\n   b='1'\n\t/>".into()),
                (Kind::Server, 5, "<c/>".into()),
            ]
        );
    }

    #[test]
    fn comments_are_skipped_even_inside_an_entry() {
        assert_eq!(
            entries("# hi\nC: <a>\n# note\n  </a>"),
            vec![(Kind::Client, 2, "<a>\n  </a>".into())]
        );
    }

    #[test]
    fn blank_line_ends_continuation() {
        let e = err("C: <a/>\n\n   <b/>");
        assert_eq!((e.line, e.column, e.width), (3, 4, 4));
        assert!(e.message.contains("does not continue"), "{e}");
    }

    #[test]
    fn continuation_after_directive_is_an_error() {
        let e = err("restart\n  <b/>");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn every_directive() {
        assert_eq!(
            directives(
                "restart\nstarttls\nexpect-close\nsilence 500ms\nsilence 2s\ninclude ../_include/a.xmpp  \nstarttls or-close\nexpect-close abrupt\nexpect-close close-notify"
            ),
            vec![
                "restart Step(Restart)",
                "starttls Step(StartTls { or_close: false })",
                "expect-close Step(ExpectClose { abrupt: false, close_notify: false })",
                "silence Step(Silence(500ms))",
                "silence Step(Silence(2s))",
                "include Include { path: \"../_include/a.xmpp\", start: 8 }",
                "starttls Step(StartTls { or_close: true })",
                "expect-close Step(ExpectClose { abrupt: true, close_notify: false })",
                "expect-close Step(ExpectClose { abrupt: false, close_notify: true })",
            ]
        );
    }

    #[test]
    fn unsupported_unless_takes_a_capture_and_a_reason() {
        assert_eq!(
            directives("unsupported-unless $maxpause no maxpause (XEP-0124 §10)"),
            vec![
                "unsupported-unless Step(UnsupportedUnless { capture: \"maxpause\", reason: \"no maxpause (XEP-0124 §10)\" })"
            ]
        );
        for bad in [
            "unsupported-unless",
            "unsupported-unless $x",
            "unsupported-unless x why",
        ] {
            let e = err(bad);
            assert!(e.help.is_some(), "{bad}: {e}");
        }
    }

    #[test]
    fn unknown_directive_renders_with_suggestion() {
        let mut text = String::new();
        for _ in 0..11 {
            text.push_str("# x\n");
        }
        text.push_str("expect-clsoe\n");
        let mut e = err(&text);
        e.path = std::sync::Arc::new("scenarios/server/x.xmpp".into());
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
    fn unknown_directive_without_close_match() {
        let e = err("<message/>");
        assert_eq!(
            e.help.as_deref(),
            Some("lines of XML start with `C:` or `S:`")
        );
        let e = err("frobnicate now");
        assert_eq!(e.width, 10);
        assert!(e.help.as_deref().is_some_and(|h| h.contains("restart")));
    }

    #[test]
    fn misspelt_prefixes() {
        for (text, help) in [
            ("c: <a/>", "did you mean `C:`?"),
            ("C : <a/>", "did you mean `C:`?"),
            ("s: <a/>", "did you mean `S:`?"),
            ("OR: <a/>", "did you mean `or:`?"),
        ] {
            let e = err(text);
            assert_eq!(e.help.as_deref(), Some(help), "{text}");
            assert!(e.message.starts_with("unknown line kind"), "{e}");
        }
        assert!(err("X: <a/>").message.contains("`X:`"));
    }

    #[test]
    fn directive_arguments() {
        let e = err("restart now");
        assert_eq!((e.column, e.width), (9, 3));
        assert_eq!(e.message, "`restart` takes no argument");
        let e = err("silence");
        assert_eq!(e.message, "`silence` needs a duration");
        let e = err("silence 5 parsecs");
        assert_eq!((e.column, e.width), (9, 9));
        assert!(e.message.starts_with("invalid duration `5 parsecs`"), "{e}");
        assert_eq!(err("include").message, "`include` needs a path");
        assert_eq!(
            err("expect-close x").message,
            "`expect-close` takes nothing, `abrupt` or `close-notify`"
        );
    }

    #[test]
    fn sasl_with_several_mechanisms_and_options() {
        assert_eq!(
            directives("sasl SCRAM-SHA-1 PLAIN wrong-proof proof-in-success challenge=YWJj"),
            vec![
                "sasl Step(Sasl(SaslSpec { mechanisms: [\"SCRAM-SHA-1\", \"PLAIN\"], \
                 options: [WrongProof, ProofInSuccess, Challenge([97, 98, 99])] }))"
            ]
        );
        let e = err("sasl PLAIN wrong-prof");
        assert_eq!((e.column, e.width), (12, 10));
        assert_eq!(e.message, "unknown SASL option `wrong-prof`");
        assert_eq!(e.help.as_deref(), Some("did you mean `wrong-proof`?"));
        let e = err("sasl PLAIN challenge=!!");
        assert!(e.message.contains("not base64"), "{e}");
        assert_eq!(err("sasl wrong-proof").message, "`sasl` needs a mechanism");
    }

    #[test]
    fn session_directives() {
        assert_eq!(
            directives("login\nauthenticate\nconnection second-1"),
            vec![
                "login Step(Login { bind: true })",
                "authenticate Step(Login { bind: false })",
                "connection Step(Connection { name: \"second-1\", account: None })",
            ]
        );
        assert_eq!(err("login now").message, "`login` takes no argument");
        assert!(err("connection").message.contains("needs a name"));
        let e = err("connection a b");
        assert_eq!((e.column, e.width), (12, 3));
        assert_eq!(err("logn").help.as_deref(), Some("did you mean `login`?"));
    }

    #[test]
    fn indented_directive_is_caught() {
        let e = err("S: </stream:stream>\n   expect-close");
        assert_eq!((e.line, e.column, e.width), (2, 4, 12));
        assert_eq!(e.message, "directive `expect-close` must start at column 1");
    }

    #[test]
    fn empty_entry_and_late_front_matter() {
        assert_eq!(err("C:   ").message, "`C:` has no text");
        assert!(err("\n+++\n").message.contains("first line"));
    }
}
