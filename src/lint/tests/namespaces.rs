//! The rules on defined conditions, namespaces, SASL offers and data,
//! against the real captures of `fixtures.rs`, broken one way at a time.

use crate::scenario::Peer;

use super::super::fixtures::*;
use super::{broken, broken_header};

const NO_FINDING: &[&str] = &[];

#[test]
fn stream_error_conditions_are_defined() {
    // RFC 3920's name for the condition, gone from RFC 6120.
    let old = PROSODY_NOT_WELL_FORMED.replace("not-well-formed", "xml-not-well-formed");
    assert_eq!(broken(&old), ["stream-error-defined-condition"]);
    // An application's condition beside the defined one, in its own
    // namespace, is what §4.9.4 allows…
    let app = PROSODY_HOST_UNKNOWN.replace(
        "</stream:error>",
        "<unknown-tenant xmlns='urn:example:hosting'/></stream:error>",
    );
    assert_eq!(broken(&app), NO_FINDING);
    // …but not in jabber:client, which it inherits without an xmlns.
    let inherited =
        PROSODY_HOST_UNKNOWN.replace("</stream:error>", "<unknown-tenant/></stream:error>");
    assert_eq!(broken(&inherited), ["stream-error-application-namespace"]);
}

#[test]
fn stanza_error_conditions_are_defined() {
    // RFC 3920's payment-required is not an RFC 6120 condition.
    let old = PROSODY_SERVICE_UNAVAILABLE.replace("service-unavailable", "payment-required");
    assert_eq!(broken(&old), ["error-defined-condition"]);
    let app = EJABBERD_SERVICE_UNAVAILABLE.replace(
        "</error>",
        "<too-many-requests xmlns='urn:example:limits'/></error>",
    );
    assert_eq!(broken(&app), NO_FINDING);
    let inherited =
        EJABBERD_SERVICE_UNAVAILABLE.replace("</error>", "<too-many-requests/></error>");
    assert_eq!(broken(&inherited), ["error-application-namespace"]);
}

#[test]
fn gone_and_redirect_give_an_xmpp_uri() {
    let with = |condition: &str| {
        PROSODY_SERVICE_UNAVAILABLE.replace(
            "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>",
            condition,
        )
    };
    let ns = "urn:ietf:params:xml:ns:xmpp-stanzas";
    for ok in [
        format!("<gone xmlns='{ns}'>xmpp:romeo@example.net</gone>"),
        format!("<gone xmlns='{ns}'/>"),
        format!("<redirect xmlns='{ns}'>xmpp:rooms@conference.example.com</redirect>"),
    ] {
        assert_eq!(broken(&with(&ok)), NO_FINDING, "{ok}");
    }
    for bad in [
        format!("<gone xmlns='{ns}'>romeo@example.net</gone>"),
        format!("<redirect xmlns='{ns}'>https://example.com/rooms</redirect>"),
    ] {
        assert_eq!(broken(&with(&bad)), ["error-address-uri"], "{bad}");
    }
}

#[test]
fn content_namespace_holds_stanzas_only() {
    let note = PROSODY_CHAT
        .replace("<message ", "<note ")
        .replace("</message>", "</note>");
    assert_eq!(broken(&note), ["content-stanzas-only"]);
    // A stanza error at first level, outside any stanza.
    let bare_error = "<error xmlns='jabber:client' type='cancel'><service-unavailable \
                      xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>";
    assert_eq!(broken(bare_error), ["content-stanzas-only"]);
    let server_ns = EJABBERD_CHAT.replace("xmlns='jabber:client'", "xmlns='jabber:server'");
    assert_eq!(broken(&server_ns), ["content-namespace"]);
}

#[test]
fn payloads_are_in_namespaces_of_their_own() {
    // The bind payload without its namespace inherits jabber:client.
    let bind = PROSODY_BIND_RESULT.replace(" xmlns='urn:ietf:params:xml:ns:xmpp-bind'", "");
    assert_eq!(broken(&bind), ["payload-namespace"]);
    let delay = PROSODY_CHAT.replace(
        "</message>",
        "<delay stamp='2002-09-10T23:08:25Z'/></message>",
    );
    assert_eq!(broken(&delay), ["payload-namespace"]);
    let qualified = PROSODY_CHAT.replace(
        "</message>",
        "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/><thread>t1</thread></message>",
    );
    assert_eq!(broken(&qualified), NO_FINDING);
    let status = PROSODY_PRESENCE.replace(
        "/>",
        "><show>away</show><status>out</status><priority>1</priority></presence>",
    );
    assert_eq!(broken(&status), NO_FINDING);
    let stream_ns = PROSODY_PRESENCE.replace(
        "/>",
        "><x xmlns='http://etherx.jabber.org/streams'/></presence>",
    );
    assert_eq!(broken(&stream_ns), ["payload-namespace"]);
}

#[test]
fn mechanisms_name_one_mechanism_each() {
    let empty = PROSODY_FEATURES.replace("<mechanism>PLAIN</mechanism>", "<mechanism/>");
    assert_eq!(broken(&empty), ["sasl-mechanisms"]);
    let listed = PROSODY_FEATURES.replace(
        "<mechanism>PLAIN</mechanism>",
        "<mechanism-list>PLAIN SCRAM-SHA-1</mechanism-list>",
    );
    assert_eq!(broken(&listed), ["sasl-mechanisms"]);
    // An extension inside <mechanisms/> (XEP-0233) is not a mechanism.
    let hostname = PROSODY_FEATURES.replace(
        "</mechanisms>",
        "<hostname xmlns='urn:xmpp:domain-based-name:1'>x.example</hostname></mechanisms>",
    );
    assert_eq!(broken(&hostname), NO_FINDING);
}

#[test]
fn sasl_data_is_canonical_base64() {
    let spaced = PROSODY_SCRAM_CHALLENGE.replace("cj1C", "cj1C\n ");
    assert_eq!(broken(&spaced), ["sasl-base64"]);
    // The challenge ends in "MA==": without its padding…
    let unpadded = PROSODY_SCRAM_CHALLENGE.replace("MA==<", "MA<");
    assert_eq!(broken(&unpadded), ["sasl-base64"]);
    // …or with padding bits set ("MB==": 'B' leaves a 1 where RFC 4648
    // §3.5 wants zeros).
    let nonzero = PROSODY_SCRAM_CHALLENGE.replace("MA==<", "MB==<");
    assert_eq!(broken(&nonzero), ["sasl-base64"]);
    for ok in ["", "="] {
        let zero = format!("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{ok}</success>");
        assert_eq!(broken(&zero), NO_FINDING, "{ok:?}");
    }
}

#[test]
fn the_header_declares_no_payload_namespace() {
    let server = |text: &str| broken_header(text, Peer::Server);
    assert_eq!(
        server(&PROSODY_HEADER.replace(
            "xmlns='jabber:client'",
            "xmlns='jabber:client' xmlns:delay='urn:xmpp:delay'"
        )),
        ["header-payload-namespaces"]
    );
    assert_eq!(
        server(&EJABBERD_HEADER.replace(
            "xmlns='jabber:client'>",
            "xmlns='jabber:client' xmlns:db='jabber:server:dialback'>"
        )),
        NO_FINDING
    );
}
