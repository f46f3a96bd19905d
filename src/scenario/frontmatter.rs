//! The TOML front matter between the `+++` lines at the top of a file.
//!
//! The file's own line numbers are what a reader has in front of them, so
//! toml's byte spans (relative to the front matter) are mapped back to
//! `line:column` in the file: the TOML text starts on line 2.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::error::ScenarioError;
use super::model::{Level, Meta, Peer};
use super::source::SourceFile;
use super::suggest::did_you_mean;

/// Every key the front matter accepts, for "did you mean".
const KEYS: &[&str] = &[
    "title", "spec", "covers", "level", "tags", "needs", "accounts", "peer", "ignore", "redact",
];

const LEVELS: &[&str] = &["MUST", "SHOULD", "MAY"];
const PEERS: &[&str] = &["server", "client"];

/// Where the front matter is: 0-based indices of the opening and closing
/// `+++` lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bounds {
    pub open: usize,
    pub close: usize,
}

impl Bounds {
    /// 0-based index of the first line after the front matter.
    pub fn body_start(self) -> usize {
        self.close + 1
    }
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "+++"
}

/// Find the front matter; `None` when the file does not start with `+++`.
pub(crate) fn locate(src: &SourceFile) -> Result<Option<Bounds>, ScenarioError> {
    match src.lines.first() {
        Some(first) if is_fence(first) => {}
        _ => return Ok(None),
    }
    match src.lines.iter().skip(1).position(|l| is_fence(l)) {
        Some(i) => Ok(Some(Bounds {
            open: 0,
            close: i + 1,
        })),
        None => Err(src
            .error(1, 0, 3, "the front matter is not closed")
            .with_help("add a line `+++` after the last key")),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    title: Spanned<String>,
    spec: Spanned<Vec<String>>,
    /// The spec inventory ids the scenario checks (`spec/*.toml`); read
    /// and checked by the inventory's loader.
    #[serde(default)]
    #[allow(dead_code)]
    covers: Vec<String>,
    #[serde(default)]
    level: Option<Spanned<String>>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    needs: Vec<String>,
    #[serde(default)]
    accounts: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    peer: Option<Spanned<String>>,
    #[serde(default)]
    ignore: Option<Vec<String>>,
    #[serde(default)]
    redact: Option<Spanned<Vec<String>>>,
}

/// `a/b/@c`: names (or `*`) separated by `/`, the last one possibly an
/// attribute. Checked here so a typo is an error at load time, not a
/// redaction that silently never applies.
pub(crate) fn is_redact_path(path: &str) -> bool {
    let name_ok = |n: &str| {
        n == "*"
            || (!n.is_empty()
                && n.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
    };
    let segments: Vec<&str> = path.split('/').collect();
    let Some((last, elements)) = segments.split_last() else {
        return false;
    };
    !elements.is_empty()
        && elements.iter().all(|s| name_ok(s))
        && match last.strip_prefix('@') {
            Some(attr) => name_ok(attr) && attr != "*",
            None => name_ok(last),
        }
        || (segments.len() == 1 && name_ok(last))
}

/// The side under test when the front matter does not say: the nearest
/// folder named `client` or `server` in the path decides, and a path with
/// neither tests a server.
pub(crate) fn default_peer(path: &Path) -> Peer {
    let parent = path.parent().unwrap_or(Path::new(""));
    for component in parent.components().rev() {
        match component.as_os_str().to_str() {
            Some("client") => return Peer::Client,
            Some("server") => return Peer::Server,
            _ => {}
        }
    }
    Peer::Server
}

/// Parse the front matter found at `bounds`.
pub(crate) fn parse(
    src: &SourceFile,
    bounds: Bounds,
    default_peer: Peer,
) -> Result<Meta, ScenarioError> {
    let first_line = bounds.open + 2; // 1-based line of the TOML text
    let text = src.lines[bounds.open + 1..bounds.close].join("\n");
    let at = |span: std::ops::Range<usize>, message: String| {
        span_error(src, &text, first_line, span, message)
    };

    let raw: RawMeta = toml::from_str(&text).map_err(|e| toml_error(src, &text, first_line, &e))?;

    let title = raw.title.get_ref().trim().to_owned();
    if title.is_empty() {
        return Err(at(raw.title.span(), "`title` is empty".into()));
    }
    if raw.spec.get_ref().is_empty() {
        return Err(at(raw.spec.span(), "`spec` names no reference".into())
            .with_help("e.g. spec = [\"RFC 6120 §4.9.3.13\"]"));
    }
    let level = match &raw.level {
        None => Level::Must,
        Some(l) => match l.get_ref().as_str() {
            "MUST" => Level::Must,
            "SHOULD" => Level::Should,
            "MAY" => Level::May,
            other => {
                return Err(choice_error(
                    at(l.span(), format!("unknown level `{other}`")),
                    other,
                    LEVELS,
                ));
            }
        },
    };
    let peer = match &raw.peer {
        None => default_peer,
        Some(p) => match p.get_ref().as_str() {
            "server" => Peer::Server,
            "client" => Peer::Client,
            other => {
                return Err(choice_error(
                    at(p.span(), format!("unknown peer `{other}`")),
                    other,
                    PEERS,
                ));
            }
        },
    };
    let redact = match raw.redact {
        None => Vec::new(),
        Some(r) => {
            if let Some(bad) = r.get_ref().iter().find(|p| !is_redact_path(p)) {
                return Err(
                    at(r.span(), format!("invalid redaction path `{bad}`")).with_help(
                        "a path of local names from the first-level element, `*` for any, \
                     ending in an element (its text) or `@attribute`: \
                     \"iq/query/@ver\", \"message/body\", \"stream/@from\"",
                    ),
                );
            }
            r.into_inner()
        }
    };
    let accounts = match raw.accounts {
        None => Vec::new(),
        Some(a) => {
            if let Some(bad) = a
                .get_ref()
                .iter()
                .find(|n| !crate::accounts::is_account_name(n))
            {
                return Err(at(a.span(), format!("invalid account name `{bad}`"))
                    .with_help("letters, digits, `_` and `-`, starting with a letter: \"romeo\""));
            }
            a.into_inner()
        }
    };
    Ok(Meta {
        title,
        spec: raw.spec.into_inner(),
        level,
        tags: raw.tags,
        needs: raw.needs,
        accounts,
        peer,
        ignore: raw.ignore.unwrap_or_else(|| vec!["presence".to_owned()]),
        redact,
    })
}

fn choice_error(e: ScenarioError, got: &str, choices: &[&str]) -> ScenarioError {
    match did_you_mean(got, choices) {
        Some(s) => e.with_help(format!("did you mean `{s}`?")),
        None => e.with_help(format!(
            "expected one of {}",
            choices
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// An error at a byte span of the TOML text, which starts at `first_line`.
fn span_error(
    src: &SourceFile,
    text: &str,
    first_line: usize,
    span: std::ops::Range<usize>,
    message: String,
) -> ScenarioError {
    let start = span.start.min(text.len());
    let line_index = text[..start].matches('\n').count();
    let line_start = text[..start].rfind('\n').map_or(0, |p| p + 1);
    let line = (first_line + line_index) as u32;
    src.error(line, start - line_start, span.len(), message)
}

fn toml_error(
    src: &SourceFile,
    text: &str,
    first_line: usize,
    e: &toml::de::Error,
) -> ScenarioError {
    let raw = e.message().trim();
    let (message, help) = if let Some(key) = quoted_after(raw, "unknown field `") {
        let help = match did_you_mean(key, KEYS) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("known keys: {}", KEYS.join(", ")),
        };
        (
            format!("unknown key `{key}` in the front matter"),
            Some(help),
        )
    } else if let Some(key) = quoted_after(raw, "missing field `") {
        (format!("the front matter has no `{key}`"), None)
    } else {
        (format!("invalid front matter: {raw}"), None)
    };
    let missing = raw.starts_with("missing field");
    let e2 = match e.span() {
        Some(span) if !missing => span_error(src, text, first_line, span, message),
        // A missing key has no place of its own: point at the opening fence.
        _ => src.error(first_line as u32 - 1, 0, 3, message),
    };
    match help {
        Some(h) => e2.with_help(h),
        None => e2,
    }
}

/// The text between `prefix` and the next backquote, if `s` starts so.
fn quoted_after<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = s.strip_prefix(prefix)?;
    rest.find('`').map(|end| &rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(text: &str) -> Result<Meta, ScenarioError> {
        let src = SourceFile::new("t.xmpp".into(), text);
        let bounds = locate(&src)?.ok_or_else(|| ScenarioError::file("t", "no front matter"))?;
        parse(&src, bounds, Peer::Server)
    }

    fn err(text: &str) -> ScenarioError {
        match meta(text) {
            Ok(m) => panic!("parsed: {m:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn full_and_defaults() {
        let m = meta("+++\ntitle = \"T\"\nspec = [\"RFC 6120 §4.9\"]\n+++\nC: x").ok();
        assert_eq!(
            m,
            Some(Meta {
                title: "T".into(),
                spec: vec!["RFC 6120 §4.9".into()],
                level: Level::Must,
                tags: vec![],
                needs: vec![],
                accounts: vec![],
                peer: Peer::Server,
                ignore: vec!["presence".into()],
                redact: vec![],
            })
        );
        let m = meta(
            "+++\ntitle = \"T\"\nspec = [\"a\"]\nlevel = \"SHOULD\"\ntags = [\"x\"]\n\
             needs = [\"tls\"]\npeer = \"client\"\nignore = []\n+++\n",
        );
        let m = m.ok();
        assert_eq!(m.as_ref().map(|m| m.level), Some(Level::Should));
        assert_eq!(m.as_ref().map(|m| m.peer), Some(Peer::Client));
        assert_eq!(m.as_ref().map(|m| m.ignore.len()), Some(0));
        assert_eq!(
            m.map(|m| (m.tags, m.needs)),
            Some((vec!["x".into()], vec!["tls".into()]))
        );
    }

    #[test]
    fn accounts_are_names_a_placeholder_can_use() {
        let m =
            meta("+++\ntitle = \"T\"\nspec = [\"a\"]\naccounts = [\"romeo\", \"juliet\"]\n+++\n");
        assert_eq!(
            m.ok().map(|m| m.accounts),
            Some(vec!["romeo".to_string(), "juliet".to_string()])
        );
        let e = err("+++\ntitle = \"T\"\nspec = [\"a\"]\naccounts = [\"ro meo\"]\n+++\n");
        assert!(
            e.to_string().contains("invalid account name `ro meo`"),
            "{e}"
        );
    }

    #[test]
    fn unknown_key_points_at_it() {
        let e = err("+++\ntitle = \"T\"\nspec = [\"a\"]\n  titel = \"x\"\n+++\n");
        assert_eq!((e.line, e.column, e.width), (4, 3, 5));
        assert_eq!(e.message, "unknown key `titel` in the front matter");
        assert_eq!(e.help.as_deref(), Some("did you mean `title`?"));
        assert_eq!(
            e.to_string(),
            "error: unknown key `titel` in the front matter
 --> t.xmpp:4:3
  |
4 |   titel = \"x\"
  |   ^^^^^ did you mean `title`?"
        );
    }

    #[test]
    fn syntax_error_maps_to_file_line() {
        let e = err("+++\ntitle = \"T\"\nspec = [\"a\"\n+++\n");
        assert!(e.message.starts_with("invalid front matter"), "{e}");
        assert!(e.line >= 3, "{e}");
    }

    #[test]
    fn wrong_type_and_level() {
        let e = err("+++\ntitle = 3\nspec = [\"a\"]\n+++\n");
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("invalid front matter"), "{e}");
        let e = err("+++\ntitle = \"t\"\nspec = [\"a\"]\nlevel = \"must\"\n+++\n");
        assert_eq!((e.line, e.column), (4, 9), "{e}");
        assert_eq!(e.message, "unknown level `must`");
        assert_eq!(e.help.as_deref(), Some("did you mean `MUST`?"));
        let e = err("+++\ntitle = \"t\"\nspec = [\"a\"]\npeer = \"sever\"\n+++\n");
        assert_eq!(e.help.as_deref(), Some("did you mean `server`?"));
    }

    #[test]
    fn missing_keys_and_empty_values() {
        let e = err("+++\nspec = [\"a\"]\n+++\n");
        assert_eq!(e.message, "the front matter has no `title`");
        assert_eq!(e.line, 1);
        let e = err("+++\ntitle = \"t\"\nspec = []\n+++\n");
        assert_eq!(
            (e.line, e.message.as_str()),
            (3, "`spec` names no reference")
        );
        let e = err("+++\ntitle = \" \"\nspec = [\"a\"]\n+++\n");
        assert_eq!((e.line, e.message.as_str()), (2, "`title` is empty"));
    }

    #[test]
    fn unclosed_front_matter() {
        let e = err("+++\ntitle = \"t\"\n");
        assert_eq!((e.line, e.column, e.width), (1, 1, 3));
        assert_eq!(e.message, "the front matter is not closed");
    }

    #[test]
    fn peer_from_path() {
        assert_eq!(
            default_peer(Path::new("scenarios/client/x.xmpp")),
            Peer::Client
        );
        assert_eq!(
            default_peer(Path::new("/home/client/s/server/x.xmpp")),
            Peer::Server
        );
        assert_eq!(default_peer(Path::new("x.xmpp")), Peer::Server);
        assert_eq!(default_peer(Path::new("client.xmpp")), Peer::Server);
    }

    #[test]
    fn redaction_paths() {
        for ok in [
            "iq/query/@ver",
            "message/body",
            "stream/@from",
            "*/@stamp",
            "iq",
        ] {
            assert!(is_redact_path(ok), "{ok}");
        }
        for bad in ["", "iq//x", "@ver", "iq/@*", "iq/qu ery", "iq/@"] {
            assert!(!is_redact_path(bad), "{bad}");
        }
        let e = meta("+++\ntitle = \"T\"\nspec = [\"a\"]\nredact = [\"iq/@\"]\n+++\n").err();
        assert!(e.is_some_and(|e| e.message.contains("invalid redaction path `iq/@`")));
    }
}
