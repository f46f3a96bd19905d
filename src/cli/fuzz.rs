//! `xmpp-conform fuzz`: the live fuzzer against a server.

use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::engine::fuzz::{self, FuzzConfig, Phase, Progress};
use crate::report;
use crate::scenario::Peer;

use super::{
    EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, RunArgs, load_scenarios, runtime,
    target_config, write_file,
};

#[derive(Debug, Args)]
pub(super) struct FuzzArgs {
    #[command(flatten)]
    run: RunArgs,
    /// How long to fuzz.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    duration: Duration,
    /// The seed of the first case; each case has its own seed, the next
    /// one up (`--seed S` is `--seed-range S..`).
    #[arg(long, default_value_t = 1, conflicts_with = "seed_range")]
    seed: u64,
    /// Run the cases whose seeds are in `A..B` (B excluded), in order: a
    /// shard of a campaign split across machines, or one case to replay
    /// (`S..S+1`). The same seed is the same case whatever --jobs is.
    #[arg(long, value_name = "A..B", value_parser = parse_seed_range)]
    seed_range: Option<Range<u64>>,
    /// Merge the findings of these folders (shards' --out) into --out,
    /// each distinct finding once, and exit; nothing is sent.
    #[arg(long, value_name = "DIR", num_args = 1..)]
    merge: Vec<PathBuf>,
    /// Where the mutated stanzas go: on a fresh stream, or after login.
    #[arg(long, value_enum, default_value_t = PhaseArg::PreAuth)]
    phase: PhaseArg,
    /// A liveness probe (a fresh connection must get a stream) every this
    /// many cases; always after an anomaly.
    #[arg(long, default_value_t = 50, value_name = "N")]
    probe_every: usize,
    /// Stop after this many findings.
    #[arg(long, default_value_t = 10, value_name = "N")]
    max_findings: usize,
    /// Where reproducer scenarios are written.
    #[arg(long, default_value = "reports/fuzz", value_name = "DIR")]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PhaseArg {
    PreAuth,
    PostAuth,
}

/// `A..B` with A < B.
fn parse_seed_range(text: &str) -> Result<Range<u64>, String> {
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| format!("expected A..B, got `{text}`"))?;
    let number = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|e| format!("`{s}` in `{text}`: {e}"))
    };
    let (a, b) = (number(a)?, number(b)?);
    if a >= b {
        return Err(format!("`{text}` is empty: A must be below B"));
    }
    Ok(a..b)
}

/// `A..B`, or `A..` for a range that only the duration ends.
fn show_range(seeds: &Range<u64>) -> String {
    if seeds.end == u64::MAX {
        format!("{}..", seeds.start)
    } else {
        format!("{}..{}", seeds.start, seeds.end)
    }
}

/// `--merge`: the findings of several folders into `--out`.
fn merge(args: &FuzzArgs) -> i32 {
    match fuzz::merge(&args.merge, &args.out) {
        Ok(merged) => {
            println!(
                "{} findings in {} ({} found by more than one shard)",
                merged.copied,
                args.out.display(),
                merged.duplicates
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_FAILED
        }
    }
}

pub(super) fn run(args: FuzzArgs) -> i32 {
    if !args.merge.is_empty() {
        return merge(&args);
    }
    let Some(target) = args.run.target.clone() else {
        eprintln!("error: fuzz needs --target HOST:PORT");
        return EXIT_USAGE;
    };
    let phase = match args.phase {
        PhaseArg::PreAuth => Phase::PreAuth,
        PhaseArg::PostAuth => Phase::PostAuth,
    };
    if phase == Phase::PostAuth && (args.run.user.is_none() || args.run.password.is_none()) {
        eprintln!("error: --phase post-auth logs in: pass --user and --password");
        return EXIT_USAGE;
    }
    let scenarios = match load_scenarios(&args.run.selection, Peer::Server) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let config = match target_config(&args.run, &target) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let seeds = args.seed_range.clone().unwrap_or(args.seed..u64::MAX);
    let jobs = args.run.jobs.unwrap_or(1).max(1);
    let fuzz_config = FuzzConfig {
        duration: args.duration,
        seeds: seeds.clone(),
        jobs,
        phase,
        probe_every: args.probe_every,
        max_findings: args.max_findings.max(1),
        out_dir: args.out.clone(),
    };
    let runtime = match runtime(2) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    println!(
        "xmpp-conform {}: fuzzing {target} ({}, seeds {}, {jobs} at a time) for {:?}, stanzas from {} scenarios\n",
        env!("CARGO_PKG_VERSION"),
        phase.name(),
        show_range(&seeds),
        args.duration,
        scenarios.len()
    );
    let progress = crate::report::progress::FuzzProgress::new(args.duration);
    let report = runtime.block_on(fuzz::run(
        &config,
        &fuzz_config,
        &scenarios,
        |p: Progress| progress.update(p.cases, p.findings, p.elapsed),
    ));
    progress.finish();
    if let Some(why) = &report.unreachable {
        eprintln!("error: {target} does not open a stream: {why}");
        return EXIT_UNREACHABLE;
    }
    for (i, f) in report.findings.iter().enumerate() {
        println!("FINDING {}  {}", i + 1, f.summary());
        if let Some(path) = &f.scenario {
            println!(
                "      reproduce: xmpp-conform --target {target} --scenarios {}",
                path.display()
            );
        }
    }
    println!(
        "seeds {}..{} ran; the next shard starts at {1}",
        seeds.start,
        fuzz_config.next_seed(report.cases)
    );
    println!(
        "{}: {} cases in {:.1}s ({:.0} cases/s), {} findings",
        if report.findings.is_empty() {
            "OK"
        } else {
            "FAILED"
        },
        report.cases,
        report.elapsed.as_secs_f64(),
        report.cases_per_second(),
        report.findings.len()
    );
    if let Some(path) = &args.run.junit {
        let junit = report::junit::fuzz(&report, &target);
        match report::junit::to_string(&junit) {
            Ok(text) => {
                if let Err(code) = write_file(path, &text) {
                    return code;
                }
            }
            Err(e) => {
                eprintln!("error: cannot serialize the JUnit report: {e}");
                return EXIT_FAILED;
            }
        }
    }
    if report.findings.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_range_is_a_then_b_above_it() {
        assert_eq!(parse_seed_range("5..9"), Ok(5..9));
        assert_eq!(parse_seed_range(" 0 .. 1 "), Ok(0..1));
        for bad in ["9..5", "5..5", "5", "a..b", "-1..3", "1..2..3"] {
            assert!(parse_seed_range(bad).is_err(), "{bad}");
        }
        assert_eq!(show_range(&(3..u64::MAX)), "3..");
        assert_eq!(show_range(&(3..7)), "3..7");
    }
}
