//! [`Script`] → `.xmpp` text (`xmpp-conform convert`): the same steps as
//! [`super::lower`], from the same walk, written in the format's syntax,
//! with `matching = "scansion"` and the `[Client]`s as
//! `[own-accounts.NAME]`, so the converted file gives the same verdicts.

use std::fmt::Write as _;

use crate::scenario::ScenarioError;
use crate::scenario::source::SourceFile;

use super::ast::Script;
use super::lower::{Lowered, NOTHING_WAIT, SPEC, meta, walk};

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// An entry (`C:` or `S:`) whose text may span lines: continuation lines
/// are indented by three spaces, as [`super::text::JOIN`] sends them.
fn entry(out: &mut String, prefix: &str, text: &str) {
    let mut lines = text.split('\n');
    let _ = writeln!(out, "{prefix} {}", lines.next().unwrap_or_default());
    for line in lines {
        let line = line.strip_prefix("   ").unwrap_or(line);
        let _ = writeln!(out, "   {line}");
    }
}

pub(crate) fn write(src: &SourceFile, script: &Script) -> Result<String, ScenarioError> {
    let steps = walk(src, script)?;
    let meta = meta(script, &src.path);
    let mut out = String::from("+++\n");
    let _ = writeln!(out, "title = {}", quoted(&meta.title));
    if let Some(d) = &meta.description {
        let _ = writeln!(out, "description = {}", quoted(d));
    }
    let _ = writeln!(out, "spec = [{}]", quoted(SPEC));
    if !meta.tags.is_empty() {
        let tags: Vec<String> = meta.tags.iter().map(|t| quoted(t)).collect();
        let _ = writeln!(out, "tags = [{}]", tags.join(", "));
    }
    out.push_str("matching = \"scansion\"\n");
    for (a, c) in meta.own_accounts.iter().zip(&script.clients) {
        let _ = writeln!(out, "\n# [Client] {}", c.name);
        let _ = writeln!(out, "[own-accounts.{}]", a.name);
        let _ = writeln!(out, "jid = {}", quoted(&c.jid));
        let _ = writeln!(out, "password = {}", quoted(&c.password));
        if let Some(r) = &c.resource {
            let _ = writeln!(out, "resource = {}", quoted(r));
        }
        if let Some(h) = &c.connect_host {
            let _ = writeln!(out, "connect_host = {}", quoted(h));
        }
        if let Some(p) = c.connect_port {
            let _ = writeln!(out, "connect_port = {p}");
        }
    }
    out.push_str("+++\n");
    let _ = writeln!(
        out,
        "# converted from {} by xmpp-conform convert",
        src.path.display()
    );
    for step in &steps {
        match step {
            Lowered::Connection {
                name,
                account: Some(a),
                ..
            } => {
                let _ = writeln!(out, "connection {name} as {a}");
            }
            Lowered::Connection { name, .. } => {
                let _ = writeln!(out, "connection {name}");
            }
            Lowered::Login { .. } => out.push_str("login\n"),
            Lowered::Send { text, .. } => entry(&mut out, "C:", &text.text),
            Lowered::Expect { text, .. } => entry(&mut out, "S:", text),
            Lowered::Silence { .. } => {
                let _ = writeln!(out, "silence {}ms", NOTHING_WAIT.as_millis());
            }
            Lowered::Close { .. } => out.push_str("C: </stream:stream>\nexpect-close\n"),
        }
    }
    Ok(out)
}
