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

/// `xmpp-conform fuzz` against `addr` with a 1 s timeout, writing into
/// `out`, with `extra` arguments (seeds, jobs, findings).
fn fuzz_with(addr: &str, out: &Path, extra: &[&str]) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let mut args = vec![
        "fuzz",
        "--target",
        addr,
        "--domain",
        "localhost",
        "--timeout",
        "1s",
        "--duration",
        "60s",
        "--out",
        out.to_str().expect("utf-8 path"),
    ];
    args.extend(extra);
    let run = xmpp_conform(&args);
    (run.status.code(), text(&run), started.elapsed())
}

/// The fixed-seed run the planted flaws are found with.
fn fuzz(addr: &str, out: &Path) -> (Option<i32>, String, Duration) {
    fuzz_with(addr, out, &["--seed", "42", "--max-findings", "1"])
}

/// The findings in `dir`: their file names (content hashes), sorted.
fn findings(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".xmpp"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
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
    let found = findings(out.path());
    assert_eq!(found.len(), 1, "{shown}");
    assert!(found[0].starts_with("hang-"), "{found:?}");
    let scenario = out.path().join(&found[0]);
    let id = found[0].trim_end_matches(".xmpp");
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
    assert!(replayed.contains(&format!("FAIL  {id}")), "{replayed}");
    assert!(replayed.contains("nothing arrived within 1s"), "{replayed}");
    // A case is its seed: the range the reproducer names finds it again.
    let written = std::fs::read_to_string(&scenario).expect("read the finding");
    let range = written
        .split("--seed-range ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the finding names its seed")
        .to_owned();
    let again = tempfile::tempdir().expect("temporary folder");
    let (code, shown, _) = fuzz_with(&addr, again.path(), &["--seed-range", &range]);
    assert_eq!(code, Some(1), "{shown}");
    assert_eq!(findings(again.path()), found, "{shown}");
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
    let found = findings(out.path());
    assert!(
        found.len() == 1 && found[0].starts_with("crash-"),
        "{found:?}"
    );
}

/// Cases are handed out in seed order and each depends on its seed alone,
/// so four connections at once find what one finds: the same files.
#[test]
fn four_jobs_find_what_one_job_finds() {
    for flaw in [Flaw::HangOnLongAttribute, Flaw::DieOnDeepNesting] {
        let mut found = Vec::new();
        for jobs in ["1", "4"] {
            // A fresh server each time: the second flaw kills it.
            let addr = fragile_server(flaw);
            let out = tempfile::tempdir().expect("temporary folder");
            let args = ["--seed", "42", "--max-findings", "1", "--jobs", jobs];
            let (code, shown, _) = fuzz_with(&addr, out.path(), &args);
            assert_eq!(code, Some(1), "--jobs {jobs}: {shown}");
            found.push((findings(out.path()), shown));
        }
        assert_eq!(found[0].0.len(), 1, "{}", found[0].1);
        assert_eq!(found[0].0, found[1].0, "{}\n{}", found[0].1, found[1].1);
    }
}

/// Two shards (`--seed-range`) of one range find, merged, what the whole
/// range finds; a finding both shards make is one file.
#[test]
fn two_seed_ranges_merge_into_the_findings_of_the_whole() {
    let addr = fragile_server(Flaw::HangOnLongAttribute);
    let root = tempfile::tempdir().expect("temporary folder");
    let dir = |name: &str| root.path().join(name);
    let many = ["--max-findings", "100", "--jobs", "4"];
    let shards = [("whole", "0..160"), ("a", "0..80"), ("b", "80..160")];
    for (name, range) in shards {
        let args = [&["--seed-range", range][..], &many[..]].concat();
        let (code, shown, _) = fuzz_with(&addr, &dir(name), &args);
        assert_eq!(code, Some(1), "{range}: {shown}");
    }
    let merged = xmpp_conform(&[
        "fuzz",
        "--merge",
        dir("a").to_str().expect("utf-8 path"),
        dir("b").to_str().expect("utf-8 path"),
        "--out",
        dir("merged").to_str().expect("utf-8 path"),
    ]);
    let shown = text(&merged);
    assert_eq!(merged.status.code(), Some(0), "{shown}");
    let whole = findings(&dir("whole"));
    assert!(whole.len() >= 2, "{whole:?}");
    assert_eq!(findings(&dir("merged")), whole, "{shown}");
    let (a, b) = (findings(&dir("a")), findings(&dir("b")));
    let both = a.iter().filter(|n| b.contains(n)).count();
    assert!(
        shown.contains(&format!("({both} found by more than one shard)")),
        "{shown}"
    );
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
