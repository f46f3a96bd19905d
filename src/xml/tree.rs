//! Build one [`Element`] from the complete bytes of a first-level element.
//!
//! The framer hands this module exactly one element's bytes, already
//! checked for UTF-8 and nesting depth; quick-xml's `Reader` tokenizes them
//! once. Scenario patterns are built the same way, so what a scenario
//! writes and what a peer sends become comparable trees.
//!
//! quick-xml is used as a tokenizer only: names, attribute lists,
//! references and namespaces are checked here (see `attrs`, `unescape`,
//! `ns`), because quick-xml accepts what XML 1.0 and RFC 6120 §11 reject.

use super::attrs::{self, RawAttr};
use super::chars::{self, Fault, is_qname, is_ws};
use super::element::{Attribute, Element, Node};
use super::error::{Condition, StreamError};
use super::ns::{self, Binding, Scope};
use super::unescape;
use quick_xml::Reader;
use quick_xml::errors::Error as QxError;
use quick_xml::events::{BytesStart, Event};
use smol_str::SmolStr;
use std::collections::HashSet;

/// Namespace bindings in force where an element starts (those declared on
/// the stream header), as (prefix, URI); `None` is the default namespace.
pub type NamespaceScope = Vec<(Option<SmolStr>, SmolStr)>;

/// Deepest nesting `parse_element` accepts on its own. The stream parser
/// applies its (smaller) configured limit before bytes get here; this one
/// protects direct callers, and keeps the recursive `Drop` of `Element`
/// and any recursive consumer far from the stack's limits.
pub const MAX_TREE_DEPTH: usize = 1024;

/// Parse `xml`, which must hold exactly one complete element (surrounding
/// whitespace allowed), with `scope` in force. Offsets in the error are
/// relative to the start of `xml`.
pub fn parse_element(xml: &[u8], scope: &NamespaceScope) -> Result<Element, StreamError> {
    let text = chars::check_slice(xml).map_err(|f| to_error(f, 0))?;
    build(text, scope).map_err(|f| to_error(f, 0))
}

/// A [`Fault`] as a [`StreamError`], with its offset moved by `base`.
pub(crate) fn to_error(f: Fault, base: u64) -> StreamError {
    StreamError {
        condition: f.condition,
        offset: base.saturating_add(f.at as u64),
        detail: f.detail,
    }
}

/// The state of one `build`: the open elements (whose declarations are
/// the scope), pending character data and reusable scratch space.
struct Builder<'b> {
    base: &'b [Binding],
    /// Open elements, outermost first.
    stack: Vec<Element>,
    /// Indexes into `stack` of the elements that declare namespaces.
    declaring: Vec<usize>,
    /// Bindings in `base` and on the open elements.
    bindings: usize,
    /// Character data of the innermost open element not yet pushed as a
    /// node: adjacent text, references and CDATA sections become one node.
    text: String,
    /// Attribute ranges of the current tag.
    raw: Vec<RawAttr>,
    /// Children of the open elements, innermost last: an element's
    /// children are gathered here and moved into an exact-size vector when
    /// it ends, instead of regrowing one vector per element.
    nodes: Vec<Node>,
    /// For each open element, where its children start in `nodes`.
    starts: Vec<usize>,
    /// The first-level element, once it has ended.
    root: Option<Element>,
}

impl Builder<'_> {
    fn scope(&self) -> Scope<'_> {
        Scope {
            base: self.base,
            open: &self.stack,
            declaring: &self.declaring,
            count: self.bindings,
        }
    }

    /// Build the element of start tag `start`, without children.
    fn start(&mut self, start: &BytesStart<'_>, at: usize) -> Result<Element, Fault> {
        if self.stack.len() >= MAX_TREE_DEPTH {
            return Err(Fault::new(
                Condition::PolicyViolation,
                at,
                format!("elements nested more than {MAX_TREE_DEPTH} deep"),
            ));
        }
        self.flush_text();
        let mut raw = std::mem::take(&mut self.raw);
        let element = open_element(start, at, &self.scope(), &mut raw);
        self.raw = raw;
        element
    }

    /// An empty-element tag: its element goes straight to its parent's
    /// children (or is the root), without a trip through `stack`.
    fn empty(&mut self, start: &BytesStart<'_>, at: usize) -> Result<(), Fault> {
        let element = self.start(start, at)?;
        self.done(element);
        Ok(())
    }

    /// A complete element: a child of the innermost open one, or the root.
    /// (The root is kept here rather than returned from every event, so an
    /// `Element` is not copied through each event's result.)
    fn done(&mut self, element: Element) {
        if self.stack.is_empty() {
            self.root = Some(element);
        } else {
            self.nodes.push(Node::Element(element));
        }
    }

    /// Start an element; it becomes the innermost open one.
    fn open(&mut self, start: &BytesStart<'_>, at: usize) -> Result<(), Fault> {
        let element = self.start(start, at)?;
        if !element.declarations.is_empty() {
            self.bindings += element.declarations.len();
            self.declaring.push(self.stack.len());
        }
        self.stack.push(element);
        self.starts.push(self.nodes.len());
        Ok(())
    }

    /// End the innermost open element.
    fn close(&mut self, at: usize) -> Result<(), Fault> {
        self.flush_text();
        let mut element = self
            .stack
            .pop()
            .ok_or_else(|| Fault::nwf(at, "end tag without a start tag"))?;
        if self.declaring.last() == Some(&self.stack.len()) {
            self.declaring.pop();
            self.bindings -= element.declarations.len();
        }
        let start = self.starts.pop().unwrap_or(self.nodes.len());
        if start < self.nodes.len() {
            // One bulk copy into an exact-size vector, not a move per node.
            element.children = self.nodes.split_off(start);
        }
        self.done(element);
        Ok(())
    }

    /// Move pending character data into the innermost open element. The
    /// buffer is kept and the node gets an exact-size copy, so text pieces
    /// do not regrow a fresh string each time (short text is stored inline).
    fn flush_text(&mut self) {
        if self.text.is_empty() {
            return;
        }
        if !self.stack.is_empty() {
            self.nodes.push(Node::Text(SmolStr::new(&self.text)));
        }
        self.text.clear();
    }
}

/// Buffers a builder needs, kept between elements so that parsing a
/// stream does not allocate them again for every stanza.
#[derive(Default)]
pub(crate) struct Scratch {
    stack: Vec<Element>,
    declaring: Vec<usize>,
    text: String,
    raw: Vec<RawAttr>,
    nodes: Vec<Node>,
    starts: Vec<usize>,
}

impl Scratch {
    /// Let go of buffers an unusually large element grew, so that one big
    /// stanza does not pin its peak memory for the rest of the stream.
    fn trim(&mut self) {
        const KEEP: usize = 1024;
        if self.nodes.capacity() > KEEP {
            self.nodes = Vec::new();
        }
        if self.text.capacity() > 64 * KEEP {
            self.text = String::new();
        }
        if self.raw.capacity() > KEEP {
            self.raw = Vec::new();
        }
        if self.stack.capacity() > KEEP {
            self.stack = Vec::new();
            self.starts = Vec::new();
            self.declaring = Vec::new();
        }
    }
}

/// Build the element in `xml`, whose characters have been checked, with
/// `base` in force.
pub(crate) fn build(xml: &str, base: &[Binding]) -> Result<Element, Fault> {
    build_with(xml, base, &mut Scratch::default())
}

/// [`build`] reusing `scratch`'s buffers.
pub(crate) fn build_with(
    xml: &str,
    base: &[Binding],
    scratch: &mut Scratch,
) -> Result<Element, Fault> {
    let mut b = Builder {
        base,
        stack: std::mem::take(&mut scratch.stack),
        declaring: std::mem::take(&mut scratch.declaring),
        bindings: base.len(),
        text: std::mem::take(&mut scratch.text),
        raw: std::mem::take(&mut scratch.raw),
        nodes: std::mem::take(&mut scratch.nodes),
        starts: std::mem::take(&mut scratch.starts),
        root: None,
    };
    let result = run(&mut b, xml);
    b.stack.clear();
    b.declaring.clear();
    b.text.clear();
    scratch.stack = b.stack;
    scratch.declaring = b.declaring;
    scratch.text = b.text;
    scratch.raw = b.raw;
    // Children of elements left open by an error are dropped here, one
    // level at a time, never as a deep tree.
    b.nodes.clear();
    b.starts.clear();
    scratch.nodes = b.nodes;
    scratch.starts = b.starts;
    scratch.trim();
    result
}

fn run(b: &mut Builder<'_>, xml: &str) -> Result<Element, Fault> {
    let mut reader = Reader::from_str(xml);
    loop {
        let at = position(&reader);
        let event = reader
            .read_event()
            .map_err(|e| map_error(&e, position_of_error(&reader)))?;
        match event {
            Event::Start(_) | Event::Empty(_) if b.root.is_some() => {
                return Err(Fault::nwf(at, "content after the element"));
            }
            Event::Start(start) => b.open(&start, at)?,
            Event::Empty(start) => b.empty(&start, at)?,
            Event::End(_) => b.close(at)?,
            Event::Text(t) => {
                let raw = t.into_inner();
                if b.stack.is_empty() {
                    if let Some(i) = raw.bytes().position(|c| !is_ws(c)) {
                        return Err(Fault::nwf(at + i, "text outside the element"));
                    }
                } else {
                    if let Some(i) = cdata_end(&raw) {
                        return Err(Fault::nwf(at + i, "']]>' is not allowed in text"));
                    }
                    unescape::push_text(&mut b.text, &raw);
                }
            }
            Event::GeneralRef(r) => {
                if b.stack.is_empty() {
                    return Err(Fault::nwf(at, "reference outside the element"));
                }
                b.text.push(unescape::resolve_reference(&r, at)?);
            }
            Event::CData(c) => {
                if b.stack.is_empty() {
                    return Err(Fault::nwf(at, "CDATA section outside the element"));
                }
                unescape::push_text(&mut b.text, &c.into_inner());
            }
            Event::Comment(_) => {
                return Err(Fault::new(
                    Condition::RestrictedXml,
                    at,
                    "comments are not allowed (RFC 6120 §11.1)",
                ));
            }
            Event::PI(_) => {
                return Err(Fault::new(
                    Condition::RestrictedXml,
                    at,
                    "processing instructions are not allowed (RFC 6120 §11.1)",
                ));
            }
            Event::DocType(_) => {
                return Err(Fault::new(
                    Condition::RestrictedXml,
                    at,
                    "document type declarations are not allowed (RFC 6120 §11.1)",
                ));
            }
            Event::Decl(_) => {
                return Err(Fault::nwf(
                    at,
                    "an XML declaration is only allowed at the start of the stream",
                ));
            }
            Event::Eof => break,
        }
    }
    if !b.stack.is_empty() {
        return Err(Fault::nwf(xml.len(), "element not closed"));
    }
    b.root
        .take()
        .ok_or_else(|| Fault::nwf(xml.len(), "no element"))
}

/// Position of `]]>` in character data, which XML 1.0 §2.4 forbids. Text
/// rarely holds a `>`, so look for those first.
fn cdata_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'>')
        .find_map(|(i, _)| {
            let start = i.checked_sub(2)?;
            (bytes.get(start..i) == Some(b"]]".as_slice())).then_some(start)
        })
}

/// Current reader offset as `usize` (the input is a `&str`, so it fits).
fn position(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

fn position_of_error(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.error_position()).unwrap_or(usize::MAX)
}

/// `Some(prefix)` when `qname` declares a namespace: `Some(None)` for
/// `xmlns`, `Some(Some(p))` for `xmlns:p`.
fn declared_prefix(qname: &str) -> Option<Option<&str>> {
    match qname.strip_prefix("xmlns")? {
        "" => Some(None),
        rest => rest.strip_prefix(':').map(Some),
    }
}

/// Turn a start tag into an element without children, resolving its names
/// in `scope`. `at` is the offset of the tag's `<`; `raw` is scratch space.
pub(crate) fn open_element(
    start: &BytesStart<'_>,
    at: usize,
    scope: &Scope<'_>,
    raw: &mut Vec<RawAttr>,
) -> Result<Element, Fault> {
    let qname = start.name().into_inner();
    if !is_qname(qname) {
        return Err(Fault::nwf(
            at + 1,
            format!("invalid element name {qname:?}"),
        ));
    }
    let list = start.attributes_raw();
    attrs::split(list, at + 1 + qname.len(), raw)?;

    let mut declarations: Vec<Binding> = Vec::new();
    let mut plain = 0;
    for a in raw.iter() {
        let Some(p) = declared_prefix(a.qname(list)) else {
            plain += 1;
            continue;
        };
        let value = unescape::attribute_value(a.value(list), a.value_at())?;
        Scope::check_declaration(p, &value, a.name_at())?;
        if declarations.iter().any(|(q, _)| q.as_deref() == p) {
            return Err(Fault::nwf(
                a.name_at(),
                format!("duplicate attribute {}", a.qname(list)),
            ));
        }
        declarations.push((p.map(SmolStr::new), SmolStr::new(value)));
    }
    scope.check_room(declarations.len(), at)?;

    let (prefix, name) = split_qname(qname);
    if prefix == Some("xmlns") {
        return Err(Fault::nwf(
            at + 1,
            "an element name cannot use the xmlns prefix",
        ));
    }
    let ns = scope
        .resolve(&declarations, prefix)
        .ok_or_else(|| ns::unbound(prefix.unwrap_or_default(), at + 1))?;

    let mut attributes = Vec::with_capacity(plain);
    for a in raw.iter() {
        let q = a.qname(list);
        if declared_prefix(q).is_some() {
            continue;
        }
        let (p, local) = split_qname(q);
        let ns = match p {
            None => None,
            Some(p) => Some(
                scope
                    .resolve(&declarations, Some(p))
                    .ok_or_else(|| ns::unbound(p, a.name_at()))?,
            ),
        };
        let value = unescape::attribute_value(a.value(list), a.value_at())?;
        attributes.push(Attribute {
            ns,
            name: SmolStr::new(local),
            value: SmolStr::new(value),
        });
    }
    if let Some(k) = first_duplicate(&attributes) {
        let name_at = raw
            .iter()
            .filter(|a| declared_prefix(a.qname(list)).is_none())
            .nth(k)
            .map_or(at, RawAttr::name_at);
        let a = attributes.get(k).map(expanded).unwrap_or_default();
        return Err(Fault::nwf(name_at, format!("duplicate attribute {a}")));
    }

    Ok(Element {
        ns,
        name: SmolStr::new(name),
        prefix: prefix.map(SmolStr::new),
        attrs: attributes,
        declarations,
        children: Vec::new(),
    })
}

fn expanded(a: &Attribute) -> String {
    match &a.ns {
        Some(ns) => format!("{{{ns}}}{}", a.name),
        None => a.name.to_string(),
    }
}

/// (prefix, local part) of a checked QName.
fn split_qname(qname: &str) -> (Option<&str>, &str) {
    match chars::split_colon(qname) {
        Some((p, l)) => (Some(p), l),
        None => (None, qname),
    }
}

/// Index of the first attribute whose expanded name an earlier one has:
/// two attributes with the same expanded name (literally or through two
/// prefixes bound to one URI) are not well-formed (Namespaces in XML 1.0
/// §6.3, parser case 24). Small lists are compared pairwise; large ones go
/// through a `HashSet`, whose random keys keep colliding names from making
/// this quadratic (parser case 32).
fn first_duplicate(attributes: &[Attribute]) -> Option<usize> {
    if attributes.len() <= 16 {
        return (1..attributes.len()).find(|&i| {
            let a = &attributes[i];
            attributes[..i]
                .iter()
                .any(|b| a.ns == b.ns && a.name == b.name)
        });
    }
    let mut seen = HashSet::with_capacity(attributes.len());
    attributes
        .iter()
        .position(|a| !seen.insert((a.ns.as_deref(), a.name.as_str())))
}

/// quick-xml's errors are all well-formedness faults here; the position is
/// where quick-xml says the faulty markup starts.
fn map_error(e: &QxError, at: usize) -> Fault {
    Fault::nwf(at, format!("malformed XML: {e}"))
}

#[cfg(test)]
mod tests;
