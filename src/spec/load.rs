//! One inventory file (TOML) → a checked [`Document`].
//!
//! Every fault points at `path:line:column` of the file, so whoever edits
//! an inventory by hand finds the entry at once: toml's byte spans are
//! turned into lines and columns here, in one place.

use serde::Deserialize;
use toml::Spanned;

use super::{Binds, Document, Level, Section, SpecError, Statement};

/// Every key of each table, for "did you mean".
const KEYS: &[&str] = &[
    "document",
    "section",
    "statement",
    "id",
    "title",
    "source",
    "number",
    "level",
    "binds",
    "checkable",
    "why_not",
    "says",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    document: RawDocument,
    #[serde(default)]
    section: Vec<RawSection>,
    #[serde(default)]
    statement: Vec<RawStatement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    id: Spanned<String>,
    title: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    number: Spanned<String>,
    title: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatement {
    id: Spanned<String>,
    section: Spanned<String>,
    level: Spanned<String>,
    binds: Spanned<String>,
    checkable: Spanned<bool>,
    #[serde(default)]
    why_not: Option<Spanned<String>>,
    says: Spanned<String>,
}

/// Where faults of one file are reported.
struct File<'a> {
    path: &'a str,
    text: &'a str,
}

impl File<'_> {
    fn at(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> SpecError {
        let start = span.start.min(self.text.len());
        let before = self.text.get(..start).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        SpecError {
            path: self.path.to_owned(),
            line,
            column,
            message: message.into(),
            help: None,
        }
    }
}

fn with_help(mut e: SpecError, help: impl Into<String>) -> SpecError {
    e.help = Some(help.into());
    e
}

/// Parse and check one inventory file; `path` is only for messages.
pub fn parse(path: &str, text: &str) -> Result<Document, SpecError> {
    let file = File { path, text };
    let raw: RawFile = toml::from_str(text).map_err(|e| toml_error(&file, &e))?;

    let id = raw.document.id.get_ref();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(with_help(
            file.at(
                raw.document.id.span(),
                format!("invalid document id `{id}`"),
            ),
            "lower-case letters, digits and `-`: \"rfc6120\"",
        ));
    }
    let doc_id = id.clone();

    let mut sections: Vec<Section> = Vec::with_capacity(raw.section.len());
    for s in raw.section {
        let number = s.number.get_ref();
        if !is_section_number(number) {
            return Err(with_help(
                file.at(
                    s.number.span(),
                    format!("invalid section number `{number}`"),
                ),
                "numbers separated by dots, an appendix letter first: \"4.7.3\", \"A.1\"",
            ));
        }
        if sections.iter().any(|x| &x.number == number) {
            return Err(file.at(
                s.number.span(),
                format!("section `{number}` is listed twice"),
            ));
        }
        if s.title.get_ref().trim().is_empty() {
            return Err(file.at(s.title.span(), format!("section `{number}` has no title")));
        }
        sections.push(Section {
            number: s.number.into_inner(),
            title: s.title.into_inner(),
        });
    }

    let mut statements: Vec<Statement> = Vec::with_capacity(raw.statement.len());
    for s in raw.statement {
        statements.push(statement(&file, &doc_id, &sections, &statements, s)?);
    }
    Ok(Document {
        id: doc_id,
        title: raw.document.title,
        source: raw.document.source,
        sections,
        statements,
    })
}

/// Check one `[[statement]]` against the sections and the statements
/// before it.
fn statement(
    file: &File,
    doc: &str,
    sections: &[Section],
    before: &[Statement],
    s: RawStatement,
) -> Result<Statement, SpecError> {
    let section = s.section.get_ref();
    if !sections.iter().any(|x| &x.number == section) {
        let numbers: Vec<&str> = sections.iter().map(|x| x.number.as_str()).collect();
        let e = file.at(
            s.section.span(),
            format!("section `{section}` is not listed"),
        );
        return Err(match crate::suggest::did_you_mean(section, &numbers) {
            Some(n) => with_help(e, format!("did you mean `{n}`?")),
            None => with_help(e, "add it as a [[section]] first"),
        });
    }
    let n = before.iter().filter(|x| &x.section == section).count() + 1;
    let expected = format!("{doc}/{section}/{n}");
    if s.id.get_ref() != &expected {
        return Err(with_help(
            file.at(
                s.id.span(),
                format!("statement id `{}` is out of order", s.id.get_ref()),
            ),
            format!(
                "expected `{expected}`: `<document>/<section>/<n>`, n counting the section's statements from 1"
            ),
        ));
    }
    let level = match Level::ALL.iter().find(|(_, n)| n == s.level.get_ref()) {
        Some((l, _)) => *l,
        None => {
            return Err(choice(file, &s.level, "level", &Level::ALL.map(|(_, n)| n)));
        }
    };
    let binds = match Binds::ALL.iter().find(|(_, n)| n == s.binds.get_ref()) {
        Some((b, _)) => *b,
        None => {
            return Err(choice(file, &s.binds, "binds", &Binds::ALL.map(|(_, n)| n)));
        }
    };
    let checkable = *s.checkable.get_ref();
    let why_not = match (&s.why_not, checkable) {
        (Some(w), true) if !w.get_ref().trim().is_empty() => {
            return Err(file.at(w.span(), "`why_not` on a checkable statement"));
        }
        (Some(w), false) if !w.get_ref().trim().is_empty() => w.get_ref().clone(),
        (_, false) => {
            return Err(with_help(
                file.at(
                    s.checkable.span(),
                    format!("`{expected}` is not checkable but says not why"),
                ),
                "add why_not = \"...\"",
            ));
        }
        _ => String::new(),
    };
    if s.says.get_ref().trim().is_empty() {
        return Err(file.at(s.says.span(), "`says` is empty"));
    }
    Ok(Statement {
        id: expected,
        section: section.clone(),
        level,
        binds,
        checkable,
        why_not,
        says: s.says.into_inner(),
    })
}

fn choice(file: &File, got: &Spanned<String>, key: &str, names: &[&str]) -> SpecError {
    let e = file.at(got.span(), format!("unknown {key} `{}`", got.get_ref()));
    match crate::suggest::did_you_mean(got.get_ref(), names) {
        Some(n) => with_help(e, format!("did you mean `{n}`?")),
        None => with_help(e, format!("one of {}", names.join(", "))),
    }
}

/// `4`, `4.7.3`, `A`, `A.1`: an appendix letter or a number, then numbers.
fn is_section_number(s: &str) -> bool {
    let mut parts = s.split('.');
    let first_ok = parts.next().is_some_and(|p| {
        (!p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            || (p.len() == 1 && p.chars().all(|c| c.is_ascii_uppercase()))
    });
    first_ok && parts.all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

fn toml_error(file: &File, e: &toml::de::Error) -> SpecError {
    let raw = e.message().trim();
    let span = e.span().unwrap_or(0..0);
    let unknown = raw
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next());
    match unknown {
        Some(key) => {
            let err = file.at(span, format!("unknown key `{key}`"));
            match crate::suggest::did_you_mean(key, KEYS) {
                Some(k) => with_help(err, format!("did you mean `{k}`?")),
                None => err,
            }
        }
        None => file.at(span, format!("invalid inventory: {raw}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "[document]\nid = \"rfc9999\"\ntitle = \"T\"\nsource = \"S\"\n\n\
                        [[section]]\nnumber = \"4\"\ntitle = \"Streams\"\n\n\
                        [[section]]\nnumber = \"4.1\"\ntitle = \"Ids\"\n";

    fn statement(id: &str, section: &str, extra: &str) -> String {
        format!(
            "\n[[statement]]\nid = \"{id}\"\nsection = \"{section}\"\nlevel = \"MUST\"\n\
             binds = \"server\"\n{extra}says = \"x\"\n"
        )
    }

    fn err(text: &str) -> SpecError {
        match parse("spec/t.toml", text) {
            Ok(d) => panic!("parsed: {d:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_good_file() {
        let text = format!(
            "{HEAD}{}{}{}",
            statement("rfc9999/4.1/1", "4.1", "checkable = true\n"),
            statement(
                "rfc9999/4.1/2",
                "4.1",
                "checkable = false\nwhy_not = \"s2s\"\n"
            ),
            statement("rfc9999/4/1", "4", "checkable = true\n"),
        );
        let doc = parse("spec/t.toml", &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.sections.len(), 2);
        assert_eq!(doc.statements.len(), 3);
        assert_eq!(doc.statements[1].why_not, "s2s");
        assert!(!doc.statements[1].checkable);
    }

    #[test]
    fn faults_point_at_the_line() {
        let text = format!(
            "{HEAD}{}",
            statement("rfc9999/4.1/2", "4.1", "checkable = true\n")
        );
        let e = err(&text);
        assert_eq!((e.line, e.column), (15, 6), "{e}");
        assert!(e.message.contains("out of order"), "{e}");
        assert!(e.to_string().starts_with("spec/t.toml:15:6: "), "{e}");

        let e = err(&format!(
            "{HEAD}{}",
            statement("rfc9999/4.2/1", "4.2", "checkable = true\n")
        ));
        assert_eq!(e.message, "section `4.2` is not listed");
        assert_eq!(e.help.as_deref(), Some("did you mean `4.1`?"));

        let e = err(&format!(
            "{HEAD}{}",
            statement("rfc9999/4/1", "4", "checkable = false\n")
        ));
        assert!(e.message.contains("says not why"), "{e}");

        let e = err(&format!(
            "{HEAD}{}",
            statement("rfc9999/4/1", "4", "checkable = true\nwhy_not = \"x\"\n")
        ));
        assert_eq!(e.message, "`why_not` on a checkable statement");

        let bad_level =
            statement("rfc9999/4/1", "4", "checkable = true\n").replace("\"MUST\"", "\"MUTS\"");
        let e = err(&format!("{HEAD}{bad_level}"));
        assert_eq!(e.message, "unknown level `MUTS`");
        assert_eq!(e.help.as_deref(), Some("did you mean `MUST`?"));

        let e = err(&format!(
            "{HEAD}{}",
            statement("rfc9999/4/1", "4", "checkable = true\nsayz = \"y\"\n")
        ));
        assert_eq!(e.message, "unknown key `sayz`");
        assert_eq!(e.help.as_deref(), Some("did you mean `says`?"));
        assert!(e.line > 14, "{e}");
    }

    #[test]
    fn sections_are_checked() {
        let e = err(&HEAD.replace("\"4.1\"", "\"4\""));
        assert_eq!(e.message, "section `4` is listed twice");
        let e = err(&HEAD.replace("\"4.1\"", "\"4..1\""));
        assert!(e.message.starts_with("invalid section number"), "{e}");
        let e = err(&HEAD.replace("rfc9999", "RFC 9999"));
        assert!(e.message.starts_with("invalid document id"), "{e}");
        assert!(is_section_number("A.1") && is_section_number("13.7.1.2.1"));
        assert!(!is_section_number("a.1") && !is_section_number("") && !is_section_number("AB"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in [
            "",
            "[document",
            "document = 3",
            "\u{0}",
            "[[statement]]\nid = 1",
        ] {
            let e = err(text);
            assert_eq!(e.path, "spec/t.toml");
        }
    }
}
