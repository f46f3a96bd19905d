//! Runs scenarios against a peer and returns verdicts.
//!
//! One scenario is one connection: the engine walks its steps in order,
//! sending the harness's lines and matching the peer's answers, with every
//! wait bounded by the run's timeout. Many scenarios run concurrently
//! (`--jobs`); their verdicts come back in scenario order.

mod certificate;
mod direct_tls;
mod failure;
mod functions;
pub mod fuzz;
mod isolation;
pub mod listen;
mod login;
mod preflight;
mod render;
mod sasl_server_step;
mod sasl_step;
mod schedule;
mod session;
mod snapshot_step;
mod status;
mod steps;
mod tls_refusal;
pub mod transcript;
pub mod verdict;

#[cfg(test)]
mod memory_tests;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::accounts::{Account, Accounts};
use crate::bindings::Bindings;
use crate::sasl;
use crate::scenario::template::Segment;
use crate::scenario::{Action, Level, Peer, Presented, Scenario};
use crate::transport::{self, ByteStream, Connector, Transport, TransportError, TransportKind};
use crate::xml::ParserConfig;

pub use failure::{Failure, FailureKind};
pub use preflight::{PreflightError, preflight};
pub use status::Status;
pub use transcript::{Direction, MAIN_CONNECTION, Transcript};
pub use verdict::Verdict;

use session::Session;

/// Everything a run needs besides the scenarios.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// `host:port` of the server under test.
    pub target: String,
    /// Another way to reach the peer than TCP to `target` (the in-memory
    /// transport of the tests); `None`: TCP.
    pub connector: Option<Arc<dyn Connector>>,
    /// Bound on every single wait: connect, each expected answer, each write.
    pub timeout: Duration,
    /// Values of `{domain}`, `{user}`, ... .
    pub bindings: Bindings,
    /// The accounts connections log in as, by name; `--user`/`--password`
    /// is the one named `default`.
    pub accounts: Accounts,
    pub parser: ParserConfig,
    pub tls: TlsMode,
    /// How certificates are checked, built once per run.
    pub tls_config: Arc<rustls::ClientConfig>,
    /// The SASL mechanism `login` uses; `None`: the strongest offered.
    pub mechanism: Option<String>,
    /// `--snapshots`: where and how the received streams are pinned.
    pub snapshots: Option<crate::snapshot::SnapshotConfig>,
    /// Whether a client certificate is configured (`--client-cert`), which
    /// scenarios about SASL EXTERNAL need.
    pub client_certificate: bool,
    /// The server side of TLS, when the harness plays the server
    /// (`--listen`): its certificate for STARTTLS and direct TLS.
    pub server_tls: Option<Arc<rustls::ServerConfig>>,
    /// With `server_tls`, when the run generated its certificate: the same
    /// CA's certificate for another name (`starttls wrong-name`).
    pub wrong_name_tls: Option<Arc<rustls::ServerConfig>>,
}

/// How TLS enters the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain TCP; scenarios negotiate TLS with their `starttls` steps.
    StartTls,
    /// TLS from the first byte (XEP-0368): a scenario that opens with the
    /// STARTTLS exchange runs without it (`direct_tls`); one about
    /// STARTTLS itself (`needs = ["starttls"]`) is skipped.
    Direct,
    /// No TLS: scenarios that need it are skipped.
    None,
}

impl RunConfig {
    /// The client side of a TLS handshake as this run verifies it: the
    /// certificate must be valid for the XMPP domain (RFC 6120 §13.7.2).
    pub(crate) fn client_tls(&self) -> transport::TlsUpgrade {
        transport::TlsUpgrade::Client {
            domain: self.bindings.var("domain").unwrap_or_default().to_string(),
            config: Arc::clone(&self.tls_config),
        }
    }

    /// What carries the run's streams; scenarios that need another
    /// (`needs = ["transport:tcp"]`) are skipped with the reason.
    pub fn transport(&self) -> TransportKind {
        self.connector
            .as_ref()
            .map_or(TransportKind::Tcp, |c| c.kind())
    }
}

/// A stream to the target, as the run's TLS mode wants it.
async fn open(config: &RunConfig) -> Result<Box<dyn Transport>, TransportError> {
    open_for(config, None).await
}

/// The run's target with what `account` overrides (a scansion
/// `[Client]`'s `connect_host`, `connect_port`).
fn target_for(config: &RunConfig, account: Option<&Account>) -> String {
    let Some(a) = account.filter(|a| a.connect_host.is_some() || a.connect_port.is_some()) else {
        return config.target.clone();
    };
    let (host, port) = config
        .target
        .rsplit_once(':')
        .unwrap_or((config.target.as_str(), "5222"));
    let host = a.connect_host.as_deref().unwrap_or(host);
    let port = a
        .connect_port
        .map_or_else(|| port.to_string(), |p| p.to_string());
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// [`open`], for a connection logging in as `account`.
async fn open_for(
    config: &RunConfig,
    account: Option<&Account>,
) -> Result<Box<dyn Transport>, TransportError> {
    if let Some(connector) = &config.connector {
        return connector.connect(config.parser.clone()).await;
    }
    let target = target_for(config, account);
    let conn = match config.tls {
        TlsMode::Direct => {
            let domain = config.bindings.var("domain").unwrap_or_default();
            let tls = Arc::clone(&config.tls_config);
            transport::connect_tls(&target, domain, tls, config.timeout).await?
        }
        TlsMode::StartTls | TlsMode::None => transport::connect(&target, config.timeout).await?,
    };
    Ok(ByteStream::new(conn, config.parser.clone()).boxed())
}

/// Run one scenario on its own connection.
pub async fn run_scenario(scenario: &Scenario, config: &RunConfig) -> Verdict {
    let started = Instant::now();
    let mut verdict = match unmet_need(scenario, config) {
        Some(reason) => Verdict::failed(scenario, Failure::new(FailureKind::NeedsUnmet, reason)),
        None => execute(scenario, config).await,
    };
    verdict.duration = started.elapsed();
    verdict
}

/// Sees scenarios start and finish as they run, in whatever order they
/// do (a progress display); called from the tasks running them.
pub trait Observer: Send + Sync {
    fn started(&self, id: &str);
    fn finished(&self, verdict: &Verdict);
}

/// An observer that looks away.
struct Unobserved;

impl Observer for Unobserved {
    fn started(&self, _: &str) {}
    fn finished(&self, _: &Verdict) {}
}

/// Run all scenarios, at most `jobs` at a time. `on_verdict` sees each
/// verdict as soon as it and all before it are done, in scenario order.
pub async fn run_all(
    scenarios: Vec<Scenario>,
    config: Arc<RunConfig>,
    jobs: usize,
    on_verdict: impl FnMut(&Verdict),
) -> Vec<Verdict> {
    run_all_observed(scenarios, config, jobs, Arc::new(Unobserved), on_verdict).await
}

/// [`run_all`], telling `observer` when each scenario starts and ends.
pub async fn run_all_observed(
    scenarios: Vec<Scenario>,
    config: Arc<RunConfig>,
    jobs: usize,
    observer: Arc<dyn Observer>,
    mut on_verdict: impl FnMut(&Verdict),
) -> Vec<Verdict> {
    let limit = Arc::new(Semaphore::new(jobs.max(1)));
    let mut set = tokio::task::JoinSet::new();
    let count = scenarios.len();
    let mut order = isolation::Order::new(&scenarios);
    // Spawned in start order; the semaphore hands out permits first come,
    // first served, so the longest pauses begin first (`schedule`).
    let start = schedule::start_order(&scenarios);
    let mut pending: Vec<Option<Scenario>> = scenarios.into_iter().map(Some).collect();
    for index in start {
        let Some(scenario) = pending[index].take() else {
            continue;
        };
        let limit = Arc::clone(&limit);
        let config = Arc::clone(&config);
        let observer = Arc::clone(&observer);
        let (after, done) = order.turn(index);
        set.spawn(async move {
            // Before taking a permit, so a scenario never holds one while
            // waiting for an earlier one that has none.
            isolation::wait(after).await;
            // The semaphore is never closed, so acquiring cannot fail.
            let _permit = limit.acquire_owned().await.ok();
            observer.started(&scenario.id);
            let verdict = run_scenario(&scenario, &config).await;
            observer.finished(&verdict);
            done.finish();
            (index, verdict)
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
    execute_on(open(config).await, scenario, config).await
}

/// Run `scenario` on a connection already made (or the reason there is
/// none): connected to a server, or accepted from a client.
async fn execute_on(
    conn: Result<Box<dyn Transport>, TransportError>,
    scenario: &Scenario,
    config: &RunConfig,
) -> Verdict {
    let mut transcript = Transcript::default();
    let conn = match conn {
        Ok(conn) => conn,
        Err(e) => {
            let kind = match e.is_peer_violation() {
                true => FailureKind::Unexpected,
                false => FailureKind::Connect,
            };
            let mut v = Verdict::failed(scenario, Failure::new(kind, e.to_string()));
            transcript.record(Direction::Note, e.to_string());
            v.transcript = transcript;
            return v;
        }
    };
    transcript.record(Direction::Note, format!("connected: {}", conn.describe()));
    let mut session = Session::new(conn, transcript);
    session.peer = scenario.meta.peer;
    session.account = account_for(scenario, config, MAIN_CONNECTION, None);
    let mut connections = Connections::new(session);
    let mut bindings = config.bindings.clone();
    for account in config.accounts.iter().chain(&scenario.meta.own_accounts) {
        bindings.set_account(account);
    }
    let outcome = run_steps(scenario, config, &mut connections, &mut bindings).await;
    let completed = outcome.is_ok();
    let session = connections.close_all().await;
    // The first finding of a MUST rule, else of a SHOULD one: the
    // verdict is the worst the lint found.
    let finding = (session.lint.iter())
        .find(|f| f.level == Level::Must)
        .or(session.lint.first());
    let mut verdict = match (outcome, finding) {
        (Ok(()), None) => Verdict::new(scenario, Status::Pass, None),
        // The scenario's own steps passed; what the peer sent along the
        // way did not.
        (Ok(()), Some(finding)) => Verdict::failed(
            scenario,
            Failure::new(
                match finding.level {
                    Level::Must => FailureKind::Lint,
                    Level::Should | Level::May => FailureKind::LintShould,
                },
                format!("the peer sent what breaks {finding}"),
            ),
        ),
        (Err(failure), _) => Verdict::failed(scenario, *failure),
    };
    let Session {
        transcript,
        log,
        sent,
        ..
    } = session;
    verdict.transcript = transcript;
    // Like insta's `assert_snapshot!` at the end of a test: a scenario
    // that stopped at a failed step never reaches its snapshot, since what
    // arrives around a failure (a close racing a read) is not the peer's
    // behaviour to pin.
    if let Some(snapshots) = &config.snapshots
        && completed
    {
        snapshot_step::compare(snapshots, scenario, &log, &sent, &mut verdict);
    }
    verdict
}

/// Who connection `name` logs in as: the account it names (`connection
/// NAME as ACCOUNT`), else the account of its own name if the scenario
/// lists it, else the default one (`--user`, which `None` stands for).
fn account_for(
    scenario: &Scenario,
    config: &RunConfig,
    name: &str,
    named: Option<&str>,
) -> Option<Account> {
    let meta = &scenario.meta;
    let own = |n: &str| meta.own_accounts.iter().find(|a| a.name == n);
    let listed = || {
        meta.accounts
            .iter()
            .find(|a| *a == name)
            .map(String::as_str)
            .or_else(|| own(name).map(|a| a.name.as_str()))
    };
    let account = named.or_else(listed)?;
    own(account)
        .or_else(|| config.accounts.get(account))
        .cloned()
}

/// The connections of one scenario run, by name; one is current. The
/// transcript moves with the current one, so it reads in order.
struct Connections {
    list: Vec<Session>,
    current: usize,
}

impl Connections {
    fn new(main: Session) -> Self {
        Connections {
            list: vec![main],
            current: 0,
        }
    }

    fn current(&mut self) -> &mut Session {
        &mut self.list[self.current]
    }

    /// Make `name` current, connecting it first (as `account`) if it is
    /// new: testing a server, a new connection to it; testing a client,
    /// the client's next connection.
    async fn switch(
        &mut self,
        name: &str,
        account: Option<Account>,
        config: &RunConfig,
    ) -> Result<(), TransportError> {
        let (index, connected) = match self.list.iter().position(|s| s.name == name) {
            Some(i) => (i, None),
            None => {
                let conn = open_for(config, account.as_ref()).await?;
                let described = conn.describe();
                let mut session = Session::new(conn, Transcript::default());
                session.name = name.to_string();
                session.peer = self.list[0].peer;
                session.account = account;
                self.list.push(session);
                (self.list.len() - 1, Some(described))
            }
        };
        let old = self.current();
        let mut transcript = std::mem::take(&mut old.transcript);
        let mut log = std::mem::take(&mut old.log);
        let sent = std::mem::take(&mut old.sent);
        let mut lint = std::mem::take(&mut old.lint);
        transcript.record(Direction::Note, format!("now on connection `{name}`"));
        transcript.on_connection(name);
        if let Some(described) = connected {
            transcript.record(Direction::Note, format!("connected: {described}"));
        }
        log.push(crate::snapshot::Item::Connection(name.to_string()));
        self.current = index;
        let new = self.current();
        new.transcript = transcript;
        // What this connection logged before, while not current (nothing:
        // only the current one is read), goes after the switch marker.
        log.append(std::mem::take(&mut new.log));
        new.log = log;
        new.sent = sent + &std::mem::take(&mut new.sent);
        lint.append(&mut new.lint);
        new.lint = lint;
        Ok(())
    }

    /// Close every connection; the session holding the transcript is
    /// returned.
    async fn close_all(mut self) -> Session {
        for session in &mut self.list {
            session.shutdown().await;
        }
        self.list.swap_remove(self.current)
    }
}

async fn run_steps(
    scenario: &Scenario,
    config: &RunConfig,
    connections: &mut Connections,
    bindings: &mut Bindings,
) -> steps::StepResult {
    let timeout = config.timeout;
    let mut helpers = functions::Helpers::default();
    // After `starttls or-close` completed the handshake, until the server
    // has answered on the new stream: a close then is the same refusal as
    // a close instead of the handshake (the server hung up on what came
    // with <starttls/>, which it read as part of TLS).
    let mut or_close_armed = false;
    // Under direct TLS a STARTTLS preamble is skipped, and the first
    // features on the stream are checked in its place.
    let skip = direct_tls::skipped_steps(scenario, config.tls, connections.current());
    let mut features_checked = skip == 0;
    for step in scenario.steps.iter().skip(skip) {
        let loc = &step.loc;
        if let Action::Connection { name, account } = &step.action {
            let account = account_for(scenario, config, name, account.as_deref());
            connections
                .switch(name, account, config)
                .await
                .map_err(|e| {
                    Failure::new(
                        FailureKind::Connect,
                        format!("could not open connection `{name}`: {e}"),
                    )
                    .at(loc)
                })?;
            continue;
        }
        let session = connections.current();
        if starts_authentication(&step.action)
            && let Some(reason) = missing_mechanism(session, &scenario.meta)
        {
            return Err(Failure::new(FailureKind::Unsupported, reason).at(loc));
        }
        match &step.action {
            Action::Send(template) => {
                let sent =
                    steps::send(session, template, bindings, &mut helpers, loc, timeout).await;
                match sent {
                    // The server hung up right after the handshake, before
                    // the client's new header went out (ejabberd, by timing).
                    Err(f) if or_close_armed && f.kind == FailureKind::PeerClosed => {
                        session.transcript.record(
                            Direction::Note,
                            "the server closed the connection right after the TLS handshake, \
                             before the new stream header could be sent, which `starttls \
                             or-close` accepts: the scenario ends here",
                        );
                        return Ok(());
                    }
                    other => other?,
                }
            }
            Action::Expect(alts) => {
                let expected = steps::expect(
                    session,
                    alts,
                    &scenario.meta,
                    bindings,
                    &mut helpers,
                    loc,
                    timeout,
                )
                .await;
                match expected {
                    Err(f) if or_close_armed && f.kind == FailureKind::PeerClosed => {
                        session.transcript.record(
                            Direction::Note,
                            "the server closed the connection right after the TLS handshake, \
                             before answering on the new stream, which `starttls or-close` \
                             accepts: the scenario ends here",
                        );
                        return Ok(());
                    }
                    other => other?,
                }
                or_close_armed = false;
            }
            Action::Restart => session.restart(),
            Action::StartTls { presented, .. } if *presented != Presented::Own => {
                // The client refused the certificate (or hung up right
                // after the handshake): nothing after this step can run.
                tls_refusal::run(session, config, *presented, &scenario.meta, loc).await?;
                return Ok(());
            }
            Action::StartTls { .. } if scenario.meta.peer == Peer::Client => {
                steps::accept_tls(session, config, loc).await?
            }
            Action::StartTls { or_close, .. } => {
                if steps::start_tls(session, config, *or_close, loc).await? == steps::Tls::Closed {
                    // The server hung up instead; nothing after this step
                    // can run, and `or-close` makes that a pass.
                    return Ok(());
                }
                or_close_armed = *or_close;
            }
            Action::Sasl(spec) if scenario.meta.peer == Peer::Client => {
                sasl_server_step::run(session, spec, config, &scenario.meta, loc).await?
            }
            Action::Sasl(spec) => {
                let mechanism = spec
                    .mechanisms
                    .first()
                    .map(String::as_str)
                    .unwrap_or_default();
                sasl_step::run(session, mechanism, config, &scenario.meta, loc).await?
            }
            Action::ExpectClose {
                abrupt,
                close_notify,
            } => {
                steps::expect_close(session, &scenario.meta, *abrupt, loc, timeout).await?;
                if *close_notify {
                    steps::close_notify_received(session, loc)?;
                }
            }
            Action::TlsCertificate => steps::tls_certificate(session, loc)?,
            Action::Silence(quiet) => steps::silence(session, &scenario.meta, loc, *quiet).await?,
            Action::SilenceFor(template) => {
                let quiet = steps::duration_of(template, bindings, loc)?;
                steps::silence(session, &scenario.meta, loc, quiet).await?
            }
            Action::WsSend { kind, line } => {
                let kind = steps::ws_kind(*kind);
                steps::send_message(session, kind, line, bindings, loc, timeout).await?
            }
            Action::BoshSend { line } => {
                let kind = crate::transport::MessageKind::HttpRequest;
                steps::send_message(session, kind, line, bindings, loc, timeout).await?
            }
            Action::UnsupportedUnless { capture, reason } => {
                if bindings.capture(capture).is_none() {
                    let why = format!("{reason} (no `${capture}` was captured)");
                    return Err(Failure::new(FailureKind::Unsupported, why).at(loc));
                }
            }
            Action::Login { bind } => {
                login::run(session, config, &scenario.meta, bindings, *bind, loc).await?;
                if let Some(reason) = missing_feature(session, &scenario.meta) {
                    return Err(Failure::new(FailureKind::Unsupported, reason).at(loc));
                }
            }
            // Handled above, before a session is borrowed.
            Action::Connection { .. } => {}
        }
        if !features_checked {
            features_checked = direct_tls::check_features(connections.current(), loc)?;
        }
    }
    Ok(())
}

/// The first reason this run cannot run the scenario: a `needs` it cannot
/// provide, or a TLS mode that contradicts the scenario's `starttls`.
fn unmet_need(scenario: &Scenario, config: &RunConfig) -> Option<String> {
    let uses_starttls = scenario
        .steps
        .iter()
        .any(|s| matches!(s.action, Action::StartTls { .. }));
    let needs_starttls = uses_starttls || scenario.meta.needs.iter().any(|n| n == "starttls");
    match config.transport() {
        TransportKind::WebSocket if needs_starttls => {
            return Some(
                "uses STARTTLS, which RFC 7395 §3.9 rules out over WebSocket (TLS is wss://)"
                    .to_string(),
            );
        }
        TransportKind::Bosh if needs_starttls => {
            return Some(
                "uses STARTTLS, which BOSH has no place for (XEP-0206: TLS is the https:// URL's)"
                    .to_string(),
            );
        }
        _ => {}
    }
    match config.tls {
        TlsMode::Direct if uses_starttls && direct_tls::preamble_len(scenario).is_none() => {
            return Some("uses STARTTLS; this run uses direct TLS (--tls direct)".to_string());
        }
        TlsMode::None if uses_starttls => {
            return Some("uses STARTTLS; this run has TLS off (--tls none)".to_string());
        }
        _ => {}
    }
    let mut wanted = scenario.meta.accounts.clone();
    wanted.extend(scenario.steps.iter().filter_map(|s| match &s.action {
        Action::Connection {
            account: Some(a), ..
        } => Some(a.clone()),
        _ => None,
    }));
    wanted.sort();
    wanted.dedup();
    wanted.retain(|w| !scenario.meta.own_accounts.iter().any(|a| a.name == *w));
    let missing = config.accounts.missing(&wanted);
    if !missing.is_empty() {
        return Some(format!(
            "needs the account{} {}: pass --account NAME=USER@DOMAIN:PASSWORD (or --accounts FILE)",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", ")
        ));
    }
    let bindings = &config.bindings;
    let has_credentials = bindings.var("user").is_some() && bindings.var("password").is_some();
    // Authenticating on a connection without an account of its own uses
    // --user and --password.
    let mut on_own_account = false;
    let needs_credentials = scenario.steps.iter().any(|s| match &s.action {
        Action::Connection { name, account } => {
            on_own_account = account.is_some()
                || scenario.meta.accounts.iter().any(|a| a == name)
                || scenario.meta.own_accounts.iter().any(|a| a.name == *name);
            false
        }
        _ if on_own_account => false,
        Action::Sasl(spec) => spec.mechanisms.iter().any(|m| sasl::needs_password(m)),
        Action::Login { .. } => config.mechanism.as_deref().is_none_or(sasl::needs_password),
        _ => false,
    });
    if needs_credentials && !has_credentials {
        return Some("authenticates: pass --user and --password".to_string());
    }
    scenario
        .meta
        .needs
        .iter()
        .find_map(|need| match need.as_str() {
            "tls" if config.tls != TlsMode::None => None,
            "tls" => Some("needs TLS; this run has TLS off (--tls none)".to_string()),
            "client-certificate" if config.client_certificate => None,
            "client-certificate" => {
                Some("needs a client certificate: pass --client-cert and --client-key".to_string())
            }
            "starttls" if config.tls == TlsMode::StartTls => None,
            "starttls" => Some(format!(
                "needs STARTTLS; this run uses {}",
                if config.tls == TlsMode::Direct {
                    "direct TLS (--tls direct)"
                } else {
                    "no TLS (--tls none)"
                }
            )),
            "credentials"
                if bindings.var("user").is_some() && bindings.var("password").is_some() =>
            {
                None
            }
            "credentials" => Some("needs credentials: pass --user and --password".to_string()),
            // Known only once the server lists its mechanisms (or, after
            // login, its features); checked then.
            m if m.starts_with("mechanism:") || m.starts_with("feature:") => None,
            t if t.strip_prefix("transport:") == Some(config.transport().as_str()) => None,
            "not-transport:bosh" if config.transport() == TransportKind::Bosh => Some(
                "what the scenario observes takes another form over bosh (its comments say \
                 which): a header the server refuses, for one, is answered with a binding \
                 condition, not a stream header and a stream error (XEP-0124 §17.2), which the \
                 xep0206 addressing scenarios test"
                    .to_string(),
            ),
            t if t.starts_with("not-transport:") => None,
            "transport:websocket" => Some(format!(
                "needs the websocket transport (--target ws://…); this run uses {}",
                config.transport()
            )),
            "transport:bosh" => Some(format!(
                "needs the bosh transport (--target http://…); this run uses {}",
                config.transport()
            )),
            t if t.starts_with("transport:") => Some(format!(
                "needs the {} transport (it sends bytes as written); this run uses {}",
                t.trim_start_matches("transport:"),
                config.transport()
            )),
            other => Some(format!(
                "needs `{other}`, which this version cannot provide"
            )),
        })
}

/// A step that begins SASL: the moment the server's mechanism list counts
/// (it may change once TLS is on, RFC 6120 §6.4.1, so the list seen before
/// STARTTLS says nothing).
fn starts_authentication(action: &Action) -> bool {
    match action {
        Action::Sasl(_) | Action::Login { .. } => true,
        Action::Send(template) => template.segments.first().is_some_and(
            |s| matches!(s, Segment::Literal(t) if t.trim_start().starts_with("<auth")),
        ),
        _ => false,
    }
}

/// A `feature:NAMESPACE` need that the stream features after login do not
/// satisfy: an optional feature (RFC 6121 roster versioning, subscription
/// pre-approval) the server does not advertise, which is its choice, so
/// the verdict is "unsupported".
fn missing_feature(session: &Session, meta: &crate::scenario::Meta) -> Option<String> {
    let features = session.features.as_ref()?;
    meta.needs
        .iter()
        .filter_map(|n| n.strip_prefix("feature:"))
        .find(|ns| !features.child_elements().any(|f| f.ns == *ns))
        .map(|ns| {
            format!("the server does not advertise the stream feature {ns}, which is optional")
        })
}

/// A `mechanism:X` need that the server's current `<mechanisms/>` list
/// does not satisfy: the scenario is about a mechanism the server does not
/// offer, which is its choice, so the verdict is "unsupported".
fn missing_mechanism(session: &Session, meta: &crate::scenario::Meta) -> Option<String> {
    let offered = sasl_step::offered_mechanisms(session.features.as_ref())?;
    meta.needs
        .iter()
        .filter_map(|n| n.strip_prefix("mechanism:"))
        .find(|m| !offered.iter().any(|o| o == m))
        .map(|m| sasl_step::not_offered(m, &offered))
}
