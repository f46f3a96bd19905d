//! `jobs` workers, each running one case at a time on its own connection.
//!
//! Seeds are handed out in order from one counter, and a case depends on
//! its seed alone, so which worker runs it does not matter. Once enough
//! findings are in (or a crash), no new seed is handed out, but the cases
//! in flight finish: every seed below the last one handed out has then
//! run, and [`settle`] keeps the findings with the smallest seeds: the
//! ones a run with one job would have found.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::scenario::Meta;
use crate::xml::Element;

use super::super::RunConfig;
use super::case::{self, Outcome};
use super::mutate;
use super::{Finding, FuzzConfig, Kind, Phase};

/// How sure a crash finding is that its case caused it. With several
/// connections in flight, a server that dies fails them all; the case that
/// saw it first-hand is the likelier cause. Ordered: most direct first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Evidence {
    /// A hang, or the case's own connection dropped and the server was gone.
    Direct,
    /// The case was answered, then the periodic probe found the server gone.
    Probe,
    /// The case could not even connect: it sent nothing.
    NothingSent,
}

/// A finding and how it was seen.
pub(super) struct Found {
    finding: Finding,
    evidence: Evidence,
}

/// What the workers share.
pub(super) struct Pool {
    config: RunConfig,
    fuzz: FuzzConfig,
    meta: Meta,
    stanzas: Vec<Element>,
    started: Instant,
    state: Mutex<State>,
}

struct State {
    next: u64,
    /// No new seed is handed out.
    stop: bool,
    cases: u64,
    found: Vec<Found>,
}

impl Pool {
    pub(super) fn new(
        config: RunConfig,
        fuzz: FuzzConfig,
        meta: Meta,
        stanzas: Vec<Element>,
    ) -> Pool {
        let next = fuzz.seeds.start;
        Pool {
            config,
            fuzz,
            meta,
            stanzas,
            started: Instant::now(),
            state: Mutex::new(State {
                next,
                stop: false,
                cases: 0,
                found: Vec::new(),
            }),
        }
    }

    /// A worker panicking is a bug, but the others' findings still count.
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn next_seed(&self) -> Option<u64> {
        let mut state = self.state();
        let over = self.started.elapsed() >= self.fuzz.duration;
        if state.stop || over || state.next >= self.fuzz.seeds.end {
            return None;
        }
        let seed = state.next;
        state.next += 1;
        Some(seed)
    }

    fn record(&self, found: Option<Found>) {
        let mut state = self.state();
        state.cases += 1;
        if let Some(found) = found {
            // Nothing more can be learnt from a server that is down.
            state.stop |= found.finding.kind == Kind::Crash;
            state.found.push(found);
            state.stop |= state.found.len() >= self.fuzz.max_findings;
        }
    }
}

/// Run the pool's workers to the end; report progress (cases, findings)
/// every 250 ms. Returns the cases run and the raw findings.
pub(super) async fn run(
    pool: &Arc<Pool>,
    mut progress: impl FnMut(u64, usize),
) -> (u64, Vec<Found>) {
    let mut workers = JoinSet::new();
    for _ in 0..pool.fuzz.jobs.max(1) {
        let pool = Arc::clone(pool);
        workers.spawn(async move { worker(&pool).await });
    }
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            joined = workers.join_next() => if joined.is_none() { break },
            _ = tick.tick() => {
                let state = pool.state();
                let (cases, findings) = (state.cases, state.found.len());
                drop(state);
                progress(cases, findings);
            }
        }
    }
    let mut state = pool.state();
    (state.cases, std::mem::take(&mut state.found))
}

async fn worker(pool: &Pool) {
    let phase = pool.fuzz.phase;
    while let Some(seed) = pool.next_seed() {
        let (index, mutation) = mutate::case(seed, pool.stanzas.len());
        let Some(stanza) = pool.stanzas.get(index) else {
            return;
        };
        let parts = mutate::apply(stanza, &mutation);
        let outcome = case::run(&pool.config, phase, &pool.meta, &parts).await;
        // Probed by seed, not by count: the same cases whatever `jobs` is.
        let probe_due = seed.is_multiple_of(pool.fuzz.probe_every.max(1) as u64);
        let dead = |why: String| format!("a fresh connection failed afterwards: {why}");
        let found = match outcome {
            Outcome::Answered if !probe_due => None,
            Outcome::Hang(detail) => Some((Kind::Hang, detail, Evidence::Direct)),
            Outcome::Down(detail) => Some((Kind::Crash, detail, Evidence::NothingSent)),
            Outcome::Answered => case::alive(&pool.config, &pool.meta)
                .await
                .err()
                .map(|why| (Kind::Crash, dead(why), Evidence::Probe)),
            Outcome::Dropped => case::alive(&pool.config, &pool.meta)
                .await
                .err()
                .map(|why| (Kind::Crash, dead(why), Evidence::Direct)),
        };
        let found = match found {
            Some((kind, detail, evidence)) => {
                let mut finding = Finding {
                    kind,
                    stanza: stanza.clone(),
                    mutation,
                    parts,
                    detail,
                    seed,
                    scenario: None,
                };
                if kind == Kind::Hang {
                    shrink(&pool.config, phase, &pool.meta, &mut finding).await;
                }
                Some(Found { finding, evidence })
            }
            None => None,
        };
        pool.record(found);
    }
}

/// The findings a run keeps: of the crashes, the one seen most directly
/// (then the smallest seed); in seed order, nothing after that crash (a
/// run with one job stops there); at most `max`.
pub(super) fn settle(mut found: Vec<Found>, max: usize) -> Vec<Finding> {
    let crash = found
        .iter()
        .filter(|f| f.finding.kind == Kind::Crash)
        .map(|f| (f.evidence, f.finding.seed))
        .min();
    if let Some((_, seed)) = crash {
        found.retain(|f| {
            f.finding.kind == Kind::Hang && f.finding.seed < seed || f.finding.seed == seed
        });
    }
    found.sort_by_key(|f| f.finding.seed);
    found.truncate(max);
    found.into_iter().map(|f| f.finding).collect()
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
