//! The table of lint rules, and the small predicates they share.
//!
//! A rule taken from a sentence with MUST in it is a MUST; a rule that only
//! the syntax figures and the schemas of RFC 6120 show (the order of the
//! children of `<error/>`, one `<error/>` per stanza), which Appendix A
//! calls descriptive rather than normative, is a SHOULD, so breaking it
//! makes a verdict non-strict and never fails a peer.

use crate::scenario::{Level, Peer};
use crate::xml::{Element, NS_CLIENT, NS_SERVER, NS_STANZAS, NS_STREAM_ERRORS, NS_STREAMS, NS_XML};

use super::lang;
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
];

/// An element in a content namespace (stanzas and their `jabber:client`
/// children such as `<body/>` and `<error/>`).
fn is_content(e: &Element) -> bool {
    e.ns == NS_CLIENT || e.ns == NS_SERVER
}

fn is_stanza(e: &Element, name: &str) -> bool {
    is_content(e) && e.name == name
}

fn is_any_stanza(e: &Element) -> bool {
    is_content(e) && matches!(e.name.as_str(), "message" | "presence" | "iq")
}

fn is_stream_error(e: &Element) -> bool {
    e.is(NS_STREAMS, "error")
}

/// The `<error/>` child of a stanza, in the stanza's own namespace.
fn error_of(e: &Element) -> Option<&Element> {
    e.child_elements()
        .find(|c| c.ns == e.ns && c.name == "error")
}

/// The `<error/>` of an error stanza, which the error rules look into.
fn stanza_error(e: &Element) -> Option<&Element> {
    (is_any_stanza(e) && e.attr("type") == Some("error"))
        .then(|| error_of(e))
        .flatten()
}

/// How many children in `ns` other than `<text/>` (defined conditions).
fn conditions(e: &Element, ns: &str) -> usize {
    e.child_elements()
        .filter(|c| c.ns == ns && c.name != "text")
        .count()
}

/// A `<text/>` that inherited a namespace it does not belong in: the
/// content namespace, the stream namespace (`<stream:text>`) or none. A
/// `<text/>` in any other namespace is an application-specific condition,
/// which is allowed.
fn misplaced_text(e: &Element) -> bool {
    e.child_elements().any(|c| {
        c.name == "text"
            && (c.ns.is_empty() || c.ns == NS_CLIENT || c.ns == NS_SERVER || c.ns == NS_STREAMS)
    })
}

/// A `<text/>` in `ns` before the first defined condition.
fn text_before_condition(e: &Element, ns: &str) -> bool {
    let in_ns: Vec<&Element> = e.child_elements().filter(|c| c.ns == ns).collect();
    let first_text = in_ns.iter().position(|c| c.name == "text");
    let first_condition = in_ns.iter().position(|c| c.name != "text");
    matches!((first_text, first_condition), (Some(t), Some(c)) if t < c)
}

/// Two `<text/>` in `ns` with the same xml:lang (or both without one).
fn repeated_text_lang(e: &Element, ns: &str) -> bool {
    let langs: Vec<Option<&str>> = e
        .child_elements()
        .filter(|c| c.ns == ns && c.name == "text")
        .map(|c| c.attr_ns(NS_XML, "lang"))
        .collect();
    langs
        .iter()
        .enumerate()
        .any(|(i, l)| langs[i + 1..].contains(l))
}

/// An xml:lang below a stanza that is neither empty (XML lets an element
/// say its language is unknown) nor a well-formed tag.
fn bad_inner_lang(e: &Element) -> bool {
    e.attr_ns(NS_XML, "lang")
        .is_some_and(|l| !l.is_empty() && !lang::is_valid(l))
}

/// `true` when `test` holds for `e` or any element inside it. The parser
/// bounds the depth ([`crate::xml::MAX_TREE_DEPTH`]), so recursion is safe.
fn any_in_tree(e: &Element, test: &dyn Fn(&Element) -> bool) -> bool {
    test(e) || e.child_elements().any(|c| any_in_tree(c, test))
}

/// `major.minor`, each a decimal integer written without a leading zero.
fn is_version(v: &str) -> bool {
    let number = |n: &str| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0'))
    };
    v.split_once('.')
        .is_some_and(|(major, minor)| number(major) && number(minor))
}
