use std::sync::Arc;

use super::*;
use crate::reference::config::{Faults, Limits};
use crate::reference::router::{Bound, Router};
use crate::sasl::Credentials;
use crate::sasl::server::Accounts;
use crate::xml::{NS_CLIENT, NamespaceScope, parse_element, writer::to_xml};

const DOMAIN: &str = "example.org";

fn shared() -> Shared {
    let dir = tempfile::tempdir().expect("temporary folder");
    let generated =
        crate::transport::tls::generate_server_identity(DOMAIN, dir.path()).expect("certificate");
    let tls = crate::transport::tls::server_config(&generated.identity).expect("TLS config");
    let accounts = Accounts::new(DOMAIN, Credentials::new("romeo", "r"))
        .with_account(Credentials::new("juliet", "j"));
    Shared {
        domain: DOMAIN.to_owned(),
        accounts,
        limits: Limits::default(),
        faults: Faults::default(),
        direct_tls: false,
        tls,
        router: Arc::new(Router::new(DOMAIN)),
        rosters: Arc::default(),
        stats: Arc::default(),
    }
}

fn bind(shared: &Shared, local: &str, resource: &str) -> Bound {
    let id = shared.router.new_session_id();
    shared.router.bind(id, local, Some(resource), 8)
}

fn stanza(xml: &str) -> Element {
    let scope: NamespaceScope = vec![(None, NS_CLIENT.into())];
    parse_element(xml.as_bytes(), &scope).expect("test XML")
}

/// Handle `xml` from `local/resource` (bound as `bound`); the replies to
/// the sender, as text.
fn send(shared: &Shared, bound: &Bound, local: &str, xml: &str) -> Vec<String> {
    let sender = Sender {
        id: bound.registration.id(),
        local,
        resource: &bound.resource,
    };
    handle(stanza(xml), &sender, shared)
        .iter()
        .map(to_xml)
        .collect()
}

/// The condition of the one error reply in `replies`.
fn condition(replies: &[String]) -> Option<String> {
    let [reply] = replies else { return None };
    let e = stanza(reply);
    let error = e.child(NS_CLIENT, "error")?;
    let cond = error.child_elements().next()?;
    Some(format!("{} {}", error.attr("type")?, cond.name))
}

#[test]
fn message_to_own_full_jid_comes_back_stamped() {
    let s = shared();
    let mut me = bind(&s, "romeo", "orchard");
    let replies = send(
        &s,
        &me,
        "romeo",
        "<message to='romeo@example.org/orchard' from='someone@else' type='chat' id='m1'><body>hi</body></message>",
    );
    assert!(replies.is_empty(), "{replies:?}");
    let got = me.inbox.try_recv().expect("delivered");
    assert_eq!(got.attr("from"), Some("romeo@example.org/orchard"));
    assert_eq!(got.attr("to"), Some("romeo@example.org/orchard"));
    assert_eq!(got.attr("id"), Some("m1"));
}

#[test]
fn messages_between_accounts() {
    let s = shared();
    let romeo = bind(&s, "romeo", "a");
    let mut juliet = bind(&s, "juliet", "balcony");
    assert!(
        send(
            &s,
            &romeo,
            "romeo",
            "<message to='juliet@example.org'><body>1</body></message>"
        )
        .is_empty()
    );
    assert!(
        send(
            &s,
            &romeo,
            "romeo",
            "<message to='juliet@example.org/balcony'><body>2</body></message>"
        )
        .is_empty()
    );
    // No such resource: a chat message as if to the bare JID (RFC 6121
    // §8.5.3.2.1); a normal one bounces.
    assert!(
        send(
            &s,
            &romeo,
            "romeo",
            "<message to='juliet@example.org/gone' type='chat'><body>3</body></message>"
        )
        .is_empty()
    );
    let bounced = send(
        &s,
        &romeo,
        "romeo",
        "<message to='juliet@example.org/gone'><body>4</body></message>",
    );
    assert_eq!(bounced.len(), 1, "{bounced:?}");
    let bodies: Vec<String> = std::iter::from_fn(|| juliet.inbox.try_recv().ok())
        .map(|m| {
            assert_eq!(m.attr("from"), Some("romeo@example.org/a"));
            m.child(NS_CLIENT, "body")
                .map(Element::text)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(bodies, ["1", "2", "3"]);
}

#[test]
fn undeliverable_stanzas_get_the_rfc_conditions() {
    let s = shared();
    let me = bind(&s, "romeo", "a");
    let cases = [
        (
            "<message to='nobody@example.org' id='x'><body/></message>",
            "cancel service-unavailable",
        ),
        (
            "<message to='example.org' id='x'><body/></message>",
            "cancel service-unavailable",
        ),
        (
            "<message to='juliet@example.org' type='groupchat'/>",
            "cancel service-unavailable",
        ),
        (
            "<message to='juliet@example.org'/>",
            "cancel service-unavailable",
        ),
        (
            "<message to='romeo@elsewhere.example' id='x'/>",
            "cancel remote-server-not-found",
        ),
        ("<message to='@@' id='x'/>", "modify jid-malformed"),
        ("<presence type='bogus'/>", "modify bad-request"),
        (
            "<presence><priority>high</priority></presence>",
            "modify bad-request",
        ),
        (
            "<iq type='get' to='example.org' id='q'><query xmlns='urn:x'/></iq>",
            "cancel service-unavailable",
        ),
        (
            "<iq type='get' id='q'><query xmlns='urn:x'/></iq>",
            "cancel service-unavailable",
        ),
        (
            "<iq type='get' to='juliet@example.org' id='q'><query xmlns='jabber:iq:version'/></iq>",
            "cancel service-unavailable",
        ),
        (
            "<iq type='get' to='juliet@example.org/nope' id='q'><ping xmlns='urn:xmpp:ping'/></iq>",
            "cancel service-unavailable",
        ),
        (
            "<iq type='get' to='example.org'><ping xmlns='urn:xmpp:ping'/></iq>",
            "modify bad-request",
        ),
        (
            "<iq type='get' to='example.org' id='q'/>",
            "modify bad-request",
        ),
        (
            "<iq type='fetch' to='example.org' id='q'><ping xmlns='urn:xmpp:ping'/></iq>",
            "modify bad-request",
        ),
        (
            "<iq type='set' id='q'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
            "cancel not-allowed",
        ),
    ];
    for (xml, expected) in cases {
        let replies = send(&s, &me, "romeo", xml);
        assert_eq!(
            condition(&replies).as_deref(),
            Some(expected),
            "{xml}: {replies:?}"
        );
    }
    // The error comes from where the stanza went, and back to the sender.
    let replies = send(
        &s,
        &me,
        "romeo",
        "<iq type='get' to='example.org' id='q'><query xmlns='urn:x'/></iq>",
    );
    let reply = stanza(&replies[0]);
    assert_eq!(reply.attr("from"), Some("example.org"));
    assert_eq!(reply.attr("to"), Some("romeo@example.org/a"));
    assert_eq!(reply.attr("id"), Some("q"));
    assert!(reply.child("urn:x", "query").is_some(), "payload kept");
}

#[test]
fn errors_and_results_are_never_answered() {
    let s = shared();
    let me = bind(&s, "romeo", "a");
    for xml in [
        "<message to='nobody@example.org' type='error'/>",
        "<message to='nobody@example.org' type='headline'/>",
        "<iq to='example.org' type='result' id='r'/>",
        "<iq to='example.org' type='error' id='r'/>",
        "<iq to='juliet@example.org/nope' type='result' id='r'/>",
        "<presence to='nobody@example.org'/>",
        "<presence to='example.org'/>",
        "<presence type='probe'/>",
    ] {
        assert_eq!(send(&s, &me, "romeo", xml), Vec::<String>::new(), "{xml}");
    }
}

#[test]
fn the_server_answers_ping_version_and_disco() {
    let s = shared();
    let me = bind(&s, "romeo", "a");
    for (xml, child) in [
        (
            "<iq type='get' to='example.org' id='p'><ping xmlns='urn:xmpp:ping'/></iq>",
            None,
        ),
        (
            "<iq type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>",
            None,
        ),
        (
            "<iq type='get' to='juliet@example.org' id='p'><ping xmlns='urn:xmpp:ping'/></iq>",
            None,
        ),
        (
            "<iq type='get' to='example.org' id='p'><query xmlns='jabber:iq:version'/></iq>",
            Some("jabber:iq:version"),
        ),
        (
            "<iq type='get' to='example.org' id='p'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>",
            Some("http://jabber.org/protocol/disco#info"),
        ),
        (
            "<iq type='set' id='p'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>",
            None,
        ),
    ] {
        let replies = send(&s, &me, "romeo", xml);
        let [reply] = replies.as_slice() else {
            panic!("{xml}: {replies:?}")
        };
        let reply = stanza(reply);
        assert_eq!(reply.attr("type"), Some("result"), "{xml}");
        assert_eq!(reply.attr("id"), Some("p"));
        assert_eq!(
            reply.child_elements().next().map(|c| c.ns.to_string()),
            child.map(str::to_owned),
            "{xml}"
        );
    }
}

#[test]
fn presence_broadcast_and_subscriptions_carry_the_right_from() {
    let s = shared();
    let mut a = bind(&s, "romeo", "a");
    let mut juliet = bind(&s, "juliet", "b");
    // Initial presence comes back to the sender (RFC 6121 §4.2.2).
    assert!(
        send(
            &s,
            &a,
            "romeo",
            "<presence><priority>1</priority></presence>"
        )
        .is_empty()
    );
    let own = a.inbox.try_recv().expect("own presence");
    assert_eq!(own.attr("from"), Some("romeo@example.org/a"));
    // Subscription requests carry the bare JID (RFC 6121 §3.1.2), and
    // reach an available contact at once (§3.1.3).
    send(&s, &juliet, "juliet", "<presence/>");
    while juliet.inbox.try_recv().is_ok() {}
    send(
        &s,
        &a,
        "romeo",
        "<presence to='juliet@example.org' type='subscribe'/>",
    );
    let sub = juliet.inbox.try_recv().expect("subscription request");
    assert_eq!(sub.attr("from"), Some("romeo@example.org"));
}

#[test]
fn a_missing_resource_of_an_existing_account_tells_nothing_unless_the_fault_leaks_it() {
    let iq = "<iq type='get' id='q' to='juliet@example.org/nowhere'><x xmlns='urn:x'/></iq>";
    let s = shared();
    let me = bind(&s, "romeo", "a");
    assert_eq!(
        condition(&send(&s, &me, "romeo", iq)).as_deref(),
        Some("cancel service-unavailable")
    );
    let mut s = shared();
    s.faults = Faults::default().breaking(Rule::AvailabilityLeak);
    let me = bind(&s, "romeo", "a");
    assert_eq!(
        condition(&send(&s, &me, "romeo", iq)).as_deref(),
        Some("cancel item-not-found")
    );
}

#[test]
fn a_message_error_keeps_the_id_unless_the_fault_drops_it() {
    let message = "<message to='nobody@example.org' id='m9'><body/></message>";
    for (faults, id) in [
        (Faults::default(), Some("m9")),
        (Faults::default().breaking(Rule::ErrorId), None),
    ] {
        let mut s = shared();
        s.faults = faults;
        let me = bind(&s, "romeo", "a");
        let replies = send(&s, &me, "romeo", message);
        let [reply] = replies.as_slice() else {
            panic!("{replies:?}")
        };
        assert_eq!(stanza(reply).attr("id"), id, "{reply}");
    }
}
