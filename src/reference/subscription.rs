//! The presence subscription state machine of RFC 6121 Appendix A, as
//! pure functions: what a subscription stanza does to one side's state
//! for one contact, and whether it is routed (outbound, §A.2) or
//! delivered (inbound, §A.3). The side effects (roster pushes, presence
//! sent along) are `presence.rs`'s; keeping the tables here lets a unit
//! test hold every row against the RFC's.

/// One side's view of one contact: the `subscription` attribute and the
/// two pending flags ("Pending Out" is `ask='subscribe'`, "Pending In" a
/// stored inbound request), §A.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct State {
    /// The user receives the contact's presence ("To").
    pub to: bool,
    /// The contact receives the user's presence ("From").
    pub from: bool,
    pub pending_out: bool,
    pub pending_in: bool,
}

impl State {
    /// The `subscription` attribute of the roster item (§2.1.2.5).
    pub fn attribute(self) -> &'static str {
        match (self.to, self.from) {
            (false, false) => "none",
            (true, false) => "to",
            (false, true) => "from",
            (true, true) => "both",
        }
    }
}

/// The four subscription types (§3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Subscribe,
    Subscribed,
    Unsubscribe,
    Unsubscribed,
}

impl Kind {
    pub fn parse(type_: &str) -> Option<Kind> {
        match type_ {
            "subscribe" => Some(Kind::Subscribe),
            "subscribed" => Some(Kind::Subscribed),
            "unsubscribe" => Some(Kind::Unsubscribe),
            "unsubscribed" => Some(Kind::Unsubscribed),
            _ => None,
        }
    }
}

/// What an outbound stanza does on the sender's side (§A.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outbound {
    /// Route it; the state becomes this (perhaps the same).
    Route(State),
    /// `subscribed` with no request pending: a pre-approval, not routed
    /// (§3.4.2, Table 4 note 1).
    PreApprove,
    /// Not routed, no change (Table 4 "M.N.", Table 5 "S.N."); for
    /// `unsubscribed` this also cancels a pre-approval (Table 5 note 1).
    Drop,
}

/// Table 2 to 5: the user sends `kind` to the contact.
pub(super) fn outbound(s: State, kind: Kind) -> Outbound {
    let mut n = s;
    match kind {
        // Table 2: always routed; pending out unless already subscribed.
        Kind::Subscribe => {
            if !s.to {
                n.pending_out = true;
            }
            Outbound::Route(n)
        }
        // Table 3: always routed; ends "To" and "Pending Out".
        Kind::Unsubscribe => {
            n.to = false;
            n.pending_out = false;
            Outbound::Route(n)
        }
        // Table 4: an approval when a request is pending.
        Kind::Subscribed if s.from => Outbound::Drop,
        Kind::Subscribed if s.pending_in => {
            n.from = true;
            n.pending_in = false;
            Outbound::Route(n)
        }
        Kind::Subscribed => Outbound::PreApprove,
        // Table 5: a denial or a cancellation.
        Kind::Unsubscribed if s.from || s.pending_in => {
            n.from = false;
            n.pending_in = false;
            Outbound::Route(n)
        }
        Kind::Unsubscribed => Outbound::Drop,
    }
}

/// What an inbound stanza does on the receiver's side (§A.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Inbound {
    /// Deliver it; the state becomes this.
    Deliver(State),
    /// Not delivered, no change.
    Ignore,
    /// `subscribe` from a contact already allowed to see the user's
    /// presence: answered `subscribed` by the server (Table 6 note 2).
    AutoReply,
}

/// Table 6 to 9: the contact sent `kind` to the user.
pub(super) fn inbound(s: State, kind: Kind) -> Inbound {
    let mut n = s;
    match kind {
        Kind::Subscribe if s.from => Inbound::AutoReply,
        Kind::Subscribe if s.pending_in => Inbound::Ignore,
        Kind::Subscribe => {
            n.pending_in = true;
            Inbound::Deliver(n)
        }
        Kind::Unsubscribe if s.from || s.pending_in => {
            n.from = false;
            n.pending_in = false;
            Inbound::Deliver(n)
        }
        Kind::Unsubscribe => Inbound::Ignore,
        Kind::Subscribed if s.pending_out => {
            n.to = true;
            n.pending_out = false;
            Inbound::Deliver(n)
        }
        Kind::Subscribed => Inbound::Ignore,
        Kind::Unsubscribed if s.to || s.pending_out => {
            n.to = false;
            n.pending_out = false;
            Inbound::Deliver(n)
        }
        Kind::Unsubscribed => Inbound::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The nine states of §A.1, by their names there.
    fn state(name: &str) -> State {
        let (sub, pending) = name.split_once(" + ").unwrap_or((name, ""));
        State {
            to: matches!(sub, "To" | "Both"),
            from: matches!(sub, "From" | "Both"),
            pending_out: pending.contains("Out"),
            pending_in: pending.ends_with("In"),
        }
    }

    const STATES: [&str; 9] = [
        "None",
        "None + Pending Out",
        "None + Pending In",
        "None + Pending Out+In",
        "To",
        "To + Pending In",
        "From",
        "From + Pending Out",
        "Both",
    ];

    #[test]
    fn outbound_tables_2_to_5() {
        use Outbound::*;
        let route = |n: &str| Route(state(n));
        // (existing state, subscribe, unsubscribe, subscribed, unsubscribed)
        let rows = [
            (
                "None",
                route("None + Pending Out"),
                route("None"),
                PreApprove,
                Drop,
            ),
            (
                "None + Pending Out",
                route("None + Pending Out"),
                route("None"),
                PreApprove,
                Drop,
            ),
            (
                "None + Pending In",
                route("None + Pending Out+In"),
                route("None + Pending In"),
                route("From"),
                route("None"),
            ),
            (
                "None + Pending Out+In",
                route("None + Pending Out+In"),
                route("None + Pending In"),
                route("From + Pending Out"),
                route("None + Pending Out"),
            ),
            ("To", route("To"), route("None"), PreApprove, Drop),
            (
                "To + Pending In",
                route("To + Pending In"),
                route("None + Pending In"),
                route("Both"),
                route("To"),
            ),
            (
                "From",
                route("From + Pending Out"),
                route("From"),
                Drop,
                route("None"),
            ),
            (
                "From + Pending Out",
                route("From + Pending Out"),
                route("From"),
                Drop,
                route("None + Pending Out"),
            ),
            ("Both", route("Both"), route("From"), Drop, route("To")),
        ];
        for (name, sub, unsub, subd, unsubd) in rows {
            let s = state(name);
            assert_eq!(outbound(s, Kind::Subscribe), sub, "{name} subscribe");
            assert_eq!(outbound(s, Kind::Unsubscribe), unsub, "{name} unsubscribe");
            assert_eq!(outbound(s, Kind::Subscribed), subd, "{name} subscribed");
            assert_eq!(
                outbound(s, Kind::Unsubscribed),
                unsubd,
                "{name} unsubscribed"
            );
        }
    }

    #[test]
    fn inbound_tables_6_to_9() {
        use Inbound::*;
        let deliver = |n: &str| Deliver(state(n));
        let rows = [
            ("None", deliver("None + Pending In"), Ignore, Ignore, Ignore),
            (
                "None + Pending Out",
                deliver("None + Pending Out+In"),
                Ignore,
                deliver("To"),
                deliver("None"),
            ),
            ("None + Pending In", Ignore, deliver("None"), Ignore, Ignore),
            (
                "None + Pending Out+In",
                Ignore,
                deliver("None + Pending Out"),
                deliver("To + Pending In"),
                deliver("None + Pending In"),
            ),
            (
                "To",
                deliver("To + Pending In"),
                Ignore,
                Ignore,
                deliver("None"),
            ),
            (
                "To + Pending In",
                Ignore,
                deliver("To"),
                Ignore,
                deliver("None + Pending In"),
            ),
            ("From", AutoReply, deliver("None"), Ignore, Ignore),
            (
                "From + Pending Out",
                AutoReply,
                deliver("None + Pending Out"),
                deliver("Both"),
                deliver("From"),
            ),
            ("Both", AutoReply, deliver("To"), Ignore, deliver("From")),
        ];
        for (name, sub, unsub, subd, unsubd) in rows {
            let s = state(name);
            assert_eq!(inbound(s, Kind::Subscribe), sub, "{name} subscribe");
            assert_eq!(inbound(s, Kind::Unsubscribe), unsub, "{name} unsubscribe");
            assert_eq!(inbound(s, Kind::Subscribed), subd, "{name} subscribed");
            assert_eq!(
                inbound(s, Kind::Unsubscribed),
                unsubd,
                "{name} unsubscribed"
            );
        }
        assert_eq!(STATES.len(), 9);
        assert_eq!(state("From + Pending Out").attribute(), "from");
    }
}
