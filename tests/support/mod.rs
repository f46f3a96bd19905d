//! Real servers for the integration tests: started as the test's child on a
//! free loopback port with a config kept in the repo, stopped on drop.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A port on 127.0.0.1 that nothing listens on right now, for a server the
/// test starts. It is taken below the kernel's ephemeral range (32768 and
/// up on Linux), where the source port of an outgoing connection could
/// claim it between this check and the server's bind, and never handed
/// out twice in one test process.
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = 20_000 + (std::process::id() % 1_000) * 12;
    for _ in 0..12_000 {
        let candidate = start + NEXT.fetch_add(1, Ordering::Relaxed) % 12_000;
        let port = 20_000 + (candidate - 20_000) % 12_000;
        if let Ok(port) = u16::try_from(port)
            && TcpListener::bind(("127.0.0.1", port)).is_ok()
        {
            return port;
        }
    }
    panic!("no free port on 127.0.0.1 between 20000 and 32000")
}

/// A peer on a free loopback port that hands every connection to `serve`
/// on a thread of its own, for as long as the test runs; its address. For
/// the few peers no real program can play (one that misbehaves on purpose).
pub fn serve_each_connection(serve: impl Fn(TcpStream) + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address").to_string();
    let serve = std::sync::Arc::new(serve);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let serve = std::sync::Arc::clone(&serve);
            std::thread::spawn(move || serve(stream));
        }
    });
    addr
}

/// The repository's root.
/// A peer that answers the client's stream header with one of its own (so
/// the run's preflight sees an XMPP server), then does `behave`: what
/// fails is a scenario, not the run's set-up. Mocks only what no real
/// server does on demand.
pub fn answer_header_then(behave: fn(TcpStream)) -> String {
    serve_each_connection(move |mut s| {
        let mut header = [0u8; 512];
        let _ = std::io::Read::read(&mut s, &mut header);
        let _ = std::io::Write::write_all(&mut s, SERVER_HEADER);
        behave(s);
    })
}

/// A server's stream header for `localhost`.
pub const SERVER_HEADER: &[u8] = b"<?xml version='1.0'?><stream:stream from='localhost' id='x1' \
    version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

/// A reference server running on a tokio runtime of its own, for tests
/// that drive the harness's binary against it; both stop when it drops.
pub struct Reference {
    pub server: xmpp_conform::reference::ServerHandle,
    _runtime: tokio::runtime::Runtime,
}

impl Reference {
    /// Start a server with `config`.
    pub fn start(config: xmpp_conform::reference::Config) -> Reference {
        let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
        let server = runtime
            .block_on(xmpp_conform::reference::ReferenceServer::start(config))
            .expect("start the reference server");
        Reference {
            server,
            _runtime: runtime,
        }
    }

    /// `--target ADDR --domain localhost --ca CA`: how the harness reaches
    /// it, trusting its certificate.
    pub fn target_args(&self) -> Vec<String> {
        vec![
            "--target".into(),
            self.server.addr().to_string(),
            "--domain".into(),
            "localhost".into(),
            "--ca".into(),
            self.server.ca_path().display().to_string(),
        ]
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the built binary from the repository root, without colour.
pub fn xmpp_conform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xmpp-conform"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(repo())
        .output()
        .expect("run xmpp-conform")
}

/// Everything a command printed, stdout then stderr.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Fail with install instructions when a program the test needs is missing.
pub fn require_program(program: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{program}` is not installed; this test needs a real one. \
         Install it with: sudo apt-get install -y {package}  (or run .ci/run, which does)"
    );
}

/// Wait until `port` accepts connections, or panic with the server's log.
fn wait_for_port(port: u16, within: Duration, child: &mut Child, log: &Path) {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "the server exited ({status}) before listening; its log:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "the server did not listen on 127.0.0.1:{port} within {within:?}; its log:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// A certificate chain made at test time: a CA, and a leaf for one domain
/// signed by it, as PEM files in `dir`.
pub struct TestCertificates {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TestCertificates {
    pub fn create(dir: &Path, domain: &str) -> TestCertificates {
        TestCa::create(dir, "ca").server_certificate(dir, domain)
    }

    /// A self-signed server certificate for `domain`, as `openssl req
    /// -x509` makes one: its own CA (`ca` is the certificate itself), and
    /// marked as a CA (openssl's default `v3_ca` extensions), which is what
    /// WebPKI refuses as a server certificate.
    pub fn self_signed(dir: &Path, domain: &str) -> TestCertificates {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut params =
            rcgen::CertificateParams::new(vec![domain.to_string()]).expect("certificate params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, domain);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).expect("self-signed certificate");
        let cert_path = dir.join(format!("{domain}-self-signed.crt"));
        let key_path = dir.join(format!("{domain}-self-signed.key"));
        std::fs::write(&cert_path, cert.pem()).expect("write the certificate");
        std::fs::write(&key_path, key.serialize_pem()).expect("write the key");
        TestCertificates {
            ca: cert_path.clone(),
            cert: cert_path,
            key: key_path,
        }
    }
}

/// A certificate authority made at test time, kept so it can sign more
/// certificates later: a server's, and clients' for SASL EXTERNAL.
pub struct TestCa {
    /// Its certificate, PEM.
    pub pem: PathBuf,
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

/// A certificate the test CA issued and its key, PEM files: for a client,
/// what `--client-cert` and `--client-key` take.
pub struct IssuedCertificate {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TestCa {
    /// A new CA; its certificate is written to `dir/{name}.pem`.
    pub fn create(dir: &Path, name: &str) -> TestCa {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        set_validity(&mut params);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("xmpp-conform test CA ({name})"));
        let key = KeyPair::generate().expect("CA key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("CA certificate");
        let pem = dir.join(format!("{name}.pem"));
        std::fs::write(&pem, issuer.pem()).expect("write CA");
        TestCa { pem, issuer }
    }

    /// A server certificate for `domain` (a DNS name), signed by this CA.
    pub fn server_certificate(&self, dir: &Path, domain: &str) -> TestCertificates {
        let params = rcgen::CertificateParams::new(vec![domain.to_string()]).expect("leaf params");
        let issued = self.issue(dir, domain, params);
        TestCertificates {
            ca: self.pem.clone(),
            cert: issued.cert,
            key: issued.key,
        }
    }

    /// A client certificate for the bare JID `jid`, signed by this CA, of
    /// the shape XEP-0178 describes: the JID in the subjectAltName as an
    /// XmppAddr (RFC 6120 §13.7.1.4: otherName id-on-xmppAddr,
    /// 1.3.6.1.5.5.7.8.5, a UTF8String), and the extended key usage
    /// id-kp-clientAuth. ejabberd reads the account
    /// from that XmppAddr and nowhere else (see tests/external.rs).
    pub fn client_certificate(&self, dir: &Path, jid: &str) -> IssuedCertificate {
        use rcgen::{DnType, ExtendedKeyUsagePurpose, SanType};
        const ID_ON_XMPP_ADDR: [u64; 9] = [1, 3, 6, 1, 5, 5, 7, 8, 5];
        let mut params = rcgen::CertificateParams::default();
        params
            .subject_alt_names
            .push(SanType::OtherName((ID_ON_XMPP_ADDR.to_vec(), jid.into())));
        params.distinguished_name.push(DnType::CommonName, jid);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(dir, jid, params)
    }

    /// Sign `params` (with a validity ejabberd accepts, see `set_validity`)
    /// for a new key, written to `dir/{name}.crt` and `dir/{name}.key`.
    pub fn issue(
        &self,
        dir: &Path,
        name: &str,
        mut params: rcgen::CertificateParams,
    ) -> IssuedCertificate {
        set_validity(&mut params);
        let key = rcgen::KeyPair::generate().expect("leaf key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("leaf certificate");
        let issued = IssuedCertificate {
            cert: dir.join(format!("{name}.crt")),
            key: dir.join(format!("{name}.key")),
        };
        std::fs::write(&issued.cert, cert.pem()).expect("write certificate");
        std::fs::write(&issued.key, key.serialize_pem()).expect("write key");
        issued
    }
}

/// Valid from yesterday to a year from now. rcgen's default, 1975 to 4096,
/// breaks ejabberd 23.01: its certificate store arms an Erlang timer for the
/// expiry, `erlang:start_timer` refuses one two thousand years away
/// (badarg), the store crashes, and ejabberd then has no certificate at all
/// ("TLS failed: no_certfile").
fn set_validity(params: &mut rcgen::CertificateParams) {
    const DAY: Duration = Duration::from_secs(24 * 60 * 60);
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970");
    let now = rcgen::date_time_ymd(1970, 1, 1) + since_epoch;
    params.not_before = now - DAY;
    params.not_after = now + 365 * DAY;
}

/// The account the whole-suite tests register and run with.
pub const USER: &str = "romeo";
pub const PASSWORD: &str = "c0nf0rm-Secret";

/// What a whole-suite run left, for further checks.
pub struct SuiteRun {
    /// Everything the binary printed.
    pub console: String,
    pub junit: PathBuf,
    pub json: PathBuf,
    _reports: tempfile::TempDir,
}

/// Run every built-in scenario against a server with TLS and the account
/// `USER`/`PASSWORD`, and panic, with the end of the server's `log`, unless
/// every verdict is the one `baseline` (a path from the repository root)
/// records. The console output is printed, so a failing test shows which
/// baseline lines differ.
pub fn run_suite_against_baseline(
    target: &str,
    ca: &Path,
    baseline: &str,
    log: impl FnOnce() -> String,
) -> SuiteRun {
    let reports = tempfile::tempdir().expect("temporary folder");
    let junit = reports.path().join("junit.xml");
    let json = reports.path().join("report.json");
    // The scenarios with several users log in as the cast, registered
    // with the same password.
    let accounts: Vec<String> = xmpp_conform::accounts::CAST
        .iter()
        .map(|name| format!("{name}={name}@localhost:{PASSWORD}"))
        .collect();
    let mut args = vec![];
    for account in &accounts {
        args.extend(["--account", account.as_str()]);
    }
    warm_up(target, ca, &[]);
    let mut all = login_args(target, ca, "3s");
    all.extend([
        "--baseline",
        baseline,
        "--junit",
        junit.to_str().expect("utf-8 path"),
        "--json",
        json.to_str().expect("utf-8 path"),
    ]);
    all.extend(args);
    let out = xmpp_conform(&all);
    let console = text(&out);
    println!("{console}");
    assert_eq!(
        out.status.code(),
        Some(0),
        "verdicts differ from {baseline} (see the baseline lines above)\n\
         the end of the server's log:\n{}",
        log().lines().rev().take(40).collect::<Vec<_>>().join("\n")
    );
    SuiteRun {
        console,
        junit,
        json,
        _reports: reports,
    }
}

/// One scenario with a generous timeout before a suite run, whose exit code
/// is not the point: a server that has just started loads the code for a
/// transport on its first use (ejabberd's Erlang VM does, for BOSH over
/// TLS), which on a loaded CI machine took longer than the suite's 3 s
/// preflight allows, and the run stopped as if the target were not XMPP.
/// `extra`: options the real run needs to reach the same code (`--tls
/// direct`).
pub fn warm_up(target: &str, ca: &Path, extra: &[&str]) {
    let mut args = login_args(target, ca, "30s");
    args.extend(["--filter", "rfc6120/stream/basic-session"]);
    args.extend_from_slice(extra);
    let _ = xmpp_conform(&args);
}

/// A run against a test server: `target` for domain `localhost`, its CA
/// trusted, logged in as the default account of the tests.
fn login_args<'a>(target: &'a str, ca: &'a Path, timeout: &'a str) -> Vec<&'a str> {
    vec![
        "--target",
        target,
        "--domain",
        "localhost",
        "--timeout",
        timeout,
        "--ca",
        ca.to_str().expect("utf-8 path"),
        "--user",
        USER,
        "--password",
        PASSWORD,
    ]
}

/// `--account NAME=NAME@localhost:PASSWORD` for each of the cast the
/// scenarios with several users log in as (the test servers register
/// them with the one password).
pub fn cast_args() -> Vec<String> {
    xmpp_conform::accounts::CAST
        .iter()
        .flat_map(|name| {
            [
                "--account".to_string(),
                format!("{name}={name}@localhost:{PASSWORD}"),
            ]
        })
        .collect()
}

/// The password, and the base64 a SASL PLAIN exchange would carry it in
/// (with the authcid, and alone at every alignment).
pub fn secret_forms() -> Vec<String> {
    use base64::Engine as _;
    let b64 = |s: &[u8]| base64::engine::general_purpose::STANDARD.encode(s);
    let mut forms = vec![PASSWORD.to_string(), b64(PASSWORD.as_bytes())];
    forms.push(b64(format!("\0{USER}\0{PASSWORD}").as_bytes()));
    for pad in ["", "x", "xx"] {
        let encoded = b64(format!("{pad}{PASSWORD}").as_bytes());
        // The part of the encoding that depends on the password alone,
        // whatever precedes it.
        let skip = (pad.len() * 4).div_ceil(3) + 2;
        forms.push(encoded[skip..encoded.len() - 4].to_string());
    }
    forms
}

/// Panic if any of `reports` (name, content) shows the password in any of
/// `secret_forms`.
pub fn assert_no_password_in(reports: &[(&str, &str)]) {
    for (name, report) in reports {
        for secret in secret_forms() {
            assert!(
                !report.contains(&secret),
                "the {name} report contains `{secret}`"
            );
        }
    }
}

/// A running Prosody.
pub struct Prosody {
    child: Child,
    pub port: u16,
    /// The direct TLS (XEP-0368) port, when started with TLS.
    pub direct_tls_port: Option<u16>,
    /// The CA that signed its certificate, when started with TLS.
    pub ca: Option<PathBuf>,
    /// The plain HTTP port serving `/xmpp-websocket`, when started with
    /// WebSocket.
    pub http_port: Option<u16>,
    pub dir: tempfile::TempDir,
}

impl Prosody {
    /// Start Prosody with `tests/servers/prosody/prosody.cfg.lua`, no TLS.
    pub fn start() -> Prosody {
        Prosody::launch(false, "")
    }

    /// The same, with a certificate for `localhost` made at test time:
    /// STARTTLS offered, and a direct TLS port.
    pub fn start_with_tls() -> Prosody {
        Prosody::launch(true, "")
    }

    /// With a self-signed certificate (its own CA) instead of one a test
    /// CA signed: what an operator's `openssl req -x509` gives.
    pub fn start_with_self_signed_tls() -> Prosody {
        Prosody::launch_with(Some(TestCertificates::self_signed), "", &[])
    }

    /// With TLS, and `host_config` added to the `localhost` VirtualHost
    /// section (Lua, e.g. `modules_disabled = { "roster" }`): a server
    /// whose behaviour differs on purpose.
    pub fn start_with_tls_and(host_config: &str) -> Prosody {
        Prosody::launch(true, host_config)
    }

    /// With TLS on its c2s port (so a STARTTLS offer over WebSocket would
    /// show), and `mod_websocket` on a plain HTTP port (RFC 7395).
    pub fn start_with_websocket() -> Prosody {
        Prosody::launch_with(Some(TestCertificates::create), "", &["websocket"])
    }

    /// With TLS on its c2s port (so a STARTTLS offer over BOSH would
    /// show), and `mod_bosh` on a plain HTTP port (XEP-0124, XEP-0206).
    pub fn start_with_bosh() -> Prosody {
        Prosody::launch_with(Some(TestCertificates::create), "", &["bosh"])
    }

    fn launch(with_tls: bool, host_config: &str) -> Prosody {
        let certificates = with_tls.then_some(TestCertificates::create as fn(&Path, &str) -> _);
        Prosody::launch_with(certificates, host_config, &[])
    }

    /// Prosody as scansion setups run it
    /// (`tests/servers/prosody/prosody-scansion.cfg.lua`: any user with
    /// any password, in-memory storage, no TLS), with `modules` enabled
    /// besides (`scansion_record` for the recorder).
    pub fn start_for_scansion(modules: &[&str]) -> Prosody {
        let list: String = modules.iter().map(|m| format!("\"{m}\";")).collect();
        Prosody::launch_from(
            "tests/servers/prosody/prosody-scansion.cfg.lua",
            &[("@MODULES@", list)],
            None,
            "",
            &[],
        )
    }

    /// Stop it now (SIGTERM, so it shuts down cleanly and modules write
    /// what they keep until then, e.g. `mod_scansion_record`), waiting up
    /// to five seconds before killing it.
    pub fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn launch_with(
        certificates: Option<fn(&Path, &str) -> TestCertificates>,
        host_config: &str,
        http_modules: &[&str],
    ) -> Prosody {
        Prosody::launch_from(
            "tests/servers/prosody/prosody.cfg.lua",
            &[],
            certificates,
            host_config,
            http_modules,
        )
    }

    fn launch_from(
        template: &str,
        fill: &[(&str, String)],
        certificates: Option<fn(&Path, &str) -> TestCertificates>,
        host_config: &str,
        http_modules: &[&str],
    ) -> Prosody {
        require_program("prosody", "prosody");
        let dir = tempfile::tempdir().expect("temporary folder");
        let port = free_port();
        let mut template = std::fs::read_to_string(repo().join(template))
            .expect("read the Prosody config template");
        for (key, value) in fill {
            template = template.replace(key, value);
        }
        let (direct_tls_port, ca, ssl) = if let Some(make) = certificates {
            let certs = make(dir.path(), "localhost");
            let ssl = format!(
                "ssl = {{ certificate = \"{}\"; key = \"{}\"; }}",
                certs.cert.display(),
                certs.key.display()
            );
            (Some(free_port()), Some(certs.ca), ssl)
        } else {
            (None, None, String::new())
        };
        let config = template
            .replace("@C2S_PORT@", &port.to_string())
            .replace("@DATA@", &dir.path().display().to_string())
            .replace(
                "@DIRECT_TLS_PORT@",
                &direct_tls_port.map(|p| p.to_string()).unwrap_or_default(),
            )
            .replace("@SSL@", &ssl);
        let http_port = (!http_modules.is_empty()).then(free_port);
        let modules: String = http_modules.iter().map(|m| format!("\"{m}\";")).collect();
        let config = config
            .replace(
                "@HTTP_PORT@",
                &http_port.map(|p| p.to_string()).unwrap_or_default(),
            )
            .replace("@HTTP_MODULES@", &modules);
        let config = format!("{config}\n{host_config}\n");
        let config_path = dir.path().join("prosody.cfg.lua");
        std::fs::write(&config_path, config).expect("write the Prosody config");
        let console = dir.path().join("console.log");
        let out = std::fs::File::create(&console).expect("console log");
        let err = out.try_clone().expect("console log");
        let mut child = Command::new("prosody")
            .arg("--config")
            .arg(&config_path)
            .arg("-F")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start prosody");
        wait_for_port(port, Duration::from_secs(20), &mut child, &console);
        for other in direct_tls_port.into_iter().chain(http_port) {
            wait_for_port(other, Duration::from_secs(20), &mut child, &console);
        }
        Prosody {
            child,
            port,
            direct_tls_port,
            ca,
            http_port,
            dir,
        }
    }

    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The RFC 7395 endpoint, when started with WebSocket.
    pub fn websocket_target(&self) -> Option<String> {
        self.http_port
            .map(|p| format!("ws://127.0.0.1:{p}/xmpp-websocket"))
    }

    /// The BOSH endpoint, when started with BOSH.
    pub fn bosh_target(&self) -> Option<String> {
        self.http_port
            .map(|p| format!("http://127.0.0.1:{p}/http-bind"))
    }

    /// Create an account on `localhost` with `prosodyctl register`.
    pub fn register(&self, user: &str, password: &str) {
        let out = Command::new("prosodyctl")
            .arg("--config")
            .arg(self.dir.path().join("prosody.cfg.lua"))
            .args(["register", user, "localhost", password])
            .stdin(Stdio::null())
            .output()
            .expect("run prosodyctl");
        assert!(
            out.status.success(),
            "prosodyctl register failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prosody.log")).unwrap_or_default()
    }
}

impl Drop for Prosody {
    fn drop(&mut self) {
        // SIGTERM first so Prosody shuts down cleanly, then make sure.
        self.stop();
    }
}

/// A running ejabberd (Debian's 23.01), always with TLS: STARTTLS offered
/// on `port`, direct TLS on `direct_tls_port`, and PLAIN, DIGEST-MD5,
/// SCRAM-SHA-1 and SCRAM-SHA-256 offered. On `external_port`, STARTTLS
/// again, with client certificates checked against `ca` and SASL EXTERNAL
/// offered besides (see `client_certificate`).
///
/// It runs `erl` directly rather than through `ejabberdctl`: as root,
/// `ejabberdctl` re-executes itself as the `ejabberd` user with `su`, which
/// cannot read the test's private temporary folder, and as anyone else it
/// refuses to run at all. The arguments are the ones `ejabberdctl` would
/// pass, found from the `ERL` and `ERL_LIBS` it names.
///
/// The Erlang node never talks to epmd: with `-erl_epmd_port` it listens
/// for distribution on a port the test picks (on 127.0.0.1 only, by
/// `inet_dist_use_interface`), and `register`'s control node finds it there
/// with the same flag, so no epmd daemon is started or left behind. The
/// node name is unique per instance and the cookie, random per instance,
/// lives in the temporary folder, which is the node's `$HOME`.
pub struct Ejabberd {
    child: Child,
    pub port: u16,
    pub direct_tls_port: u16,
    /// The listener with `tls_verify`: SASL EXTERNAL offered after
    /// STARTTLS.
    pub external_port: u16,
    /// Plain HTTP, serving XMPP over WebSocket (RFC 7395) at `/websocket`.
    pub http_port: u16,
    /// The same over TLS (`wss://`).
    pub https_port: u16,
    /// The CA that signed its certificate, and the only one it trusts for
    /// client certificates.
    pub ca: PathBuf,
    authority: TestCa,
    /// From spawning `erl` to all three c2s ports accepting connections.
    pub startup: Duration,
    /// The process group of the node and everything it started; the same
    /// number as the node's pid.
    pub process_group: u32,
    dist_port: u16,
    node: String,
    erl: Erl,
    pub dir: tempfile::TempDir,
}

/// Where Debian's ejabberd keeps its Erlang: the `erl` and the `ERL_LIBS`
/// (an architecture-specific folder) that `ejabberdctl` sets.
#[derive(Clone)]
struct Erl {
    program: PathBuf,
    libs: String,
}

impl Erl {
    fn find() -> Erl {
        let ctl = std::env::var_os("PATH")
            .into_iter()
            .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
            .chain([PathBuf::from("/usr/sbin")])
            .map(|dir| dir.join("ejabberdctl"))
            .find(|path| path.is_file())
            .unwrap_or_else(|| {
                panic!(
                    "`ejabberdctl` is not installed; this test needs a real ejabberd. \
                     Install it with: sudo apt-get install -y ejabberd  (or run .ci/run, which does)"
                )
            });
        let script =
            std::fs::read_to_string(&ctl).unwrap_or_else(|e| panic!("read {}: {e}", ctl.display()));
        // Lines like `ERL="/usr/bin/erl"` and `ERL_LIBS='/usr/lib/x86_64-linux-gnu'`.
        let assigned = |name: &str| {
            script.lines().find_map(|line| {
                line.trim()
                    .strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('='))
                    .map(|value| value.trim_matches(|c| c == '"' || c == '\'').to_string())
            })
        };
        let program = PathBuf::from(assigned("ERL").unwrap_or_else(|| "/usr/bin/erl".into()));
        let libs = assigned("ERL_LIBS").unwrap_or_else(|| {
            panic!(
                "no ERL_LIBS= line in {}; where is ejabberd's code?",
                ctl.display()
            )
        });
        assert!(
            program.is_file(),
            "{} names {}, which does not exist",
            ctl.display(),
            program.display()
        );
        Erl { program, libs }
    }

    /// `erl` with the environment every node of one instance shares.
    fn command(&self, home: &Path, dist_port: u16) -> Command {
        let mut command = Command::new(&self.program);
        command
            .env("ERL_LIBS", &self.libs)
            // The cookie file, and ejabberd's contrib-modules folder.
            .env("HOME", home)
            .env("ERL_CRASH_DUMP", home.join("erl_crash.dump"))
            // Nothing here starts epmd (-start_epmd false), but if
            // anything did it would listen on loopback only.
            .env("ERL_EPMD_ADDRESS", "127.0.0.1")
            .args(["-erl_epmd_port", &dist_port.to_string()])
            .args(["-start_epmd", "false"])
            .current_dir(home)
            .stdin(Stdio::null());
        command
    }
}

impl Ejabberd {
    /// Start ejabberd with `tests/servers/ejabberd/ejabberd.yml` and a
    /// certificate for `localhost` made at test time.
    pub fn start_with_tls() -> Ejabberd {
        let erl = Erl::find();
        let dir = tempfile::tempdir().expect("temporary folder");
        let (port, direct_tls_port, external_port, dist_port) =
            (free_port(), free_port(), free_port(), free_port());
        let (http_port, https_port) = (free_port(), free_port());

        // One PEM with the leaf, the CA that signed it and the key: ejabberd
        // matches keys to certificates itself, and with the CA at hand it
        // does not warn that the chain is incomplete.
        let authority = TestCa::create(dir.path(), "ca");
        let certs = authority.server_certificate(dir.path(), "localhost");
        let read = |path: &Path| {
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        };
        let certfile = dir.path().join("ejabberd.pem");
        std::fs::write(
            &certfile,
            [read(&certs.cert), read(&certs.ca), read(&certs.key)].concat(),
        )
        .expect("write ejabberd.pem");

        let template = std::fs::read_to_string(repo().join("tests/servers/ejabberd/ejabberd.yml"))
            .expect("read the ejabberd config template");
        let config = template
            .replace("@C2S_PORT@", &port.to_string())
            .replace("@DIRECT_TLS_PORT@", &direct_tls_port.to_string())
            .replace("@EXTERNAL_PORT@", &external_port.to_string())
            .replace("@HTTP_PORT@", &http_port.to_string())
            .replace("@HTTPS_PORT@", &https_port.to_string())
            .replace("@CERTFILE@", &certfile.display().to_string())
            .replace("@CAFILE@", &certs.ca.display().to_string());
        assert!(
            config
                .lines()
                .all(|line| line.trim_start().starts_with('#') || !line.contains('@')),
            "a placeholder of ejabberd.yml was not filled in:\n{config}"
        );
        let config_path = dir.path().join("ejabberd.yml");
        std::fs::write(&config_path, config).expect("write the ejabberd config");
        // Erlang refuses a cookie file that others can read.
        let cookie = dir.path().join(".erlang.cookie");
        std::fs::write(&cookie, random_cookie()).expect("write the Erlang cookie");
        std::fs::set_permissions(&cookie, std::fs::Permissions::from_mode(0o400))
            .expect("make the Erlang cookie private");

        let node = format!("ejabberd_{port}@localhost");
        let console = dir.path().join("console.log");
        let out = std::fs::File::create(&console).expect("console log");
        let err = out.try_clone().expect("console log");
        let started = Instant::now();
        let mut child = erl
            .command(dir.path(), dist_port)
            .env("EJABBERD_CONFIG_PATH", &config_path)
            .env("EJABBERD_LOG_PATH", dir.path().join("ejabberd.log"))
            .args(["-sname", &node])
            .args(["-kernel", "inet_dist_use_interface", "{127,0,0,1}"])
            .arg("-noinput")
            .args(["-mnesia", "dir", &erlang_string(&dir.path().join("spool"))])
            .args(["-s", "ejabberd"])
            .stdout(out)
            .stderr(err)
            // Its own process group, so Drop can stop the node and the
            // helpers it starts (erl_child_setup, eimp, inet_gethost).
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", erl.program.display()));
        let process_group = child.id();
        wait_for_port(port, Duration::from_secs(30), &mut child, &console);
        for other in [direct_tls_port, external_port, http_port, https_port] {
            wait_for_port(other, Duration::from_secs(30), &mut child, &console);
        }
        Ejabberd {
            child,
            port,
            direct_tls_port,
            external_port,
            http_port,
            https_port,
            ca: certs.ca,
            authority,
            startup: started.elapsed(),
            process_group,
            dist_port,
            node,
            erl,
            dir,
        }
    }

    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn direct_tls_target(&self) -> String {
        format!("127.0.0.1:{}", self.direct_tls_port)
    }

    /// The RFC 7395 endpoint on the HTTP listener.
    pub fn websocket_target(&self) -> String {
        format!("ws://127.0.0.1:{}/websocket", self.http_port)
    }

    /// The same over TLS; the certificate is for `localhost`.
    /// BOSH (XEP-0124, XEP-0206) in plain HTTP, at `/bosh`.
    pub fn bosh_target(&self) -> String {
        format!("http://127.0.0.1:{}/bosh", self.http_port)
    }

    /// BOSH over TLS (`https://`), on the TLS listener, at `/bosh`.
    pub fn secure_bosh_target(&self) -> String {
        format!("https://localhost:{}/bosh", self.https_port)
    }

    pub fn secure_websocket_target(&self) -> String {
        format!("wss://localhost:{}/websocket", self.https_port)
    }

    pub fn external_target(&self) -> String {
        format!("127.0.0.1:{}", self.external_port)
    }

    /// A client certificate for `jid` (XmppAddr), signed by the CA this
    /// ejabberd trusts, in its temporary folder.
    pub fn client_certificate(&self, jid: &str) -> IssuedCertificate {
        self.authority.client_certificate(self.dir.path(), jid)
    }

    /// Any certificate `params` describe, signed by the CA this ejabberd
    /// trusts, in its temporary folder.
    pub fn issue(&self, name: &str, params: rcgen::CertificateParams) -> IssuedCertificate {
        self.authority.issue(self.dir.path(), name, params)
    }

    /// Create an account on `localhost`, as `ejabberdctl register` does: a
    /// hidden Erlang node that connects to ejabberd's and runs the command.
    ///
    /// ejabberd listens on its ports before its Mnesia tables exist: a
    /// register that early aborts with `no_exists`. That case is retried
    /// for a few seconds; any other failure fails at once.
    pub fn register(&self, user: &str, password: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let out = self.register_once(user, password);
            let shown = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            if out.status.success() {
                return;
            }
            assert!(
                shown.contains("no_exists") && Instant::now() < deadline,
                "registering {user}@localhost failed ({}): {shown}",
                out.status
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Create every account of `users` on `localhost` with one hidden
    /// Erlang node (ejabberd's `try_register` over rpc), not one node per
    /// account: starting a node costs about a second, and the cast has
    /// dozens of accounts. An account that exists already is fine; other
    /// failures are retried while ejabberd's tables may still be missing,
    /// as in [`Ejabberd::register`].
    pub fn register_all(&self, users: &[&str], password: &str) {
        let list = users
            .iter()
            .map(|u| format!("\"{u}\""))
            .collect::<Vec<_>>()
            .join(",");
        let eval = format!(
            "R = [rpc:call('{node}', ejabberd_auth, try_register, \
             [list_to_binary(U), <<\"localhost\">>, <<\"{password}\">>]) || U <- [{list}]], \
             io:format(\"~p~n\", [R]), \
             halt(case lists:all(fun(X) -> X == ok orelse X == {{error, exists}} end, R) \
             of true -> 0; false -> 1 end).",
            node = self.node,
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            static BULK_NODES: AtomicU32 = AtomicU32::new(0);
            let control = format!(
                "bulk_{}_{}_{}@localhost",
                self.port,
                std::process::id(),
                BULK_NODES.fetch_add(1, Ordering::Relaxed)
            );
            let out = self
                .erl
                .command(self.dir.path(), self.dist_port)
                .args(["-sname", &control])
                .args(["-dist_listen", "false", "-hidden", "-noinput"])
                .args(["-eval", &eval])
                .output()
                .expect("run erl");
            if out.status.success() {
                return;
            }
            let shown = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                Instant::now() < deadline,
                "registering {} accounts failed ({}): {shown}",
                users.len(),
                out.status
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    fn register_once(&self, user: &str, password: &str) -> Output {
        static CONTROL_NODES: AtomicU32 = AtomicU32::new(0);
        let control = format!(
            "ctl_{}_{}_{}@localhost",
            self.port,
            std::process::id(),
            CONTROL_NODES.fetch_add(1, Ordering::Relaxed)
        );
        self.erl
            .command(self.dir.path(), self.dist_port)
            .args(["-sname", &control])
            // A client only: it listens for no one.
            .args(["-dist_listen", "false", "-hidden", "-noinput"])
            .args(["-s", "ejabberd_ctl", "-extra", &self.node])
            .args(["register", user, "localhost", password])
            .output()
            .expect("run ejabberd_ctl")
    }

    /// ejabberd's log: its own messages, and whatever the Erlang runtime
    /// printed (a crash at startup, say).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("console.log")).unwrap_or_default()
    }
}

impl Drop for Ejabberd {
    fn drop(&mut self) {
        // SIGKILL to the whole process group: the node and every helper it
        // started go at once, and no epmd was ever started (see the type's
        // comment). Its data dies with the temporary folder, so a clean
        // shutdown (SIGTERM, ~3 s here) would buy nothing.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.process_group)])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether any process is still in process group `group`, from /proc.
pub fn process_group_alive(group: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|entry| {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            return false;
        };
        // pid (comm) state ppid pgrp ...; comm may hold spaces and parens.
        let after_comm = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
        let mut fields = after_comm.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1);
        // A zombie has stopped; it only waits for its parent to reap it.
        state != Some("Z") && pgrp == Some(group.to_string().as_str())
    })
}

/// An Erlang string literal holding `path`, for erl's command line.
fn erlang_string(path: &Path) -> String {
    let path = path.display().to_string();
    format!("\"{}\"", path.replace('\\', "\\\\").replace('"', "\\\""))
}

/// 32 random letters, for an Erlang cookie.
fn random_cookie() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("random bytes for the Erlang cookie");
    bytes.iter().map(|b| char::from(b'A' + b % 26)).collect()
}

/// `fuzz`'s summary: `OK: N cases in Ts (R cases/s), 0 findings`.
pub fn fuzz_summary(shown: &str) -> &str {
    shown
        .lines()
        .rev()
        .find(|l| l.starts_with("OK: "))
        .unwrap_or_default()
}

/// The N of [`fuzz_summary`].
pub fn fuzz_cases(shown: &str) -> u64 {
    fuzz_summary(shown)
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The console line of scenario `id` in a run's output (a test bug if
/// the run printed none).
pub fn verdict_line(console: &str, id: &str) -> String {
    console
        .lines()
        .find(|l| l.contains(id))
        .unwrap_or_else(|| panic!("no verdict for {id}"))
        .to_string()
}
