//! `xmpp-conform merge PART.json…`: the JSON reports of a suite's parts
//! (`--shard K/N` on N machines) joined, and the reports of the whole
//! written from them.

use std::path::PathBuf;

use clap::Args;

use crate::report::{self, Summary, console, merge};

use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE, write_file};

#[derive(Debug, Args)]
pub(super) struct MergeArgs {
    /// The parts' JSON reports (`--json` of each shard's run).
    #[arg(required = true, value_name = "PART.json")]
    parts: Vec<PathBuf>,
    /// Write the joined JSON report here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a JUnit XML report of the whole run here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write an HTML report of the whole run here.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// The parts ran with --strict: a broken SHOULD fails the whole.
    #[arg(long)]
    strict: bool,
}

pub(super) fn run(args: &MergeArgs) -> i32 {
    let mut parts = Vec::with_capacity(args.parts.len());
    for path in &args.parts {
        match std::fs::read_to_string(path) {
            Ok(text) => parts.push((path.display().to_string(), text)),
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return EXIT_USAGE;
            }
        }
    }
    let merged = match merge::merge(&parts) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let summary = Summary::of(&merged.verdicts, merged.wall_time);
    println!(
        "{} parts, {} scenarios",
        args.parts.len(),
        merged.verdicts.len()
    );
    println!(
        "{}",
        console::summary(&summary, console::Style::detect(), args.strict)
    );
    let code = if summary.fails(args.strict) {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    let target = merged.targets.join(", ");
    match write(args, &merged, &summary, &target, code) {
        Ok(()) => code,
        Err(failed) => failed,
    }
}

fn write(
    args: &MergeArgs,
    merged: &merge::Merged,
    summary: &Summary,
    target: &str,
    code: i32,
) -> Result<(), i32> {
    let verdicts = &merged.verdicts;
    if let Some(path) = &args.json {
        let outcome = report::json::Outcome {
            strict: args.strict,
            passed: code == EXIT_OK,
            exit_code: code,
            baseline_differences: None,
        };
        let built = report::json::build(verdicts, target, summary.wall_time, outcome);
        let text = report::json::to_string(&built).map_err(|e| {
            eprintln!("error: cannot serialize the JSON report: {e}");
            EXIT_FAILED
        })?;
        write_file(path, &text)?;
    }
    if let Some(path) = &args.junit {
        let built = report::junit::build(verdicts, summary.wall_time, args.strict);
        let text = report::junit::to_string(&built).map_err(|e| {
            eprintln!("error: cannot serialize the JUnit report: {e}");
            EXIT_FAILED
        })?;
        write_file(path, &text)?;
    }
    if let Some(path) = &args.html {
        let run = report::html::RunInfo {
            target,
            domain: "",
            options: vec![format!("merged from {} parts", args.parts.len())],
            started: std::time::SystemTime::now() - summary.wall_time,
            wall_time: summary.wall_time,
            strict: args.strict,
            baseline_differences: None,
        };
        write_file(path, &report::html::build(verdicts, &run))?;
    }
    Ok(())
}
