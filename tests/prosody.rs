//! The whole tool against a real Prosody: every scenario's verdict must be
//! the one `tests/baselines/prosody-0.12.txt` records, the reports must be
//! well-formed, and the exit codes must tell pass from fail.

mod support;

use std::process::Command;

use support::{
    PASSWORD, Prosody, assert_no_password_in, require_program, run_suite_against_baseline, text,
    xmpp_conform,
};

/// Count the `<testcase` and `<failure` elements with a real XML parser.
fn junit_counts(xml: &str) -> (usize, usize) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                match e.name().as_ref() {
                    "testcase" => cases += 1,
                    "failure" => failures += 1,
                    _ => {}
                }
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("JUnit report is not well-formed: {e}"),
        }
    }
    (cases, failures)
}

#[test]
fn prosody_matches_its_baseline_and_reports_are_valid() {
    require_program("xmllint", "libxml2-utils");
    let server = Prosody::start_with_tls();
    for user in xmpp_conform::accounts::CAST {
        server.register(user, PASSWORD);
    }
    let ca = server.ca.clone().expect("a CA");
    let run = run_suite_against_baseline(
        &server.target(),
        &ca,
        "tests/baselines/prosody-0.12.txt",
        || server.log(),
    );
    let console = &run.console;

    // One console line per scenario, and the summary.
    let list = xmpp_conform(&["list"]);
    let scenario_count = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter(|l| l.starts_with("rfc") || l.starts_with("xep"))
        .count();
    assert!(
        scenario_count >= 15,
        "only {scenario_count} scenarios listed"
    );
    let verdict_lines = console
        .lines()
        .filter(|l| {
            ["PASS ", "FAIL ", "WARN ", "SKIP ", "ERROR", "UNSUP"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .count();
    assert_eq!(
        verdict_lines, scenario_count,
        "one console line per scenario"
    );
    assert!(
        console.contains(&format!("{scenario_count} scenarios in")),
        "summary line"
    );

    // JUnit: well-formed for xmllint, one testcase per scenario, one
    // <failure> per failing scenario (the JSON says which those are).
    let lint = Command::new("xmllint")
        .arg("--noout")
        .arg(&run.junit)
        .output()
        .expect("run xmllint");
    assert!(
        lint.status.success(),
        "xmllint rejects the JUnit report: {}",
        text(&lint)
    );
    let xml = std::fs::read_to_string(&run.junit).expect("read JUnit");
    let json_text = std::fs::read_to_string(&run.json).expect("read JSON");
    let report: serde_json::Value = serde_json::from_str(&json_text).expect("JSON");
    let failing = report["scenarios"]
        .as_array()
        .expect("scenarios array")
        .iter()
        .filter(|s| s["status"] == "fail")
        .count();
    assert_eq!(junit_counts(&xml), (scenario_count, failing));
    assert!(
        failing > 0,
        "Prosody 0.12 is known to break some MUSTs; none failed"
    );
    assert!(
        xml.contains("<property name=\"spec\" value=\"RFC 6120"),
        "spec references as properties"
    );

    // The password never appears in any report, nor in the base64 forms
    // SASL sends it in.
    assert_no_password_in(&[("console", console), ("JUnit", &xml), ("JSON", &json_text)]);
    assert!(
        json_text.contains("[redacted]"),
        "SASL payloads are shown redacted"
    );
}

#[test]
fn exit_codes_tell_pass_from_fail() {
    let server = Prosody::start();
    let target = server.target();
    let base = [
        "--target",
        target.as_str(),
        "--domain",
        "localhost",
        "--timeout",
        "3s",
    ];

    let passing = xmpp_conform(
        &[
            &base[..],
            &[
                "--filter",
                "rfc6120/stream/basic-session",
                "--filter",
                "rfc6120/stream/clean-close",
            ],
        ]
        .concat(),
    );
    assert_eq!(passing.status.code(), Some(0), "{}", text(&passing));

    // Prosody accepts an unsupported content namespace (§4.9.3.10).
    let failing = xmpp_conform(
        &[
            &base[..],
            &["--filter", "rfc6120/stream/invalid-content-namespace"],
        ]
        .concat(),
    );
    assert_eq!(failing.status.code(), Some(1), "{}", text(&failing));
    let out = text(&failing);
    assert!(
        out.contains("FAIL  rfc6120/stream/invalid-content-namespace"),
        "{out}"
    );
    assert!(
        out.contains("invalid-content-namespace.xmpp:"),
        "failure names the step's file:line: {out}"
    );
}
