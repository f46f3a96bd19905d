//! The matching rules, one test each, on elements built by
//! `crate::xml::parse_element` and compiled by `compile` (as the scenario
//! loader does) or by hand where the XML form cannot express the case.

use super::*;
use crate::xml::{Attribute, NS_CLIENT, NamespaceScope, Node, SmolStr, XmlDecl, parse_element};

fn scope() -> NamespaceScope {
    vec![
        (None, NS_CLIENT.into()),
        (Some("stream".into()), NS_STREAMS.into()),
    ]
}

fn xml(text: &str) -> Element {
    parse_element(text.as_bytes(), &scope()).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn bindings() -> Bindings {
    let mut b = Bindings::new();
    b.set_var("domain", "example.org");
    b
}

fn pattern(text: &str) -> ElementPattern {
    compile::element(xml(text)).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Match, and commit what was found as the engine does.
fn check(pattern_text: &str, received: &str) -> Result<Bindings, Mismatch> {
    let mut b = bindings();
    let found = match_element(&pattern(pattern_text), &xml(received), &b)?;
    found.commit(&mut b);
    Ok(b)
}

fn fails(pattern: &str, received: &str) -> Mismatch {
    match check(pattern, received) {
        Ok(b) => panic!("{pattern} matched {received}: {b:?}"),
        Err(m) => m,
    }
}

fn passes(pattern: &str, received: &str) -> Bindings {
    check(pattern, received).unwrap_or_else(|m| panic!("{pattern} vs {received}: {m}"))
}

#[test]
fn names_compare_by_namespace_not_prefix() {
    passes(
        "<stream:features/>",
        "<s:features xmlns:s='http://etherx.jabber.org/streams'/>",
    );
    passes(
        "<x:bind xmlns:x='urn:ietf:params:xml:ns:xmpp-bind'/>",
        "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>",
    );
    let m = fails("<bind xmlns='urn:a'/>", "<bind xmlns='urn:b'/>");
    assert_eq!(
        m.reason,
        "expected <bind xmlns='urn:a'>, received <bind xmlns='urn:b'>"
    );
    let m = fails(
        "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
        "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
    );
    assert_eq!(
        (m.path.as_str(), m.reason.as_str()),
        ("/success", "expected <success>, received <failure>")
    );
}

#[test]
fn attribute_order_and_extras_are_ignored() {
    passes(
        "<iq type='result' id='1'/>",
        "<iq id='1' from='x' type='result'/>",
    );
    let m = fails("<iq type='result'/>", "<iq type='error'/>");
    assert_eq!(
        m.reason,
        "attribute `type`: expected `result`, received `error`"
    );
    assert_eq!(m.path, "/iq");
    let m = fails("<iq type='result'/>", "<iq/>");
    assert_eq!(m.reason, "missing attribute `type` (expected `result`)");
    let m = fails("<iq id='{*}'/>", "<iq/>");
    assert_eq!(m.reason, "missing attribute `id`");
}

#[test]
fn namespaced_attributes() {
    passes("<message xml:lang='en'/>", "<message xml:lang='en'/>");
    let m = fails("<message xml:lang='en'/>", "<message lang='en'/>");
    assert_eq!(m.reason, "missing attribute `xml:lang` (expected `en`)");
}

#[test]
fn absent_attribute() {
    passes("<iq type='{absent}'/>", "<iq/>");
    let m = fails("<iq type='{absent}'/>", "<iq type='get'/>");
    assert_eq!(m.reason, "attribute `type` must be absent, received `get`");
}

#[test]
fn variables_show_their_value() {
    passes("<iq from='{domain}'/>", "<iq from='example.org'/>");
    let m = fails("<iq from='{domain}'/>", "<iq from='example.net'/>");
    assert_eq!(
        m.reason,
        "attribute `from`: expected `{domain}` (`example.org`), received `example.net`"
    );
    let m = fails("<iq to='{user}'/>", "<iq to='romeo'/>");
    assert_eq!(m.reason, "attribute `to`: `{user}` has no value");
}

#[test]
fn captures_are_committed_only_on_success() {
    let b = passes(
        "<iq id='{$id}' to='{$local}@{domain}/{*}'/>",
        "<iq id='a1' to='juliet@example.org/r'/>",
    );
    assert_eq!(
        (b.capture("id"), b.capture("local")),
        (Some("a1"), Some("juliet"))
    );

    // A failed match returns no captures: there is nothing to undo.
    let b = bindings();
    let p = pattern("<iq id='{$id}' type='result'/>");
    assert!(match_element(&p, &xml("<iq id='a1' type='error'/>"), &b).is_err());

    // Once bound, the capture is compared.
    let mut b = bindings();
    b.set_capture("id", "a1");
    assert!(match_element(&p, &xml("<iq id='a2' type='result'/>"), &b).is_err());
    assert_eq!(
        match_element(&p, &xml("<iq id='a1' type='result'/>"), &b),
        Ok(Matched::default())
    );
}

#[test]
fn capture_twice_in_one_pattern_must_agree() {
    let b = passes("<a x='{$v}'><b y='{$v}'/></a>", "<a x='1'><b y='1'/></a>");
    assert_eq!(b.capture("v"), Some("1"));
    let m = fails("<a x='{$v}'><b y='{$v}'/></a>", "<a x='1'><b y='2'/></a>");
    assert_eq!(m.path, "/a/b");
    assert_eq!(
        m.reason,
        "attribute `y`: expected `{$v}` (`1`), received `2`"
    );
}

#[test]
fn text_templates() {
    passes(
        "<mechanism>PLAIN</mechanism>",
        "<mechanism> PLAIN\n</mechanism>",
    );
    let m = fails(
        "<mechanism>PLAIN</mechanism>",
        "<mechanism>DIGEST-MD5</mechanism>",
    );
    assert_eq!(m.reason, "text: expected `PLAIN`, received `DIGEST-MD5`");
    let b = passes(
        "<challenge xmlns='urn:x'>{$c}</challenge>",
        "<challenge xmlns='urn:x'>abc=</challenge>",
    );
    assert_eq!(b.capture("c"), Some("abc="));
    // No text in the pattern: text is not checked.
    passes("<body/>", "<body>anything</body>");
}

#[test]
fn star_allows_any_content() {
    passes(
        "<query xmlns='urn:q'>{*}</query>",
        "<query xmlns='urn:q'><item/><item/>text</query>",
    );
    passes("<query xmlns='urn:q'>{*}</query>", "<query xmlns='urn:q'/>");
}

#[test]
fn ordered_children_one_to_one() {
    let p = "<a><b/><c/></a>";
    passes(p, "<a><b/>\n  <c/></a>");
    let m = fails(p, "<a><c/><b/></a>");
    assert_eq!(m.path, "/a");
    assert!(m.reason.contains("<c>") || m.reason.contains("<b>"), "{m}");
    let m = fails(p, "<a><b/></a>");
    assert_eq!(
        (m.path.as_str(), m.reason.as_str()),
        ("/a", "missing child <c>")
    );
    let m = fails(p, "<a><b/><c/><d/></a>");
    assert_eq!(m.reason, "unexpected child <d>");
    let m = fails(p, "<a><b/><x/></a>");
    assert_eq!(
        (m.path.as_str(), m.reason.as_str()),
        ("/a/c", "expected <c>, received <x>")
    );
    let m = fails("<a><c/></a>", "<a><b/><c/></a>");
    assert_eq!(m.reason, "unexpected child <b>");
    let m = fails("<a><b/><c/></a>", "<a><c/></a>");
    assert_eq!(m.reason, "missing child <b>");
}

#[test]
fn missing_child_in_another_namespace_shows_it() {
    let m = fails(
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
        "<stream:features/>",
    );
    assert_eq!(m.path, "/stream:features");
    assert_eq!(
        m.reason,
        "missing child <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
    );
}

#[test]
fn ellipsis_makes_an_unordered_subset() {
    let received = "<stream:features>\
        <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
          <mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism>\
        </mechanisms>\
        <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>\
      </stream:features>";
    passes("<stream:features>…</stream:features>", received);
    passes(
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>...</stream:features>",
        received,
    );
    passes(
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>PLAIN</mechanism>…</mechanisms>…</stream:features>",
        received,
    );
    let m = fails(
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>DIGEST-MD5</mechanism>…</mechanisms>…</stream:features>",
        received,
    );
    assert_eq!(m.path, "/stream:features/mechanisms");
    assert!(
        m.reason
            .starts_with("none of the 2 <mechanism> children matches"),
        "{m}"
    );
    assert!(
        m.reason
            .contains("/stream:features/mechanisms/mechanism[1]"),
        "{m}"
    );
    // Without `…`, two received mechanisms against one pattern child fail.
    let m = fails(
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>SCRAM-SHA-1</mechanism></mechanisms>…</stream:features>",
        received,
    );
    assert_eq!(m.reason, "unexpected child <mechanism>");
    // Each pattern child needs a child of its own.
    let m = fails("<a><b/><b/>…</a>", "<a><b/><c/></a>");
    assert_eq!(m.reason, "missing child <b>");
}

#[test]
fn ellipsis_subset_single_candidate_reports_inner_failure() {
    let m = fails("<a><b x='1'/>…</a>", "<a><c/><b x='2'/></a>");
    assert_eq!(
        (m.path.as_str(), m.reason.as_str()),
        ("/a/b", "attribute `x`: expected `1`, received `2`")
    );
}

#[test]
fn ellipsis_attempts_do_not_leak_captures() {
    let b = passes(
        "<a><b x='{$v}' y='2'/>…</a>",
        "<a><b x='first' y='1'/><b x='second' y='2'/></a>",
    );
    assert_eq!(b.capture("v"), Some("second"));
}

#[test]
fn mismatch_carries_pretty_sides_and_a_diff() {
    let m = fails(
        "<iq type='result' id='1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
        "<iq id='1' type='error'><error type='cancel'/></iq>",
    );
    assert!(
        m.expected
            .contains("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"),
        "{}",
        m.expected
    );
    assert!(m.received.contains("type='error'"), "{}", m.received);
    let diff = m.diff();
    assert!(diff.starts_with("--- expected\n+++ received\n@@"), "{diff}");
    assert!(
        diff.contains("\n-<iq xmlns='jabber:client' id='1' type='result'>"),
        "{diff}"
    );
    assert!(
        diff.contains("\n+<iq xmlns='jabber:client' id='1' type='error'>"),
        "{diff}"
    );
    assert!(!diff.contains("No newline"), "{diff}");
    assert_eq!(
        m.to_string(),
        "/iq: attribute `type`: expected `result`, received `error`"
    );
}

#[test]
fn diff_of_hand_made_mismatch() {
    let m = Mismatch {
        path: "/a".into(),
        reason: "r".into(),
        expected: "<a>\n  <b/>\n</a>".into(),
        received: "<a>\n  <c/>\n</a>".into(),
    };
    assert_eq!(
        m.diff(),
        "--- expected\n+++ received\n@@ -1,3 +1,3 @@\n <a>\n-  <b/>\n+  <c/>\n </a>\n"
    );
}

fn header(decls: &[(Option<&str>, &str)], attrs: &[(&str, &str)]) -> StreamHeader {
    let mut e = Element::new(NS_STREAMS, "stream");
    e.prefix = Some("stream".into());
    e.declarations = decls
        .iter()
        .map(|(p, u)| (p.map(SmolStr::new), (*u).into()))
        .collect();
    e.attrs = attrs
        .iter()
        .map(|(n, v)| Attribute {
            ns: None,
            name: (*n).into(),
            value: (*v).into(),
        })
        .collect();
    StreamHeader {
        element: e,
        xml_decl: Some(Box::new(XmlDecl {
            version: "1.0".into(),
            encoding: None,
            standalone: None,
        })),
        framing: None,
    }
}

fn header_pattern() -> HeaderPattern {
    let text = "<stream:stream from='{domain}' id='{$sid}' version='1.0' xmlns='jabber:client' \
                xmlns:stream='http://etherx.jabber.org/streams'></stream:stream>";
    let e =
        parse_element(text.as_bytes(), &NamespaceScope::new()).unwrap_or_else(|e| panic!("{e}"));
    compile::header(e).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn header_matches_attributes_and_declarations() {
    let good = header(
        &[(None, NS_CLIENT), (Some("stream"), NS_STREAMS)],
        &[("from", "example.org"), ("id", "s1"), ("version", "1.0")],
    );
    let b = bindings();
    let found = match_header(&header_pattern(), &good, &b);
    assert_eq!(
        found.map(|m| m.captures),
        Ok(vec![("sid".to_owned(), "s1".to_owned())])
    );
}

#[test]
fn header_content_namespace_is_checked() {
    let wrong = header(
        &[(None, "jabber:server"), (Some("stream"), NS_STREAMS)],
        &[("from", "example.org"), ("id", "s1"), ("version", "1.0")],
    );
    let b = bindings();
    let m = match_header(&header_pattern(), &wrong, &b).err();
    let m = m.unwrap_or_else(|| panic!("matched"));
    assert_eq!(
        m.reason,
        "content namespace is jabber:server, expected jabber:client"
    );
    assert_eq!(m.path, "/stream:stream");
    assert!(
        m.received
            .starts_with("<stream:stream xmlns='jabber:server'"),
        "{}",
        m.received
    );

    let none = header(&[(Some("stream"), NS_STREAMS)], &[]);
    let m = match_header(&header_pattern(), &none, &b)
        .err()
        .map(|m| m.reason);
    assert_eq!(
        m.as_deref(),
        Some("no content namespace declared, expected jabber:client")
    );
}

#[test]
fn header_attribute_mismatch_keeps_bindings() {
    let bad = header(
        &[(None, NS_CLIENT), (Some("stream"), NS_STREAMS)],
        &[("from", "example.org"), ("id", "s1"), ("version", "0.9")],
    );
    let b = bindings();
    let m = match_header(&header_pattern(), &bad, &b)
        .err()
        .map(|m| m.reason);
    assert_eq!(
        m.as_deref(),
        Some("attribute `version`: expected `1.0`, received `0.9`")
    );
}

#[test]
fn header_wrong_element() {
    let mut h = header(&[], &[]);
    h.element.ns = "urn:nope".into();
    let b = bindings();
    let m = match_header(&header_pattern(), &h, &b)
        .err()
        .map(|m| m.reason);
    assert!(m.is_some_and(|r| r.starts_with("expected <stream:stream")));
}

#[test]
fn hand_built_whitespace_text_is_ignored() {
    let mut p = Element::new("urn:a", "a");
    p.children.push(Node::Element(Element::new("urn:a", "b")));
    let mut r = p.clone();
    r.children.insert(0, Node::Text("\n   ".into()));
    r.children.push(Node::Text("  ".into()));
    let p = compile::element(p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        match_element(&p, &r, &Bindings::new()),
        Ok(Matched::default())
    );
}

#[test]
fn absent_child_must_not_be_there() {
    let pattern = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>{absent}</starttls>…</stream:features>";
    passes(
        pattern,
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></stream:features>",
    );
    let m = fails(
        pattern,
        "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></stream:features>",
    );
    assert_eq!(m.path, "/stream:features");
    assert!(m.reason.contains("must not be there"), "{}", m.reason);
    // Without `…` the other children still have to be listed.
    let closed = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>{absent}</starttls></stream:features>";
    passes(closed, "<stream:features/>");
    fails(
        closed,
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
    );
}

#[test]
fn a_call_covers_text_captures_and_leaves_a_check() {
    let b = bindings();
    let p = pattern(
        "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{digest-md5-challenge($c1)}</challenge>",
    );
    let found = match_element(
        &p,
        &xml("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>bm9uY2U9</challenge>"),
        &b,
    )
    .unwrap_or_else(|m| panic!("{m}"));
    assert_eq!(found.captures, [("c1".to_owned(), "bm9uY2U9".to_owned())]);
    assert_eq!(found.checks.len(), 1);
    assert_eq!(
        found.checks[0].call.to_string(),
        "digest-md5-challenge($c1)"
    );
    assert_eq!(found.checks[0].text, "bm9uY2U9");
    let mut committed = b.clone();
    let checks = found.commit(&mut committed);
    assert_eq!(
        (checks.len(), committed.capture("c1")),
        (1, Some("bm9uY2U9"))
    );
}

#[test]
fn a_failed_subset_attempt_leaves_no_check() {
    let p = pattern("<a><b x='1'>{digest-md5-challenge($c)}</b>…</a>");
    let found = match_element(
        &p,
        &xml("<a><b x='2'>first</b><b x='1'>second</b></a>"),
        &bindings(),
    )
    .unwrap_or_else(|m| panic!("{m}"));
    let texts: Vec<&str> = found.checks.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["second"]);
}

#[test]
fn a_secret_variable_is_not_spelt_out_in_a_reason() {
    let mut b = bindings();
    b.set_var("password", crate::sasl::Secret::new("s3cret"));
    let p = pattern("<x a='{password}'/>");
    let m = match_element(&p, &xml("<x a='guess'/>"), &b).err();
    let reason = m.map(|m| m.reason).unwrap_or_default();
    assert_eq!(
        reason,
        "attribute `a`: expected `{password}`, received `guess`"
    );
}
