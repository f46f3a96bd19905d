//! Resource binding (RFC 6120 §7): reading the client's request and
//! writing the result. The router does the binding itself, and with it
//! the conflict policy: the new session takes the resource over and the
//! old one ends with a `<conflict/>` stream error (§7.7.2.2, the first of
//! the three policies it allows), because that is what lets a client
//! that reconnects after a network change keep its resource.

use crate::xml::{Element, NS_BIND, NS_CLIENT, NS_STANZAS, Node};

use super::config::{Faults, Rule};
use super::error::StanzaCondition;
use super::reply::set_attr;

/// Most bytes in a resourcepart (RFC 7622 §3.1).
const MAX_RESOURCE: usize = 1023;

/// Failed bind requests a stream may make (RFC 6120 §7.7.3: the first
/// attempt and at least 5, at most 10, retries); the last of them is
/// answered, then the stream closes with `policy-violation`.
pub(super) const MAX_FAILURES: u32 = 6;

/// What the client asked for.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Request {
    /// `<bind/>` without `<resource/>`: the server chooses (§7.6).
    ServerChooses,
    /// `<resource>r</resource>` (§7.7).
    Resource(String),
}

/// Whether `iq` is a bind request at all: the only stanza a client may
/// send between authentication and binding.
pub(super) fn is_bind(iq: &Element) -> bool {
    iq.is(NS_CLIENT, "iq") && iq.child(NS_BIND, "bind").is_some()
}

/// Read a bind request; a malformed one is `bad-request` (§7.7.2.1: a
/// resource the server cannot accept as a resourcepart; §8.2.3: an iq
/// set with an id and exactly one payload).
pub(super) fn parse(iq: &Element, faults: &Faults) -> Result<Request, StanzaCondition> {
    let mut payloads = iq.child_elements();
    let (Some(bind), None) = (payloads.next(), payloads.next()) else {
        return Err(StanzaCondition::BadRequest);
    };
    if iq.attr("type") != Some("set") || iq.attr("id").is_none() || !bind.is(NS_BIND, "bind") {
        return Err(StanzaCondition::BadRequest);
    }
    let mut resources = bind.child_elements().filter(|e| e.is(NS_BIND, "resource"));
    match (resources.next(), resources.next()) {
        (None, None) => Ok(Request::ServerChooses),
        (Some(r), None) => {
            let resource = r.text();
            // RFC 7622 §3.1, §3.4; the fault binds whatever was asked for.
            let valid = faults.breaks(Rule::ResourcePrep)
                || (!resource.is_empty()
                    && resource.len() <= MAX_RESOURCE
                    && !resource.chars().any(char::is_control));
            if valid && faults.breaks(Rule::ResourcePrep) {
                Ok(Request::Resource(resource))
            } else if valid {
                Ok(Request::Resource(map_spaces(&resource)))
            } else {
                Err(StanzaCondition::BadRequest)
            }
        }
        _ => Err(StanzaCondition::BadRequest),
    }
}

/// RFC 7622 §3.4: the resourcepart is an OpaqueString (RFC 8265 §4.2),
/// whose additional mapping rule turns every non-ASCII space (Unicode
/// category Zs) into U+0020, so the bound JID is in canonical form
/// (RFC 6120 §4.3.6). Normalisation to NFC, the profile's other rule,
/// is not done: the crate has no Unicode tables for it.
fn map_spaces(resource: &str) -> String {
    const ZS: [char; 16] = [
        '\u{a0}', '\u{1680}', '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}',
        '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}', '\u{2009}', '\u{200a}', '\u{202f}',
        '\u{205f}', '\u{3000}',
    ];
    resource
        .chars()
        .map(|c| if ZS.contains(&c) { ' ' } else { c })
        .collect()
}

/// The result carrying the bound full JID (§7.6.1).
pub(super) fn result(iq: &Element, jid: &str) -> Element {
    let mut reply = Element::new(NS_CLIENT, "iq");
    if let Some(id) = iq.attr("id") {
        set_attr(&mut reply, "id", id);
    }
    set_attr(&mut reply, "type", "result");
    let mut jid_element = Element::new(NS_BIND, "jid");
    jid_element.children.push(Node::Text(jid.into()));
    let mut bind = Element::new(NS_BIND, "bind");
    bind.children.push(Node::Element(jid_element));
    reply.children.push(Node::Element(bind));
    reply
}

/// The error for a refused request: the request's payload, then the
/// condition (§7.7.2.1).
pub(super) fn error(iq: &Element, condition: StanzaCondition) -> Element {
    let mut reply = Element::new(NS_CLIENT, "iq");
    if let Some(id) = iq.attr("id") {
        set_attr(&mut reply, "id", id);
    }
    set_attr(&mut reply, "type", "error");
    reply.children = iq.children.clone();
    let mut error = Element::new(NS_CLIENT, "error");
    set_attr(&mut error, "type", condition.error_type());
    error.children.push(Node::Element(Element::new(
        NS_STANZAS,
        condition.element_name(),
    )));
    reply.children.push(Node::Element(error));
    reply
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{NamespaceScope, parse_element};

    fn iq(inner: &str, attrs: &str) -> Element {
        let text = format!("<iq xmlns='jabber:client' {attrs}>{inner}</iq>");
        parse_element(text.as_bytes(), &NamespaceScope::new()).expect("test XML")
    }

    fn parse_ok(iq: &Element) -> Result<Request, StanzaCondition> {
        parse(iq, &Faults::default())
    }

    #[test]
    fn requests() {
        let set = "type='set' id='b'";
        let bind = |inner: &str| format!("<bind xmlns='{NS_BIND}'>{inner}</bind>");
        assert_eq!(parse_ok(&iq(&bind(""), set)), Ok(Request::ServerChooses));
        assert_eq!(
            parse_ok(&iq(&bind("<resource>balcony</resource>"), set)),
            Ok(Request::Resource("balcony".into()))
        );
        assert!(is_bind(&iq(&bind(""), set)));
        assert_eq!(
            parse_ok(&iq(&bind("<resource>a&#xA0;b&#x3000;c</resource>"), set)),
            Ok(Request::Resource("a b c".into()))
        );
        for (inner, attrs) in [
            (bind("<resource/>"), set),
            (bind("<resource>a</resource><resource>b</resource>"), set),
            (bind("<resource>a&#x9;b</resource>"), set),
            (bind(""), "type='get' id='b'"),
            (bind(""), "type='set'"),
            (format!("{}<x xmlns='y'/>", bind("")), set),
            (String::new(), set),
        ] {
            assert_eq!(
                parse_ok(&iq(&inner, attrs)),
                Err(StanzaCondition::BadRequest),
                "{inner} {attrs}"
            );
        }
    }

    #[test]
    fn result_carries_the_jid() {
        let request = iq(&format!("<bind xmlns='{NS_BIND}'/>"), "type='set' id='b1'");
        let r = result(&request, "romeo@example.org/x");
        assert_eq!(r.attr("id"), Some("b1"));
        let jid = r
            .child(NS_BIND, "bind")
            .and_then(|b| b.child(NS_BIND, "jid"))
            .map(Element::text);
        assert_eq!(jid.as_deref(), Some("romeo@example.org/x"));
        let e = error(&request, StanzaCondition::BadRequest);
        assert_eq!(e.attr("type"), Some("error"));
    }
}
