//! `xmpp-conform demo`: start the reference server ([`crate::reference`]) on
//! a free loopback port, run the built-in server scenarios against it
//! exactly as `--target` would (same run configuration, same report, same
//! exit code), and stop it.
//!
//! It shows what a passing run looks like, and it is the suite's own
//! check: every built-in scenario must pass here, or be skipped or
//! unsupported for a reason the report states.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, ValueEnum};

use crate::reference::{Config, ReferenceServer, Rule};

use super::serve::{DEFAULT_PASSWORD, fault_parser, faults_banner};
use super::{Cli, EXIT_FAILED, EXIT_USAGE, runtime};

const DOMAIN: &str = "localhost";
const USER: &str = "romeo";
/// Scenarios at once over BOSH unless `--jobs` says otherwise.
const BOSH_JOBS: usize = 8;

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
    let server = match server_runtime.block_on(ReferenceServer::start(config)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the reference server: {e}");
            return EXIT_FAILED;
        }
    };
    let tcp = server.addr().to_string();
    let websocket = server.websocket_url().unwrap_or_default().to_owned();
    let bosh = server.bosh_url().unwrap_or_default().to_owned();
    println!(
        "reference server on {tcp}, {websocket} and {bosh} (domain {DOMAIN}, account {USER}), CA {}{banner}",
        server.ca_path().display()
    );
    let runs: &[(&str, &str)] = match args.transport {
        DemoTransport::Tcp => &[("", &tcp)],
        DemoTransport::Websocket => &[("", &websocket)],
        DemoTransport::Bosh => &[("", &bosh)],
        DemoTransport::All => &[("", &tcp), ("-websocket", &websocket), ("-bosh", &bosh)],
    };
    let mut code = 0;
    for (suffix, target) in runs {
        if runs.len() > 1 {
            println!("\n── over {target} ──");
        }
        code = code.max(match run_args(&args, target, server.ca_path(), suffix) {
            Some(mut run) => {
                // BOSH scenarios mostly wait on the server's timers (wait,
                // polling, inactivity), not on the CPU: more at once keeps
                // the run short on a two-core machine.
                if *suffix == "-bosh" || args.transport == DemoTransport::Bosh {
                    run.jobs = run.jobs.or(Some(BOSH_JOBS));
                }
                super::run_target(run)
            }
            None => EXIT_USAGE,
        });
    }
    let stats = server_runtime.block_on(server.shutdown());
    if stats.panicked > 0 {
        eprintln!(
            "error: {} reference server sessions panicked (a bug in the server)",
            stats.panicked
        );
        return EXIT_FAILED.max(code);
    }
    code
}

/// The arguments of `xmpp-conform --target ADDR --domain localhost --ca
/// CA --user romeo --password secret`, plus the demo's own options: built
/// by clap itself, so every other option has its `--target` default.
fn run_args(
    args: &DemoArgs,
    target: &str,
    ca: &std::path::Path,
    suffix: &str,
) -> Option<super::RunArgs> {
    let cli = match Cli::try_parse_from(["xmpp-conform", "--target", target]) {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("error: {e}");
            return None;
        }
    };
    let mut run = cli.run;
    run.domain = Some(DOMAIN.to_owned());
    run.user = Some(USER.to_owned());
    run.password = Some(DEFAULT_PASSWORD.to_owned());
    run.account = crate::accounts::cast(DOMAIN, DEFAULT_PASSWORD)
        .iter()
        .cloned()
        .collect();
    run.ca = Some(ca.to_path_buf());
    run.insecure = false;
    run.selection.filter = args.filter.clone();
    run.jobs = args.jobs;
    run.timeout = args.timeout;
    run.verbose = args.verbose;
    run.junit = args.junit.as_deref().map(|p| suffixed(p, suffix));
    run.json = args.json.as_deref().map(|p| suffixed(p, suffix));
    run.html = args.html.as_deref().map(|p| suffixed(p, suffix));
    Some(run)
}

/// `report.json` with `-websocket` before the extension: one report per
/// run when `demo` runs over several transports.
fn suffixed(path: &std::path::Path, suffix: &str) -> PathBuf {
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
