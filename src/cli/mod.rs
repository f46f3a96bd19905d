//! The command line. `main.rs` calls [`run`] and exits with its code.
//!
//! Exit codes: 0 all passed (or matched the baseline), 1 a scenario failed
//! (or differs from the baseline), 2 the command line or a scenario file is
//! wrong, 3 the target could not be reached at all.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::accounts::{self, Account, Accounts};
use crate::bindings::Bindings;
use crate::engine::{self, RunConfig, TlsMode, Verdict};
use crate::report::{self, Summary, baseline::Baseline, console};
use crate::scenario::{self, Peer, Scenario};
use crate::transport::tls::{self, Verification};
use crate::transport::{BoshConnector, BoshTarget, WebSocketConnector, WebSocketTarget};
use crate::xml::ParserConfig;

mod certs;
mod convert;
mod coverage;
mod demo;
mod fuzz;
mod listen;
mod merge;
mod serve;

// The exit codes, the only place they are defined: the modules below the
// command line return typed errors and verdicts, and `cli` maps them here.
/// Everything passed, or matched the baseline.
pub const EXIT_OK: i32 = 0;
/// A scenario failed or differs from the baseline; a command could not do
/// its work (a corpus export that could not write).
pub const EXIT_FAILED: i32 = 1;
/// The command line or a scenario file is wrong: nothing ran.
pub const EXIT_USAGE: i32 = 2;
/// The run's set-up is wrong, found before any scenario ran: the target
/// cannot be reached or is not an XMPP server, its certificate is not
/// trusted, or it refuses the run's credentials.
pub const EXIT_UNREACHABLE: i32 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "xmpp-conform",
    version,
    about = "Replay RFC-style XMPP transcripts against a server and report where it departs from the protocol",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the scenarios that would run, with their spec references.
    List(ListArgs),
    /// Work with the snapshots written by --snapshots.
    #[command(subcommand)]
    Snapshots(SnapshotsCommand),
    /// Seeds for the fuzz targets: `corpus export DIR` (see fuzz/README.md).
    #[command(subcommand)]
    Corpus(CorpusCommand),
    /// Send mutated stanzas to a live server and report hangs and crashes,
    /// each with a scenario file that reproduces it.
    Fuzz(Box<fuzz::FuzzArgs>),
    /// Run the reference XMPP server in the foreground until Ctrl-C.
    Serve(serve::ServeArgs),
    /// Run the built-in server scenarios against the reference server.
    Demo(demo::DemoArgs),
    /// What the scenarios cover of the RFCs' normative statements
    /// (spec/*.toml): per section, level and side, and what is left.
    Coverage(coverage::CoverageArgs),
    /// Join the JSON reports of a suite's parts (`--shard K/N`) into the
    /// reports of the whole.
    Merge(merge::MergeArgs),
    /// Write a scansion script (`.scs`) as the equivalent `.xmpp` scenario.
    Convert(convert::ConvertArgs),
}

#[derive(Debug, Subcommand)]
enum CorpusCommand {
    /// Write every scenario's lines as seeds, one folder per fuzz target.
    Export { dir: PathBuf },
}

#[derive(Debug, Subcommand)]
enum SnapshotsCommand {
    /// Show each pending `.snap.new` under DIR with its diff, and accept,
    /// reject or skip it.
    Review {
        /// The --snapshots folder.
        dir: PathBuf,
        /// Accept every pending snapshot without asking.
        #[arg(long, conflicts_with = "reject_all")]
        accept_all: bool,
        /// Reject (delete) every pending snapshot without asking.
        #[arg(long)]
        reject_all: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SnapshotsMode {
    /// Write missing snapshots, compare existing ones.
    New,
    /// Compare; missing snapshots fail too (the default when CI is set).
    Check,
    /// Rewrite every snapshot.
    Update,
}

#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    selection: Selection,
    /// The client scenarios (for --listen) instead of the server ones.
    #[arg(long)]
    client: bool,
}

/// Which scenarios.
#[derive(Debug, Args)]
struct Selection {
    /// Scenario files or folders (default: the built-in scenarios/server).
    #[arg(long = "scenarios", value_name = "PATH")]
    scenarios: Vec<PathBuf>,
    /// Run only scenarios whose id matches: a glob (`rfc6120/stream/*`) or
    /// an id or folder prefix (`rfc6120/stream`). Repeatable.
    #[arg(long, value_name = "GLOB")]
    filter: Vec<String>,
    /// Run part K of N disjoint parts of the selection (`--shard 2/4`),
    /// for a CI matrix; `xmpp-conform merge` joins the parts' JSON
    /// reports. A scenario's part depends on its id alone.
    #[arg(long, value_name = "K/N", value_parser = scenario::shard::Shard::parse)]
    shard: Option<scenario::shard::Shard>,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The server under test: `host:port` (TCP), or `ws://host:port/path`
    /// or `wss://…` (XMPP over WebSocket, RFC 7395), or `http://host:port/path`
    /// or `https://…` (BOSH, XEP-0124 and XEP-0206); the scheme decides TLS.
    #[arg(long, value_name = "HOST:PORT|URL", conflicts_with = "listen")]
    target: Option<String>,
    /// Test a client instead: play the server side of the client scenarios
    /// (default scenarios/client) on this `host:port`.
    #[arg(long, value_name = "HOST:PORT")]
    listen: Option<String>,
    /// With --listen: start the client under test with this shell command
    /// for each scenario; `{port}`, `{domain}`, `{user}`, `{password}`,
    /// `{jid}` and `{ca}` are replaced by shell-quoted values.
    #[arg(long, value_name = "COMMAND", requires = "listen")]
    exec: Option<String>,
    /// With --listen: the server certificate (PEM) to present; without it
    /// one is generated for the domain, with a CA clients can trust.
    #[arg(long, value_name = "FILE", requires_all = ["listen", "key"])]
    cert: Option<PathBuf>,
    /// The private key (PEM) of --cert.
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// The CA certificate (PEM) that signed --cert: what `{ca}` in --exec
    /// names for the client to trust. Without it, an --exec that uses
    /// `{ca}` is refused (it would get an empty path).
    #[arg(long, value_name = "FILE", requires = "cert")]
    cert_ca: Option<PathBuf>,
    /// With --listen and no --cert: where the generated CA (`ca.pem`) and
    /// certificate are written, and reused from by later runs while they
    /// are valid (so a client that pins the CA keeps working).
    #[arg(
        long,
        value_name = "DIR",
        default_value = "reports",
        requires = "listen"
    )]
    cert_dir: PathBuf,
    /// The XMPP domain (default: the host of --target or --listen).
    #[arg(long)]
    domain: Option<String>,
    /// Account for scenarios that need credentials.
    #[arg(long)]
    user: Option<String>,
    /// Its password; never shown in reports.
    #[arg(long, env = "XMPP_CONFORM_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// A named account for scenarios with several users:
    /// NAME=USER@DOMAIN:PASSWORD (`romeo=romeo@localhost:secret`).
    /// Repeatable. The password is never shown in reports.
    #[arg(long = "account", value_name = "NAME=JID:PASSWORD", value_parser = parse_account)]
    account: Vec<Account>,
    /// Named accounts from a TOML file, one table each:
    /// `[romeo]` with `jid = "romeo@localhost"` and `password = "..."`,
    /// so that CI need not put passwords on the command line.
    #[arg(long, value_name = "FILE")]
    accounts: Option<PathBuf>,
    /// The SASL mechanism `login` uses (default: the strongest offered).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(crate::sasl::SUPPORTED))]
    mechanism: Option<String>,
    /// The resource `login` asks to bind (default: the server chooses).
    #[arg(long)]
    resource: Option<String>,
    #[command(flatten)]
    selection: Selection,
    /// Scenarios run at once (default: the number of cores); for `fuzz`,
    /// cases in flight (default: 1; the findings are the same).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Bound on every wait: connect, each expected answer, each write.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    timeout: Duration,
    /// How TLS enters the run: `starttls` (plain TCP; scenarios negotiate
    /// TLS with their `starttls` steps), `direct` (TLS from the first byte,
    /// XEP-0368: a scenario's opening STARTTLS exchange is skipped, the
    /// scenarios about STARTTLS itself too), `none` (scenarios that need
    /// TLS are skipped).
    #[arg(long, value_enum, default_value_t = TlsArg::Starttls)]
    tls: TlsArg,
    /// Trust this CA (PEM) for the server's certificate, besides the system's roots.
    #[arg(long, value_name = "FILE", conflicts_with = "insecure")]
    ca: Option<PathBuf>,
    /// Do not verify the server's certificate (the transcript says so).
    #[arg(long)]
    insecure: bool,
    /// A client certificate (PEM) to present when the server asks, for SASL
    /// EXTERNAL; needs --client-key.
    #[arg(long, value_name = "FILE", requires = "client_key")]
    client_cert: Option<PathBuf>,
    /// The private key (PEM) of --client-cert.
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    client_key: Option<PathBuf>,
    /// Largest stanza accepted from the peer, in bytes.
    #[arg(long, default_value_t = 256 * 1024, value_name = "BYTES")]
    max_stanza_size: usize,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a JSON report here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write an HTML report here: one self-contained page (summary,
    /// filterable scenarios, diffs, two-column transcripts) to share.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Broken SHOULDs fail the run too.
    #[arg(long)]
    strict: bool,
    /// Compare verdicts with this baseline; differences fail the run.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Print every scenario's transcript.
    #[arg(short, long)]
    verbose: bool,
    /// Pin each scenario's normalized received stream in DIR/<id>.snap
    /// (insta's format) and compare it on every run.
    #[arg(long, value_name = "DIR")]
    snapshots: Option<PathBuf>,
    /// new: write missing snapshots, compare existing ones (default);
    /// check: missing ones fail too (default when CI is set); update:
    /// rewrite them all.
    #[arg(long, value_enum, requires = "snapshots")]
    snapshots_mode: Option<SnapshotsMode>,
}

/// Parse the process's arguments and run; returns the exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::List(args)) => list(&args),
        Some(Command::Merge(args)) => merge::run(&args),
        Some(Command::Convert(args)) => convert::run(&args),
        Some(Command::Coverage(args)) => coverage::run(&args),
        Some(Command::Corpus(CorpusCommand::Export { dir })) => corpus_export(&dir),
        Some(Command::Fuzz(args)) => fuzz::run(*args),
        Some(Command::Serve(args)) => serve::run(&args),
        Some(Command::Demo(args)) => demo::run(args),
        Some(Command::Snapshots(SnapshotsCommand::Review {
            dir,
            accept_all,
            reject_all,
        })) => review_snapshots(&dir, accept_all, reject_all),
        None if cli.run.listen.is_some() => listen::run(cli.run),
        None => run_target(cli.run),
    }
}

/// `xmpp-conform corpus export DIR`: the built-in scenarios (embedded in
/// the binary) to seeds in `dir`. Any [`crate::corpus::CorpusError`] is
/// [`EXIT_FAILED`], as before the errors were typed.
fn corpus_export(dir: &Path) -> i32 {
    match crate::corpus::export(None, dir) {
        Ok(n) => {
            println!("{n} seed files written to {}", dir.display());
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_FAILED
        }
    }
}

fn list(args: &ListArgs) -> i32 {
    let peer = if args.client {
        Peer::Client
    } else {
        Peer::Server
    };
    let scenarios = match load_scenarios(&args.selection, peer) {
        Ok(s) => s,
        Err(code) => return code,
    };
    for s in &scenarios {
        println!(
            "{:<48} {:<6} {:<28} {}",
            s.id,
            report::level_name(s.meta.level),
            s.meta.spec.join(", "),
            s.meta.title
        );
    }
    println!("{} scenarios", scenarios.len());
    EXIT_OK
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TlsArg {
    Starttls,
    Direct,
    None,
}

fn run_target(args: RunArgs) -> i32 {
    let Some(target) = args.target.clone() else {
        eprintln!("error: --target HOST:PORT is required (or use `xmpp-conform list`)");
        return EXIT_USAGE;
    };
    let scenarios = match load_scenarios(&args.selection, Peer::Server) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let baseline = match load_baseline(&args) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let config = match target_config(&args, &target) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let runtime = match runtime(jobs) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let style = console::Style::detect();
    let domain = config
        .bindings
        .var("domain")
        .unwrap_or_default()
        .to_string();
    let certificates = if args.insecure {
        ", certificates NOT verified (--insecure)"
    } else {
        ""
    };
    let strict = if args.strict {
        ", --strict (a broken SHOULD fails)"
    } else {
        ""
    };
    println!(
        "xmpp-conform {}: {} scenarios against {target} (domain {domain}), {jobs} at a time{certificates}{strict}\n",
        env!("CARGO_PKG_VERSION"),
        scenarios.len()
    );
    let started = Instant::now();
    let used: std::collections::BTreeSet<String> = scenarios
        .iter()
        .flat_map(|s| s.meta.accounts.iter().cloned())
        .collect();
    let verdicts: Result<Vec<Verdict>, engine::PreflightError> = runtime.block_on(async {
        engine::preflight(&config, &used).await?;
        let (verbose, strict) = (args.verbose, args.strict);
        let progress = Arc::new(report::progress::SuiteProgress::new(scenarios.len()));
        let observer: Arc<dyn engine::Observer> = progress.clone();
        let verdicts = engine::run_all_observed(scenarios, Arc::new(config), jobs, observer, |v| {
            progress.print(&console::verdict(v, style, verbose, strict));
        })
        .await;
        progress.finish();
        Ok(verdicts)
    });
    let verdicts = match verdicts {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("hint: {}", e.hint());
            return EXIT_UNREACHABLE;
        }
    };
    conclude(&args, &target, &verdicts, started, style, baseline.as_ref())
}

/// The run's configuration for testing the server at `target`: TLS
/// verification, client certificate, credentials, limits, snapshots.
fn target_config(args: &RunArgs, target: &str) -> Result<RunConfig, i32> {
    let verification = match (&args.ca, args.insecure) {
        (_, true) => Verification::Insecure,
        (Some(ca), false) => Verification::WithCa(ca.clone()),
        (None, false) => Verification::Verify,
    };
    let identity = match (&args.client_cert, &args.client_key) {
        (Some(cert), Some(key)) => Some(tls::ClientIdentity {
            cert: cert.clone(),
            key: key.clone(),
        }),
        _ => None,
    };
    let tls_config = match tls::client_config(&verification, identity.as_ref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Err(EXIT_USAGE);
        }
    };
    let mut tls_mode = match args.tls {
        TlsArg::Starttls => TlsMode::StartTls,
        TlsArg::Direct => TlsMode::Direct,
        TlsArg::None => TlsMode::None,
    };
    // A ws:// or wss:// target: RFC 7395, where the URL's scheme, not
    // --tls, says whether TLS is on (§3.9: never STARTTLS).
    let connector = match WebSocketTarget::parse(target) {
        None => bosh_connector(target, &tls_config, args.timeout, &mut tls_mode)?,
        Some(Err(e)) => {
            eprintln!("error: {e}");
            return Err(EXIT_USAGE);
        }
        Some(Ok(ws)) => {
            tls_mode = if ws.secure {
                TlsMode::Direct
            } else {
                TlsMode::None
            };
            let connector = WebSocketConnector::new(ws, Arc::clone(&tls_config), args.timeout);
            Some(Arc::new(connector) as Arc<dyn crate::transport::Connector>)
        }
    };
    Ok(RunConfig {
        connector,
        accounts: run_accounts(args, target)?,
        tls: tls_mode,
        tls_config,
        bindings: bindings(args, target),
        target: target.to_string(),
        timeout: args.timeout,
        mechanism: args.mechanism.clone(),
        snapshots: snapshot_config(args),
        client_certificate: identity.is_some(),
        server_tls: None,
        wrong_name_tls: None,
        parser: parser_config(args),
    })
}

/// An http:// or https:// target: BOSH (XEP-0124, XEP-0206), where the
/// URL's scheme, not --tls, says whether TLS is on.
fn bosh_connector(
    target: &str,
    tls_config: &Arc<rustls::ClientConfig>,
    timeout: std::time::Duration,
    tls_mode: &mut TlsMode,
) -> Result<Option<Arc<dyn crate::transport::Connector>>, i32> {
    match BoshTarget::parse(target) {
        None => Ok(None),
        Some(Err(e)) => {
            eprintln!("error: {e}");
            Err(EXIT_USAGE)
        }
        Some(Ok(bosh)) => {
            *tls_mode = if bosh.secure {
                TlsMode::Direct
            } else {
                TlsMode::None
            };
            let connector = BoshConnector::new(bosh, Arc::clone(tls_config), timeout);
            Ok(Some(Arc::new(connector)))
        }
    }
}

/// `snapshots review`: interactive on a terminal, or all at once.
fn review_snapshots(dir: &Path, accept_all: bool, reject_all: bool) -> i32 {
    use crate::snapshot::review::{Decision, review};
    if !dir.is_dir() {
        eprintln!("error: no such folder: {}", dir.display());
        return EXIT_USAGE;
    }
    let decision = match (accept_all, reject_all) {
        (true, _) => Decision::AcceptAll,
        (_, true) => Decision::RejectAll,
        _ => Decision::Ask,
    };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut output = std::io::stdout();
    match review(dir, decision, &mut input, &mut output) {
        Ok(done) => {
            println!(
                "{} accepted, {} rejected, {} skipped",
                done.accepted, done.rejected, done.skipped
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: reviewing {}: {e}", dir.display());
            EXIT_FAILED
        }
    }
}

/// `--snapshots` and its mode.
fn snapshot_config(args: &RunArgs) -> Option<crate::snapshot::SnapshotConfig> {
    use crate::snapshot::Mode;
    let dir = args.snapshots.clone()?;
    let mode = match args.snapshots_mode {
        Some(SnapshotsMode::New) => Mode::New,
        Some(SnapshotsMode::Check) => Mode::Check,
        Some(SnapshotsMode::Update) => Mode::Update,
        None => Mode::default_for_environment(),
    };
    Some(crate::snapshot::SnapshotConfig { dir, mode })
}

/// `--baseline`, read before anything runs.
fn load_baseline(args: &RunArgs) -> Result<Option<Baseline>, i32> {
    match &args.baseline {
        Some(path) => Baseline::load(path).map(Some).map_err(|e| {
            eprintln!("error: {e}");
            EXIT_USAGE
        }),
        None => Ok(None),
    }
}

fn runtime(workers: usize) -> Result<tokio::runtime::Runtime, i32> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.clamp(1, 16))
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            EXIT_FAILED
        })
}

fn parser_config(args: &RunArgs) -> ParserConfig {
    ParserConfig {
        max_stanza_bytes: args.max_stanza_size,
        ..ParserConfig::default()
    }
}

/// The summary, the reports and the exit code of a finished run. The
/// exit code is decided first, so that the JSON report records it.
fn conclude(
    args: &RunArgs,
    target: &str,
    verdicts: &[Verdict],
    started: Instant,
    style: console::Style,
    baseline: Option<&Baseline>,
) -> i32 {
    let summary = Summary::of(verdicts, started.elapsed());
    println!("{}", console::summary(&summary, style, args.strict));
    let diffs = baseline.map(|b| b.compare(verdicts, args.selection.filter.is_empty()));
    let code = match &diffs {
        Some(diffs) if diffs.is_empty() => {
            println!("baseline: every verdict as expected");
            EXIT_OK
        }
        Some(diffs) => {
            println!("baseline: {} difference(s):", diffs.len());
            for d in diffs {
                println!("  {d}");
            }
            EXIT_FAILED
        }
        None if summary.fails(args.strict) => EXIT_FAILED,
        None => EXIT_OK,
    };
    let outcome = report::json::Outcome {
        strict: args.strict,
        passed: code == EXIT_OK,
        exit_code: code,
        baseline_differences: diffs.as_ref().map(Vec::len),
    };
    let differences = diffs.map(|d| d.iter().map(ToString::to_string).collect());
    match write_reports(args, target, verdicts, &summary, outcome, differences) {
        Ok(()) => code,
        Err(write_failed) => write_failed,
    }
}

/// Whether `--shard` (if any) takes the scenario `id`.
fn in_shard(selection: &Selection, id: &str) -> bool {
    selection.shard.is_none_or(|shard| shard.contains(id))
}

/// `--account` as clap parses it.
fn parse_account(arg: &str) -> Result<Account, String> {
    accounts::parse_account_arg(arg).map_err(|e| e.to_string())
}

/// The run's XMPP domain: `--domain`, else the host of `target`.
fn run_domain(args: &RunArgs, target: &str) -> String {
    if let Some(Ok(ws)) = WebSocketTarget::parse(target) {
        return args.domain.clone().unwrap_or(ws.host);
    }
    if let Some(Ok(bosh)) = BoshTarget::parse(target) {
        return args.domain.clone().unwrap_or(bosh.host);
    }
    let host = match target.rsplit_once(':') {
        Some((host, _)) => host.trim_start_matches('[').trim_end_matches(']'),
        None => target,
    };
    args.domain.clone().unwrap_or_else(|| host.to_string())
}

/// The run's named accounts: `--account`s, the `--accounts` file, and
/// `--user`/`--password` as the default one.
fn run_accounts(args: &RunArgs, target: &str) -> Result<Accounts, i32> {
    let mut all = Accounts::new();
    let from_file = match &args.accounts {
        Some(path) => accounts::load_file(path).map_err(|e| {
            eprintln!("error: {e}");
            EXIT_USAGE
        })?,
        None => Vec::new(),
    };
    let default = match (&args.user, &args.password) {
        (Some(user), Some(password)) => Some(Account {
            name: accounts::DEFAULT_ACCOUNT.to_string(),
            user: user.clone(),
            domain: run_domain(args, target),
            password: password.as_str().into(),
            resource: None,
            connect_host: None,
            connect_port: None,
        }),
        _ => None,
    };
    for account in args.account.iter().cloned().chain(from_file).chain(default) {
        all.add(account).map_err(|e| {
            eprintln!("error: {e}");
            EXIT_USAGE
        })?;
    }
    Ok(all)
}

fn bindings(args: &RunArgs, target: &str) -> Bindings {
    let mut b = Bindings::new();
    let domain = run_domain(args, target);
    if let Some(user) = &args.user {
        b.set_var("user", user.clone());
        b.set_var("jid", format!("{user}@{domain}"));
    }
    if let Some(password) = &args.password {
        b.set_var("password", crate::sasl::Secret::new(password.clone()));
    }
    if let Some(resource) = &args.resource {
        b.set_var("resource", resource.clone());
    }
    b.set_var("domain", domain);
    b
}

fn write_reports(
    args: &RunArgs,
    target: &str,
    verdicts: &[Verdict],
    summary: &Summary,
    outcome: report::json::Outcome,
    baseline_differences: Option<Vec<String>>,
) -> Result<(), i32> {
    if let Some(path) = &args.junit {
        let report = report::junit::build(verdicts, summary.wall_time, args.strict);
        let text = report::junit::to_string(&report).map_err(|e| {
            eprintln!("error: cannot serialize the JUnit report: {e}");
            EXIT_FAILED
        })?;
        write_file(path, &text)?;
    }
    if let Some(path) = &args.json {
        let report = report::json::build(verdicts, target, summary.wall_time, outcome);
        let text = report::json::to_string(&report).map_err(|e| {
            eprintln!("error: cannot serialize the JSON report: {e}");
            EXIT_FAILED
        })?;
        write_file(path, &text)?;
    }
    if let Some(path) = &args.html {
        let domain = run_domain(args, target);
        let run = report::html::RunInfo {
            target,
            domain: &domain,
            options: shown_options(args),
            started: std::time::SystemTime::now() - summary.wall_time,
            wall_time: summary.wall_time,
            strict: args.strict,
            baseline_differences,
        };
        write_file(path, &report::html::build(verdicts, &run))?;
    }
    Ok(())
}

/// The options that shaped the run, for the HTML report's header; never a
/// password or an account's.
fn shown_options(args: &RunArgs) -> Vec<String> {
    let mut shown = vec![format!("--tls {:?}", args.tls).to_lowercase()];
    shown.push(format!(
        "--timeout {}",
        humantime::format_duration(args.timeout)
    ));
    if let Some(jobs) = args.jobs {
        shown.push(format!("--jobs {jobs}"));
    }
    if args.strict {
        shown.push("--strict".to_string());
    }
    if args.insecure {
        shown.push("--insecure".to_string());
    }
    if let Some(mechanism) = &args.mechanism {
        shown.push(format!("--mechanism {mechanism}"));
    }
    if let Some(user) = &args.user {
        shown.push(format!("--user {user}"));
    }
    for account in &args.account {
        shown.push(format!("--account {}={}", account.name, account.jid()));
    }
    for filter in &args.selection.filter {
        shown.push(format!("--filter {filter}"));
    }
    if let Some(baseline) = &args.baseline {
        shown.push(format!("--baseline {}", baseline.display()));
    }
    shown
}

fn write_file(path: &Path, text: &str) -> Result<(), i32> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(path, text).map_err(|e| {
        eprintln!("error: cannot write {}: {e}", path.display());
        EXIT_FAILED
    })
}

/// The built-in folder of scenarios for a side.
fn built_in_folder(peer: Peer) -> &'static str {
    match peer {
        Peer::Server => scenario::built_in::SERVER,
        Peer::Client => scenario::built_in::CLIENT,
    }
}

/// Discover, parse and filter; on any scenario error print them all and
/// return exit code 2 (nothing runs). Without `--scenarios`, the built-in
/// scenarios embedded in the binary, wherever the user stands.
fn load_scenarios(selection: &Selection, peer: Peer) -> Result<Vec<Scenario>, i32> {
    let built_in = selection.scenarios.is_empty();
    let files = if built_in {
        scenario::built_in::discover(built_in_folder(peer))
    } else {
        for p in &selection.scenarios {
            if !p.exists() {
                eprintln!("error: no such scenario file or folder: {}", p.display());
                return Err(EXIT_USAGE);
            }
        }
        scenario::discover(&selection.scenarios).map_err(|e| {
            eprintln!("error: cannot list scenarios: {e}");
            EXIT_USAGE
        })?
    };
    let filters = Filters::new(&selection.filter)?;
    let mut scenarios = Vec::new();
    let mut errors = 0;
    for (root, file) in files {
        let loaded = if built_in {
            scenario::load_built_in(&file, &root)
        } else {
            scenario::load(&file, &root)
        };
        match loaded {
            // Scenarios for the other side are left out: a folder may
            // hold both kinds.
            Ok(s)
                if s.meta.peer == peer && filters.matches(&s.id) && in_shard(selection, &s.id) =>
            {
                scenarios.push(s)
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("{e}\n");
                errors += 1;
            }
        }
    }
    if errors > 0 {
        let files = if errors == 1 {
            "file has an error"
        } else {
            "files have errors"
        };
        eprintln!("error: {errors} scenario {files}; nothing was run");
        return Err(EXIT_USAGE);
    }
    // A part of a small suite may be empty; the merge still counts it.
    if scenarios.is_empty() && selection.shard.is_none() {
        eprintln!(
            "error: no {} scenario matches",
            match peer {
                Peer::Server => "server (peer = \"server\")",
                Peer::Client => "client (peer = \"client\")",
            }
        );
        return Err(EXIT_USAGE);
    }
    Ok(scenarios)
}

/// `--filter` values: globs, or id/folder prefixes when they have no glob
/// characters.
struct Filters(Vec<(String, Option<glob::Pattern>)>);

impl Filters {
    fn new(raw: &[String]) -> Result<Filters, i32> {
        let mut out = Vec::new();
        for f in raw {
            let pattern = if f.contains(['*', '?', '[']) {
                Some(glob::Pattern::new(f).map_err(|e| {
                    eprintln!("error: --filter `{f}`: {e}");
                    EXIT_USAGE
                })?)
            } else {
                None
            };
            out.push((f.trim_end_matches('/').to_string(), pattern));
        }
        Ok(Filters(out))
    }

    fn matches(&self, id: &str) -> bool {
        self.0.is_empty()
            || self.0.iter().any(|(raw, pattern)| match pattern {
                Some(p) => p.matches(id),
                None => id == raw || id.starts_with(&format!("{raw}/")),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_globs_ids_and_folders() {
        let f = Filters::new(&["rfc6120/stream".into(), "*/xml/comment*".into()])
            .unwrap_or_else(|_| panic!("valid filters"));
        assert!(f.matches("rfc6120/stream/basic"));
        assert!(f.matches("rfc6120/stream"));
        assert!(!f.matches("rfc6120/streaming/x"));
        assert!(f.matches("rfc6120/xml/comment-between"));
        assert!(!f.matches("rfc6120/xml/pi"));
        assert!(
            Filters::new(&[])
                .unwrap_or_else(|_| panic!())
                .matches("anything")
        );
    }

    #[test]
    fn domain_defaults_to_the_target_host() {
        let cli = Cli::parse_from(["x", "--target", "[::1]:5222", "--user", "romeo"]);
        let b = bindings(&cli.run, "[::1]:5222");
        assert_eq!(b.var("domain"), Some("::1"));
        assert_eq!(b.var("jid"), Some("romeo@::1"));
    }
}
