//! The small predicates the rules of [`super::rules`] share: what an
//! element is (a stanza, a stream error, an error's condition) and the
//! few value checks (a version, a base64 text, an XMPP URI).

use crate::xml::conditions::{is_stanza_error_condition, is_stream_error_condition};
use crate::xml::{
    Element, NS_CLIENT, NS_DIALBACK, NS_SASL, NS_SERVER, NS_STANZAS, NS_STREAM_ERRORS, NS_STREAMS,
    NS_XML, StreamHeader,
};

use super::lang;

/// An element in a content namespace (stanzas and their `jabber:client`
/// children such as `<body/>` and `<error/>`).
pub(super) fn is_content(e: &Element) -> bool {
    e.ns == NS_CLIENT || e.ns == NS_SERVER
}

pub(super) fn is_stanza(e: &Element, name: &str) -> bool {
    is_content(e) && e.name == name
}

pub(super) fn is_any_stanza(e: &Element) -> bool {
    is_content(e) && matches!(e.name.as_str(), "message" | "presence" | "iq")
}

pub(super) fn is_stream_error(e: &Element) -> bool {
    e.is(NS_STREAMS, "error")
}

/// The `<error/>` child of a stanza, in the stanza's own namespace.
pub(super) fn error_of(e: &Element) -> Option<&Element> {
    e.child_elements()
        .find(|c| c.ns == e.ns && c.name == "error")
}

/// The `<error/>` of an error stanza, which the error rules look into.
pub(super) fn stanza_error(e: &Element) -> Option<&Element> {
    (is_any_stanza(e) && e.attr("type") == Some("error"))
        .then(|| error_of(e))
        .flatten()
}

/// How many children in `ns` other than `<text/>` (defined conditions).
pub(super) fn conditions(e: &Element, ns: &str) -> usize {
    e.child_elements()
        .filter(|c| c.ns == ns && c.name != "text")
        .count()
}

/// A `<text/>` that inherited a namespace it does not belong in: the
/// content namespace, the stream namespace (`<stream:text>`) or none. A
/// `<text/>` in any other namespace is an application-specific condition,
/// which is allowed.
pub(super) fn misplaced_text(e: &Element) -> bool {
    e.child_elements().any(|c| {
        c.name == "text"
            && (c.ns.is_empty() || c.ns == NS_CLIENT || c.ns == NS_SERVER || c.ns == NS_STREAMS)
    })
}

/// A `<text/>` in `ns` before the first defined condition.
pub(super) fn text_before_condition(e: &Element, ns: &str) -> bool {
    let in_ns: Vec<&Element> = e.child_elements().filter(|c| c.ns == ns).collect();
    let first_text = in_ns.iter().position(|c| c.name == "text");
    let first_condition = in_ns.iter().position(|c| c.name != "text");
    matches!((first_text, first_condition), (Some(t), Some(c)) if t < c)
}

/// Two `<text/>` in `ns` with the same xml:lang (or both without one).
pub(super) fn repeated_text_lang(e: &Element, ns: &str) -> bool {
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
pub(super) fn bad_inner_lang(e: &Element) -> bool {
    e.attr_ns(NS_XML, "lang")
        .is_some_and(|l| !l.is_empty() && !lang::is_valid(l))
}

/// `true` when `test` holds for `e` or any element inside it. The parser
/// bounds the depth ([`crate::xml::MAX_TREE_DEPTH`]), so recursion is safe.
pub(super) fn any_in_tree(e: &Element, test: &dyn Fn(&Element) -> bool) -> bool {
    test(e) || e.child_elements().any(|c| any_in_tree(c, test))
}

/// `major.minor`, each a decimal integer written without a leading zero.
pub(super) fn is_version(v: &str) -> bool {
    let number = |n: &str| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0'))
    };
    v.split_once('.')
        .is_some_and(|(major, minor)| number(major) && number(minor))
}

/// A child of a stream error or a stanza's `<error/>`, in the conditions'
/// namespace `ns`, that is neither `<text/>` nor a condition the RFC
/// defines (`defined`).
pub(super) fn undefined_condition(e: &Element, ns: &str, defined: fn(&str) -> bool) -> bool {
    e.child_elements()
        .any(|c| c.ns == ns && c.name != "text" && !defined(&c.name))
}

/// An undefined stream error condition (§4.9.3 lists them).
pub(super) fn undefined_stream_condition(e: &Element) -> bool {
    undefined_condition(e, NS_STREAM_ERRORS, is_stream_error_condition)
}

/// An undefined stanza error condition (§8.3.3 lists them).
pub(super) fn undefined_stanza_condition(error: &Element) -> bool {
    undefined_condition(error, NS_STANZAS, is_stanza_error_condition)
}

/// A namespace an element XMPP defines owns, which an application's own
/// element cannot borrow: none at all, the content namespaces and the
/// stream namespace.
pub(super) fn is_reserved_namespace(ns: &str) -> bool {
    ns.is_empty() || ns == NS_CLIENT || ns == NS_SERVER || ns == NS_STREAMS
}

/// An application-specific child of an error (anything but the
/// conditions and `<text/>` in `ns`) written in a reserved namespace. A
/// misplaced `<text/>` is [`misplaced_text`]'s finding, not this one's.
pub(super) fn application_child_in_reserved_namespace(e: &Element, ns: &str) -> bool {
    e.child_elements()
        .any(|c| c.ns != ns && c.name != "text" && is_reserved_namespace(&c.ns))
}

/// A `<gone/>` or `<redirect/>` condition whose text, the new address, is
/// not an XMPP URI (RFC 5122: `xmpp:`). Without text there is no address,
/// which both sections allow.
pub(super) fn address_not_xmpp_uri(error: &Element) -> bool {
    error
        .child_elements()
        .filter(|c| c.ns == NS_STANZAS && matches!(c.name.as_str(), "gone" | "redirect"))
        .any(|c| {
            let text = c.text();
            let text = text.trim();
            !text.is_empty() && !text.starts_with("xmpp:")
        })
}

/// The children RFC 6120 defines in the content namespace for each kind
/// of stanza (§8.3 and RFC 6121 §4.7.2, §5.2): anything else there is an
/// extension that took the content namespace instead of its own.
fn defined_content_child(stanza: &str, child: &str) -> bool {
    match stanza {
        "message" => matches!(child, "body" | "subject" | "thread" | "error"),
        "presence" => matches!(child, "show" | "status" | "priority" | "error"),
        _ => child == "error",
    }
}

/// A child of a stanza that is neither an element the content namespace
/// defines for it nor in a namespace of its own.
pub(super) fn payload_in_reserved_namespace(e: &Element) -> bool {
    is_any_stanza(e)
        && e.child_elements().any(|c| {
            is_reserved_namespace(&c.ns)
                && !(c.ns == e.ns && defined_content_child(&e.name, &c.name))
        })
}

/// Text that is not what RFC 6120 §13.9.1 allows in a SASL element: empty
/// (no data), `=` (data of zero length), or base64 as RFC 4648 §4 writes
/// it, padded, with zero padding bits and no whitespace.
pub(super) fn not_sasl_base64(text: &str) -> bool {
    use base64::Engine as _;
    !text.is_empty()
        && text != "="
        && base64::engine::general_purpose::STANDARD
            .decode(text)
            .is_err()
}

/// A `<mechanisms/>` offer with a SASL child that is not a `<mechanism/>`
/// naming one mechanism. Children in other namespaces are extensions
/// (XEP-0233 puts one there) and none of this rule's business.
pub(super) fn malformed_mechanisms(e: &Element) -> bool {
    e.is(NS_STREAMS, "features")
        && e.child_elements()
            .filter(|m| m.is(NS_SASL, "mechanisms"))
            .flat_map(Element::child_elements)
            .filter(|c| c.ns == NS_SASL)
            .any(|c| c.name != "mechanism" || c.text().trim().is_empty())
}

/// A namespace a stream header declares beyond the stream's own: the
/// content namespace as default, the stream namespace, and dialback
/// (`jabber:server:dialback`, declared on server-to-server headers by
/// RFC 6120 §4.8.5's own example). Only headers that came as bytes are
/// judged: the WebSocket and BOSH ones are built from `<open/>` and
/// `<body/>`, whose declarations are the framing's.
pub(super) fn header_declares_payload_namespace(h: &StreamHeader) -> bool {
    h.framing.is_none()
        && h.element.declarations.iter().any(|(prefix, uri)| {
            let allowed = match prefix {
                None => uri == NS_CLIENT || uri == NS_SERVER,
                Some(_) => uri == NS_STREAMS || uri == NS_DIALBACK,
            };
            !allowed
        })
}
