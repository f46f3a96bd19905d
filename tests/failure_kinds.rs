//! Every failed scenario says in `--json` what kind of thing went wrong
//! (`failure.kind`), and each kind comes from a real cause: a peer that
//! answers the stream header, then stays silent, hangs up or sends garbage
//! (mock peers: no real server does that on demand), and a real reference
//! server that breaks a rule, fails a SASL exchange or a TLS handshake.

mod support;

use std::io::{Read, Write};

use serde_json::Value;
use support::{Reference, answer_header_then, text, xmpp_conform};
use xmpp_conform::reference::{Config, Faults, Rule};

/// The one scenario's `failure` object from a `--json` run of `args`.
fn failure_of(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().expect("temporary folder");
    let json = dir.path().join("report.json");
    let json_arg = json.to_str().expect("UTF-8 path");
    let mut all = vec!["--timeout", "2s", "--json", json_arg];
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
    failure_of(&[
        "--target",
        addr,
        "--domain",
        "localhost",
        "--filter",
        "rfc6120/stream/basic-session",
    ])
}

/// The reference server with `faults` and romeo's account.
fn reference(faults: Faults) -> Reference {
    let mut config = Config::new("localhost").with_account("romeo", "secret");
    config.faults = faults;
    Reference::start(config)
}

/// The one scenario `id` against `server`, with `extra` options.
fn against(server: &Reference, id: &str, extra: &[&str]) -> Value {
    let mut args = server.target_args();
    args.extend(extra.iter().map(|a| a.to_string()));
    args.extend(["--filter".to_string(), id.to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    failure_of(&args)
}

#[test]
fn a_silent_peer_is_a_timeout() {
    let addr = answer_header_then(|mut s| {
        let mut sink = [0u8; 1024];
        while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
    });
    assert_eq!(basic_session(&addr)["kind"], "timeout");
}

#[test]
fn a_peer_that_hangs_up_is_peer_closed() {
    let addr = answer_header_then(drop);
    assert_eq!(basic_session(&addr)["kind"], "peer-closed");
}

#[test]
fn garbage_is_not_xml() {
    let addr = answer_header_then(|mut s| {
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        let mut sink = [0u8; 1024];
        while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
    });
    assert_eq!(basic_session(&addr)["kind"], "not-xml");
}

#[test]
fn a_header_without_an_id_is_a_mismatch() {
    let server = reference(Faults::default().breaking(Rule::StreamId));
    let failure = against(&server, "rfc6120/stream/basic-session", &[]);
    assert_eq!(failure["kind"], "mismatch", "{failure:#}");
    assert!(failure["diff"].is_string(), "{failure:#}");
}

#[test]
fn a_wrong_server_signature_is_a_sasl_failure_naming_the_mechanism() {
    let server = reference(Faults::default().breaking(Rule::ScramServerSignature));
    let failure = against(
        &server,
        "rfc6120/sasl/scram-sha-1",
        &["--user", "romeo", "--password", "secret"],
    );
    assert_eq!(failure["kind"], "sasl", "{failure:#}");
    assert_eq!(failure["mechanism"], "SCRAM-SHA-1", "{failure:#}");
}

/// A server that says `<proceed/>`, then answers the ClientHello with a
/// TLS alert: the handshake fails on the server's side of TLS.
#[test]
fn a_broken_handshake_is_a_tls_failure() {
    let addr = answer_header_then(|mut s| {
        let features = b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\
            </stream:features>";
        let _ = s.write_all(features);
        let mut request = [0u8; 256];
        let _ = s.read(&mut request);
        let _ = s.write_all(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        // The ClientHello, then a fatal handshake_failure alert
        // (RFC 8446 §6: level 2, description 40).
        let _ = s.read(&mut request);
        let _ = s.write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
        std::thread::sleep(std::time::Duration::from_secs(3));
    });
    let failure = failure_of(&[
        "--target",
        &addr,
        "--domain",
        "localhost",
        "--filter",
        "rfc6120/tls/starttls",
    ]);
    assert_eq!(failure["kind"], "tls", "{failure:#}");
}

/// The passive lint: a presence of type error without its `<error/>`
/// (RFC 6120 §8.3.1), sent along the way and skipped by the scenario as
/// unsolicited presence, still fails it, naming the rule.
#[test]
fn a_stanza_breaking_a_lint_rule_is_a_lint_failure() {
    let addr = answer_header_then(|mut s| {
        let _ = s.write_all(b"<presence type='error' from='localhost'/><stream:features/>");
        let mut sink = [0u8; 1024];
        while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
    });
    let failure = basic_session(&addr);
    assert_eq!(failure["kind"], "lint", "{failure:#}");
    let message = failure["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("error-child (RFC 6120 §8.3.1"),
        "{message}"
    );
}
