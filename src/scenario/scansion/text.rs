//! A block's text in the format's own placeholder syntax, with the way
//! back to the file.
//!
//! Scansion writes `${Romeo's full JID}`, `${Romeo's JID}`,
//! `{scansion:any}` and `{scansion:capture:name}`; every other brace is
//! literal. The engine's templates and patterns know `{$romeo.jid}` (the
//! full JID `login` bound on connection `romeo`), `{romeo.jid}` (the
//! account's bare JID), `{*}` and `{$name}`, and read a lone brace as a
//! placeholder. So each block is rewritten once, here, and every offset of
//! the rewritten text still maps to its line and column in the `.scs`.

use crate::bindings::is_capture_name;
use crate::scenario::ScenarioError;
use crate::scenario::source::SourceFile;
use crate::scenario::suggest::did_you_mean;

use super::ast::Block;

/// Whether the text is sent by the harness or matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Sent,
    Pattern,
}

/// How a block's lines are joined. A sent block goes out as an `.xmpp`
/// `C:` line with continuation lines would: each later line indented by
/// three spaces, so a script and its conversion send the same bytes.
pub(crate) const JOIN: [&str; 2] = ["\n   ", "\n"];

/// What a client's name stands for at this point of the script.
pub(crate) struct Names<'a> {
    /// (name as written, account key, its current connection if it has
    /// connected).
    pub clients: Vec<(&'a str, &'a str, Option<String>)>,
}

/// Rewritten text and where each part came from.
#[derive(Debug, Default)]
pub(crate) struct Mapped {
    pub text: String,
    /// (offset in `text`, line, byte offset in the line, written length).
    marks: Vec<(usize, u32, usize, usize)>,
}

impl Mapped {
    fn push(&mut self, line: u32, at: usize, written: usize, text: &str) {
        self.marks.push((self.text.len(), line, at, written));
        self.text.push_str(text);
    }

    /// (line, byte offset in the line) of `offset` in the rewritten text.
    pub fn locate(&self, offset: usize) -> (u32, usize) {
        match self
            .marks
            .iter()
            .rev()
            .find(|m| m.0 <= offset)
            .or(self.marks.first())
        {
            Some(&(o, line, at, written)) => (line, at + (offset - o.min(offset)).min(written)),
            None => (0, 0),
        }
    }
}

/// Rewrite `block` for `side`.
pub(crate) fn rewrite(
    src: &SourceFile,
    block: &Block,
    side: Side,
    names: &Names<'_>,
) -> Result<Mapped, ScenarioError> {
    let mut out = Mapped::default();
    for (k, (line, indent, text)) in block.lines.iter().enumerate() {
        if k > 0 {
            let (l, i, _) = &block.lines[k - 1];
            out.push(*l, *i + block.lines[k - 1].2.len(), 0, JOIN[side as usize]);
        }
        let mut rest = text.as_str();
        let mut at = *indent;
        while let Some(c) = rest.chars().next() {
            let special = if rest.starts_with("${") || rest.starts_with("{scansion:") {
                rest.find('}')
            } else {
                None
            };
            if let Some(end) = special {
                let written = &rest[..=end];
                let ours = placeholder(src, *line, at, written, side, names)?;
                out.push(*line, at, written.len(), &ours);
                rest = &rest[end + 1..];
                at += end + 1;
                continue;
            }
            let piece = match c {
                '{' => "{{".to_owned(),
                '}' => "}}".to_owned(),
                c => c.to_string(),
            };
            out.push(*line, at, c.len_utf8(), &piece);
            rest = &rest[c.len_utf8()..];
            at += c.len_utf8();
        }
    }
    Ok(out)
}

/// One of scansion's placeholders, in the format's syntax.
fn placeholder(
    src: &SourceFile,
    line: u32,
    at: usize,
    written: &str,
    side: Side,
    names: &Names<'_>,
) -> Result<String, ScenarioError> {
    let err = |m: String| src.error(line, at, written.len(), m);
    if let Some(inner) = written
        .strip_prefix("{scansion:")
        .and_then(|w| w.strip_suffix('}'))
    {
        if side == Side::Sent {
            return Err(err(format!(
                "`{written}` can only be used in what a client receives"
            ))
            .with_help("it matches what the server sends; a client sends values it knows"));
        }
        if inner == "any" {
            return Ok("{*}".to_owned());
        }
        if let Some(name) = inner.strip_prefix("capture:") {
            if !is_capture_name(name) {
                return Err(err(format!("`{name}` cannot name a capture"))
                    .with_help("letters, digits, `_` and `-`, starting with a letter or `_`"));
            }
            return Ok(format!("{{${name}}}"));
        }
        let e = err(format!("unknown placeholder `{written}`"));
        return Err(match did_you_mean(inner, &["any", "capture:"]) {
            Some(s) => e.with_help(format!("did you mean `{{scansion:{s}}}`?")),
            None => e.with_help("scansion knows `{scansion:any}` and `{scansion:capture:NAME}`"),
        });
    }
    let inner = &written[2..written.len() - 1];
    let (client, full) = match (
        inner.strip_suffix("'s full JID"),
        inner.strip_suffix("'s JID"),
    ) {
        (Some(c), _) => (c, true),
        (None, Some(c)) => (c, false),
        _ => {
            return Err(err(format!("unknown variable `{written}`"))
                .with_help("scansion's variables are `${Name's full JID}` and `${Name's JID}`"));
        }
    };
    let Some((_, key, connection)) = names.clients.iter().find(|(n, _, _)| *n == client) else {
        let all: Vec<&str> = names.clients.iter().map(|c| c.0).collect();
        let e = err(format!("no client is called `{client}`"));
        return Err(match did_you_mean(client, &all) {
            Some(s) => e.with_help(format!("did you mean `{s}`?")),
            None => e,
        });
    };
    if !full {
        return Ok(format!("{{{key}.jid}}"));
    }
    match connection {
        Some(c) => Ok(format!("{{${c}.jid}}")),
        None => Err(err(format!(
            "`{written}` has no value before `{client} connects`"
        ))
        .with_help("the full JID is the one the server binds when the client connects")),
    }
}
