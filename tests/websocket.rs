//! XMPP over WebSocket (RFC 7395) against real servers: the RFC 6120
//! suite and the rfc7395 scenarios through `--target ws://…`, every
//! verdict the one the server's WebSocket baseline records. Scenarios
//! that send bytes as written, or use STARTTLS, are skipped there with
//! their reason.

mod support;

use support::{
    Ejabberd, PASSWORD, Prosody, assert_no_password_in, run_suite_against_baseline,
    serve_each_connection, text, verdict_line, xmpp_conform,
};
use tokio_tungstenite::tungstenite;

#[test]
fn prosody_over_websocket_matches_its_baseline() {
    let server = Prosody::start_with_websocket();
    for user in xmpp_conform::accounts::CAST {
        server.register(user, PASSWORD);
    }
    let target = server.websocket_target().expect("a WebSocket endpoint");
    let ca = server.ca.clone().expect("a CA");
    let run = run_suite_against_baseline(
        &target,
        &ca,
        "tests/baselines/prosody-0.12-websocket.txt",
        || server.log(),
    );
    assert_suite_ran_over_websocket(&run.console);
    let json = std::fs::read_to_string(&run.json).expect("read JSON");
    assert_no_password_in(&[("console", &run.console), ("JSON", &json)]);
}

#[test]
fn ejabberd_over_websocket_matches_its_baseline() {
    let server = Ejabberd::start_with_tls();
    server.register_all(&xmpp_conform::accounts::CAST, PASSWORD);
    let run = run_suite_against_baseline(
        &server.websocket_target(),
        &server.ca,
        "tests/baselines/ejabberd-23.01-websocket.txt",
        || server.log(),
    );
    assert_suite_ran_over_websocket(&run.console);
    let json = std::fs::read_to_string(&run.json).expect("read JSON");
    assert_no_password_in(&[("console", &run.console), ("JSON", &json)]);
}

/// `wss://`: the same verdicts over TLS, the certificate verified for the
/// URL's host through the run's own rustls configuration (`--ca`).
#[test]
fn ejabberd_over_secure_websocket_matches_the_same_baseline() {
    let server = Ejabberd::start_with_tls();
    server.register_all(&xmpp_conform::accounts::CAST, PASSWORD);
    let run = run_suite_against_baseline(
        &server.secure_websocket_target(),
        &server.ca,
        "tests/baselines/ejabberd-23.01-websocket.txt",
        || server.log(),
    );
    assert_suite_ran_over_websocket(&run.console);
    let json = std::fs::read_to_string(&run.json).expect("read JSON");
    assert!(
        json.contains("(subprotocol xmpp) via TLSv1_3"),
        "the transcripts show no TLS"
    );
}

/// The WebSocket scenarios ran (they are skipped on any other transport),
/// and the TCP-only and STARTTLS ones were skipped with their reasons.
fn assert_suite_ran_over_websocket(console: &str) {
    let line = |id: &str| verdict_line(console, id);
    assert!(!line("rfc7395/close").starts_with("SKIP"), "{console}");
    let bad_xml = line("rfc6120/stream/bad-xml");
    assert!(bad_xml.starts_with("SKIP"), "{bad_xml}");
    let starttls = line("rfc6120/tls/starttls ");
    assert!(starttls.starts_with("SKIP"), "{starttls}");
}

/// A server that completes the WebSocket handshake without echoing the
/// `xmpp` subprotocol answered: the run goes on, and each scenario fails
/// citing RFC 7395 §3.1 (it is not "unreachable", exit 3).
#[test]
fn a_server_without_the_xmpp_subprotocol_fails_each_scenario() {
    let addr = serve_each_connection(|stream| {
        // tungstenite's server side echoes no subprotocol unless told to.
        if let Ok(mut ws) = tungstenite::accept(stream) {
            let _ = ws.read();
        }
    });
    let url = format!("ws://{addr}/xmpp-websocket");
    let out = xmpp_conform(&[
        "--target",
        &url,
        "--domain",
        "localhost",
        "--timeout",
        "3s",
        "--filter",
        "rfc6120/stream/basic-session",
        "--filter",
        "rfc7395/open-answer",
    ]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert_eq!(shown.matches("FAIL ").count(), 2, "{shown}");
    assert!(shown.contains("RFC 7395 §3.1"), "{shown}");
}

/// A malformed URL is a usage error (exit 2); a WebSocket endpoint no one
/// listens on is unreachable (exit 3), like a TCP target.
#[test]
fn malformed_and_unreachable_websocket_targets() {
    let out = xmpp_conform(&["--target", "ws://", "--domain", "localhost"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let port = support::free_port();
    let url = format!("ws://127.0.0.1:{port}/xmpp-websocket");
    let out = xmpp_conform(&["--target", &url, "--timeout", "2s"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
}
