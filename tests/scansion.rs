//! Scansion scripts (`.scs`) against Prosody configured as scansion
//! setups run it, against the reference server, converted to `.xmpp`,
//! with `--jobs 2`, and Prosody's own recorder (`mod_scansion_record`)
//! round trip. See docs/scansion.md.

mod support;

use std::path::{Path, PathBuf};

use support::{Prosody, Reference, repo, text, xmpp_conform};

const SCRIPTS: &str = "tests/scansion";
const PROSODY_BASELINE: &str = "tests/baselines/scansion-prosody-0.12.txt";
const REFERENCE_BASELINE: &str = "tests/baselines/scansion-reference.txt";

/// `--target` and the options a scansion setup runs with: TLS off, PLAIN.
fn scansion_setup(target: &str) -> Vec<String> {
    [
        "--target",
        target,
        "--domain",
        "localhost",
        "--tls",
        "none",
        "--mechanism",
        "PLAIN",
        "--timeout",
        "3s",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Run with `args`, returning the exit code, the console and the verdicts
/// (`id status`, in scenario order) from the JSON report.
fn run(args: Vec<String>) -> (Option<i32>, String, Vec<String>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let json = dir.path().join("report.json");
    let mut args = args;
    args.extend(["--json".to_string(), json.display().to_string()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = xmpp_conform(&refs);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap_or_default())
            .unwrap_or(serde_json::Value::Null);
    let verdicts = report["scenarios"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|s| format!("{} {}", s["id"].as_str().unwrap_or("?"), s["status"]))
                .collect()
        })
        .unwrap_or_default();
    (out.status.code(), text(&out), verdicts)
}

fn with(mut base: Vec<String>, more: &[&str]) -> Vec<String> {
    base.extend(more.iter().map(|s| s.to_string()));
    base
}

fn tail(log: &str) -> String {
    log.lines().rev().take(30).collect::<Vec<_>>().join("\n")
}

/// The test set against Prosody: every verdict as the baseline says, with
/// one job and with two, the same verdicts either way.
#[test]
fn scripts_match_the_prosody_baseline_with_one_job_and_two() {
    let count = std::fs::read_dir(repo().join(SCRIPTS))
        .expect("the test set")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "scs"))
        })
        .count();
    assert!(count >= 20, "the test set has {count} scripts");
    let prosody = Prosody::start_for_scansion(&[]);
    let base = scansion_setup(&prosody.target());
    let (code, console, one) = run(with(
        base.clone(),
        &[
            "--scenarios",
            SCRIPTS,
            "--baseline",
            PROSODY_BASELINE,
            "--jobs",
            "1",
        ],
    ));
    println!("{console}");
    assert_eq!(
        code,
        Some(0),
        "--jobs 1 differs from {PROSODY_BASELINE}\n{}",
        tail(&prosody.log())
    );
    assert_eq!(one.len(), count);
    // A fresh Prosody: in-memory storage keeps what the first run left
    // (a blocked JID, a roster item), as it would for a second CI run.
    drop(prosody);
    let prosody = Prosody::start_for_scansion(&[]);
    let base = scansion_setup(&prosody.target());
    let (code, console, two) = run(with(
        base,
        &[
            "--scenarios",
            SCRIPTS,
            "--baseline",
            PROSODY_BASELINE,
            "--jobs",
            "2",
        ],
    ));
    println!("{console}");
    assert_eq!(
        code,
        Some(0),
        "--jobs 2 differs from {PROSODY_BASELINE}\n{}",
        tail(&prosody.log())
    );
    assert_eq!(one, two, "--jobs 2 gives other verdicts than --jobs 1");
}

/// Each script converted to `.xmpp` (`xmpp-conform convert`) gives the
/// same verdict as the script, against a fresh Prosody.
#[test]
fn converted_scripts_give_the_same_verdicts() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(repo().join(SCRIPTS))
        .expect("the test set")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "scs"))
        .collect();
    scripts.sort();
    for script in &scripts {
        let out_path = dir
            .path()
            .join(script.file_stem().expect("a name"))
            .with_extension("xmpp");
        let out = xmpp_conform(&[
            "convert",
            script.to_str().expect("utf-8 path"),
            "-o",
            out_path.to_str().expect("utf-8 path"),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "convert {}: {}",
            script.display(),
            text(&out)
        );
    }
    let scripts_run = {
        let prosody = Prosody::start_for_scansion(&[]);
        run(with(
            scansion_setup(&prosody.target()),
            &["--scenarios", SCRIPTS],
        ))
    };
    let prosody = Prosody::start_for_scansion(&[]);
    let converted = dir.path().to_str().expect("utf-8 path");
    let (code, console, verdicts) = run(with(
        scansion_setup(&prosody.target()),
        &["--scenarios", converted, "--baseline", PROSODY_BASELINE],
    ));
    println!("{console}");
    assert_eq!(
        code,
        Some(0),
        "the converted scenarios differ from {PROSODY_BASELINE}"
    );
    assert_eq!(verdicts.len(), scripts.len());
    assert_eq!(
        verdicts, scripts_run.2,
        "converted and original verdicts differ"
    );
}

/// The reference server, where it has the features: with TLS on (it
/// offers PLAIN only over TLS), each account registered.
#[test]
fn scripts_match_the_reference_baseline() {
    let mut config = xmpp_conform::reference::Config::new("localhost");
    for user in USERS {
        config = config.with_account(*user, "password");
    }
    let reference = Reference::start(config);
    let mut args = reference.target_args();
    args.extend(
        [
            "--timeout",
            "3s",
            "--scenarios",
            SCRIPTS,
            "--baseline",
            REFERENCE_BASELINE,
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let (code, console, _) = run(args);
    println!("{console}");
    assert_eq!(code, Some(0), "verdicts differ from {REFERENCE_BASELINE}");
}

/// Every account the test set logs in as.
const USERS: &[&str] = &[
    "romeo",
    "juliet",
    "mercutio",
    "tybalt",
    "benvolio",
    "nurse",
    "capulet",
    "friar",
    "balthasar",
    "peter",
    "sampson",
    "gregory",
    "rosaline",
    "paris",
    "helena",
    "abram",
    "anthony",
    "potpan",
    "lawrence",
    "montague",
    "simon",
];

/// The `.scs` file `mod_scansion_record` wrote under Prosody's data
/// folder (`scansion/<date>/<id>.scs`), once Prosody has stopped.
fn recording(data: &Path) -> String {
    let mut found = Vec::new();
    let mut stack = vec![data.join("scansion")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "scs") {
                found.push(p);
            }
        }
    }
    assert_eq!(
        found.len(),
        1,
        "one recording under {}: {found:?}",
        data.display()
    );
    std::fs::read_to_string(&found[0]).expect("read the recording")
}

/// A session recorded by Prosody's `mod_scansion_record` (two accounts
/// exchanging messages and presence, a roster change, a ping, driven by
/// `tests/scansion/_record/session.xmpp`) replays against a fresh Prosody;
/// with one expected attribute edited, the replay fails with a diff.
#[test]
fn prosody_recording_replays_and_an_edited_one_fails_with_a_diff() {
    let mut recorder = Prosody::start_for_scansion(&["scansion_record"]);
    let (code, console, _) = run(with(
        scansion_setup(&recorder.target()),
        &[
            "--scenarios",
            "tests/scansion/_record/session.xmpp",
            "--account",
            "romeo=romeo@localhost:password",
            "--account",
            "juliet=juliet@localhost:password",
        ],
    ));
    assert_eq!(
        code,
        Some(0),
        "the recorded session itself failed:\n{console}"
    );
    recorder.stop();
    let recorded = recording(recorder.dir.path());
    println!("{recorded}");
    for needle in [
        "[Client] Romeo",
        "[Client] Juliet",
        "<ping xmlns='urn:xmpp:ping'/>",
        "jabber:iq:roster",
        "<body>",
    ] {
        assert!(recorded.contains(needle), "the recording lacks {needle}");
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let script = dir.path().join("recorded.scs");
    std::fs::write(&script, &recorded).expect("write the recording");
    let fresh = Prosody::start_for_scansion(&[]);
    let (code, console, verdicts) = run(with(
        scansion_setup(&fresh.target()),
        &["--scenarios", script.to_str().expect("utf-8 path")],
    ));
    println!("{console}");
    assert_eq!(code, Some(0), "the replay failed\n{}", tail(&fresh.log()));
    assert_eq!(verdicts, ["recorded \"pass\""]);

    // One expected attribute edited: the ping's result claims another id.
    let edited = edit_result_id(&recorded);
    let script = dir.path().join("edited.scs");
    std::fs::write(&script, edited).expect("write the edited recording");
    let fresh = Prosody::start_for_scansion(&[]);
    let (code, console, verdicts) = run(with(
        scansion_setup(&fresh.target()),
        &["--scenarios", script.to_str().expect("utf-8 path")],
    ));
    println!("{console}");
    assert_eq!(code, Some(1));
    assert_eq!(verdicts, ["edited \"fail\""]);
    assert!(
        console.contains("attribute `id`: expected `edited-ping`, received `ping1`"),
        "{console}"
    );
    assert!(
        console.contains("-<iq") && console.contains("+<iq"),
        "a diff: {console}"
    );
    assert!(
        console.contains("edited.scs:"),
        "the script's line: {console}"
    );
}

/// The recording with the `id` of the ping's result, in a `receives:`
/// block, changed to `edited-ping`.
fn edit_result_id(recorded: &str) -> String {
    let mut out = Vec::new();
    let mut receiving = false;
    let mut done = false;
    for line in recorded.lines() {
        if !line.starts_with(['\t', ' ']) {
            receiving = line.ends_with("receives:");
        }
        if receiving && !done && line.contains("id='ping1'") && line.contains("type='result'") {
            out.push(line.replace("id='ping1'", "id='edited-ping'"));
            done = true;
        } else {
            out.push(line.to_string());
        }
    }
    assert!(done, "no ping result in the recording");
    out.join("\n") + "\n"
}
