//! Every failed scenario says in `--json` what kind of thing went wrong
//! (`failure.kind`), and each kind comes from a real cause: a peer that
//! stays silent, hangs up or sends garbage (mock peers: no real server
//! does that on demand), and a real reference server that breaks a rule,
//! refuses a password or presents a certificate the run does not trust.

mod support;

use std::io::{Read, Write};

use serde_json::Value;
use support::{serve_each_connection, text, xmpp_conform};
use xmpp_conform::reference::{Config, Faults, ReferenceServer, Rule, ServerHandle};

/// The one scenario's `failure` object from a `--json` run of `args`.
fn failure_of(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().expect("temporary folder");
    let json = dir.path().join("report.json");
    let json_arg = json.to_str().expect("UTF-8 path");
    let mut all = vec![
        "--domain",
        "localhost",
        "--timeout",
        "2s",
        "--json",
        json_arg,
    ];
    all.extend_from_slice(args);
    let out = xmpp_conform(&all);
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(&json).unwrap_or_else(|e| panic!("{e}: {}", text(&out))),
    )
    .expect("JSON");
    let scenarios = report["scenarios"].as_array().expect("scenarios");
    assert_eq!(scenarios.len(), 1, "{}", text(&out));
    scenarios[0]["failure"].clone()
}

fn basic_session(addr: &str) -> Value {
    failure_of(&["--target", addr, "--filter", "rfc6120/stream/basic-session"])
}

/// A reference server on its own runtime, kept while the test runs.
fn reference(faults: Faults) -> (tokio::runtime::Runtime, ServerHandle) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut config = Config::new("localhost").with_account("romeo", "secret");
    config.faults = faults;
    let server = runtime
        .block_on(ReferenceServer::start(config))
        .expect("start the reference server");
    (runtime, server)
}

#[test]
fn a_silent_peer_is_a_timeout() {
    let addr = serve_each_connection(|mut s| {
        let mut sink = [0u8; 1024];
        while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
    });
    assert_eq!(basic_session(&addr)["kind"], "timeout");
}

#[test]
fn a_peer_that_hangs_up_is_peer_closed() {
    let addr = serve_each_connection(|mut s| {
        let mut header = [0u8; 64];
        let _ = s.read(&mut header);
    });
    assert_eq!(basic_session(&addr)["kind"], "peer-closed");
}

#[test]
fn garbage_is_not_xml() {
    let addr = serve_each_connection(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        let mut sink = [0u8; 1024];
        while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
    });
    assert_eq!(basic_session(&addr)["kind"], "not-xml");
}

#[test]
fn a_header_without_an_id_is_a_mismatch() {
    let (_runtime, server) = reference(Faults::default().breaking(Rule::StreamId));
    let failure = basic_session(&server.addr().to_string());
    assert_eq!(failure["kind"], "mismatch", "{failure:#}");
    assert!(failure["diff"].is_string(), "{failure:#}");
}

#[test]
fn a_refused_password_is_a_sasl_failure_naming_the_mechanism() {
    let (_runtime, server) = reference(Faults::default());
    let ca = server.ca_path().to_str().expect("UTF-8 path").to_owned();
    let failure = failure_of(&[
        "--target",
        &server.addr().to_string(),
        "--ca",
        &ca,
        "--user",
        "romeo",
        "--password",
        "not-the-password",
        "--filter",
        "rfc6120/sasl/scram-sha-1",
    ]);
    assert_eq!(failure["kind"], "sasl", "{failure:#}");
    assert_eq!(failure["mechanism"], "SCRAM-SHA-1", "{failure:#}");
}

#[test]
fn an_untrusted_certificate_is_a_tls_failure() {
    let (_runtime, server) = reference(Faults::default());
    let failure = failure_of(&[
        "--target",
        &server.addr().to_string(),
        "--filter",
        "rfc6120/tls/starttls",
    ]);
    assert_eq!(failure["kind"], "tls", "{failure:#}");
}
