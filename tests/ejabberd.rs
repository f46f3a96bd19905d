//! The whole tool against a real ejabberd (Debian's 23.01), the second
//! server after Prosody: every scenario's verdict must be the one
//! `tests/baselines/ejabberd-23.01.txt` records. ejabberd offers all four
//! SASL mechanisms the scenarios know, so it runs the DIGEST-MD5 and
//! SCRAM-SHA-256 exchanges Prosody does not.

mod support;

use std::time::{Duration, Instant};

use support::{
    Ejabberd, PASSWORD, USER, assert_no_password_in, process_group_alive,
    run_suite_against_baseline, text, xmpp_conform,
};

#[test]
fn ejabberd_matches_its_baseline() {
    let server = Ejabberd::start_with_tls();
    println!("ejabberd listened {:?} after start", server.startup);
    for user in xmpp_conform::accounts::CAST {
        server.register(user, PASSWORD);
    }
    let run = run_suite_against_baseline(
        &server.target(),
        &server.ca,
        "tests/baselines/ejabberd-23.01.txt",
        || server.log(),
    );
    let json = std::fs::read_to_string(&run.json).expect("read JSON");
    let junit = std::fs::read_to_string(&run.junit).expect("read JUnit");
    assert_no_password_in(&[
        ("console", &run.console),
        ("JUnit", &junit),
        ("JSON", &json),
    ]);
}

#[test]
fn direct_tls_authenticates_with_plain() {
    let server = Ejabberd::start_with_tls();
    server.register(USER, PASSWORD);
    let target = server.direct_tls_target();
    let out = xmpp_conform(&[
        "--target",
        &target,
        "--domain",
        "localhost",
        "--timeout",
        "3s",
        "--tls",
        "direct",
        "--ca",
        server.ca.to_str().expect("utf-8 path"),
        "--user",
        USER,
        "--password",
        PASSWORD,
        // rfc6120/sasl/plain with no STARTTLS: the built-in one starts
        // with it, so a direct TLS run skips it.
        "--scenarios",
        "tests/scenarios/direct-tls-plain.xmpp",
        "-v",
    ]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}\n{}", server.log());
    assert!(shown.contains("PASS  direct-tls-plain"), "{shown}");
    assert!(
        shown.contains("connected: TLSv1_"),
        "the stream runs over TLS from the first byte: {shown}"
    );
}

#[test]
fn dropping_ejabberd_leaves_no_process_behind() {
    let server = Ejabberd::start_with_tls();
    // register starts a second Erlang node; it must be gone too.
    server.register(USER, PASSWORD);
    let group = server.process_group;
    assert!(process_group_alive(group), "ejabberd runs in its group");
    drop(server);
    let deadline = Instant::now() + Duration::from_secs(5);
    while process_group_alive(group) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !process_group_alive(group),
        "processes of ejabberd's group {group} outlive it"
    );
}
