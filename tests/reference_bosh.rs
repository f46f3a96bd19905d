//! The reference server's BOSH listener (XEP-0124, XEP-0206) under hostile
//! input: bytes that are no HTTP, random and truncated bodies, a body far
//! over the size cap, wrong methods and paths, and more sessions at once
//! than it allows. Each gets an answer (or a closed connection) within
//! the patience, the caps hold (body size, session count), no session
//! panics, and a well-behaved client still gets a session afterwards.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use xmpp_conform::reference::{Config, ReferenceServer};

/// Bound on every wait of the test.
const PATIENCE: Duration = Duration::from_secs(10);
/// Sessions the server allows at once in this test.
const MAX_SESSIONS: usize = 8;

/// A valid session creation request.
const CREATE: &str = "<body rid='1000' to='localhost' wait='1' hold='1' ver='1.6' \
     xmpp:version='1.0' xmlns='http://jabber.org/protocol/httpbind' \
     xmlns:xmpp='urn:xmpp:xbosh'/>";

/// Send `raw` bytes on a new connection and read until the server closes
/// it: the status code of the answer (0 when there was none) and its text.
async fn exchange(addr: &str, raw: &[u8]) -> (u16, String) {
    let mut tcp = timeout(PATIENCE, TcpStream::connect(addr))
        .await
        .expect("connect within the patience")
        .expect("connect");
    // The server may close before reading it all (a huge body): fine.
    let _ = timeout(PATIENCE, tcp.write_all(raw)).await;
    let mut answer = Vec::new();
    let _ = timeout(PATIENCE, tcp.read_to_end(&mut answer))
        .await
        .expect("the server answers or closes within the patience");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// One HTTP/1.1 request, the connection closed after it.
fn request(method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// A small deterministic generator: the test's randomness is repeatable.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bosh_listener_survives_hostile_input() {
    let mut config = Config::new("localhost").with_account("romeo", "secret");
    config.limits.max_connections = MAX_SESSIONS;
    let max_body = config.limits.max_stanza_bytes.saturating_mul(4);
    let server = ReferenceServer::start(config).await.expect("start");
    let url = server.bosh_url().expect("a BOSH listener").to_owned();
    let rest = url.trim_start_matches("http://");
    let (addr, path) = rest.split_at(rest.find('/').expect("a path"));
    let (addr, path) = (addr.to_owned(), path.to_owned());

    // Bytes that are no HTTP: an answer of 400 or a closed connection.
    let mut random = Lcg(7);
    for raw in [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(),
        b"<stream:stream xmlns='jabber:client'>".to_vec(),
        b"POST\r\n\r\n".to_vec(),
        random.bytes(4096),
    ] {
        let (status, text) = exchange(&addr, &raw).await;
        assert!(status == 0 || status == 400, "{status}: {text}");
    }

    // Wrong paths and methods.
    let (status, _) = exchange(&addr, &request("POST", "/elsewhere", CREATE.as_bytes())).await;
    assert_eq!(status, 404);
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        let (status, text) = exchange(&addr, &request(method, &path, CREATE.as_bytes())).await;
        assert_eq!(status, 405, "{method}: {text}");
    }

    // Random, truncated and wrong bodies: a terminal binding condition in
    // a 200 (XEP-0124 §17.2), never a hang.
    let mut bodies: Vec<Vec<u8>> = (0..40).map(|i| random.bytes(1 + i * 37)).collect();
    for cut in [1, 10, 40, CREATE.len() - 1] {
        bodies.push(CREATE.as_bytes()[..cut].to_vec());
    }
    bodies.push(b"<body xmlns='http://jabber.org/protocol/httpbind'/>".to_vec());
    bodies.push(b"<html><body>no</body></html>".to_vec());
    bodies.push(
        b"<body rid='1' sid='no-such-session' xmlns='http://jabber.org/protocol/httpbind'/>"
            .to_vec(),
    );
    for body in &bodies {
        let (status, text) = exchange(&addr, &request("POST", &path, body)).await;
        assert_eq!(status, 200, "{text}");
        assert!(text.contains("type='terminate'"), "{text}");
    }

    // A body far over the cap is refused without being read whole.
    let huge = vec![b'<'; max_body * 8];
    let (status, text) = exchange(&addr, &request("POST", &path, &huge)).await;
    assert!(
        status == 0 || text.contains("condition='bad-request'"),
        "{status}: {}",
        &text[..text.len().min(300)]
    );

    // More sessions than allowed, one after the other (the connection cap
    // is not what is tested here): the ones over the cap are refused with
    // a terminal condition, and none is left to grow.
    let mut created = 0;
    let mut refused = 0;
    for i in 0..MAX_SESSIONS * 2 {
        let body = CREATE.replace("rid='1000'", &format!("rid='{}'", 1000 + i));
        let (status, text) = exchange(&addr, &request("POST", &path, body.as_bytes())).await;
        assert_eq!(status, 200, "{text}");
        if text.contains("sid=") {
            created += 1;
        } else {
            assert!(text.contains("type='terminate'"), "{text}");
            refused += 1;
        }
    }
    assert!(created <= MAX_SESSIONS, "{created} sessions at once");
    assert!(refused >= MAX_SESSIONS, "only {refused} refused");

    // Those sessions end for inactivity; then a client gets one again.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let (_, text) = exchange(&addr, &request("POST", &path, CREATE.as_bytes())).await;
        if text.contains("sid=") && text.contains("<stream:features") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no session after the hostile input: {text}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let stats = server.shutdown().await;
    assert_eq!(stats.panicked, 0, "sessions panicked: {stats:?}");
}
