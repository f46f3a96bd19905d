//! The HTML report in a real browser (issue 16, item 1): a run of every
//! built-in scenario against the reference server with its `stream-id`
//! fault, rendered by headless Chromium (Debian's `chromium`). The DOM
//! after the page's script has run must show the JSON report's counts,
//! filter the passing scenarios away when the URL asks for the others, and
//! open a failing scenario's diff and two-column transcript. A screenshot
//! goes to reports/html-report.png for people to look at, and HTML Tidy
//! validates the page.

mod support;

use std::path::Path;
use std::process::Command;

use support::{repo, require_program, text, xmpp_conform};

/// The DOM Chromium has after loading `page` with `fragment` and running
/// its script.
fn rendered(page: &Path, fragment: &str) -> String {
    let url = format!("file://{}#{fragment}", page.display());
    let out = Command::new("timeout")
        .args([
            "120",
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
        ])
        .arg(&url)
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `data-count="NAME">N<`, as a number.
fn count(dom: &str, name: &str) -> u64 {
    let marker = format!("data-count=\"{name}\">");
    let at = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} count"))
        + marker.len();
    dom[at..]
        .split('<')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{name} count is not a number"))
}

#[test]
fn chromium_shows_the_counts_filters_and_a_failing_transcript() {
    require_program("chromium", "chromium");
    let dir = tempfile::tempdir().expect("temporary folder");
    let html = dir.path().join("report.html");
    let json = dir.path().join("report.json");
    let out = xmpp_conform(&[
        "demo",
        "--fault",
        "stream-id",
        "--html",
        html.to_str().expect("UTF-8 path"),
        "--json",
        json.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("JSON")).expect("JSON");
    let failing = report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .find(|s| s["status"] == "fail" && s["failure"]["diff"].is_string())
        .and_then(|s| s["id"].as_str())
        .expect("a failing scenario with a diff")
        .to_owned();

    let dom = rendered(&html, &format!("verdict=not-pass&open={failing}"));
    let summary = &report["summary"];
    for (name, key) in [
        ("total", "total"),
        ("pass", "passed"),
        ("fail", "failed"),
        ("non-strict", "non_strict"),
        ("skip", "skipped"),
        ("error", "errors"),
    ] {
        assert_eq!(Some(count(&dom, name)), summary[key].as_u64(), "{name}");
    }
    // The filter ran: every passing row is hidden, no failing one is.
    let passing = summary["passed"].as_u64().expect("passed");
    assert_eq!(
        dom.matches("<tr class=\"pass\"").count() as u64,
        passing,
        "one row per passing scenario"
    );
    let hidden_passes = dom
        .split("<tr class=\"pass\"")
        .skip(1)
        .filter(|row| {
            row.split('>')
                .next()
                .is_some_and(|tag| tag.contains("hidden"))
        })
        .count() as u64;
    assert_eq!(hidden_passes, passing, "the filter hides the passes");
    assert!(
        !dom.split("<tr class=\"fail\"").skip(1).any(|row| row
            .split('>')
            .next()
            .is_some_and(|tag| tag.contains("hidden"))),
        "no failing row is hidden"
    );
    // The failing scenario: its diff, and its transcript open, in two
    // columns.
    let article = dom
        .split(&format!("<article id=\"{failing}\""))
        .nth(1)
        .and_then(|rest| rest.split("</article>").next())
        .expect("the failing scenario's section");
    assert!(article.contains("<pre class=\"diff\">"), "{article}");
    assert!(
        article.contains("<details class=\"transcript\" open"),
        "{article}"
    );
    assert!(article.contains("<td class=\"client\">"), "{article}");
    assert!(article.contains("<td class=\"server\">"), "{article}");
    // Nothing but links points elsewhere.
    for (i, _) in dom.match_indices("https://") {
        assert!(dom[..i].ends_with("href=\""), "a URL that is not a link");
    }

    // HTML Tidy finds nothing to warn about (exit 0; 1 is warnings).
    require_program("tidy", "tidy");
    let tidy = Command::new("tidy")
        .args(["-q", "-e"])
        .arg(&html)
        .output()
        .expect("run tidy");
    assert_eq!(tidy.status.code(), Some(0), "tidy: {}", text(&tidy));

    // A picture for people: the failures only, one transcript open.
    let shot = repo().join("reports/html-report.png");
    let _ = std::fs::create_dir_all(repo().join("reports"));
    let url = format!("file://{}#verdict=not-pass&open={failing}", html.display());
    let out = Command::new("timeout")
        .args([
            "120",
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .args(["--window-size=1280,1600", &url])
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium: {}", text(&out));
    assert!(
        std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
        "a screenshot"
    );
}
