//! `xmpp-conform fuzz`: throw structurally mutated stanzas at a live
//! server and look for hangs and crashes.
//!
//! The stanzas come from the scenario files ([`seeds`]); [`mutate`] breaks
//! them (attributes dropped, duplicated or oversized; elements nested deep
//! or repeated; namespaces and prefixes confused; restricted XML, invalid
//! UTF-8 and bad character references inserted; tags split across writes);
//! [`case`] sends one per connection followed by a ping and judges the
//! answer. Every `probe_every` cases, and after any anomaly, a fresh
//! connection must still get a stream (the liveness probe). A hang is
//! shrunk (smaller sizes while it still reproduces); a crash cannot be
//! retried, so it is kept as found. Each finding is written as a scenario
//! file that reproduces it.
//!
//! Cases run on `jobs` connections at once ([`pool`]). Each case is
//! generated from its own seed, handed out in seed order, so a case is
//! the same whichever worker or machine runs it: `--seed-range A..B`
//! splits a campaign into disjoint, repeatable shards, and the findings
//! kept are the same whatever `jobs` is (see [`pool::settle`]).

mod case;
pub mod finding;
pub mod merge;
mod mutate;
mod pool;
mod seeds;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::scenario::{Meta, Scenario};

use super::RunConfig;
pub use finding::{Finding, Kind};
pub use merge::{MergeError, Merged, merge};

/// Where the cases are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// On a fresh stream, before authentication.
    PreAuth,
    /// After `login` (TLS, SASL, bind): needs credentials.
    PostAuth,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::PreAuth => "pre-auth",
            Phase::PostAuth => "post-auth",
        }
    }
}

/// One fuzz run.
#[derive(Debug, Clone)]
pub struct FuzzConfig {
    pub duration: Duration,
    /// The seeds of the cases to run, in order; the run ends at the end of
    /// the range or of `duration`, whichever comes first.
    pub seeds: std::ops::Range<u64>,
    /// Cases in flight at once, each on its own connection.
    pub jobs: usize,
    pub phase: Phase,
    /// A liveness probe every this many cases.
    pub probe_every: usize,
    /// Stop after this many findings.
    pub max_findings: usize,
    /// Where reproducer scenarios are written.
    pub out_dir: PathBuf,
}

impl FuzzConfig {
    /// One past the last seed handed out, in a run that ran `cases` cases
    /// from the start of the range: where a following shard can start.
    pub fn next_seed(&self, cases: u64) -> u64 {
        self.seeds.start.saturating_add(cases).min(self.seeds.end)
    }
}

/// Progress, for the console.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub cases: u64,
    pub findings: usize,
    pub elapsed: Duration,
}

/// What a run did.
#[derive(Debug)]
pub struct FuzzReport {
    pub cases: u64,
    pub elapsed: Duration,
    pub findings: Vec<Finding>,
    /// The target was unreachable before any case ran.
    pub unreachable: Option<String>,
}

impl FuzzReport {
    pub fn cases_per_second(&self) -> f64 {
        self.cases as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The meta of the fuzzer's own sessions: nothing ignored but presence.
fn meta() -> Meta {
    Meta::harness("fuzz")
}

/// Run until `fuzz.duration` has passed, the seed range is done or
/// `max_findings` were found.
pub async fn run(
    config: &RunConfig,
    fuzz: &FuzzConfig,
    scenarios: &[Scenario],
    mut progress: impl FnMut(Progress),
) -> FuzzReport {
    let started = Instant::now();
    let meta = meta();
    let mut report = FuzzReport {
        cases: 0,
        elapsed: Duration::ZERO,
        findings: Vec::new(),
        unreachable: None,
    };
    let mut config = config.clone();
    if config.connector.is_none() {
        // Resolved once, not once per case: a name costs a blocking
        // getaddrinfo on each connect.
        let first = tokio::net::lookup_host(config.target.as_str())
            .await
            .map(|mut addrs| addrs.next());
        match first {
            Ok(Some(addr)) => config.target = addr.to_string(),
            Ok(None) => {}
            Err(e) => {
                report.unreachable = Some(format!("cannot resolve {}: {e}", config.target));
                return report;
            }
        }
    }
    if let Err(why) = case::alive(&config, &meta).await {
        report.unreachable = Some(why);
        return report;
    }
    let stanzas = seeds::from_scenarios(scenarios, &config.bindings, fuzz.phase);
    let pool = Arc::new(pool::Pool::new(config, fuzz.clone(), meta, stanzas));
    let (cases, found) = pool::run(&pool, |cases, findings| {
        progress(Progress {
            cases,
            findings,
            elapsed: started.elapsed(),
        })
    })
    .await;
    report.cases = cases;
    report.findings = pool::settle(found, fuzz.max_findings);
    for finding in &mut report.findings {
        finding.scenario = finding::write_scenario(&fuzz.out_dir, finding, fuzz.phase).ok();
    }
    report.elapsed = started.elapsed();
    report
}
