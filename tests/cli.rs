//! The command line's contract: exit codes, error display, and verdicts
//! against peers that misbehave on purpose (no real server does that on
//! demand, so these peers are written here).

mod support;

use std::io::{Read, Write};
use std::process::Output;
use std::time::{Duration, Instant};

use support::{free_port, text, xmpp_conform};

#[test]
fn a_scenario_with_a_syntax_error_is_shown_with_its_place_and_nothing_runs() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("broken.xmpp");
    std::fs::write(
        &file,
        "+++\ntitle = \"broken\"\nspec = [\"RFC 6120 §4.2\"]\n+++\nC: <stream:stream>\nexpect-clsoe\n",
    )
    .expect("write scenario");
    // The target is never contacted: port 9 on loopback has no listener.
    let out = xmpp_conform(&[
        "--target",
        "127.0.0.1:9",
        "--scenarios",
        file.to_str().expect("utf-8"),
    ]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains("broken.xmpp:6:1"),
        "path:line:col missing: {shown}"
    );
    assert!(
        shown.contains("expect-clsoe"),
        "the offending line is shown: {shown}"
    );
    assert!(shown.contains('^'), "a caret points at the column: {shown}");
    assert!(shown.contains("expect-close"), "did-you-mean: {shown}");
}

#[test]
fn an_unreachable_target_exits_3_with_a_clear_message() {
    let port = free_port().to_string();
    let started = Instant::now();
    let out = xmpp_conform(&["--target", &format!("127.0.0.1:{port}"), "--timeout", "2s"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("cannot connect to 127.0.0.1:"),
        "{}",
        text(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A peer that accepts connections and treats each with `behave`, for as
/// long as the test runs.
fn misbehaving_peer(behave: fn(std::net::TcpStream)) -> String {
    support::answer_header_then(behave)
}

fn run_basic_session(addr: &str) -> (Output, Duration) {
    let started = Instant::now();
    let out = xmpp_conform(&[
        "--target",
        addr,
        "--domain",
        "localhost",
        "--timeout",
        "1s",
        "--filter",
        "rfc6120/stream/basic-session",
    ]);
    (out, started.elapsed())
}

#[test]
fn a_peer_silent_after_its_header_fails_within_the_timeout() {
    let addr = misbehaving_peer(|mut s| {
        let mut sink = [0u8; 1024];
        while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
    });
    let (out, took) = run_basic_session(&addr);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("nothing arrived within 1s"),
        "{}",
        text(&out)
    );
    assert!(took < Duration::from_secs(8), "took {took:?}");
}

#[test]
fn a_peer_sending_garbage_after_its_header_fails_with_the_parser_condition() {
    let addr = misbehaving_peer(|mut s| {
        let _ = s.write_all(b"garbage \xff\x00, not XML <<<>>>");
        std::thread::sleep(Duration::from_secs(3));
    });
    let (out, _) = run_basic_session(&addr);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("not XMPP's XML"), "{shown}");
    // Text between first-level elements: RFC 6120 §4.9.3.1's condition.
    assert!(shown.contains("bad-format"), "{shown}");
}

#[test]
fn a_peer_hanging_up_after_its_header_fails_with_the_reason() {
    // Dropping the stream closes the connection halfway through.
    let addr = misbehaving_peer(drop);
    let (out, _) = run_basic_session(&addr);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("closed the connection"), "{shown}");
}

#[test]
fn list_shows_every_builtin_scenario_with_its_spec() {
    let out = xmpp_conform(&["list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("rfc6120/stream/basic-session"), "{shown}");
    assert!(shown.contains("RFC 6120 §4.9.3.13"), "{shown}");
}
