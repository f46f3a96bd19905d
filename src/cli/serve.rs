//! `xmpp-conform serve`: the reference server ([`crate::reference`]) in the
//! foreground until Ctrl-C, to point a client or the suite at by hand.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::reference::{Config, Faults, ReferenceServer, Rule};

use super::{EXIT_FAILED, EXIT_OK, runtime};

/// The password `serve` and `demo` use unless told otherwise: a throwaway
/// test account, so it may be shown.
pub(super) const DEFAULT_PASSWORD: &str = "secret";

#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    /// Where to listen (port 0: the OS picks one).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The XMPP domain served.
    #[arg(long, default_value = "localhost")]
    domain: String,
    /// The account's username.
    #[arg(long, default_value = "romeo")]
    user: String,
    /// The account's password.
    #[arg(long, env = "XMPP_CONFORM_PASSWORD", hide_env_values = true, default_value = DEFAULT_PASSWORD)]
    password: String,
    /// Where the CA (`ca.pem`) and the server certificate are written
    /// (default: a temporary folder, removed on exit).
    #[arg(long, value_name = "DIR")]
    cert_dir: Option<PathBuf>,
    /// TLS from the first byte (XEP-0368) instead of STARTTLS.
    #[arg(long)]
    direct_tls: bool,
    /// Where the WebSocket listener (RFC 7395, path /xmpp-websocket)
    /// listens (port 0: the OS picks one).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:0")]
    websocket: SocketAddr,
    /// Where the BOSH listener (XEP-0124/0206, path /http-bind) listens
    /// (port 0: the OS picks one).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:0")]
    bosh: SocketAddr,
    /// Drop a client that sends nothing for this long.
    #[arg(long, default_value = "5m", value_parser = humantime::parse_duration)]
    idle_timeout: Duration,
    /// Break this RFC rule on purpose (see --list-faults). Repeatable.
    #[arg(long = "fault", value_name = "NAME", value_parser = fault_parser())]
    faults: Vec<Rule>,
    /// List the faults --fault can switch on, and exit.
    #[arg(long)]
    list_faults: bool,
}

/// `--fault NAME`: one of [`Rule::ALL`] by name, clap suggesting the
/// closest on a typo.
pub(super) fn fault_parser() -> impl clap::builder::TypedValueParser<Value = Rule> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Rule::ALL.map(Rule::name))
        .try_map(|name: String| Rule::from_name(&name).ok_or("no such fault"))
}

/// `serve --list-faults`: name, what the server then does wrong, and the
/// rule's source, one fault a line.
fn list_faults() -> i32 {
    let width = Rule::ALL.iter().map(|r| r.name().len()).max().unwrap_or(0);
    for rule in Rule::ALL {
        println!(
            "{:<width$}  {}  ({})",
            rule.name(),
            rule.fault(),
            rule.spec()
        );
    }
    EXIT_OK
}

/// The faults switched on, for a banner; empty when none.
pub(super) fn faults_banner(faults: &Faults) -> String {
    if faults.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = faults.rules().map(Rule::name).collect();
    format!(
        "\nFAULTS ON (this server breaks RFC rules on purpose): {}",
        names.join(", ")
    )
}

pub(super) fn run(args: &ServeArgs) -> i32 {
    if args.list_faults {
        return list_faults();
    }
    // The account of --user, and the cast the scenarios with several users
    // log in as, with the same password.
    let mut config = crate::accounts::CAST
        .iter()
        .filter(|name| **name != args.user)
        .fold(
            Config::new(&args.domain).with_account(&args.user, &args.password),
            |c, name| c.with_account(*name, &args.password),
        );
    config.listen = args.listen;
    config.cert_dir = args.cert_dir.clone();
    config.direct_tls = args.direct_tls;
    config.websocket = Some(args.websocket);
    config.bosh = Some(args.bosh);
    config.limits.idle_timeout = args.idle_timeout;
    config.faults = args.faults.iter().copied().collect();
    let runtime = match runtime(2) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let config_faults = config.faults.clone();
    runtime.block_on(async {
        let server = match ReferenceServer::start(config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_FAILED;
            }
        };
        let addr = server.addr();
        let ca = server.ca_path().display().to_string();
        let password = if args.password == DEFAULT_PASSWORD {
            format!(" --password {DEFAULT_PASSWORD}")
        } else {
            String::new()
        };
        let tls = if args.direct_tls { " --tls direct" } else { "" };
        // The certificate its CA issued for the account: SASL EXTERNAL.
        let client = server
            .client_identity(&args.user)
            .map(|c| {
                format!(
                    " --client-cert {} --client-key {}",
                    c.cert.display(),
                    c.key.display()
                )
            })
            .unwrap_or_default();
        println!(
            "xmpp-conform reference server on {addr}, domain {domain}{mode}\n\
             CA certificate: {ca}\n\
             account: {user}@{domain}, password {shown}; also {cast} with it\n\
             run the suite: xmpp-conform --target {addr} --domain {domain} --ca {ca}{client} --user {user}{password}{tls}{faults}\n\
             over WebSocket (RFC 7395): xmpp-conform --target {ws} --domain {domain} --user {user}{password}\n\
             over BOSH (XEP-0206): xmpp-conform --target {bosh} --domain {domain} --user {user}{password}\n\
             Ctrl-C stops it.",
            faults = faults_banner(&config_faults),
            ws = server.websocket_url().unwrap_or_default(),
            bosh = server.bosh_url().unwrap_or_default(),
            cast = crate::accounts::CAST.join(", "),
            domain = args.domain,
            user = args.user,
            mode = if args.direct_tls {
                " (direct TLS)"
            } else {
                " (STARTTLS)"
            },
            shown = if password.is_empty() {
                "as given"
            } else {
                DEFAULT_PASSWORD
            },
        );
        stopped().await;
        let stats = server.shutdown().await;
        println!(
            "stopped: {} connections served, {} refused over the cap",
            stats.accepted, stats.refused
        );
        if stats.panicked > 0 {
            eprintln!("error: {} sessions panicked (a bug)", stats.panicked);
            return EXIT_FAILED;
        }
        EXIT_OK
    })
}

/// Ctrl-C, or SIGTERM (what `kill` and service managers send): either way
/// the server says goodbye to its clients and removes its temporary
/// certificate folder.
async fn stopped() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).ok();
    let terminated = async {
        match terminate.as_mut() {
            Some(t) => {
                t.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        interrupted = tokio::signal::ctrl_c() => {
            if let Err(e) = interrupted {
                eprintln!("error: cannot wait for Ctrl-C: {e}");
            }
        }
        () = terminated => {}
    }
}
