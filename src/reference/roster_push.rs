//! Roster pushes (RFC 6121 §2.1.6), apart from the roster requests and the
//! presence handling that both send them, so neither depends on the other.

use crate::xml::{Element, NS_CLIENT, NS_ROSTER, Node};

use super::Shared;
use super::config::Rule;
use super::reply::set_attr;

/// A roster push of `item` to `local`'s interested resources (§2.1.6):
/// an iq set from no one (the account itself), with the roster version.
pub(super) fn push(local: &str, item: Element, ver: u64, shared: &Shared) {
    if shared.faults.breaks(Rule::RosterPush) {
        return;
    }
    let mut iq = Element::new(NS_CLIENT, "iq");
    set_attr(&mut iq, "type", "set");
    set_attr(&mut iq, "id", &format!("push-{ver}"));
    let mut q = Element::new(NS_ROSTER, "query");
    set_attr(&mut q, "ver", &ver.to_string());
    q.children.push(Node::Element(item));
    iq.children.push(Node::Element(q));
    shared.router.to_interested(local, &iq);
}
