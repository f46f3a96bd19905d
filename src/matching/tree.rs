//! The element-by-element rules: name, attributes, text, children.
//!
//! Every function here works on the caller's (scratch) bindings; the public
//! entry points in `mod.rs` commit them only when the whole element fits.

use crate::bindings::Bindings;
use crate::scenario::template::{Segment, Template};
use crate::scenario::{is_absent_marker, is_ellipsis};
use crate::xml::{Attribute, Element, NS_XML, Node};

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
fn tag(e: &Element, context_ns: Option<&str>) -> String {
    if context_ns == Some(e.ns.as_str()) {
        format!("<{}>", e.display_name())
    } else {
        format!("<{} xmlns='{}'>", e.display_name(), e.ns)
    }
}

/// Match `received` against `pattern`, which sit at `path`.
pub(crate) fn element(
    pattern: &Element,
    received: &Element,
    path: &str,
    b: &mut Bindings,
) -> Result<(), Failure> {
    if !(pattern.ns == received.ns && pattern.name == received.name) {
        let context = (pattern.ns == received.ns).then_some(pattern.ns.as_str());
        return Err(Failure::new(
            path,
            format!(
                "expected {}, received {}",
                tag(pattern, context),
                tag(received, context)
            ),
        ));
    }
    attributes(&pattern.attrs, &received.attrs, b).map_err(|r| Failure::new(path, r))?;

    let pattern_text: String = pattern
        .children
        .iter()
        .filter_map(|n| match n {
            Node::Text(t) if !is_ellipsis(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let pattern_text = pattern_text.trim();
    let has_children = pattern.child_elements().next().is_some();
    if pattern_text == "{*}" && !has_children {
        return Ok(()); // any content
    }
    if !pattern_text.is_empty() {
        text(pattern_text, received.text().trim(), b).map_err(|r| Failure::new(path, r))?;
    }
    let open = pattern
        .children
        .iter()
        .any(|n| matches!(n, Node::Text(t) if is_ellipsis(t)));
    let got: Vec<&Element> = received.child_elements().collect();
    let (absent, wanted): (Vec<&Element>, Vec<&Element>) =
        pattern.child_elements().partition(|p| is_absent_marker(p));
    for p in absent {
        if let Some(r) = got.iter().find(|r| same_name(p, r)) {
            return Err(Failure::new(
                path,
                format!(
                    "unexpected child {} (the pattern says it must not be there)",
                    tag(r, Some(pattern.ns.as_str()))
                ),
            ));
        }
    }
    if open {
        subset(pattern, &wanted, &got, path, b)
    } else {
        ordered(pattern, &wanted, &got, path, b)
    }
}

fn attr_name(a: &Attribute) -> String {
    match a.ns.as_deref() {
        None => a.name.to_string(),
        Some(NS_XML) => format!("xml:{}", a.name),
        Some(ns) => format!("{{{ns}}}{}", a.name),
    }
}

/// Each pattern attribute against the received ones; extra received
/// attributes are fine.
pub(crate) fn attributes(
    pattern: &[Attribute],
    received: &[Attribute],
    b: &mut Bindings,
) -> Result<(), String> {
    for p in pattern {
        let name = attr_name(p);
        let got = received
            .iter()
            .find(|r| r.ns == p.ns && r.name == p.name)
            .map(|r| r.value.as_str());
        let template = Template::parse(&p.value)
            .map_err(|e| format!("attribute `{name}`: invalid pattern value: {e}"))?;
        if template.segments == [Segment::Absent] {
            if let Some(v) = got {
                return Err(format!(
                    "attribute `{name}` must be absent, received {}",
                    quote(v)
                ));
            }
            continue;
        }
        let Some(got) = got else {
            return Err(if template.segments == [Segment::Any] {
                format!("missing attribute `{name}`")
            } else {
                format!(
                    "missing attribute `{name}` (expected {})",
                    expected(&p.value, &template, b)
                )
            });
        };
        match match_value(&template, got, b) {
            Ok(()) => {}
            Err(ValueError::Differs) => {
                return Err(format!(
                    "attribute `{name}`: expected {}, received {}",
                    expected(&p.value, &template, b),
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

fn text(pattern: &str, received: &str, b: &mut Bindings) -> Result<(), String> {
    let template = Template::parse(pattern).map_err(|e| format!("text: invalid pattern: {e}"))?;
    match match_value(&template, received, b) {
        Ok(()) => Ok(()),
        Err(ValueError::Differs) => Err(format!(
            "text: expected {}, received {}",
            expected(pattern, &template, b),
            quote(received)
        )),
        Err(ValueError::Unbound(v)) => Err(format!("text: `{{{v}}}` has no value")),
    }
}

/// The pattern as written, followed by its value when placeholders with a
/// value make it differ: `` `{domain}` (`example.org`) ``.
fn expected(written: &str, template: &Template, b: &Bindings) -> String {
    let mut resolved = String::new();
    for s in &template.segments {
        match s {
            Segment::Literal(t) => resolved.push_str(t),
            Segment::Var(n) => match b.var(n) {
                Some(v) => resolved.push_str(v),
                None => return quote(written),
            },
            Segment::Capture(n) => match b.capture(n) {
                Some(v) => resolved.push_str(v),
                None => return quote(written),
            },
            _ => return quote(written),
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
fn child_path(path: &str, pattern: &Element, got: &[&Element], index: usize) -> String {
    let same: Vec<usize> = got
        .iter()
        .enumerate()
        .filter(|(_, e)| e.ns == pattern.ns && e.name == pattern.name)
        .map(|(i, _)| i)
        .collect();
    let name = pattern.display_name();
    match same.iter().position(|&i| i == index) {
        Some(k) if same.len() > 1 => format!("{path}/{name}[{}]", k + 1),
        _ => format!("{path}/{name}"),
    }
}

fn same_name(a: &Element, b: &Element) -> bool {
    a.ns == b.ns && a.name == b.name
}

/// Without `…`: one to one, in order. When the names stop lining up, a
/// short look-ahead tells a missing child from an unexpected one, so the
/// reason names the element the reader has to look at.
fn ordered(
    parent: &Element,
    wanted: &[&Element],
    got: &[&Element],
    path: &str,
    b: &mut Bindings,
) -> Result<(), Failure> {
    let ctx = Some(parent.ns.as_str());
    let (mut i, mut j) = (0, 0);
    while i < wanted.len() && j < got.len() {
        let (p, r) = (wanted[i], got[j]);
        if same_name(p, r) {
            element(p, r, &child_path(path, p, got, j), b)?;
            i += 1;
            j += 1;
            continue;
        }
        let p_later = got[j + 1..].iter().any(|e| same_name(p, e));
        let r_later = wanted[i + 1..].iter().any(|e| same_name(r, e));
        let reason = if p_later {
            format!("unexpected child {}", tag(r, ctx))
        } else if r_later || wanted.len() - i > got.len() - j {
            format!("missing child {}", tag(p, ctx))
        } else if wanted.len() - i < got.len() - j {
            format!("unexpected child {}", tag(r, ctx))
        } else {
            return Err(Failure::new(
                &child_path(path, p, got, j),
                format!("expected {}, received {}", tag(p, ctx), tag(r, ctx)),
            ));
        };
        return Err(Failure::new(path, reason));
    }
    if let Some(p) = wanted.get(i) {
        return Err(Failure::new(path, format!("missing child {}", tag(p, ctx))));
    }
    if let Some(r) = got.get(j) {
        return Err(Failure::new(
            path,
            format!("unexpected child {}", tag(r, ctx)),
        ));
    }
    Ok(())
}

/// With `…`: each pattern child takes the first unused received child it
/// matches, in any order; unnamed received children are allowed.
fn subset(
    parent: &Element,
    wanted: &[&Element],
    got: &[&Element],
    path: &str,
    b: &mut Bindings,
) -> Result<(), Failure> {
    let ctx = Some(parent.ns.as_str());
    let mut used = vec![false; got.len()];
    for p in wanted {
        let candidates: Vec<usize> = (0..got.len())
            .filter(|&j| !used[j] && same_name(p, got[j]))
            .collect();
        let mut first_failure = None;
        let mut found = false;
        for &j in &candidates {
            let mut attempt = b.clone();
            match element(p, got[j], &child_path(path, p, got, j), &mut attempt) {
                Ok(()) => {
                    *b = attempt;
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
                    tag(p, ctx),
                    f.path,
                    f.reason
                ),
            ),
            _ => Failure::new(path, format!("missing child {}", tag(p, ctx))),
        });
    }
    Ok(())
}
