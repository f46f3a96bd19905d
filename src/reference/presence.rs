//! Presence from a bound session (RFC 6121 §3, §4): broadcasts to the
//! account's resources and its subscribers, the contacts' presence for a
//! new presence session, directed presence, probes, and the
//! subscription stanzas, whose state changes are
//! [`super::subscription`]'s tables and whose roster pushes are
//! [`super::roster_iq::push`].
//!
//! Every contact is local (no server-to-server): "routing" a stanza to a
//! contact is handing it to that account's inbound processing here.

use crate::xml::{Element, NS_CLIENT};

use super::Shared;
use super::config::Rule;
use super::error::StanzaCondition;
use super::reply::{Sender, error_reply, set_attr};
use super::roster::Item;
use super::roster_push::push;
use super::router::Presence;
use super::subscription::{self, Inbound, Kind, Outbound};

/// Where a presence stanza is addressed: nowhere (a broadcast), or a
/// local account, bare or full.
pub(super) enum Target<'a> {
    Broadcast,
    User {
        local: &'a str,
        resource: Option<&'a str>,
    },
}

/// Handle presence from `sender` (its `from` already stamped); what goes
/// back to the sender itself.
pub(super) fn handle(
    stanza: &Element,
    type_: &str,
    target: Target<'_>,
    sender: &Sender<'_>,
    shared: &Shared,
) -> Vec<Element> {
    let domain = shared.domain.as_str();
    match (target, type_) {
        (Target::Broadcast, "" | "unavailable") => broadcast(stanza, type_, sender, shared),
        // Subscription stanzas, probes and errors to oneself: nothing to do.
        (Target::Broadcast, _) => Vec::new(),
        (Target::User { local, .. }, _) if shared.accounts.lookup(local).is_none() => {
            // RFC 6121 §8.5.1: presence to no such user is ignored; a
            // probe may be answered unsubscribed.
            if type_ == "probe" {
                return vec![unsubscribed_reply(local, sender, domain)];
            }
            Vec::new()
        }
        (Target::User { local, resource }, "" | "unavailable" | "error") => {
            directed(stanza, type_, local, resource, sender, shared);
            Vec::new()
        }
        (Target::User { local, resource }, "probe") => probe(local, resource, sender, shared),
        (Target::User { local, .. }, _) => match Kind::parse(type_) {
            Some(kind) => {
                // §3.1.2: a request to a full JID is handled as sent to
                // the bare JID.
                let contact = format!("{local}@{domain}");
                let mut s = stanza.clone();
                set_attr(&mut s, "to", &contact);
                outbound(sender.local, &contact, kind, &s, shared);
                Vec::new()
            }
            None => error_reply(stanza, StanzaCondition::BadRequest, sender, domain, true)
                .into_iter()
                .collect(),
        },
    }
}

/// Presence without `to` (§4.2.2, §4.4.2, §4.5.2): to the account's own
/// available resources (through the router), to the subscribers, and, for
/// unavailable presence, to those the session sent directed presence to;
/// a session becoming available gets its contacts' presence and the
/// subscription requests waiting for it.
fn broadcast(stanza: &Element, type_: &str, sender: &Sender<'_>, shared: &Shared) -> Vec<Element> {
    let domain = shared.domain.as_str();
    let router = &shared.router;
    let presence = if type_ == "unavailable" {
        Presence::Unavailable
    } else {
        // §4.7.2.3: an integer from -128 to 127, 0 when absent.
        let priority = stanza
            .child(NS_CLIENT, "priority")
            .map(|p| p.text().trim().parse::<i8>());
        match priority {
            None => Presence::Available { priority: 0 },
            Some(Ok(priority)) => Presence::Available { priority },
            Some(Err(_)) => {
                return error_reply(stanza, StanzaCondition::BadRequest, sender, domain, true)
                    .into_iter()
                    .collect();
            }
        }
    };
    let was_available = router.is_available(sender.local, sender.id);
    let mut replies = router.broadcast(sender.local, sender.id, presence, stanza);
    let rosters = &shared.rosters;
    let mut to = if shared.faults.breaks(Rule::PresenceLeak) {
        rosters.contacts(sender.local, |_| true)
    } else {
        rosters.contacts(sender.local, |s| s.from)
    };
    if shared.faults.breaks(Rule::PresenceBroadcast) {
        to.clear();
    }
    if shared.faults.breaks(Rule::DirectedPresence) {
        to.extend(router.directed(sender.local, sender.id));
    }
    if presence == Presence::Unavailable {
        to.extend(router.take_directed(sender.local, sender.id));
    }
    for jid in to {
        send_to(stanza, &jid, shared);
    }
    let available = matches!(presence, Presence::Available { .. });
    if available && !was_available {
        // §4.2.2, §4.3: the contacts' presence, for a new presence
        // session; §3.1.3: requests kept while the account was offline.
        if !shared.faults.breaks(Rule::PresenceProbe) {
            for contact in rosters.contacts(sender.local, |s| s.to) {
                replies.extend(contact_presence(&contact, &sender.full(domain), shared));
            }
        }
        replies.extend(rosters.requests(sender.local));
    }
    replies
}

/// `stanza` to `jid` (bare: its available resources; full: that one).
fn send_to(stanza: &Element, jid: &str, shared: &Shared) {
    let Ok(j) = super::jid::Jid::parse(jid) else {
        return;
    };
    let Some(local) = j.local.as_deref().filter(|_| j.is_at(&shared.domain)) else {
        return;
    };
    let mut s = stanza.clone();
    set_attr(&mut s, "to", jid);
    let _ = match j.resource.as_deref() {
        Some(r) => shared.router.to_full(local, r, &s),
        None => shared.router.to_available(local, &s),
    };
}

/// The last presence of each available resource of `contact` (a bare
/// JID here), addressed to `to` (§4.3.2).
fn contact_presence(contact: &str, to: &str, shared: &Shared) -> Vec<Element> {
    let local = contact.split('@').next().unwrap_or_default();
    let mut out = shared.router.available_presence(local);
    for p in &mut out {
        set_attr(p, "to", to);
    }
    out
}

/// Directed presence (§4.6.3) and presence errors: delivered, and a
/// non-subscriber that got available presence hears when the session
/// goes.
fn directed(
    stanza: &Element,
    type_: &str,
    local: &str,
    resource: Option<&str>,
    sender: &Sender<'_>,
    shared: &Shared,
) {
    let domain = shared.domain.as_str();
    let jid = match resource {
        Some(r) => format!("{local}@{domain}/{r}"),
        None => format!("{local}@{domain}"),
    };
    send_to(stanza, &jid, shared);
    if type_ == "error" {
        return;
    }
    let bare = format!("{local}@{domain}");
    let subscriber = shared.rosters.state(sender.local, &bare).from;
    if !subscriber || type_ == "unavailable" {
        shared
            .router
            .note_directed(sender.local, sender.id, &jid, type_.is_empty());
    }
}

/// A probe from a client (§4.3, §4.3.2): the contact's presence if the
/// prober is a subscriber, else `unsubscribed` from the bare JID.
fn probe(
    local: &str,
    resource: Option<&str>,
    sender: &Sender<'_>,
    shared: &Shared,
) -> Vec<Element> {
    let domain = shared.domain.as_str();
    let contact = format!("{local}@{domain}");
    let authorized = shared.rosters.state(local, &sender.bare(domain)).from;
    if !authorized && !shared.faults.breaks(Rule::ProbeLeak) {
        return vec![unsubscribed_reply(local, sender, domain)];
    }
    let mut found = contact_presence(&contact, &sender.full(domain), shared);
    if let Some(r) = resource {
        let full = format!("{contact}/{r}");
        found.retain(|p| p.attr("from") == Some(full.as_str()));
    }
    if found.is_empty() {
        let mut p = Element::new(NS_CLIENT, "presence");
        set_attr(&mut p, "from", &contact);
        set_attr(&mut p, "to", &sender.full(domain));
        set_attr(&mut p, "type", "unavailable");
        found.push(p);
    }
    found
}

fn unsubscribed_reply(local: &str, sender: &Sender<'_>, domain: &str) -> Element {
    let mut p = Element::new(NS_CLIENT, "presence");
    set_attr(&mut p, "from", &format!("{local}@{domain}"));
    set_attr(&mut p, "to", &sender.full(domain));
    set_attr(&mut p, "type", "unsubscribed");
    p
}

/// `user` sends `kind` to `contact` (a local bare JID): its own state
/// changes and is pushed (Appendix A.2), and the stanza is routed to the
/// contact's inbound processing.
fn outbound(user: &str, contact: &str, kind: Kind, stanza: &Element, shared: &Shared) {
    let state = shared.rosters.state(user, contact);
    outbound_from(user, contact, kind, stanza, state, shared);
}

/// [`outbound`] from a known state: the one a removed item had.
fn outbound_from(
    user: &str,
    contact: &str,
    kind: Kind,
    stanza: &Element,
    state: subscription::State,
    shared: &Shared,
) {
    let rosters = &shared.rosters;
    match subscription::outbound(state, kind) {
        Outbound::Route(new) => {
            // §3.2.2: while still subscribed, the contact hears that the
            // user's resources are gone, then the cancellation.
            if kind == Kind::Unsubscribed && state.from {
                for p in shared.router.available_presence(user) {
                    let mut gone = Element::new(NS_CLIENT, "presence");
                    set_attr(&mut gone, "from", p.attr("from").unwrap_or_default());
                    set_attr(&mut gone, "type", "unavailable");
                    send_to(&gone, contact, shared);
                }
            }
            let changed = match rosters.set_state(user, contact, new, None) {
                Some(changed) => Some(changed),
                // §3.1.2: a request to a contact not yet in the roster
                // adds it, pending.
                // §3.1.5: approving a request adds the requester, who
                // was kept out of the roster until then (§3.1.3).
                None if matches!(kind, Kind::Subscribe | Kind::Subscribed)
                    && rosters.item(user, contact).is_none() =>
                {
                    let mut item = Item::new(contact);
                    item.state = new;
                    let ver = rosters.put(user, item.clone());
                    Some((item, ver))
                }
                None => None,
            };
            if let Some((item, ver)) = changed {
                let silent =
                    kind == Kind::Subscribe && shared.faults.breaks(Rule::SubscriptionPending);
                if !silent {
                    push(user, item.to_element(), ver, shared);
                }
            }
            let from = format!("{user}@{}", shared.domain);
            inbound(kind, stanza, &from, contact, shared);
            // §3.1.5: after approving, the contact gets the user's
            // current presence.
            if kind == Kind::Subscribed {
                for p in shared.router.available_presence(user) {
                    send_to(&p, contact, shared);
                }
            }
        }
        Outbound::PreApprove if shared.faults.breaks(Rule::PreApproval) => {
            let from = format!("{user}@{}", shared.domain);
            inbound(kind, stanza, &from, contact, shared);
        }
        Outbound::PreApprove => {
            if let Some((item, ver)) = rosters.set_approved(user, contact, true) {
                push(user, item.to_element(), ver, shared);
            }
        }
        Outbound::Drop => {
            // §3.2.2: denying cancels a pre-approval.
            let approved = rosters.item(user, contact).is_some_and(|i| i.approved);
            if kind == Kind::Unsubscribed
                && approved
                && let Some((item, ver)) = rosters.set_approved(user, contact, false)
            {
                push(user, item.to_element(), ver, shared);
            }
        }
    }
}

/// `kind` from `from` (a bare JID) reaches the local account `to`
/// (Appendix A.3).
fn inbound(kind: Kind, stanza: &Element, from: &str, to: &str, shared: &Shared) {
    let local = to.split('@').next().unwrap_or_default();
    if shared.accounts.lookup(local).is_none() {
        return; // §8.5.1: ignored.
    }
    let rosters = &shared.rosters;
    let state = rosters.state(local, from);
    let approved = rosters.item(local, from).is_some_and(|i| i.approved);
    let automatic = kind == Kind::Subscribe
        && !state.from
        && (approved || shared.faults.breaks(Rule::AutoApprove));
    if automatic {
        // §3.4.2: a pre-approved request is answered by the server, as
        // if the contact had approved it.
        let mut pending = state;
        pending.pending_in = true;
        rosters.set_state(local, from, pending, Some(stanza));
        let _ = rosters.set_approved(local, from, false);
        let mut reply = Element::new(NS_CLIENT, "presence");
        set_attr(&mut reply, "from", to);
        set_attr(&mut reply, "to", from);
        set_attr(&mut reply, "type", "subscribed");
        outbound(local, from, Kind::Subscribed, &reply, shared);
        return;
    }
    match subscription::inbound(state, kind) {
        Inbound::Ignore => {}
        Inbound::AutoReply => {
            // §3.1.3: already subscribed: "subscribed" on the contact's
            // behalf (the requester's side ignores it if nothing changes).
            let mut reply = Element::new(NS_CLIENT, "presence");
            set_attr(&mut reply, "from", to);
            set_attr(&mut reply, "to", from);
            set_attr(&mut reply, "type", "subscribed");
            inbound(Kind::Subscribed, &reply, to, from, shared);
        }
        Inbound::Deliver(new) if kind == Kind::Subscribe => {
            // §3.1.3: kept whole, delivered to the available resources
            // now or when there is one.
            let delivered = shared.router.to_available(local, stanza);
            let dropped = shared.faults.breaks(Rule::SubscriptionStored)
                && delivered == super::router::Delivered::Nobody;
            if !dropped {
                rosters.set_state(local, from, new, Some(stanza));
            }
        }
        Inbound::Deliver(new) => {
            // §3.1.6, §3.2.3, §3.3.3: delivered to the interested
            // resources first, then the push.
            let _ = shared.router.to_interested_or_available(local, stanza);
            let ignored = match kind {
                Kind::Subscribed => shared.faults.breaks(Rule::SubscriptionApproval),
                _ => shared.faults.breaks(Rule::Cancellation),
            };
            if ignored {
                return;
            }
            if let Some((item, ver)) = rosters.set_state(local, from, new, None) {
                push(local, item.to_element(), ver, shared);
            }
            // §3.3.3: the unsubscribed user hears the contact's resources
            // go.
            if kind == Kind::Unsubscribe && state.from {
                for p in shared.router.available_presence(local) {
                    let mut gone = Element::new(NS_CLIENT, "presence");
                    set_attr(&mut gone, "from", p.attr("from").unwrap_or_default());
                    set_attr(&mut gone, "type", "unavailable");
                    send_to(&gone, from, shared);
                }
            }
        }
    }
}

/// Removing `jid` from `owner`'s roster ends the subscriptions with it
/// (§2.5.2): `unsubscribe` and/or `unsubscribed` on the owner's behalf,
/// from the state the removed item had.
pub(super) fn unsubscribe_on_removal(
    owner: &str,
    jid: &str,
    kind: Kind,
    state: subscription::State,
    shared: &Shared,
) {
    let mut p = Element::new(NS_CLIENT, "presence");
    set_attr(&mut p, "from", &format!("{owner}@{}", shared.domain));
    set_attr(&mut p, "to", jid);
    set_attr(
        &mut p,
        "type",
        match kind {
            Kind::Unsubscribe => "unsubscribe",
            _ => "unsubscribed",
        },
    );
    if jid.ends_with(&format!("@{}", shared.domain)) {
        outbound_from(owner, jid, kind, &p, state, shared);
    }
}
