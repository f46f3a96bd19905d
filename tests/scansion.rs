//! Scansion scripts (`.scs`) against Prosody configured as scansion
//! setups run it, against the reference server, converted to `.xmpp`,
//! with `--jobs 2`, and Prosody's own recorder (`mod_scansion_record`)
//! round trip. See docs/scansion.md.

mod support;

use std::path::{Path, PathBuf};

use support::{Prosody, repo, text, xmpp_conform};

/// `--target` and the options a scansion setup runs with: TLS off, PLAIN.
fn run_args(target: &str) -> Vec<String> {
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

fn run(target: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = run_args(target);
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = xmpp_conform(&refs);
    (out.status.code(), text(&out))
}

#[test]
fn try_one() {
    let prosody = Prosody::start_for_scansion(&[]);
    let (code, out) = run(&prosody.target(), &["--scenarios", "tests/scansion"]);
    println!("{out}");
    println!(
        "{}",
        prosody
            .log()
            .lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(code, Some(0));
}
