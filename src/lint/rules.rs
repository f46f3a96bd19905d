//! The table of lint rules, and the small predicates they share.
//!
//! A rule taken from a sentence with MUST in it is a MUST; a rule that only
//! the syntax figures and the schemas of RFC 6120 show (the order of the
//! children of `<error/>`, one `<error/>` per stanza), which Appendix A
//! calls descriptive rather than normative, is a SHOULD, so breaking it
//! makes a verdict non-strict and never fails a peer.

use crate::scenario::{Level, Peer};
use crate::xml::{Condition, NS_SASL, NS_SERVER, NS_STANZAS, NS_STREAM_ERRORS, NS_XML};

use super::lang;
use super::predicates::*;
use super::{Broken, Rule};

/// Both senders: element rules hold servers and clients alike.
const ANY: &[Peer] = &[Peer::Server, Peer::Client];

/// Every rule, in the order findings are reported.
pub static RULES: &[Rule] = &[
    Rule {
        name: "iq-id",
        spec: "RFC 6120 §8.2.3",
        level: Level::Must,
        requires: "an iq stanza has an 'id' attribute",
        enforces: &[
            ("rfc6120/8.2.3/1", ANY),
            ("rfc6120/8.1.3/1", ANY),
            ("rfc6120/8.3.1/4", ANY),
        ],
        broken: Broken::Element(|e| is_stanza(e, "iq") && e.attr("id").is_none_or(str::is_empty)),
    },
    Rule {
        name: "iq-type",
        spec: "RFC 6120 §8.2.3",
        level: Level::Must,
        requires: "an iq stanza's 'type' is get, set, result or error",
        enforces: &[("rfc6120/8.2.3/2", ANY)],
        broken: Broken::Element(|e| {
            is_stanza(e, "iq")
                && !matches!(e.attr("type"), Some("get" | "set" | "result" | "error"))
        }),
    },
    Rule {
        name: "iq-request-payload",
        spec: "RFC 6120 §8.2.3",
        level: Level::Must,
        requires: "an iq of type get or set contains exactly one child element",
        enforces: &[("rfc6120/8.2.3/7", ANY), ("rfc6120/8.4/1", ANY)],
        broken: Broken::Element(|e| {
            is_stanza(e, "iq")
                && matches!(e.attr("type"), Some("get" | "set"))
                && e.child_elements().count() != 1
        }),
    },
    Rule {
        name: "iq-result-payload",
        spec: "RFC 6120 §8.2.3",
        level: Level::Must,
        requires: "an iq of type result contains zero or one child element",
        enforces: &[("rfc6120/8.2.3/8", ANY)],
        broken: Broken::Element(|e| {
            is_stanza(e, "iq") && e.attr("type") == Some("result") && e.child_elements().count() > 1
        }),
    },
    Rule {
        name: "message-type",
        spec: "RFC 6121 §5.2.2",
        level: Level::Must,
        requires: "a message's 'type', when present, is chat, error, groupchat, headline or normal",
        enforces: &[],
        broken: Broken::Element(|e| {
            is_stanza(e, "message")
                && e.attr("type").is_some_and(|t| {
                    !matches!(t, "chat" | "error" | "groupchat" | "headline" | "normal")
                })
        }),
    },
    Rule {
        name: "presence-type",
        // §4.7.1 lists the values without a MUST (unlike §5.2.2 for
        // messages); a router that meets another value SHOULD answer
        // <bad-request/> rather than pass it on, hence SHOULD.
        spec: "RFC 6121 §4.7.1",
        level: Level::Should,
        requires: "a presence's 'type', when present, is error, probe, subscribe, subscribed, \
                   unavailable, unsubscribe or unsubscribed",
        enforces: &[],
        broken: Broken::Element(|e| {
            is_stanza(e, "presence")
                && e.attr("type").is_some_and(|t| {
                    !matches!(
                        t,
                        "error"
                            | "probe"
                            | "subscribe"
                            | "subscribed"
                            | "unavailable"
                            | "unsubscribe"
                            | "unsubscribed"
                    )
                })
        }),
    },
    Rule {
        name: "content-prefix",
        spec: "RFC 6120 §4.8.5",
        level: Level::Must,
        requires: "no element qualified by jabber:client or jabber:server is written with a \
                   namespace prefix",
        enforces: &[("rfc6120/4.8.5/2", ANY)],
        broken: Broken::Element(|e| any_in_tree(e, &|n| is_content(n) && n.prefix.is_some())),
    },
    Rule {
        name: "stanza-lang",
        spec: "RFC 6120 §8.1.5",
        level: Level::Must,
        requires: "a stanza's xml:lang (and any inside it) is a well-formed BCP 47 language tag",
        enforces: &[("rfc6120/8.1.5/4", ANY)],
        broken: Broken::Element(|e| {
            is_any_stanza(e)
                && (e
                    .attr_ns(NS_XML, "lang")
                    .is_some_and(|l| !lang::is_valid(l))
                    || e.child_elements().any(|c| any_in_tree(c, &bad_inner_lang)))
        }),
    },
    Rule {
        name: "error-child",
        spec: "RFC 6120 §8.3.1",
        level: Level::Must,
        requires: "a stanza of type error contains an <error/> child",
        enforces: &[("rfc6120/8.3.1/6", ANY), ("rfc6120/8.2.3/9", ANY)],
        broken: Broken::Element(|e| {
            is_any_stanza(e) && e.attr("type") == Some("error") && error_of(e).is_none()
        }),
    },
    Rule {
        name: "error-child-only-in-error",
        spec: "RFC 6120 §8.3.1",
        level: Level::Must,
        requires: "a stanza whose 'type' is not error (or absent) contains no <error/> child",
        enforces: &[("rfc6120/8.3.1/9", ANY)],
        broken: Broken::Element(|e| {
            is_any_stanza(e) && e.attr("type") != Some("error") && error_of(e).is_some()
        }),
    },
    Rule {
        name: "error-child-once",
        spec: "RFC 6120 §8.3.2",
        level: Level::Should,
        requires: "a stanza contains at most one <error/> child (the syntax and the schema of \
                   Appendix A.5 give one)",
        enforces: &[],
        broken: Broken::Element(|e| {
            is_any_stanza(e)
                && e.child_elements()
                    .filter(|c| is_content(c) && c.name == "error")
                    .count()
                    > 1
        }),
    },
    Rule {
        name: "error-condition",
        spec: "RFC 6120 §8.3.2",
        level: Level::Must,
        requires: "a stanza's <error/> contains a defined condition element",
        enforces: &[("rfc6120/8.3.2/5", ANY)],
        broken: Broken::Element(|e| {
            stanza_error(e).is_some_and(|error| conditions(error, NS_STANZAS) == 0)
        }),
    },
    Rule {
        name: "error-condition-once",
        spec: "RFC 6120 §8.3.2",
        level: Level::Should,
        requires: "a stanza's <error/> contains one defined condition, not several",
        enforces: &[],
        broken: Broken::Element(|e| {
            stanza_error(e).is_some_and(|error| conditions(error, NS_STANZAS) > 1)
        }),
    },
    Rule {
        name: "error-type",
        spec: "RFC 6120 §8.3.2",
        level: Level::Must,
        requires: "a stanza's <error/> has a 'type' of auth, cancel, continue, modify or wait",
        enforces: &[("rfc6120/8.3.2/2", ANY)],
        broken: Broken::Element(|e| {
            stanza_error(e).is_some_and(|error| {
                !matches!(
                    error.attr("type"),
                    Some("auth" | "cancel" | "continue" | "modify" | "wait")
                )
            })
        }),
    },
    Rule {
        name: "error-text-namespace",
        spec: "RFC 6120 §8.3.2",
        level: Level::Must,
        requires: "the <text/> of a stanza's <error/> is qualified by \
                   urn:ietf:params:xml:ns:xmpp-stanzas",
        enforces: &[("rfc6120/8.3.2/6", ANY)],
        broken: Broken::Element(|e| stanza_error(e).is_some_and(misplaced_text)),
    },
    Rule {
        name: "error-text-order",
        spec: "RFC 6120 §8.3.2",
        level: Level::Should,
        requires: "the <text/> of a stanza's <error/> comes after the defined condition",
        enforces: &[],
        broken: Broken::Element(|e| {
            stanza_error(e).is_some_and(|error| text_before_condition(error, NS_STANZAS))
        }),
    },
    Rule {
        name: "error-text-lang-once",
        spec: "RFC 6120 §8.3.2",
        level: Level::Should,
        requires: "a stanza's <error/> has at most one <text/> per xml:lang",
        enforces: &[],
        broken: Broken::Element(|e| {
            stanza_error(e).is_some_and(|error| repeated_text_lang(error, NS_STANZAS))
        }),
    },
    Rule {
        name: "stream-error-condition",
        spec: "RFC 6120 §4.9.2",
        level: Level::Must,
        requires: "a stream error contains a defined condition element",
        enforces: &[("rfc6120/4.9.2/3", ANY)],
        broken: Broken::Element(|e| is_stream_error(e) && conditions(e, NS_STREAM_ERRORS) == 0),
    },
    Rule {
        name: "stream-error-condition-once",
        spec: "RFC 6120 §4.9.2",
        level: Level::Should,
        requires: "a stream error contains one defined condition, not several",
        enforces: &[],
        broken: Broken::Element(|e| is_stream_error(e) && conditions(e, NS_STREAM_ERRORS) > 1),
    },
    Rule {
        name: "stream-error-text-namespace",
        spec: "RFC 6120 §4.9.2",
        level: Level::Must,
        requires: "the <text/> of a stream error is qualified by \
                   urn:ietf:params:xml:ns:xmpp-streams",
        enforces: &[("rfc6120/4.9.2/4", ANY)],
        broken: Broken::Element(|e| is_stream_error(e) && misplaced_text(e)),
    },
    Rule {
        name: "stream-error-text-order",
        spec: "RFC 6120 §4.9.2",
        level: Level::Should,
        requires: "the <text/> of a stream error comes after the defined condition",
        enforces: &[],
        broken: Broken::Element(|e| {
            is_stream_error(e) && text_before_condition(e, NS_STREAM_ERRORS)
        }),
    },
    Rule {
        name: "stream-error-text-lang-once",
        spec: "RFC 6120 §4.9.2",
        level: Level::Should,
        requires: "a stream error has at most one <text/> per xml:lang",
        enforces: &[],
        broken: Broken::Element(|e| is_stream_error(e) && repeated_text_lang(e, NS_STREAM_ERRORS)),
    },
    Rule {
        name: "header-id",
        spec: "RFC 6120 §4.7.3",
        level: Level::Must,
        requires: "a response stream header has a non-empty 'id'; an initial one has none",
        enforces: &[
            ("rfc6120/4.7.3/4", &[Peer::Server]),
            ("rfc6120/4.7.3/3", &[Peer::Client]),
        ],
        broken: Broken::Header(|h, sender| match sender {
            Peer::Server => h.element.attr("id").is_none_or(|id| id.trim().is_empty()),
            Peer::Client => h.element.attr("id").is_some(),
        }),
    },
    Rule {
        name: "header-version",
        spec: "RFC 6120 §4.7.5",
        level: Level::Must,
        requires: "a stream header's 'version', when present, is major.minor in decimal \
                   without leading zeros",
        enforces: &[("rfc6120/4.7.5/2", ANY)],
        broken: Broken::Header(|h, _| h.element.attr("version").is_some_and(|v| !is_version(v))),
    },
    Rule {
        name: "header-lang",
        spec: "RFC 6120 §4.7.4",
        level: Level::Must,
        requires: "a stream header's xml:lang, when present, is a well-formed BCP 47 language tag",
        enforces: &[("rfc6120/4.7.4/1", ANY)],
        broken: Broken::Header(|h, _| {
            h.element
                .attr_ns(NS_XML, "lang")
                .is_some_and(|l| !lang::is_valid(l))
        }),
    },
    Rule {
        name: "xml-standalone",
        spec: "RFC 6120 §11.5",
        level: Level::Must,
        requires: "the XML declaration has no standalone document declaration",
        enforces: &[("rfc6120/11.5/3", ANY)],
        broken: Broken::Header(|h, _| h.xml_decl.as_ref().is_some_and(|d| d.standalone.is_some())),
    },
    Rule {
        name: "stream-error-defined-condition",
        spec: "RFC 6120 §4.9.2",
        level: Level::Must,
        requires: "a stream error's condition in urn:ietf:params:xml:ns:xmpp-streams is one \
                   §4.9.3 defines",
        enforces: &[("rfc6120/4.9.2/1", ANY)],
        broken: Broken::Element(|e| is_stream_error(e) && undefined_stream_condition(e)),
    },
    Rule {
        name: "stream-error-application-namespace",
        spec: "RFC 6120 §4.9.2",
        level: Level::Must,
        requires: "an application-specific child of a stream error is in the application's own \
                   namespace, not in none, jabber:client, jabber:server or the stream namespace",
        enforces: &[("rfc6120/4.9.2/5", ANY)],
        broken: Broken::Element(|e| {
            is_stream_error(e) && application_child_in_reserved_namespace(e, NS_STREAM_ERRORS)
        }),
    },
    Rule {
        name: "error-defined-condition",
        spec: "RFC 6120 §8.3.2",
        level: Level::Must,
        requires: "a stanza error's condition in urn:ietf:params:xml:ns:xmpp-stanzas is one \
                   §8.3.3 defines",
        enforces: &[("rfc6120/8.3.2/3", ANY)],
        broken: Broken::Element(|e| stanza_error(e).is_some_and(undefined_stanza_condition)),
    },
    Rule {
        name: "error-application-namespace",
        spec: "RFC 6120 §8.3.2",
        level: Level::Must,
        requires: "an application-specific child of a stanza's <error/> is in the application's \
                   own namespace, not in none, jabber:client, jabber:server or the stream \
                   namespace",
        enforces: &[("rfc6120/8.3.2/7", ANY)],
        broken: Broken::Element(|e| {
            stanza_error(e)
                .is_some_and(|error| application_child_in_reserved_namespace(error, NS_STANZAS))
        }),
    },
    Rule {
        name: "error-address-uri",
        spec: "RFC 6120 §8.3.3.5",
        level: Level::Must,
        requires: "the new address a <gone/> or <redirect/> gives is an XMPP URI (§8.3.3.5, \
                   §8.3.3.14)",
        enforces: &[("rfc6120/8.3.3.5/1", ANY), ("rfc6120/8.3.3.14/1", ANY)],
        broken: Broken::Element(|e| stanza_error(e).is_some_and(address_not_xmpp_uri)),
    },
    Rule {
        name: "content-stanzas-only",
        spec: "RFC 6120 §8",
        level: Level::Must,
        requires: "a first-level element in jabber:client or jabber:server is a message, presence \
                   or iq stanza, so only those three carry stanza errors (§8.3.2)",
        enforces: &[("rfc6120/8.3.2/1", ANY)],
        broken: Broken::Element(|e| is_content(e) && !is_any_stanza(e)),
    },
    Rule {
        name: "content-namespace",
        spec: "RFC 6120 §4.8.3",
        level: Level::Must,
        requires: "a stanza on a client stream is in jabber:client, whichever side sends it, \
                   never in jabber:server",
        enforces: &[
            ("rfc6120/4.8.3/4", &[Peer::Client]),
            ("rfc6120/4.8.3/6", &[Peer::Server]),
            ("rfc6120/4.8.2/1", ANY),
        ],
        broken: Broken::Element(|e| is_any_stanza(e) && e.ns == NS_SERVER),
    },
    Rule {
        name: "payload-namespace",
        spec: "RFC 6120 §8.4",
        level: Level::Must,
        requires: "a stanza's child is one the content namespace defines for it (body, show, \
                   error…) or is in a namespace of its own, never in none, the content \
                   namespaces or the stream namespace",
        enforces: &[("rfc6120/8.4/2", ANY)],
        broken: Broken::Element(payload_in_reserved_namespace),
    },
    Rule {
        name: "sasl-mechanisms",
        spec: "RFC 6120 §6.4.1",
        level: Level::Must,
        requires: "the SASL children of <mechanisms/> are <mechanism/> elements, each naming one \
                   mechanism",
        enforces: &[("rfc6120/6.4.1/5", &[Peer::Server])],
        broken: Broken::Element(malformed_mechanisms),
    },
    Rule {
        name: "sasl-base64",
        spec: "RFC 6120 §13.9.1",
        level: Level::Must,
        requires: "the data of <auth/>, <challenge/>, <response/> and <success/> is empty, '=' or \
                   base64 as RFC 4648 §4 writes it (padded, zero padding bits, no whitespace)",
        enforces: &[("rfc6120/13.9.1/4", ANY)],
        broken: Broken::Element(|e| {
            e.ns == NS_SASL
                && matches!(
                    e.name.as_str(),
                    "auth" | "challenge" | "response" | "success"
                )
                && not_sasl_base64(&e.text())
        }),
    },
    Rule {
        name: "header-payload-namespaces",
        spec: "RFC 6120 §4.8.5",
        level: Level::Must,
        requires: "a stream header declares only the stream namespace and the content namespace \
                   (and dialback): an extension's namespace is declared in the stanza that uses \
                   it (§8.4)",
        enforces: &[("rfc6120/4.8.5/5", ANY), ("rfc6120/8.4/4", ANY)],
        broken: Broken::Header(|h, _| header_declares_payload_namespace(h)),
    },
    Rule {
        name: "xml-well-formed",
        spec: "RFC 6120 §11.3",
        level: Level::Must,
        requires: "what the peer sends is well-formed XML, from its declaration (§11.5) on, \
                   with no byte order mark before it (§11.6)",
        enforces: &[
            ("rfc6120/11.3/1", ANY),
            ("rfc6120/11.5/2", ANY),
            ("rfc6120/11.6/4", ANY),
        ],
        broken: Broken::Bytes(|e| e.condition == Condition::NotWellFormed),
    },
    Rule {
        name: "xml-namespace-well-formed",
        spec: "RFC 6120 §11.3",
        level: Level::Must,
        requires: "what the peer sends is namespace-well-formed: every prefix it uses is declared",
        enforces: &[("rfc6120/11.3/3", ANY)],
        broken: Broken::Bytes(|e| e.is_unbound_prefix()),
    },
    Rule {
        name: "xml-restricted",
        spec: "RFC 6120 §11.1",
        level: Level::Must,
        requires: "the peer sends no comment, processing instruction, document type declaration, \
                   entity reference beyond the predefined ones, or XML other than 1.0",
        enforces: &[("rfc6120/11.1/1", ANY), ("rfc6120/11.1/2", ANY)],
        broken: Broken::Bytes(|e| e.condition == Condition::RestrictedXml),
    },
    Rule {
        name: "xml-utf8",
        spec: "RFC 6120 §11.6",
        level: Level::Must,
        requires: "the peer's stream is UTF-8, not UTF-16, UTF-32 or a declared other encoding",
        enforces: &[("rfc6120/11.6/2", ANY), ("rfc6120/12/1", ANY)],
        broken: Broken::Bytes(|e| e.condition == Condition::UnsupportedEncoding),
    },
];
