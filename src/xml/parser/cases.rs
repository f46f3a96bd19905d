//! One test per input of `parser-cases.md` (the number is in the name).
//! Every case goes through `events`, which also checks that each split in
//! two and one-byte feeding give the same events.

use super::tests::{HEADER, at, elements, error_of, events, events_with, feed_in};
use super::*;
use crate::xml::Element;

fn stream(body: &str) -> String {
    format!("{HEADER}{body}")
}

fn error(input: &str) -> Option<(Condition, u64)> {
    error_of(&events(input.as_bytes()))
}

fn error_bytes(input: &[u8]) -> Option<(Condition, u64)> {
    error_of(&events(input))
}

fn small(max_stanza_bytes: usize) -> ParserConfig {
    ParserConfig {
        max_stanza_bytes,
        ..ParserConfig::default()
    }
}

#[test]
fn case_01_comment_between_stanzas_is_restricted() {
    let s = stream("<message/><!-- hi --><message/>");
    assert_eq!(
        error(&s),
        Some((Condition::RestrictedXml, at(&s, "<!--", 0)))
    );
    assert_eq!(elements(&events(s.as_bytes())).len(), 1);
}

#[test]
fn case_02_comment_in_body_is_restricted() {
    let s = stream("<message><body>hi<!-- x --></body></message>");
    assert_eq!(
        error(&s),
        Some((Condition::RestrictedXml, at(&s, "<!--", 0)))
    );
}

#[test]
fn case_03_processing_instruction_mid_stream_is_restricted() {
    let s = stream("<?foo bar?><message/>");
    assert_eq!(
        error(&s),
        Some((Condition::RestrictedXml, HEADER.len() as u64))
    );
    let s = stream("<message><?xml-stylesheet href='x'?></message>");
    assert_eq!(
        error(&s),
        Some((Condition::RestrictedXml, at(&s, "<?xml-", 0)))
    );
}

#[test]
fn case_04_doctype_before_header_is_restricted() {
    let s = format!("<?xml version='1.0'?><!DOCTYPE stream>{}", &HEADER[21..]);
    assert_eq!(error(&s), Some((Condition::RestrictedXml, 21)));
    assert_eq!(error("<!DOCTYPE x>"), Some((Condition::RestrictedXml, 0)));
    let s = stream("<message><!DOCTYPE x></message>");
    assert_eq!(
        error(&s),
        Some((Condition::RestrictedXml, at(&s, "<!DOCTYPE", 0)))
    );
}

#[test]
fn case_05_billion_laughs_is_restricted_with_flat_memory() {
    let mut dtd = String::from("<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push_str("]>");
    let s = format!(
        "<?xml version='1.0'?>{dtd}{}<message><body>&lol9;</body></message>",
        &HEADER[21..]
    );
    let mut p = StreamParser::new(ParserConfig::default());
    let mut out = Vec::new();
    p.feed(s.as_bytes(), &mut out);
    assert_eq!(error_of(&out), Some((Condition::RestrictedXml, 21)));
    assert_eq!(p.finish(), 0, "nothing stays buffered");
    // Without the DTD the reference alone is refused.
    let s = stream("<message><body>&lol9;</body></message>");
    assert_eq!(
        error(&s),
        Some((Condition::RestrictedXml, at(&s, "&lol9;", 0)))
    );
}

#[test]
fn case_06_external_entity_is_restricted_without_io() {
    let s = "<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>";
    assert_eq!(error(s), Some((Condition::RestrictedXml, 0)));
    let s = stream("<message><body>&xxe;</body></message>");
    assert_eq!(
        error(&s),
        Some((Condition::RestrictedXml, at(&s, "&xxe;", 0)))
    );
}

#[test]
fn case_07_undeclared_entity_is_restricted() {
    let s = stream("<message><body>&foo;</body></message>");
    assert_eq!(
        error(&s),
        Some((Condition::RestrictedXml, at(&s, "&foo;", 0)))
    );
    let s = stream("<message to='&foo;'/>");
    assert_eq!(
        error(&s),
        Some((Condition::RestrictedXml, at(&s, "&foo;", 0)))
    );
}

#[test]
fn case_08_xml_declaration_mid_stream_is_not_well_formed_without_reset() {
    let s = stream(
        "<message/><?xml version='1.0'?><stream:stream xmlns='jabber:client' \
                    xmlns:stream='http://etherx.jabber.org/streams'>",
    );
    let ev = events(s.as_bytes());
    assert_eq!(
        error_of(&ev),
        Some((Condition::NotWellFormed, at(&s, "<?xml", 1)))
    );
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, StreamEvent::Open(_)))
            .count(),
        1
    );
    // Not at offset 0 even before the header.
    assert_eq!(
        error(" <?xml version='1.0'?>"),
        Some((Condition::NotWellFormed, 1))
    );
    // And not twice.
    let s = "<?xml version='1.0'?><?xml version='1.0'?>";
    assert_eq!(error(s), Some((Condition::NotWellFormed, 21)));
}

#[test]
fn case_09_xml_version_1_1_is_restricted() {
    let s = HEADER.replace("version='1.0'?>", "version='1.1'?>");
    assert_eq!(error(&s), Some((Condition::RestrictedXml, 15)));
}

#[test]
fn case_10_other_encodings_are_unsupported() {
    for enc in ["ISO-8859-1", "UTF-16"] {
        let s = HEADER.replace(
            "version='1.0'?>",
            &format!("version='1.0' encoding='{enc}'?>"),
        );
        assert_eq!(
            error(&s),
            Some((Condition::UnsupportedEncoding, 30)),
            "{enc}"
        );
    }
    let s = HEADER.replace("version='1.0'?>", "version='1.0' encoding='utf-8'?>");
    assert_eq!(error(&s), None);
}

#[test]
fn case_11_utf16_byte_order_marks_are_unsupported_encoding() {
    let utf16le: Vec<u8> = "<?xml version='1.0'?>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let with_bom = [&[0xFF, 0xFE][..], &utf16le].concat();
    assert_eq!(
        error_bytes(&with_bom),
        Some((Condition::UnsupportedEncoding, 0))
    );
    assert_eq!(
        error_bytes(&[0xFE, 0xFF, 0, b'<']),
        Some((Condition::UnsupportedEncoding, 0))
    );
    // Without a mark: a NUL among the first bytes.
    assert_eq!(
        error_bytes(&utf16le),
        Some((Condition::UnsupportedEncoding, 1))
    );
}

#[test]
fn case_12_utf8_byte_order_mark_is_not_well_formed() {
    let s = format!("\u{FEFF}{HEADER}");
    assert_eq!(error(&s), Some((Condition::NotWellFormed, 0)));
}

#[test]
fn case_13_lone_continuation_and_truncated_sequences() {
    let s = [
        stream("<message><body>").as_bytes(),
        b"\x80</body></message>",
    ]
    .concat();
    let body = HEADER.len() as u64 + 15;
    assert_eq!(error_bytes(&s), Some((Condition::NotWellFormed, body)));
    let s = [
        stream("<message><body>").as_bytes(),
        b"\xE6\x97</body></message>",
    ]
    .concat();
    assert_eq!(error_bytes(&s), Some((Condition::NotWellFormed, body)));
    // A character split across reads is held back, not rejected.
    let s = stream("<message><body>日本語😀</body></message>");
    let ev = events(s.as_bytes());
    assert_eq!(
        elements(&ev)[0].child_elements().next().map(Element::text),
        Some("日本語😀".into())
    );
    // A truncated character at the end of the input is only pending.
    let s = [stream("<message><body>").as_bytes(), b"\xE6\x97"].concat();
    assert_eq!(error_bytes(&s), None);
}

#[test]
fn case_14_overlong_encoding_is_not_well_formed() {
    let s = [
        stream("<message><body>").as_bytes(),
        b"\xC0\xAF</body></message>",
    ]
    .concat();
    assert_eq!(
        error_bytes(&s),
        Some((Condition::NotWellFormed, HEADER.len() as u64 + 15))
    );
    let s = [
        stream("<message><body>").as_bytes(),
        b"\xE0\x80\xAF</body></message>",
    ]
    .concat();
    assert_eq!(
        error_bytes(&s),
        Some((Condition::NotWellFormed, HEADER.len() as u64 + 15))
    );
}

#[test]
fn case_15_surrogates_and_beyond_u10ffff_are_not_well_formed() {
    for bad in [
        &b"\xED\xA0\x80"[..],
        b"\xED\xBF\xBF",
        b"\xF4\x90\x80\x80",
        b"\xF5\x80\x80\x80",
    ] {
        let s = [
            stream("<message><body>").as_bytes(),
            bad,
            b"</body></message>",
        ]
        .concat();
        assert_eq!(
            error_bytes(&s),
            Some((Condition::NotWellFormed, HEADER.len() as u64 + 15)),
            "{bad:?}"
        );
    }
}

#[test]
fn case_16_truncated_lead_byte_before_markup_smuggles_nothing() {
    let s = [
        stream("").as_bytes(),
        b"\xEB<message><body>smuggled</body></message>",
    ]
    .concat();
    let ev = events(&s);
    assert_eq!(
        error_of(&ev),
        Some((Condition::NotWellFormed, HEADER.len() as u64))
    );
    assert!(elements(&ev).is_empty());
    let s = [
        stream("<message><body>").as_bytes(),
        b"\xEB</body></message><message/>",
    ]
    .concat();
    let ev = events(&s);
    assert_eq!(
        error_of(&ev),
        Some((Condition::NotWellFormed, HEADER.len() as u64 + 15))
    );
    assert!(elements(&ev).is_empty());
}

#[test]
fn case_17_raw_control_characters_are_not_well_formed() {
    for c in [0x00u8, 0x01, 0x1F, 0x0B, 0x0C] {
        let s = [
            stream("<message><body>").as_bytes(),
            &[c],
            b"</body></message>",
        ]
        .concat();
        assert_eq!(
            error_bytes(&s),
            Some((Condition::NotWellFormed, HEADER.len() as u64 + 15)),
            "{c:#x}"
        );
    }
    let s = stream("<message><body>\t\r\n</body></message>");
    assert_eq!(error(&s), None);
}

#[test]
fn case_18_bad_character_references_are_not_well_formed() {
    for r in [
        "&#0;",
        "&#x1;",
        "&#xD800;",
        "&#xFFFE;",
        "&#x110000;",
        "&#44444444401;",
    ] {
        let s = stream(&format!("<message><body>{r}</body></message>"));
        assert_eq!(
            error(&s),
            Some((Condition::NotWellFormed, at(&s, r, 0))),
            "{r}"
        );
        let s = stream(&format!("<message id='{r}'/>"));
        assert_eq!(
            error(&s),
            Some((Condition::NotWellFormed, at(&s, r, 0))),
            "{r}"
        );
    }
}

#[test]
fn case_19_foreign_stream_prefix_is_bad_namespace_prefix() {
    let s = "<foobar:stream xmlns='jabber:client' xmlns:foobar='http://etherx.jabber.org/streams'>";
    assert_eq!(error(s), Some((Condition::BadNamespacePrefix, 1)));
}

#[test]
fn case_20_unprefixed_stream_header_is_bad_namespace_prefix() {
    let s = "<stream xmlns='http://etherx.jabber.org/streams'>";
    assert_eq!(error(s), Some((Condition::BadNamespacePrefix, 1)));
}

#[test]
fn case_21_wrong_namespaces_are_invalid_namespace() {
    let s = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streamz'>";
    assert_eq!(error(s), Some((Condition::InvalidNamespace, 1)));
    let s = "<stream:stream xmlns='jabber:foo' xmlns:stream='http://etherx.jabber.org/streams'>";
    assert_eq!(error(s), Some((Condition::InvalidNamespace, 1)));
}

#[test]
fn case_22_unbound_prefix_in_stanza_is_bad_namespace_prefix() {
    // Policy: bad-namespace-prefix (RFC 6120 §4.9.3.2), as the issue
    // chose; parser-cases.md lists not-well-formed. See `ns::unbound`.
    let s = stream("<message><foo:x/></message>");
    assert_eq!(
        error(&s),
        Some((Condition::BadNamespacePrefix, at(&s, "foo:x", 0)))
    );
    let s = stream("<message foo:a='1'/>");
    assert_eq!(
        error(&s),
        Some((Condition::BadNamespacePrefix, at(&s, "foo:a", 0)))
    );
}

#[test]
fn case_23_xml_prefix_rebinding_and_empty_prefix_binding_are_not_well_formed() {
    let s = stream("<message xmlns:xml='urn:evil'/>");
    assert_eq!(
        error(&s),
        Some((Condition::NotWellFormed, at(&s, "xmlns:xml", 0)))
    );
    let s = stream("<message xmlns:p=''/>");
    assert_eq!(
        error(&s),
        Some((Condition::NotWellFormed, at(&s, "xmlns:p", 0)))
    );
}

#[test]
fn case_24_duplicate_attributes_are_not_well_formed() {
    let s = stream("<message to='a' to='b'/>");
    assert_eq!(
        error(&s),
        Some((Condition::NotWellFormed, at(&s, "to=", 2)))
    );
    let s = stream("<message xmlns:a='urn:u' xmlns:b='urn:u' a:x='1' b:x='2'/>");
    assert_eq!(
        error(&s),
        Some((Condition::NotWellFormed, at(&s, "b:x", 0)))
    );
}

#[test]
fn case_25_end_tag_with_another_prefix_is_not_well_formed() {
    let s = stream("<message><a:x xmlns:a='urn:u' xmlns:b='urn:u'></b:x></message>");
    assert_eq!(error(&s).map(|e| e.0), Some(Condition::NotWellFormed));
}

#[test]
fn case_26_nested_stream_is_bad_format_without_restart() {
    let s = stream(
        "<message/><stream:stream xmlns='jabber:client' \
                    xmlns:stream='http://etherx.jabber.org/streams'><message/>",
    );
    let ev = events(s.as_bytes());
    assert_eq!(
        error_of(&ev),
        Some((Condition::BadFormat, at(&s, "<stream:stream", 1)))
    );
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, StreamEvent::Open(_)))
            .count(),
        1
    );
    // Under another prefix, and self-closing.
    let s = stream("<s:stream xmlns:s='http://etherx.jabber.org/streams'>");
    assert_eq!(error(&s), Some((Condition::BadFormat, HEADER.len() as u64)));
    let s = stream("<stream:stream/>");
    assert_eq!(error(&s), Some((Condition::BadFormat, HEADER.len() as u64)));
}

#[test]
fn case_27_text_at_stream_level_is_bad_format() {
    // Policy: bad-format (RFC 6120 §4.9.3.1): character data is not a
    // first-level element; whitespace alone is a keepalive (§4.6.1).
    let s = stream("<message/> \n\t hello");
    assert_eq!(error(&s), Some((Condition::BadFormat, at(&s, "hello", 0))));
    let s = stream("&amp;");
    assert_eq!(error(&s), Some((Condition::BadFormat, HEADER.len() as u64)));
}

#[test]
fn case_28_unknown_first_level_element_is_left_to_the_session() {
    // Policy: the parser yields it; unsupported-stanza-type depends on the
    // stream's state (features, SASL, TLS elements are first-level too),
    // so the session decides.
    let s = stream("<foo xmlns='urn:example:unknown'/><stream:features/>");
    let ev = events(s.as_bytes());
    let els = elements(&ev);
    assert!(els[0].is("urn:example:unknown", "foo"));
    assert!(els[1].is(NS_STREAMS, "features"));
    assert_eq!(error_of(&ev), None);
}

#[test]
fn case_29_oversized_stanza_is_refused_before_it_is_complete() {
    // The header is held to the same limit, so keep it above the header's size.
    let limit = 300;
    let config = small(limit);
    let s = stream(&format!("<message to='{}'/>", "a".repeat(2 * limit)));
    let start = HEADER.len();
    // Only up to the first byte over the limit: the stanza never ends.
    let prefix = &s.as_bytes()[..start + limit + 1];
    for sizes in [&[1usize][..], &[start + 20, 7], &[prefix.len()]] {
        let ev = feed_in(&config, prefix, sizes);
        assert_eq!(
            error_of(&ev),
            Some((Condition::PolicyViolation, (start + limit) as u64)),
            "{sizes:?}"
        );
    }
    // Exactly at the limit is fine, one byte more is not.
    let s = stream(&format!("<message to='{}'/>", "a".repeat(limit - 16)));
    let ev = events_with(&config, s.as_bytes());
    assert_eq!(elements(&ev).len(), 1, "{ev:?}");
    let s = stream(&format!("<message to='{}'/>", "a".repeat(limit - 15)));
    assert_eq!(
        error_of(&events_with(&config, s.as_bytes())),
        Some((Condition::PolicyViolation, (start + limit) as u64))
    );
}

#[test]
fn case_30_huge_attribute_one_byte_per_read_is_refused_in_linear_time() {
    let limit = ParserConfig::default().max_stanza_bytes;
    let mut s = stream("<message to='").into_bytes();
    s.resize(s.len() + 1024 * 1024, b'a');
    let ev = feed_in(&ParserConfig::default(), &s, &[1]);
    assert_eq!(
        error_of(&ev),
        Some((Condition::PolicyViolation, (HEADER.len() + limit) as u64))
    );
    // Just under the limit, one byte per read, the stanza comes through.
    let mut s = stream("<message to='").into_bytes();
    s.resize(HEADER.len() + limit - 4, b'a');
    s.extend_from_slice(b"'/>");
    let ev = feed_in(&ParserConfig::default(), &s, &[1]);
    assert_eq!(elements(&ev).len(), 1);
}

#[test]
fn case_31_deep_nesting_is_refused_at_the_depth_limit() {
    let n = 100_000;
    let s = stream(&"<a>".repeat(n));
    let ev = feed_in(&ParserConfig::default(), s.as_bytes(), &[4096]);
    let depth = ParserConfig::default().max_depth as u64;
    assert_eq!(
        error_of(&ev),
        Some((Condition::PolicyViolation, HEADER.len() as u64 + 3 * depth))
    );
    assert_eq!(
        error_of(&feed_in(&ParserConfig::default(), s.as_bytes(), &[1])),
        error_of(&ev)
    );
    // At the limit exactly, the element is built (and dropped) fine.
    let d = depth as usize;
    let s = stream(&("<a>".repeat(d) + &"</a>".repeat(d)));
    assert_eq!(elements(&events(s.as_bytes())).len(), 1);
}

#[test]
fn case_32_too_many_attributes_are_refused_early() {
    let mut s = stream("<message");
    for i in 0..100_000 {
        s.push_str(&format!(" a{i}='x'"));
    }
    let ev = feed_in(&ParserConfig::default(), s.as_bytes(), &[4096]);
    let max = ParserConfig::default().max_attributes;
    let want = at(&s, "=", max + 5); // header has 5 '=' signs before
    assert_eq!(error_of(&ev), Some((Condition::PolicyViolation, want)));
    // Colliding names are no longer a matter: at most `max_attributes`
    // reach the duplicate check, which uses randomly keyed hashing.
}

#[test]
fn case_33_whitespace_flood_is_refused_without_buffering() {
    let config = small(1000); // above the header's size
    let mut s = stream("<message/>").into_bytes();
    let run_start = s.len() as u64;
    s.resize(s.len() + 5000, b' ');
    let mut p = StreamParser::new(config.clone());
    let mut out = Vec::new();
    p.feed(&s[..s.len() - 4500], &mut out);
    assert_eq!(p.finish(), 0, "whitespace is not buffered");
    assert_eq!(
        error_of(&feed_in(&config, &s, &[1])),
        Some((Condition::PolicyViolation, run_start + 1000))
    );
    // Keepalives between stanzas are fine.
    let s = stream(&" <message/>".repeat(50));
    assert_eq!(elements(&events_with(&config, s.as_bytes())).len(), 50);
}

#[test]
fn case_34_eof_mid_stanza_and_data_after_close() {
    let mut p = StreamParser::new(ParserConfig::default());
    let mut out = Vec::new();
    p.feed(stream("<message><body>unfinished").as_bytes(), &mut out);
    assert_eq!(p.finish(), "<message><body>unfinished".len());
    assert_eq!(out.len(), 1, "only the header: no error at EOF");
    let s = [
        stream("<message/></stream:stream>").as_bytes(),
        b"<message/>\xFF\x00 garbage <!-- -->",
    ]
    .concat();
    let ev = events(&s);
    assert_eq!(ev.len(), 3);
    assert_eq!(ev.last(), Some(&StreamEvent::Close));
}

#[test]
fn case_35_every_chunking_gives_the_same_events() {
    let s = stream(
        "<message from='juliet@example.com/balcony' to='romeo@example.net' type='chat' xml:lang='en'>\
         <body>Wherefore art thou, Romeo? 日本語 😀 &amp; &#x263A;</body><thread>e0ffe42b28561960</thread>\
         </message> \n<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' \
         ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence><iq type='get' id='1'><query \
         xmlns='jabber:iq:roster'/></iq></stream:stream>",
    );
    let ev = events(s.as_bytes());
    assert_eq!(ev.len(), 5);
    for sizes in [&[2usize, 3, 5, 7][..], &[13, 1], &[64], &[3, 100, 1, 1, 1]] {
        assert_eq!(
            feed_in(&ParserConfig::default(), s.as_bytes(), sizes),
            ev,
            "{sizes:?}"
        );
    }
}

#[test]
fn case_36_gt_in_attribute_and_cdata_with_end_tag_make_one_stanza() {
    let s = stream(
        "<message a='\">' b=\"'/>\"><body><![CDATA[</message><message> ]] ]]]></body></message>",
    );
    let ev = events(s.as_bytes());
    let els = elements(&ev);
    assert_eq!(els.len(), 1, "{ev:?}");
    assert_eq!(els[0].attr("a"), Some("\">"));
    assert_eq!(els[0].attr("b"), Some("'/>"));
    assert_eq!(
        els[0].child_elements().next().map(Element::text),
        Some("</message><message> ]] ]".into())
    );
    assert_eq!(error_of(&ev), None);
}
