//! The tree form of one XMPP element, with namespaces already resolved.
//!
//! Both the stanzas received from a peer and the patterns written in
//! scenario files become [`Element`]s, so matching, snapshots and the fuzz
//! round-trip all work on one type.
//!
//! Strings are [`SmolStr`]: names and most attribute values fit in its
//! 23 inline bytes, so building an element does not allocate for them, and
//! longer strings are shared (`Arc<str>`), so a namespace URI is allocated
//! once per declaration and every element in its scope clones a reference.
//! A stanza used to cost ~30 allocations as `String`s; the parser was
//! spending a third of its time in malloc and free. It compares with `&str`
//! directly (`e.name == "message"`).
//!
//! This file depends on nothing else in `xml`: the parser, the namespace
//! resolver and the writer all build on it, so its `Display` (the writer's
//! compact form) is implemented in `writer.rs`.

use smol_str::SmolStr;

/// A namespace-resolved attribute. Namespace declarations (`xmlns`,
/// `xmlns:p`) are not attributes: they are consumed during resolution and
/// kept apart in [`Element::declarations`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attribute {
    /// Namespace URI of a prefixed attribute; `None` for unprefixed ones
    /// (which, per Namespaces in XML, are in no namespace).
    pub ns: Option<SmolStr>,
    /// Local name.
    pub name: SmolStr,
    /// Value with entity and character references expanded.
    pub value: SmolStr,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Node {
    Element(Element),
    /// Character data (CDATA sections are merged in as text).
    Text(SmolStr),
}

/// One XML element with resolved names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Element {
    /// Namespace URI (empty string when the element is in no namespace).
    pub ns: SmolStr,
    /// Local name.
    pub name: SmolStr,
    /// The prefix as written on the wire, kept only for display; matching
    /// never looks at it.
    pub prefix: Option<SmolStr>,
    pub attrs: Vec<Attribute>,
    /// Namespace declarations written on this element, as (prefix, URI);
    /// the prefix is `None` for the default namespace.
    pub declarations: Vec<(Option<SmolStr>, SmolStr)>,
    pub children: Vec<Node>,
}

impl Element {
    /// The tree without its presentation: adjacent text merged, empty text
    /// dropped, prefixes and namespace declarations cleared. Two trees with
    /// the same canonical form are the same content; a round trip through
    /// [`crate::xml::writer::to_xml`] and the parser keeps it (the round-trip
    /// property and the `element_roundtrip` fuzz target compare this).
    pub fn canonical(&self) -> Element {
        let mut children: Vec<Node> = Vec::new();
        for c in &self.children {
            match c {
                Node::Text(t) => match children.last_mut() {
                    Some(Node::Text(prev)) => *prev = format!("{prev}{t}").into(),
                    _ => children.push(Node::Text(t.clone())),
                },
                Node::Element(k) => children.push(Node::Element(k.canonical())),
            }
        }
        children.retain(|c| !matches!(c, Node::Text(t) if t.is_empty()));
        Element {
            ns: self.ns.clone(),
            name: self.name.clone(),
            prefix: None,
            attrs: self.attrs.clone(),
            declarations: Vec::new(),
            children,
        }
    }

    pub fn new(ns: impl Into<SmolStr>, name: impl Into<SmolStr>) -> Self {
        Element {
            ns: ns.into(),
            name: name.into(),
            ..Element::default()
        }
    }

    /// Value of the unprefixed attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// Value of an attribute in namespace `ns`.
    pub fn attr_ns(&self, ns: &str, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.as_deref() == Some(ns) && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// Child elements, skipping text.
    pub fn child_elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// First child element with this namespace and local name.
    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.child_elements().find(|e| e.ns == ns && e.name == name)
    }

    /// All text directly inside this element, concatenated.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    /// `true` when this element has this namespace and local name.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    /// The name as written (`prefix:local` or `local`), for messages.
    pub fn display_name(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.name),
            None => self.name.to_string(),
        }
    }
}
