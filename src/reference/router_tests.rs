use super::*;

fn router() -> Arc<Router> {
    Arc::new(Router::new("example.org"))
}

fn message(body: &str) -> Element {
    let mut m = Element::new(crate::xml::NS_CLIENT, "message");
    m.children.push(crate::xml::Node::Text(body.into()));
    m
}

fn presence(priority: i8) -> (Presence, Element) {
    (
        Presence::Available { priority },
        Element::new(crate::xml::NS_CLIENT, "presence"),
    )
}

/// The bodies queued for a session, in order.
fn drain(bound: &mut Bound) -> Vec<String> {
    let mut out = Vec::new();
    while let Ok(e) = bound.inbox.try_recv() {
        out.push(format!("{}:{}", e.name, e.text()));
    }
    out
}

/// The messages queued for a session: presence it was sent is dropped.
fn messages(bound: &mut Bound) -> Vec<String> {
    let mut all = drain(bound);
    all.retain(|m| m.starts_with("message:"));
    all
}

#[test]
fn full_jid_goes_to_that_session_only() {
    let r = router();
    let mut a = r.bind(r.new_session_id(), "romeo", Some("a"), 8);
    let mut b = r.bind(r.new_session_id(), "romeo", Some("b"), 8);
    assert_eq!(r.to_full("romeo", "b", &message("hi")), Delivered::Yes);
    assert_eq!(r.to_full("romeo", "c", &message("hi")), Delivered::Nobody);
    assert_eq!(r.to_full("juliet", "b", &message("hi")), Delivered::Nobody);
    assert!(drain(&mut a).is_empty());
    assert_eq!(drain(&mut b), ["message:hi"]);
}

#[test]
fn bare_jid_message_picks_highest_priority_then_most_recent() {
    let r = router();
    let (ia, ib, ic) = (r.new_session_id(), r.new_session_id(), r.new_session_id());
    let mut a = r.bind(ia, "romeo", Some("a"), 8);
    let mut b = r.bind(ib, "romeo", Some("b"), 8);
    // Both silent (priority 0): the most recently bound wins.
    assert_eq!(
        r.message_to_bare("romeo", &message("1"), false),
        Delivered::Yes
    );
    assert_eq!(
        (messages(&mut a).len(), messages(&mut b)),
        (0, vec!["message:1".to_owned()])
    );
    // a says priority 5: it wins although b is more recent.
    let (p, s) = presence(5);
    r.broadcast("romeo", ia, p, &s);
    let mut c = r.bind(ic, "romeo", Some("c"), 8);
    assert_eq!(
        r.message_to_bare("romeo", &message("2"), false),
        Delivered::Yes
    );
    assert_eq!(messages(&mut a), ["message:2"]);
    // Negative priority and unavailable sessions get none.
    let (p, s) = presence(-1);
    r.broadcast("romeo", ia, p, &s);
    r.broadcast("romeo", ib, Presence::Unavailable, &s);
    assert_eq!(
        r.message_to_bare("romeo", &message("3"), false),
        Delivered::Yes
    );
    assert_eq!(messages(&mut c), ["message:3"]);
    assert!(messages(&mut b).is_empty());
    // headline: every session that may get messages.
    let (p, s) = presence(0);
    r.broadcast("romeo", ib, p, &s);
    messages(&mut c);
    assert_eq!(
        r.message_to_bare("romeo", &message("4"), true),
        Delivered::Yes
    );
    assert_eq!(messages(&mut b), ["message:4"]);
    assert_eq!(messages(&mut c), ["message:4"]);
    assert!(messages(&mut a).iter().all(|m| m != "message:4"));
    assert_eq!(
        r.message_to_bare("juliet", &message("5"), false),
        Delivered::Nobody
    );
}

#[test]
fn presence_to_available_reaches_available_sessions_only() {
    let r = router();
    let (ia, ib) = (r.new_session_id(), r.new_session_id());
    let mut a = r.bind(ia, "romeo", Some("a"), 8);
    let mut b = r.bind(ib, "romeo", Some("b"), 8);
    let (p0, s) = presence(0);
    r.broadcast("romeo", ia, p0, &s);
    drain(&mut a);
    drain(&mut b);
    let p = Element::new(crate::xml::NS_CLIENT, "presence");
    assert_eq!(r.to_available("romeo", &p), Delivered::Yes);
    assert_eq!(drain(&mut a), ["presence:"]);
    assert!(drain(&mut b).is_empty(), "b sent no presence");
}

#[test]
fn broadcast_reaches_available_resources_and_answers_with_theirs() {
    let r = router();
    let (ia, ib) = (r.new_session_id(), r.new_session_id());
    let mut a = r.bind(ia, "romeo", Some("a"), 8);
    let mut b = r.bind(ib, "romeo", Some("b"), 8);
    let (p, s) = presence(1);
    // a is the first online: only a itself hears it; nothing to learn.
    assert!(r.broadcast("romeo", ia, p, &s).is_empty());
    assert_eq!(drain(&mut a), ["presence:"]);
    assert!(drain(&mut b).is_empty(), "b is not available yet");
    // b comes online: both hear it, and b learns of a.
    assert_eq!(r.broadcast("romeo", ib, p, &s).len(), 1);
    assert_eq!(drain(&mut a), ["presence:"]);
    assert_eq!(drain(&mut b), ["presence:"]);
    // b leaves: a hears it is gone.
    drop(b);
    let gone = a.inbox.try_recv().expect("unavailable presence");
    assert_eq!(gone.attr("type"), Some("unavailable"));
    assert_eq!(gone.attr("from"), Some("romeo@example.org/b"));
}

#[test]
fn a_taken_resource_kicks_the_old_session() {
    let r = router();
    let mut old = r.bind(r.new_session_id(), "romeo", Some("x"), 8);
    let mut new = r.bind(r.new_session_id(), "romeo", Some("x"), 8);
    assert_eq!(old.kicked.try_recv(), Ok(()));
    assert_eq!(r.to_full("romeo", "x", &message("m")), Delivered::Yes);
    assert_eq!(drain(&mut new), ["message:m"]);
    assert!(drain(&mut old).is_empty());
    // The old registration going away leaves the new one in place.
    drop(old);
    assert_eq!(r.to_full("romeo", "x", &message("n")), Delivered::Yes);
}

#[test]
fn server_chosen_resources_are_distinct() {
    let r = router();
    let a = r.bind(r.new_session_id(), "romeo", None, 8);
    let b = r.bind(r.new_session_id(), "romeo", None, 8);
    assert!(!a.resource.is_empty());
    assert_ne!(a.resource, b.resource);
}

#[test]
fn a_full_inbox_says_so() {
    let r = router();
    let _a = r.bind(r.new_session_id(), "romeo", Some("a"), 1);
    assert_eq!(r.to_full("romeo", "a", &message("1")), Delivered::Yes);
    assert_eq!(r.to_full("romeo", "a", &message("2")), Delivered::Full);
    assert_eq!(
        r.message_to_bare("romeo", &message("3"), false),
        Delivered::Full
    );
}
