//! Client mode against real XMPP clients from Debian (go-sendxmpp, sendxmpp,
//! slixmpp, aioxmpp): each runs the client
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
    /// `@CLIENTS@` stands for the absolute path of `tests/clients/`.
    command: &'static str,
    /// A Python module the client is (None for programs of their own).
    module: Option<&'static str>,
    /// Whether it speaks DIGEST-MD5, so a verified response is expected.
    digest_md5: bool,
}

/// go-sendxmpp (Go): trusts the generated CA through SSL_CERT_FILE, which
/// Go's TLS stack reads; `-j` names the host and port, the JID the domain.
const GO_SENDXMPP: RealClient = RealClient {
    program: "go-sendxmpp",
    package: "go-sendxmpp",
    baseline: "tests/baselines/clients/go-sendxmpp-0.5.6.txt",
    command: "echo 'hello from go-sendxmpp' | SSL_CERT_FILE={ca} \
              go-sendxmpp -u {jid} -p {password} -j 127.0.0.1:{port} {jid}",
    module: None,
    digest_md5: true,
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
    module: None,
    digest_md5: true,
};

/// Debian's Python, which sees the python3-* packages (a python3 earlier
/// in PATH, from pyenv or a virtualenv, may not).
const PYTHON: &str = "/usr/bin/python3";

/// slixmpp (Python, asyncio): tests/clients/slixmpp_client.py connects to
/// 127.0.0.1:{port} with {ca} as its CA, sends a message and disconnects.
const SLIXMPP: RealClient = RealClient {
    program: PYTHON,
    package: "python3-slixmpp",
    baseline: "tests/baselines/clients/slixmpp-1.8.3.txt",
    command: "/usr/bin/python3 @CLIENTS@/slixmpp_client.py {jid} {password} {port} {ca}",
    module: Some("slixmpp"),
    digest_md5: true,
};

/// aioxmpp (Python, asyncio; reconnects on its own, which is why each
/// scenario has its own port): tests/clients/aioxmpp_client.py.
const AIOXMPP: RealClient = RealClient {
    program: PYTHON,
    package: "python3-aioxmpp",
    baseline: "tests/baselines/clients/aioxmpp-0.13.3.txt",
    command: "/usr/bin/python3 @CLIENTS@/aioxmpp_client.py {jid} {password} {port} {ca}",
    module: Some("aioxmpp"),
    digest_md5: false,
};

/// Panic with the install hint unless `python` can import `module`.
fn require_python_module(python: &str, module: &str, package: &str) {
    let found = Command::new(python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{python}` cannot import {module}; this test needs the real one. \
         Install it with: sudo apt-get install -y {package}  (or run .ci/run, which does)"
    );
}

struct Run {
    code: Option<i32>,
    console: String,
    junit: String,
    json: String,
}

fn run(client: &RealClient) -> Run {
    match client.module {
        Some(module) => require_python_module(client.program, module, client.package),
        None => require_program(client.program, client.package),
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("a HOME for the client");
    let junit = dir.path().join("junit.xml");
    let json = dir.path().join("report.json");
    let path = |p: &Path| p.to_str().expect("utf-8 path").to_string();
    // The client gets an empty HOME of its own: no config file of the
    // machine's user can change what it does.
    let clients = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    let command = format!(
        "HOME={} {}",
        path(&home),
        client.command.replace("@CLIENTS@", &path(&clients))
    );
    let out = xmpp_conform(&[
        "--listen",
        "127.0.0.1:0",
        "--domain",
        "localhost",
        "--user",
        USER,
        "--password",
        PASSWORD,
        // Long enough for a Python client to start on a busy machine (a
        // cold import of aioxmpp takes seconds); a client that answers
        // never waits for it.
        "--timeout",
        "15s",
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
    if client.digest_md5 {
        let (computed, sent) = digest_hashes(&run.console).expect("a verified DIGEST-MD5 response");
        assert_eq!(computed.len(), 32, "{computed}");
        assert_eq!(computed, sent);
    }
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

#[test]
fn slixmpp_matches_its_baseline() {
    require_program("xmllint", "libxml2-utils");
    check(&SLIXMPP);
}

#[test]
fn aioxmpp_matches_its_baseline() {
    require_program("xmllint", "libxml2-utils");
    check(&AIOXMPP);
}
