//! Rosters (RFC 6121 §2), in memory, one per account, shared by every
//! session of the server: the items with their subscription state
//! ([`State`]), the stored inbound subscription requests (§3.1.3: kept
//! whole until the contact answers, even without a roster item), the
//! pre-approvals (§3.4) and a version counter for `ver` (§2.6).
//!
//! The lock is never held across an await; every method is one short
//! critical section.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use crate::xml::{Attribute, Element, NS_ROSTER, Node};

use super::subscription::State;

/// Set the unprefixed attribute `name` (items are built fresh: no
/// earlier value to replace).
fn set_attr(element: &mut Element, name: &str, value: &str) {
    element.attrs.push(Attribute {
        ns: None,
        name: name.into(),
        value: value.into(),
    });
}

/// One contact in a roster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Item {
    /// The contact's bare JID.
    pub jid: String,
    pub name: Option<String>,
    pub groups: Vec<String>,
    pub state: State,
    /// A pre-approval of the contact's future request (§3.4).
    pub approved: bool,
}

impl Item {
    pub fn new(jid: &str) -> Item {
        Item {
            jid: jid.to_owned(),
            ..Item::default()
        }
    }

    /// `<item/>` as a roster result or push carries it (§2.1.2).
    pub fn to_element(&self) -> Element {
        let mut e = Element::new(NS_ROSTER, "item");
        set_attr(&mut e, "jid", &self.jid);
        if let Some(name) = &self.name {
            set_attr(&mut e, "name", name);
        }
        set_attr(&mut e, "subscription", self.state.attribute());
        if self.state.pending_out {
            set_attr(&mut e, "ask", "subscribe");
        }
        if self.approved {
            set_attr(&mut e, "approved", "true");
        }
        for g in &self.groups {
            let mut group = Element::new(NS_ROSTER, "group");
            group.children.push(Node::Text(g.as_str().into()));
            e.children.push(Node::Element(group));
        }
        e
    }

    /// The removed item, as the push announcing it carries it (§2.5.2).
    pub fn removed(jid: &str) -> Element {
        let mut e = Element::new(NS_ROSTER, "item");
        set_attr(&mut e, "jid", jid);
        set_attr(&mut e, "subscription", "remove");
        e
    }
}

#[derive(Default)]
struct Account {
    items: BTreeMap<String, Item>,
    /// Inbound requests, whole, by the requester's bare JID (§3.1.3).
    requests: BTreeMap<String, Element>,
    version: u64,
}

/// Every account's roster.
#[derive(Default)]
pub(super) struct Rosters {
    accounts: Mutex<HashMap<String, Account>>,
}

impl Rosters {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Account>> {
        self.accounts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The items of `local`'s roster, in JID order, and its version.
    pub fn items(&self, local: &str) -> (Vec<Item>, u64) {
        let accounts = self.lock();
        match accounts.get(local) {
            Some(a) => (a.items.values().cloned().collect(), a.version),
            None => (Vec::new(), 0),
        }
    }

    /// `local`'s item for `jid`, if any.
    pub fn item(&self, local: &str, jid: &str) -> Option<Item> {
        self.lock().get(local)?.items.get(jid).cloned()
    }

    /// `local`'s state towards `jid`: the item's, with "Pending In" when
    /// a request is stored (it may have no item, §A.1).
    pub fn state(&self, local: &str, jid: &str) -> State {
        let accounts = self.lock();
        let Some(a) = accounts.get(local) else {
            return State::default();
        };
        let mut s = a.items.get(jid).map(|i| i.state).unwrap_or_default();
        s.pending_in = a.requests.contains_key(jid);
        s
    }

    /// Store `item` (added or replaced whole, §2.4.1); the new version.
    pub fn put(&self, local: &str, mut item: Item) -> u64 {
        let mut accounts = self.lock();
        let a = accounts.entry(local.to_owned()).or_default();
        item.state.pending_in = a.requests.contains_key(&item.jid);
        a.items.insert(item.jid.clone(), item);
        a.version += 1;
        a.version
    }

    /// Remove `local`'s item for `jid`; the item and the new version.
    pub fn remove(&self, local: &str, jid: &str) -> Option<(Item, u64)> {
        let mut accounts = self.lock();
        let a = accounts.get_mut(local)?;
        let item = a.items.remove(jid)?;
        a.version += 1;
        Some((item, a.version))
    }

    /// Set `local`'s state towards `jid` to `state` and keep or drop the
    /// stored request with it. Returns the item (if there is one) and the
    /// new version when the item changed.
    pub fn set_state(
        &self,
        local: &str,
        jid: &str,
        state: State,
        request: Option<&Element>,
    ) -> Option<(Item, u64)> {
        let mut accounts = self.lock();
        let a = accounts.entry(local.to_owned()).or_default();
        match (state.pending_in, request) {
            (true, Some(r)) => {
                a.requests.insert(jid.to_owned(), r.clone());
            }
            (true, None) => {}
            (false, _) => {
                a.requests.remove(jid);
            }
        }
        let item = a.items.get_mut(jid)?;
        if item.state == state {
            return None;
        }
        item.state = state;
        let item = item.clone();
        a.version += 1;
        Some((item, a.version))
    }

    /// Set or clear the pre-approval of `jid` (§3.4.2), creating an item
    /// in state "None" if there is none; the item and the new version
    /// when it changed.
    pub fn set_approved(&self, local: &str, jid: &str, approved: bool) -> Option<(Item, u64)> {
        let mut accounts = self.lock();
        let a = accounts.entry(local.to_owned()).or_default();
        let item = a
            .items
            .entry(jid.to_owned())
            .or_insert_with(|| Item::new(jid));
        if item.approved == approved {
            return None;
        }
        item.approved = approved;
        let item = item.clone();
        a.version += 1;
        Some((item, a.version))
    }

    /// The requests stored for `local`, to deliver when it becomes
    /// available (§3.1.3).
    pub fn requests(&self, local: &str) -> Vec<Element> {
        let accounts = self.lock();
        accounts
            .get(local)
            .map(|a| a.requests.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The bare JIDs in `local`'s roster whose state satisfies `pick`.
    pub fn contacts(&self, local: &str, pick: impl Fn(State) -> bool) -> Vec<String> {
        let accounts = self.lock();
        let Some(a) = accounts.get(local) else {
            return Vec::new();
        };
        a.items
            .values()
            .filter(|i| pick(i.state))
            .map(|i| i.jid.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_stored_whole_and_versions_grow() {
        let r = Rosters::default();
        let mut item = Item::new("juliet@example.com");
        item.name = Some("Juliet".into());
        item.groups = vec!["Friends".into()];
        let v1 = r.put("romeo", item.clone());
        assert_eq!(r.items("romeo"), (vec![item.clone()], v1));
        item.groups.clear();
        let v2 = r.put("romeo", item.clone());
        assert!(v2 > v1);
        assert_eq!(r.item("romeo", "juliet@example.com"), Some(item));
        assert!(r.remove("romeo", "juliet@example.com").is_some());
        assert!(r.remove("romeo", "juliet@example.com").is_none());
        assert_eq!(r.items("romeo").0, Vec::new());
    }

    #[test]
    fn a_request_is_kept_without_an_item_until_answered() {
        let r = Rosters::default();
        let request = Element::new(crate::xml::NS_CLIENT, "presence");
        let pending = State {
            pending_in: true,
            ..State::default()
        };
        assert_eq!(
            r.set_state("juliet", "romeo@x", pending, Some(&request)),
            None
        );
        assert_eq!(r.state("juliet", "romeo@x"), pending);
        assert_eq!(r.requests("juliet").len(), 1);
        assert!(
            r.item("juliet", "romeo@x").is_none(),
            "no item before approval"
        );
        r.set_state("juliet", "romeo@x", State::default(), None);
        assert!(r.requests("juliet").is_empty());
    }

    #[test]
    fn item_xml_names_state_and_pending() {
        let mut item = Item::new("juliet@example.com");
        item.state.pending_out = true;
        let e = item.to_element();
        assert_eq!(e.attr("subscription"), Some("none"));
        assert_eq!(e.attr("ask"), Some("subscribe"));
        assert_eq!(Item::removed("x@y").attr("subscription"), Some("remove"));
    }
}
