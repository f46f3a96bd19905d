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
//! Cases run one after another: with a fixed `--seed` the same cases go out
//! in the same order, so a run can be repeated.

mod case;
pub mod finding;
mod mutate;
mod seeds;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::scenario::{Meta, Scenario};

use super::RunConfig;
use case::Outcome;
pub use finding::{Finding, Kind};
use mutate::{Mutation, Rng};

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
    pub seed: u64,
    pub phase: Phase,
    /// A liveness probe every this many cases.
    pub probe_every: usize,
    /// Stop after this many findings.
    pub max_findings: usize,
    /// Where reproducer scenarios are written.
    pub out_dir: PathBuf,
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

/// Run until `fuzz.duration` has passed or `max_findings` were found.
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
    if let Err(why) = case::alive(config, &meta).await {
        report.unreachable = Some(why);
        return report;
    }
    let seeds = seeds::from_scenarios(scenarios, &config.bindings, fuzz.phase);
    let mut rng = Rng::new(fuzz.seed);
    let mut last_progress = Instant::now();
    while started.elapsed() < fuzz.duration && report.findings.len() < fuzz.max_findings {
        let stanza = &seeds[rng.below(seeds.len())];
        let mutation = Mutation::random(&mut rng);
        let parts = mutate::apply(stanza, &mutation);
        let outcome = case::run(config, fuzz.phase, &meta, &parts).await;
        report.cases += 1;
        let probe_due = report.cases.is_multiple_of(fuzz.probe_every.max(1) as u64);
        let found = match outcome {
            Outcome::Answered if !probe_due => None,
            Outcome::Hang(detail) => Some((Kind::Hang, detail)),
            Outcome::Down(detail) => Some((Kind::Crash, detail)),
            // A dropped connection, or a probe that is due: is it alive?
            Outcome::Answered | Outcome::Dropped => match case::alive(config, &meta).await {
                Ok(()) => None,
                Err(why) => Some((
                    Kind::Crash,
                    format!("a fresh connection failed afterwards: {why}"),
                )),
            },
        };
        if let Some((kind, detail)) = found {
            let mut finding = Finding {
                kind,
                stanza: stanza.clone(),
                mutation: mutation.clone(),
                parts,
                detail,
                scenario: None,
            };
            if kind == Kind::Hang {
                shrink(config, fuzz.phase, &meta, &mut finding).await;
            }
            let n = report.findings.len() + 1;
            finding.scenario =
                finding::write_scenario(&fuzz.out_dir, n, &finding, fuzz.phase, fuzz.seed).ok();
            let crashed = kind == Kind::Crash;
            report.findings.push(finding);
            if crashed {
                // Nothing more can be learnt from a server that is down.
                break;
            }
        }
        if last_progress.elapsed() >= Duration::from_millis(250) {
            last_progress = Instant::now();
            progress(Progress {
                cases: report.cases,
                findings: report.findings.len(),
                elapsed: started.elapsed(),
            });
        }
    }
    report.elapsed = started.elapsed();
    report
}

/// Try smaller versions of a hanging mutation; keep the smallest that
/// still hangs.
async fn shrink(config: &RunConfig, phase: Phase, meta: &Meta, finding: &mut Finding) {
    let mut candidates = finding.mutation.smaller();
    while let Some(smaller) = candidates.first().cloned() {
        let parts = mutate::apply(&finding.stanza, &smaller);
        match case::run(config, phase, meta, &parts).await {
            Outcome::Hang(detail) => {
                finding.mutation = smaller.clone();
                finding.parts = parts;
                finding.detail = detail;
                candidates = smaller.smaller();
            }
            _ => {
                // This size no longer reproduces; the sizes between it and
                // the last one that did are not worth a search.
                break;
            }
        }
    }
}
