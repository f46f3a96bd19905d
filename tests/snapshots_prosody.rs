//! Snapshot assertions against a real Prosody, the whole life cycle: the
//! first run writes one `.snap` per scenario, later runs against the same
//! server find no change (the redactions are complete), a Prosody that
//! behaves differently fails the affected scenarios with readable diffs and
//! `.snap.new` files, and accepting them makes the next run pass.

mod support;

use std::path::Path;

use support::{PASSWORD, Prosody, USER, text, xmpp_conform};

/// Run the whole server suite with `--snapshots dir` in `mode`; the exit
/// code and the console.
fn run(server: &Prosody, dir: &Path, mode: &str, baseline: bool) -> (Option<i32>, String) {
    run_filtered(server, dir, mode, baseline, &[])
}

/// [`run`] with `--filter`s.
fn run_filtered(
    server: &Prosody,
    dir: &Path,
    mode: &str,
    baseline: bool,
    filters: &[&str],
) -> (Option<i32>, String) {
    let target = server.target();
    let ca = server.ca.clone().expect("a CA");
    let ca = ca.to_str().expect("utf-8 path").to_string();
    let dir = dir.to_str().expect("utf-8 path").to_string();
    let mut args = vec![
        "--target",
        &target,
        "--domain",
        "localhost",
        "--timeout",
        "3s",
        "--ca",
        &ca,
        "--user",
        USER,
        "--password",
        PASSWORD,
        "--snapshots",
        &dir,
        "--snapshots-mode",
        mode,
    ];
    if baseline {
        args.extend(["--baseline", "tests/baselines/prosody-0.12.txt"]);
    }
    for filter in filters {
        args.extend(["--filter", filter]);
    }
    let cast = support::cast_args();
    args.extend(cast.iter().map(String::as_str));
    let out = xmpp_conform(&args);
    (out.status.code(), text(&out))
}

/// The scenarios of a console that ran to their end: `PASS`, or `FAIL`
/// for what the lint found along the way. Sorted.
fn completed_ids(console: &str) -> Vec<String> {
    let lines: Vec<&str> = console.lines().collect();
    let mut ids = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let mut words = line.split_whitespace();
        let (Some(status), Some(id)) = (words.next(), words.next()) else {
            continue;
        };
        let by_lint = || {
            lines
                .get(i + 1)
                .is_some_and(|next| next.trim_start().starts_with("the peer sent what breaks"))
        };
        if status == "PASS" || (matches!(status, "FAIL" | "WARN") && by_lint()) {
            ids.push(id.to_string());
        }
    }
    ids.sort();
    ids
}

/// The scenario id of a snapshot file below `dir`.
fn snapshot_id(dir: &Path, path: &str) -> String {
    let relative = Path::new(path).strip_prefix(dir).expect("below the folder");
    let id = relative.to_string_lossy().to_string();
    id.strip_suffix(".snap").unwrap_or(&id).to_string()
}

/// Every file below `dir` whose name ends with `suffix`, with its text.
fn files(dir: &Path, suffix: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)
            .expect("read the snapshot folder")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                let text = std::fs::read_to_string(&path).expect("read a snapshot");
                found.push((path.display().to_string(), text));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn snapshots_are_stable_and_catch_a_changed_server() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let snaps = dir.path().join("snapshots");

    let server = Prosody::start_with_tls();
    for user in xmpp_conform::accounts::CAST {
        server.register(user, PASSWORD);
    }
    // 1: the first run writes one snapshot per scenario that ran to its
    // end (passed, or failed by the lint only); one that stopped at a
    // failed step has none.
    let (code, console) = run(&server, &snaps, "new", true);
    assert_eq!(code, Some(0), "{console}");
    let written = files(&snaps, ".snap");
    let completed = completed_ids(&console);
    let mut names: Vec<String> = (written.iter())
        .map(|(path, _)| snapshot_id(&snaps, path))
        .collect();
    names.sort();
    assert_eq!(names, completed, "{console}");
    assert!(completed.len() > 100, "{console}");
    assert!(
        written.iter().all(|(_, t)| t.starts_with("---\nsource: ")),
        "insta's header"
    );
    assert!(
        written.iter().all(|(_, t)| !t.contains(PASSWORD)),
        "no password in a snapshot"
    );

    // 2, 3: two more runs against the same server change nothing, in the
    // strict mode CI uses.
    for round in 2..=3 {
        let (code, console) = run(&server, &snaps, "check", true);
        assert_eq!(code, Some(0), "round {round}:\n{console}");
        let pending = files(&snaps, ".snap.new");
        assert!(
            pending.is_empty(),
            "round {round}: unstable snapshots:\n{pending:#?}\n{console}"
        );
        assert_eq!(files(&snaps, ".snap"), written, "round {round}");
    }
    drop(server);

    // A Prosody without its roster module announces other stream features
    // after authentication: the scenarios that log in see a changed stream.
    let changed = Prosody::start_with_tls_and("modules_disabled = { \"roster\" }");
    for user in xmpp_conform::accounts::CAST {
        changed.register(user, PASSWORD);
    }
    let (code, console) = run(&changed, &snaps, "check", false);
    assert_eq!(code, Some(1), "{console}");
    assert!(
        console.contains("the received stream differs from its snapshot"),
        "{console}"
    );
    assert!(
        console.contains("-  <ver xmlns='urn:xmpp:features:rosterver'/>"),
        "a readable diff names what went away:\n{console}"
    );
    let pending = files(&snaps, ".snap.new");
    assert!(!pending.is_empty());
    let unchanged = "rfc6120/stream/basic-session";
    assert!(
        !pending.iter().any(|(p, _)| p.contains(unchanged)),
        "a scenario before authentication is not affected:\n{console}"
    );

    // Accept them all; the next run against the changed server passes.
    let dir_arg = snaps.to_str().expect("utf-8 path");
    let review = xmpp_conform(&["snapshots", "review", dir_arg, "--accept-all"]);
    assert_eq!(review.status.code(), Some(0), "{}", text(&review));
    assert!(
        text(&review).contains(&format!("{} accepted", pending.len())),
        "{}",
        text(&review)
    );
    assert!(files(&snaps, ".snap.new").is_empty());
    // RFC 6120's stream, TLS, SASL, binding, JID and XML scenarios only:
    // without its roster module Prosody fails the RFC 6121 ones, and the
    // RFC 6120 routing and stanza scenarios that use a roster as their
    // example of an iq, as verdicts the baseline (of a whole Prosody) does
    // not expect; the snapshots are the subject here.
    let (code, console) = run_filtered(
        &changed,
        &snaps,
        "check",
        true,
        &[
            "rfc6120/bind",
            "rfc6120/jid",
            "rfc6120/sasl",
            "rfc6120/stream",
            "rfc6120/tls",
            "rfc6120/xml",
        ],
    );
    assert_eq!(code, Some(0), "{console}");
}
