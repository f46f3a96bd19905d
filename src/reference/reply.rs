//! What every stanza handler of the reference server shares: who sent the
//! stanza, and the stanza error reply (RFC 6120 §8.3). Apart from
//! `stanza.rs` so that the routing (`stanza.rs`) and the server's own iq
//! answers (`iq.rs`) both use it without depending on each other.

use crate::xml::{Attribute, Element, NS_CLIENT, NS_STANZAS, Node};

use super::error::StanzaCondition;
use super::router::SessionId;

/// The session a stanza came from.
pub(super) struct Sender<'a> {
    pub id: SessionId,
    pub local: &'a str,
    pub resource: &'a str,
}

impl Sender<'_> {
    pub(super) fn full(&self, domain: &str) -> String {
        format!("{}@{domain}/{}", self.local, self.resource)
    }

    pub(super) fn bare(&self, domain: &str) -> String {
        format!("{}@{domain}", self.local)
    }
}

/// RFC 6120 §8.3.1: same kind and id, `type='error'`, `from` the original
/// `to`, the original payload, then `<error/>`. Nothing for an error, nor
/// for an iq result (§8.2.3: a response is never answered).
pub(super) fn error_reply(
    stanza: &Element,
    condition: StanzaCondition,
    sender: &Sender<'_>,
    domain: &str,
    echo_to: bool,
) -> Option<Element> {
    match (stanza.name.as_str(), stanza.attr("type")) {
        (_, Some("error")) | ("iq", Some("result")) => return None,
        _ => {}
    }
    let mut reply = Element::new(NS_CLIENT, stanza.name.clone());
    if let Some(id) = stanza.attr("id") {
        set_attr(&mut reply, "id", id);
    }
    set_attr(&mut reply, "type", "error");
    if let Some(from) = stanza.attr("to").filter(|_| echo_to) {
        set_attr(&mut reply, "from", from);
    }
    set_attr(&mut reply, "to", &sender.full(domain));
    reply.children = stanza.children.clone();
    let mut error = Element::new(NS_CLIENT, "error");
    set_attr(&mut error, "type", condition.error_type());
    error.children.push(Node::Element(Element::new(
        NS_STANZAS,
        condition.element_name(),
    )));
    reply.children.push(Node::Element(error));
    Some(reply)
}

/// Set the unprefixed attribute `name`, replacing any earlier value.
pub(super) fn set_attr(element: &mut Element, name: &str, value: &str) {
    element
        .attrs
        .retain(|a| !(a.ns.is_none() && a.name == name));
    element.attrs.push(Attribute {
        ns: None,
        name: name.into(),
        value: value.into(),
    });
}
