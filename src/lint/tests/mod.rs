//! Each rule against what Prosody 0.12 and ejabberd 23.01 really sent
//! (`fixtures.rs`, which names where each came from), which passes, and
//! the same thing broken, which does not.

use crate::scenario::{Level, Peer};
use crate::xml::{Element, ParserConfig, StreamEvent, StreamHeader, StreamParser};

use super::fixtures::*;
use super::{RULES, check, check_header};

mod bytes;
mod namespaces;

/// Every event of `bytes` parsed as the start of a `jabber:client` stream.
fn events(bytes: impl AsRef<[u8]>) -> Vec<StreamEvent> {
    let mut parser = StreamParser::new(ParserConfig::default());
    let mut events = Vec::new();
    parser.feed(bytes.as_ref(), &mut events);
    events
}

/// `stanza` parsed as a first-level element of a `jabber:client` stream.
fn element(stanza: &str) -> Element {
    let header = "<stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
    events(format!("{header}{stanza}"))
        .into_iter()
        .find_map(|e| match e {
            StreamEvent::Element(e) => Some(e),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no element in {stanza}"))
}

/// `text` (a declaration and a header) parsed as a stream header.
fn header(text: &str) -> StreamHeader {
    events(text)
        .into_iter()
        .find_map(|e| match e {
            StreamEvent::Open(h) => Some(h),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no header in {text}"))
}

fn broken(stanza: &str) -> Vec<&'static str> {
    check(&element(stanza)).iter().map(|f| f.rule).collect()
}

fn broken_header(text: &str, sender: Peer) -> Vec<&'static str> {
    check_header(&header(text), sender)
        .iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn what_the_servers_sent_breaks_no_rule() {
    for stanza in ELEMENTS {
        assert_eq!(broken(stanza), Vec::<&str>::new(), "{stanza}");
    }
    for text in HEADERS {
        assert_eq!(
            broken_header(text, Peer::Server),
            Vec::<&str>::new(),
            "{text}"
        );
    }
}

#[test]
fn iq_rules() {
    assert_eq!(
        broken(&PROSODY_BIND_RESULT.replace(" id='bind-2'", "")),
        ["iq-id"]
    );
    assert_eq!(
        broken(&PROSODY_BIND_RESULT.replace("'result'", "'answer'")),
        ["iq-type"]
    );
    assert_eq!(
        broken(&PROSODY_BIND_RESULT.replace("</bind>", "</bind><extra xmlns='urn:x'/>")),
        ["iq-result-payload"]
    );
    let empty_get = EJABBERD_PING_RESULT.replace("'result'", "'get'");
    assert_eq!(broken(&empty_get), ["iq-request-payload"]);
}

#[test]
fn message_and_presence_types() {
    assert_eq!(
        broken(&PROSODY_CHAT.replace("type='chat'", "type='whisper'")),
        ["message-type"]
    );
    assert_eq!(
        broken(&EJABBERD_CHAT.replace("type='chat'", "type='normal'")),
        Vec::<&str>::new()
    );
    assert_eq!(
        broken(&EJABBERD_UNAVAILABLE.replace("'unavailable'", "'available'")),
        ["presence-type"]
    );
}

#[test]
fn content_namespace_prefix() {
    // The stanza itself prefixed…
    let prefixed = PROSODY_CHAT
        .replace(
            "<message xmlns='jabber:client'",
            "<c:message xmlns:c='jabber:client'",
        )
        .replace("</message>", "</c:message>")
        .replace("<body>", "<c:body>")
        .replace("</body>", "</c:body>");
    assert_eq!(broken(&prefixed), ["content-prefix"]);
    // …or only a child in jabber:client.
    let child = EJABBERD_CHAT
        .replace("<body>", "<c:body xmlns:c='jabber:client'>")
        .replace("</body>", "</c:body>");
    assert_eq!(broken(&child), ["content-prefix"]);
    // A prefix on an extension's element is the sender's choice (§8.4).
    let extension = EJABBERD_CHAT.replace(
        "</message>",
        "<x:delay xmlns:x='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/></message>",
    );
    assert_eq!(broken(&extension), Vec::<&str>::new());
}

#[test]
fn stanza_language() {
    assert_eq!(
        broken(&PROSODY_PRESENCE.replace("xml:lang='en'", "xml:lang='en_GB'")),
        ["stanza-lang"]
    );
    assert_eq!(
        broken(&EJABBERD_SERVICE_UNAVAILABLE.replace(
            "xmpp-stanzas' xml:lang='en'",
            "xmpp-stanzas' xml:lang='english language'"
        )),
        ["stanza-lang"]
    );
    // An empty xml:lang inside a stanza says the language is unknown.
    assert_eq!(
        broken(&PROSODY_CHAT.replace("<body>", "<body xml:lang=''>")),
        Vec::<&str>::new()
    );
    assert_eq!(
        broken(&PROSODY_CHAT.replace("xml:lang='en'", "xml:lang='de-CH-1901'")),
        Vec::<&str>::new()
    );
}

#[test]
fn error_child_rules() {
    let no_error = PROSODY_SERVICE_UNAVAILABLE.replace(
        "<error type='cancel'><service-unavailable \
         xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>",
        "",
    );
    assert_eq!(broken(&no_error), ["error-child"]);
    let bare = "<message xmlns='jabber:client' type='error' id='m'/>";
    assert_eq!(broken(bare), ["error-child"]);
    // The error of an error stanza, on a chat message.
    let error = "<error type='cancel'><service-unavailable \
                 xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>";
    let chat_with_error = PROSODY_CHAT.replace("</message>", &format!("{error}</message>"));
    assert_eq!(broken(&chat_with_error), ["error-child-only-in-error"]);
    // No 'type' at all is not 'error' either.
    let presence_with_error = PROSODY_PRESENCE.replace("/>", &format!(">{error}</presence>"));
    assert_eq!(broken(&presence_with_error), ["error-child-only-in-error"]);
    let twice = PROSODY_MESSAGE_ERROR.replace("</message>", &format!("{error}</message>"));
    assert_eq!(broken(&twice), ["error-child-once"]);
}

#[test]
fn error_condition_and_type_rules() {
    let no_condition = PROSODY_SERVICE_UNAVAILABLE.replace(
        "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>",
        "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>no</text>",
    );
    assert_eq!(broken(&no_condition), ["error-condition"]);
    let two = PROSODY_SERVICE_UNAVAILABLE.replace(
        "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>",
        "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
         <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>",
    );
    assert_eq!(broken(&two), ["error-condition-once"]);
    assert_eq!(
        broken(&PROSODY_SERVICE_UNAVAILABLE.replace("type='cancel'", "type='fatal'")),
        ["error-type"]
    );
}

#[test]
fn error_text_rules() {
    let text = "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>No module is \
                handling this query</text>";
    // Without its xmlns the <text/> is in jabber:client.
    let unqualified = EJABBERD_SERVICE_UNAVAILABLE.replace(
        "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>",
        "<text xml:lang='en'>",
    );
    assert_eq!(broken(&unqualified), ["error-text-namespace"]);
    // An application-specific <text/> in its own namespace is allowed.
    let app = EJABBERD_SERVICE_UNAVAILABLE.replace(
        "</error>",
        "<text xmlns='urn:example:app'>extra</text></error>",
    );
    assert_eq!(broken(&app), Vec::<&str>::new());
    let condition = "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>";
    let before = EJABBERD_SERVICE_UNAVAILABLE
        .replace(text, "")
        .replace(condition, &format!("{text}{condition}"));
    assert_eq!(broken(&before), ["error-text-order"]);
    let same_lang = EJABBERD_SERVICE_UNAVAILABLE.replace(text, &format!("{text}{text}"));
    assert_eq!(broken(&same_lang), ["error-text-lang-once"]);
    let other_lang = EJABBERD_SERVICE_UNAVAILABLE
        .replace(text, &format!("{text}{}", text.replace("'en'", "'fr'")));
    assert_eq!(broken(&other_lang), Vec::<&str>::new());
}

#[test]
fn stream_error_rules() {
    let condition = "<conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>";
    let text = "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>Replaced by new \
                connection</text>";
    let text_only = EJABBERD_CONFLICT.replace(condition, "");
    assert_eq!(broken(&text_only), ["stream-error-condition"]);
    let two = PROSODY_NOT_WELL_FORMED.replace(
        "</stream:error>",
        "<invalid-xml xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
    );
    assert_eq!(broken(&two), ["stream-error-condition-once"]);
    let stream_prefixed = EJABBERD_CONFLICT.replace(
        text,
        "<stream:text xml:lang='en'>Replaced by new connection</stream:text>",
    );
    assert_eq!(broken(&stream_prefixed), ["stream-error-text-namespace"]);
    let before = EJABBERD_CONFLICT
        .replace(text, "")
        .replace(condition, &format!("{text}{condition}"));
    assert_eq!(broken(&before), ["stream-error-text-order"]);
    let twice = EJABBERD_CONFLICT.replace(text, &format!("{text}{text}"));
    assert_eq!(broken(&twice), ["stream-error-text-lang-once"]);
    // Prosody's text has no xml:lang: two of those share "no language".
    let prosody_text = "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>This server does \
                        not serve unknown.invalid</text>";
    let unlabelled =
        PROSODY_HOST_UNKNOWN.replace(prosody_text, &format!("{prosody_text}{prosody_text}"));
    assert_eq!(broken(&unlabelled), ["stream-error-text-lang-once"]);
}

#[test]
fn header_rules() {
    let server = |text: &str| broken_header(text, Peer::Server);
    assert_eq!(
        server(&PROSODY_HEADER.replace(" id='4f200e2d-ecc9-4733-8e35-6582c732a3a0'", "")),
        ["header-id"]
    );
    assert_eq!(
        server(&EJABBERD_HEADER.replace("id='15006149646933655986'", "id=''")),
        ["header-id"]
    );
    // A client's initial header has no id; one with an id breaks the rule.
    let initial = "<?xml version='1.0'?><stream:stream to='localhost' version='1.0' \
                   xml:lang='en' xmlns='jabber:client' \
                   xmlns:stream='http://etherx.jabber.org/streams'>";
    assert_eq!(broken_header(initial, Peer::Client), Vec::<&str>::new());
    assert_eq!(
        broken_header(&initial.replace(" to=", " id='c1' to="), Peer::Client),
        ["header-id"]
    );
    for version in ["01.0", "1", "1.0.0", "v1.0", "1.00", ""] {
        assert_eq!(
            server(&EJABBERD_HEADER.replace(
                "version='1.0' xml:lang",
                &format!("version='{version}' xml:lang")
            )),
            ["header-version"],
            "{version}"
        );
    }
    for version in ["1.10", "2.0", "0.9"] {
        assert_eq!(
            server(&EJABBERD_HEADER.replace(
                "version='1.0' xml:lang",
                &format!("version='{version}' xml:lang")
            )),
            Vec::<&str>::new(),
            "{version}"
        );
    }
    // No version at all is a pre-1.0 peer, which §4.7.5 allows.
    assert_eq!(
        server(&PROSODY_HEADER.replace(" version='1.0' id=", " id=")),
        Vec::<&str>::new()
    );
    assert_eq!(
        server(&PROSODY_HEADER.replace("xml:lang='en'", "xml:lang='en-'")),
        ["header-lang"]
    );
    assert_eq!(
        server(&EJABBERD_HEADER.replace(
            "<?xml version='1.0'?>",
            "<?xml version='1.0' standalone='no'?>"
        )),
        ["xml-standalone"]
    );
}

#[test]
fn findings_carry_their_level() {
    let two = PROSODY_NOT_WELL_FORMED.replace(
        "</stream:error>",
        "<invalid-xml xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
    );
    let findings = check(&element(&two));
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].level, Level::Should);
    assert!(findings[0].to_string().contains("RFC 6120 §4.9.2 SHOULD"));
}

#[test]
fn every_rule_has_a_name_a_section_and_a_test() {
    let here = [
        include_str!("mod.rs"),
        include_str!("bytes.rs"),
        include_str!("namespaces.rs"),
    ]
    .concat();
    for rule in RULES {
        assert!(
            rule.spec.starts_with("RFC 6120 §") || rule.spec.starts_with("RFC 6121 §"),
            "{}",
            rule.name
        );
        assert!(
            here.contains(&format!("[\"{}\"]", rule.name)),
            "{} untested",
            rule.name
        );
    }
    let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), RULES.len(), "two rules share a name");
}

/// Every statement a rule says it enforces is in the inventory, checkable,
/// and binds each sender the rule holds it to: coverage counts it as
/// covered by the lint, so a typo or a statement about the other side
/// would inflate the count.
#[test]
fn every_enforced_statement_is_in_the_inventory_and_binds_its_sender() {
    let inventory = crate::spec::built_in().unwrap_or_else(|e| panic!("{e}"));
    let mut problems = Vec::new();
    for rule in RULES {
        for (id, senders) in rule.enforces {
            let Some(statement) = inventory.statement(id) else {
                problems.push(format!("{}: unknown statement `{id}`", rule.name));
                continue;
            };
            if !statement.checkable {
                problems.push(format!("{}: `{id}` is not checkable", rule.name));
            }
            if senders.is_empty() {
                problems.push(format!("{}: `{id}` names no sender", rule.name));
            }
            for sender in *senders {
                let binds = match sender {
                    Peer::Server => crate::spec::Binds::Server,
                    Peer::Client => crate::spec::Binds::Client,
                };
                if statement.binds != binds && statement.binds != crate::spec::Binds::Both {
                    problems.push(format!(
                        "{}: `{id}` binds {}, not the {sender:?} the rule checks",
                        rule.name,
                        statement.binds.name()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
