//! Each rule against elements Prosody 0.12.3 sent in this project's runs
//! (captured from `scripts/try-prosody -v`), which pass, and the same
//! elements broken, which do not.

use crate::xml::{Element, ParserConfig, StreamEvent, StreamParser};

use super::{RULES, check};

/// Prosody's answer to the bind request.
const BIND_RESULT: &str = "<iq xmlns='jabber:client' id='bind-1' type='result'><bind \
    xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>romeo@localhost/jnctIEGAq9t2</jid></bind></iq>";
/// Prosody's answer to an iq in a namespace it does not know.
const SERVICE_UNAVAILABLE: &str = "<iq xmlns='jabber:client' \
    to='romeo@localhost/xnDYlI-3Ckfq' from='localhost' type='error' id='unknown-1'><error \
    type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>";
/// Prosody's stream error for bytes that are not XML.
const NOT_WELL_FORMED: &str = "<stream:error><not-well-formed \
    xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>";

/// `stanza` parsed as a first-level element of a `jabber:client` stream.
fn element(stanza: &str) -> Element {
    let header = "<stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
    let mut parser = StreamParser::new(ParserConfig::default());
    let mut events = Vec::new();
    parser.feed(format!("{header}{stanza}").as_bytes(), &mut events);
    events
        .into_iter()
        .find_map(|e| match e {
            StreamEvent::Element(e) => Some(e),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no element in {stanza}"))
}

fn broken(stanza: &str) -> Vec<&'static str> {
    check(&element(stanza)).iter().map(|f| f.rule).collect()
}

#[test]
fn what_prosody_sent_breaks_no_rule() {
    for stanza in [BIND_RESULT, SERVICE_UNAVAILABLE, NOT_WELL_FORMED] {
        assert_eq!(broken(stanza), Vec::<&str>::new(), "{stanza}");
    }
}

#[test]
fn iq_rules() {
    assert_eq!(broken(&BIND_RESULT.replace(" id='bind-1'", "")), ["iq-id"]);
    assert_eq!(
        broken(&BIND_RESULT.replace("'result'", "'answer'")),
        ["iq-type"]
    );
    assert_eq!(
        broken(&BIND_RESULT.replace("</bind>", "</bind><extra xmlns='urn:x'/>")),
        ["iq-result-payload"]
    );
    let empty_get = "<iq xmlns='jabber:client' id='g' type='get'/>";
    assert_eq!(broken(empty_get), ["iq-request-payload"]);
}

#[test]
fn error_rules() {
    let no_error = SERVICE_UNAVAILABLE.replace(
        "<error type='cancel'><service-unavailable \
         xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>",
        "",
    );
    assert_eq!(broken(&no_error), ["error-child"]);
    let no_condition = SERVICE_UNAVAILABLE.replace(
        "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>",
        "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>no</text>",
    );
    assert_eq!(broken(&no_condition), ["error-condition"]);
    assert_eq!(
        broken(&SERVICE_UNAVAILABLE.replace("type='cancel'", "type='fatal'")),
        ["error-type"]
    );
    let message = "<message xmlns='jabber:client' type='error' id='m'/>";
    assert_eq!(broken(message), ["error-child"]);
}

#[test]
fn stream_error_rule() {
    let text_only = NOT_WELL_FORMED.replace(
        "<not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>",
        "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>bad</text>",
    );
    assert_eq!(broken(&text_only), ["stream-error-condition"]);
}

#[test]
fn every_rule_has_a_name_a_section_and_a_test() {
    let here = include_str!("tests.rs");
    for rule in RULES {
        assert!(rule.spec.starts_with("RFC 6120 §"), "{}", rule.name);
        assert!(
            here.contains(&format!("[\"{}\"]", rule.name)),
            "{} untested",
            rule.name
        );
    }
}
