//! Stanzas from a bound session (RFC 6120 §8, §10; RFC 6121 §8.5): the
//! `from` stamp, the checks that earn a stanza error, and where each one
//! goes — another session through the [`Router`], the server itself
//! ([`super::iq`]), or back to the sender as an error.
//!
//! No error is ever answered with an error (RFC 6120 §8.3.1).

use crate::xml::{Attribute, Element, NS_CLIENT, NS_XML, Node};

use super::Shared;
use super::config::Rule;
use super::error::StanzaCondition;
use super::iq;
use super::jid::Jid;
use super::presence::{self, Target};
use super::reply::{Sender, error_reply, set_attr};
use super::roster_iq;
use super::router::Delivered;

/// Where the stanza is addressed, once `to` is parsed.
enum To {
    /// No `to`, or the sender's own bare JID: the server acts for the
    /// account (RFC 6120 §10.3).
    OwnAccount,
    /// The server's domain (with or without a resource).
    Server,
    /// A bare JID at this domain.
    Bare(String),
    /// A full JID at this domain.
    Full(String, String),
    /// Another domain: no server-to-server here.
    Remote,
}

/// Handle one `message`, `presence` or `iq` from `sender`; returns what
/// goes back to the sender itself (errors, the server's iq answers,
/// presence of its other resources). Routed stanzas go through the router,
/// also when the recipient is the sender.
pub(super) fn handle(stanza: Element, sender: &Sender<'_>, shared: &Shared) -> Vec<Element> {
    let kind = stanza.name.clone();
    let id = stanza.attr("id").map(str::to_owned);
    let without_to = stanza.attr("to").is_none();
    let mut replies = route(stanza, sender, shared);
    let faults = &shared.faults;
    for reply in replies.iter_mut().filter(|r| r.name == kind) {
        let answers = reply.attr("id") == id.as_deref();
        // RFC 6120 §8.3.1: the error keeps the id; the fault drops it.
        let error = reply.attr("type") == Some("error");
        if answers && kind != "iq" && error && faults.breaks(Rule::ErrorId) {
            reply.attrs.retain(|a| !(a.ns.is_none() && a.name == "id"));
        }
        // §8.1.2.1, §10.3.3: an answer for the account comes from no one
        // or its bare JID; the fault signs it with the domain.
        if answers && kind == "iq" && without_to && faults.breaks(Rule::AccountReplyFrom) {
            set_attr(reply, "from", &shared.domain);
        }
    }
    replies
}

/// What [`handle`] does, before the faults that touch the replies.
fn route(mut stanza: Element, sender: &Sender<'_>, shared: &Shared) -> Vec<Element> {
    let domain = shared.domain.as_str();
    let kind = stanza.name.clone();
    let kind = kind.as_str();
    let type_ = stanza.attr("type").unwrap_or_default().to_owned();
    // §8.1.4, §8.2.3; the fault takes any type for a known one.
    if !type_is_valid(kind, &type_) && !shared.faults.breaks(Rule::StanzaType) {
        return bounce(&stanza, StanzaCondition::BadRequest, sender, domain, true);
    }
    // §8.4: an iq payload is known by its namespace, never its prefix;
    // the fault knows only unprefixed ones.
    let prefixed = stanza.child_elements().any(|c| c.prefix.is_some());
    if kind == "iq" && prefixed && shared.faults.breaks(Rule::PrefixDependent) {
        let condition = StanzaCondition::ServiceUnavailable;
        return bounce(&stanza, condition, sender, domain, true);
    }
    // §8.4: what a message or presence carries in an unknown namespace is
    // ignored; the fault refuses the stanza for it.
    let extended = stanza.child_elements().any(|c| c.ns != NS_CLIENT);
    if kind != "iq" && extended && shared.faults.breaks(Rule::UnknownExtension) {
        return bounce(&stanza, StanzaCondition::BadRequest, sender, domain, true);
    }
    let to = match stanza.attr("to").map(Jid::parse) {
        None => To::OwnAccount,
        // RFC 6120 §8.3.3.8; the fault takes the address for one that
        // does not exist.
        Some(Err(_)) if shared.faults.breaks(Rule::JidMalformed) => {
            return bounce(
                &stanza,
                StanzaCondition::ServiceUnavailable,
                sender,
                domain,
                false,
            );
        }
        Some(Err(_)) => {
            return bounce(
                &stanza,
                StanzaCondition::JidMalformed,
                sender,
                domain,
                false,
            );
        }
        // RFC 7622 §3.3.1: localparts compare after case mapping; the
        // fault compares them as written.
        Some(Ok(mut jid)) => {
            if !shared.faults.breaks(Rule::JidCase) {
                jid.local = jid.local.map(|l| l.to_lowercase());
            }
            classify(jid, sender, domain)
        }
    };
    // RFC 6120 §8.1.2.1: the server adds or overrides 'from'; RFC 6121
    // §3: subscription requests carry the bare JID.
    if !shared.faults.breaks(Rule::StampFrom) {
        let bare = !shared.faults.breaks(Rule::SubscriptionFromBare);
        let from = if kind == "presence" && is_subscription(&type_) && bare {
            sender.bare(domain)
        } else {
            sender.full(domain)
        };
        set_attr(&mut stanza, "from", &from);
    }
    // §8.1.5: xml:lang goes on as the sender wrote it; the fault drops it.
    if shared.faults.breaks(Rule::StanzaLang) {
        stanza
            .attrs
            .retain(|a| !(a.ns.as_deref() == Some(NS_XML) && a.name == "lang"));
    }
    // §4.7.4: a language added is the sender's stream's, never the
    // server's own; the fault adds its own where there is none.
    let has_lang = stanza
        .attrs
        .iter()
        .any(|a| a.ns.as_deref() == Some(NS_XML) && a.name == "lang");
    if !has_lang && shared.faults.breaks(Rule::OwnLang) {
        stanza.attrs.push(Attribute {
            ns: Some(NS_XML.into()),
            name: "lang".into(),
            value: "en".into(),
        });
    }
    // §8.4: extended content is routed as it is; the fault strips what
    // is not jabber:client.
    if shared.faults.breaks(Rule::ExtendedContent) {
        stanza
            .children
            .retain(|c| !matches!(c, Node::Element(e) if e.ns != NS_CLIENT));
    }
    let exists = |local: &str| shared.accounts.lookup(local).is_some();
    let router = &shared.router;
    // An existing account whose addressed resource is not there (§10.5.3.2).
    let offline = matches!(&to, To::Full(l, _) | To::Bare(l) if exists(l));
    let without_to = stanza.attr("to").is_none();
    let outcome = match (kind, to) {
        ("iq", To::OwnAccount | To::Bare(_)) if roster_iq::is_roster(&stanza) => {
            return roster_iq::handle(&stanza, sender, shared)
                .into_iter()
                .collect();
        }
        ("iq", To::OwnAccount | To::Server) => {
            return iq::answer(&stanza, sender, shared).into_iter().collect();
        }
        ("iq", To::Bare(local)) if exists(&local) => {
            return iq::answer(&stanza, sender, shared).into_iter().collect();
        }
        ("iq", To::Full(local, resource)) => router.to_full(&local, &resource, &stanza),
        // §10.3.1: as if to the sender's bare JID; the fault takes it as
        // addressed to the server.
        ("message", To::OwnAccount)
            if without_to && shared.faults.breaks(Rule::MessageWithoutTo) =>
        {
            Delivered::Nobody
        }
        ("message", To::OwnAccount) => message_to_bare(sender.local, &stanza, &type_, shared),
        ("message", To::Bare(local)) if exists(&local) => {
            message_to_bare(&local, &stanza, &type_, shared)
        }
        ("message", To::Full(local, resource)) if exists(&local) => {
            match router.to_full(&local, &resource, &stanza) {
                // RFC 6121 §8.5.3.2.1: no such resource: chat as if to
                // the bare JID; normal, groupchat and headline bounce.
                Delivered::Nobody if type_ == "chat" => {
                    message_to_bare(&local, &stanza, &type_, shared)
                }
                other => other,
            }
        }
        ("presence", To::Server) => return Vec::new(),
        ("presence", To::OwnAccount) => {
            return presence::handle(&stanza, &type_, Target::Broadcast, sender, shared);
        }
        ("presence", To::Bare(local)) => {
            let target = Target::User {
                local: &local,
                resource: None,
            };
            return presence::handle(&stanza, &type_, target, sender, shared);
        }
        ("presence", To::Full(local, resource)) => {
            let target = Target::User {
                local: &local,
                resource: Some(&resource),
            };
            return presence::handle(&stanza, &type_, target, sender, shared);
        }
        // §10.4.3; the fault drops the stanza without a word.
        (_, To::Remote) if shared.faults.breaks(Rule::RemoteDomain) => return Vec::new(),
        (_, To::Remote) => {
            return bounce(
                &stanza,
                StanzaCondition::RemoteServerNotFound,
                sender,
                domain,
                true,
            );
        }
        // §10.5.3.1: an iq to an account that does not exist gets
        // service-unavailable, like any; the fault says item-not-found,
        // which tells the account is missing (§13.11).
        ("iq", _) if shared.faults.breaks(Rule::NoSuchUser) => {
            return bounce(&stanza, StanzaCondition::ItemNotFound, sender, domain, true);
        }
        // A message to the server itself, or anything to an account that
        // does not exist (RFC 6121 §8.5.1, RFC 6120 §10.5.3.1 for iq).
        _ => Delivered::Nobody,
    };
    match outcome {
        Delivered::Yes => Vec::new(),
        Delivered::Nobody if kind == "message" && type_ == "headline" => Vec::new(),
        // §8.3.3.19, §13.10.2: the condition must not tell whether the
        // account is online; the fault's does.
        Delivered::Nobody if offline && shared.faults.breaks(Rule::AvailabilityLeak) => {
            let condition = if kind == "iq" {
                StanzaCondition::ItemNotFound
            } else {
                StanzaCondition::RecipientUnavailable
            };
            bounce(&stanza, condition, sender, domain, true)
        }
        Delivered::Nobody => bounce(
            &stanza,
            StanzaCondition::ServiceUnavailable,
            sender,
            domain,
            true,
        ),
        Delivered::Full => bounce(
            &stanza,
            StanzaCondition::ResourceConstraint,
            sender,
            domain,
            true,
        ),
    }
}

/// RFC 6121 §8.5.2: groupchat to a user is refused; headline goes to every
/// available session; normal and chat to the best one.
fn message_to_bare(local: &str, stanza: &Element, type_: &str, shared: &Shared) -> Delivered {
    match type_ {
        "groupchat" if !shared.faults.breaks(Rule::GroupchatToBare) => Delivered::Nobody,
        "headline" => shared.router.message_to_bare(local, stanza, true),
        _ => shared.router.message_to_bare(local, stanza, false),
    }
}

fn classify(jid: Jid, sender: &Sender<'_>, domain: &str) -> To {
    if !jid.is_at(domain) {
        return To::Remote;
    }
    match (jid.local, jid.resource) {
        (None, _) => To::Server,
        (Some(local), None) if local == sender.local => To::OwnAccount,
        (Some(local), None) => To::Bare(local),
        (Some(local), Some(resource)) => To::Full(local, resource),
    }
}

/// RFC 6120 §8.2.3, RFC 6121 §4.7.1 and §5.2.2. An unknown message type is
/// `normal` (RFC 6121 §5.2.2), so every message type passes.
fn type_is_valid(kind: &str, type_: &str) -> bool {
    match kind {
        "iq" => matches!(type_, "get" | "set" | "result" | "error"),
        "presence" => matches!(
            type_,
            "" | "error"
                | "probe"
                | "subscribe"
                | "subscribed"
                | "unavailable"
                | "unsubscribe"
                | "unsubscribed"
        ),
        _ => true,
    }
}

fn is_subscription(type_: &str) -> bool {
    matches!(
        type_,
        "subscribe" | "subscribed" | "unsubscribe" | "unsubscribed"
    )
}

/// The error reply to `stanza`, as a list (empty when `stanza` is itself
/// an error). `echo_to`: the error comes from the stanza's `to`, unless
/// that was malformed.
pub(super) fn bounce(
    stanza: &Element,
    condition: StanzaCondition,
    sender: &Sender<'_>,
    domain: &str,
    echo_to: bool,
) -> Vec<Element> {
    error_reply(stanza, condition, sender, domain, echo_to)
        .into_iter()
        .collect()
}

#[cfg(test)]
#[path = "stanza_tests.rs"]
mod tests;
