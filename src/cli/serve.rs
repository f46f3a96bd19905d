//! `xmpp-conform serve`: the reference server ([`crate::reference`]) in the
//! foreground until Ctrl-C, to point a client or the suite at by hand.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::reference::{Config, ReferenceServer};

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
    /// Drop a client that sends nothing for this long.
    #[arg(long, default_value = "5m", value_parser = humantime::parse_duration)]
    idle_timeout: Duration,
}

pub(super) fn run(args: &ServeArgs) -> i32 {
    let mut config = Config::new(&args.domain).with_account(&args.user, &args.password);
    config.listen = args.listen;
    config.cert_dir = args.cert_dir.clone();
    config.direct_tls = args.direct_tls;
    config.limits.idle_timeout = args.idle_timeout;
    let runtime = match runtime(2) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
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
        println!(
            "xmpp-conform reference server on {addr}, domain {domain}{mode}\n\
             CA certificate: {ca}\n\
             account: {user}@{domain}, password {shown}\n\
             run the suite: xmpp-conform --target {addr} --domain {domain} --ca {ca} --user {user}{password}{tls}\n\
             Ctrl-C stops it.",
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
