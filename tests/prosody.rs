//! The whole tool against a real Prosody: every scenario's verdict must be
//! the one `tests/baselines/prosody-0.12.txt` records, the reports must be
//! well-formed, and the exit codes must tell pass from fail.

mod support;

use std::process::Command;

use support::{Prosody, require_program, text, xmpp_conform};

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
    server.register(USER, PASSWORD);
    let ca = server.ca.clone().expect("a CA");
    let reports = tempfile::tempdir().expect("temporary folder");
    let junit = reports.path().join("junit.xml");
    let json = reports.path().join("report.json");
    let target = server.target();
    let out = xmpp_conform(&[
        "--target",
        &target,
        "--domain",
        "localhost",
        "--timeout",
        "3s",
        "--ca",
        ca.to_str().expect("utf-8 path"),
        "--user",
        USER,
        "--password",
        PASSWORD,
        "--baseline",
        "tests/baselines/prosody-0.12.txt",
        "--junit",
        junit.to_str().expect("utf-8 path"),
        "--json",
        json.to_str().expect("utf-8 path"),
    ]);
    let console = text(&out);
    println!("{console}");
    assert_eq!(
        out.status.code(),
        Some(0),
        "verdicts differ from tests/baselines/prosody-0.12.txt (see the baseline lines above)\n\
         Prosody's log:\n{}",
        server
            .log()
            .lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .join("\n")
    );

    // One console line per scenario, and the summary.
    let list = xmpp_conform(&["list"]);
    let scenario_count = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter(|l| l.starts_with("rfc"))
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
        .arg(&junit)
        .output()
        .expect("run xmllint");
    assert!(
        lint.status.success(),
        "xmllint rejects the JUnit report: {}",
        text(&lint)
    );
    let xml = std::fs::read_to_string(&junit).expect("read JUnit");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("read JSON")).expect("JSON");
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
    let json_text = std::fs::read_to_string(&json).expect("read JSON");
    for (name, report) in [("console", &console), ("JUnit", &xml), ("JSON", &json_text)] {
        for secret in secret_forms() {
            assert!(
                !report.contains(&secret),
                "the {name} report contains `{secret}`"
            );
        }
    }
    assert!(
        json_text.contains("[redacted]"),
        "SASL payloads are shown redacted"
    );
}

const USER: &str = "romeo";
const PASSWORD: &str = "c0nf0rm-Secret";

/// The password, and the base64 a SASL PLAIN exchange would carry it in
/// (with the authcid, and alone at every alignment).
fn secret_forms() -> Vec<String> {
    use base64::Engine as _;
    let b64 = |s: &[u8]| base64::engine::general_purpose::STANDARD.encode(s);
    let mut forms = vec![PASSWORD.to_string(), b64(PASSWORD.as_bytes())];
    forms.push(b64(format!("\0{USER}\0{PASSWORD}").as_bytes()));
    for pad in ["", "x", "xx"] {
        let encoded = b64(format!("{pad}{PASSWORD}").as_bytes());
        // The part of the encoding that depends on the password alone,
        // whatever precedes it.
        let skip = (pad.len() * 4).div_ceil(3) + 2;
        forms.push(encoded[skip..encoded.len() - 4].to_string());
    }
    forms
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
