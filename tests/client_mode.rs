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

/// `{ca}` never silently becomes `''` (issue 12, item 13): with
/// `--cert`/`--key` and no `--cert-ca` an `--exec` that uses it is refused
/// before anything runs; with `--cert-ca` the client gets that file.
#[test]
fn ca_placeholder_with_own_certificate_needs_cert_ca() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let own = support::TestCertificates::create(dir.path(), "localhost");
    let seen = dir.path().join("ca-seen-by-client");
    let exec = format!("printf %s {{ca}} > '{}'; exit 1", seen.display());
    let path = |p: &std::path::Path| p.display().to_string();
    let mut args = vec![
        "--listen".to_owned(),
        "127.0.0.1:0".to_owned(),
        "--domain".to_owned(),
        "localhost".to_owned(),
        "--timeout".to_owned(),
        "2s".to_owned(),
        "--filter".to_owned(),
        "rfc6120/stream/open".to_owned(),
        "--cert".to_owned(),
        path(&own.cert),
        "--key".to_owned(),
        path(&own.key),
        "--exec".to_owned(),
        exec,
    ];
    let run = |args: &[String]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        xmpp_conform(&args)
    };
    let refused = run(&args);
    let shown = text(&refused);
    assert_eq!(refused.status.code(), Some(2), "{shown}");
    assert!(shown.contains("--cert-ca"), "{shown}");
    assert!(!seen.exists(), "the client must not have been started");

    args.extend(["--cert-ca".to_owned(), path(&own.ca)]);
    let out = run(&args);
    let shown = text(&out);
    // The client exits without connecting, on purpose: only what it got
    // for `{ca}` matters here.
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert_eq!(
        std::fs::read_to_string(&seen).ok(),
        Some(path(&own.ca)),
        "{shown}"
    );
}

/// The CA generated into `--cert-dir` is the one the next run presents
/// too, so a client that pins it keeps working; a set that no longer
/// works (its key gone) is replaced, and the run says so.
#[test]
fn the_generated_ca_is_reused_across_runs() {
    let certs = tempfile::tempdir().expect("temporary folder");
    let run = || {
        xmpp_conform(&[
            "--listen",
            "127.0.0.1:0",
            "--domain",
            "localhost",
            "--timeout",
            "200ms",
            "--cert-dir",
            &certs.path().display().to_string(),
            "--filter",
            "rfc6120/stream/open",
        ])
    };
    let ca = || std::fs::read(certs.path().join("ca.pem")).expect("ca.pem written");
    let first = run();
    let made = ca();
    let second = run();
    assert_eq!(ca(), made, "{}", text(&second));
    assert!(
        text(&second).contains("reusing the CA"),
        "{}",
        text(&second)
    );
    assert!(!text(&first).contains("reusing"), "{}", text(&first));

    std::fs::remove_file(certs.path().join("localhost.key")).expect("remove the key");
    let third = run();
    assert_ne!(ca(), made, "{}", text(&third));
    assert!(
        text(&third).contains("a new CA replaces"),
        "{}",
        text(&third)
    );
}

/// Stop means stopped (issue 12, item 11): `timeout` leaves the client's
/// process group and `setsid` its session, so killing the group left
/// `sleep` running after the run. Every process the client started must
/// be gone when the harness exits.
#[test]
fn every_process_the_client_started_is_stopped() {
    // A tag in the harness's environment, inherited by the client and all
    // it starts, tells this test's processes from anyone else's.
    let tag = format!("XMPP_CONFORM_TEST_TAG={}", std::process::id());
    let certs = tempfile::tempdir().expect("temporary folder");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xmpp-conform"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--timeout",
            "300ms",
            "--cert-dir",
            &certs.path().display().to_string(),
            "--filter",
            "rfc6120/stream/open",
            "--exec",
            // A sleep orphaned at once (its subshell exits), one in a new
            // session, one under `timeout` in a new process group.
            "(sleep 31 &); setsid sleep 31 & timeout 60 sleep 31",
        ])
        .env("NO_COLOR", "1")
        .env(
            "XMPP_CONFORM_TEST_TAG",
            tag.trim_start_matches("XMPP_CONFORM_TEST_TAG="),
        )
        .current_dir(repo())
        .output()
        .expect("run xmpp-conform");
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("still running"), "{shown}");
    // SIGKILL is delivered at once, but a process takes a moment to go.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut left = tagged_sleeps(&tag);
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        left = tagged_sleeps(&tag);
    }
    for pid in &left {
        // Clean up after a failure, so no sleep outlives the test.
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    assert!(left.is_empty(), "still running: {left:?}\n{shown}");
}

/// Live `sleep 31` processes whose environment holds `tag`.
fn tagged_sleeps(tag: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let environ = std::fs::read(e.path().join("environ")).ok()?;
            let is_sleep = cmdline == b"sleep\x0031\x00";
            let tagged = environ.split(|&b| b == 0).any(|v| v == tag.as_bytes());
            (is_sleep && tagged).then_some(pid)
        })
        .collect()
}

/// Issue 12, item 10: a client that reconnects on its own must not be
/// judged in the next scenario. The old harness kept one listener: the
/// first client's reconnection waited in its queue, the second scenario
/// took it, and failed when that client was stopped. Now each scenario
/// has its own port, and its stream ends with `</stream:stream>`.
#[test]
fn a_reconnecting_client_is_judged_only_in_its_own_scenario() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let first = dir.path().join("headers.xmpp");
    std::fs::write(
        &first,
        "+++\ntitle = \"Headers\"\nspec = [\"RFC 6120 §4.7.1\"]\npeer = \"client\"\n+++\n\
         C: <stream:stream to='{domain}' version='1.0'\n\
         \x20      xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\n\
         S: <stream:stream from='{domain}' id='one' version='1.0'\n\
         \x20      xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\n",
    )
    .expect("write the scenario");
    let second = repo().join("scenarios/client/rfc6120/stream/stream-error.xmpp");
    let client = repo().join("tests/clients/reconnecting.py");
    let out = xmpp_conform(&[
        "--listen",
        "127.0.0.1:0",
        "--domain",
        "localhost",
        "--timeout",
        "3s",
        "--cert-dir",
        &dir.path().join("certs").display().to_string(),
        "--verbose",
        "--scenarios",
        &first.display().to_string(),
        "--scenarios",
        &second.display().to_string(),
        "--exec",
        &format!("python3 {} {{port}}", client.display()),
    ]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("the server closed the stream with </stream:stream>"),
        "{shown}"
    );
}

/// Issue 12, item 12: a client that supports none of the offered
/// mechanisms may give up with a stream error as well as with a close:
/// either way the scenario is *unsupported*, not failed.
#[test]
fn a_stream_error_instead_of_a_mechanism_is_unsupported() {
    let port = free_port();
    let dir = tempfile::tempdir().expect("temporary folder");
    let scenario = dir.path().join("scram-only.xmpp");
    std::fs::write(
        &scenario,
        "+++\ntitle = \"SCRAM only\"\nspec = [\"RFC 6120 §6.4.2\"]\npeer = \"client\"\n\
         needs = [\"credentials\"]\n+++\n\
         C: <stream:stream to='{domain}' version='1.0'\n\
         \x20      xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\n\
         S: <stream:stream from='{domain}' id='one' version='1.0'\n\
         \x20      xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\n\
         S: <stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>\n\
         sasl SCRAM-SHA-1\n",
    )
    .expect("write the scenario");
    let client = std::thread::spawn(move || {
        let mut s = connect(port);
        s.write_all(HEADER).expect("header");
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&seen).contains("</stream:features>") {
            match s.read(&mut buf) {
                Ok(n) if n > 0 => seen.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
        let _ = s.write_all(
            b"<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
              </stream:error></stream:stream>",
        );
        drain(&mut s, Duration::from_secs(5));
    });
    let out = xmpp_conform(&[
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--domain",
        "localhost",
        "--user",
        support::USER,
        "--password",
        support::PASSWORD,
        "--timeout",
        "3s",
        "--cert-dir",
        &dir.path().display().to_string(),
        "--scenarios",
        &scenario.display().to_string(),
    ]);
    client.join().expect("client thread");
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("UNSUP"), "{shown}");
    assert!(
        shown.contains("sent a stream error (<policy-violation/>) without choosing a mechanism"),
        "{shown}"
    );
}

/// Issue 12, item 12: split-and-keepalive offers `<starttls><required/>`,
/// which inside direct TLS would break RFC 6120 §5.4.3.3 on the harness's
/// side; it declares that it needs STARTTLS, so `--tls direct` skips it
/// (at once: no client is waited for) instead of judging a client by it.
#[test]
fn split_and_keepalive_is_skipped_under_direct_tls() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = xmpp_conform(&[
        "--listen",
        "127.0.0.1:0",
        "--tls",
        "direct",
        "--timeout",
        "2s",
        "--cert-dir",
        &dir.path().display().to_string(),
        "--filter",
        "rfc6120/stream/split-and-keepalive",
    ]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("SKIP"), "{shown}");
    assert!(shown.contains("STARTTLS"), "{shown}");
}
