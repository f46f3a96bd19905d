//! The line structure of a scenario body: `C:`/`S:`/`or:` entries with
//! their continuation lines, directives, comments and blank lines.
//!
//! This layer knows nothing about which side is under test; it only says
//! what each line is, so that mistakes in the shape of the file (a
//! misspelt directive, an indented directive, `c:` for `C:`) are reported
//! before any XML is looked at.

use std::time::Duration;

use super::error::ScenarioError;
use super::model::{SaslOption, SaslSpec};
use super::source::{Joined, SourceFile};
use super::suggest::did_you_mean;

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Directive {
    Restart,
    StartTls,
    /// `sasl MECHANISM…  [option…]`: a whole SASL exchange with the run's
    /// credentials.
    Sasl(SaslSpec),
    ExpectClose,
    Silence(Duration),
    /// `login`: TLS if offered, SASL, restart, bind.
    Login,
    /// `authenticate`: `login` without the bind.
    Authenticate,
    /// `connection NAME`: the following steps use this connection.
    Connection(String),
    /// The path as written and where it is on the line (byte range).
    Include {
        path: String,
        start: usize,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum Item {
    Entry { kind: Kind, line: u32, text: Joined },
    Directive { line: u32, directive: Directive },
}

/// The directives this version runs.
const DIRECTIVES: &[&str] = &[
    "restart",
    "starttls",
    "sasl",
    "expect-close",
    "silence",
    "include",
    "login",
    "authenticate",
    "connection",
];

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
        let directive = directive(src, line, text)?;
        items.push(Item::Directive { line, directive });
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
    if trimmed.contains(['<', '>']) || !DIRECTIVES.contains(&word) {
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

/// Options of `sasl` for client scenarios (the harness plays the server).
const SASL_OPTIONS: &[&str] = &["wrong-proof", "proof-in-success", "challenge="];

/// `sasl MECHANISM… [option…]`: mechanisms are upper case (RFC 4422 §3.1),
/// options lower case, so each word says which it is.
fn sasl_directive(
    src: &SourceFile,
    line: u32,
    word_len: usize,
    arg_start: usize,
    arg: &str,
) -> Result<Directive, ScenarioError> {
    let supported = crate::sasl::SUPPORTED;
    if arg.is_empty() {
        return Err(src
            .error(line, 0, word_len, "`sasl` needs a mechanism")
            .with_help(format!("one of {}", supported.join(", "))));
    }
    let mut spec = SaslSpec::default();
    let mut offset = 0;
    for word in arg.split_whitespace() {
        let at = arg_start + offset + arg[offset..].find(word).unwrap_or(0);
        offset = at - arg_start + word.len();
        if let Some(m) = supported.iter().find(|m| **m == word) {
            spec.mechanisms.push((*m).to_string());
            continue;
        }
        match word {
            "wrong-proof" => spec.options.push(SaslOption::WrongProof),
            "proof-in-success" => spec.options.push(SaslOption::ProofInSuccess),
            _ if word.starts_with("challenge=") => {
                let b64 = &word["challenge=".len()..];
                let bytes = crate::sasl::b64::decode(b64).map_err(|e| {
                    src.error(
                        line,
                        at,
                        word.len(),
                        format!("`challenge=` is not base64: {e}"),
                    )
                    .with_help("write the challenge's bytes in base64, as they go in <challenge/>")
                })?;
                spec.options.push(SaslOption::Challenge(bytes));
            }
            _ => {
                let is_option = word.chars().next().is_some_and(|c| c.is_ascii_lowercase());
                let (what, candidates): (&str, &[&str]) = if is_option {
                    ("option", SASL_OPTIONS)
                } else {
                    ("mechanism", &supported)
                };
                let e = src.error(
                    line,
                    at,
                    word.len(),
                    format!("unknown SASL {what} `{word}`"),
                );
                return Err(match did_you_mean(word, candidates) {
                    Some(m) => e.with_help(format!("did you mean `{m}`?")),
                    None => e.with_help(format!("one of {}", candidates.join(", "))),
                });
            }
        }
    }
    if spec.mechanisms.is_empty() {
        return Err(src
            .error(line, 0, word_len, "`sasl` needs a mechanism")
            .with_help(format!("one of {}", supported.join(", "))));
    }
    Ok(Directive::Sasl(spec))
}

/// Parse a line at column 1 that is not an entry.
fn directive(src: &SourceFile, line: u32, text: &str) -> Result<Directive, ScenarioError> {
    if let Some(e) = misspelt_prefix(src, line, text) {
        return Err(e);
    }
    let word_len = text.find(char::is_whitespace).unwrap_or(text.len());
    let word = &text[..word_len];
    let rest = &text[word_len..];
    let arg_start = word_len + (rest.len() - rest.trim_start().len());
    let arg = text[arg_start..].trim_end();
    let no_argument = |d: Directive| {
        if arg.is_empty() {
            Ok(d)
        } else {
            Err(src.error(
                line,
                arg_start,
                arg.len(),
                format!("`{word}` takes no argument"),
            ))
        }
    };
    match word {
        "restart" => no_argument(Directive::Restart),
        "starttls" => no_argument(Directive::StartTls),
        "expect-close" => no_argument(Directive::ExpectClose),
        "login" => no_argument(Directive::Login),
        "authenticate" => no_argument(Directive::Authenticate),
        "connection" => {
            let valid = !arg.is_empty()
                && arg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if valid {
                Ok(Directive::Connection(arg.to_owned()))
            } else {
                Err(src
                    .error(
                        line,
                        if arg.is_empty() { 0 } else { arg_start },
                        if arg.is_empty() { word_len } else { arg.len() },
                        "`connection` needs a name of letters, digits, `-` or `_`",
                    )
                    .with_help("e.g. `connection second`; the first connection is `main`"))
            }
        }
        "sasl" => sasl_directive(src, line, word_len, arg_start, arg),
        "silence" => {
            if arg.is_empty() {
                return Err(src
                    .error(line, 0, word_len, "`silence` needs a duration")
                    .with_help("e.g. `silence 500ms` or `silence 2s`"));
            }
            humantime::parse_duration(arg)
                .map(Directive::Silence)
                .map_err(|e| {
                    src.error(
                        line,
                        arg_start,
                        arg.len(),
                        format!("invalid duration `{arg}`: {e}"),
                    )
                    .with_help("e.g. `500ms`, `2s`, `1m 30s`")
                })
        }
        "include" => {
            if arg.is_empty() {
                return Err(src
                    .error(line, 0, word_len, "`include` needs a path")
                    .with_help("e.g. `include ../_include/open-stream.xmpp`"));
            }
            Ok(Directive::Include {
                path: arg.to_owned(),
                start: arg_start,
            })
        }
        "+++" => Err(src
            .error(
                line,
                0,
                3,
                "front matter must start on the first line of the file",
            )
            .with_help("move the `+++` block to the top")),
        _ => {
            let candidates = DIRECTIVES.to_vec();
            let e = src.error(line, 0, word_len, format!("unknown directive `{word}`"));
            Err(match did_you_mean(word, &candidates) {
                Some(s) => e.with_help(format!("did you mean `{s}`?")),
                None if word.starts_with('<') => {
                    e.with_help("lines of XML start with `C:` or `S:`")
                }
                None => e.with_help(
                    "lines start with `C:`, `S:`, `or:`, `#`, or a directive: \
                     restart, starttls, sasl, login, authenticate, connection, \
                     expect-close, silence, include",
                ),
            })
        }
    }
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

    fn directives(text: &str) -> Vec<Directive> {
        items(text)
            .into_iter()
            .filter_map(|i| match i {
                Item::Directive { directive, .. } => Some(directive),
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
                "restart\nstarttls\nexpect-close\nsilence 500ms\nsilence 2s\ninclude ../_include/a.xmpp  "
            ),
            vec![
                Directive::Restart,
                Directive::StartTls,
                Directive::ExpectClose,
                Directive::Silence(Duration::from_millis(500)),
                Directive::Silence(Duration::from_secs(2)),
                Directive::Include {
                    path: "../_include/a.xmpp".into(),
                    start: 8
                },
            ]
        );
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
            "`expect-close` takes no argument"
        );
    }

    #[test]
    fn sasl_with_several_mechanisms_and_options() {
        assert_eq!(
            directives("sasl SCRAM-SHA-1 PLAIN wrong-proof proof-in-success challenge=YWJj"),
            vec![Directive::Sasl(SaslSpec {
                mechanisms: vec!["SCRAM-SHA-1".into(), "PLAIN".into()],
                options: vec![
                    SaslOption::WrongProof,
                    SaslOption::ProofInSuccess,
                    SaslOption::Challenge(b"abc".to_vec())
                ],
            })]
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
                Directive::Login,
                Directive::Authenticate,
                Directive::Connection("second-1".into())
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
