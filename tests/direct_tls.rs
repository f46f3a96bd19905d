//! `--tls direct` keeps the scenarios that open with STARTTLS: their
//! STARTTLS exchange is skipped as a unit and the rest runs over the TLS
//! that is on from the first byte (issue 12, item 4). Against the
//! reference server on a direct TLS port (`Config.direct_tls`).

mod support;

use support::{text, xmpp_conform};
use xmpp_conform::reference::{Config, Faults, ReferenceServer, Rule};

/// Run the server scenarios whose id starts with `filter` over direct
/// TLS against a reference server that breaks `faults`; the console.
async fn run_direct(faults: Faults, filter: &'static str) -> (Option<i32>, String) {
    let mut config = Config::new("localhost").with_account("romeo", "secret");
    config.direct_tls = true;
    config.faults = faults;
    let server = ReferenceServer::start(config).await.expect("start");
    let target = server.addr().to_string();
    let ca = server.ca_path().display().to_string();
    let out = tokio::task::spawn_blocking(move || {
        xmpp_conform(&[
            "--target",
            &target,
            "--domain",
            "localhost",
            "--tls",
            "direct",
            "--ca",
            &ca,
            "--user",
            "romeo",
            "--password",
            "secret",
            "--timeout",
            "3s",
            "--filter",
            filter,
        ])
    })
    .await
    .expect("run");
    server.shutdown().await;
    (out.status.code(), text(&out))
}

/// The verdict label the console shows for `id`.
fn label<'a>(shown: &'a str, id: &str) -> Option<&'a str> {
    shown.lines().find_map(|l| {
        let mut words = l.split_whitespace();
        let label = words.next()?;
        (words.next()? == id).then_some(label)
    })
}

/// Before the fix every one of these was skipped ("uses STARTTLS; this
/// run uses direct TLS"); they must run and pass. Checked against the old
/// engine: all thirteen were SKIP and the test failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sasl_scenarios_run_and_pass_over_direct_tls() {
    let (code, shown) = run_direct(Faults::default(), "rfc6120/sasl").await;
    assert_eq!(code, Some(0), "{shown}");
    for id in [
        "abort",
        "digest-md5-flow",
        "digest-md5",
        "incorrect-encoding",
        "invalid-mechanism",
        "plain",
        "retry-after-failure",
        "scram-sha-1",
        "scram-sha-256",
        "stanza-before-auth",
        "wrong-password",
    ] {
        let id = format!("rfc6120/sasl/{id}");
        assert_eq!(label(&shown, &id), Some("PASS"), "{id}\n{shown}");
    }
    // The server's choice, not the run's: ANONYMOUS is not offered.
    assert_eq!(
        label(&shown, "rfc6120/sasl/anonymous"),
        Some("UNSUP"),
        "{shown}"
    );
    // Its subject is the time before TLS, which direct TLS has not.
    assert_eq!(
        label(&shown, "rfc6120/sasl/plain-before-tls"),
        Some("SKIP"),
        "{shown}"
    );
    assert!(
        shown.contains("needs STARTTLS; this run uses direct TLS (--tls direct)"),
        "{shown}"
    );
}

/// The scenarios about STARTTLS itself stay skipped, with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_scenarios_stay_skipped_over_direct_tls() {
    let (code, shown) = run_direct(Faults::default(), "rfc6120/tls").await;
    assert_eq!(code, Some(0), "{shown}");
    for id in [
        "rfc6120/tls/starttls",
        "rfc6120/tls/starttls-after-tls",
        "rfc6120/tls/garbage-instead-of-client-hello",
    ] {
        assert_eq!(label(&shown, id), Some("SKIP"), "{id}\n{shown}");
    }
    assert!(
        shown.contains("this run uses direct TLS (--tls direct)"),
        "{shown}"
    );
}

/// With the exchange skipped, its check that STARTTLS is not offered
/// inside TLS stays: a server that offers it on a direct TLS stream fails,
/// with the rule cited (RFC 6120 §5.4.3.3). Before the fix the scenario
/// was skipped, so nothing failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_offered_inside_direct_tls_fails() {
    let faults = Faults::default().breaking(Rule::NoStartTlsAfterTls);
    let (code, shown) = run_direct(faults, "rfc6120/sasl/plain").await;
    assert_eq!(code, Some(1), "{shown}");
    assert_eq!(label(&shown, "rfc6120/sasl/plain"), Some("FAIL"), "{shown}");
    assert!(
        shown.contains("the features of a stream over direct TLS offer <starttls/>")
            && shown.contains("RFC 6120 §5.4.3.3"),
        "{shown}"
    );
}
