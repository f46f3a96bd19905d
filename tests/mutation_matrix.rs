//! The mutation matrix: every built-in server scenario against the
//! reference server with each fault (`reference::Rule`) on, one at a time.
//!
//! A scenario is only worth its verdicts if it fails against a server
//! that breaks what it tests, and a rule is only tested if some scenario
//! fails when it is broken. So, with no Prosody or ejabberd needed:
//!
//! (a) with no fault every scenario passes, but the two the reference
//!     server cannot run (the same as `tests/reference.rs` says);
//! (b) every fault is caught by at least one scenario: a verdict that is
//!     not the no-fault one, and is fail or non-strict;
//! (c) every scenario catches at least one fault, or is listed with its
//!     reason in `tests/mutation_matrix_exceptions.txt` (and a listed one
//!     must really catch none, so the list cannot go stale).
//!
//! The matrix is written to `reports/mutation-matrix.md` and `.csv`, and
//! `docs/mutation-matrix.md` must be a copy of the Markdown (the test says
//! how to update it). It runs in-process: one reference server per fault
//! and the engine against it, as `xmpp-conform demo --fault NAME` does.

mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::repo;
use xmpp_conform::bindings::Bindings;
use xmpp_conform::engine::{self, RunConfig, Status, TlsMode};
use xmpp_conform::reference::{Config, Faults, ReferenceServer, Rule, ServerHandle};
use xmpp_conform::scenario::{self, Peer, Scenario};
use xmpp_conform::transport::tls::{self, Verification};
use xmpp_conform::transport::{BoshConnector, BoshTarget, WebSocketConnector, WebSocketTarget};
use xmpp_conform::xml::ParserConfig;

/// The built-in scenarios that do not pass against the conforming
/// reference server, and why (as in `tests/reference.rs`):
/// `rfc6120/sasl/anonymous`: ANONYMOUS is not offered (every session
/// belongs to an account), which is the server's choice.
/// (`rfc6120/sasl/external` passes: the run presents the client
/// certificate the server's CA issued for romeo.)
const NOT_PASSING: [(&str, Status); 1] = [("rfc6120/sasl/anonymous", Status::Unsupported)];

/// Bound on every wait. Faults that make the server stay silent cost this
/// much per scenario they affect, so it is short, yet long enough for a
/// debug build on a busy two-core machine to answer.
const TIMEOUT: Duration = Duration::from_secs(3);

/// Fault runs at once, each with its own server.
const RUNS_AT_ONCE: usize = 4;
/// Scenarios at once within one run.
const JOBS: usize = 4;
/// BOSH scenarios at once: they mostly wait on the server's timers.
const BOSH_JOBS: usize = 8;

const EXCEPTIONS: &str = "tests/mutation_matrix_exceptions.txt";

/// Scenario id → verdict, for one server.
type Column = BTreeMap<String, Status>;

fn scenarios() -> Vec<Scenario> {
    let root = repo().join("scenarios/server");
    let files = scenario::discover(&[root]).expect("list the built-in scenarios");
    let mut out: Vec<Scenario> = files
        .iter()
        .map(|(root, file)| {
            scenario::load(file, root).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        })
        .filter(|s| s.meta.peer == Peer::Server)
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// What `demo` passes: the server's CA, its domain, its account and the
/// client certificate its CA issued for that account (SASL EXTERNAL).
fn run_config(addr: &str, server: &ServerHandle) -> RunConfig {
    let ca = server.ca_path();
    let client = server
        .client_identity("romeo")
        .expect("romeo's certificate");
    let mut bindings = Bindings::new();
    bindings.set_var("domain", "localhost");
    bindings.set_var("user", "romeo");
    bindings.set_var("jid", "romeo@localhost");
    bindings.set_var("password", xmpp_conform::sasl::Secret::new("secret"));
    RunConfig {
        connector: None,
        accounts: xmpp_conform::accounts::cast("localhost", "secret"),
        target: addr.to_owned(),
        timeout: TIMEOUT,
        bindings,
        parser: ParserConfig::default(),
        tls: TlsMode::StartTls,
        tls_config: tls::client_config(&Verification::WithCa(ca.to_path_buf()), Some(&client))
            .expect("TLS client config"),
        mechanism: None,
        snapshots: None,
        client_certificate: true,
        server_tls: None,
        wrong_name_tls: None,
    }
}

/// Whether the scenario needs `transport`: its row runs over that
/// transport, every other over TCP.
fn needs(scenario: &Scenario, transport: &str) -> bool {
    scenario.meta.needs.iter().any(|n| n == transport)
}

/// Every scenario against a reference server with `faults`: the
/// WebSocket ones through its WebSocket URL, the others over TCP.
async fn column(scenarios: Vec<Scenario>, faults: Faults) -> Column {
    let mut config = xmpp_conform::accounts::CAST
        .iter()
        .fold(Config::new("localhost"), |c, name| {
            c.with_account(*name, "secret")
        });
    config.faults = faults.clone();
    let server = ReferenceServer::start(config).await.expect("start");
    let tcp = Arc::new(run_config(&server.addr().to_string(), &server));
    let url = server.websocket_url().expect("a WebSocket listener");
    let mut ws = run_config(url, &server);
    let target = WebSocketTarget::parse(url)
        .expect("a ws:// URL")
        .expect("well formed");
    ws.tls = TlsMode::None;
    ws.connector = Some(Arc::new(WebSocketConnector::new(
        target,
        Arc::clone(&ws.tls_config),
        TIMEOUT,
    )));
    let url = server.bosh_url().expect("a BOSH listener");
    let mut bosh = run_config(url, &server);
    let target = BoshTarget::parse(url)
        .expect("an http:// URL")
        .expect("well formed");
    bosh.tls = TlsMode::None;
    bosh.connector = Some(Arc::new(BoshConnector::new(
        target,
        Arc::clone(&bosh.tls_config),
        TIMEOUT,
    )));
    let (websocket, others): (Vec<Scenario>, Vec<Scenario>) = scenarios
        .into_iter()
        .partition(|s| needs(s, "transport:websocket"));
    let (over_bosh, others): (Vec<Scenario>, Vec<Scenario>) =
        others.into_iter().partition(|s| needs(s, "transport:bosh"));
    let (mut verdicts, ws_verdicts, bosh_verdicts) = tokio::join!(
        engine::run_all(others, tcp, JOBS, |_| {}),
        engine::run_all(websocket, Arc::new(ws), JOBS, |_| {}),
        engine::run_all(over_bosh, Arc::new(bosh), BOSH_JOBS, |_| {})
    );
    verdicts.extend(bosh_verdicts);
    verdicts.extend(ws_verdicts);
    let stats = server.shutdown().await;
    assert_eq!(
        stats.panicked, 0,
        "sessions panicked with faults {faults:?}"
    );
    verdicts.into_iter().map(|v| (v.id, v.status)).collect()
}

fn caught(without: Status, with: Status) -> bool {
    with != without && matches!(with, Status::Fail | Status::NonStrict)
}

/// `id # reason` lines; `#` lines and blank lines are comments.
fn exceptions() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(repo().join(EXCEPTIONS)).expect("read the exceptions");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (id, reason) = l.split_once('#').unwrap_or((l, ""));
            let reason = reason.trim();
            assert!(!reason.is_empty(), "{EXCEPTIONS}: `{l}` gives no reason");
            (id.trim().to_owned(), reason.to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_caught_and_every_scenario_catches_one() {
    let started = Instant::now();
    let scenarios = scenarios();
    let ids: Vec<String> = scenarios.iter().map(|s| s.id.clone()).collect();

    // All the servers: no fault first, then one per rule.
    let limit = Arc::new(tokio::sync::Semaphore::new(RUNS_AT_ONCE));
    let mut runs = tokio::task::JoinSet::new();
    let configurations: Vec<Option<Rule>> =
        std::iter::once(None).chain(Rule::ALL.map(Some)).collect();
    for (index, rule) in configurations.iter().copied().enumerate() {
        let scenarios = scenarios.clone();
        let limit = Arc::clone(&limit);
        runs.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("semaphore");
            let faults: Faults = rule.into_iter().collect();
            (index, column(scenarios, faults).await)
        });
    }
    let mut columns: Vec<Column> = vec![Column::new(); configurations.len()];
    while let Some(done) = runs.join_next().await {
        let (index, column) = done.expect("a fault run panicked");
        columns[index] = column;
    }
    let conforming = columns.remove(0);
    let by_fault: Vec<(Rule, Column)> = Rule::ALL.into_iter().zip(columns).collect();

    // The harness itself never fails to run a scenario, whatever the fault.
    for (rule, column) in &by_fault {
        for (id, status) in column {
            assert_ne!(
                *status,
                Status::Error,
                "{id} with fault {rule}: harness error"
            );
        }
    }

    // (a) The conforming server passes, but for the stated reasons.
    let not_passing: Vec<(&str, Status)> = conforming
        .iter()
        .filter(|(_, s)| **s != Status::Pass)
        .map(|(id, s)| (id.as_str(), *s))
        .collect();
    assert_eq!(not_passing, NOT_PASSING, "without faults");
    assert_eq!(conforming.keys().cloned().collect::<Vec<_>>(), ids);

    let exceptions = exceptions();
    let matrix = Matrix {
        ids: &ids,
        conforming: &conforming,
        by_fault: &by_fault,
        exceptions: &exceptions,
    };
    let markdown = matrix.markdown();
    let reports = repo().join("reports");
    std::fs::create_dir_all(&reports).expect("reports folder");
    std::fs::write(reports.join("mutation-matrix.md"), &markdown).expect("write the matrix");
    std::fs::write(reports.join("mutation-matrix.csv"), matrix.csv()).expect("write the CSV");
    eprintln!(
        "{} scenarios x {} faults in {:.1}s",
        ids.len(),
        by_fault.len(),
        started.elapsed().as_secs_f64()
    );

    // (b) Every fault is caught by some scenario.
    let uncaught: Vec<&str> = by_fault
        .iter()
        .filter(|(_, column)| matrix.catchers(column).is_empty())
        .map(|(rule, _)| rule.name())
        .collect();
    assert!(
        uncaught.is_empty(),
        "faults no scenario catches: {uncaught:?} (see reports/mutation-matrix.md)"
    );

    // (c) Every scenario catches a fault, or is an exception that catches
    // none.
    for id in &ids {
        let catches = matrix.faults_caught_by(id).len();
        match exceptions.get(id) {
            None => assert!(
                catches > 0,
                "{id} catches no fault: give it a fault to catch, or list it in {EXCEPTIONS} with the reason"
            ),
            Some(_) => assert_eq!(
                catches, 0,
                "{id} is listed in {EXCEPTIONS} but catches {catches} faults: take it off the list"
            ),
        }
    }
    for id in exceptions.keys() {
        assert!(
            ids.contains(id),
            "{EXCEPTIONS} lists {id}, which is not a scenario"
        );
    }

    // The committed copy describes this suite: the same scenarios, faults
    // and verdicts without faults. Cells under a fault are not compared:
    // where a faulty server races (a stanza dropped, then a timeout or a
    // later mismatch), which wrong verdict it earns may vary, and (b) and
    // (c) above already hold every run to what matters.
    let committed =
        std::fs::read_to_string(repo().join("docs/mutation-matrix.md")).unwrap_or_default();
    assert!(
        shape(&committed) == shape(&markdown),
        "docs/mutation-matrix.md is out of date: cp reports/mutation-matrix.md docs/mutation-matrix.md \
         (and update the counts in README.md)"
    );
}

/// What of the matrix's Markdown does not depend on a faulty server's
/// timing: its dimensions, each fault's row but the count of catches, each
/// scenario's name and verdict without faults.
fn shape(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter_map(|line| {
            if let Some(bold) = line.strip_prefix("**") {
                return bold.split("**").next().map(str::to_owned);
            }
            let cells: Vec<&str> = line.strip_prefix('|')?.split('|').map(str::trim).collect();
            let fault_row = cells.first()?.parse::<usize>().is_ok();
            let kept = if fault_row { 4 } else { 2 };
            Some(
                cells
                    .iter()
                    .take(kept)
                    .copied()
                    .collect::<Vec<_>>()
                    .join("|"),
            )
        })
        .collect()
}

struct Matrix<'a> {
    ids: &'a [String],
    conforming: &'a Column,
    by_fault: &'a [(Rule, Column)],
    exceptions: &'a BTreeMap<String, String>,
}

impl Matrix<'_> {
    fn status(&self, column: &Column, id: &str) -> Status {
        column.get(id).copied().unwrap_or(Status::Error)
    }

    /// The scenarios that catch the fault of `column`.
    fn catchers(&self, column: &Column) -> Vec<&str> {
        self.ids
            .iter()
            .filter(|id| caught(self.status(self.conforming, id), self.status(column, id)))
            .map(String::as_str)
            .collect()
    }

    fn faults_caught_by(&self, id: &str) -> Vec<Rule> {
        self.by_fault
            .iter()
            .filter(|(_, column)| caught(self.status(self.conforming, id), self.status(column, id)))
            .map(|(rule, _)| *rule)
            .collect()
    }

    /// One cell: how the verdict with the fault differs from the one
    /// without.
    fn mark(&self, column: &Column, id: &str) -> &'static str {
        let (without, with) = (self.status(self.conforming, id), self.status(column, id));
        match with {
            _ if with == without => "·",
            Status::Fail => "F",
            Status::NonStrict => "W",
            Status::Pass => "p",
            Status::Unsupported => "u",
            Status::Skip => "s",
            Status::Error => "e",
        }
    }

    fn markdown(&self) -> String {
        let mut out = String::new();
        let caught_faults = self
            .by_fault
            .iter()
            .filter(|(_, c)| !self.catchers(c).is_empty())
            .count();
        let catching = self
            .ids
            .iter()
            .filter(|id| !self.faults_caught_by(id).is_empty())
            .count();
        let cells: usize = self
            .ids
            .iter()
            .map(|id| self.faults_caught_by(id).len())
            .sum();
        let _ = writeln!(
            out,
            "# Mutation matrix\n\n\
             Generated by `cargo test --test mutation_matrix` (`tests/mutation_matrix.rs`), \
             which writes `reports/mutation-matrix.md` and `.csv`; this file is a copy of \
             one run. The test holds the copy to the run's scenarios, faults and verdicts \
             without faults; a cell under a fault can differ from run to run where the \
             faulty server's timing decides the outcome (a dropped stanza seen as a timeout \
             or as a later mismatch), so the counts of cells may too. Each column is the reference server with one fault on \
             (`xmpp-conform demo --fault NAME` runs the same), each row a built-in server \
             scenario.\n\n\
             **{} scenarios × {} faults**: {caught_faults} of {} faults caught by at least \
             one scenario; {catching} of {} scenarios catch at least one fault (exceptions: {}); \
             {cells} of {} cells caught.\n",
            self.ids.len(),
            self.by_fault.len(),
            self.by_fault.len(),
            self.ids.len(),
            self.exceptions.len(),
            self.ids.len() * self.by_fault.len(),
        );
        out.push_str(
            "A fault is *caught* when the scenario's verdict with it is `fail` or \
             `non-strict` and differs from its verdict without faults.\n\n\
             ## Faults\n\n\
             | # | fault | what the server does wrong | rule | caught by |\n\
             |---|---|---|---|---|\n",
        );
        for (n, (rule, column)) in self.by_fault.iter().enumerate() {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                n + 1,
                rule.name(),
                rule.fault().replace('<', "&lt;"),
                rule.spec(),
                self.catchers(column).len()
            );
        }
        out.push_str(
            "\n## Scenarios × faults\n\n\
             `F` fail (a MUST broken), `W` non-strict (a SHOULD broken), `·` the verdict \
             without faults; `p`, `s`, `u`, `e`: pass, skip, unsupported, error where the \
             verdict without faults differs (not a catch).\n\n| scenario | without faults |",
        );
        for n in 1..=self.by_fault.len() {
            let _ = write!(out, " {n} |");
        }
        out.push_str(" caught |\n|---|---|");
        out.push_str(&"---|".repeat(self.by_fault.len() + 1));
        out.push('\n');
        for id in self.ids {
            let _ = write!(
                out,
                "| `{id}` | {} |",
                self.status(self.conforming, id).as_str()
            );
            for (_, column) in self.by_fault {
                let _ = write!(out, " {} |", self.mark(column, id));
            }
            let _ = writeln!(out, " {} |", self.faults_caught_by(id).len());
        }
        out.push_str("| **caught by** | |");
        for (_, column) in self.by_fault {
            let _ = write!(out, " {} |", self.catchers(column).len());
        }
        let _ = writeln!(out, " {cells} |");
        out.push_str("\n## Exceptions\n\nScenarios that catch no fault, from `tests/mutation_matrix_exceptions.txt`:\n\n");
        if self.exceptions.is_empty() {
            out.push_str("None.\n");
        }
        for (id, reason) in self.exceptions {
            let _ = writeln!(out, "- `{id}`: {reason}");
        }
        out
    }

    fn csv(&self) -> String {
        let mut out = String::from("scenario,without-faults");
        for (rule, _) in self.by_fault {
            let _ = write!(out, ",{}", rule.name());
        }
        out.push('\n');
        for id in self.ids {
            let _ = write!(out, "{id},{}", self.status(self.conforming, id).as_str());
            for (_, column) in self.by_fault {
                let _ = write!(out, ",{}", self.status(column, id).as_str());
            }
            out.push('\n');
        }
        out
    }
}
