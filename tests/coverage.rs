//! `xmpp-conform coverage` and the checks behind it: a scenario that
//! covers an unknown statement, or cites a section its RFC does not have,
//! does not load; `docs/coverage.md` is the report of the built-in suite
//! as it is, and the README shows its summary.
//!
//! After adding `covers`: `cargo run -- coverage --format markdown >
//! docs/coverage.md` (also written to `reports/coverage.md` by this test),
//! then paste its Summary table into README.md.

mod support;

use std::fs;

use support::{repo, text, xmpp_conform};

fn scenario_with(front_matter: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    fs::write(
        dir.path().join("s.xmpp"),
        format!("+++\ntitle = \"t\"\n{front_matter}\n+++\nC: <presence/>\n"),
    )
    .expect("write scenario");
    dir
}

/// `list` and `coverage` both refuse the file, naming the fault.
fn assert_refused(front_matter: &str, message: &str) {
    let dir = scenario_with(front_matter);
    let path = dir.path().to_str().expect("utf-8 path");
    for args in [
        vec!["list", "--scenarios", path],
        vec!["coverage", "--scenarios", path],
    ] {
        let out = xmpp_conform(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(message), "{args:?}: {}", text(&out));
    }
}

#[test]
fn unknown_statement_ids_fail_loading() {
    assert_refused(
        "spec = [\"RFC 6120 §4.7.3\"]\ncovers = [\"rfc6120/4.7.3/9\"]",
        "unknown statement `rfc6120/4.7.3/9`",
    );
    assert_refused(
        "spec = [\"RFC 6120 §4.7.3\"]\ncovers = [\"rfc6120/4.7.3/9\"]",
        "did you mean `rfc6120/4.7.3/",
    );
    assert_refused(
        "spec = [\"RFC 6120 §4.7.3\"]\ncovers = [\"rfc3920/4/1\"]",
        "no inventory of `rfc3920`",
    );
}

#[test]
fn citations_of_sections_that_do_not_exist_fail_loading() {
    assert_refused(
        "spec = [\"RFC 6120 §8.5.3.1\"]",
        "RFC 6120 has no section 8.5.3.1",
    );
    // The same file with a section that exists loads.
    let dir = scenario_with("spec = [\"RFC 6120 §10.5.4\"]\ncovers = [\"rfc6120/10.5.4/2\"]");
    let out = xmpp_conform(&["list", "--scenarios", dir.path().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_scenario_given_with_scenarios_counts() {
    let json = |args: &[&str]| -> serde_json::Value {
        let out = xmpp_conform(args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let covered = |v: &serde_json::Value| v["documents"][0]["covered_by"]["rfc6120/4.5/1"].clone();
    let dir = scenario_with("spec = [\"RFC 6120 §4.5\"]\ncovers = [\"rfc6120/4.5/1\"]");
    let path = dir.path().to_str().expect("utf-8 path");
    let with = json(&["coverage", "--format", "json", "--scenarios", path]);
    assert_eq!(with["documents"][0]["id"], "rfc6120");
    let by = covered(&with);
    assert!(
        by.as_array().is_some_and(|a| a.iter().any(|s| s == "s")),
        "{by}"
    );
}

#[test]
fn docs_and_readme_show_the_current_coverage() {
    let out = xmpp_conform(&["coverage", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let markdown = String::from_utf8(out.stdout).expect("UTF-8");
    let _ = fs::create_dir_all(repo().join("reports"));
    let _ = fs::write(repo().join("reports/coverage.md"), &markdown);
    let committed = fs::read_to_string(repo().join("docs/coverage.md")).unwrap_or_default();
    assert!(
        committed == markdown,
        "docs/coverage.md is out of date: cp reports/coverage.md docs/coverage.md \
         (and its Summary table into README.md)"
    );
    let summary = markdown
        .split("## Summary\n\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("a Summary section");
    assert!(summary.lines().count() > 3, "{summary}");
    let readme = fs::read_to_string(repo().join("README.md")).unwrap_or_default();
    assert!(
        readme.contains(summary.trim_end()),
        "README.md does not show the current coverage summary:\n{summary}"
    );
}
