//! insta's `.snap` format: a YAML-ish header between `---` lines, then the
//! content. Written here by hand (three header keys) rather than through
//! the insta crate, whose file handling is meant for `assert_snapshot!`
//! inside tests, not for a tool writing snapshots at run time.
//!
//! ```text
//! ---
//! source: scenarios/server/rfc6120/stream/basic-session.xmpp
//! description: "The server answers a stream header with its own, then features"
//! expression: received stream
//! ---
//! <stream:stream …>
//! ```

/// One snapshot file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapFile {
    /// The scenario file the snapshot is of.
    pub source: String,
    /// The scenario's title.
    pub description: String,
    /// The normalized received stream.
    pub content: String,
}

/// The file's text.
pub fn render(snap: &SnapFile) -> String {
    format!(
        "---\nsource: {}\ndescription: {}\nexpression: received stream\n---\n{}\n",
        snap.source,
        yaml_string(&snap.description),
        snap.content.trim_end_matches('\n')
    )
}

/// Read a `.snap` file's text; `None` if it has no header.
pub fn parse(text: &str) -> Option<SnapFile> {
    let text = text.replace("\r\n", "\n");
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    let (header, content) = (&rest[..end], &rest[end + 5..]);
    let field = |key: &str| {
        header
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .map(|v| unquote(v.trim()))
            .unwrap_or_default()
    };
    Some(SnapFile {
        source: field("source"),
        description: field("description"),
        content: content.trim_end_matches('\n').to_string(),
    })
}

/// A double-quoted YAML string (titles hold `:` and quotes).
fn yaml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn unquote(s: &str) -> String {
    match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let snap = SnapFile {
            source: "scenarios/server/a.xmpp".into(),
            description: "A \"quoted\" title: with a colon".into(),
            content: "<a/>\n-- new stream\n".into(),
        };
        let text = render(&snap);
        assert!(text.starts_with("---\nsource: scenarios/server/a.xmpp\n"));
        assert!(text.ends_with("---\n<a/>\n-- new stream\n"));
        let back = parse(&text);
        assert_eq!(
            back,
            Some(SnapFile {
                content: "<a/>\n-- new stream".into(),
                ..snap
            })
        );
        assert_eq!(parse("no header"), None);
    }
}
