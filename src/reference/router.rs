//! Who is connected, and where a stanza for a local JID goes.
//!
//! One table of bound sessions, by account, shared by every connection.
//! Each session has a bounded inbox (stanzas routed to it, written out by
//! its own task) and a kick switch (its resource was taken over). The
//! table's lock is never held across an await: delivering is `try_send`,
//! and a full inbox is the sender's `resource-constraint`.
//!
//! The choices of RFC 6121 §8.5 that the server makes, without rosters:
//!
//! - A full JID goes to that session.
//! - A message to a bare JID goes to the one session with the highest
//!   priority, the most recently active among equals (§8.5.2.1.1 lets the
//!   server pick); `headline` goes to all of them (§8.5.2.1.2). Sessions
//!   with negative priority or unavailable presence get none. A bound
//!   session that sent no presence counts as priority 0: scenarios log in
//!   without presence, and there is no offline storage to fall back on.
//! - Presence to a bare JID goes to every session of the account.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{mpsc, oneshot};

use crate::xml::{Attribute, Element};

use super::config::{Faults, Rule};
use super::jid::Jid;
use super::roster::Rosters;

/// A connection's number, unique for the server's life.
pub(super) type SessionId = u64;

/// What a session last said about itself (RFC 6121 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Presence {
    /// Bound, no presence sent: treated as available at priority 0.
    Silent,
    Available {
        priority: i8,
    },
    Unavailable,
}

/// How a stanza for a JID fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Delivered {
    /// Queued for at least one session.
    Yes,
    /// No session to take it.
    Nobody,
    /// The recipient's inbox is full.
    Full,
}

/// A session registered under a full JID, as its task holds it.
pub(super) struct Bound {
    pub resource: String,
    /// Unregisters the session when dropped.
    pub registration: Registration,
    pub inbox: mpsc::Receiver<Element>,
    /// Fires when another session took the resource over.
    pub kicked: oneshot::Receiver<()>,
}

pub(super) struct Router {
    domain: String,
    table: Mutex<Table>,
    next_id: AtomicU64,
    /// Whom a session that goes away without unavailable presence is
    /// announced to besides its own account: subscribers (RFC 6121
    /// §4.5.2) and those it sent directed presence to (§4.6.3).
    rosters: Arc<Rosters>,
    faults: Faults,
}

#[derive(Default)]
struct Table {
    users: HashMap<String, Vec<Entry>>,
    /// Ticks on every bind and presence: "most recently active".
    clock: u64,
}

struct Entry {
    id: SessionId,
    resource: String,
    inbox: mpsc::Sender<Element>,
    kick: Option<oneshot::Sender<()>>,
    presence: Presence,
    /// The last available presence it broadcast, for resources that come
    /// online later (RFC 6121 §4.2.2).
    last_presence: Option<Element>,
    active: u64,
    /// It asked for the roster: it gets roster pushes (RFC 6121 §2.2).
    interested: bool,
    /// JIDs it sent directed available presence to, not subscribers:
    /// they hear when it goes (RFC 6121 §4.6.3).
    directed: BTreeSet<String>,
}

impl Entry {
    fn priority(&self) -> Option<i8> {
        match self.presence {
            Presence::Silent => Some(0),
            Presence::Available { priority } => Some(priority).filter(|p| *p >= 0),
            Presence::Unavailable => None,
        }
    }
}

impl Router {
    #[cfg(test)]
    pub fn new(domain: &str) -> Self {
        Router::with_rosters(domain, Arc::default(), Faults::default())
    }

    /// A router that announces departures to subscribers in `rosters`.
    pub fn with_rosters(domain: &str, rosters: Arc<Rosters>, faults: Faults) -> Self {
        Router {
            domain: domain.to_owned(),
            table: Mutex::new(Table::default()),
            next_id: AtomicU64::new(1),
            rosters,
            faults,
        }
    }

    pub fn new_session_id(&self) -> SessionId {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// A poisoned lock only means another task panicked mid-update; the
    /// table stays usable (every update leaves it consistent).
    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Register session `id` of `local` under `resource`, or a resource
    /// of the server's making (RFC 6120 §7.6). A session already bound to
    /// the resource is taken over (§7.7.2.2, the first policy) and kicked.
    pub fn bind(
        self: &Arc<Self>,
        id: SessionId,
        local: &str,
        resource: Option<&str>,
        queue_len: usize,
    ) -> Bound {
        let (tx, inbox) = mpsc::channel(queue_len.max(1));
        let (kick, kicked) = oneshot::channel();
        let mut table = self.table();
        let resource = match resource {
            Some(r) => r.to_owned(),
            None => table.fresh_resource(local, id),
        };
        if let Some(mut old) = table.remove_resource(local, &resource) {
            if let Some(kick) = old.kick.take() {
                let _ = kick.send(());
            }
            self.announce_gone(&table, local, &old);
        }
        table.clock += 1;
        let entry = Entry {
            id,
            resource: resource.clone(),
            inbox: tx,
            kick: Some(kick),
            presence: Presence::Silent,
            last_presence: None,
            active: table.clock,
            interested: false,
            directed: BTreeSet::new(),
        };
        table.users.entry(local.to_owned()).or_default().push(entry);
        Bound {
            resource,
            registration: Registration {
                router: Arc::clone(self),
                local: local.to_owned(),
                id,
            },
            inbox,
            kicked,
        }
    }

    /// Deliver to the session bound to `local/resource`.
    pub fn to_full(&self, local: &str, resource: &str, stanza: &Element) -> Delivered {
        let table = self.table();
        let Some(entry) = table
            .sessions(local)
            .iter()
            .find(|e| e.resource == resource)
        else {
            return Delivered::Nobody;
        };
        offer(&entry.inbox, stanza)
    }

    /// A message to `local`'s bare JID (module docs): one session, or all
    /// of them for `all`.
    pub fn message_to_bare(&self, local: &str, stanza: &Element, all: bool) -> Delivered {
        let table = self.table();
        let sessions = table.sessions(local);
        let faults = &self.faults;
        // §8.5.2.1.1: never to a negative priority; the fault forgets it.
        let negative = faults.breaks(Rule::NegativePriority);
        let eligible = |e: &&Entry| {
            e.priority().is_some() || (negative && e.presence != Presence::Unavailable)
        };
        let mut chosen: Vec<&Entry> = if all && !faults.breaks(Rule::HeadlineToAll) {
            sessions.iter().filter(eligible).collect()
        } else {
            let pick = if faults.breaks(Rule::MessageToBare) {
                sessions
                    .iter()
                    .filter(eligible)
                    .min_by_key(|e| (e.priority(), e.active))
            } else {
                pick_for_message(sessions.iter().filter(eligible))
            };
            pick.into_iter().collect()
        };
        if chosen.is_empty() {
            return Delivered::Nobody;
        }
        // §8.5.2.1.1: 'to' stays the bare JID; the fault rewrites it.
        if faults.breaks(Rule::BareToKept) {
            let mut result = Delivered::Nobody;
            for e in chosen.drain(..) {
                let mut s = stanza.clone();
                set(
                    &mut s,
                    "to",
                    &format!("{local}@{}/{}", self.domain, e.resource),
                );
                if offer(&e.inbox, &s) == Delivered::Yes {
                    result = Delivered::Yes;
                }
            }
            return result;
        }
        offer_all(chosen.into_iter(), stanza)
    }

    /// Session `id` of `local` broadcast presence (no `to`): note it, send
    /// it to the account's available sessions, the sender included
    /// (RFC 6121 §4.2.2, §4.4.2; unavailable presence reaches the others,
    /// §4.5.2), and return the others' last presence when this is the
    /// session's first available presence, so it learns who else is
    /// online.
    pub fn broadcast(
        &self,
        local: &str,
        id: SessionId,
        presence: Presence,
        stanza: &Element,
    ) -> Vec<Element> {
        let mut table = self.table();
        table.clock += 1;
        let clock = table.clock;
        let Some(sessions) = table.users.get_mut(local) else {
            return Vec::new();
        };
        let mut first = false;
        for e in sessions.iter_mut().filter(|e| e.id == id) {
            first = !matches!(e.presence, Presence::Available { .. })
                && matches!(presence, Presence::Available { .. });
            e.presence = presence;
            e.active = clock;
            e.last_presence =
                matches!(presence, Presence::Available { .. }).then(|| stanza.clone());
        }
        // §4.5.2: unavailable presence goes back to its sender too.
        let _ = offer_all(
            sessions
                .iter()
                .filter(|e| e.id == id || matches!(e.presence, Presence::Available { .. })),
            stanza,
        );
        if first {
            let others = sessions.iter().filter(|e| e.id != id);
            others.filter_map(|e| e.last_presence.clone()).collect()
        } else {
            Vec::new()
        }
    }

    /// Forget session `id` (its connection ended); if it was available,
    /// its other sessions hear it is gone (RFC 6121 §4.6).
    fn remove(&self, local: &str, id: SessionId) {
        let mut table = self.table();
        let Some(sessions) = table.users.get_mut(local) else {
            return;
        };
        let Some(at) = sessions.iter().position(|e| e.id == id) else {
            return;
        };
        let gone = sessions.swap_remove(at);
        if sessions.is_empty() {
            table.users.remove(local);
        }
        self.announce_gone(&table, local, &gone);
    }

    /// `<presence type='unavailable'/>` from a session that went away,
    /// if it had been available: to the account's available sessions,
    /// to its subscribers (RFC 6121 §4.5.2: the server generates it when
    /// the session ends without one) and to those it sent directed
    /// presence to (§4.6.3).
    fn announce_gone(&self, table: &Table, local: &str, gone: &Entry) {
        if !matches!(gone.presence, Presence::Available { .. }) {
            return;
        }
        let domain = &self.domain;
        let mut stanza = Element::new(crate::xml::NS_CLIENT, "presence");
        set(
            &mut stanza,
            "from",
            &format!("{local}@{domain}/{}", gone.resource),
        );
        set(&mut stanza, "type", "unavailable");
        let _ = offer_all(table.available(local), &stanza);
        if self.faults.breaks(Rule::UnavailableOnClose) {
            return;
        }
        let subscribers = self.rosters.contacts(local, |s| s.from);
        let mut to: BTreeSet<String> = subscribers.into_iter().collect();
        to.extend(gone.directed.iter().cloned());
        for jid in to {
            let Ok(j) = Jid::parse(&jid) else { continue };
            let (Some(contact), true) = (j.local.as_deref(), j.is_at(domain)) else {
                continue;
            };
            let mut s = stanza.clone();
            set(&mut s, "to", &jid);
            let _ = match j.resource.as_deref() {
                Some(r) => offer_all(table.available(contact).filter(|e| e.resource == r), &s),
                None => offer_all(table.available(contact), &s),
            };
        }
    }

    /// Session `id` of `local` asked for the roster.
    pub fn set_interested(&self, local: &str, id: SessionId) {
        let mut table = self.table();
        if let Some(e) = table.entry_mut(local, id) {
            e.interested = true;
        }
    }

    /// A roster push (or what precedes one) to every session of `local`
    /// that asked for the roster, each addressed to its full JID.
    pub fn to_interested(&self, local: &str, stanza: &Element) {
        let table = self.table();
        for e in table.sessions(local).iter().filter(|e| e.interested) {
            let mut s = stanza.clone();
            set(
                &mut s,
                "to",
                &format!("{local}@{}/{}", self.domain, e.resource),
            );
            let _ = offer(&e.inbox, &s);
        }
    }

    /// `stanza` to every session of `local` that asked for the roster or
    /// is available: where the subscription stanzas that come with a
    /// roster push go (RFC 6121 §3.1.6, §3.2.3, §3.3.3).
    pub fn to_interested_or_available(&self, local: &str, stanza: &Element) -> Delivered {
        let table = self.table();
        let chosen = table
            .sessions(local)
            .iter()
            .filter(|e| e.interested || matches!(e.presence, Presence::Available { .. }));
        offer_all(chosen, stanza)
    }

    /// `stanza` to every available session of `local` (RFC 6121
    /// §8.5.2.1.2, §3.1.3).
    pub fn to_available(&self, local: &str, stanza: &Element) -> Delivered {
        offer_all(self.table().available(local), stanza)
    }

    /// Whether session `id` of `local` is available (sent presence).
    pub fn is_available(&self, local: &str, id: SessionId) -> bool {
        let table = self.table();
        table
            .sessions(local)
            .iter()
            .any(|e| e.id == id && matches!(e.presence, Presence::Available { .. }))
    }

    /// The last broadcast presence of each available session of `local`
    /// (RFC 6121 §4.3.2: the answer to a probe).
    pub fn available_presence(&self, local: &str) -> Vec<Element> {
        let table = self.table();
        table
            .available(local)
            .filter_map(|e| e.last_presence.clone())
            .collect()
    }

    /// Session `id` of `local` sent directed presence to `jid`:
    /// available adds it to those told when the session goes, unavailable
    /// takes it off (RFC 6121 §4.6.1).
    pub fn note_directed(&self, local: &str, id: SessionId, jid: &str, available: bool) {
        let mut table = self.table();
        if let Some(e) = table.entry_mut(local, id) {
            if available {
                e.directed.insert(jid.to_owned());
            } else {
                e.directed.remove(jid);
            }
        }
    }

    /// The JIDs session `id` of `local` sent directed presence to.
    pub fn directed(&self, local: &str, id: SessionId) -> Vec<String> {
        let mut table = self.table();
        table
            .entry_mut(local, id)
            .map(|e| e.directed.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Session `id` of `local` became unavailable: the JIDs it had sent
    /// directed presence to, now forgotten.
    pub fn take_directed(&self, local: &str, id: SessionId) -> Vec<String> {
        let mut table = self.table();
        table
            .entry_mut(local, id)
            .map(|e| std::mem::take(&mut e.directed).into_iter().collect())
            .unwrap_or_default()
    }
}

impl Table {
    fn sessions(&self, local: &str) -> &[Entry] {
        self.users.get(local).map(Vec::as_slice).unwrap_or_default()
    }

    fn remove_resource(&mut self, local: &str, resource: &str) -> Option<Entry> {
        let sessions = self.users.get_mut(local)?;
        let at = sessions.iter().position(|e| e.resource == resource)?;
        Some(sessions.swap_remove(at))
    }

    /// A resource no session of `local` uses: random (RFC 6120 §7.6 asks
    /// the server for a unique one), or made from the session id should
    /// the system have no randomness.
    fn fresh_resource(&self, local: &str, id: SessionId) -> String {
        let taken = |r: &str| self.sessions(local).iter().any(|e| e.resource == r);
        for _ in 0..4 {
            let mut bytes = [0u8; 8];
            if getrandom::fill(&mut bytes).is_err() {
                break;
            }
            let r: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            if !taken(&r) {
                return r;
            }
        }
        let mut r = format!("session-{id}");
        while taken(&r) {
            r.push('-');
        }
        r
    }

    fn available(&self, local: &str) -> impl Iterator<Item = &Entry> {
        self.sessions(local)
            .iter()
            .filter(|e| matches!(e.presence, Presence::Available { .. }))
    }

    fn entry_mut(&mut self, local: &str, id: SessionId) -> Option<&mut Entry> {
        self.users.get_mut(local)?.iter_mut().find(|e| e.id == id)
    }
}

/// Set the unprefixed attribute `name`.
fn set(stanza: &mut Element, name: &str, value: &str) {
    stanza.attrs.retain(|a| !(a.ns.is_none() && a.name == name));
    stanza.attrs.push(Attribute {
        ns: None,
        name: name.into(),
        value: value.into(),
    });
}

/// The session a message to the bare JID goes to: highest priority
/// (negative counting as the highest when the fault lets it through),
/// then most recently active.
fn pick_for_message<'a>(sessions: impl Iterator<Item = &'a Entry>) -> Option<&'a Entry> {
    sessions.max_by_key(|e| (e.priority().unwrap_or(i8::MIN), e.active))
}

fn offer(inbox: &mpsc::Sender<Element>, stanza: &Element) -> Delivered {
    match inbox.try_send(stanza.clone()) {
        Ok(()) => Delivered::Yes,
        Err(mpsc::error::TrySendError::Full(_)) => Delivered::Full,
        // The session is ending; its registration goes with it.
        Err(mpsc::error::TrySendError::Closed(_)) => Delivered::Nobody,
    }
}

/// Offer to each; [`Delivered::Yes`] if any took it.
fn offer_all<'a>(sessions: impl Iterator<Item = &'a Entry>, stanza: &Element) -> Delivered {
    let mut result = Delivered::Nobody;
    for e in sessions {
        match offer(&e.inbox, stanza) {
            Delivered::Yes => result = Delivered::Yes,
            Delivered::Full if result == Delivered::Nobody => result = Delivered::Full,
            _ => {}
        }
    }
    result
}

/// A session's place in the table; dropping it removes the session, so
/// no path out of a connection task (error, kick, panic) leaves it behind.
pub(super) struct Registration {
    router: Arc<Router>,
    local: String,
    id: SessionId,
}

#[cfg(test)]
impl Registration {
    pub(super) fn id(&self) -> SessionId {
        self.id
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.router.remove(&self.local, self.id);
    }
}

#[cfg(test)]
#[path = "router_tests.rs"]
mod tests;
