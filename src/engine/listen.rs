//! `--listen`: the harness plays the server and tests a client.
//!
//! Scenarios run one after another, one accepted connection each, in
//! order: a client under test connects when it is started, and it cannot
//! be told which scenario it is in, so concurrency would mix them up. With
//! `--exec`, the client is started once per scenario (placeholders
//! substituted, each value shell-quoted), its output is kept for the
//! transcript, and it is stopped when the scenario ends, with every
//! process it started (`process_tree`). A client that
//! exits before connecting, or exits non-zero mid-transcript, fails the
//! scenario with its exit status; one that never connects fails after the
//! timeout; either way the harness goes on with the next scenario.
//!
//! A verdict must be about the client started for its scenario: with
//! `--exec` each scenario has a listener of its own (see [`run_all`]), and
//! every stream the harness opened is closed with `</stream:stream>` when
//! the scenario ends (`closing`), so a client that reconnects on its own
//! is told the session is over rather than cut off.

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};

use crate::scenario::Scenario;
use crate::transport::{self, ByteStream, Connector, Transport, TransportError, TransportKind};
use crate::xml::ParserConfig;

use super::failure::{Failure, FailureKind};
use super::status::Status;
use super::transcript::Direction;
use super::verdict::Verdict;
use super::{RunConfig, execute_on, unmet_need};

mod closing;
mod process_tree;

use closing::ClosingStream;

/// How clients reach the harness, and how they are started.
#[derive(Debug, Clone, Default)]
pub struct ListenOptions {
    /// The client command (`--exec`), with `{port}`, `{domain}`, `{user}`,
    /// `{password}`, `{jid}` and `{ca}` placeholders.
    pub exec: Option<String>,
    /// Accept with a TLS handshake first (XEP-0368) instead of plain TCP.
    pub direct_tls: bool,
    /// The CA file clients are told to trust (`{ca}`).
    pub ca: Option<String>,
    /// With `--exec`, give each scenario a new port (the run asked for
    /// port 0) rather than binding the run's port again.
    pub fresh_port: bool,
}

/// Most of a client's output kept for the transcript.
const OUTPUT_LIMIT: usize = 16 * 1024;
/// How long a client may take to exit by itself once its scenario ended.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// Run every scenario against the clients that connect to `listener`.
///
/// With `--exec`, each scenario gets a listener of its own, bound after
/// the previous client was stopped and closed before the next one starts:
/// a client that reconnects on its own leaves a connection queued on the
/// old listener, and closing it refuses that connection, so no scenario
/// judges the previous scenario's client. The port is a fresh one when the
/// run asked for port 0 (`{port}` is per scenario), else the same port
/// bound again. Without `--exec` the clients are the user's, started when
/// the user likes, so the one listener stays.
pub async fn run_all(
    scenarios: Vec<Scenario>,
    config: Arc<RunConfig>,
    listener: TcpListener,
    options: ListenOptions,
    mut on_verdict: impl FnMut(&Verdict),
) -> Vec<Verdict> {
    let mut listeners = Listeners {
        address: listener.local_addr().ok(),
        unused: Some(listener),
        kept: None,
    };
    let mut verdicts = Vec::with_capacity(scenarios.len());
    for scenario in &scenarios {
        let started = Instant::now();
        let mut verdict = match unmet_need(scenario, &config) {
            Some(reason) => {
                Verdict::failed(scenario, Failure::new(FailureKind::NeedsUnmet, reason))
            }
            None => match listeners.next(&config, &options).await {
                Ok(acceptor) => run_one(scenario, &config, acceptor, &options).await,
                Err(e) => Verdict::failed(
                    scenario,
                    Failure::new(FailureKind::Setup, format!("cannot listen again: {e}")),
                ),
            },
        };
        verdict.duration = started.elapsed();
        on_verdict(&verdict);
        verdicts.push(verdict);
    }
    verdicts
}

/// Where the scenarios' listeners come from (see [`run_all`]).
struct Listeners {
    /// The run's address, as first bound.
    address: Option<SocketAddr>,
    /// The run's own listener, until a scenario takes it.
    unused: Option<TcpListener>,
    /// Without `--exec`: the one acceptor every scenario shares.
    kept: Option<Arc<Acceptor>>,
}

impl Listeners {
    /// The acceptor of the next scenario.
    async fn next(
        &mut self,
        config: &RunConfig,
        options: &ListenOptions,
    ) -> std::io::Result<Arc<Acceptor>> {
        if let Some(kept) = &self.kept {
            return Ok(Arc::clone(kept));
        }
        let listener = match self.unused.take() {
            Some(listener) => listener,
            None => {
                let Some(mut address) = self.address else {
                    return Err(std::io::Error::other("the run's address is unknown"));
                };
                if options.fresh_port {
                    address.set_port(0);
                }
                // tokio sets SO_REUSEADDR: the same port binds again at once.
                TcpListener::bind(address).await?
            }
        };
        let acceptor = Arc::new(Acceptor {
            listener,
            server_tls: config.server_tls.clone().filter(|_| options.direct_tls),
            timeout: config.timeout,
        });
        if options.exec.is_none() {
            self.kept = Some(Arc::clone(&acceptor));
        }
        Ok(acceptor)
    }
}

/// One scenario on `acceptor`'s listener; with `--exec`, the listener is
/// dropped (its queue refused) only after the client was stopped.
async fn run_one(
    scenario: &Scenario,
    config: &RunConfig,
    acceptor: Arc<Acceptor>,
    options: &ListenOptions,
) -> Verdict {
    let port = acceptor
        .listener
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_default();
    // A scenario's further connections (`connection NAME`) are the
    // client's next ones.
    let config = RunConfig {
        connector: Some(Arc::clone(&acceptor) as Arc<dyn Connector>),
        ..RunConfig::clone(config)
    };
    let mut client = match &options.exec {
        None => None,
        Some(template) => {
            let command = command_line(template, port, &config, options);
            match Client::start(&command) {
                Ok(c) => Some(c),
                Err(e) => {
                    return Verdict::failed(
                        scenario,
                        Failure::new(
                            FailureKind::Setup,
                            format!("cannot start the client `{command}`: {e}"),
                        ),
                    );
                }
            }
        }
    };
    let conn = accept(&acceptor, &config, client.as_mut()).await;
    let mut verdict = execute_on(conn, scenario, &config).await;
    if let Some(client) = client {
        client.finish(&mut verdict).await;
    }
    verdict
}

/// Takes the client's connections from the listener: plain TCP, or TLS
/// from the first byte (XEP-0368) when a server configuration is given.
#[derive(Debug)]
struct Acceptor {
    listener: TcpListener,
    server_tls: Option<Arc<rustls::ServerConfig>>,
    timeout: Duration,
}

#[async_trait::async_trait]
impl Connector for Acceptor {
    fn kind(&self) -> TransportKind {
        TransportKind::Tcp
    }

    /// The client's next connection, within the timeout.
    async fn connect(&self, parser: ParserConfig) -> Result<Box<dyn Transport>, TransportError> {
        let conn = match &self.server_tls {
            Some(tls) => {
                transport::accept_direct_tls(&self.listener, Arc::clone(tls), self.timeout).await?
            }
            None => transport::accept(&self.listener, self.timeout).await?,
        };
        Ok(ClosingStream::wrap(ByteStream::new(conn, parser).boxed()))
    }
}

/// One connection, unless the client exits first (then at once, with its
/// exit status) or the timeout passes.
async fn accept(
    acceptor: &Acceptor,
    config: &RunConfig,
    client: Option<&mut Client>,
) -> Result<Box<dyn Transport>, TransportError> {
    let accepting = acceptor.connect(config.parser.clone());
    let Some(client) = client else {
        return accepting.await;
    };
    tokio::select! {
        conn = accepting => conn,
        status = client.child.wait() => {
            let why = match status {
                Ok(s) => format!("the client exited ({s}) without connecting"),
                Err(e) => format!("the client could not be waited for: {e}"),
            };
            client.exited_early = true;
            Err(TransportError::Accept(std::io::Error::other(why)))
        }
    }
}

/// The `--exec` command with its placeholders replaced by shell-quoted
/// values.
fn command_line(template: &str, port: u16, config: &RunConfig, options: &ListenOptions) -> String {
    let b = &config.bindings;
    let values = [
        ("{port}", port.to_string()),
        ("{domain}", b.var("domain").unwrap_or_default().to_string()),
        ("{user}", b.var("user").unwrap_or_default().to_string()),
        (
            "{password}",
            b.var("password").unwrap_or_default().to_string(),
        ),
        ("{jid}", b.var("jid").unwrap_or_default().to_string()),
        ("{ca}", options.ca.clone().unwrap_or_default()),
    ];
    let mut out = template.to_string();
    for (placeholder, value) in values {
        out = out.replace(placeholder, &shell_quote(&value));
    }
    out
}

/// `'value'`, with single quotes inside written `'\''`.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// A client under test, started by `--exec`.
struct Client {
    child: Child,
    /// Its pid, kept: `Child::id` forgets it once the child is reaped.
    pid: Option<u32>,
    /// The value of [`process_tree::MARK_VAR`] in its environment.
    mark: String,
    output: tokio::task::JoinHandle<Vec<u8>>,
    exited_early: bool,
}

impl Client {
    fn start(command: &str) -> std::io::Result<Client> {
        let mark = process_tree::new_mark();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .env(process_tree::MARK_VAR, &mark)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let output = tokio::spawn(async move {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            tokio::join!(read_capped(stdout, &mut a), read_capped(stderr, &mut b));
            a.extend_from_slice(&b);
            a
        });
        Ok(Client {
            pid: child.id(),
            child,
            mark,
            output,
            exited_early: false,
        })
    }

    /// Let the client exit by itself for a moment, else stop it; note its
    /// exit status and output in the transcript, and name a non-zero exit
    /// in a failure.
    async fn finish(mut self, verdict: &mut Verdict) {
        let status = match tokio::time::timeout(EXIT_GRACE, self.child.wait()).await {
            Ok(Ok(status)) => Some(status),
            _ => None,
        };
        // Whether or not the client exited, what it started may still run.
        let stopped = self.stop_tree(status.is_none()).await;
        let output = tokio::time::timeout(Duration::from_secs(1), self.output)
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        let transcript = &mut verdict.transcript;
        match status {
            Some(s) => transcript.record(Direction::Note, format!("the client exited: {s}")),
            None => transcript.record(
                Direction::Note,
                format!("the client was still running {EXIT_GRACE:?} after the scenario; stopped"),
            ),
        }
        let left = stopped.saturating_sub(usize::from(status.is_none()));
        if left > 0 {
            transcript.record(
                Direction::Note,
                format!("the client left {left} process(es) running; stopped"),
            );
        }
        if !output.is_empty() {
            transcript.record(
                Direction::Note,
                format!(
                    "the client's output:\n{}",
                    String::from_utf8_lossy(&output).trim_end()
                ),
            );
        }
        let failed_exit = status.filter(|s| !s.success());
        let failed = matches!(verdict.status, Status::Fail | Status::NonStrict);
        if let (Some(failure), Some(s), true) = (verdict.failure.as_mut(), failed_exit, failed) {
            failure.message = format!("{}; the client exited ({s})", failure.message);
        }
        // No connection came because the client ended first: that is the
        // client's doing, not the run's.
        if self.exited_early
            && let Some(failure) = verdict.failure.take()
        {
            verdict.fail_with(Failure {
                kind: FailureKind::PeerClosed,
                ..failure
            });
        }
    }

    /// SIGKILL to every process the client started, wherever it went
    /// (see [`process_tree`]), and to the client itself if `running`; then
    /// reap it. Returns how many processes were killed.
    async fn stop_tree(&mut self, running: bool) -> usize {
        let root = if running { self.pid } else { None };
        let mark = self.mark.clone();
        let killed = tokio::task::spawn_blocking(move || process_tree::kill_tree(root, &mark))
            .await
            .unwrap_or_default();
        if running {
            if let Some(pid) = self.pid {
                process_tree::kill_group(pid);
            }
            let _ = self.child.start_kill();
            let _ = tokio::time::timeout(EXIT_GRACE, self.child.wait()).await;
        }
        killed
    }
}

/// Read all of `pipe`, keeping the first [`OUTPUT_LIMIT`] bytes.
async fn read_capped(pipe: Option<impl AsyncRead + Unpin>, out: &mut Vec<u8>) {
    let Some(mut pipe) = pipe else { return };
    let mut buf = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let room = OUTPUT_LIMIT.saturating_sub(out.len());
        out.extend_from_slice(&buf[..n.min(room)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_shell_quoted() {
        assert_eq!(shell_quote("abc"), "'abc'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
