//! The progress bar (issue 16, item 3) is drawn on a terminal and nowhere
//! else: not when `CI` is set, not when the output is a pipe. The terminal
//! is a real pseudo-terminal, made by util-linux's `script`.

mod support;

use std::process::Command;

use support::{require_program, text, xmpp_conform};

/// What the bar's template writes: `[====>   ] 12/43 scenarios, 0 failed`.
const BAR: &str = " scenarios, 0 failed";

/// `demo` on a pseudo-terminal, with `CI` set to `ci` (or unset).
fn demo_on_a_terminal(ci: Option<&str>) -> String {
    require_program("script", "util-linux");
    let binary = env!("CARGO_BIN_EXE_xmpp-conform");
    // Colours off, so the lines can be searched as text.
    let env = match ci {
        Some(value) => format!("env NO_COLOR=1 CI={value}"),
        None => "env -u CI NO_COLOR=1".to_string(),
    };
    let out = Command::new("script")
        // One transport: `demo` over all three runs them at once as child
        // processes and prints each report whole when it ends, with no bar.
        .args([
            "-qfec",
            &format!("{env} '{binary}' demo --transport tcp"),
            "/dev/null",
        ])
        .output()
        .expect("run script");
    assert!(out.status.success(), "{}", text(&out));
    text(&out)
}

#[test]
fn a_terminal_gets_the_bar_and_the_report_lines_stay_whole() {
    let shown = demo_on_a_terminal(None);
    assert!(shown.contains(BAR), "{shown}");
    assert!(
        shown.contains("/43 scenarios") || shown.contains(" scenarios, "),
        "{shown}"
    );
    // Every verdict line is still there, whole.
    assert!(
        shown.contains("PASS  rfc6120/stream/basic-session"),
        "{shown}"
    );
    assert!(shown.contains("OK: "), "{shown}");
}

#[test]
fn ci_gets_no_bar_even_on_a_terminal() {
    let shown = demo_on_a_terminal(Some("true"));
    assert!(!shown.contains(BAR), "{shown}");
    assert!(
        shown.contains("PASS  rfc6120/stream/basic-session"),
        "{shown}"
    );
}

#[test]
fn a_pipe_gets_no_bar() {
    let out = xmpp_conform(&["demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains(BAR), "{}", text(&out));
}

/// The live fuzzer's bar: cases, rate and findings against the duration,
/// on a terminal only.
#[test]
fn the_fuzzer_shows_its_bar_on_a_terminal_only() {
    require_program("script", "util-linux");
    let reference = support::Reference::start(
        xmpp_conform::reference::Config::new("localhost").with_account("romeo", "secret"),
    );
    let target = reference.server.addr().to_string();
    let binary = env!("CARGO_BIN_EXE_xmpp-conform");
    let dir = tempfile::tempdir().expect("temporary folder");
    let run = |env: &str| {
        let command = format!(
            "{env} NO_COLOR=1 '{binary}' fuzz --target {target} --domain localhost \
             --duration 1s --out '{}'",
            dir.path().display()
        );
        let out = Command::new("script")
            .args(["-qfec", &command, "/dev/null"])
            .output()
            .expect("run script");
        text(&out)
    };
    let shown = run("env -u CI");
    assert!(shown.contains(" findings ("), "{shown}");
    assert!(shown.contains("/s, "), "{shown}");
    let shown = run("env CI=true");
    assert!(!shown.contains(" findings ("), "{shown}");
}
