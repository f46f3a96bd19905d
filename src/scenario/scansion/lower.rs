//! [`Script`] → the typed [`Scenario`] the engine runs: the same steps an
//! `.xmpp` file gives (`connection`, `login`, sent lines, patterns,
//! `silence`, `expect-close`), so reports, baselines, snapshots,
//! `--filter` and `--jobs` treat both formats alike.

use std::path::Path;
use std::time::Duration;

use crate::accounts::{Account, defined_account};
use crate::matching::{Mode, compile};
use crate::scenario::ScenarioError;
use crate::scenario::model::{Action, Alternative, Expectation, Level, Meta, Peer, Scenario, Step};
use crate::scenario::pattern::content_scope;
use crate::scenario::source::SourceFile;
use crate::scenario::template::{Template, TemplateError};
use crate::xml::{self, Node};

use super::ast::{ActionKind, Block, Script};
use super::text::{Mapped, Names, Side, rewrite};

/// How long `Name receives: nothing` listens: scansion's own wait for
/// "nothing" is short; unsolicited presence is skipped meanwhile, as
/// everywhere in a script.
pub(crate) const NOTHING_WAIT: Duration = Duration::from_millis(500);

/// What every scansion scenario cites: the script itself is the rule.
pub(crate) const SPEC: &str = "scansion script";

/// The wrapper a `receives:` block is parsed in, so that several stanzas
/// in one block parse as one document.
const WRAPPER_OPEN: &str = "<scansion-block>";
const WRAPPER_CLOSE: &str = "</scansion-block>";

/// A step of the lowered script, before it is typed: what `convert`
/// writes and what [`lower`] builds come from this one walk.
#[derive(Debug)]
pub(crate) enum Lowered {
    /// `connection NAME [as ACCOUNT]`.
    Connection {
        line: u32,
        name: String,
        account: Option<String>,
    },
    Login {
        line: u32,
    },
    /// A sent block, rewritten.
    Send {
        line: u32,
        text: Mapped,
    },
    /// One stanza of a `receives:` block, rewritten: its text, for
    /// reports and `convert`, and where it starts.
    Expect {
        line: u32,
        text: String,
        element: xml::Element,
    },
    Silence {
        line: u32,
    },
    Close {
        line: u32,
    },
}

/// The connection names, accounts and steps of `script`.
pub(crate) fn walk(src: &SourceFile, script: &Script) -> Result<Vec<Lowered>, ScenarioError> {
    let mut out = Vec::new();
    // Per client: how often it connected, and its connection now.
    let mut connections: Vec<(u32, Option<String>, bool)> =
        script.clients.iter().map(|_| (0, None, false)).collect();
    let mut current: Option<String> = None;
    for action in &script.actions {
        let client = &script.clients[action.client];
        let line = action.line;
        let (count, conn, open) = &mut connections[action.client];
        if let ActionKind::Connects = action.kind {
            if *open {
                return Err(src
                    .error_line(line, format!("`{}` is connected already", client.name))
                    .with_help(format!("`{} disconnects` first", client.name)));
            }
            *count += 1;
            let name = match count {
                1 => client.key.clone(),
                n => format!("{}-{n}", client.key),
            };
            let account = (name != client.key).then(|| client.key.clone());
            *conn = Some(name.clone());
            *open = true;
            current = Some(name.clone());
            out.push(Lowered::Connection {
                line,
                name,
                account,
            });
            out.push(Lowered::Login { line });
            continue;
        }
        let Some(name) = conn.clone().filter(|_| *open) else {
            return Err(src
                .error_line(line, format!("`{}` is not connected here", client.name))
                .with_help(format!("write `{} connects` before", client.name)));
        };
        if current.as_deref() != Some(name.as_str()) {
            out.push(Lowered::Connection {
                line,
                name: name.clone(),
                account: None,
            });
            current = Some(name);
        }
        let names = Names {
            clients: script
                .clients
                .iter()
                .zip(&connections)
                .map(|(c, (_, conn, _))| (c.name.as_str(), c.key.as_str(), conn.clone()))
                .collect(),
        };
        match &action.kind {
            ActionKind::Connects => {}
            ActionKind::Disconnects => {
                connections[action.client].2 = false;
                out.push(Lowered::Close { line });
            }
            ActionKind::ReceivesNothing => out.push(Lowered::Silence { line }),
            ActionKind::Sends(block) => {
                let text = rewrite(src, block, Side::Sent, &names)?;
                out.push(Lowered::Send { line, text });
            }
            ActionKind::Receives(block) => {
                let text = rewrite(src, block, Side::Pattern, &names)?;
                for (text, element) in stanzas(src, block, &text)? {
                    out.push(Lowered::Expect {
                        line,
                        text,
                        element,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The stanzas of a `receives:` block, parsed under scansion's namespace
/// scope (`jabber:client`, and the `scansion` prefix).
fn stanzas(
    src: &SourceFile,
    block: &Block,
    text: &Mapped,
) -> Result<Vec<(String, xml::Element)>, ScenarioError> {
    let wrapped = format!("{WRAPPER_OPEN}{}{WRAPPER_CLOSE}", text.text);
    let at = |offset: usize| text.locate(offset.min(text.text.len().saturating_sub(1)));
    let root =
        xml::parse_element(wrapped.as_bytes(), &content_scope(Mode::Scansion)).map_err(|e| {
            let offset = usize::try_from(e.offset).unwrap_or(usize::MAX);
            let (line, col) = at(offset.saturating_sub(WRAPPER_OPEN.len()));
            src.error(
                line,
                col,
                1,
                format!("the stanza is not well-formed XML: {}", e.detail),
            )
        })?;
    let mut out = Vec::new();
    for node in &root.children {
        match node {
            Node::Element(e) => out.push((xml::writer::to_xml(e), e.clone())),
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Text(t) => {
                let first = block.lines.first().map_or(0, |l| l.0);
                return Err(src
                    .error_line(first, format!("text outside any element: `{}`", t.trim()))
                    .with_help("a `receives:` block holds stanzas only"));
            }
        }
    }
    if out.len() == 1 {
        out[0].0 = text.text.clone();
    }
    Ok(out)
}

/// The script's accounts: one per `[Client]`, named by its key.
pub(crate) fn accounts(script: &Script) -> Vec<Account> {
    script
        .clients
        .iter()
        .filter_map(|c| {
            let mut a = defined_account(&c.key, &c.jid, &c.password, c.resource.as_deref()).ok()?;
            a.connect_host = c.connect_host.clone();
            a.connect_port = c.connect_port;
            Some(a)
        })
        .collect()
}

/// The front matter a script stands for.
pub(crate) fn meta(script: &Script, path: &Path) -> Meta {
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    Meta {
        title: script
            .title
            .clone()
            .unwrap_or_else(|| format!("scansion script {stem}")),
        spec: vec![SPEC.to_owned()],
        level: Level::Must,
        covers: vec![],
        tags: script.tags.clone(),
        needs: vec![],
        accounts: vec![],
        peer: Peer::Server,
        // Scansion skips presence a script does not expect.
        ignore: vec!["presence".to_owned()],
        redact: vec![],
        matching: Mode::Scansion,
        description: (!script.description.is_empty()).then(|| script.description.join("\n")),
        own_accounts: accounts(script),
    }
}

/// The typed scenario.
pub(crate) fn lower(
    src: &SourceFile,
    script: &Script,
    id: &str,
) -> Result<Scenario, ScenarioError> {
    let mut steps = Vec::new();
    for step in walk(src, script)? {
        let (line, action) = match step {
            Lowered::Connection {
                line,
                name,
                account,
            } => (line, Action::Connection { name, account }),
            Lowered::Login { line } => (line, Action::Login { bind: true }),
            Lowered::Send { line, text } => {
                let template =
                    Template::parse(&text.text).map_err(|e| template_error(src, &text, &e))?;
                (line, Action::Send(template))
            }
            Lowered::Expect {
                line,
                text,
                element,
            } => {
                let pattern = compile::element_in(element, Mode::Scansion)
                    .map_err(|e| src.error_line(line, format!("invalid stanza: {e}")))?;
                let alternative = Alternative {
                    loc: src.location(line, 1),
                    source: text,
                    expectation: Expectation::Element(pattern),
                };
                (line, Action::Expect(vec![alternative]))
            }
            Lowered::Silence { line } => (line, Action::Silence(NOTHING_WAIT)),
            Lowered::Close { line } => {
                steps.push(Step {
                    loc: src.location(line, 1),
                    action: Action::Send(Template::literal("</stream:stream>")),
                });
                (
                    line,
                    Action::ExpectClose {
                        abrupt: false,
                        close_notify: false,
                    },
                )
            }
        };
        steps.push(Step {
            loc: src.location(line, 1),
            action,
        });
    }
    if steps.is_empty() {
        return Err(src
            .error(1, 0, 0, "the script has no actions")
            .with_help("after the `[Client]` blocks and the `-----` line, e.g. `Romeo connects`"));
    }
    Ok(Scenario {
        id: id.to_owned(),
        path: src.path.as_ref().clone(),
        meta: meta(script, &src.path),
        steps,
    })
}

fn template_error(src: &SourceFile, text: &Mapped, e: &TemplateError) -> ScenarioError {
    let (line, col) = text.locate(e.offset);
    let err = src.error(line, col, e.len, e.message.clone());
    match &e.help {
        Some(h) => err.with_help(h.clone()),
        None => err,
    }
}
