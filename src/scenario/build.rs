//! Turn the line structure of a body into steps, following `include`s.
//!
//! Which entries are sent and which are matched depends on the side under
//! test, so it is decided here and not while reading lines: with
//! `peer = "server"` the harness plays the client and sends the `C:` lines.

use std::fs;
use std::path::{Path, PathBuf};

use crate::matching::Mode;

use super::directives::{self, Parsed};
use super::error::ScenarioError;
use super::frontmatter;
use super::functions::Side;
use super::lines::{self, Item, Kind};
use super::model::{Action, Alternative, Peer, Step};
use super::pattern::{self, template_error};
use super::source::{self, Joined, SourceFile};
use super::template::{Segment, Template, parse_spanned};

/// Includes nested deeper than this are surely a mistake; cycles are
/// caught before, this only bounds pathological trees of distinct files.
const MAX_INCLUDE_DEPTH: usize = 32;

pub(crate) struct Builder {
    peer: Peer,
    /// The matching rules patterns are compiled under.
    mode: Mode,
    /// The files being read, outermost first, to detect include cycles.
    stack: Vec<PathBuf>,
    pub steps: Vec<Step>,
}

impl Builder {
    /// A builder for the scenario file at `path`.
    pub fn new(peer: Peer, mode: Mode, path: &Path) -> Builder {
        Builder {
            peer,
            mode,
            stack: vec![identity(path)],
            steps: Vec::new(),
        }
    }

    /// Add the steps of `src`'s body, which starts at 0-based line `start`.
    pub fn body(&mut self, src: &SourceFile, start: usize) -> Result<(), ScenarioError> {
        // Whether the last entry was an expected one, which `or:` extends.
        let mut after_expect = false;
        for item in lines::read(src, start)? {
            match item {
                Item::Entry { kind, line, text } => {
                    after_expect = self.entry(src, kind, line, &text, after_expect)?;
                }
                Item::Directive {
                    line,
                    directive,
                    parsed,
                } => {
                    after_expect = false;
                    directives::check(directive, &parsed, self.peer)
                        .map_err(|m| src.error(line, 0, m.width, m.message).with_help(m.help))?;
                    match parsed {
                        Parsed::Step(action) => self.steps.push(Step {
                            loc: src.location(line, 1),
                            action,
                        }),
                        Parsed::Include { path, start } => self.include(src, line, &path, start)?,
                    }
                }
            }
        }
        Ok(())
    }

    /// Add one entry; returns whether it was an expected one.
    fn entry(
        &mut self,
        src: &SourceFile,
        kind: Kind,
        line: u32,
        text: &Joined,
        after_expect: bool,
    ) -> Result<bool, ScenarioError> {
        let expected_prefix = match self.peer {
            Peer::Server => Kind::Server,
            Peer::Client => Kind::Client,
        };
        let loc = src.location(line, 1);
        if kind == Kind::Or || kind == expected_prefix {
            let alternative = Alternative {
                loc: loc.clone(),
                source: text.text.clone(),
                expectation: pattern::parse(src, text, self.mode)?,
            };
            if kind != Kind::Or {
                self.steps.push(Step {
                    loc,
                    action: Action::Expect(vec![alternative]),
                });
                return Ok(true);
            }
            match self.steps.last_mut() {
                Some(Step {
                    action: Action::Expect(alternatives),
                    ..
                }) if after_expect => alternatives.push(alternative),
                _ => {
                    let p = expected_prefix.prefix();
                    return Err(src
                        .error(
                            line,
                            0,
                            3,
                            format!(
                                "`or:` must follow {} `{p}` line",
                                if p == "S:" { "an" } else { "a" }
                            ),
                        )
                        .with_help(format!(
                            "`or:` adds another acceptable answer to the `{p}` line just above"
                        )));
                }
            }
            return Ok(true);
        }
        let template = sent_template(src, text)?;
        self.steps.push(Step {
            loc,
            action: Action::Send(template),
        });
        Ok(false)
    }

    fn include(
        &mut self,
        src: &SourceFile,
        line: u32,
        rel: &str,
        start: usize,
    ) -> Result<(), ScenarioError> {
        let base = src.path.parent().unwrap_or(Path::new(""));
        let target = base.join(rel);
        let at = |message: String| src.error(line, start, rel.len(), message);
        let bytes = source::read_bounded(&target)
            .map_err(|e| at(format!("cannot include `{rel}`: {e}")))?;
        let id = identity(&target);
        if let Some(first) = self.stack.iter().position(|p| *p == id) {
            let chain: Vec<String> = self.stack[first..]
                .iter()
                .chain(std::iter::once(&id))
                .map(|p| {
                    p.file_name().map_or_else(
                        || p.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    )
                })
                .collect();
            return Err(at(format!("include cycle: {}", chain.join(" → "))));
        }
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            return Err(at(format!(
                "includes nested more than {MAX_INCLUDE_DEPTH} deep"
            )));
        }
        let note = format!("included from {}:{line}", src.path.display());
        let text = source::decode(&target, bytes).map_err(|e| e.with_note(note.clone()))?;
        let inner = SourceFile::new(target, &text);
        // An included file may have its own front matter (to be runnable on
        // its own); only its body counts here.
        let body_start = frontmatter::locate(&inner)
            .map_err(|e| e.with_note(note.clone()))?
            .map_or(0, |b| b.body_start());
        self.stack.push(id);
        let result = self.body(&inner, body_start);
        self.stack.pop();
        result.map_err(|e| e.with_note(note))
    }
}

/// The identity of a file for cycle detection: its canonical path when it
/// exists (so `a/../b.xmpp` and `b.xmpp` are one file).
fn identity(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A line the harness sends: every placeholder must have a value to send.
fn sent_template(src: &SourceFile, joined: &Joined) -> Result<Template, ScenarioError> {
    let segments = parse_spanned(&joined.text).map_err(|e| template_error(src, joined, &e))?;
    let mut out = Vec::with_capacity(segments.len());
    for s in segments {
        let (what, why) = match s.segment {
            Segment::Any => ("{*}", "it matches anything, so it has nothing to send"),
            Segment::Absent => ("{absent}", "it says an attribute must not be there"),
            Segment::Call(call) if call.function.side() == Side::Pattern => {
                return Err(joined
                    .error(
                        src,
                        s.span.start,
                        s.span.len(),
                        format!("`{}(…)` checks what the peer sends; it can only be used in patterns", call.function.name()),
                    )
                    .with_help("in a line the harness sends, use a function that computes text, such as `digest-md5-response($c1)`"));
            }
            other => {
                out.push(other);
                continue;
            }
        };
        return Err(joined
            .error(
                src,
                s.span.start,
                s.span.len(),
                format!("`{what}` can only be used in patterns"),
            )
            .with_help(format!("this line is sent by the harness; {why}")));
    }
    Ok(Template { segments: out })
}
