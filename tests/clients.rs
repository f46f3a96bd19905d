//! Client mode against real XMPP clients from Debian: each runs the client
//! scenarios through `--exec`, and every verdict must equal the client's
//! checked-in baseline. Also: the reports look as in `--target` mode, the
//! DIGEST-MD5 exchange is verified hash by hash, and no report shows the
//! password.

mod support;

use std::path::Path;
use std::process::Command;

use support::{PASSWORD, USER, assert_no_password_in, require_program, text, xmpp_conform};

/// A client under test: its program, Debian package, baseline, and the
/// command `--exec` runs (placeholders filled in by the harness).
struct RealClient {
    program: &'static str,
    package: &'static str,
    baseline: &'static str,
    command: &'static str,
}

/// go-sendxmpp (Go): trusts the generated CA through SSL_CERT_FILE, which
/// Go's TLS stack reads; `-j` names the host and port, the JID the domain.
const GO_SENDXMPP: RealClient = RealClient {
    program: "go-sendxmpp",
    package: "go-sendxmpp",
    baseline: "tests/baselines/clients/go-sendxmpp-0.5.6.txt",
    command: "echo 'hello from go-sendxmpp' | SSL_CERT_FILE={ca} \
              go-sendxmpp -u {jid} -p {password} -j 127.0.0.1:{port} {jid}",
};

/// sendxmpp (Perl, Net::XMPP): `-t` STARTTLS, `-a` the CA to verify with,
/// `-o` the domain for the stream's `to` (without it Net::XMPP sends the
/// host, 127.0.0.1).
const SENDXMPP: RealClient = RealClient {
    program: "sendxmpp",
    package: "sendxmpp",
    baseline: "tests/baselines/clients/sendxmpp-1.24.txt",
    command: "echo 'hello from sendxmpp' | sendxmpp -t -a {ca} -o {domain} \
              -u {user} -p {password} -j 127.0.0.1:{port} {jid}",
};

struct Run {
    code: Option<i32>,
    console: String,
    junit: String,
    json: String,
}

fn run(client: &RealClient) -> Run {
    require_program(client.program, client.package);
    let dir = tempfile::tempdir().expect("temporary folder");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("a HOME for the client");
    let junit = dir.path().join("junit.xml");
    let json = dir.path().join("report.json");
    let path = |p: &Path| p.to_str().expect("utf-8 path").to_string();
    // The client gets an empty HOME of its own: no config file of the
    // machine's user can change what it does.
    let command = format!("HOME={} {}", path(&home), client.command);
    let out = xmpp_conform(&[
        "--listen",
        "127.0.0.1:0",
        "--domain",
        "localhost",
        "--user",
        USER,
        "--password",
        PASSWORD,
        "--timeout",
        "5s",
        "--cert-dir",
        &path(&dir.path().join("certs")),
        "--baseline",
        client.baseline,
        "--junit",
        &path(&junit),
        "--json",
        &path(&json),
        "--exec",
        &command,
        "-v",
    ]);
    Run {
        code: out.status.code(),
        console: text(&out),
        junit: std::fs::read_to_string(&junit).unwrap_or_default(),
        json: std::fs::read_to_string(&json).unwrap_or_default(),
    }
}

/// The response hash the harness computed and the one the client sent,
/// from the transcript note of the DIGEST-MD5 server.
fn digest_hashes(console: &str) -> Option<(String, String)> {
    let line = console
        .lines()
        .find(|l| l.contains("DIGEST-MD5 response verified: computed "))?;
    let computed = line.split("computed ").nth(1)?.split(' ').next()?;
    // A note may follow the hash (a realm other than the offered one).
    let sent = line
        .split("the client sent ")
        .nth(1)?
        .split(|c: char| c == ';' || c.is_whitespace())
        .next()?;
    Some((computed.to_string(), sent.to_string()))
}

fn check(client: &RealClient) {
    let run = run(client);
    println!("{}", run.console);
    assert_eq!(
        run.code,
        Some(0),
        "{}: verdicts differ from {}",
        client.program,
        client.baseline
    );
    // Hash by hash: the response the client sent is the one computed here.
    let (computed, sent) = digest_hashes(&run.console).expect("a verified DIGEST-MD5 response");
    assert_eq!(computed.len(), 32, "{computed}");
    assert_eq!(computed, sent);
    // The reports, as in --target mode.
    let lint = Command::new("xmllint")
        .arg("--noout")
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            if let Some(stdin) = child.stdin.as_mut() {
                stdin.write_all(run.junit.as_bytes())?;
            }
            child.wait()
        });
    assert!(
        lint.is_ok_and(|s| s.success()),
        "JUnit not well-formed:\n{}",
        run.junit
    );
    let scenarios = xmpp_conform(&["list", "--client"]);
    let count = String::from_utf8_lossy(&scenarios.stdout)
        .lines()
        .filter(|l| l.starts_with("rfc"))
        .count();
    assert_eq!(
        run.junit.matches("<testcase").count(),
        count,
        "{}",
        run.junit
    );
    assert!(run.json.contains("\"status\""), "{}", run.json);
    assert_no_password_in(&[
        ("console", &run.console),
        ("JUnit", &run.junit),
        ("JSON", &run.json),
    ]);
}

#[test]
fn go_sendxmpp_matches_its_baseline() {
    require_program("xmllint", "libxml2-utils");
    check(&GO_SENDXMPP);
}

#[test]
fn sendxmpp_matches_its_baseline() {
    require_program("xmllint", "libxml2-utils");
    check(&SENDXMPP);
}
