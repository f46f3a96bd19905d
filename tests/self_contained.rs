//! The binary carries its built-in scenarios (issue 12, item 5): run from
//! a folder of its own, without the repository, it lists and runs the same
//! built-in server scenarios, and a `scenarios/server` folder in the working
//! directory changes nothing unless `--scenarios` names it.

mod support;

use std::path::Path;
use std::process::{Command, Output};

/// The built binary, copied into `dir` and run there with `args`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    let binary = dir.join("xmpp-conform");
    if !binary.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_xmpp-conform"), &binary).expect("copy the binary");
    }
    Command::new(&binary)
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .output()
        .expect("run the copied binary")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A folder holding only the binary and a decoy `scenarios/server` with
/// one scenario of its own: the old lookup (`./scenarios/server` first)
/// would have listed just that one.
fn stand_alone() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let decoy = dir.path().join("scenarios/server");
    std::fs::create_dir_all(&decoy).expect("decoy folder");
    std::fs::write(
        decoy.join("decoy.xmpp"),
        "+++\ntitle = \"decoy\"\nspec = [\"RFC 6120 §4\"]\n+++\nC: <stream:stream to='{domain}'>\n",
    )
    .expect("decoy scenario");
    dir
}

#[test]
fn the_copied_binary_lists_and_runs_its_own_scenarios_anywhere() {
    // As many as the source tree has, read from disk.
    let on_disk = support::xmpp_conform(&["list", "--scenarios", "scenarios/server"]);
    let count = stdout(&on_disk)
        .lines()
        .last()
        .and_then(|l| l.strip_suffix(" scenarios"))
        .map(str::to_owned)
        .expect("a count");
    let empty = tempfile::tempdir().expect("temporary folder");
    let decoyed = stand_alone();
    for dir in [empty.path(), decoyed.path()] {
        let list = run_in(dir, &["list"]);
        assert_eq!(list.status.code(), Some(0), "{}", support::text(&list));
        assert!(
            stdout(&list).ends_with(&format!("\n{count} scenarios\n")),
            "{}",
            stdout(&list)
        );
        assert!(!stdout(&list).contains("decoy"), "{}", stdout(&list));

        let demo = run_in(dir, &["demo", "--jobs", "2"]);
        assert_eq!(demo.status.code(), Some(0), "{}", support::text(&demo));
        assert!(
            stdout(&demo).contains(&format!("OK: {count} scenarios")),
            "{}",
            stdout(&demo)
        );
    }
    // The files on disk are still there for whoever asks for them.
    let own = run_in(decoyed.path(), &["list", "--scenarios", "scenarios/server"]);
    assert!(stdout(&own).contains("decoy"), "{}", support::text(&own));
    assert!(stdout(&own).ends_with("1 scenarios\n"), "{}", stdout(&own));
}

#[test]
fn an_included_step_is_shown_by_its_normalised_path() {
    // STARTTLS not offered fails the step that the SASL scenario takes
    // from `_include/starttls.xmpp` (included as `../../_include/…`).
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = run_in(
        dir.path(),
        &[
            "demo",
            "--fault",
            "offer-starttls",
            "--filter",
            "rfc6120/sasl/plain",
        ],
    );
    let text = stdout(&out);
    assert!(
        text.contains("      at scenarios/server/_include/starttls.xmpp:"),
        "{text}"
    );
    assert!(!text.contains(".."), "{text}");
}
