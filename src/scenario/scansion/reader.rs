//! The lines of a `.scs` file → [`Script`].
//!
//! Scansion's script basics: `#` lines at the top are the title and the
//! description, `##` lines there are tags; `[Client] Name` starts a
//! definition whose indented `key: value` lines are its properties; a
//! line of dashes (`-----`) separates the definitions from the actions;
//! `Name verb` lines are actions, and `sends:`/`receives:` take the
//! indented lines below them. Elsewhere, lines starting with `#`, `//` or
//! `--` are comments.

use std::collections::HashSet;

use crate::scenario::ScenarioError;
use crate::scenario::source::SourceFile;
use crate::scenario::suggest::did_you_mean;

use super::ast::{Action, ActionKind, Block, CLIENT_PROPERTIES, Client, Script, VERBS};

fn is_indented(line: &str) -> bool {
    line.starts_with([' ', '\t'])
}

fn is_comment(line: &str) -> bool {
    line.starts_with('#') || line.starts_with("//") || line.starts_with("--")
}

/// Read the whole file.
pub(crate) fn read(src: &SourceFile) -> Result<Script, ScenarioError> {
    let mut script = Script::default();
    let lines = &src.lines;
    let mut i = header(src, &mut script);
    while i < lines.len() {
        let no = i as u32 + 1;
        let line = lines[i].as_str();
        if line.trim().is_empty() || is_comment(line) {
            i += 1;
            continue;
        }
        if is_indented(line) {
            return Err(src.error_line(no, "this indented line belongs to no `[Client]` block and no `sends:` or `receives:`")
                .with_help("properties go right under `[Client] Name`, stanzas right under `Name sends:` or `Name receives:`"));
        }
        if line.starts_with('[') {
            i = client(src, i, &mut script)?;
            continue;
        }
        i = action(src, i, &mut script)?;
    }
    Ok(script)
}

/// The title, description and tags at the top; returns the index of the
/// first line after them.
fn header(src: &SourceFile, script: &mut Script) -> usize {
    let mut i = 0;
    while let Some(line) = src.lines.get(i) {
        if let Some(tag) = line.strip_prefix("##") {
            let tag = tag.trim();
            if !tag.is_empty() {
                script.tags.push(tag.to_owned());
            }
        } else if let Some(text) = line.strip_prefix('#') {
            let text = text.trim().to_owned();
            match script.title {
                None => script.title = Some(text).filter(|t| !t.is_empty()),
                Some(_) => script.description.push(text),
            }
        } else {
            break;
        }
        i += 1;
    }
    i
}

/// `[Client] Name` at line index `i` and its properties.
fn client(src: &SourceFile, i: usize, script: &mut Script) -> Result<usize, ScenarioError> {
    let no = i as u32 + 1;
    let line = src.lines[i].as_str();
    let Some(close) = line.find(']') else {
        return Err(src.error_line(
            no,
            "a definition is `[Client] Name`; this `[` is not closed",
        ));
    };
    let class = &line[1..close];
    if class != "Client" {
        let err = src.error(no, 1, class.len(), format!("unknown class `[{class}]`"));
        return Err(match did_you_mean(class, &["Client"]) {
            Some(s) => err.with_help(format!("did you mean `[{s}]`?")),
            None => err.with_help(
                "xmpp-conform runs scansion's `[Client]` characters; other classes (components) are not supported",
            ),
        });
    }
    let name = line[close + 1..].trim().to_owned();
    if name.is_empty() {
        return Err(src
            .error(no, close + 1, 1, "the client has no name")
            .with_help("e.g. `[Client] Romeo`"));
    }
    if script.clients.iter().any(|c| c.name == name) {
        return Err(src.error(
            no,
            close + 2,
            name.len(),
            format!("client `{name}` is defined twice"),
        ));
    }
    let mut props: Vec<(u32, usize, String, String)> = Vec::new();
    let mut j = i + 1;
    while let Some(text) = src.lines.get(j) {
        if !is_indented(text) || text.trim().is_empty() {
            break;
        }
        let pno = j as u32 + 1;
        let start = text.len() - text.trim_start().len();
        let Some((key, value)) = text.trim().split_once(':') else {
            return Err(src.error_line(pno, "a property is `key: value`"));
        };
        let key = key.trim();
        if !CLIENT_PROPERTIES.contains(&key) {
            let err = src.error(
                pno,
                start,
                key.len(),
                format!("unknown client property `{key}`"),
            );
            return Err(match did_you_mean(key, CLIENT_PROPERTIES) {
                Some(s) => err.with_help(format!("did you mean `{s}`?")),
                None => err.with_help(format!("a client has {}", CLIENT_PROPERTIES.join(", "))),
            });
        }
        if props.iter().any(|p| p.2 == key) {
            return Err(src.error(pno, start, key.len(), format!("`{key}` is set twice")));
        }
        props.push((pno, start, key.to_owned(), value.trim().to_owned()));
        j += 1;
    }
    let get = |k: &str| props.iter().find(|p| p.2 == k);
    let Some(jid) = get("jid") else {
        return Err(src
            .error_line(no, format!("client `{name}` has no `jid`"))
            .with_help("add an indented line `jid: user@localhost` under it"));
    };
    let connect_port = match get("connect_port") {
        None => None,
        Some((pno, start, _, v)) => Some(v.parse::<u16>().map_err(|_| {
            src.error(
                *pno,
                *start,
                src.line(*pno).len(),
                format!("`connect_port` is a port number, not `{v}`"),
            )
        })?),
    };
    let client = Client {
        line: no,
        key: unique_key(&name, &script.clients),
        name,
        jid: jid.3.clone(),
        // scansion's own default; Prosody's recorder writes `password`.
        password: get("password").map_or_else(String::new, |p| p.3.clone()),
        resource: get("resource").map(|p| p.3.clone()),
        connect_host: get("connect_host").map(|p| p.3.clone()),
        connect_port,
    };
    if let Err(e) =
        crate::accounts::defined_account(&client.key, &client.jid, &client.password, None)
    {
        let (pno, start, _, v) = jid;
        return Err(src.error(
            *pno,
            *start,
            src.line(*pno).len(),
            format!("`jid: {v}`: {e}"),
        ));
    }
    script.clients.push(client);
    Ok(j)
}

/// `Juliet's phone` → `juliet-s-phone`: what connections and accounts are
/// called (letters, digits, `-`, starting with a letter), made unique.
fn unique_key(name: &str, clients: &[Client]) -> String {
    let mut key = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('-') && !key.is_empty() {
            key.push('-');
        }
    }
    let key = key.trim_end_matches('-');
    let key = if key.starts_with(|c: char| c.is_ascii_alphabetic()) {
        key.to_owned()
    } else {
        format!("client-{key}").trim_end_matches('-').to_owned()
    };
    let taken: HashSet<&str> = clients.iter().map(|c| c.key.as_str()).collect();
    let mut candidate = key.clone();
    let mut n = 2;
    while taken.contains(candidate.as_str()) {
        candidate = format!("{key}-{n}");
        n += 1;
    }
    candidate
}

/// `Name verb` at line index `i`, and its block if the verb takes one.
fn action(src: &SourceFile, i: usize, script: &mut Script) -> Result<usize, ScenarioError> {
    let no = i as u32 + 1;
    let line = src.lines[i].trim_end();
    let Some((name, verb)) = VERBS.iter().find_map(|v| {
        line.strip_suffix(v)
            .and_then(|n| n.strip_suffix(' '))
            .map(|n| (n.trim(), *v))
    }) else {
        let last = line.rsplit(' ').next().unwrap_or(line);
        let err = src.error_line(no, "expected an action: `Name connects`, `Name disconnects`, `Name sends:`, `Name receives:` or `Name receives: nothing`");
        let words = ["connects", "disconnects", "sends:", "receives:"];
        return Err(match did_you_mean(last, &words) {
            Some(s) if line.contains(' ') => err.with_help(format!("did you mean `{s}`?")),
            _ => err,
        });
    };
    let Some(client) = script.clients.iter().position(|c| c.name == name) else {
        let names: Vec<&str> = script.clients.iter().map(|c| c.name.as_str()).collect();
        let err = src.error(no, 0, name.len(), format!("no client is called `{name}`"));
        return Err(match did_you_mean(name, &names) {
            Some(s) => err.with_help(format!("did you mean `{s}`?")),
            None => err.with_help("define it first: `[Client] Name` with its `jid` and `password`"),
        });
    };
    let (kind, next) = match verb {
        "connects" => (ActionKind::Connects, i + 1),
        "disconnects" => (ActionKind::Disconnects, i + 1),
        "receives: nothing" => (ActionKind::ReceivesNothing, i + 1),
        _ => {
            let (block, next) = block(src, i + 1);
            if block.lines.is_empty() {
                return Err(src.error(
                    no,
                    line.len(),
                    1,
                    format!("`{verb}` needs the stanzas on the indented lines below it"),
                ));
            }
            if verb == "sends:" {
                (ActionKind::Sends(block), next)
            } else {
                (ActionKind::Receives(block), next)
            }
        }
    };
    script.actions.push(Action {
        line: no,
        client,
        kind,
    });
    Ok(next)
}

/// The indented lines from index `i` (blank lines between them included),
/// with their common indentation removed.
fn block(src: &SourceFile, mut i: usize) -> (Block, usize) {
    let mut raw: Vec<(u32, &str)> = Vec::new();
    let mut end = i;
    while let Some(text) = src.lines.get(i) {
        if is_indented(text) && !text.trim().is_empty() {
            raw.push((i as u32 + 1, text.as_str()));
            end = i + 1;
        } else if !text.trim().is_empty() {
            break;
        }
        i += 1;
    }
    let indent = raw
        .iter()
        .map(|(_, t)| t.len() - t.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let lines = raw
        .into_iter()
        .map(|(no, t)| (no, indent, t[indent..].to_owned()))
        .collect();
    (Block { lines }, end)
}
