//! The live fuzzer finds what it should: a deliberately fragile server,
//! written here (no real server breaks on demand), stops answering on one
//! shape of input or dies on another; `xmpp-conform fuzz` with a fixed seed
//! must find each within the time limit and write a scenario that
//! reproduces it.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use support::{text, xmpp_conform};
use xmpp_conform::xml::{Element, ParserConfig, StreamEvent, StreamParser};

/// The flaw planted in the server.
#[derive(Clone, Copy)]
enum Flaw {
    /// Stops answering on a connection that sent an attribute value over
    /// 4 KiB.
    HangOnLongAttribute,
    /// Stops accepting connections (as if it died) after an element nested
    /// deeper than 50.
    DieOnDeepNesting,
}

fn longest_attribute(e: &Element) -> usize {
    let own = e.attrs.iter().map(|a| a.value.len()).max().unwrap_or(0);
    e.child_elements()
        .map(longest_attribute)
        .max()
        .unwrap_or(0)
        .max(own)
}

fn depth(e: &Element) -> usize {
    1 + e.child_elements().map(depth).max().unwrap_or(0)
}

/// A minimal server: stream header and features, a result for every iq,
/// a stream error for bytes that are not XML; and its flaw.
fn fragile_server(flaw: Flaw) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address").to_string();
    let dead = Arc::new(AtomicBool::new(false));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            if dead.load(Ordering::SeqCst) {
                // Dead: the listener is dropped, new connections are refused.
                return;
            }
            let dead = Arc::clone(&dead);
            std::thread::spawn(move || serve(stream, flaw, &dead));
        }
    });
    addr
}

fn serve(mut stream: TcpStream, flaw: Flaw, dead: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    // Deep enough for the flaw to be reachable: the default depth limit
    // would turn deep nesting into a stream error first.
    let mut parser = StreamParser::new(ParserConfig {
        max_depth: 1024,
        ..ParserConfig::default()
    });
    let mut buf = [0u8; 16 * 1024];
    let mut hung = false;
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let mut events = Vec::new();
        parser.feed(&buf[..n], &mut events);
        for event in events {
            if hung {
                continue;
            }
            let reply = match event {
                StreamEvent::Open(_) => "<stream:stream xmlns='jabber:client' \
                     xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='f' \
                     version='1.0'><stream:features/>"
                    .to_string(),
                StreamEvent::Element(e) => {
                    match flaw {
                        Flaw::HangOnLongAttribute if longest_attribute(&e) > 4096 => {
                            hung = true;
                            continue;
                        }
                        Flaw::DieOnDeepNesting if depth(&e) > 50 => {
                            dead.store(true, Ordering::SeqCst);
                            // Wake the accept loop so it notices.
                            let _ = TcpStream::connect(stream.local_addr().expect("address"));
                            return;
                        }
                        _ => {}
                    }
                    match (e.name.as_str(), e.attr("id")) {
                        ("iq", Some(id)) => format!("<iq type='result' id='{id}'/>"),
                        _ => continue,
                    }
                }
                StreamEvent::Close => "</stream:stream>".to_string(),
                StreamEvent::Error(_) => {
                    let _ = stream.write_all(
                        b"<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>",
                    );
                    return;
                }
            };
            if stream.write_all(reply.as_bytes()).is_err() {
                return;
            }
        }
    }
}

fn fuzz(addr: &str, out: &Path) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let run = xmpp_conform(&[
        "fuzz",
        "--target",
        addr,
        "--domain",
        "localhost",
        "--timeout",
        "1s",
        "--duration",
        "60s",
        "--seed",
        "42",
        "--max-findings",
        "1",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    (run.status.code(), text(&run), started.elapsed())
}

#[test]
fn a_hang_on_long_attributes_is_found_shrunk_and_replayable() {
    let addr = fragile_server(Flaw::HangOnLongAttribute);
    let out = tempfile::tempdir().expect("temporary folder");
    let (code, shown, took) = fuzz(&addr, out.path());
    assert_eq!(code, Some(1), "{shown}");
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert!(shown.contains("FINDING 1  hang"), "{shown}");
    // Shrunk to the smallest power of two that still hangs: over 4096.
    assert!(
        shown.contains("an attribute value of 8192 bytes"),
        "{shown}"
    );
    let scenario = out.path().join("finding-1.xmpp");
    assert!(scenario.is_file(), "{shown}");
    // The reproducer fails against the fragile server, as the finding says.
    let replay = xmpp_conform(&[
        "--target",
        &addr,
        "--domain",
        "localhost",
        "--timeout",
        "1s",
        "--scenarios",
        scenario.to_str().expect("utf-8 path"),
    ]);
    let replayed = text(&replay);
    assert_eq!(replay.status.code(), Some(1), "{replayed}");
    assert!(replayed.contains("FAIL  finding-1"), "{replayed}");
    assert!(replayed.contains("nothing arrived within 1s"), "{replayed}");
}

#[test]
fn a_server_that_dies_on_deep_nesting_is_found() {
    let addr = fragile_server(Flaw::DieOnDeepNesting);
    let out = tempfile::tempdir().expect("temporary folder");
    let (code, shown, took) = fuzz(&addr, out.path());
    assert_eq!(code, Some(1), "{shown}");
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert!(shown.contains("FINDING 1  crash"), "{shown}");
    assert!(shown.contains("nested"), "{shown}");
    assert!(out.path().join("finding-1.xmpp").is_file());
}

#[test]
fn prosody_survives_ten_seconds_without_false_findings() {
    let server = support::Prosody::start_with_tls();
    let out = tempfile::tempdir().expect("temporary folder");
    let ca = server.ca.clone().expect("a CA");
    let run = xmpp_conform(&[
        "fuzz",
        "--target",
        &server.target(),
        "--domain",
        "localhost",
        "--ca",
        ca.to_str().expect("utf-8 path"),
        "--timeout",
        "3s",
        "--duration",
        "10s",
        "--seed",
        "1",
        "--out",
        out.path().to_str().expect("utf-8 path"),
    ]);
    let shown = text(&run);
    assert_eq!(run.status.code(), Some(0), "{shown}\n{}", server.log());
    assert!(shown.contains(", 0 findings"), "{shown}");
    assert!(shown.contains("cases/s"), "{shown}");
}
