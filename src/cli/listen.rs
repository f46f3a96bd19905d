//! `--listen`: the harness plays the server of the client scenarios.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::engine::listen::{self, ListenOptions};
use crate::engine::{RunConfig, TlsMode};
use crate::report::console;
use crate::scenario::Peer;
use crate::transport::tls::{self, ServerIdentity, Verification};

use super::certs::{self, Origin};
use super::{
    EXIT_FAILED, EXIT_USAGE, RunArgs, TlsArg, bindings, conclude, load_baseline, load_scenarios,
    parser_config, runtime, snapshot_config,
};

pub(super) fn run(args: RunArgs) -> i32 {
    let Some(address) = args.listen.clone() else {
        return EXIT_USAGE;
    };
    let scenarios = match load_scenarios(&args.selection, Peer::Client) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let baseline = match load_baseline(&args) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let bindings = bindings(&args, &address);
    let domain = bindings.var("domain").unwrap_or_default().to_string();
    let (identity, ca, wrong_name) = match server_identity(&args, &domain) {
        Ok(set) => set,
        Err(code) => return code,
    };
    if let Err(code) = check_ca_placeholder(args.exec.as_deref(), ca.as_ref()) {
        return code;
    }
    let server_tls = match tls::server_config(&identity) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let wrong_name_tls = match wrong_name.as_ref().map(tls::server_config).transpose() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    // The harness connects to nobody in this mode; the client TLS
    // configuration is only there because `RunConfig` always has one.
    let client_tls = match tls::client_config(&Verification::Insecure, None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    let accounts = match super::run_accounts(&args, &address) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let config = RunConfig {
        connector: None,
        accounts,
        target: address.clone(),
        timeout: args.timeout,
        bindings,
        parser: parser_config(&args),
        tls: match args.tls {
            TlsArg::Starttls => TlsMode::StartTls,
            TlsArg::Direct => TlsMode::Direct,
            TlsArg::None => TlsMode::None,
        },
        tls_config: client_tls,
        mechanism: None,
        snapshots: snapshot_config(&args),
        client_certificate: false,
        server_tls: Some(server_tls),
        wrong_name_tls,
    };
    let options = ListenOptions {
        exec: args.exec.clone(),
        direct_tls: args.tls == TlsArg::Direct,
        ca: ca.as_ref().map(|p| p.display().to_string()),
        fresh_port: args.exec.is_some() && address.rsplit(':').next() == Some("0"),
    };
    let per_scenario = if options.fresh_port {
        " (a new port for each scenario, given as {port})"
    } else {
        ""
    };
    let runtime = match runtime(2) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let style = console::Style::detect();
    let (verbose, strict) = (args.verbose, args.strict);
    let started = Instant::now();
    let verdicts = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&address)
            .await
            .map_err(|e| format!("cannot listen on {address}: {e}"))?;
        let bound = listener
            .local_addr()
            .map_or(address.clone(), |a| a.to_string());
        println!(
            "xmpp-conform {}: {} client scenarios, listening on {bound}{per_scenario} (domain {domain}){}{}\n",
            env!("CARGO_PKG_VERSION"),
            scenarios.len(),
            ca.as_ref()
                .map(|p| format!(", clients trust {}", p.display()))
                .unwrap_or_default(),
            args.exec
                .as_ref()
                .map(|c| format!(", starting `{c}` for each"))
                .unwrap_or_default(),
        );
        Ok::<_, String>(
            listen::run_all(scenarios, Arc::new(config), listener, options, |v| {
                print!("{}", console::verdict(v, style, verbose, strict));
            })
            .await,
        )
    });
    let verdicts = match verdicts {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let described = format!("clients on {address}");
    conclude(
        &args,
        &described,
        &verdicts,
        started,
        style,
        baseline.as_ref(),
    )
}

/// The server certificate, the CA clients trust, the wrong-name certificate.
type Identities = (ServerIdentity, Option<PathBuf>, Option<ServerIdentity>);

/// `--cert`/`--key` (with `--cert-ca`, the CA clients trust), or the
/// certificate for `domain` in `--cert-dir`: an earlier run's while still
/// good, else one generated now, with the CA that signed it and the CA's
/// certificate for a wrong name (none for `--cert`/`--key`).
fn server_identity(args: &RunArgs, domain: &str) -> Result<Identities, i32> {
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        let identity = ServerIdentity {
            cert: cert.clone(),
            key: key.clone(),
        };
        if let Some(ca) = args.cert_ca.as_ref().filter(|ca| !ca.is_file()) {
            eprintln!("error: --cert-ca {}: no such file", ca.display());
            return Err(EXIT_USAGE);
        }
        return Ok((identity, args.cert_ca.clone(), None));
    }
    match certs::listen_identity(domain, &args.cert_dir) {
        Ok((generated, origin)) => {
            match origin {
                Origin::Reused => println!(
                    "reusing the CA and certificate in {} (valid for {domain})",
                    args.cert_dir.display()
                ),
                Origin::New => {}
                Origin::Replaced(why) => println!(
                    "note: a new CA replaces {} ({why}); clients that pinned the old one must trust the new one",
                    generated.ca.display()
                ),
            }
            Ok((
                generated.identity,
                Some(generated.ca),
                Some(generated.wrong_name),
            ))
        }
        Err(e) => {
            eprintln!("error: cannot make a certificate for {domain}: {e}");
            Err(EXIT_FAILED)
        }
    }
}

/// `{ca}` in `--exec` with no CA known (`--cert`/`--key` without
/// `--cert-ca`) would hand the client an empty path, and it would fail
/// for a reason that is not its own: refused before anything runs.
fn check_ca_placeholder(exec: Option<&str>, ca: Option<&PathBuf>) -> Result<(), i32> {
    if exec.is_some_and(|c| c.contains("{ca}")) && ca.is_none() {
        eprintln!(
            "error: --exec uses {{ca}}, but no CA is known: with --cert/--key, name the CA \
             that signed --cert with --cert-ca FILE (or leave out --cert/--key to have one generated)"
        );
        return Err(EXIT_USAGE);
    }
    Ok(())
}
