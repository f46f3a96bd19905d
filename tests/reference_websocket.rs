//! The reference server's WebSocket listener (RFC 7395): the upgrade is
//! refused without the `xmpp` subprotocol or on another path, and hostile
//! input (bytes that are no HTTP, upgrades followed by random messages
//! of either kind) leaves it working with no session panicked.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use xmpp_conform::reference::{Config, ReferenceServer, ServerHandle};

/// Bound on every wait of the test.
const PATIENCE: Duration = Duration::from_secs(10);

const OPEN: &str =
    "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='localhost' version='1.0'/>";

type Ws = tokio_tungstenite::WebSocketStream<TcpStream>;

async fn start() -> ServerHandle {
    let mut config = Config::new("localhost").with_account("romeo", "secret");
    config.limits.close_linger = Duration::from_millis(100);
    ReferenceServer::start(config).await.expect("start")
}

/// A WebSocket to `url`, asking for `subprotocol` if any.
async fn connect(
    url: &str,
    subprotocol: Option<&'static str>,
) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
    let mut request = url.into_client_request()?;
    if let Some(p) = subprotocol {
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", HeaderValue::from_static(p));
    }
    let addr = url
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .unwrap_or_default();
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(tokio_tungstenite::tungstenite::Error::Io)?;
    let (ws, _) = timeout(PATIENCE, tokio_tungstenite::client_async(request, tcp))
        .await
        .expect("the handshake within the patience")?;
    Ok(ws)
}

/// The first text message, or `None` if the stream ended first.
async fn first_text(ws: &mut Ws) -> Option<String> {
    loop {
        match timeout(PATIENCE, ws.next())
            .await
            .expect("an answer in time")
        {
            Some(Ok(Message::Text(t))) => return Some(t.to_string()),
            Some(Ok(_)) => continue,
            _ => return None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upgrade_needs_the_xmpp_subprotocol_and_the_path() {
    let server = start().await;
    let url = server.websocket_url().expect("a WebSocket URL").to_owned();
    assert!(url.ends_with("/xmpp-websocket"), "{url}");
    assert!(
        connect(&url, None).await.is_err(),
        "no subprotocol accepted"
    );
    let elsewhere = url.replace("/xmpp-websocket", "/elsewhere");
    assert!(connect(&elsewhere, Some("xmpp")).await.is_err());
    // tungstenite's client checks the echo itself: a success is the echo.
    let mut ws = connect(&url, Some("xmpp")).await.expect("upgrade");
    ws.send(Message::text(OPEN)).await.expect("send <open/>");
    let open = first_text(&mut ws).await.expect("an answer");
    assert!(open.starts_with("<open"), "{open}");
    assert_eq!(server.shutdown().await.panicked, 0);
}

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

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.below(max);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Pieces a hostile message is made of.
const PIECES: &[&str] = &[
    OPEN,
    "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>",
    "<open xmlns='urn:example' to='localhost' version='1.0'/>",
    "<iq xmlns='jabber:client' type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>",
    "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AHJvbWVvAHNlY3JldA==</auth>",
    "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
    "<message xmlns='jabber:client'>",
    "<!DOCTYPE x>",
    "<?xml version='1.0'?>",
    "</stream:stream>",
    "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'>",
    "&amp;&foo;]]>",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_leaves_the_websocket_listener_working() {
    let server = start().await;
    let url = server.websocket_url().expect("a WebSocket URL").to_owned();
    let addr = url
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .expect("host:port")
        .to_owned();
    let seed = 0x7395_u64;
    let mut rng = Rng(seed);
    for case in 0..300 {
        if case % 3 == 0 {
            // Bytes that are no HTTP upgrade, or half of one.
            let mut tcp = TcpStream::connect(&addr).await.expect("connect");
            let mut bytes = b"GET /xmpp-websocket HTTP/1.1\r\n".to_vec();
            bytes.truncate(rng.below(bytes.len() + 1));
            bytes.extend(rng.bytes(300));
            let _ = tcp.write_all(&bytes).await;
            continue;
        }
        let Ok(mut ws) = connect(&url, Some("xmpp")).await else {
            panic!("seed {seed:#x} case {case}: the upgrade failed");
        };
        for _ in 0..rng.below(6) + 1 {
            let message = match rng.below(5) {
                0 => Message::binary(rng.bytes(200)),
                1 => Message::text(String::from_utf8_lossy(&rng.bytes(200)).into_owned()),
                2 => Message::Ping(rng.bytes(20).into()),
                _ => {
                    let n = rng.below(3) + 1;
                    let text: String = (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect();
                    Message::text(text)
                }
            };
            if ws.send(message).await.is_err() {
                break;
            }
        }
        let _ = timeout(Duration::from_millis(20), ws.next()).await;
    }
    // Still serving.
    let mut ws = connect(&url, Some("xmpp")).await.expect("upgrade after");
    ws.send(Message::text(OPEN)).await.expect("send <open/>");
    let open = first_text(&mut ws).await.expect("an answer");
    assert!(open.starts_with("<open"), "seed {seed:#x}: {open}");
    let stats = server.shutdown().await;
    assert_eq!(stats.panicked, 0, "seed {seed:#x}: sessions panicked");
}
