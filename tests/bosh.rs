//! BOSH (XEP-0124, XEP-0206) against real servers: the RFC 6120 suite and
//! the xep0206 scenarios through `--target http://…`, every verdict the one
//! the server's BOSH baseline records. Scenarios that send bytes as
//! written, or use STARTTLS, are skipped there with their reason.

mod support;

use support::{
    Ejabberd, PASSWORD, Prosody, assert_no_password_in, run_suite_against_baseline, text,
    verdict_line, xmpp_conform,
};

#[test]
fn prosody_over_bosh_matches_its_baseline() {
    let server = Prosody::start_with_bosh();
    for user in xmpp_conform::accounts::CAST {
        server.register(user, PASSWORD);
    }
    let target = server.bosh_target().expect("a BOSH endpoint");
    let ca = server.ca.clone().expect("a CA");
    let run = run_suite_against_baseline(
        &target,
        &ca,
        "tests/baselines/prosody-0.12-bosh.txt",
        || server.log(),
    );
    assert_suite_ran_over_bosh(&run.console);
    let json = std::fs::read_to_string(&run.json).expect("read JSON");
    assert_no_password_in(&[("console", &run.console), ("JSON", &json)]);
}

#[test]
fn ejabberd_over_bosh_matches_its_baseline() {
    let server = Ejabberd::start_with_tls();
    server.register_all(&xmpp_conform::accounts::CAST, PASSWORD);
    let run = run_suite_against_baseline(
        &server.bosh_target(),
        &server.ca,
        "tests/baselines/ejabberd-23.01-bosh.txt",
        || server.log(),
    );
    assert_suite_ran_over_bosh(&run.console);
    let json = std::fs::read_to_string(&run.json).expect("read JSON");
    assert_no_password_in(&[("console", &run.console), ("JSON", &json)]);
}

/// `https://`: the same verdicts over TLS, the certificate verified for
/// the URL's host through the run's own rustls configuration (`--ca`).
#[test]
fn ejabberd_over_https_bosh_matches_the_same_baseline() {
    let server = Ejabberd::start_with_tls();
    server.register_all(&xmpp_conform::accounts::CAST, PASSWORD);
    let run = run_suite_against_baseline(
        &server.secure_bosh_target(),
        &server.ca,
        "tests/baselines/ejabberd-23.01-bosh.txt",
        || server.log(),
    );
    assert_suite_ran_over_bosh(&run.console);
    let json = std::fs::read_to_string(&run.json).expect("read JSON");
    assert!(
        json.contains("HTTP/1.1 over TLS"),
        "the transcripts show no TLS"
    );
}

/// The BOSH scenarios ran (they are skipped on any other transport), and
/// the TCP-only and STARTTLS ones were skipped with their reasons.
fn assert_suite_ran_over_bosh(console: &str) {
    let line = |id: &str| verdict_line(console, id);
    assert!(!line("xep0206/terminate").starts_with("SKIP"), "{console}");
    assert!(
        !line("rfc6120/stream/basic-session").starts_with("SKIP"),
        "{console}"
    );
    let bad_xml = line("rfc6120/stream/bad-xml");
    assert!(bad_xml.starts_with("SKIP"), "{bad_xml}");
    let starttls = line("rfc6120/tls/starttls ");
    assert!(starttls.starts_with("SKIP"), "{starttls}");
}

/// A malformed URL is a usage error (exit 2); a BOSH endpoint no one
/// listens on is unreachable (exit 3), like a TCP target.
#[test]
fn malformed_and_unreachable_bosh_targets() {
    let out = xmpp_conform(&["--target", "http://", "--domain", "localhost"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let port = support::free_port();
    let url = format!("http://127.0.0.1:{port}/http-bind");
    let out = xmpp_conform(&["--target", &url, "--timeout", "2s"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
}
