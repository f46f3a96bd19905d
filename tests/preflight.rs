//! Issue 12, items 1–3: before the suite, one connection checks that the
//! target is an XMPP server this run can talk to. A wrong port, a target
//! that is not XMPP, a certificate the run does not trust or a refused
//! password stops the run at once with exit 3 and one message with the
//! fix, instead of failing every scenario (and blaming the server) or
//! spending every scenario's timeout on a silent target.
//!
//! The targets that are not XMPP servers are written here (no real server
//! answers like that on demand); the certificate and password cases use
//! the real reference server.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Output;
use std::time::{Duration, Instant};

use support::{Reference, serve_each_connection, text, xmpp_conform};
use xmpp_conform::reference::Config;

const TIMEOUT: &str = "2s";
/// What the whole run may take against a target that never answers: twice
/// the timeout (the bound), with room for the process to start on
/// a busy machine.
const BOUND: Duration = Duration::from_secs(4 + 2);

/// Every built-in server scenario against `target`, with `extra` options.
fn full_run(target: &str, extra: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let mut args = vec![
        "--target",
        target,
        "--domain",
        "localhost",
        "--timeout",
        TIMEOUT,
    ];
    args.extend_from_slice(extra);
    let out = xmpp_conform(&args);
    (out, started.elapsed())
}

/// Exit 3, one error line naming `what`, no scenario verdict printed.
fn stopped_before_the_suite(out: &Output, took: Duration, what: &str) {
    let shown = text(out);
    assert_eq!(out.status.code(), Some(3), "{shown}");
    assert!(shown.contains(what), "expected `{what}` in:\n{shown}");
    assert_eq!(shown.matches("error:").count(), 1, "one message:\n{shown}");
    assert!(
        !shown.contains("PASS ") && !shown.contains("FAIL "),
        "no scenario ran:\n{shown}"
    );
    assert!(took < BOUND, "took {took:?}:\n{shown}");
}

/// Read the client's first bytes, then do `answer`.
fn target(answer: fn(TcpStream)) -> String {
    serve_each_connection(move |mut s| {
        let mut first = [0u8; 512];
        let _ = s.read(&mut first);
        answer(s);
    })
}

fn hold(mut s: TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let mut sink = [0u8; 1024];
    while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
}

#[test]
fn a_silent_target_stops_the_run_within_twice_the_timeout() {
    let addr = target(hold);
    let (out, took) = full_run(&addr, &[]);
    stopped_before_the_suite(&out, took, "no stream header within 2s");
    assert!(
        text(&out).contains("hint: --target must name"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_target_dripping_a_byte_a_second_stops_the_run_within_twice_the_timeout() {
    let addr = target(|mut s| {
        for b in b"<?xml version='1.0'?><stream:stream" {
            if s.write_all(&[*b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    let (out, took) = full_run(&addr, &[]);
    stopped_before_the_suite(
        &out,
        took,
        "no stream header within 2s; the first bytes: \"<?",
    );
}

#[test]
fn an_http_server_is_named_by_what_it_answered() {
    let addr = target(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        hold(s);
    });
    let (out, took) = full_run(&addr, &[]);
    stopped_before_the_suite(
        &out,
        took,
        "the first bytes: \"HTTP/1.1 400 Bad Request\\r\\n",
    );
}

#[test]
fn a_tls_record_on_a_plain_port_is_shown_as_bytes() {
    // What a direct-TLS port answers a plain stream header with: an alert.
    let addr = target(|mut s| {
        let _ = s.write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]);
        hold(s);
    });
    let (out, took) = full_run(&addr, &[]);
    stopped_before_the_suite(&out, took, "\\x15\\x03\\x03\\x00\\x02\\x02F");
}

#[test]
fn garbage_is_refused_with_the_parser_condition() {
    let addr = target(|mut s| {
        let _ = s.write_all(b"\xff\xfe garbage");
        hold(s);
    });
    let (out, took) = full_run(&addr, &[]);
    stopped_before_the_suite(&out, took, "not XMPP's XML");
}

#[test]
fn a_reset_connection_is_no_xmpp_server() {
    let addr = target(drop);
    let (out, took) = full_run(&addr, &[]);
    stopped_before_the_suite(&out, took, "closed the connection without a stream header");
}

/// The reference server with romeo's and juliet's accounts.
fn reference() -> Reference {
    let config = Config::new("localhost").with_account("romeo", "secret");
    Reference::start(config.with_account("juliet", "secret"))
}

#[test]
fn an_untrusted_certificate_is_said_once_with_the_fix() {
    let reference = reference();
    let (out, took) = full_run(&reference.server.addr().to_string(), &[]);
    stopped_before_the_suite(&out, took, "the server's certificate is not trusted");
    assert!(text(&out).contains("--ca FILE"), "{}", text(&out));
    assert!(text(&out).contains("--insecure"), "{}", text(&out));
}

#[test]
fn a_refused_password_is_said_once_with_the_option_to_check() {
    let reference = reference();
    let ca = reference.server.ca_path().display().to_string();
    let addr = reference.server.addr().to_string();
    let (out, took) = full_run(
        &addr,
        &["--ca", &ca, "--user", "romeo", "--password", "not-it"],
    );
    stopped_before_the_suite(&out, took, "the server refused romeo@localhost");
    assert!(
        text(&out).contains("check --user/--password"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("not-it"), "the password is not shown");

    // A named account is checked too, and named.
    let (out, took) = full_run(
        &addr,
        &["--ca", &ca, "--account", "juliet=juliet@localhost:wrong"],
    );
    stopped_before_the_suite(&out, took, "the server refused juliet@localhost");
    assert!(
        text(&out).contains("check --account juliet"),
        "{}",
        text(&out)
    );

    // The right ones let the suite run.
    let (out, _) = full_run(
        &addr,
        &[
            "--ca",
            &ca,
            "--user",
            "romeo",
            "--password",
            "secret",
            "--filter",
            "rfc6120/sasl/scram-sha-1",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}
