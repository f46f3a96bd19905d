//! `xmpp-conform demo`: start the reference server ([`crate::reference`]) on
//! a free loopback port, run the built-in server scenarios against it
//! exactly as `--target` would (same run configuration, same report, same
//! exit code), and stop it.
//!
//! It shows what a passing run looks like, and it is the suite's own
//! check: every built-in scenario must pass here, or be skipped or
//! unsupported for a reason the report states.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, ValueEnum};

use crate::reference::{Config, ReferenceServer, Rule};

use super::serve::{DEFAULT_PASSWORD, fault_parser, faults_banner};
use super::{Cli, EXIT_FAILED, EXIT_USAGE, runtime};

const DOMAIN: &str = "localhost";
const USER: &str = "romeo";
/// Scenarios at once over BOSH unless `--jobs` says otherwise: they spend
/// their time waiting on HTTP round trips and the server's timers, not on
/// the CPU (a whole BOSH demo run takes about a second of it).
const BOSH_JOBS: usize = 48;

#[derive(Debug, Args)]
pub(super) struct DemoArgs {
    /// Run only scenarios whose id matches (as for --target). Repeatable.
    #[arg(long, value_name = "GLOB")]
    filter: Vec<String>,
    /// Scenarios run at once (default: the number of cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Bound on every wait.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    timeout: Duration,
    /// Print every scenario's transcript.
    #[arg(short, long)]
    verbose: bool,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a JSON report here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write an HTML report here.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Run against a server that breaks this RFC rule on purpose (see
    /// `serve --list-faults`): the scenarios that test it should fail.
    /// Repeatable.
    #[arg(long = "fault", value_name = "NAME", value_parser = fault_parser())]
    faults: Vec<Rule>,
    /// The transports to run the suite over, one run each: TCP, WebSocket
    /// (RFC 7395, the server's `ws://` URL), BOSH (XEP-0206, its
    /// `http://` URL), or all three, TCP first. With `all`, the WebSocket
    /// and BOSH runs' report files get `-websocket` and `-bosh` before
    /// their extension.
    #[arg(long, value_enum, default_value_t = DemoTransport::All)]
    transport: DemoTransport,
}

/// Which of the reference server's transports `demo` runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum DemoTransport {
    Tcp,
    Websocket,
    Bosh,
    All,
}

pub(super) fn run(args: DemoArgs) -> i32 {
    // The server gets a runtime of its own: the run below blocks this
    // thread on another one, as `--target` does.
    let server_runtime = match runtime(2) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    // USER, and every account the scenarios with several users name.
    let mut config = crate::accounts::CAST.iter().fold(
        Config::new(DOMAIN).with_account(USER, DEFAULT_PASSWORD),
        |c, name| c.with_account(*name, DEFAULT_PASSWORD),
    );
    config.faults = args.faults.iter().copied().collect();
    let banner = faults_banner(&config.faults);
    // With `all`, each transport's run gets a server of its own: the runs
    // go at once, and on one server the same accounts logged in by two
    // runs would receive each other's messages to bare JIDs.
    let count = if args.transport == DemoTransport::All {
        3
    } else {
        1
    };
    let mut servers = Vec::new();
    for _ in 0..count {
        match server_runtime.block_on(ReferenceServer::start(config.clone())) {
            Ok(s) => servers.push(s),
            Err(e) => {
                eprintln!("error: cannot start the reference server: {e}");
                return EXIT_FAILED;
            }
        }
    }
    let urls = |s: &crate::reference::ServerHandle| {
        let tcp = s.addr().to_string();
        let websocket = s.websocket_url().unwrap_or_default().to_owned();
        let bosh = s.bosh_url().unwrap_or_default().to_owned();
        (tcp, websocket, bosh, s.ca_path().to_path_buf())
    };
    for server in &servers {
        let (tcp, websocket, bosh, ca) = urls(server);
        println!(
            "reference server on {tcp}, {websocket} and {bosh} (domain {DOMAIN}, account {USER}), CA {}{banner}",
            ca.display()
        );
    }
    let runs: Vec<(&str, String, PathBuf)> = match args.transport {
        DemoTransport::Tcp => vec![("", urls(&servers[0]).0, urls(&servers[0]).3)],
        DemoTransport::Websocket => vec![("", urls(&servers[0]).1, urls(&servers[0]).3)],
        DemoTransport::Bosh => vec![("", urls(&servers[0]).2, urls(&servers[0]).3)],
        DemoTransport::All => vec![
            ("", urls(&servers[0]).0, urls(&servers[0]).3),
            ("-websocket", urls(&servers[1]).1, urls(&servers[1]).3),
            ("-bosh", urls(&servers[2]).2, urls(&servers[2]).3),
        ],
    };
    let code = if runs.len() > 1 {
        run_concurrently(&args, &runs)
    } else {
        let (suffix, target, ca) = &runs[0];
        match run_args(&args, target, ca, suffix) {
            Some(run) => super::run_target(run),
            None => EXIT_USAGE,
        }
    };
    let mut panicked = 0;
    for server in servers {
        panicked += server_runtime.block_on(server.shutdown()).panicked;
    }
    if panicked > 0 {
        eprintln!("error: {panicked} reference server sessions panicked (a bug in the server)");
        return EXIT_FAILED.max(code);
    }
    code
}

/// The arguments of `xmpp-conform --target ADDR --domain localhost --ca
/// CA --client-cert … --client-key … --user romeo --password secret
/// --account …`, plus the demo's own
/// options: one argument list, parsed here for a run in this process and
/// given to a child process for a run beside others, so every other option
/// has its `--target` default either way.
fn run_argv(args: &DemoArgs, target: &str, ca: &Path, suffix: &str) -> Vec<OsString> {
    let mut argv: Vec<OsString> = ["--target", target, "--domain", DOMAIN, "--user", USER]
        .into_iter()
        .map(OsString::from)
        .collect();
    argv.extend(["--password".into(), DEFAULT_PASSWORD.into()]);
    for name in crate::accounts::CAST {
        argv.push("--account".into());
        argv.push(format!("{name}={name}@{DOMAIN}:{DEFAULT_PASSWORD}").into());
    }
    argv.extend(["--ca".into(), ca.as_os_str().to_owned()]);
    // The client certificate the server's CA issued for the account, next
    // to the CA (`ServerHandle::client_identity`): SASL EXTERNAL runs too.
    if let Some(dir) = ca.parent() {
        let client =
            crate::transport::tls::issued_client_identity(dir, &format!("{USER}@{DOMAIN}"));
        argv.extend(["--client-cert".into(), client.cert.into_os_string()]);
        argv.extend(["--client-key".into(), client.key.into_os_string()]);
    }
    for filter in &args.filter {
        argv.extend(["--filter".into(), filter.into()]);
    }
    // BOSH scenarios mostly wait on the server's timers (wait, polling,
    // inactivity), not on the CPU: more at once keeps the run short on a
    // two-core machine.
    let bosh = target.starts_with("http://") || target.starts_with("https://");
    let jobs = args.jobs.or(bosh.then_some(BOSH_JOBS));
    if let Some(jobs) = jobs {
        argv.extend(["--jobs".into(), jobs.to_string().into()]);
    }
    argv.extend([
        "--timeout".into(),
        humantime::format_duration(args.timeout).to_string().into(),
    ]);
    if args.verbose {
        argv.push("--verbose".into());
    }
    for (option, path) in [
        ("--junit", &args.junit),
        ("--json", &args.json),
        ("--html", &args.html),
    ] {
        if let Some(path) = path {
            argv.extend([option.into(), suffixed(path, suffix).into_os_string()]);
        }
    }
    argv
}

/// The run of one transport in this process.
fn run_args(args: &DemoArgs, target: &str, ca: &Path, suffix: &str) -> Option<super::RunArgs> {
    let argv =
        std::iter::once(OsString::from("xmpp-conform")).chain(run_argv(args, target, ca, suffix));
    match Cli::try_parse_from(argv) {
        Ok(cli) => Some(cli.run),
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    }
}

/// Every transport's run at once, each in a child process of this same
/// program (`--target` with the arguments of [`run_argv`]), so the runs,
/// which mostly wait on the network and the server's timers, overlap;
/// each run's output is printed whole, in the order of `runs`, once all
/// have ended. The worst exit code wins.
fn run_concurrently(args: &DemoArgs, runs: &[(&str, String, PathBuf)]) -> i32 {
    let program = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot find this program to run each transport: {e}");
            return EXIT_FAILED;
        }
    };
    // A thread per child collects its output, so no child blocks on a
    // full pipe while another is waited for.
    let children: Vec<_> = runs
        .iter()
        .map(|(suffix, target, ca)| {
            let mut command = std::process::Command::new(&program);
            command
                .args(run_argv(args, target, ca, suffix))
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            std::thread::spawn(move || command.spawn()?.wait_with_output())
        })
        .collect();
    let mut code = 0;
    for ((_, target, _), child) in runs.iter().zip(children) {
        println!("\n── over {target} ──");
        let output = match child.join() {
            Ok(Ok(output)) => output,
            Ok(Err(e)) => {
                eprintln!("error: cannot run the suite over {target}: {e}");
                code = code.max(EXIT_FAILED);
                continue;
            }
            Err(_) => {
                eprintln!("error: the run over {target} could not be collected");
                code = code.max(EXIT_FAILED);
                continue;
            }
        };
        let mut stdout = std::io::stdout();
        let _ = stdout.write_all(&output.stdout);
        let _ = stdout.flush();
        let _ = std::io::stderr().write_all(&output.stderr);
        // A child killed by a signal has no code: a failed run.
        code = code.max(output.status.code().unwrap_or(EXIT_FAILED));
    }
    code
}

/// `report.json` with `-websocket` before the extension: one report per
/// run when `demo` runs over several transports.
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    if suffix.is_empty() {
        return path.to_path_buf();
    }
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let name = match path.extension() {
        Some(ext) => format!("{stem}{suffix}.{}", ext.to_string_lossy()),
        None => format!("{stem}{suffix}"),
    };
    path.with_file_name(name)
}
