//! Unit tests of `parse_element`.

use super::*;
use crate::xml::{NS_CLIENT, NS_STREAMS, NS_XML};

fn stream_scope() -> NamespaceScope {
    vec![
        (None, NS_CLIENT.into()),
        (Some("stream".into()), NS_STREAMS.into()),
    ]
}

fn parse(xml: &str) -> Result<Element, StreamError> {
    parse_element(xml.as_bytes(), &stream_scope())
}

fn fails(xml: &str) -> (Condition, u64) {
    match parse(xml) {
        Ok(e) => panic!("{xml:?} parsed as {e:?}"),
        Err(e) => (e.condition, e.offset),
    }
}

#[test]
fn resolves_names_attributes_and_declarations() {
    let e = parse(
        "<message to='a@b' xml:lang='en' xmlns:x='urn:x' x:y='1'>\
         <body>hi</body><x:thing/><q xmlns='urn:q'><r/></q></message>",
    )
    .unwrap();
    assert_eq!((e.ns.as_str(), e.name.as_str()), (NS_CLIENT, "message"));
    assert_eq!(e.prefix, None);
    assert_eq!(e.attr("to"), Some("a@b"));
    assert_eq!(e.attr_ns(NS_XML, "lang"), Some("en"));
    assert_eq!(e.attr_ns("urn:x", "y"), Some("1"));
    assert_eq!(e.attr("y"), None);
    assert_eq!(e.declarations, vec![(Some("x".into()), "urn:x".into())]);
    assert_eq!(e.attrs.len(), 3);
    assert_eq!(e.child(NS_CLIENT, "body").unwrap().text(), "hi");
    let thing = e.child("urn:x", "thing").unwrap();
    assert_eq!(thing.prefix.as_deref(), Some("x"));
    assert_eq!(thing.display_name(), "x:thing");
    let q = e.child("urn:q", "q").unwrap();
    assert!(q.child("urn:q", "r").is_some());
    assert_eq!(q.declarations, vec![(None, "urn:q".into())]);
}

#[test]
fn stream_prefix_from_scope() {
    let e = parse(
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
    )
    .unwrap();
    assert_eq!((e.ns.as_str(), e.name.as_str()), (NS_STREAMS, "features"));
    assert_eq!(e.prefix.as_deref(), Some("stream"));
}

#[test]
fn default_namespace_can_be_undeclared() {
    let e = parse("<a><b xmlns=''/></a>").unwrap();
    assert_eq!(e.child_elements().next().unwrap().ns, "");
    let e = parse_element(b"<a/>", &Vec::new()).unwrap();
    assert_eq!(e.ns, "");
}

#[test]
fn text_is_unescaped_and_merged() {
    let e = parse("<body>a &amp; b &lt;&gt;&quot;&apos; &#x41;&#66; <![CDATA[<x>&amp;]]>z</body>")
        .unwrap();
    assert_eq!(e.children.len(), 1);
    assert_eq!(e.text(), "a & b <>\"' AB <x>&amp;z");
}

#[test]
fn mixed_content_keeps_order() {
    let e = parse("<p>a<b/>c</p>").unwrap();
    assert_eq!(
        e.children,
        vec![
            Node::Text("a".into()),
            Node::Element(Element::new(NS_CLIENT, "b")),
            Node::Text("c".into())
        ]
    );
}

#[test]
fn line_ends_are_normalized() {
    let e = parse("<p a='x\r\ny\tz'>1\r\n2\r3&#13;</p>").unwrap();
    assert_eq!(e.attr("a"), Some("x y z"));
    assert_eq!(e.text(), "1\n2\n3\r");
}

#[test]
fn utf8_text_and_names() {
    let e = parse("<é attr='ü'>日本語 😀</é>").unwrap();
    assert_eq!(e.name, "é");
    assert_eq!(e.attr("attr"), Some("ü"));
    assert_eq!(e.text(), "日本語 😀");
}

#[test]
fn surrounding_whitespace_is_allowed() {
    assert!(parse(" \n<a/>\t ").is_ok());
}

#[test]
fn unbound_prefixes_are_bad_namespace_prefix() {
    assert_eq!(fails("<foo:bar/>"), (Condition::BadNamespacePrefix, 1));
    assert_eq!(fails("<a b:c='1'/>").0, Condition::BadNamespacePrefix);
    assert_eq!(
        fails("<a><p:b xmlns:q='urn:q'/></a>").0,
        Condition::BadNamespacePrefix
    );
}

#[test]
fn namespace_declaration_faults() {
    assert_eq!(fails("<a xmlns:xml='urn:x'/>").0, Condition::NotWellFormed);
    assert_eq!(fails("<a xmlns:p=''/>").0, Condition::NotWellFormed);
    assert_eq!(
        fails("<a xmlns:xmlns='urn:x'/>").0,
        Condition::NotWellFormed
    );
    assert_eq!(fails("<xmlns:a/>").0, Condition::NotWellFormed);
    assert!(parse("<a xmlns:xml='http://www.w3.org/XML/1998/namespace'/>").is_ok());
}

#[test]
fn duplicate_attributes() {
    assert_eq!(fails("<a x='1' x='2'/>"), (Condition::NotWellFormed, 9));
    assert_eq!(
        fails("<a xmlns:p='urn:u' xmlns:q='urn:u' p:x='1' q:x='2'/>").0,
        Condition::NotWellFormed
    );
    assert_eq!(
        fails("<a xmlns='u' xmlns='v'/>").0,
        Condition::NotWellFormed
    );
    // Same local name in different namespaces is fine.
    assert!(parse("<a xmlns:p='urn:u' x='1' p:x='2'/>").is_ok());
}

#[test]
fn many_attributes_duplicate_found() {
    let mut s = String::from("<a");
    for i in 0..100 {
        s.push_str(&format!(" a{i}='1'"));
    }
    s.push_str(" a50='2'/>");
    assert_eq!(fails(&s).0, Condition::NotWellFormed);
}

#[test]
fn mismatched_end_tags() {
    assert_eq!(fails("<a></b>").0, Condition::NotWellFormed);
    // Same namespace through another prefix is still a mismatch (case 25).
    assert_eq!(
        fails("<p:a xmlns:p='urn:u' xmlns:q='urn:u'></q:a>").0,
        Condition::NotWellFormed
    );
    assert_eq!(fails("<a>").0, Condition::NotWellFormed);
    assert_eq!(fails("<a></a></a>").0, Condition::NotWellFormed);
}

#[test]
fn restricted_constructs() {
    assert_eq!(fails("<a><!-- c --></a>"), (Condition::RestrictedXml, 3));
    assert_eq!(fails("<a><?pi x?></a>"), (Condition::RestrictedXml, 3));
    assert_eq!(fails("<!DOCTYPE a><a/>").0, Condition::RestrictedXml);
    assert_eq!(fails("<a>&foo;</a>"), (Condition::RestrictedXml, 3));
    assert_eq!(fails("<a b='&foo;'/>"), (Condition::RestrictedXml, 6));
    assert_eq!(
        fails("<a><?xml version='1.0'?></a>").0,
        Condition::NotWellFormed
    );
}

#[test]
fn character_reference_faults() {
    for r in [
        "&#0;",
        "&#x1;",
        "&#xD800;",
        "&#xFFFE;",
        "&#x110000;",
        "&#44444444401;",
        "&#x;",
    ] {
        let xml = format!("<a>{r}</a>");
        assert_eq!(fails(&xml), (Condition::NotWellFormed, 3), "{r}");
        let xml = format!("<a b='{r}'/>");
        assert_eq!(fails(&xml), (Condition::NotWellFormed, 6), "{r}");
    }
}

#[test]
fn character_faults() {
    assert_eq!(fails("<a>\u{1}</a>"), (Condition::NotWellFormed, 3));
    assert_eq!(fails("<a>\u{FFFF}</a>"), (Condition::NotWellFormed, 3));
    assert_eq!(
        parse_element(b"<a>\xC0\xAF</a>", &Vec::new())
            .unwrap_err()
            .offset,
        3
    );
    assert_eq!(
        parse_element(b"<a>\xED\xA0\x80</a>", &Vec::new())
            .unwrap_err()
            .condition,
        Condition::NotWellFormed
    );
}

#[test]
fn malformed_markup() {
    for xml in [
        "",
        "   ",
        "text",
        "<a/><b/>",
        "<a/>x",
        "x<a/>",
        "<a b></a>",
        "<a b=1/>",
        "<a b='1'c='2'/>",
        "<1a/>",
        "<a:b:c xmlns:a='u'/>",
        "<a>&amp</a>",
        "<a>a & b</a>",
        "<a>]]></a>",
        "<a",
        "<a b='<'/>",
        "<a/ >",
        "< a/>",
        "<a>\u{0}</a>",
        "<a></a >x",
        "<![CDATA[x]]><a/>",
    ] {
        let err = parse(xml).expect_err(xml);
        assert_eq!(err.condition, Condition::NotWellFormed, "{xml:?}: {err}");
    }
    assert!(parse("<a></a >").is_ok());
    assert!(parse("<a b = '1' />").is_ok());
}

#[test]
fn depth_is_bounded_without_recursion() {
    let n = 100_000;
    let xml = "<a>".repeat(n) + &"</a>".repeat(n);
    assert_eq!(fails(&xml).0, Condition::PolicyViolation);
    let n = MAX_TREE_DEPTH;
    let xml = "<a>".repeat(n) + &"</a>".repeat(n);
    assert!(parse(&xml).is_ok());
}

#[test]
fn too_many_bindings_is_policy_violation() {
    let mut s = String::from("<a");
    for i in 0..300 {
        s.push_str(&format!(" xmlns:p{i}='urn:{i}'"));
    }
    s.push_str("/>");
    assert_eq!(fails(&s).0, Condition::PolicyViolation);
}
