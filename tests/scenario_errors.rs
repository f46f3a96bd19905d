//! Snapshots of the errors a scenario author reads: the rustc-style
//! display (`path:line:col`, the line, a caret, a did-you-mean) for typical
//! mistakes, so that a change to any of them is a reviewable diff
//! (`cargo insta review` accepts it).

use std::path::Path;

use xmpp_conform::scenario::parse_str;

const HEAD: &str = "+++\ntitle = \"t\"\nspec = [\"RFC 6120 §4\"]\n+++\n";

const OPEN: &str = "C: <?xml version='1.0'?>
   <stream:stream to='{domain}' version='1.0'
       xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>
S: <stream:stream from='{domain}' id='{$stream_id}' version='1.0'
       xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>
";

/// The error for a whole file, shown as the binary shows it.
fn error(text: &str) -> String {
    match parse_str(text, Path::new("scenarios/server/t.xmpp"), "t") {
        Ok(s) => panic!("parsed: {:?}", s.steps),
        Err(e) => e.to_string(),
    }
}

/// The error for a body below a valid front matter.
fn body_error(body: &str) -> String {
    error(&format!("{HEAD}{body}"))
}

#[test]
fn unknown_directive_with_a_suggestion() {
    insta::assert_snapshot!(
        "unknown_directive",
        body_error(&format!(
            "{OPEN}S: <stream:features>…</stream:features>\nexpect-clsoe\n"
        ))
    );
}

#[test]
fn misspelt_variable() {
    insta::assert_snapshot!(
        "misspelt_variable",
        body_error("C: <stream:stream to='{domian}' version='1.0'>\n")
    );
}

#[test]
fn unknown_function() {
    insta::assert_snapshot!(
        "unknown_function",
        body_error(&format!(
            "{OPEN}S: <challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{{digest-md5-challenge($c)}}</challenge>\n\
             C: <response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{{digest-md5-respons($c)}}</response>\n"
        ))
    );
}

#[test]
fn pattern_only_function_in_a_sent_line() {
    insta::assert_snapshot!(
        "pattern_function_in_a_sent_line",
        body_error(
            "C: <response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{digest-md5-rspauth($c)}</response>\n"
        )
    );
}

#[test]
fn wildcard_in_a_sent_line() {
    insta::assert_snapshot!(
        "wildcard_in_a_sent_line",
        body_error("C: <iq type='get' id='{*}'><ping xmlns='urn:xmpp:ping'/></iq>\n")
    );
}

#[test]
fn or_without_an_expected_line() {
    insta::assert_snapshot!(
        "or_without_an_expected_line",
        body_error("C: <presence/>\nor: </stream:stream>\n")
    );
}

#[test]
fn lowercase_prefix() {
    insta::assert_snapshot!("lowercase_prefix", body_error("c: <presence/>\n"));
}

#[test]
fn indented_directive() {
    insta::assert_snapshot!(
        "indented_directive",
        body_error("C: <presence/>\n   expect-close\n")
    );
}

#[test]
fn unclosed_tag_in_a_pattern() {
    insta::assert_snapshot!(
        "unclosed_tag_in_a_pattern",
        body_error(
            "S: <iq type='result'>\n     <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\n   </iq>\n"
        )
    );
}

#[test]
fn unknown_front_matter_key() {
    insta::assert_snapshot!(
        "unknown_front_matter_key",
        error("+++\ntitel = \"t\"\nspec = [\"RFC 6120 §4\"]\n+++\nC: <presence/>\n")
    );
}

#[test]
fn front_matter_that_is_not_toml() {
    insta::assert_snapshot!(
        "front_matter_not_toml",
        error("+++\ntitle = \"t\nspec = [\"RFC 6120 §4\"]\n+++\nC: <presence/>\n")
    );
}

#[test]
fn bad_level() {
    insta::assert_snapshot!(
        "bad_level",
        error(
            "+++\ntitle = \"t\"\nspec = [\"RFC 6120 §4\"]\nlevel = \"must\"\n+++\nC: <presence/>\n"
        )
    );
}

#[test]
fn missing_front_matter() {
    insta::assert_snapshot!("missing_front_matter", error("C: <presence/>\n"));
}
