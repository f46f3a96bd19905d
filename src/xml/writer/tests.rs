//! Unit tests of the writer.

use super::*;
use crate::xml::element::Attribute;
use crate::xml::{NS_CLIENT, NS_STREAMS, parse_element};

fn parse(xml: &str) -> Element {
    parse_element(xml.as_bytes(), &Vec::new()).unwrap()
}

#[test]
fn compact_round_trip_keeps_prefixes_and_declarations() {
    let xml = "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
               <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>";
    let e = parse(xml);
    assert_eq!(to_xml(&e), xml);
    assert_eq!(e.ns, NS_STREAMS);
}

#[test]
fn declares_what_the_scope_provided() {
    let scope = vec![(None, NS_CLIENT.into())];
    let e = parse_element(b"<message><body>hi</body></message>", &scope).unwrap();
    assert_eq!(
        to_xml(&e),
        "<message xmlns='jabber:client'><body>hi</body></message>"
    );
}

#[test]
fn escapes_text_and_attributes() {
    let mut e = Element::new("", "a");
    e.attrs.push(Attribute {
        ns: None,
        name: "v".into(),
        value: "&<>\"'\t\n\r".into(),
    });
    e.children.push(Node::Text("&<>\"'\r\n".into()));
    let xml = to_xml(&e);
    assert_eq!(
        xml,
        "<a v='&amp;&lt;&gt;&quot;&apos;&#9;&#10;&#13;'>&amp;&lt;&gt;\"'&#13;\n</a>"
    );
    assert_eq!(parse(&xml), e);
}

#[test]
fn namespaced_attributes_get_a_prefix() {
    let mut e = Element::new("urn:a", "a");
    e.attrs.push(Attribute {
        ns: Some("urn:x".into()),
        name: "k".into(),
        value: "1".into(),
    });
    e.attrs.push(Attribute {
        ns: Some(NS_XML.into()),
        name: "lang".into(),
        value: "en".into(),
    });
    let xml = to_xml(&e);
    assert_eq!(
        xml,
        "<a xmlns='urn:a' xmlns:ns0='urn:x' ns0:k='1' xml:lang='en'/>"
    );
    let back = parse(&xml);
    assert_eq!(back.attr_ns("urn:x", "k"), Some("1"));
    assert_eq!(back.attr_ns(NS_XML, "lang"), Some("en"));
}

#[test]
fn element_namespace_wins_over_contradicting_declaration() {
    let mut e = Element::new("urn:a", "a");
    e.prefix = Some("p".into());
    e.declarations.push((Some("p".into()), "urn:other".into()));
    let mut child = Element::new("urn:other", "c");
    child.prefix = Some("p".into());
    e.children.push(Node::Element(child));
    let back = parse(&to_xml(&e));
    assert_eq!(back.ns, "urn:a");
    assert_eq!(back.child_elements().next().unwrap().ns, "urn:other");
}

/// Found by the fuzz target `element_roundtrip`: a declaration binding the
/// `xml` (or `xmlns`) namespace as the default or to another prefix was
/// written as it was, and the text did not parse (Namespaces in XML 1.0 §3).
#[test]
fn declarations_the_parser_would_refuse_are_left_out() {
    let xmlns = "http://www.w3.org/2000/xmlns/";
    let mut e = Element::new(NS_XML, "m");
    e.prefix = Some("xml".into());
    e.declarations = vec![
        (None, NS_XML.into()),
        (Some("p".into()), NS_XML.into()),
        (Some("q".into()), xmlns.into()),
        (None, xmlns.into()),
        (Some("xml".into()), NS_XML.into()),
        (Some("r".into()), "urn:r".into()),
    ];
    let xml = to_xml(&e);
    assert_eq!(xml, "<xml:m xmlns:r='urn:r'/>");
    assert_eq!(parse(&xml).ns, NS_XML);
}

#[test]
fn no_namespace_child_under_default() {
    let mut e = Element::new("urn:a", "a");
    e.children.push(Node::Element(Element::new("", "b")));
    let xml = to_xml(&e);
    assert_eq!(xml, "<a xmlns='urn:a'><b xmlns=''/></a>");
    assert_eq!(parse(&xml).child_elements().next().unwrap().ns, "");
}

#[test]
fn pretty_sorts_indents_and_drops_blank_text() {
    let e = parse(
        "<m:message xmlns:m='jabber:client' xmlns='jabber:client' type='chat' to='x'>\n  <body>hi</body>\n  \
         <x xmlns='urn:x' b='2' a='1' xml:lang='en'><y/></x>\n</m:message>",
    );
    assert_eq!(
        to_pretty(&e),
        "<message xmlns='jabber:client' to='x' type='chat'>\n  <body>hi</body>\n  \
         <x xmlns='urn:x' a='1' b='2' xml:lang='en'>\n    <y/>\n  </x>\n</message>"
    );
}

#[test]
fn pretty_mixed_content() {
    let e = parse("<p>a<b/>c</p>");
    assert_eq!(to_pretty(&e), "<p>\n  a\n  <b/>\n  c\n</p>");
    let e = parse("<p>  </p>");
    assert_eq!(to_pretty(&e), "<p/>");
}

#[test]
fn deep_trees_do_not_recurse() {
    let mut e = Element::new("", "a");
    for _ in 0..100_000 {
        let mut parent = Element::new("", "a");
        parent.children.push(Node::Element(e));
        e = parent;
    }
    assert_eq!(to_xml(&e).len(), 100_001 * 7 - 3);
    // Indentation makes the pretty form quadratic in depth: check it on a
    // shallower tree, still far beyond what recursion would survive in a
    // debug build's test thread.
    let mut p = Element::new("", "a");
    for _ in 0..3_000 {
        let mut parent = Element::new("", "a");
        parent.children.push(Node::Element(p));
        p = parent;
    }
    assert!(to_pretty(&p).len() > 3_000 * 7);
    // Take the tree apart iteratively so that its Drop does not recurse.
    let mut pending = vec![e];
    while let Some(mut el) = pending.pop() {
        for n in el.children.drain(..) {
            if let Node::Element(c) = n {
                pending.push(c);
            }
        }
    }
}

#[test]
fn start_tag_keeps_a_childless_header_open() {
    let mut header = Element::new(NS_STREAMS, "stream");
    header.prefix = Some("stream".into());
    header.declarations = vec![
        (None, NS_CLIENT.into()),
        (Some("stream".into()), NS_STREAMS.into()),
    ];
    header.attrs.push(Attribute {
        ns: None,
        name: "version".into(),
        value: "1.0".into(),
    });
    header.attrs.push(Attribute {
        ns: None,
        name: "from".into(),
        value: "a'b".into(),
    });
    assert_eq!(
        start_tag(&header),
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
         version='1.0' from='a&apos;b'>"
    );
    // The same element through to_xml is self-closed: only start_tag keeps it open.
    assert!(to_xml(&header).ends_with("/>"));
}

#[test]
fn escape_value_escapes_the_five_and_nothing_else() {
    assert_eq!(
        escape_value("a&b<c>d'e\"f\tg\nh"),
        "a&amp;b&lt;c&gt;d&apos;e&quot;f\tg\nh"
    );
    assert_eq!(escape_value("héllo"), "héllo");
}
