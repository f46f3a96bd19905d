//! JUnit, JSON and snapshots over WebSocket and BOSH against the reference
//! server: the reports parse and say which transport and target each
//! scenario ran over, and a snapshot written on one run matches the next
//! one (a new session, with new made-up values: the stream id, BOSH's
//! `sid` and `authid`) and still catches a change.

mod support;

use std::path::Path;

use quick_xml::events::Event;
use support::{text, xmpp_conform};
use xmpp_conform::reference::{Config, ReferenceServer};

/// What runs: one scenario without credentials, one with.
const SCENARIOS: [&str; 2] = ["rfc6120/stream/basic-session", "rfc6120/bind/server-chosen"];

/// One run against `target` with every report on, the snapshots in `mode`.
fn run(target: &str, dir: &Path, mode: &str) -> (Option<i32>, String) {
    let path = |name: &str| dir.join(name).display().to_string();
    let (junit, json, snapshots) = (path("junit.xml"), path("report.json"), path("snapshots"));
    let mut args = vec![
        "--target",
        target,
        "--domain",
        "localhost",
        "--user",
        "romeo",
        "--password",
        "secret",
        "--junit",
        &junit,
        "--json",
        &json,
        "--snapshots",
        &snapshots,
        "--snapshots-mode",
        mode,
    ];
    for id in SCENARIOS {
        args.extend(["--filter", id]);
    }
    let out = xmpp_conform(&args);
    (out.status.code(), text(&out))
}

/// The JSON report: the target, and each scenario passed over `kind`.
fn check_json(dir: &Path, target: &str, kind: &str) {
    let json = std::fs::read_to_string(dir.join("report.json")).expect("read JSON");
    let report: serde_json::Value = serde_json::from_str(&json).expect("the JSON parses");
    assert_eq!(report["target"], target);
    let scenarios = report["scenarios"].as_array().expect("scenarios");
    assert_eq!(scenarios.len(), SCENARIOS.len(), "{json}");
    let connected = format!("connected: {kind} {target}");
    for scenario in scenarios {
        assert_eq!(scenario["status"], "pass", "{scenario}");
        let transcript = scenario["transcript"].as_array().expect("a transcript");
        assert!(
            transcript.iter().any(|line| line["text"]
                .as_str()
                .is_some_and(|t| t.starts_with(&connected))),
            "{kind}: no `{connected}` in {scenario}"
        );
    }
}

/// The JUnit report: well-formed, a test case per scenario, none failed,
/// the transport and target in each case's output.
fn check_junit(dir: &Path, target: &str, kind: &str) {
    let xml = std::fs::read_to_string(dir.join("junit.xml")).expect("read JUnit");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut outputs) = (Vec::new(), 0, Vec::new());
    let mut in_output = false;
    loop {
        match reader.read_event().expect("the JUnit XML parses") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "testcase" => {
                    let name = e
                        .try_get_attribute("name")
                        .ok()
                        .flatten()
                        .map(|a| a.value.into_owned());
                    cases.push(name.unwrap_or_default());
                }
                "failure" | "error" => failures += 1,
                "system-out" => in_output = true,
                _ => {}
            },
            Event::Text(t) if in_output => outputs.push(t.into_inner().into_owned()),
            Event::End(e) if e.name().as_ref() == "system-out" => in_output = false,
            _ => {}
        }
    }
    let mut expected = SCENARIOS.map(String::from).to_vec();
    cases.sort();
    expected.sort();
    assert_eq!(cases, expected, "{xml}");
    assert_eq!(failures, 0, "{xml}");
    let connected = format!("connected: {kind} {target}");
    assert!(
        outputs.iter().filter(|o| o.contains(&connected)).count() >= SCENARIOS.len(),
        "{kind}: the cases' output does not name the transport: {xml}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_and_snapshots_work_over_websocket_and_bosh() {
    let config = Config::new("localhost").with_account("romeo", "secret");
    let server = ReferenceServer::start(config).await.expect("start");
    let targets = [
        (
            "websocket",
            server.websocket_url().expect("WebSocket").to_owned(),
        ),
        ("bosh", server.bosh_url().expect("BOSH").to_owned()),
    ];
    for (kind, target) in targets {
        let dir = tempfile::tempdir().expect("temporary folder");
        let folder = dir.path().to_owned();
        let (code, shown) = {
            let (target, folder) = (target.clone(), folder.clone());
            tokio::task::spawn_blocking(move || {
                // The first run writes the snapshots, the second (a new
                // session) must match them.
                let first = run(&target, &folder, "new");
                assert_eq!(first.0, Some(0), "{kind}, first run: {}", first.1);
                run(&target, &folder, "check")
            })
            .await
            .expect("the runs")
        };
        assert_eq!(
            code,
            Some(0),
            "{kind}: the snapshots changed between runs: {shown}"
        );
        check_json(&folder, &target, kind);
        check_junit(&folder, &target, kind);

        // A snapshot that no longer matches what the server says fails.
        let snap = folder.join("snapshots/rfc6120/stream/basic-session.snap");
        let pinned = std::fs::read_to_string(&snap).expect("the snapshot was written");
        assert!(
            !pinned.contains("sid='") || pinned.contains("sid='[sid]'"),
            "{pinned}"
        );
        std::fs::write(&snap, pinned.replace("version='1.0'", "version='9.9'")).expect("edit");
        let (code, shown) = {
            let (target, folder) = (target.clone(), folder.clone());
            tokio::task::spawn_blocking(move || run(&target, &folder, "check"))
                .await
                .expect("the run")
        };
        assert_ne!(
            code,
            Some(0),
            "{kind}: an edited snapshot still matched: {shown}"
        );
        assert!(shown.contains("basic-session"), "{shown}");
    }
    let stats = server.shutdown().await;
    assert_eq!(stats.panicked, 0, "{stats:?}");
}
