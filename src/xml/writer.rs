//! Serialize an [`Element`] back to XML text.
//!
//! Two forms: [`to_xml`], compact and faithful (what parsing it gives back
//! is the same tree, declarations included), and [`to_pretty`], indented
//! and normalized so that two trees that match print alike, for diffs.
//!
//! Both walk the tree with an explicit stack, so no element depth can
//! exhaust the call stack.

use super::chars::{is_ncname, is_ws};
use super::element::{Element, Node};
use super::namespaces::NS_XML;
use super::ns::Scope;

/// Compact XML for one element, declaring every namespace it uses so the
/// text stands alone.
///
/// The element's own `declarations` are written as they are (an element's
/// namespace or prefix wins over a declaration that contradicts it; one
/// that Namespaces in XML forbids, such as `xmlns:p=''` or the `xml`
/// namespace as the default, is left out), and
/// whatever the names need beyond them is declared where it is needed:
/// `xmlns='…'` when the namespace differs from the one in scope, the
/// written prefix when it is not bound to the element's namespace, and a
/// generated `nsN` prefix for a namespaced attribute no prefix in scope
/// stands for. Text escapes `& < >`; attribute values escape `& < > " '`.
/// Both also escape CR (and attributes TAB and LF) as character
/// references, because a parser normalizes those characters when they are
/// written literally (XML 1.0 §2.11, §3.3.3) and the round trip would
/// lose them.
pub fn to_xml(element: &Element) -> String {
    write(element, false)
}

/// Indented XML for reading and diffing: attributes sorted by (namespace,
/// name), every element written unprefixed with `xmlns='…'` only where its
/// namespace differs from its parent's, the wire prefixes and
/// declarations dropped, and whitespace-only text left out. An element
/// whose remaining children are all text stays on one line.
pub fn to_pretty(element: &Element) -> String {
    write(element, true)
}

/// The start tag alone, as [`to_xml`] writes it (prefixes, declarations,
/// attributes in order), and never self-closed: for stream headers, which
/// open a stream rather than hold children.
pub fn start_tag(element: &Element) -> String {
    let mut out = String::new();
    let mut bindings = Bindings(Vec::new());
    open(&mut out, &mut bindings, element, false, true);
    out
}

/// An element displays as [`to_xml`] writes it. Implemented here rather
/// than beside [`Element`] so that `element.rs` stays below the writer
/// (no module loop).
impl std::fmt::Display for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&to_xml(self))
    }
}

/// Namespace bindings of the text written so far, innermost last.
struct Bindings(Vec<(Option<String>, String)>);

impl Bindings {
    /// URI of `prefix` in scope (`Some("")` for an undeclared default).
    fn lookup(&self, prefix: Option<&str>) -> Option<&str> {
        if prefix == Some("xml") {
            return Some(NS_XML);
        }
        let found = self
            .0
            .iter()
            .rev()
            .find(|(p, _)| p.as_deref() == prefix)
            .map(|(_, u)| u.as_str());
        match (prefix, found) {
            (None, None) => Some(""),
            (_, found) => found,
        }
    }

    /// Bind `prefix` on the element whose bindings start at `mark`,
    /// replacing a binding of the same prefix made on that element.
    fn declare(&mut self, mark: usize, prefix: Option<&str>, uri: &str) {
        let own = self.0.get_mut(mark..).into_iter().flatten();
        for (p, u) in own {
            if p.as_deref() == prefix {
                *u = uri.to_owned();
                return;
            }
        }
        self.0.push((prefix.map(str::to_owned), uri.to_owned()));
    }

    /// A prefix that stands for `uri` here, declaring a new one if needed.
    fn prefix_for(&mut self, mark: usize, uri: &str) -> String {
        if uri == NS_XML {
            return "xml".to_owned();
        }
        let existing = self
            .0
            .iter()
            .rev()
            .filter_map(|(p, u)| p.as_deref().filter(|_| u == uri))
            .find(|p| self.lookup(Some(p)) == Some(uri))
            .map(str::to_owned);
        if let Some(p) = existing {
            return p;
        }
        let fresh = (0..)
            .map(|k| format!("ns{k}"))
            .find(|p| self.lookup(Some(p)).is_none())
            .unwrap_or_default();
        self.declare(mark, Some(&fresh), uri);
        fresh
    }
}

/// An element whose end tag is still to be written.
struct Frame<'e> {
    element: &'e Element,
    qname: String,
    next_child: usize,
    mark: usize,
    inline: bool,
}

fn write(root: &Element, pretty: bool) -> String {
    let mut out = String::new();
    let mut bindings = Bindings(Vec::new());
    let mut stack: Vec<Frame<'_>> = Vec::new();
    if let Some(frame) = open(&mut out, &mut bindings, root, pretty, false) {
        stack.push(frame);
    }
    loop {
        let depth = stack.len();
        let Some(frame) = stack.last_mut() else { break };
        match frame.element.children.get(frame.next_child) {
            Some(Node::Text(t)) => {
                frame.next_child += 1;
                if pretty && is_blank(t) {
                    continue;
                }
                if pretty && !frame.inline {
                    newline(&mut out, depth);
                }
                escape_text(&mut out, t);
            }
            Some(Node::Element(child)) => {
                frame.next_child += 1;
                if pretty {
                    newline(&mut out, depth);
                }
                if let Some(frame) = open(&mut out, &mut bindings, child, pretty, false) {
                    stack.push(frame);
                }
            }
            None => {
                if pretty && !frame.inline {
                    newline(&mut out, depth - 1);
                }
                out.push_str("</");
                out.push_str(&frame.qname);
                out.push('>');
                bindings.0.truncate(frame.mark);
                stack.pop();
            }
        }
    }
    out
}

/// Write a start tag (or an empty-element tag, returning `None`, unless
/// `keep_open`).
fn open<'e>(
    out: &mut String,
    bindings: &mut Bindings,
    el: &'e Element,
    pretty: bool,
    keep_open: bool,
) -> Option<Frame<'e>> {
    let mark = bindings.0.len();
    if !pretty {
        for (p, uri) in &el.declarations {
            // What the parser would refuse is left out (Namespaces in XML
            // 1.0 §3: the xml and xmlns namespaces bound to no other prefix
            // and never as the default), and so is the implicit `xml` one.
            let valid = p.as_deref() != Some("xml")
                && Scope::check_declaration(p.as_deref(), uri, 0).is_ok();
            if valid {
                bindings.declare(mark, p.as_deref(), uri);
            }
        }
    }
    let prefix = match el.prefix.as_deref() {
        _ if el.ns == NS_XML => Some("xml"),
        Some(p) if !pretty && !el.ns.is_empty() && p != "xmlns" && p != "xml" && is_ncname(p) => {
            Some(p)
        }
        _ => None,
    };
    if prefix != Some("xml") && bindings.lookup(prefix) != Some(el.ns.as_str()) {
        bindings.declare(mark, prefix, &el.ns);
    }
    let qname = match prefix {
        Some(p) => format!("{p}:{}", el.name),
        None => el.name.to_string(),
    };
    let mut attrs: Vec<_> = el.attrs.iter().collect();
    if pretty {
        attrs.sort_by(|a, b| (&a.ns, &a.name).cmp(&(&b.ns, &b.name)));
    }
    let attrs: Vec<(String, &str)> = attrs
        .into_iter()
        .map(|a| {
            let name = match a.ns.as_deref() {
                None | Some("") => a.name.to_string(),
                Some(uri) => format!("{}:{}", bindings.prefix_for(mark, uri), a.name),
            };
            (name, a.value.as_str())
        })
        .collect();

    out.push('<');
    out.push_str(&qname);
    for (p, uri) in bindings.0.get(mark..).into_iter().flatten() {
        match p {
            Some(p) => {
                out.push_str(" xmlns:");
                out.push_str(p);
            }
            None => out.push_str(" xmlns"),
        }
        out.push_str("='");
        escape_attr(out, uri);
        out.push('\'');
    }
    for (name, value) in &attrs {
        out.push(' ');
        out.push_str(name);
        out.push_str("='");
        escape_attr(out, value);
        out.push('\'');
    }
    let kept = |n: &&Node| !(pretty && matches!(n, Node::Text(t) if is_blank(t)));
    if !keep_open && !el.children.iter().any(|n| kept(&n)) {
        out.push_str("/>");
        bindings.0.truncate(mark);
        return None;
    }
    out.push('>');
    let inline = el
        .children
        .iter()
        .filter(kept)
        .all(|n| matches!(n, Node::Text(_)));
    Some(Frame {
        element: el,
        qname,
        next_child: 0,
        mark,
        inline,
    })
}

fn is_blank(t: &str) -> bool {
    t.bytes().all(is_ws)
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// `value` with the five characters XML gives a meaning escaped (`& < > ' "`),
/// for XML written by hand: text, or an attribute value in either quote.
/// Unlike [`to_xml`] it leaves TAB, LF and CR alone, so a value goes on the
/// wire as it was given.
pub fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn escape_text(out: &mut String, t: &str) {
    escape(out, t, false);
}

fn escape_attr(out: &mut String, v: &str) {
    escape(out, v, true);
}

fn escape(out: &mut String, s: &str, attr: bool) {
    let special = |b: u8| match b {
        b'&' | b'<' | b'>' | b'\r' => true,
        b'"' | b'\'' | b'\t' | b'\n' => attr,
        _ => false,
    };
    let mut rest = s;
    while let Some(i) = rest.bytes().position(special) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            b'\t' => "&#9;",
            b'\n' => "&#10;",
            _ => "&#13;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests;
