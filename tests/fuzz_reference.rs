//! The live fuzzer against the reference server: `xmpp-conform fuzz` for
//! 30 s before authentication and, at the same time, 10 s after a real
//! login, must find nothing (no hang, no crash), and no session of the
//! server may panic. The suite's baseline has to survive the suite's own
//! hostile input; `tests/reference.rs` throws random bytes at it, this
//! throws the fuzzer's structural mutations of every scenario's stanzas.

mod support;

use std::time::Duration;

use support::{fuzz_cases as cases, fuzz_summary as summary, text, xmpp_conform};
use xmpp_conform::reference::{Config, ReferenceServer};

/// The seed of both runs; `REFERENCE_LIVE_FUZZ_SEED` replays another.
fn seed() -> String {
    std::env::var("REFERENCE_LIVE_FUZZ_SEED").unwrap_or_else(|_| "7".to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_fuzzer_finds_nothing_in_the_reference_server() {
    let mut config = Config::new("localhost").with_account("romeo", "secret");
    config.limits.idle_timeout = Duration::from_secs(10);
    let server = ReferenceServer::start(config).await.expect("start");
    let target = server.addr().to_string();
    let ca = server.ca_path().display().to_string();
    let out = tempfile::tempdir().expect("temporary folder");
    let seed = seed();
    let run = |phase: &'static str, duration: &'static str| {
        let (target, ca, seed) = (target.clone(), ca.clone(), seed.clone());
        let dir = out.path().join(phase).display().to_string();
        tokio::task::spawn_blocking(move || {
            let mut args = vec![
                "fuzz",
                "--target",
                &target,
                "--domain",
                "localhost",
                "--duration",
                duration,
                "--seed",
                &seed,
                "--phase",
                phase,
                "--out",
                &dir,
            ];
            if phase == "post-auth" {
                args.extend(["--user", "romeo", "--password", "secret", "--ca", &ca]);
            }
            let out = xmpp_conform(&args);
            (out.status.code(), text(&out))
        })
    };
    let pre = run("pre-auth", "30s");
    let post = run("post-auth", "10s");
    let (pre, post) = (
        pre.await.expect("pre-auth run"),
        post.await.expect("post-auth run"),
    );
    for (phase, (code, shown), at_least) in [("pre-auth", &pre, 1000), ("post-auth", &post, 20)] {
        assert_eq!(*code, Some(0), "{phase}, seed {seed}: {shown}");
        let n = cases(shown);
        assert!(n >= at_least, "{phase}: only {n} cases: {shown}");
        eprintln!("{phase}: {}", summary(shown));
    }
    let stats = server.shutdown().await;
    assert_eq!(
        stats.panicked, 0,
        "seed {seed}: sessions panicked: {stats:?}"
    );
    assert!(
        stats.accepted >= cases(&pre.1) + cases(&post.1),
        "{stats:?}"
    );
}
