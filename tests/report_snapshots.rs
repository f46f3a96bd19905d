//! Snapshots of what people read after a run: the console report, the
//! JUnit XML and the JSON of one fixed run, so that a change to any of them
//! shows up as a reviewable diff (`cargo insta review` accepts it).
//!
//! The run is the real binary against a small mock server written here
//! that misbehaves on purpose, with the scenarios of
//! `tests/scenarios/report/`: one passes, one fails a MUST with a diff, one
//! breaks a SHOULD (WARN), one is unsupported and one skipped. Everything
//! is deterministic except times, ports and the version, which the filters
//! below replace with placeholders.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use support::xmpp_conform;

const HEADER: &str = "<stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' \
    from='localhost' id='report-test' version='1.0'>";

/// SASL PLAIN only, and no STARTTLS.
const FEATURES: &str = "<stream:features>\
    <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>\
    </stream:features>";

/// The wrong condition for a comment: RFC 6120 §11.1 says restricted-xml.
const BAD_FORMAT: &str = "<stream:error>\
    <bad-format xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
    </stream:error>";

/// Start the mock on a free loopback port; it serves every connection the
/// same way, for as long as the test runs.
fn mock_server() -> String {
    support::serve_each_connection(serve)
}

/// One connection: a stream header gets a header and features without
/// STARTTLS; a comment gets `<bad-format/>`; `</stream:stream>` gets
/// `</stream:stream>` and the connection closed. Each answer goes out only
/// once the harness is waiting for it, and nothing follows a stream error
/// until the harness hangs up, so the transcripts never depend on timing.
fn serve(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut seen = String::new();
    let mut opened = false;
    let mut buf = [0u8; 4096];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        if !opened {
            let Some(end) = seen
                .find("<stream:stream")
                .and_then(|start| seen[start..].find('>').map(|end| start + end + 1))
            else {
                continue;
            };
            seen.drain(..end);
            opened = true;
            if stream
                .write_all(format!("{HEADER}{FEATURES}").as_bytes())
                .is_err()
            {
                return;
            }
        }
        if seen.contains("<!--") {
            let _ = stream.write_all(BAD_FORMAT.as_bytes());
            // Wait for the harness to hang up before closing the stream.
            while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
            return;
        }
        if seen.contains("</stream:stream>") {
            let _ = stream.write_all(b"</stream:stream>");
            return;
        }
    }
}

/// What one run left.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    junit: String,
    json: String,
}

/// The run, made once and shared by the tests of this file.
fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| run_with(&[]))
}

/// A run of the report scenarios against the mock, with `extra` options.
fn run_with(extra: &[&str]) -> Run {
    let addr = mock_server();
    let reports = tempfile::tempdir().expect("temporary folder");
    let junit = reports.path().join("junit.xml");
    let json = reports.path().join("report.json");
    let mut args = vec![
        "--target",
        &addr,
        "--domain",
        "localhost",
        "--user",
        "romeo",
        "--password",
        "report-test-Secret",
        "--timeout",
        "3s",
        "--jobs",
        "1",
        "--scenarios",
        "tests/scenarios/report",
        "--junit",
        path_str(&junit),
        "--json",
        path_str(&json),
    ];
    args.extend_from_slice(extra);
    let out = xmpp_conform(&args);
    let read =
        |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        junit: read(&junit),
        json: read(&json),
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// Placeholders for what changes from run to run.
const FILTERS: &[(&str, &str)] = &[
    // Ports of the mock.
    (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
    // The version, in the console's first line and the JSON.
    (
        r"xmpp-conform \d+\.\d+\.\d+(-[\w.]+)?",
        "xmpp-conform [version]",
    ),
    (r#""version": "[^"]*""#, r#""version": "[version]""#),
    // Console: a verdict's time (`3ms`, `652µs`, `1s`), the run's wall
    // time, and the transcript's stamps (`[     1.9ms]`).
    (
        r"(?m)^(PASS |FAIL |WARN |UNSUP|SKIP |ERROR) (\S+)  \d+(\.\d+)?(ns|µs|ms|s) ",
        "$1 $2  [time] ",
    ),
    (r"scenarios in \d+\.\d+s", "scenarios in [wall time]"),
    (r"\[ *\d+\.\dms\]", "[   [stamp]]"),
    // JUnit: `time="0.003"`; a `timestamp` or `hostname` if one appears.
    (r#"time="[\d.]+""#, r#"time="[time]""#),
    (r#"timestamp="[^"]*""#, r#"timestamp="[timestamp]""#),
    (r#"hostname="[^"]*""#, r#"hostname="[hostname]""#),
    // JSON: milliseconds as numbers.
    (r#""(duration_ms|at)": [\d.eE+-]+"#, r#""$1": "[ms]""#),
];

fn with_filters(check: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    for (pattern, replacement) in FILTERS {
        settings.add_filter(pattern, *replacement);
    }
    settings.bind(check);
}

#[test]
fn console_report_of_a_failing_run() {
    let run = run();
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr, "", "nothing on stderr");
    with_filters(|| insta::assert_snapshot!("console", run.stdout));
}

#[test]
fn junit_report_of_a_failing_run() {
    with_filters(|| insta::assert_snapshot!("junit", run().junit));
}

#[test]
fn json_report_of_a_failing_run() {
    with_filters(|| insta::assert_snapshot!("json", run().json));
}

#[test]
fn reports_never_show_the_password() {
    let run = run();
    for (name, text) in [
        ("console", &run.stdout),
        ("junit", &run.junit),
        ("json", &run.json),
    ] {
        assert!(!text.contains("report-test-Secret"), "{name} shows it");
    }
}

/// Broken scenario files stop the run before anything connects: every
/// error is shown, then what happened. The folder is a temporary one.
#[test]
fn console_errors_of_broken_scenario_files() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let head = "+++\ntitle = \"t\"\nspec = [\"RFC 6120 §4\"]\n+++\n";
    std::fs::write(
        dir.path().join("a-directive.xmpp"),
        format!("{head}C: <stream:stream to='{{domain}}'>\nexpect-clsoe\n"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("b-variable.xmpp"),
        format!("{head}C: <stream:stream to='{{domian}}'>\n"),
    )
    .expect("write");
    let out = xmpp_conform(&[
        "--target",
        "127.0.0.1:9",
        "--scenarios",
        path_str(dir.path()),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let shown = format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex_escape(path_str(dir.path())), "[tmp]");
    settings.bind(|| insta::assert_snapshot!("broken_files", shown));
}

/// `regex::escape` without the dependency: a temporary path has letters,
/// digits, `/`, `.`, `_` and `-`.
fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// `--strict` is visible (issue 12, item 7): the same broken SHOULD, alone
/// in the run, is a WARN and exit 0 without it, and a FAIL everywhere with
/// it — the console line, the JUnit testcase, the JSON's `fails_run`,
/// `strict`, `result` and `exit_code`.
#[test]
fn strict_turns_a_broken_should_into_a_failure_in_every_report() {
    let should = "xml/restricted-comment-condition";
    let lenient = run_with(&["--filter", should]);
    let strict = run_with(&["--filter", should, "--strict"]);
    assert_eq!(lenient.code, Some(0), "{}", lenient.stdout);
    assert_eq!(strict.code, Some(1), "{}", strict.stdout);

    assert!(
        lenient.stdout.contains(&format!("WARN  {should}")),
        "{}",
        lenient.stdout
    );
    assert!(
        strict.stdout.contains(&format!("FAIL  {should}")),
        "{}",
        strict.stdout
    );
    assert!(!strict.stdout.contains("WARN "), "{}", strict.stdout);
    assert!(
        strict.stdout.contains("FAILED: 1 scenarios"),
        "{}",
        strict.stdout
    );

    let case = |junit: &str| -> String {
        let start = junit
            .find(&format!("<testcase name=\"{should}\""))
            .unwrap_or_else(|| panic!("testcase in {junit}"));
        let end = junit[start..]
            .find("</testcase>")
            .map_or(junit.len(), |e| start + e);
        junit[start..end].to_owned()
    };
    assert!(
        !case(&lenient.junit).contains("<failure"),
        "{}",
        lenient.junit
    );
    assert!(case(&strict.junit).contains("<failure"), "{}", strict.junit);

    let json = |run: &Run| -> serde_json::Value {
        serde_json::from_str(&run.json).unwrap_or_else(|e| panic!("{e}: {}", run.json))
    };
    let (lenient, strict) = (json(&lenient), json(&strict));
    for (report, mode, result, code) in [(&lenient, false, "pass", 0), (&strict, true, "fail", 1)] {
        assert_eq!(report["strict"], mode, "{report}");
        assert_eq!(report["result"], result, "{report}");
        assert_eq!(report["exit_code"], code, "{report}");
        assert_eq!(report["scenarios"][0]["status"], "non-strict", "{report}");
        assert_eq!(report["scenarios"][0]["fails_run"], mode, "{report}");
    }
}
