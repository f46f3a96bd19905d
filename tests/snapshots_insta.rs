//! The snapshot files are insta's format, so `cargo insta` can review them
//! too, when the snapshot folder lies inside a Cargo workspace (and not
//! under `target/`, which cargo-insta skips): proven here with the real
//! cargo-insta on a throwaway workspace.

mod support;

use std::path::Path;
use std::process::Command;

use support::require_program;
use xmpp_conform::snapshot::{Mode, Outcome, SnapFile, SnapshotConfig, check};

fn snap(content: &str) -> SnapFile {
    SnapFile {
        source: "scenarios/server/rfc6120/stream/basic-session.xmpp".into(),
        description: "The server answers a stream header".into(),
        content: content.into(),
    }
}

fn cargo_insta(workspace: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("cargo")
        .arg("insta")
        .args(args)
        .arg("--workspace-root")
        .arg(workspace)
        .current_dir(workspace)
        .output()
        .expect("run cargo insta");
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), shown)
}

#[test]
fn cargo_insta_sees_and_accepts_pending_snapshots() {
    require_program(
        "cargo-insta",
        "cargo-insta (cargo install cargo-insta --locked)",
    );
    let workspace = tempfile::tempdir().expect("temporary folder");
    let root = workspace.path();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"snapshots-here\"\nversion = \"0.0.0\"\nedition = \"2021\"\n[workspace]\n",
    )
    .expect("write Cargo.toml");
    std::fs::create_dir_all(root.join("src")).expect("src");
    std::fs::write(root.join("src/lib.rs"), "").expect("lib.rs");

    let config = |mode| SnapshotConfig {
        dir: root.join("snapshots"),
        mode,
    };
    let id = "rfc6120/stream/basic-session";
    assert!(matches!(
        check(&config(Mode::New), id, &snap("<features/>")),
        Outcome::Written(_)
    ));
    assert!(matches!(
        check(
            &config(Mode::Check),
            id,
            &snap("<features>\n  <bind/>\n</features>")
        ),
        Outcome::Differs { .. }
    ));

    let (ok, shown) = cargo_insta(root, &["pending-snapshots"]);
    assert!(ok, "{shown}");
    assert!(
        shown.contains("snapshots/rfc6120/stream/basic-session.snap"),
        "{shown}"
    );

    let (ok, shown) = cargo_insta(root, &["accept"]);
    assert!(ok, "{shown}");
    let stored = root.join("snapshots/rfc6120/stream/basic-session.snap");
    assert!(
        !root
            .join("snapshots/rfc6120/stream/basic-session.snap.new")
            .exists()
    );
    let text = std::fs::read_to_string(&stored).expect("the accepted snapshot");
    assert!(text.contains("<bind/>"), "{text}");
    // And the harness reads what cargo-insta wrote.
    assert_eq!(
        check(
            &config(Mode::Check),
            id,
            &snap("<features>\n  <bind/>\n</features>")
        ),
        Outcome::Matched
    );
}
