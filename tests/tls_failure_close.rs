//! The engine's two ways of judging a TLS handshake that does not happen,
//! against servers written here that misbehave (or behave) on purpose:
//! `expect-close abrupt` fails a server that sends `</stream:stream>` in
//! clear text after a failed handshake (RFC 6120 §5.4.3.2), and
//! `starttls or-close` passes one that hangs up instead of a handshake
//! spoilt by bytes pipelined after `<starttls/>`, but still fails one that
//! answers them in clear text (§5.4.2.3).

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use support::{text, xmpp_conform};

const HEADER: &str = "<?xml version='1.0'?><stream:stream from='localhost' id='s1' \
    version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\
    <stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>";
const PROCEED: &str = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";

fn read_until(s: &mut TcpStream, marker: &str) -> bool {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    while !String::from_utf8_lossy(&seen).contains(marker) {
        match s.read(&mut buf) {
            Ok(n) if n > 0 => seen.extend_from_slice(&buf[..n]),
            _ => return false,
        }
    }
    true
}

/// A server up to `<proceed/>`, then `after_proceed`, then it hangs up.
fn server(after_proceed: fn(&mut TcpStream)) -> String {
    support::serve_each_connection(move |mut s| {
        if !read_until(&mut s, "<stream:stream") {
            return;
        }
        let _ = s.write_all(HEADER.as_bytes());
        if !read_until(&mut s, "<starttls") {
            return;
        }
        let _ = s.write_all(PROCEED.as_bytes());
        after_proceed(&mut s);
    })
}

fn run(addr: &str, scenario: &str) -> (String, Option<i32>) {
    let out = xmpp_conform(&[
        "--target",
        addr,
        "--domain",
        "localhost",
        "--timeout",
        "3s",
        "--insecure",
        "--scenarios",
        scenario,
        "-v",
    ]);
    (text(&out), out.status.code())
}

const FAILURE: &str = "scenarios/server/rfc6120/tls/failure-without-closing-tag.xmpp";
const PIPELINED: &str = "scenarios/server/rfc6120/tls/pipelined-stanza-not-processed.xmpp";

/// What the client sent is no ClientHello: a server that says goodbye in
/// XML before hanging up breaks §5.4.3.2.
#[test]
fn a_closing_tag_after_a_failed_handshake_fails() {
    let addr = server(|s| {
        let mut buf = [0u8; 64];
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        if s.read(&mut buf).is_ok() {
            let _ = s.write_all(b"</stream:stream>");
        }
    });
    let (shown, code) = run(&addr, FAILURE);
    assert_eq!(code, Some(1), "{shown}");
    assert!(
        shown.contains("FAIL  failure-without-closing-tag"),
        "{shown}"
    );
    assert!(shown.contains("RFC 6120 §5.4.3.2"), "{shown}");
}

/// The same server hanging up without a word passes.
#[test]
fn a_bare_close_after_a_failed_handshake_passes() {
    let addr = server(|s| {
        let mut buf = [0u8; 64];
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = s.read(&mut buf);
    });
    let (shown, code) = run(&addr, FAILURE);
    assert_eq!(code, Some(0), "{shown}");
}

/// Hanging up right after `<proceed/>` is one of the two conforming
/// answers to pipelined data: `starttls or-close` ends the scenario there,
/// passing, and says so in the transcript.
#[test]
fn hanging_up_after_proceed_passes_or_close() {
    let addr = server(|_| {});
    let (shown, code) = run(&addr, PIPELINED);
    assert_eq!(code, Some(0), "{shown}");
    assert!(
        shown.contains("which `starttls or-close` accepts"),
        "{shown}"
    );
}

/// Answering the pipelined stanza in clear text still fails, `or-close`
/// or not (§5.4.2.3).
#[test]
fn answering_the_pipelined_stanza_fails() {
    let addr = server(|s| {
        let _ = s.write_all(b"<iq type='result' id='injected' from='localhost'/>");
        std::thread::sleep(Duration::from_millis(500));
    });
    let (shown, code) = run(&addr, PIPELINED);
    assert_eq!(code, Some(1), "{shown}");
    assert!(shown.contains("RFC 6120 §5.4.2.3"), "{shown}");
}
