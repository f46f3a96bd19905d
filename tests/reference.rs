//! The reference server (`xmpp_conform::reference`): the suite's
//! known-good baseline passes every built-in server scenario through
//! `xmpp-conform demo`, survives hostile bytes, and `serve` runs it until
//! Ctrl-C.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use support::{repo, text, xmpp_conform};
use xmpp_conform::reference::{Config, ReferenceServer};
use xmpp_conform::sasl::{self, Credentials, b64};
use xmpp_conform::transport::{Connection, Verification, tls};
use xmpp_conform::xml::{Element, ParserConfig, StreamEvent, StreamParser};

/// The built-in scenarios that do not PASS against the reference server
/// over TCP, with their verdict and why:
/// - `rfc6120/sasl/anonymous`, UNSUP: the server does not offer ANONYMOUS
///   (every session belongs to an account), which is its choice.
///
/// (`rfc6120/sasl/external` passes: `demo` presents the client certificate
/// the server's CA issued for romeo.) The `rfc7395/*` and `xep0206/*` ones
/// are skipped over TCP too (they need the WebSocket or BOSH transport)
/// and must pass over theirs.
const NOT_PASSING_OVER_TCP: [(&str, &str); 1] = [("rfc6120/sasl/anonymous", "UNSUP")];

/// `(label, id)` of every verdict line of `shown`.
fn verdicts(shown: &str) -> Vec<(&str, &str)> {
    shown
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let label = words.next()?;
            let id = words.next()?;
            matches!(label, "PASS" | "FAIL" | "WARN" | "SKIP" | "UNSUP" | "ERROR")
                .then_some((label, id))
        })
        .collect()
}

#[test]
fn demo_passes_every_built_in_scenario() {
    let out = xmpp_conform(&["demo"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    // One run per transport: TCP, WebSocket, BOSH.
    let (tcp, rest) = shown
        .split_once("── over ws://")
        .unwrap_or_else(|| panic!("no WebSocket run: {shown}"));
    let (websocket, bosh) = rest
        .split_once("── over http://")
        .unwrap_or_else(|| panic!("no BOSH run: {shown}"));
    let tcp = verdicts(tcp);
    let websocket = verdicts(websocket);
    let bosh = verdicts(bosh);
    assert!(tcp.len() >= 40, "too few verdicts: {shown}");
    assert_eq!(tcp.len(), websocket.len(), "{shown}");
    assert_eq!(tcp.len(), bosh.len(), "{shown}");
    for (label, id) in tcp.iter().chain(&websocket).chain(&bosh) {
        assert!(
            matches!(*label, "PASS" | "SKIP" | "UNSUP"),
            "{id}: {label}\n{shown}"
        );
    }
    let own = |id: &str| id.starts_with("rfc7395/") || id.starts_with("xep0206/");
    let not_passing: Vec<(&str, &str)> = tcp
        .iter()
        .filter(|(label, id)| *label != "PASS" && !own(id))
        .map(|(label, id)| (*id, *label))
        .collect();
    assert_eq!(not_passing, NOT_PASSING_OVER_TCP, "{shown}");
    // Each transport's own suite passes whole over it.
    for (run, prefix, at_least) in [(&websocket, "rfc7395/", 14), (&bosh, "xep0206/", 24)] {
        let own: Vec<&(&str, &str)> = run
            .iter()
            .filter(|(_, id)| id.starts_with(prefix))
            .collect();
        assert!(own.len() >= at_least, "{prefix}: {shown}");
        assert!(own.iter().all(|(label, _)| *label == "PASS"), "{shown}");
    }
    // What does not pass is skipped, for its reason (docs/transports.md):
    // STARTTLS, or bytes as written.
    let passing = |run: &[(&str, &str)]| run.iter().filter(|(l, _)| *l == "PASS").count();
    assert!(passing(&websocket) >= 19, "{shown}");
    assert!(passing(&bosh) >= 30, "{shown}");
}

const HEADER: &str = "<?xml version='1.0'?><stream:stream to='localhost' version='1.0' \
                      xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

/// xorshift64*: reproducible from the seed in the failure message.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What the client side of every built-in server scenario sends, one
/// entry per `C:` line (with its continuation lines), placeholders for the
/// account filled in.
fn scenario_lines() -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut files = vec![repo().join("scenarios/server")];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("scenario folder") {
                files.push(entry.expect("entry").path());
            }
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("scenario file");
        let mut current: Option<String> = None;
        for line in source.lines() {
            if let Some(rest) = line.strip_prefix("C: ") {
                lines.extend(current.replace(rest.to_owned()));
            } else if line.starts_with(' ') && current.is_some() {
                if let Some(c) = current.as_mut() {
                    c.push('\n');
                    c.push_str(line);
                }
            } else {
                lines.extend(current.take());
            }
        }
        lines.extend(current);
    }
    lines
        .into_iter()
        .map(|l| {
            l.replace("{domain}", "localhost")
                .replace("{user}", "romeo")
                .replace("{password}", "secret")
                .into_bytes()
        })
        .collect()
}

/// Bytes that shake the parser: XML's special characters, NUL, and the
/// start of a two-byte UTF-8 sequence or an invalid byte.
const SPECIAL: &[u8] = b"<>/&;'\"=?![]-: \n\0\xff\xc3";

/// A few random edits: bytes replaced, inserted, removed, a truncation.
fn mutate(rng: &mut Rng, out: &mut Vec<u8>, edits: usize) {
    for _ in 0..edits {
        if out.is_empty() {
            return;
        }
        let at = rng.below(out.len());
        match rng.below(5) {
            0 => out[at] = rng.next() as u8,
            1 => out[at] = *rng.pick(SPECIAL),
            2 => out.insert(at, *rng.pick(SPECIAL)),
            3 => {
                out.remove(at);
            }
            _ => out.truncate(at),
        }
    }
}

/// One hostile input for a fresh connection: random bytes, scenario
/// lines mutated, TLS garbage, an oversized or over-deep stanza.
fn hostile(rng: &mut Rng, lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    match rng.below(10) {
        0 => out.extend((0..rng.below(512) + 1).map(|_| rng.next() as u8)),
        1 => {
            out.extend_from_slice(HEADER.as_bytes());
            out.extend_from_slice(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
            out.extend((0..rng.below(256)).map(|_| rng.next() as u8));
        }
        2 => {
            out.extend_from_slice(HEADER.as_bytes());
            out.extend_from_slice(b"<message><body>");
            out.resize(out.len() + 70 * 1024, b'x');
        }
        3 => {
            out.extend_from_slice(HEADER.as_bytes());
            for _ in 0..rng.below(200) {
                out.extend_from_slice(b"<a>");
            }
        }
        _ => {
            if rng.below(2) == 0 {
                out.extend_from_slice(HEADER.as_bytes());
            }
            for _ in 0..rng.below(4) + 1 {
                let line: &Vec<u8> = rng.pick(lines);
                out.extend_from_slice(line);
            }
            let edits = rng.below(6);
            mutate(rng, &mut out, edits);
        }
    }
    out
}

/// Stanzas for an authenticated, bound session: valid ones that reach the
/// router and the server's iq handling (with resources several sessions
/// fight over), scenario lines, then a few edits.
fn hostile_stanzas(rng: &mut Rng, lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(8) + 1 {
        let r = rng.below(4);
        let stanza = match rng.below(8) {
            0 => format!("<message to='romeo@localhost/r{r}' type='chat'><body>x</body></message>"),
            1 => "<message to='romeo@localhost'><body>to the bare JID</body></message>".to_owned(),
            2 => format!(
                "<presence><priority>{}</priority></presence>",
                rng.below(300) as i64 - 150
            ),
            3 => {
                "<iq type='get' id='p' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>".to_owned()
            }
            4 => format!(
                "<iq type='get' id='q' to='romeo@localhost/r{r}'><query xmlns='urn:x'/></iq>"
            ),
            5 => "<presence type='unavailable'/>".to_owned(),
            _ => {
                let line: &Vec<u8> = rng.pick(lines);
                String::from_utf8_lossy(line).into_owned()
            }
        };
        out.extend_from_slice(stanza.as_bytes());
    }
    let edits = rng.below(3);
    mutate(rng, &mut out, edits);
    out
}

/// A client of the reference server, for the part of the hostile test
/// that needs a session: log in with SCRAM-SHA-1 (offered without TLS)
/// through the crate's own SASL client, and bind.
struct Client<S = TcpStream> {
    tcp: S,
    parser: StreamParser,
    pending: std::collections::VecDeque<StreamEvent>,
}

impl<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin> Client<S> {
    fn over(tcp: S) -> Self {
        Client {
            tcp,
            parser: StreamParser::new(ParserConfig::default()),
            pending: Default::default(),
        }
    }

    async fn next(&mut self) -> Option<Element> {
        let mut buf = [0u8; 4096];
        loop {
            match self.pending.pop_front() {
                Some(StreamEvent::Element(e)) => return Some(e),
                Some(StreamEvent::Open(_)) => continue,
                Some(_) => return None,
                None => {}
            }
            let read = tokio::time::timeout(Duration::from_secs(5), self.tcp.read(&mut buf));
            let n = read.await.ok()?.ok().filter(|n| *n > 0)?;
            let mut events = Vec::new();
            self.parser.feed(&buf[..n], &mut events);
            self.pending.extend(events);
        }
    }

    async fn send(&mut self, text: &str) -> Option<()> {
        self.tcp.write_all(text.as_bytes()).await.ok()
    }
}

impl Client {
    async fn login(addr: std::net::SocketAddr, resource: &str) -> Option<Client> {
        use xmpp_conform::xml::NS_SASL as SASL;
        let mut c = Client {
            tcp: TcpStream::connect(addr).await.ok()?,
            parser: StreamParser::new(ParserConfig::default()),
            pending: Default::default(),
        };
        c.send(HEADER).await?;
        c.next().await?; // features
        let credentials = Credentials::new("romeo", "secret");
        let mut scram = sasl::client("SCRAM-SHA-1", credentials, "localhost")?;
        let first = scram.initial_response().ok()??;
        c.send(&format!(
            "<auth xmlns='{SASL}' mechanism='SCRAM-SHA-1'>{}</auth>",
            b64::encode(&first)
        ))
        .await?;
        let challenge = b64::decode(c.next().await?.text().trim()).ok()?;
        let answer = scram.respond(&challenge).ok()?;
        c.send(&format!(
            "<response xmlns='{SASL}'>{}</response>",
            b64::encode(&answer)
        ))
        .await?;
        let success = c.next().await?;
        (success.name == "success").then_some(())?;
        c.parser.reset();
        c.send(HEADER).await?;
        c.next().await?; // features
        c.send(&format!(
            "<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
             <resource>{resource}</resource></bind></iq>"
        ))
        .await?;
        let bound = c.next().await?;
        (bound.attr("type") == Some("result")).then_some(c)
    }

    /// Send `bytes`, half-close, read until the server closes (or a
    /// second passes).
    async fn throw(mut self, bytes: &[u8], rng: &mut Rng) {
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = (rng.below(rest.len()) + 1).min(rest.len());
            if self.tcp.write_all(&rest[..n]).await.is_err() {
                break;
            }
            rest = &rest[n..];
        }
        let _ = self.tcp.shutdown().await;
        let mut buf = [0u8; 4096];
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, self.tcp.read(&mut buf)).await {
            if n == 0 {
                break;
            }
        }
    }
}

/// Throw `bytes` at the server over a fresh connection.
async fn throw(addr: std::net::SocketAddr, bytes: &[u8], rng: &mut Rng) {
    let Ok(tcp) = TcpStream::connect(addr).await else {
        return;
    };
    let client = Client {
        tcp,
        parser: StreamParser::new(ParserConfig::default()),
        pending: Default::default(),
    };
    client.throw(bytes, rng).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_bytes_never_break_the_server() {
    let mut config = Config::new("localhost").with_account("romeo", "secret");
    config.limits.idle_timeout = Duration::from_secs(3);
    let server = ReferenceServer::start(config).await.expect("start");
    let addr = server.addr();
    let lines = scenario_lines();
    assert!(lines.len() > 50, "few scenario lines: {}", lines.len());
    let seed = std::env::var("REFERENCE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_abcd_0001_u64);
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..8u64 {
        let lines = lines.clone();
        workers.spawn(async move {
            let mut rng = Rng(seed ^ (w + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let (mut sent, mut sessions) = (0u32, 0u32);
            // A fixed number of cases, so the coverage does not depend on
            // how busy the machine is; the deadline only bounds a hang.
            while started.elapsed() < Duration::from_secs(90) && sent < 300 {
                sent += 1;
                if rng.below(5) == 0 {
                    let resource = format!("r{}", rng.below(4));
                    if let Some(client) = Client::login(addr, &resource).await {
                        sessions += 1;
                        let bytes = hostile_stanzas(&mut rng, &lines);
                        client.throw(&bytes, &mut rng).await;
                    }
                    continue;
                }
                let bytes = hostile(&mut rng, &lines);
                throw(addr, &bytes, &mut rng).await;
            }
            (sent, sessions)
        });
    }
    let (mut thrown, mut sessions) = (0, 0);
    while let Some(done) = workers.join_next().await {
        let (sent, logged_in) = done.expect("worker");
        thrown += sent;
        sessions += logged_in;
    }
    eprintln!("{thrown} hostile connections, {sessions} of them logged in first");
    assert!(thrown >= 1000, "only {thrown} connections in 90 s");
    assert!(sessions >= 50, "only {sessions} of {thrown} logged in");

    // A basic session still works: log in, bind, talk to oneself, and a
    // resource conflict, through the harness itself.
    let target = addr.to_string();
    let ca = server.ca_path().display().to_string();
    let out = tokio::task::spawn_blocking(move || {
        xmpp_conform(&[
            "--target",
            &target,
            "--domain",
            "localhost",
            "--ca",
            &ca,
            "--user",
            "romeo",
            "--password",
            "secret",
            "--filter",
            "rfc6120/stanzas",
            "--filter",
            "rfc6120/bind",
            "--filter",
            "rfc6120/stream/basic-session",
        ])
    })
    .await
    .expect("run");
    assert_eq!(out.status.code(), Some(0), "seed {seed:#x}: {}", text(&out));
    let stats = server.shutdown().await;
    assert_eq!(stats.panicked, 0, "seed {seed:#x}: sessions panicked");
    assert!(stats.accepted >= u64::from(thrown), "{stats:?}");
}

#[test]
fn serve_runs_until_ctrl_c() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xmpp-conform"))
        .args(["serve", "--domain", "localhost"])
        .env("NO_COLOR", "1")
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut banner = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        let done = line.contains("Ctrl-C");
        banner.push(line);
        if done {
            break;
        }
    }
    let banner = banner.join("\n");
    let addr = banner
        .split_whitespace()
        .skip_while(|w| *w != "on")
        .nth(1)
        .map(|a| a.trim_end_matches(','))
        .unwrap_or_default()
        .to_owned();
    let ca = banner
        .lines()
        .find_map(|l| l.strip_prefix("CA certificate: "))
        .unwrap_or_default()
        .to_owned();
    assert!(Path::new(&ca).is_file(), "no CA file in: {banner}");
    assert!(banner.contains("account: romeo@localhost"), "{banner}");

    // The suite logs in against it with the command the banner prints,
    // SASL EXTERNAL with the client certificate it names included.
    let command: Vec<&str> = banner
        .lines()
        .find_map(|l| l.strip_prefix("run the suite: xmpp-conform "))
        .unwrap_or_else(|| panic!("no command in: {banner}"))
        .split_whitespace()
        .collect();
    assert!(
        command.windows(2).any(|w| w == ["--target", addr.as_str()]),
        "{banner}"
    );
    assert!(command.contains(&"--client-cert"), "{banner}");
    let filters = [
        "--filter",
        "rfc6120/stanzas/message-to-self",
        "--filter",
        "rfc6120/sasl/external",
    ];
    let out = xmpp_conform(&[command.as_slice(), &filters].concat());
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("PASS  rfc6120/sasl/external"), "{shown}");

    // Ctrl-C: SIGINT to the process we started, by its id.
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(interrupted.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve did not stop within 15 s of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.starts_with("stopped:")), "{rest:?}");
    assert!(!Path::new(&ca).exists(), "the temporary CA was not removed");
}

/// Everything the server sends until it closes the connection (or 5 s
/// pass), as text.
async fn read_to_close(tcp: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, tcp.read(&mut buf)).await {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A client that sends a stanza right behind `<starttls/>`, in the same
/// write, has put XML where its ClientHello had to be: the server closes
/// at once, as it does when the stanza comes in a later read, instead of
/// waiting out the TLS handshake timeout (the live fuzzer found this as a
/// hang when its two writes were read together).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stanza_pipelined_after_starttls_ends_the_connection_at_once() {
    let server = ReferenceServer::start(Config::new("localhost").with_account("romeo", "secret"))
        .await
        .expect("start");
    let mut tcp = TcpStream::connect(server.addr()).await.expect("connect");
    let mut client = Client {
        tcp,
        parser: StreamParser::new(ParserConfig::default()),
        pending: Default::default(),
    };
    client.send(HEADER).await.expect("header");
    let features = client.next().await.expect("features");
    assert_eq!(features.name, "features");
    tcp = client.tcp;
    let started = Instant::now();
    tcp.write_all(
        b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\
          <iq type='get' id='p' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>",
    )
    .await
    .expect("write");
    let got = read_to_close(&mut tcp).await;
    assert!(got.contains("<proceed "), "{got}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "closed after {:?}",
        started.elapsed()
    );
    assert_eq!(server.shutdown().await.panicked, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_clients_are_dropped_and_connections_capped() {
    let mut config = Config::new("localhost").with_account("romeo", "secret");
    config.limits.idle_timeout = Duration::from_millis(500);
    config.limits.max_connections = 2;
    let server = ReferenceServer::start(config).await.expect("start");
    let mut first = TcpStream::connect(server.addr()).await.expect("connect");
    first.write_all(HEADER.as_bytes()).await.expect("write");
    let mut second = TcpStream::connect(server.addr()).await.expect("connect");
    // Over the cap: closed at once, nothing said.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(server.addr()).await.expect("connect");
    assert_eq!(read_to_close(&mut third).await, "");
    // Silent for the idle timeout: connection-timeout (RFC 6120 §4.9.3.4),
    // after the features for one that opened a stream, after a header of
    // the server's own for one that never did.
    let started = Instant::now();
    for (tcp, opened) in [(&mut first, true), (&mut second, false)] {
        let got = read_to_close(tcp).await;
        assert_eq!(got.contains("<stream:features>"), opened, "{got}");
        assert!(got.contains("<stream:stream "), "{got}");
        assert!(got.contains("<connection-timeout "), "{got}");
        assert!(got.ends_with("</stream:stream>"), "{got}");
    }
    assert!(started.elapsed() < Duration::from_secs(3));
    let stats = server.shutdown().await;
    assert_eq!((stats.accepted, stats.refused), (2, 1), "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_says_goodbye_to_a_bound_session() {
    let server = ReferenceServer::start(Config::new("localhost").with_account("romeo", "secret"))
        .await
        .expect("start");
    let client = Client::login(server.addr(), "r").await.expect("login");
    let mut tcp = client.tcp;
    let stopping = tokio::spawn(server.shutdown());
    let got = read_to_close(&mut tcp).await;
    assert!(got.contains("<system-shutdown "), "{got}");
    assert!(got.ends_with("</stream:stream>"), "{got}");
    let stats = stopping.await.expect("shutdown");
    assert_eq!(stats.panicked, 0);
}

/// The mechanisms a `<stream:features/>` offers.
fn mechanisms(features: &Element) -> Vec<String> {
    features
        .child_elements()
        .filter(|c| c.name == "mechanisms")
        .flat_map(|m| m.child_elements().map(|c| c.text().trim().to_owned()))
        .collect()
}

/// STARTTLS to the server presenting `identity` (if any), then a new
/// stream: the connection and its features, or `None` when the handshake
/// (or anything before it) failed.
async fn starttls_with(
    server: &xmpp_conform::reference::ServerHandle,
    identity: Option<&tls::ClientIdentity>,
) -> Option<(Client<Connection>, Element)> {
    let mut c = Client::over(TcpStream::connect(server.addr()).await.ok()?);
    c.send(HEADER).await?;
    c.next().await?; // features
    c.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        .await?;
    (c.next().await?.name == "proceed").then_some(())?;
    let trust = Verification::WithCa(server.ca_path().to_path_buf());
    let config = tls::client_config(&trust, identity).ok()?;
    let tls = Connection::Plain(c.tcp)
        .start_tls("localhost", config, Duration::from_secs(5))
        .await
        .ok()?;
    let mut c = Client::over(tls);
    c.send(HEADER).await?;
    let features = c.next().await?;
    Some((c, features))
}

/// SASL EXTERNAL (RFC 6120 §6.4, XEP-0178 §2): offered only after TLS to a
/// client whose certificate the server's CA issued for an account; with
/// it, `=` authenticates that account and another account's JID is
/// `invalid-authzid`; a certificate from another CA fails the handshake.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_only_for_a_certificate_from_the_servers_ca() {
    use xmpp_conform::xml::NS_SASL as SASL;
    let config = Config::new("localhost")
        .with_account("romeo", "secret")
        .with_account("juliet", "secret");
    let server = ReferenceServer::start(config).await.expect("start");
    let romeo = server
        .client_identity("romeo")
        .expect("romeo's certificate");
    assert!(server.client_identity("tybalt").is_none());

    let (_, features) = starttls_with(&server, None)
        .await
        .expect("TLS, no certificate");
    assert!(!mechanisms(&features).contains(&"EXTERNAL".to_owned()));

    let (mut c, features) = starttls_with(&server, Some(&romeo))
        .await
        .expect("TLS as romeo");
    assert_eq!(
        mechanisms(&features).first().map(String::as_str),
        Some("EXTERNAL")
    );
    let juliet = b64::encode(b"juliet@localhost");
    c.send(&format!(
        "<auth xmlns='{SASL}' mechanism='EXTERNAL'>{juliet}</auth>"
    ))
    .await
    .expect("auth");
    let refused = c.next().await.expect("an answer");
    assert_eq!(refused.name, "failure");
    assert!(
        refused
            .child_elements()
            .any(|e| e.name == "invalid-authzid"),
        "{refused:?}"
    );
    c.send(&format!(
        "<auth xmlns='{SASL}' mechanism='EXTERNAL'>=</auth>"
    ))
    .await
    .expect("auth");
    assert_eq!(c.next().await.expect("an answer").name, "success");

    let dir = tempfile::tempdir().expect("temporary folder");
    let other = support::TestCa::create(dir.path(), "other")
        .client_certificate(dir.path(), "romeo@localhost");
    let foreign = tls::ClientIdentity {
        cert: other.cert,
        key: other.key,
    };
    assert!(starttls_with(&server, Some(&foreign)).await.is_none());
    assert_eq!(server.shutdown().await.panicked, 0);
}
