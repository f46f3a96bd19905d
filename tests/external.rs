//! SASL EXTERNAL (RFC 6120 §6.4, XEP-0178) end to end against the real
//! ejabberd 23.01: the harness presents a client certificate made at test
//! time (`--client-cert`/`--client-key`) during STARTTLS, and ejabberd takes
//! the account from it.
//!
//! What ejabberd needs (read from its code, xmpp_stream_pkix and
//! ejabberd_c2s, and shown here): a c2s listener with `tls_verify: true`,
//! which is what makes it offer EXTERNAL (after STARTTLS only), and a
//! `cafile` the client's certificate chains to; and a certificate whose
//! subjectAltName holds exactly one XmppAddr (otherName id-on-xmppAddr,
//! 1.3.6.1.5.5.7.8.5) for a user of the host. The subject's CN is not
//! looked at, and neither is the account database: any JID the CA vouches
//! for logs in. See `tests/servers/ejabberd/ejabberd.yml`.
//!
//! The runs use the built-in `rfc6120/sasl/external`, whose
//! `mechanism:EXTERNAL` need is judged on the features after STARTTLS
//! (ejabberd rightly lists no EXTERNAL before TLS; RFC 6120 §6.4.1).

mod support;

use std::time::{Duration, Instant};

use support::{Ejabberd, IssuedCertificate, PASSWORD, TestCa, USER, text, xmpp_conform};

/// The built-in scenario.
const BUILT_IN: &str = "scenarios/server/rfc6120/sasl/external.xmpp";

/// Run `scenario` against the `tls_verify` listener, presenting `cert` if
/// any; the exit code and everything printed (verbose: with transcripts).
fn run_external(
    server: &Ejabberd,
    scenario: &str,
    cert: Option<&IssuedCertificate>,
) -> (Option<i32>, String) {
    let target = server.external_target();
    let path = |p: &std::path::Path| p.to_str().expect("utf-8 path").to_string();
    let ca = path(&server.ca);
    let mut args = vec![
        "--target",
        &target,
        "--domain",
        "localhost",
        "--timeout",
        "3s",
        "--ca",
        &ca,
        "--scenarios",
        scenario,
        "-v",
    ];
    let identity = cert.map(|c| (path(&c.cert), path(&c.key)));
    if let Some((cert, key)) = &identity {
        args.extend(["--client-cert", cert, "--client-key", key]);
    }
    let out = xmpp_conform(&args);
    (out.status.code(), text(&out))
}

/// ejabberd's log once it holds `needle` `times` times, or panic with it:
/// ejabberd logs an authentication before it answers, but its log handler
/// may write the line a moment later.
fn log_once_it_shows(server: &Ejabberd, needle: &str, times: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = server.log();
        if log.matches(needle).count() >= times || Instant::now() > deadline {
            assert_eq!(log.matches(needle).count(), times, "`{needle}` in:\n{log}");
            return log;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn external_logs_romeo_in_with_his_certificate() {
    let server = Ejabberd::start_with_tls();
    server.register(USER, PASSWORD);
    let romeo = server.client_certificate("romeo@localhost");
    let (code, shown) = run_external(&server, BUILT_IN, Some(&romeo));
    assert_eq!(code, Some(0), "{shown}\n{}", server.log());
    assert!(shown.contains("PASS  external"), "{shown}");
    // Offered only once the stream is encrypted.
    let (before_tls, after_tls) = shown
        .split_once("-- TLS established")
        .unwrap_or_else(|| panic!("no TLS in the transcript: {shown}"));
    assert!(
        !before_tls.contains("<mechanism>EXTERNAL</mechanism>"),
        "{shown}"
    );
    assert!(
        after_tls.contains("<mechanism>EXTERNAL</mechanism>"),
        "{shown}"
    );
    assert!(
        after_tls.contains("mechanism='EXTERNAL'>[redacted]</auth>"),
        "{shown}"
    );
    // The identity ejabberd took from the certificate.
    log_once_it_shows(
        &server,
        "Accepted c2s EXTERNAL authentication for romeo@localhost by pkix backend",
        1,
    );
}

/// ejabberd asks the CA, not its account database: a certificate for a
/// user never registered logs in all the same. A PASS of the EXTERNAL
/// scenario says the server accepted the certificate's XmppAddr, nothing
/// about the account.
#[test]
fn external_trusts_the_ca_for_an_account_that_does_not_exist() {
    let server = Ejabberd::start_with_tls();
    server.register(USER, PASSWORD);
    let mallory = server.client_certificate("mallory@localhost");
    let (code, shown) = run_external(&server, BUILT_IN, Some(&mallory));
    assert_eq!(code, Some(0), "{shown}\n{}", server.log());
    assert!(shown.contains("PASS  external"), "{shown}");
    log_once_it_shows(
        &server,
        "Accepted c2s EXTERNAL authentication for mallory@localhost by pkix backend",
        1,
    );
}

#[test]
fn external_fails_without_a_certificate_ejabberd_can_trust() {
    let server = Ejabberd::start_with_tls();
    server.register(USER, PASSWORD);

    // No certificate: the scenario does not run at all.
    let (code, shown) = run_external(&server, BUILT_IN, None);
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("SKIP  "), "{shown}");
    assert!(
        shown.contains("needs a client certificate: pass --client-cert and --client-key"),
        "{shown}"
    );
    assert!(
        !shown.contains("connected: tcp"),
        "skipped before connecting: {shown}"
    );

    // romeo's XmppAddr, but from a CA ejabberd does not know: TLS goes
    // through (ejabberd asks for a certificate but takes any), EXTERNAL
    // does not.
    let elsewhere = tempfile::tempdir().expect("temporary folder");
    let stranger = TestCa::create(elsewhere.path(), "stranger")
        .client_certificate(elsewhere.path(), "romeo@localhost");
    let (code, shown) = run_external(&server, BUILT_IN, Some(&stranger));
    assert_eq!(code, Some(1), "{shown}");
    assert!(shown.contains("FAIL  external"), "{shown}");
    assert!(
        shown.contains("SASL EXTERNAL authentication failed: <not-authorized/>"),
        "{shown}"
    );
    assert!(
        shown.contains("unable to verify the first certificate"),
        "OpenSSL's verdict, as ejabberd's <text>: {shown}"
    );

    // Signed by the right CA, romeo@localhost in the subject's CN, no
    // XmppAddr: ejabberd reads the JID from the XmppAddr alone.
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "romeo@localhost");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let cn_only = server.issue("romeo-cn-only", params);
    let (code, shown) = run_external(&server, BUILT_IN, Some(&cn_only));
    assert_eq!(code, Some(1), "{shown}");
    assert!(
        shown.contains("SASL EXTERNAL authentication failed: <not-authorized/>"),
        "{shown}"
    );
    assert!(shown.contains("Certificate JID mismatch"), "{shown}");

    let log = log_once_it_shows(&server, "Failed c2s EXTERNAL authentication", 2);
    assert!(!log.contains("Accepted c2s EXTERNAL"), "{log}");
}
