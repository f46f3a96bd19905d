//! The iq requests the server answers itself (RFC 6120 §8.2.3, §10.3.3):
//! addressed to its domain, to the sender's account (no `to`), or to an
//! account's bare JID, which the server answers for.
//!
//! It knows ping (XEP-0199), software version (XEP-0092), service
//! discovery of itself (XEP-0030, so a client can find the other two) and
//! the obsolete session request (RFC 3921 §3, still sent by old clients;
//! RFC 6121 Appendix E: answer it with success). Everything else get or
//! set is `service-unavailable` (RFC 6120 §8.4, §8.3.3.19); results and
//! errors are never answered (§8.2.3).

use crate::xml::{
    Element, NS_BIND, NS_CLIENT, NS_DISCO_INFO, NS_PING, NS_SESSION, NS_VERSION, Node,
};

use super::Shared;
use super::config::Rule;
use super::error::StanzaCondition;
use super::jid::Jid;
use super::reply::{Sender, error_reply, set_attr};

/// The server's answer to `iq`, if it gets one.
pub(super) fn answer(iq: &Element, sender: &Sender<'_>, shared: &Shared) -> Option<Element> {
    let type_ = iq.attr("type").unwrap_or_default();
    // §8.2.3: a result or an error is never answered; the fault answers
    // it as if it had been a request.
    if !matches!(type_, "get" | "set") && shared.faults.breaks(Rule::NoReplyToResponse) {
        let mut asked = iq.clone();
        set_attr(&mut asked, "type", "get");
        let domain = shared.domain.as_str();
        return error_reply(
            &asked,
            StanzaCondition::ServiceUnavailable,
            sender,
            domain,
            true,
        );
    }
    if !matches!(type_, "get" | "set") {
        return None;
    }
    let domain = shared.domain.as_str();
    let fail = |condition| error_reply(iq, condition, sender, domain, true);
    // §8.2.3: a request has an id and exactly one payload.
    let mut payloads = iq.child_elements();
    let (Some(payload), None, Some(_)) = (payloads.next(), payloads.next(), iq.attr("id")) else {
        return fail(StanzaCondition::BadRequest);
    };
    // Addressed to an account (its bare JID): only ping is answered for
    // it; the rest describes the server.
    let for_account = iq
        .attr("to")
        .and_then(|to| Jid::parse(to).ok())
        .is_some_and(|j| j.local.is_some());
    let known = (type_, payload.ns.as_str(), payload.name.as_str());
    let result = match known {
        ("get", NS_PING, "ping") => Some(Vec::new()),
        ("get", NS_VERSION, "query") if !for_account => Some(vec![version()]),
        ("get", NS_DISCO_INFO, "query") if !for_account && payload.attr("node").is_none() => {
            Some(vec![disco_info()])
        }
        ("set", NS_SESSION, "session") => Some(Vec::new()),
        // Bound already: one resource per stream (RFC 6120 §7.7).
        ("set", NS_BIND, "bind") => return fail(StanzaCondition::NotAllowed),
        _ => None,
    };
    match result {
        Some(children) => Some(result_reply(iq, children, sender, shared)),
        None if shared.faults.breaks(Rule::IqErrors) => None,
        None => fail(StanzaCondition::ServiceUnavailable),
    }
}

fn result_reply(
    iq: &Element,
    children: Vec<Element>,
    sender: &Sender<'_>,
    shared: &Shared,
) -> Element {
    let domain = shared.domain.as_str();
    let mut reply = Element::new(NS_CLIENT, "iq");
    if let Some(id) = iq.attr("id") {
        // §8.2.3: the response carries the request's id; the fault
        // answers with another one.
        if shared.faults.breaks(Rule::IqResponseId) {
            set_attr(&mut reply, "id", &format!("{id}-other"));
        } else {
            set_attr(&mut reply, "id", id);
        }
    }
    set_attr(&mut reply, "type", "result");
    // §8.1.2.1: the reply comes from the address asked; the fault leaves
    // 'from' out.
    if let Some(from) = iq
        .attr("to")
        .filter(|_| !shared.faults.breaks(Rule::ReplyFrom))
    {
        set_attr(&mut reply, "from", from);
    }
    set_attr(
        &mut reply,
        "to",
        &format!("{}@{domain}/{}", sender.local, sender.resource),
    );
    reply.children = children.into_iter().map(Node::Element).collect();
    reply
}

fn text_child(ns: &str, name: &str, text: &str) -> Node {
    let mut e = Element::new(ns, name);
    e.children.push(Node::Text(text.into()));
    Node::Element(e)
}

/// XEP-0092 §2: name and version; the OS is left out (§3: a privacy
/// matter, and OPTIONAL).
fn version() -> Element {
    let mut q = Element::new(NS_VERSION, "query");
    q.children = vec![
        text_child(NS_VERSION, "name", "xmpp-conform reference server"),
        text_child(NS_VERSION, "version", env!("CARGO_PKG_VERSION")),
    ];
    q
}

/// XEP-0030 §3.1: a server identity and the features answered here.
fn disco_info() -> Element {
    let mut q = Element::new(NS_DISCO_INFO, "query");
    let mut identity = Element::new(NS_DISCO_INFO, "identity");
    set_attr(&mut identity, "category", "server");
    set_attr(&mut identity, "type", "im");
    set_attr(&mut identity, "name", "xmpp-conform reference server");
    q.children.push(Node::Element(identity));
    for var in [NS_DISCO_INFO, NS_PING, NS_VERSION] {
        let mut feature = Element::new(NS_DISCO_INFO, "feature");
        set_attr(&mut feature, "var", var);
        q.children.push(Node::Element(feature));
    }
    q
}
