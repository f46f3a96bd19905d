//! Client scenarios proven able to fail: tests/clients/scripted_client.py,
//! a small client that breaks one chosen rule, is run through `--exec`
//! against the scenario about that rule, which must fail it with the
//! rule's reason; without the fault, the same client passes the scenarios
//! it can (it knows only PLAIN). Real clients run in tests/clients.rs.

mod support;

use support::{PASSWORD, USER, text, xmpp_conform};

/// Debian's Python; the script needs only its standard library.
const PYTHON: &str = "/usr/bin/python3";

/// Run the built-in client scenario `id` against the scripted client with
/// `fault`; the exit code and the console.
fn run(id: &str, fault: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let script = support::repo().join("tests/clients/scripted_client.py");
    let command = format!(
        "{PYTHON} {} {{jid}} {{password}} {{port}} {{ca}} {fault}",
        script.display()
    );
    let out = xmpp_conform(&[
        "--listen",
        "127.0.0.1:0",
        "--domain",
        "localhost",
        "--user",
        USER,
        "--password",
        PASSWORD,
        "--timeout",
        "5s",
        "--cert-dir",
        &dir.path().join("certs").display().to_string(),
        "--filter",
        id,
        "--exec",
        &command,
        "-v",
    ]);
    (out.status.code(), text(&out))
}

/// `id` fails against `fault`, and the console names `reason`.
fn fails(id: &str, fault: &str, reason: &str) {
    let (code, shown) = run(id, fault);
    assert_eq!(code, Some(1), "{id} with {fault}:\n{shown}");
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with("FAIL") && l.contains(id)),
        "{id} with {fault}:\n{shown}"
    );
    assert!(
        shown.contains(reason),
        "{id} with {fault}, no {reason:?}:\n{shown}"
    );
}

/// `id` passes with the fault-free client.
fn passes(id: &str) {
    passes_with(id, "none");
}

/// `id` passes with the client that has `fault`, which is not its subject.
fn passes_with(id: &str, fault: &str) {
    let (code, shown) = run(id, fault);
    assert_eq!(code, Some(0), "{id}:\n{shown}");
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with("PASS") && l.contains(id)),
        "{id}:\n{shown}"
    );
}

#[test]
fn an_untrusted_certificate_must_end_the_session() {
    passes("rfc6120/tls/untrusted-certificate");
    fails(
        "rfc6120/tls/untrusted-certificate",
        "no-verify",
        "a certificate it cannot validate and opened a new stream over it (RFC 6120 §5.4.3.1, §13.7.2",
    );
}

#[test]
fn a_certificate_for_another_name_must_end_the_session() {
    passes("rfc6120/tls/wrong-name-certificate");
    fails(
        "rfc6120/tls/wrong-name-certificate",
        "no-name-check",
        "a certificate it cannot validate and opened a new stream over it (RFC 6120 §5.4.3.1, §13.7.2 and §13.9.5",
    );
    // Checking the chain but not the name passes the untrusted one.
    passes_with("rfc6120/tls/untrusted-certificate", "no-name-check");
}

#[test]
fn what_was_offered_before_tls_is_forgotten() {
    passes("rfc6120/tls/forget-clear-text-features");
    fails(
        "rfc6120/tls/forget-clear-text-features",
        "remember-features",
        "the client chose SASL SCRAM-SHA-1 but was offered PLAIN",
    );
}

#[test]
fn tls_begins_right_after_proceed() {
    passes("rfc6120/tls/starttls-required");
    fails(
        "rfc6120/tls/starttls-required",
        "xml-after-proceed",
        "after <proceed/> the client must begin the TLS handshake",
    );
}

#[test]
fn a_client_acting_for_itself_sends_no_authzid() {
    passes("rfc6120/sasl/no-authzid");
    fails(
        "rfc6120/sasl/no-authzid",
        "authzid",
        "acting for itself, sent the authorization identity \"romeo@localhost\" (RFC 6120 §6.3.8",
    );
    fails(
        "rfc6120/sasl/no-authzid",
        "authzid-full",
        "refused with <invalid-authzid/>",
    );
}

#[test]
fn unknown_mechanisms_and_plain_without_tls_are_not_tried() {
    passes("rfc6120/sasl/unknown-mechanism");
    fails(
        "rfc6120/sasl/unknown-mechanism",
        "first-mechanism",
        // The payload is never shown, even in the failure.
        "expected the connection to close, received <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' \
         mechanism='X-XMPP-CONFORM-UNKNOWN'>[redacted]</auth>",
    );
    passes("rfc6120/sasl/tls-before-plain");
    fails("rfc6120/sasl/tls-before-plain", "plain-in-clear", "<auth");
    passes("rfc6120/sasl/stronger-than-plain");
    fails(
        "rfc6120/sasl/stronger-than-plain",
        "first-mechanism",
        "the client chose PLAIN although SCRAM-SHA-1, DIGEST-MD5 were offered too (RFC 6120 §13.8.3",
    );
}

#[test]
fn stanzas_wait_for_the_bound_resource_and_are_addressed() {
    passes("rfc6120/bind/no-restart-after-bind");
    fails(
        "rfc6120/bind/no-restart-after-bind",
        "stanza-before-bind",
        "<message",
    );
    passes("rfc6120/stanzas/message-to");
    fails("rfc6120/stanzas/message-to", "no-to", "<message");
    fails(
        "rfc6120/stanzas/message-to",
        "guess-jid",
        "romeo@localhost/scripted",
    );
}

#[test]
fn both_places_of_the_scram_server_proof_are_supported() {
    passes("rfc6120/sasl/scram-proof-in-challenge");
    fails(
        "rfc6120/sasl/scram-proof-in-challenge",
        "success-data-only",
        "the client closed the stream in the middle of SASL SCRAM-SHA-1",
    );
    passes("rfc6120/sasl/scram-proof-in-success");
    fails(
        "rfc6120/sasl/scram-proof-in-success",
        "challenge-only",
        // It closes its stream where the new one had to start.
        "end tag before the stream header",
    );
}
