//! Runs scenarios against a peer and returns verdicts.
//!
//! One scenario is one connection: the engine walks its steps in order,
//! sending the harness's lines and matching the peer's answers, with every
//! wait bounded by the run's timeout. Many scenarios run concurrently
//! (`--jobs`); their verdicts come back in scenario order.

mod render;
mod session;
mod steps;
pub mod transcript;
pub mod verdict;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::bindings::Bindings;
use crate::scenario::{Action, Level, Scenario};
use crate::transport::{self, TransportError};
use crate::xml::ParserConfig;

pub use transcript::{Direction, Transcript};
pub use verdict::{Failure, Status, Verdict};

use session::Session;

/// Everything a run needs besides the scenarios.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// `host:port` of the server under test.
    pub target: String,
    /// Bound on every single wait: connect, each expected answer, each write.
    pub timeout: Duration,
    /// Values of `{domain}`, `{user}`, ... .
    pub bindings: Bindings,
    pub parser: ParserConfig,
}

/// Check once that the target accepts connections at all, so that an
/// unreachable target is one clear message rather than N failed scenarios.
pub async fn probe(config: &RunConfig) -> Result<(), TransportError> {
    transport::connect(&config.target, config.timeout)
        .await
        .map(drop)
}

/// Run one scenario on its own connection.
pub async fn run_scenario(scenario: &Scenario, config: &RunConfig) -> Verdict {
    let started = Instant::now();
    let mut verdict = match unmet_need(scenario, &config.bindings) {
        Some(reason) => Verdict::new(scenario, Status::Skip, Some(Failure::new(reason))),
        None => execute(scenario, config).await,
    };
    verdict.duration = started.elapsed();
    verdict
}

/// Run all scenarios, at most `jobs` at a time. `on_verdict` sees each
/// verdict as soon as it and all before it are done, in scenario order.
pub async fn run_all(
    scenarios: Vec<Scenario>,
    config: Arc<RunConfig>,
    jobs: usize,
    mut on_verdict: impl FnMut(&Verdict),
) -> Vec<Verdict> {
    let limit = Arc::new(Semaphore::new(jobs.max(1)));
    let mut set = tokio::task::JoinSet::new();
    let count = scenarios.len();
    for (index, scenario) in scenarios.into_iter().enumerate() {
        let limit = Arc::clone(&limit);
        let config = Arc::clone(&config);
        set.spawn(async move {
            // The semaphore is never closed, so acquiring cannot fail.
            let _permit = limit.acquire_owned().await.ok();
            (index, run_scenario(&scenario, &config).await)
        });
    }
    let mut slots: Vec<Option<Verdict>> = (0..count).map(|_| None).collect();
    let mut next = 0;
    while let Some(joined) = set.join_next().await {
        // A panicking scenario task would be a harness bug; its slot stays
        // empty and is reported as an error below.
        if let Ok((index, verdict)) = joined {
            slots[index] = Some(verdict);
        }
        while next < count {
            match &slots[next] {
                Some(v) => {
                    on_verdict(v);
                    next += 1;
                }
                None => break,
            }
        }
    }
    slots.into_iter().flatten().collect()
}

async fn execute(scenario: &Scenario, config: &RunConfig) -> Verdict {
    let mut transcript = Transcript::default();
    let conn = match transport::connect(&config.target, config.timeout).await {
        Ok(conn) => conn,
        Err(e) => {
            let mut v = Verdict::new(scenario, Status::Error, Some(Failure::new(e.to_string())));
            transcript.record(Direction::Note, e.to_string());
            v.transcript = transcript;
            return v;
        }
    };
    transcript.record(Direction::Note, format!("connected: {}", conn.describe()));
    let mut session = Session::new(conn, config.parser.clone(), transcript);
    let mut bindings = config.bindings.clone();
    let outcome = run_steps(scenario, config, &mut session, &mut bindings).await;
    session.shutdown().await;
    let mut verdict = match outcome {
        Ok(()) => Verdict::new(scenario, Status::Pass, None),
        Err((status, failure)) => {
            let status = match (status, scenario.meta.level) {
                (Status::Fail, Level::Should | Level::May) => Status::NonStrict,
                (status, _) => status,
            };
            Verdict::new(scenario, status, Some(failure))
        }
    };
    verdict.transcript = session.transcript;
    verdict
}

async fn run_steps(
    scenario: &Scenario,
    config: &RunConfig,
    session: &mut Session,
    bindings: &mut Bindings,
) -> steps::StepResult {
    let timeout = config.timeout;
    for step in &scenario.steps {
        let loc = &step.loc;
        match &step.action {
            Action::Send(template) => {
                steps::send(session, template, bindings, loc, timeout).await?
            }
            Action::Expect(alts) => {
                steps::expect(session, alts, &scenario.meta, bindings, loc, timeout).await?
            }
            Action::Restart => session.restart(),
            Action::ExpectClose => {
                steps::expect_close(session, &scenario.meta, loc, timeout).await?
            }
            Action::Silence(quiet) => steps::silence(session, &scenario.meta, loc, *quiet).await?,
        }
    }
    Ok(())
}

/// The first of the scenario's `needs` this run cannot provide, as a reason.
fn unmet_need(scenario: &Scenario, bindings: &Bindings) -> Option<String> {
    scenario
        .meta
        .needs
        .iter()
        .find_map(|need| match need.as_str() {
            "credentials"
                if bindings.var("user").is_some() && bindings.var("password").is_some() =>
            {
                None
            }
            "credentials" => Some("needs credentials: pass --user and --password".to_string()),
            other => Some(format!(
                "needs `{other}`, which this version cannot provide"
            )),
        })
}
