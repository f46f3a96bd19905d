//! The session core's HTTP-side rules, driven directly: the rid window
//! (XEP-0124 §14.2), in-order processing of requests ahead of a gap, the
//! replay of a repeated rid (§14.3), `hold` (§8), the end of a `wait`, and
//! the inactivity deadline (§10).

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::core::{Core, Params, Reply, header_from_request};
use super::departures::Departures;
use super::request::{self, Request};
use crate::xml::StreamEvent;

const CREATION_RID: u64 = 100;

fn params() -> Params {
    Params {
        wait: 1,
        hold: 1,
        requests: 2,
        polling: 0,
        inactivity: 2,
        maxpause: 10,
        ack: false,
    }
}

fn parse(text: &str) -> Request {
    request::parse(text.as_bytes()).expect("a valid request")
}

/// A request of the session with this rid and payload.
fn req(rid: u64, payload: &str) -> Request {
    parse(&format!(
        "<body rid='{rid}' sid='s' xmlns='http://jabber.org/protocol/httpbind'>{payload}</body>"
    ))
}

/// A core whose creation request was answered (with features), and the
/// XMPP session's side of it.
fn session() -> (Core, mpsc::Receiver<StreamEvent>, Instant) {
    session_with("")
}

/// [`session`], with more attributes on the creation request.
fn session_with(attrs: &str) -> (Core, mpsc::Receiver<StreamEvent>, Instant) {
    let create = parse(&format!(
        "<body rid='{CREATION_RID}' to='localhost' wait='1' hold='1' {attrs} \
         xmlns='http://jabber.org/protocol/httpbind'/>"
    ));
    let (events, rx) = mpsc::channel(16);
    let now = Instant::now();
    let header = header_from_request(&create.body);
    let mut core = Core::new(
        params(),
        "text/xml; charset=utf-8".into(),
        Departures::default(),
        &create,
        header,
        events,
        now,
    );
    let mut created = core.hold_creation(CREATION_RID, Vec::new());
    core.push("<stream:features/>".into());
    core.written();
    let body = created.try_recv().expect("the creation answered");
    assert!(body.contains("<stream:features/>"), "{body}");
    (core, rx, now)
}

/// The answer given now, or the receiver of a later one.
fn now(reply: Reply) -> String {
    match reply {
        Reply::Now(body) => body,
        Reply::Later(_) => panic!("held, not answered"),
    }
}

fn later(reply: Reply) -> oneshot::Receiver<String> {
    match reply {
        Reply::Later(rx) => rx,
        Reply::Now(body) => panic!("answered at once: {body}"),
    }
}

/// The payloads the XMPP session got, in order, by element name.
fn forwarded(rx: &mut mpsc::Receiver<StreamEvent>) -> Vec<String> {
    let mut names = Vec::new();
    while let Ok(event) = rx.try_recv() {
        if let StreamEvent::Element(e) = event {
            names.push(e.name.to_string());
        }
    }
    names
}

#[test]
fn a_rid_beyond_the_window_ends_the_session_with_item_not_found() {
    let (mut core, _rx, at) = session();
    // requests = 2: rids up to 102 are in the window, 103 is not.
    let body = now(core.receive(req(CREATION_RID + 3, ""), at));
    assert!(body.contains("condition='item-not-found'"), "{body}");
    assert!(core.is_gone());
    let body = now(core.receive(req(CREATION_RID + 1, ""), at));
    assert!(body.contains("item-not-found"), "{body}");
}

#[test]
fn a_request_ahead_of_a_gap_waits_for_it_and_is_processed_after_it() {
    let (mut core, mut rx, at) = session();
    let mut ahead = later(core.receive(req(CREATION_RID + 2, "<message/>"), at));
    assert!(core.is_ahead(CREATION_RID + 2));
    assert!(forwarded(&mut rx).is_empty(), "forwarded before the gap");
    // Its wait running out does not answer it: nothing of it was done.
    assert_eq!(core.wait_over(CREATION_RID + 2), None);
    assert!(ahead.try_recv().is_err());
    let mut gap = later(core.receive(req(CREATION_RID + 1, "<presence/>"), at));
    assert_eq!(forwarded(&mut rx), ["presence", "message"]);
    assert!(!core.is_ahead(CREATION_RID + 2));
    // hold = 1: the older of the two held requests is answered.
    assert!(gap.try_recv().is_ok());
    assert!(ahead.try_recv().is_err());
}

#[test]
fn a_gap_never_filled_ends_the_session() {
    let (mut core, _rx, at) = session();
    let _ahead = later(core.receive(req(CREATION_RID + 2, ""), at));
    assert_eq!(core.gap_expired(CREATION_RID + 1), None, "not ahead");
    let body = core.gap_expired(CREATION_RID + 2).expect("an answer");
    assert!(body.contains("item-not-found"), "{body}");
    assert!(core.is_gone());
}

#[test]
fn a_repeated_rid_gets_the_same_response_again() {
    let (mut core, _rx, at) = session();
    let mut first = later(core.receive(req(CREATION_RID + 1, "<presence/>"), at));
    core.push("<message id='pushed'/>".into());
    core.written();
    let answer = first.try_recv().expect("answered with what was written");
    assert!(answer.contains("pushed"), "{answer}");
    let again = now(core.receive(req(CREATION_RID + 1, "<presence/>"), at));
    assert_eq!(again, answer);
}

#[test]
fn hold_one_answers_the_older_request_when_a_second_comes() {
    let (mut core, _rx, at) = session();
    let mut first = later(core.receive(req(CREATION_RID + 1, ""), at));
    assert!(first.try_recv().is_err(), "an empty request is held");
    let mut second = later(core.receive(req(CREATION_RID + 2, ""), at));
    let body = first.try_recv().expect("released by the second");
    assert!(!body.contains("terminate"), "{body}");
    assert!(second.try_recv().is_err(), "the second is held");
    // What is written next goes on the held one.
    core.push("<message/>".into());
    core.written();
    assert!(second.try_recv().expect("answered").contains("<message/>"));
}

#[test]
fn the_end_of_a_wait_answers_the_held_request_empty() {
    let (mut core, _rx, at) = session();
    let mut held = later(core.receive(req(CREATION_RID + 1, ""), at));
    let body = core.wait_over(CREATION_RID + 1).expect("it was held");
    assert!(
        !body.contains("terminate") && !body.contains("<message"),
        "{body}"
    );
    assert_eq!(held.try_recv().as_deref(), Ok(body.as_str()));
    assert_eq!(core.wait_over(CREATION_RID + 1), None, "answered already");
}

#[test]
fn the_inactivity_deadline_runs_only_while_no_request_is_held() {
    let (mut core, _rx, at) = session();
    let idle = core.idle_deadline().expect("idle after the creation");
    assert!(idle >= at + Duration::from_secs(params().inactivity));
    let _held = later(core.receive(req(CREATION_RID + 1, ""), at));
    assert_eq!(core.idle_deadline(), None, "a request is held");
    core.wait_over(CREATION_RID + 1);
    assert!(core.idle_deadline().is_some());
    core.expire();
    assert!(core.is_gone());
    let body = now(core.receive(req(CREATION_RID + 2, ""), at));
    assert!(body.contains("item-not-found"), "{body}");
}

#[test]
fn a_key_that_does_not_hash_to_the_previous_one_ends_the_session() {
    // K(2) = SHA-1 hex of K(1), K(3) of K(2).
    let (k1, k2, k3) = (
        "b122d73ffe98b7039532643c1b43e03fcff66cf7",
        "53d5d56f23166fda9c35f6e17bd29a629d67e6b4",
        "5981359f02a02650db6342f5dd59af3d3e0bcc03",
    );
    // In upper case: §15 compares the hash with it case-insensitively.
    let (mut core, mut rx, at) = session_with(&format!("newkey='{}'", k3.to_uppercase()));
    let keyed = |rid: u64, key: &str| {
        parse(&format!(
            "<body rid='{rid}' sid='s' key='{key}' xmlns='http://jabber.org/protocol/httpbind'>\
             <presence/></body>"
        ))
    };
    // The right key.
    let _held = later(core.receive(keyed(CREATION_RID + 1, k2), at));
    assert_eq!(forwarded(&mut rx), ["presence"]);
    // A wrong one: not processed, the session ends.
    let body = now(core.receive(keyed(CREATION_RID + 2, k2), at));
    assert!(body.contains("item-not-found"), "{body}");
    assert!(forwarded(&mut rx).is_empty(), "the request was processed");
    assert!(core.is_gone());
    let body = now(core.receive(keyed(CREATION_RID + 3, k1), at));
    assert!(body.contains("item-not-found"), "{body}");
}
