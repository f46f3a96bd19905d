//! An arbitrary element tree, written with `writer::to_xml` and parsed back
//! with `xml::parse_element`, is the same tree (compared as the proptest
//! round trip in `src/xml/parser/props.rs` compares it), and writing it
//! again gives the same text.
//!
//! Names are NCNames over a small alphabet with non-ASCII letters and
//! combining marks; a few namespaces (one with characters that need
//! escaping, the `xml` one); prefixes that include the writer's own `ns0`,
//! `xml`, `xmlns` and an empty one; declarations, some of them invalid;
//! text and values with `<&>'"`, `]]>`, TAB/LF/CR and any other XML
//! character.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use xmpp_conform::xml::{
    Attribute, Element, NS_STREAMS, NS_XML, Node, SmolStr, parse_element, writer,
};

const NAMESPACES: &[&str] = &[
    "",
    "urn:a",
    "urn:b",
    "jabber:client",
    NS_STREAMS,
    "urn:x?a=1&b='2'<\"é\"",
    NS_XML,
];
const PREFIXES: &[&str] = &["p", "q", "stream", "ns0", "ns1", "xml", "xmlns", ""];
const NAME_START: &[char] = &['a', 'b', 'x', 'm', 'l', 'n', 's', 'Z', '_', 'é', 'ß', '日'];
const NAME_REST: &[char] = &['-', '.', '0', '9', '·', '\u{300}', '\u{203F}'];
const PIECES: &[&str] = &[
    "<",
    "&",
    ">",
    "'",
    "\"",
    "]]>",
    "]]",
    "\r",
    "\n",
    "\t",
    "\r\n",
    " ",
    "é",
    "日",
    "😀",
    "&amp;",
    "&#13;",
    "{",
    "}",
    "<![CDATA[",
    "-->",
];
/// Deeper trees add nothing the writer or parser treat differently.
const MAX_DEPTH: usize = 24;

#[derive(Arbitrary, Debug)]
struct Elem {
    name: Name,
    ns: u8,
    prefix: Option<u8>,
    attrs: Vec<Attr>,
    declarations: Vec<(Option<u8>, u8)>,
    children: Vec<Child>,
}

#[derive(Arbitrary, Debug)]
enum Child {
    Element(Elem),
    Text(Text),
}

#[derive(Arbitrary, Debug)]
struct Attr {
    ns: Option<u8>,
    name: Name,
    value: Text,
}

#[derive(Arbitrary, Debug)]
struct Name(u8, Vec<u8>);

#[derive(Arbitrary, Debug)]
struct Text(Vec<Piece>);

#[derive(Arbitrary, Debug)]
enum Piece {
    Fixed(u8),
    Char(char),
}

fn pick<T: Copy>(list: &[T], i: u8) -> T {
    list[usize::from(i) % list.len()]
}

impl Name {
    fn build(&self) -> SmolStr {
        let mut s = String::new();
        s.push(pick(NAME_START, self.0));
        for b in self.1.iter().take(7) {
            if b & 1 == 0 {
                s.push(pick(NAME_START, b >> 1));
            } else {
                s.push(pick(NAME_REST, b >> 1));
            }
        }
        s.into()
    }
}

/// XML 1.0 `Char`: TAB, LF, CR and everything from U+0020 but U+FFFE and U+FFFF.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

impl Text {
    fn build(&self) -> SmolStr {
        let mut s = String::new();
        for p in self.0.iter().take(16) {
            match p {
                Piece::Fixed(i) => s.push_str(pick(PIECES, *i)),
                Piece::Char(c) if is_xml_char(*c) => s.push(*c),
                Piece::Char(_) => {}
            }
        }
        s.into()
    }
}

impl Elem {
    fn build(&self, depth: usize) -> Element {
        let mut attrs: Vec<Attribute> = Vec::new();
        for a in &self.attrs {
            let ns =
                a.ns.map(|i| pick(NAMESPACES, i))
                    .filter(|ns| !ns.is_empty())
                    .map(SmolStr::new);
            let name = a.name.build();
            // An unprefixed `xmlns` is a declaration, not an attribute.
            if ns.is_none() && name == "xmlns" {
                continue;
            }
            if !attrs.iter().any(|b| b.ns == ns && b.name == name) {
                attrs.push(Attribute {
                    ns,
                    name,
                    value: a.value.build(),
                });
            }
        }
        let children = if depth < MAX_DEPTH {
            self.children
                .iter()
                .map(|c| match c {
                    Child::Element(e) => Node::Element(e.build(depth + 1)),
                    Child::Text(t) => Node::Text(t.build()),
                })
                .collect()
        } else {
            Vec::new()
        };
        Element {
            ns: pick(NAMESPACES, self.ns).into(),
            name: self.name.build(),
            prefix: self.prefix.map(|i| pick(PREFIXES, i).into()),
            attrs,
            declarations: self
                .declarations
                .iter()
                .map(|(p, ns)| {
                    (
                        p.map(|i| pick(PREFIXES, i).into()),
                        pick(NAMESPACES, *ns).into(),
                    )
                })
                .collect(),
            children,
        }
    }
}

fn without_empty_text(mut e: Element) -> Element {
    e.children = e
        .children
        .into_iter()
        .filter_map(|n| match n {
            Node::Text(t) if t.is_empty() => None,
            Node::Element(k) => Some(Node::Element(without_empty_text(k))),
            text => Some(text),
        })
        .collect();
    e
}

fuzz_target!(|tree: Elem| {
    let e = tree.build(0);
    let xml = writer::to_xml(&e);
    let back = parse_element(xml.as_bytes(), &Vec::new())
        .unwrap_or_else(|err| panic!("the writer's text does not parse: {err}\n{xml}"));
    assert_eq!(back.canonical(), e.canonical(), "{xml}");
    // Writing what was parsed gives the same text, but for empty text
    // nodes: `<x></x>` comes back without one, and is written `<x/>`.
    assert_eq!(
        writer::to_xml(&back),
        writer::to_xml(&without_empty_text(e.clone())),
        "written again differently"
    );
    let pretty = writer::to_pretty(&e);
    if let Err(err) = parse_element(pretty.as_bytes(), &Vec::new()) {
        panic!("the pretty text does not parse: {err}\n{pretty}");
    }
});
