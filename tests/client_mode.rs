//! `--listen`: clients that misbehave get a failed verdict with the
//! reason, within the timeout, and the harness goes on serving the next
//! scenario. The misbehaving clients are written here (no real client
//! misbehaves on demand); real clients are driven in tests/clients.rs.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::{free_port, repo, text, xmpp_conform};

/// Connect to the harness, retrying while it starts up.
fn connect(port: u16) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => return s,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("cannot reach the harness on port {port}: {e}"),
        }
    }
}

const HEADER: &[u8] = b"<?xml version='1.0'?><stream:stream to='localhost' version='1.0' \
    xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

/// Read until the peer closes or `limit` passes.
fn drain(stream: &mut TcpStream, limit: Duration) {
    let _ = stream.set_read_timeout(Some(limit));
    let mut buf = [0u8; 4096];
    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
}

#[test]
fn garbage_silence_and_a_dropped_connection_each_fail_and_the_next_scenario_runs() {
    let port = free_port();
    let certs = tempfile::tempdir().expect("temporary folder");
    let clients = std::thread::spawn(move || {
        // 1: bytes that are not XML instead of a stream header.
        let mut s = connect(port);
        let _ = s.write_all(b"\x16\x03\x01 this is not XML <<<");
        drain(&mut s, Duration::from_secs(5));
        // 2: connects and says nothing.
        let mut s = connect(port);
        drain(&mut s, Duration::from_secs(5));
        // 3: a correct header, then hangs up before STARTTLS.
        let mut s = connect(port);
        let _ = s.write_all(HEADER);
        let mut buf = [0u8; 1024];
        let _ = s.read(&mut buf);
        drop(s);
    });
    let scenarios = repo().join("scenarios/client/rfc6120");
    let started = Instant::now();
    let out = xmpp_conform(&[
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--domain",
        "localhost",
        "--timeout",
        "1s",
        "--cert-dir",
        &certs.path().display().to_string(),
        "--scenarios",
        &scenarios.join("stream/open.xmpp").display().to_string(),
        "--scenarios",
        &scenarios
            .join("stream/split-and-keepalive.xmpp")
            .display()
            .to_string(),
        "--scenarios",
        &scenarios
            .join("tls/starttls-required.xmpp")
            .display()
            .to_string(),
    ]);
    let took = started.elapsed();
    let shown = text(&out);
    let _ = clients.join();
    assert_eq!(out.status.code(), Some(1), "{shown}");
    let fails: Vec<&str> = shown.lines().filter(|l| l.starts_with("FAIL  ")).collect();
    assert_eq!(fails.len(), 3, "{shown}");
    assert!(shown.contains("not XMPP's XML"), "garbage:\n{shown}");
    assert!(
        shown.contains("nothing arrived within 1s"),
        "silence:\n{shown}"
    );
    assert!(
        shown.contains("the peer closed the connection instead"),
        "hang-up:\n{shown}"
    );
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert!(
        certs.path().join("ca.pem").is_file(),
        "the generated CA is written for clients to trust"
    );
}

#[test]
fn no_client_at_all_fails_after_the_timeout() {
    let certs = tempfile::tempdir().expect("temporary folder");
    let out = xmpp_conform(&[
        "--listen",
        "127.0.0.1:0",
        "--timeout",
        "500ms",
        "--cert-dir",
        &certs.path().display().to_string(),
        "--filter",
        "rfc6120/stream/open",
    ]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("no client connected within 500ms"),
        "{shown}"
    );
}

#[test]
fn a_client_command_that_exits_at_once_fails_with_its_status() {
    let certs = tempfile::tempdir().expect("temporary folder");
    let started = Instant::now();
    let out = xmpp_conform(&[
        "--listen",
        "127.0.0.1:0",
        "--timeout",
        "5s",
        "--cert-dir",
        &certs.path().display().to_string(),
        "--filter",
        "rfc6120/stream/open",
        "--exec",
        "echo 'cannot reach port {port}' >&2; exit 3",
    ]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("exited (exit status: 3) without connecting"),
        "{shown}"
    );
    assert!(shown.contains("cannot reach port"), "{shown}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "an exiting client is noticed at once, not after the timeout"
    );
}

/// Testing a client, `connection NAME` takes the client's next connection:
/// a scenario can hold two sessions of one client, each with its own
/// lines, and the transcript labels them.
#[test]
fn a_client_scenario_holds_two_connections() {
    let port = free_port();
    let dir = tempfile::tempdir().expect("temporary folder");
    let scenario = dir.path().join("two-sessions.xmpp");
    std::fs::write(
        &scenario,
        "+++\ntitle = \"Two sessions\"\nspec = [\"RFC 6120 §4.7.1\"]\npeer = \"client\"\n+++\n\
         C: <stream:stream to='{domain}' version='1.0'\n\
         \x20      xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\n\
         connection second\n\
         C: <stream:stream to='{domain}' version='1.0'\n\
         \x20      xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\n\
         S: <stream:stream from='{domain}' id='second-stream' version='1.0'\n\
         \x20      xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\n\
         connection main\n\
         S: <stream:stream from='{domain}' id='main-stream' version='1.0'\n\
         \x20      xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\n",
    )
    .expect("write the scenario");
    let client = std::thread::spawn(move || {
        let mut first = connect(port);
        first.write_all(HEADER).expect("first header");
        let mut second = connect(port);
        second.write_all(HEADER).expect("second header");
        let read = |s: &mut TcpStream| {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            String::from_utf8_lossy(&buf[..n]).into_owned()
        };
        (read(&mut first), read(&mut second))
    });
    let out = xmpp_conform(&[
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--domain",
        "localhost",
        "--timeout",
        "3s",
        "--cert-dir",
        &dir.path().display().to_string(),
        "--verbose",
        "--scenarios",
        &scenario.display().to_string(),
    ]);
    let (first, second) = client.join().expect("client thread");
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    // Each session got the header meant for it.
    assert!(first.contains("main-stream"), "{first}");
    assert!(second.contains("second-stream"), "{second}");
    assert!(shown.contains("second S: <stream:stream"), "{shown}");
}
