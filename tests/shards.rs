//! `--shard K/N` and `merge` (issue 16, item 4): four parts of the suite,
//! run separately against the same reference server and merged, give the
//! verdicts of one run of the whole, each scenario exactly once; the
//! merged reports are written as one run's.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use support::{Reference, cast_args, text, xmpp_conform};
use xmpp_conform::reference::Config;

const PASSWORD: &str = support::PASSWORD;

/// Scenario id → verdict of a JSON report.
fn verdicts(json: &Path) -> BTreeMap<String, String> {
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(json).expect("read")).expect("JSON");
    report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().expect("id").to_owned(),
                s["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

#[test]
fn four_shards_merged_give_the_verdicts_of_one_run() {
    let config = xmpp_conform::accounts::CAST
        .iter()
        .fold(Config::new("localhost"), |c, name| {
            c.with_account(*name, PASSWORD)
        });
    let reference = Reference::start(config);
    let dir = tempfile::tempdir().expect("temporary folder");
    let run = |json: &Path, shard: Option<&str>| {
        let mut args = reference.target_args();
        args.extend(["--user", "romeo", "--password", PASSWORD].map(String::from));
        args.extend(["--json".to_string(), json.display().to_string()]);
        if let Some(shard) = shard {
            args.extend(["--shard".to_string(), shard.to_string()]);
        }
        args.extend(cast_args());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = xmpp_conform(&args);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
    };

    let whole = dir.path().join("whole.json");
    run(&whole, None);
    let mut parts = Vec::new();
    for k in 1..=4 {
        let part = dir.path().join(format!("part-{k}.json"));
        run(&part, Some(&format!("{k}/4")));
        parts.push(part);
    }
    // Disjoint parts that cover the whole.
    let mut seen = BTreeMap::new();
    for part in &parts {
        for (id, status) in verdicts(part) {
            assert!(
                seen.insert(id.clone(), status).is_none(),
                "{id} in two parts"
            );
        }
    }
    assert_eq!(seen, verdicts(&whole));

    let merged = dir.path().join("merged.json");
    let junit = dir.path().join("merged.xml");
    let html = dir.path().join("merged.html");
    let mut args = vec!["merge".to_string()];
    args.extend(parts.iter().map(|p| p.display().to_string()));
    for (flag, path) in [("--json", &merged), ("--junit", &junit), ("--html", &html)] {
        args.push(flag.to_string());
        args.push(path.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = xmpp_conform(&args);
    let code = if verdicts(&whole)
        .values()
        .all(|s| s != "fail" && s != "error")
    {
        0
    } else {
        1
    };
    assert_eq!(out.status.code(), Some(code), "{}", text(&out));
    assert_eq!(verdicts(&merged), verdicts(&whole));
    let junit = std::fs::read_to_string(&junit).expect("JUnit");
    assert_eq!(junit.matches("<testcase ").count(), seen.len());
    assert!(std::fs::read_to_string(&html).is_ok_and(|h| h.contains("merged from 4 parts")));

    // The same part twice is no run at all.
    let twice = xmpp_conform(&[
        "merge",
        parts[0].to_str().expect("path"),
        parts[0].to_str().expect("path"),
    ]);
    assert_eq!(twice.status.code(), Some(2), "{}", text(&twice));
    assert!(
        text(&twice).contains("parts of one run never overlap"),
        "{}",
        text(&twice)
    );
}
