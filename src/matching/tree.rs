//! The element-by-element rules: name, attributes, text, children, over
//! the compiled pattern.
//!
//! What a match finds goes into the caller's [`State`]; the public entry
//! points in `mod.rs` hand it back only when the whole element fits.

use crate::xml::{Attribute, Element, NS_XML};

use super::found::State;
use super::pattern::{
    AttrRule, AttributeRule, Content, ElementRule, Name, Order, Piece, ValuePattern,
};
use super::value::{ValueError, match_value};

/// Where and why, before the pretty-printed sides are attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub path: String,
    pub reason: String,
}

impl Failure {
    fn new(path: &str, reason: String) -> Failure {
        Failure {
            path: path.to_owned(),
            reason,
        }
    }
}

/// Values longer than this are cut in reasons (the diff shows them whole).
const SHOWN: usize = 60;

pub(crate) fn quote(value: &str) -> String {
    if value.chars().count() <= SHOWN {
        return format!("`{value}`");
    }
    let cut: String = value.chars().take(SHOWN).collect();
    format!("`{cut}…`")
}

/// `<name>` for a reason, with `xmlns` when the namespace is not the one
/// the reader assumes from context.
fn tag(shown: &str, ns: &str, context_ns: Option<&str>) -> String {
    if context_ns == Some(ns) {
        format!("<{shown}>")
    } else {
        format!("<{shown} xmlns='{ns}'>")
    }
}

fn pattern_tag(name: &Name, context_ns: Option<&str>) -> String {
    tag(&name.shown, &name.ns, context_ns)
}

fn received_tag(e: &Element, context_ns: Option<&str>) -> String {
    tag(&e.display_name(), &e.ns, context_ns)
}

/// Match `received` against `pattern`, which sit at `path`.
pub(crate) fn element(
    pattern: &ElementRule,
    received: &Element,
    path: &str,
    s: &mut State<'_>,
) -> Result<(), Failure> {
    let name = &pattern.name;
    if !name.is(received) {
        let context = (name.ns == received.ns).then_some(name.ns.as_str());
        return Err(Failure::new(
            path,
            format!(
                "expected {}, received {}",
                pattern_tag(name, context),
                received_tag(received, context)
            ),
        ));
    }
    attributes(&pattern.attrs, &received.attrs, s).map_err(|r| Failure::new(path, r))?;
    if pattern.closed {
        no_other_attributes(&pattern.attrs, &received.attrs).map_err(|r| Failure::new(path, r))?;
    }
    let checked = match &pattern.content {
        Content::Any => return Ok(()),
        Content::Checked(checked) => checked,
    };
    match &checked.text {
        Some(t) => text(t, received.text().trim(), s).map_err(|r| Failure::new(path, r))?,
        None if pattern.closed && !received.text().trim().is_empty() => {
            return Err(Failure::new(
                path,
                format!(
                    "unexpected text {} (strict: the pattern has none)",
                    quote(received.text().trim())
                ),
            ));
        }
        None => {}
    }
    let got: Vec<&Element> = received.child_elements().collect();
    let ctx = Some(name.ns.as_str());
    for absent in &checked.absent {
        if let Some(r) = got.iter().find(|r| absent.is(r)) {
            return Err(Failure::new(
                path,
                format!(
                    "unexpected child {} (the pattern says it must not be there)",
                    received_tag(r, ctx)
                ),
            ));
        }
    }
    match checked.order {
        Order::Subset => subset(ctx, &checked.children, &got, path, s),
        Order::Exact => ordered(ctx, &checked.children, &got, path, s),
    }
}

fn attr_name(ns: Option<&str>, local: &str) -> String {
    match ns {
        None => local.to_owned(),
        Some(NS_XML) => format!("xml:{local}"),
        Some(ns) => format!("{{{ns}}}{local}"),
    }
}

/// Each pattern attribute against the received ones; extra received
/// attributes are fine.
pub(crate) fn attributes(
    pattern: &[AttributeRule],
    received: &[Attribute],
    s: &mut State<'_>,
) -> Result<(), String> {
    for p in pattern {
        let name = attr_name(p.ns.as_deref(), &p.local);
        let got = received
            .iter()
            .find(|r| r.ns == p.ns && r.name == p.local)
            .map(|r| r.value.as_str());
        let value = match &p.rule {
            AttrRule::Absent => match got {
                Some(v) => {
                    return Err(format!(
                        "attribute `{name}` must be absent, received {}",
                        quote(v)
                    ));
                }
                None => continue,
            },
            AttrRule::Value(value) => value,
        };
        let Some(got) = got else {
            return Err(if value.is_any() {
                format!("missing attribute `{name}`")
            } else {
                format!(
                    "missing attribute `{name}` (expected {})",
                    expected(value, s)
                )
            });
        };
        match match_value(value, got, s) {
            Ok(()) => {}
            Err(ValueError::Differs) => {
                return Err(format!(
                    "attribute `{name}`: expected {}, received {}",
                    expected(value, s),
                    quote(got)
                ));
            }
            Err(ValueError::Unbound(v)) => {
                return Err(format!("attribute `{name}`: `{{{v}}}` has no value"));
            }
        }
    }
    Ok(())
}

/// Scansion's strict mode: every received attribute must be one the
/// pattern names.
fn no_other_attributes(pattern: &[AttributeRule], received: &[Attribute]) -> Result<(), String> {
    match received
        .iter()
        .find(|r| !pattern.iter().any(|p| r.ns == p.ns && r.name == p.local))
    {
        Some(extra) => Err(format!(
            "unexpected attribute `{}` = {} (strict: only the pattern's attributes are allowed)",
            attr_name(extra.ns.as_deref(), &extra.name),
            quote(&extra.value)
        )),
        None => Ok(()),
    }
}

fn text(pattern: &ValuePattern, received: &str, s: &mut State<'_>) -> Result<(), String> {
    match match_value(pattern, received, s) {
        Ok(()) => Ok(()),
        Err(ValueError::Differs) => Err(format!(
            "text: expected {}, received {}",
            expected(pattern, s),
            quote(received)
        )),
        Err(ValueError::Unbound(v)) => Err(format!("text: `{{{v}}}` has no value")),
    }
}

/// The pattern as written, followed by its value when placeholders with a
/// value make it differ: `` `{domain}` (`example.org`) ``. A secret value
/// is never spelt out.
fn expected(pattern: &ValuePattern, s: &State<'_>) -> String {
    let written = pattern.written.as_str();
    let mut resolved = String::new();
    for piece in &pattern.pieces {
        match piece {
            Piece::Literal(t) => resolved.push_str(t),
            Piece::Var(n) if s.is_secret(n) => return quote(written),
            Piece::Var(n) => match s.var(n) {
                Some(v) => resolved.push_str(v),
                None => return quote(written),
            },
            Piece::Capture(n) => match s.capture(n) {
                Some(v) => resolved.push_str(v),
                None => return quote(written),
            },
            Piece::Any | Piece::Call(_) => return quote(written),
        }
    }
    if resolved == written {
        quote(written)
    } else {
        format!("{} ({})", quote(written), quote(&resolved))
    }
}

/// `parent/name`, with `[n]` when the received parent has several
/// children of that name (`n` counts among them, from 1).
fn child_path(path: &str, pattern: &Name, got: &[&Element], index: usize) -> String {
    let same: Vec<usize> = got
        .iter()
        .enumerate()
        .filter(|(_, e)| pattern.is(e))
        .map(|(i, _)| i)
        .collect();
    let name = &pattern.shown;
    match same.iter().position(|&i| i == index) {
        Some(k) if same.len() > 1 => format!("{path}/{name}[{}]", k + 1),
        _ => format!("{path}/{name}"),
    }
}

/// Without `…`: one to one, in order. When the names stop lining up, a
/// short look-ahead tells a missing child from an unexpected one, so the
/// reason names the element the reader has to look at.
fn ordered(
    ctx: Option<&str>,
    wanted: &[ElementRule],
    got: &[&Element],
    path: &str,
    s: &mut State<'_>,
) -> Result<(), Failure> {
    let (mut i, mut j) = (0, 0);
    while i < wanted.len() && j < got.len() {
        let (p, r) = (&wanted[i], got[j]);
        if p.name.is(r) {
            element(p, r, &child_path(path, &p.name, got, j), s)?;
            i += 1;
            j += 1;
            continue;
        }
        let p_later = got[j + 1..].iter().any(|e| p.name.is(e));
        let r_later = wanted[i + 1..].iter().any(|e| e.name.is(r));
        let reason = if p_later {
            format!("unexpected child {}", received_tag(r, ctx))
        } else if r_later || wanted.len() - i > got.len() - j {
            format!("missing child {}", pattern_tag(&p.name, ctx))
        } else if wanted.len() - i < got.len() - j {
            format!("unexpected child {}", received_tag(r, ctx))
        } else {
            return Err(Failure::new(
                &child_path(path, &p.name, got, j),
                format!(
                    "expected {}, received {}",
                    pattern_tag(&p.name, ctx),
                    received_tag(r, ctx)
                ),
            ));
        };
        return Err(Failure::new(path, reason));
    }
    if let Some(p) = wanted.get(i) {
        return Err(Failure::new(
            path,
            format!("missing child {}", pattern_tag(&p.name, ctx)),
        ));
    }
    if let Some(r) = got.get(j) {
        return Err(Failure::new(
            path,
            format!("unexpected child {}", received_tag(r, ctx)),
        ));
    }
    Ok(())
}

/// With `…`: each pattern child takes the first unused received child it
/// matches, in any order; unnamed received children are allowed.
fn subset(
    ctx: Option<&str>,
    wanted: &[ElementRule],
    got: &[&Element],
    path: &str,
    s: &mut State<'_>,
) -> Result<(), Failure> {
    let mut used = vec![false; got.len()];
    for p in wanted {
        let candidates: Vec<usize> = (0..got.len())
            .filter(|&j| !used[j] && p.name.is(got[j]))
            .collect();
        let mut first_failure = None;
        let mut found = false;
        for &j in &candidates {
            let mut attempt = s.clone();
            match element(p, got[j], &child_path(path, &p.name, got, j), &mut attempt) {
                Ok(()) => {
                    *s = attempt;
                    used[j] = true;
                    found = true;
                    break;
                }
                Err(f) => {
                    first_failure.get_or_insert(f);
                }
            }
        }
        if found {
            continue;
        }
        return Err(match (candidates.len(), first_failure) {
            (1, Some(f)) => f,
            (n, Some(f)) if n > 1 => Failure::new(
                path,
                format!(
                    "none of the {n} {} children matches; the first differs at {}: {}",
                    pattern_tag(&p.name, ctx),
                    f.path,
                    f.reason
                ),
            ),
            _ => Failure::new(path, format!("missing child {}", pattern_tag(&p.name, ctx))),
        });
    }
    Ok(())
}
