//! Unit tests of the stream parser, and the helpers the case and property
//! tests share.

use super::*;
use crate::xml::Element;

/// A usual client stream header, with its XML declaration.
pub(super) const HEADER: &str = "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
                                 xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

/// Events from feeding `input` in pieces of the given sizes (cycled), then
/// the rest in one piece.
pub(super) fn feed_in(config: &ParserConfig, input: &[u8], sizes: &[usize]) -> Vec<StreamEvent> {
    let mut p = StreamParser::new(config.clone());
    let mut out = Vec::new();
    let mut rest = input;
    let mut k = 0;
    while !rest.is_empty() {
        let n = sizes
            .get(k % sizes.len().max(1))
            .copied()
            .unwrap_or(rest.len())
            .clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(n);
        p.feed(chunk, &mut out);
        rest = tail;
        k += 1;
    }
    out
}

/// Events from feeding `input` whole, after checking that every split in
/// two, and one byte per feed, give exactly the same events (parser case
/// 35: the verdict must not depend on the chunking).
pub(super) fn events_with(config: &ParserConfig, input: &[u8]) -> Vec<StreamEvent> {
    let whole = feed_in(config, input, &[input.len()]);
    assert_eq!(
        feed_in(config, input, &[1]),
        whole,
        "one byte per feed differs"
    );
    if input.len() <= 4096 {
        for cut in 1..input.len() {
            let split = feed_in(config, input, &[cut, input.len()]);
            assert_eq!(split, whole, "split at {cut} differs");
        }
    }
    whole
}

pub(super) fn events(input: &[u8]) -> Vec<StreamEvent> {
    events_with(&ParserConfig::default(), input)
}

/// The error that ends `events`, as (condition, offset).
pub(super) fn error_of(events: &[StreamEvent]) -> Option<(Condition, u64)> {
    match events.last() {
        Some(StreamEvent::Error(e)) => Some((e.condition, e.offset)),
        _ => None,
    }
}

/// The elements among `events`.
pub(super) fn elements(events: &[StreamEvent]) -> Vec<&Element> {
    events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::Element(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// Offset of `needle` in `hay` (the `n`th occurrence, from 0).
pub(super) fn at(hay: &str, needle: &str, n: usize) -> u64 {
    hay.match_indices(needle)
        .nth(n)
        .map(|(i, _)| i as u64)
        .expect("needle present")
}

#[test]
fn simple_stream() {
    let s = format!("{HEADER} <message><body>hi</body></message>\n<presence/></stream:stream>");
    let ev = events(s.as_bytes());
    assert_eq!(ev.len(), 4, "{ev:?}");
    match &ev[0] {
        StreamEvent::Open(h) => {
            assert_eq!(h.content_namespace(), Some("jabber:client"));
            assert_eq!(h.element.attr("to"), Some("example.com"));
            assert_eq!(
                h.xml_decl.as_deref(),
                Some(&XmlDecl {
                    version: "1.0".into(),
                    encoding: None,
                    standalone: None,
                })
            );
        }
        other => panic!("{other:?}"),
    }
    let els = elements(&ev);
    assert!(els[0].is("jabber:client", "message"));
    assert_eq!(
        els[0].child("jabber:client", "body").map(Element::text),
        Some("hi".into())
    );
    assert!(els[1].is("jabber:client", "presence"));
    assert_eq!(ev[3], StreamEvent::Close);
}

#[test]
fn header_without_declaration_and_leading_whitespace() {
    let s =
        "\n <stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>";
    let ev = events(s.as_bytes());
    assert!(matches!(&ev[..], [StreamEvent::Open(h)] if h.xml_decl.is_none()));
}

/// The declaration's `standalone` reaches the header, and a prefix on a
/// stanza stays on its element: both are for the lint, which holds the
/// peer to RFC 6120 §11.5 and §4.8.5.
#[test]
fn standalone_and_stanza_prefix_are_kept() {
    let s = "<?xml version='1.0' standalone='yes'?><stream:stream xmlns='jabber:client' \
             xmlns:stream='http://etherx.jabber.org/streams' xmlns:c='jabber:client'>\
             <c:message><c:body>hi</c:body></c:message><message/>";
    let ev = events(s.as_bytes());
    assert!(
        matches!(&ev[0], StreamEvent::Open(h) if h.xml_decl.as_ref().and_then(|d| d.standalone) == Some(true)),
        "{ev:?}"
    );
    let els = elements(&ev);
    assert_eq!(els[0].prefix.as_deref(), Some("c"));
    assert!(els[0].is("jabber:client", "message"));
    assert_eq!(els[1].prefix, None);
}

#[test]
fn stream_prefixed_first_level_elements() {
    let s = format!(
        "{HEADER}<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>\
         </stream:features><stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
         </stream:error>"
    );
    let ev = events(s.as_bytes());
    let els = elements(&ev);
    assert!(els[0].is(NS_STREAMS, "features"));
    assert!(
        els[0]
            .child("urn:ietf:params:xml:ns:xmpp-tls", "starttls")
            .is_some()
    );
    assert!(els[1].is(NS_STREAMS, "error"));
    assert_eq!(error_of(&ev), None);
}

#[test]
fn self_closing_header_opens_and_closes() {
    let s = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'/><x/>";
    let ev = events(s.as_bytes());
    assert!(matches!(
        &ev[..],
        [StreamEvent::Open(_), StreamEvent::Close]
    ));
}

#[test]
fn version_is_left_to_the_session() {
    // UnsupportedVersion is the session's decision, not the parser's.
    let s = "<stream:stream version='2.0' xmlns='jabber:client' \
             xmlns:stream='http://etherx.jabber.org/streams'>";
    let ev = events(s.as_bytes());
    assert!(matches!(&ev[..], [StreamEvent::Open(h)] if h.element.attr("version") == Some("2.0")));
}

#[test]
fn content_namespaces_are_configurable() {
    let s = "<stream:stream xmlns='jabber:component:accept' \
             xmlns:stream='http://etherx.jabber.org/streams'>";
    let ev = events(s.as_bytes());
    assert_eq!(
        error_of(&ev).map(|e| e.0),
        Some(Condition::InvalidNamespace)
    );
    let config = ParserConfig {
        content_namespaces: vec![],
        ..ParserConfig::default()
    };
    assert!(matches!(
        &events_with(&config, s.as_bytes())[..],
        [StreamEvent::Open(_)]
    ));
}

#[test]
fn close_must_match_the_header() {
    let s = format!("{HEADER}</stream:streams>");
    assert_eq!(
        error_of(&events(s.as_bytes())),
        Some((Condition::NotWellFormed, HEADER.len() as u64))
    );
    let s = format!("{HEADER}</stream:stream >");
    assert_eq!(events(s.as_bytes()).last(), Some(&StreamEvent::Close));
}

#[test]
fn errors_carry_absolute_offsets_from_the_tree() {
    let s = format!("{HEADER}<message/><message><foo:bar/></message>");
    let ev = events(s.as_bytes());
    assert_eq!(
        error_of(&ev),
        Some((Condition::BadNamespacePrefix, at(&s, "foo:bar", 0)))
    );
    assert_eq!(elements(&ev).len(), 1);
}

#[test]
fn nothing_after_an_error() {
    let s = format!("{HEADER}<a>\u{1}</a>");
    let mut p = StreamParser::new(ParserConfig::default());
    let mut out = Vec::new();
    p.feed(s.as_bytes(), &mut out);
    assert_eq!(error_of(&out).map(|e| e.0), Some(Condition::NotWellFormed));
    let n = out.len();
    p.feed(b"<message/>", &mut out);
    assert_eq!(out.len(), n);
    assert!(p.is_finished());
}

#[test]
fn reset_starts_a_new_stream() {
    let mut p = StreamParser::new(ParserConfig::default());
    let mut out = Vec::new();
    p.feed(
        format!("{HEADER}<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>").as_bytes(),
        &mut out,
    );
    assert_eq!(out.len(), 2);
    p.reset();
    assert_eq!(p.position(), 0);
    p.feed(HEADER.as_bytes(), &mut out);
    p.feed(b"<iq type='result' id='1'/>", &mut out);
    assert!(
        matches!(&out[2..], [StreamEvent::Open(_), StreamEvent::Element(_)]),
        "{out:?}"
    );
}

#[test]
fn wrong_first_element_in_prolog() {
    let cases: &[(&str, Condition, u64)] = &[
        ("hello", Condition::NotWellFormed, 0),
        ("</stream:stream>", Condition::NotWellFormed, 0),
        ("<![CDATA[x]]>", Condition::NotWellFormed, 0),
        ("<!-- x -->", Condition::RestrictedXml, 0),
        ("<?pi?>", Condition::RestrictedXml, 0),
        ("<?XML version='1.0'?>", Condition::NotWellFormed, 0),
        ("<!x>", Condition::NotWellFormed, 2),
        ("<>", Condition::NotWellFormed, 1),
    ];
    for &(s, cond, offset) in cases {
        assert_eq!(error_of(&events(s.as_bytes())), Some((cond, offset)), "{s}");
    }
    assert_eq!(
        error_of(&events(b"<? x?>")),
        Some((Condition::NotWellFormed, 2))
    );
}

#[test]
fn cdata_at_stream_level_is_bad_format() {
    let s = format!("{HEADER}<![CDATA[x]]>");
    assert_eq!(
        error_of(&events(s.as_bytes())),
        Some((Condition::BadFormat, HEADER.len() as u64))
    );
}

#[test]
fn markup_faults_are_found_as_the_byte_arrives() {
    for (frag, cond, rel) in [
        ("<message a='<'/>", Condition::NotWellFormed, 12),
        ("<message <", Condition::NotWellFormed, 9),
        ("<message></ message>", Condition::NotWellFormed, 11),
        ("<message><!x", Condition::NotWellFormed, 11),
        ("<message><![CDAT]", Condition::NotWellFormed, 16),
        ("<message><!-x", Condition::NotWellFormed, 12),
        ("<message></message <", Condition::NotWellFormed, 19),
        ("<message><1", Condition::NotWellFormed, 10),
    ] {
        let s = format!("{HEADER}{frag}");
        let want = HEADER.len() as u64 + rel;
        assert_eq!(
            error_of(&events(s.as_bytes())),
            Some((cond, want)),
            "{frag}"
        );
    }
}

#[test]
fn finish_reports_dropped_bytes() {
    let mut p = StreamParser::new(ParserConfig::default());
    let mut out = Vec::new();
    p.feed(format!("{HEADER}<message><bo").as_bytes(), &mut out);
    assert_eq!(p.finish(), "<message><bo".len());
    assert_eq!(out.len(), 1);
    p.feed(b"dy/></message>", &mut out);
    assert_eq!(out.len(), 1);
}

#[test]
fn each_condition_the_parser_emits() {
    let streams = "xmlns:stream='http://etherx.jabber.org/streams'";
    let cases: Vec<(String, Condition)> = vec![
        (format!("{HEADER}hello"), Condition::BadFormat),
        (
            format!("<stream xmlns='jabber:client' {streams}>"),
            Condition::BadNamespacePrefix,
        ),
        (
            format!("<stream:stream xmlns='jabber:x' {streams}>"),
            Condition::InvalidNamespace,
        ),
        (format!("{HEADER}<a></b>"), Condition::NotWellFormed),
        (
            format!("{HEADER}{}", "<a>".repeat(100)),
            Condition::PolicyViolation,
        ),
        (format!("{HEADER}<!-- -->"), Condition::RestrictedXml),
        (
            "<?xml version='1.0' encoding='latin1'?>".to_owned(),
            Condition::UnsupportedEncoding,
        ),
    ];
    for (input, condition) in cases {
        let ev = events(input.as_bytes());
        assert_eq!(error_of(&ev).map(|e| e.0), Some(condition), "{input}");
        let StreamEvent::Error(e) = ev.last().cloned().unwrap_or(StreamEvent::Close) else {
            panic!("no error for {input}");
        };
        assert!(!e.detail.is_empty());
        assert!(e.to_string().starts_with(condition.element_name()));
    }
    // unsupported-stanza-type and unsupported-version depend on the
    // session's state and are never decided by the parser (cases 28 and
    // `version_is_left_to_the_session`).
}

#[test]
fn a_mismatched_end_tag_is_refused_as_it_arrives() {
    // RFC 3920's "session gone bad": the body never closes, so the element
    // never would either. The error must come at `</message>`, without
    // waiting for more bytes (the peer is waiting for the answer).
    let stanza = "<message xml:lang='en'><body>Bad XML, no closing body tag!</message>";
    let input = format!("{HEADER}{stanza}");
    let ev = events(input.as_bytes());
    let at = (HEADER.len() + stanza.find("</message>").unwrap_or_default()) as u64;
    assert_eq!(error_of(&ev), Some((Condition::NotWellFormed, at)));
    let Some(StreamEvent::Error(e)) = ev.last() else {
        panic!("{ev:?}");
    };
    assert_eq!(
        e.detail,
        "end tag </message> does not match the start tag <body>"
    );
    // Matching names, nested and prefixed, pass; a prefix is part of the
    // name (parser case 25).
    let good = format!("{HEADER}<a><b:c xmlns:b='u'><d/></b:c ></a>");
    assert!(matches!(
        events(good.as_bytes()).last(),
        Some(StreamEvent::Element(_))
    ));
    let bad = format!("{HEADER}<a><b:c xmlns:b='u'></c></a>");
    assert_eq!(
        error_of(&events(bad.as_bytes())).map(|e| e.0),
        Some(Condition::NotWellFormed)
    );
}

#[test]
fn an_unterminated_xml_declaration_is_refused_at_its_first_gt() {
    // `<?xml version="1.0">` has no `?>`: nothing after it can complete
    // the declaration, so the framer must not wait for the stanza limit
    // (issue 12, item 9). The error comes at the `>`, with the header
    // that follows already sent, as a peer would send it.
    let decl = "<?xml version=\"1.0\">";
    let input = format!("{decl}{}", &HEADER[21..]);
    let ev = events(input.as_bytes());
    let gt = decl.len() as u64 - 1;
    assert_eq!(error_of(&ev), Some((Condition::NotWellFormed, gt)));
    assert_eq!(ev.len(), 1, "nothing before the error: {ev:?}");
    // With the stanza limit far away, the error still comes at once.
    let roomy = ParserConfig {
        max_stanza_bytes: 1 << 20,
        ..ParserConfig::default()
    };
    assert_eq!(
        error_of(&events_with(&roomy, decl.as_bytes())),
        Some((Condition::NotWellFormed, gt))
    );
    // A `<` inside the declaration cannot belong to it either.
    let s = format!("<?xml version='1.0'{}", &HEADER[21..]);
    assert_eq!(
        error_of(&events(s.as_bytes())),
        Some((Condition::NotWellFormed, 19))
    );
    // A well-formed declaration is unaffected.
    assert_eq!(error_of(&events(HEADER.as_bytes())), None);
}
