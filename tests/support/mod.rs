//! Real servers for the integration tests: started as the test's child on a
//! free loopback port with a config kept in the repo, stopped on drop.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port on 127.0.0.1");
    listener.local_addr().expect("local address").port()
}

/// The repository's root.
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
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "xmpp-conform test CA");
        let ca_key = KeyPair::generate().expect("CA key");
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA certificate");
        let leaf_key = KeyPair::generate().expect("leaf key");
        let leaf = CertificateParams::new(vec![domain.to_string()])
            .expect("leaf params")
            .signed_by(&leaf_key, &ca)
            .expect("leaf certificate");
        let paths = TestCertificates {
            ca: dir.join("ca.pem"),
            cert: dir.join(format!("{domain}.crt")),
            key: dir.join(format!("{domain}.key")),
        };
        std::fs::write(&paths.ca, ca.pem()).expect("write CA");
        std::fs::write(&paths.cert, leaf.pem()).expect("write certificate");
        std::fs::write(&paths.key, leaf_key.serialize_pem()).expect("write key");
        paths
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
    pub dir: tempfile::TempDir,
}

impl Prosody {
    /// Start Prosody with `tests/servers/prosody/prosody.cfg.lua`, no TLS.
    pub fn start() -> Prosody {
        Prosody::launch(false)
    }

    /// The same, with a certificate for `localhost` made at test time:
    /// STARTTLS offered, and a direct TLS port.
    pub fn start_with_tls() -> Prosody {
        Prosody::launch(true)
    }

    fn launch(with_tls: bool) -> Prosody {
        require_program("prosody", "prosody");
        let dir = tempfile::tempdir().expect("temporary folder");
        let port = free_port();
        let template =
            std::fs::read_to_string(repo().join("tests/servers/prosody/prosody.cfg.lua"))
                .expect("read the Prosody config template");
        let (direct_tls_port, ca, ssl) = if with_tls {
            let certs = TestCertificates::create(dir.path(), "localhost");
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
        if let Some(tls_port) = direct_tls_port {
            wait_for_port(tls_port, Duration::from_secs(20), &mut child, &console);
        }
        Prosody {
            child,
            port,
            direct_tls_port,
            ca,
            dir,
        }
    }

    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
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
}
