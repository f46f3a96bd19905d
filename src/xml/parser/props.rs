//! Property tests: the events never depend on the chunking, for valid
//! streams and for arbitrary bytes; serialization round-trips.

use super::tests::{HEADER, feed_in};
use super::*;
use crate::xml::{Attribute, Element, Node, SmolStr, parse_element, writer};
use proptest::prelude::*;

/// Character data pieces: plain, escaped, multi-byte, CDATA with markup.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("hello"),
            Just(" "),
            Just("\n"),
            Just(" >"),
            Just("\"'"),
            Just("é"),
            Just("日本語"),
            Just("😀"),
            Just("&amp;&lt;&gt;"),
            Just("&#x1F600;&#233;"),
            Just("<![CDATA[</message> <iq> ]]]]><![CDATA[>]]>"),
            Just("]]"),
        ],
        0..6,
    )
    .prop_map(|v| v.concat())
}

/// Attribute values with the bytes a framer must not trip on.
fn attr_value() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("a"),
            Just(">"),
            Just("/>"),
            Just("é"),
            Just("&quot;"),
            Just("="),
            Just("<![CDATA[")
        ],
        0..4,
    )
    .prop_map(|v| v.concat().replace("<![CDATA[", "&lt;![CDATA["))
}

fn attrs() -> impl Strategy<Value = String> {
    prop::collection::vec((attr_value(), any::<bool>()), 0..3).prop_map(|v| {
        v.iter()
            .enumerate()
            .map(|(i, (val, dq))| {
                if *dq {
                    format!(" a{i}=\"{}'\"", val)
                } else {
                    format!(" a{i} = '{}\"'", val)
                }
            })
            .collect()
    })
}

/// A payload element, nested a few levels.
fn payload() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (attrs(), text()).prop_map(|(a, t)| format!("<body{a}>{t}</body>")),
        attrs().prop_map(|a| format!("<x xmlns='urn:x'{a}/>")),
        Just("<p:y xmlns:p='urn:p' p:z='1'/>".to_owned()),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        (attrs(), prop::collection::vec(inner, 0..4), text()).prop_map(|(a, kids, t)| {
            format!(
                "<query xmlns='jabber:iq:roster'{a}>{t}{}</query>",
                kids.concat()
            )
        })
    })
}

fn stanza() -> impl Strategy<Value = String> {
    (0..3u8, attrs(), prop::collection::vec(payload(), 0..3)).prop_map(|(kind, a, kids)| {
        let name = ["message", "presence", "iq"][usize::from(kind)];
        if kids.is_empty() {
            format!("<{name}{a}/>")
        } else {
            format!("<{name}{a}>{}</{name} >", kids.concat())
        }
    })
}

/// A whole stream: header, stanzas with keepalives between, maybe a close.
fn valid_stream() -> impl Strategy<Value = (String, usize)> {
    (
        prop::collection::vec(
            (stanza(), prop_oneof![Just(""), Just(" "), Just("\r\n\t ")]),
            0..8,
        ),
        any::<bool>(),
    )
        .prop_map(|(items, close)| {
            let mut s = HEADER.to_owned();
            for (st, ws) in &items {
                s.push_str(ws);
                s.push_str(st);
            }
            if close {
                s.push_str("</stream:stream>");
            }
            (s, items.len())
        })
}

fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1..80usize, 1..20)
}

/// Bytes biased toward markup, broken UTF-8 and forbidden characters.
fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(&b"<"[..]),
        Just(&b">"[..]),
        Just(&b"</"[..]),
        Just(&b"/>"[..]),
        Just(&b"<message>"[..]),
        Just(&b"</message>"[..]),
        Just(&b" a='"[..]),
        Just(&b"'"[..]),
        Just(&b"\""[..]),
        Just(&b"<!--"[..]),
        Just(&b"<![CDATA["[..]),
        Just(&b"]]>"[..]),
        Just(&b"<?xml "[..]),
        Just(&b"&amp;"[..]),
        Just(&b"&#x0;"[..]),
        Just(&b"&"[..]),
        Just(&b"x"[..]),
        Just(&b" "[..]),
        Just("é".as_bytes()),
        Just(&b"\xE6\x97"[..]),
        Just(&b"\xFF"[..]),
        Just(&b"\x00"[..]),
        Just(&b"</stream:stream>"[..]),
        Just(&b"<stream:stream>"[..]),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

/// Elements for the round trip, with names, namespaces and text that
/// exercise escaping and namespace declarations.
fn element() -> impl Strategy<Value = Element> {
    let name = prop::sample::select(vec!["a", "b", "message", "é", "x-y.z"]);
    let ns = prop::sample::select(vec!["", "urn:a", "urn:b", "jabber:client"]);
    let prefix = prop::option::of(prop::sample::select(vec!["p", "q", "stream"]));
    let value = "[a-z<>&'\"\t\n\r é日😀]{0,6}";
    let attr_ns = prop::option::of(prop::sample::select(vec![
        "urn:a",
        "urn:c",
        crate::xml::NS_XML,
    ]));
    let attributes = prop::collection::vec(
        (attr_ns, prop::sample::select(vec!["k", "l", "lang"]), value),
        0..4,
    )
    .prop_map(|v| {
        let mut out: Vec<Attribute> = Vec::new();
        for (ns, name, value) in v {
            let ns = ns.map(SmolStr::new);
            if !out.iter().any(|a| a.ns == ns && a.name == name) {
                out.push(Attribute {
                    ns,
                    name: name.into(),
                    value: value.into(),
                });
            }
        }
        out
    });
    let leaf =
        (name.clone(), ns.clone(), prefix.clone(), attributes.clone()).prop_map(|(n, ns, p, a)| {
            Element {
                ns: ns.into(),
                name: n.into(),
                prefix: p.map(SmolStr::new),
                attrs: a,
                declarations: Vec::new(),
                children: Vec::new(),
            }
        });
    leaf.prop_recursive(4, 32, 4, move |inner| {
        let child = prop_oneof![
            inner.prop_map(Node::Element),
            "[a-z<>&'\"\t\n\r é日😀]{1,6}".prop_map(|t| Node::Text(t.into())),
        ];
        (
            name.clone(),
            ns.clone(),
            prefix.clone(),
            attributes.clone(),
            prop::collection::vec(child, 0..4),
        )
            .prop_map(|(n, ns, p, a, kids)| Element {
                ns: ns.into(),
                name: n.into(),
                prefix: p.map(SmolStr::new),
                attrs: a,
                declarations: Vec::new(),
                children: kids,
            })
    })
}

proptest! {
    // Failures are not persisted: the regressions directory lives outside
    // this module; a failure prints its minimal input, to add as a case.
    // 256 cases (proptest's default; PROPTEST_CASES overrides it).
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn valid_streams_give_the_same_events_whatever_the_chunking(
        (s, n) in valid_stream(),
        sizes in chunk_sizes(),
    ) {
        let config = ParserConfig::default();
        let whole = feed_in(&config, s.as_bytes(), &[s.len()]);
        prop_assert!(
            !whole.iter().any(|e| matches!(e, StreamEvent::Error(_))),
            "{s}\n{whole:?}"
        );
        let elements = whole.iter().filter(|e| matches!(e, StreamEvent::Element(_))).count();
        prop_assert_eq!(elements, n);
        prop_assert_eq!(&feed_in(&config, s.as_bytes(), &sizes), &whole);
        prop_assert_eq!(&feed_in(&config, s.as_bytes(), &[1]), &whole);
    }

    #[test]
    fn hostile_bytes_give_the_same_events_whatever_the_chunking(
        body in hostile_bytes(),
        sizes in chunk_sizes(),
        max in prop::sample::select(vec![220usize, 400, 256 * 1024]),
        depth in 1..4usize,
    ) {
        let config = ParserConfig { max_stanza_bytes: max, max_depth: depth, ..ParserConfig::default() };
        let input = [HEADER.as_bytes(), &body].concat();
        let whole = feed_in(&config, &input, &[input.len()]);
        prop_assert_eq!(&feed_in(&config, &input, &sizes), &whole);
        prop_assert_eq!(&feed_in(&config, &input, &[1]), &whole);
        let raw = feed_in(&config, &body, &sizes);
        prop_assert_eq!(&feed_in(&config, &body, &[body.len()]), &raw);
    }

    #[test]
    fn to_xml_round_trips(e in element()) {
        let xml = writer::to_xml(&e);
        let back = parse_element(xml.as_bytes(), &Vec::new());
        prop_assert!(back.is_ok(), "{xml}: {back:?}");
        let back = back.unwrap_or_default();
        prop_assert_eq!(back.canonical(), e.canonical(), "{}", xml);
        // Writing what was parsed gives the same text again.
        prop_assert_eq!(writer::to_xml(&back), xml);
        // The pretty form parses too, to the same content minus blank text.
        let pretty = parse_element(writer::to_pretty(&e).as_bytes(), &Vec::new());
        prop_assert!(pretty.is_ok());
    }
}
