//! The live fuzzer over WebSocket and BOSH against the reference server:
//! `xmpp-conform fuzz --target ws://…` and `--target http://…`, before
//! authentication and after a real login, must find nothing (no hang, no
//! crash), and no session of the server may panic. Over these transports
//! each mutated stanza travels unchecked inside the framing (a WebSocket
//! text message, the payload of a `<body/>`), so what is fuzzed is the
//! server's parser behind its WebSocket and HTTP front ends, the classic
//! place for such bugs; `tests/fuzz_reference.rs` does the same over TCP.

mod support;

use std::time::Duration;

use support::{fuzz_cases as cases, fuzz_summary as summary, text, xmpp_conform};
use xmpp_conform::reference::{Config, ReferenceServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_fuzzer_finds_nothing_over_websocket_and_bosh() {
    let mut config = Config::new("localhost").with_account("romeo", "secret");
    config.limits.idle_timeout = Duration::from_secs(10);
    let server = ReferenceServer::start(config).await.expect("start");
    let websocket = server.websocket_url().expect("a WebSocket listener");
    let bosh = server.bosh_url().expect("a BOSH listener");
    let out = tempfile::tempdir().expect("temporary folder");
    // A BOSH case whose payload the server cannot parse lasts until the
    // held request comes back after the server's `wait` (2 s here): the
    // responses are processed in rid order (XEP-0124 §14.2), so a few
    // cases run at once there.
    let runs = [
        ("websocket", websocket, "pre-auth", 100),
        ("websocket", websocket, "post-auth", 5),
        ("bosh", bosh, "pre-auth", 4),
        ("bosh", bosh, "post-auth", 2),
    ]
    .map(|(transport, target, phase, at_least)| {
        let target = target.to_owned();
        let dir = out.path().join(format!("{transport}-{phase}"));
        let handle = tokio::task::spawn_blocking(move || {
            let dir = dir.display().to_string();
            let out = xmpp_conform(&[
                "fuzz",
                "--target",
                &target,
                "--domain",
                "localhost",
                "--duration",
                "4s",
                "--seed",
                "7",
                "--phase",
                phase,
                "--jobs",
                "4",
                "--out",
                &dir,
                "--user",
                "romeo",
                "--password",
                "secret",
            ]);
            (out.status.code(), text(&out), target)
        });
        (transport, phase, at_least, handle)
    });
    let mut total = 0;
    for (transport, phase, at_least, handle) in runs {
        let (code, shown, target) = handle.await.expect("a fuzz run");
        assert_eq!(code, Some(0), "{transport} {phase}: {shown}");
        assert!(
            shown.contains(&format!("fuzzing {target} ({phase}")),
            "{transport} {phase}: the run names another target: {shown}"
        );
        let n = cases(&shown);
        assert!(
            n >= at_least,
            "{transport} {phase}: only {n} cases: {shown}"
        );
        assert!(summary(&shown).ends_with(", 0 findings"), "{shown}");
        eprintln!("{transport} {phase}: {}", summary(&shown));
        total += n;
    }
    let stats = server.shutdown().await;
    assert_eq!(stats.panicked, 0, "sessions panicked: {stats:?}");
    // Every case had its own session, through the transport's listener.
    assert!(stats.accepted >= total, "{stats:?} for {total} cases");
}
