//! Roster gets and sets (RFC 6121 §2.1.3 to §2.5): the answer to the
//! requesting session, and the pushes to the account's interested
//! resources (§2.1.6). Removing an item with a subscription also ends it
//! (§2.5.2), through [`super::presence`].

use crate::xml::{Element, NS_CLIENT, NS_ROSTER, Node};

use super::Shared;
use super::config::Rule;
use super::error::StanzaCondition;
use super::jid::Jid;
use super::presence;
use super::reply::{Sender, error_reply, set_attr};
use super::roster::Item;
use super::roster_push::push;
use super::subscription::Kind;

/// Whether `iq` is a roster request this module answers.
pub(super) fn is_roster(iq: &Element) -> bool {
    matches!(iq.attr("type"), Some("get" | "set"))
        && iq.child_elements().any(|c| c.is(NS_ROSTER, "query"))
}

/// Answer a roster get or set from `sender`.
pub(super) fn handle(iq: &Element, sender: &Sender<'_>, shared: &Shared) -> Option<Element> {
    let domain = shared.domain.as_str();
    let fail = |condition| error_reply(iq, condition, sender, domain, true);
    // §2, §2.1.5: only the account's own sessions see and change it.
    let own = match iq.attr("to").map(Jid::parse) {
        None => true,
        Some(Ok(j)) => {
            j.resource.is_none() && j.is_at(domain) && j.local.as_deref() == Some(sender.local)
        }
        Some(Err(_)) => return fail(StanzaCondition::JidMalformed),
    };
    let owner = match (own, iq.attr("to").and_then(|t| Jid::parse(t).ok())) {
        (true, _) => sender.local.to_owned(),
        (false, Some(j)) if shared.faults.breaks(Rule::RosterAccess) => j.local?.to_string(),
        (false, _) => return fail(StanzaCondition::Forbidden),
    };
    let query = iq.child(NS_ROSTER, "query")?;
    if iq.attr("type") == Some("get") {
        if own {
            shared.router.set_interested(sender.local, sender.id);
        }
        let (items, ver) = shared.rosters.items(&owner);
        // §2.1.4: no contacts is an empty result; the fault says the
        // roster does not exist.
        if items.is_empty() && shared.faults.breaks(Rule::RosterEmpty) {
            return fail(StanzaCondition::ItemNotFound);
        }
        let mut q = Element::new(NS_ROSTER, "query");
        set_attr(&mut q, "ver", &ver.to_string());
        q.children = items
            .iter()
            .map(|i| Node::Element(i.to_element()))
            .collect();
        return Some(result(iq, Some(q), sender, domain));
    }
    let items: Vec<&Element> = query.child_elements().collect();
    let item = match items.as_slice() {
        [one] => *one,
        [first, ..] if shared.faults.breaks(Rule::RosterOneItem) => *first,
        // §2.1.5, §2.3.3: exactly one item.
        _ => return fail(StanzaCondition::BadRequest),
    };
    let Some(jid) = item
        .attr("jid")
        .and_then(|j| Jid::parse(j).ok())
        .filter(|j| j.resource.is_none())
    else {
        return fail(StanzaCondition::BadRequest);
    };
    let jid = jid.to_string();
    if item.attr("subscription") == Some("remove") {
        return remove(iq, &owner, &jid, sender, shared);
    }
    // §2.3.3: groups must be non-empty and distinct.
    let groups: Vec<String> = item
        .child_elements()
        .filter(|g| g.is(NS_ROSTER, "group"))
        .map(|g| g.text())
        .collect();
    let mut distinct = groups.clone();
    distinct.sort();
    distinct.dedup();
    let bad = groups.iter().any(|g| g.trim().is_empty()) || distinct.len() != groups.len();
    if bad && !shared.faults.breaks(Rule::RosterGroups) {
        return fail(StanzaCondition::NotAcceptable);
    }
    // §2.4.1: the item is replaced whole, except its subscription state,
    // which only presence changes (§2.1.5: 'subscription' is ignored).
    let mut stored = shared
        .rosters
        .item(&owner, &jid)
        .unwrap_or_else(|| Item::new(&jid));
    stored.name = item
        .attr("name")
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    if shared.faults.breaks(Rule::RosterItemWhole) {
        let new: Vec<String> = groups
            .into_iter()
            .filter(|g| !stored.groups.contains(g))
            .collect();
        stored.groups.extend(new);
    } else {
        stored.groups = groups;
    }
    let ver = shared.rosters.put(&owner, stored.clone());
    push(&owner, stored.to_element(), ver, shared);
    Some(result(iq, None, sender, domain))
}

/// §2.5: remove the item, pushed with subscription='remove'; a
/// subscription either way ends with it (§2.5.2).
fn remove(
    iq: &Element,
    owner: &str,
    jid: &str,
    sender: &Sender<'_>,
    shared: &Shared,
) -> Option<Element> {
    let domain = shared.domain.as_str();
    let Some(item) = shared.rosters.item(owner, jid) else {
        if shared.faults.breaks(Rule::RosterItemNotFound) {
            return Some(result(iq, None, sender, domain));
        }
        return error_reply(iq, StanzaCondition::ItemNotFound, sender, domain, true);
    };
    // The item goes first, so the subscription changes below push
    // nothing more (§2.5.2: one push, subscription='remove').
    if let Some((_, ver)) = shared.rosters.remove(owner, jid) {
        push(owner, Item::removed(jid), ver, shared);
    }
    let state = item.state;
    if state.to || state.pending_out {
        presence::unsubscribe_on_removal(owner, jid, Kind::Unsubscribe, state, shared);
    }
    if state.from {
        let mut after = state;
        after.to = false;
        after.pending_out = false;
        presence::unsubscribe_on_removal(owner, jid, Kind::Unsubscribed, after, shared);
    }
    Some(result(iq, None, sender, domain))
}

fn result(iq: &Element, payload: Option<Element>, sender: &Sender<'_>, domain: &str) -> Element {
    let mut reply = Element::new(NS_CLIENT, "iq");
    if let Some(id) = iq.attr("id") {
        set_attr(&mut reply, "id", id);
    }
    set_attr(&mut reply, "type", "result");
    if let Some(from) = iq.attr("to") {
        set_attr(&mut reply, "from", from);
    }
    set_attr(&mut reply, "to", &sender.full(domain));
    reply.children = payload.into_iter().map(Node::Element).collect();
    reply
}
