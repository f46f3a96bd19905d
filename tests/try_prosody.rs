//! The README's first real run (issue 12, item 6): `scripts/try-prosody`
//! gives Prosody a certificate and the accounts, so a newcomer's first run
//! skips nothing and shows what Prosody really does. Run here with the
//! test's own build of the binary instead of a release build.

mod support;

use std::process::Command;

use support::{repo, require_program, text};

#[test]
fn try_prosody_runs_every_scenario() {
    require_program("prosody", "prosody");
    require_program("openssl", "openssl");
    let out = Command::new(repo().join("scripts/try-prosody"))
        .env("XMPP_CONFORM_BIN", env!("CARGO_BIN_EXE_xmpp-conform"))
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .current_dir(repo())
        .output()
        .expect("run scripts/try-prosody");
    let shown = text(&out);
    // Prosody 0.12 breaks a MUST (tests/baselines/prosody-0.12.txt).
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with("FAILED: ") || l.starts_with("OK: ")),
        "no summary line:\n{shown}"
    );
    // Nothing is skipped for want of a certificate, an account or TLS; only
    // the scenarios of another transport (WebSocket) stay out of a TCP run.
    let lines: Vec<&str> = shown.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("SKIP ") {
            let why = lines.get(i + 1).copied().unwrap_or_default();
            assert!(why.contains("transport"), "{line}\n{why}\n\n{shown}");
        }
    }
}
