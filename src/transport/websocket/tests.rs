//! The WebSocket transport against a WebSocket server written here (over
//! the crate's own accept, so `wss://` runs through the crate's rustls
//! configuration on both sides): what goes on the wire, what comes back
//! as events, and the server faults a real server will not show on
//! demand (no subprotocol echo, a binary message, two elements in one
//! message).

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

use super::super::tls::{Verification, client_config, generate_server_identity, server_config};
use super::super::{accept, accept_direct_tls};
use super::*;
use crate::xml::NS_STREAMS;

/// Long enough never to be reached when things work.
const PATIENT: Duration = Duration::from_secs(10);

const OPEN: &str = "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='localhost' \
                    id='s1' version='1.0' xml:lang='en'/>";

/// How the test server answers the handshake.
#[derive(Clone, Copy)]
enum Echo {
    Xmpp,
    Nothing,
}

/// Accept one WebSocket (over TLS with `tls`), echoing the subprotocol
/// as `echo` says; then send each of `replies` once the client's first
/// message arrived, and return every text the client sent.
// The handshake callback's error type is tungstenite's own HTTP response.
#[allow(clippy::result_large_err)]
async fn serve_once(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    echo: Echo,
    replies: Vec<Message>,
) -> Vec<String> {
    let conn = match tls {
        Some(tls) => accept_direct_tls(&listener, tls, PATIENT).await,
        None => accept(&listener, PATIENT).await,
    }
    .expect("a client");
    let answer = move |_: &Request, mut response: Response| {
        if let Echo::Xmpp = echo {
            response
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("xmpp"));
        }
        Ok(response)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(conn, answer).await else {
        return Vec::new();
    };
    let mut got = Vec::new();
    let mut replies = Some(replies);
    while let Ok(Some(Ok(message))) = timeout(PATIENT, ws.next()).await {
        match message {
            Message::Text(text) => got.push(text.as_str().to_string()),
            Message::Close(_) => break,
            _ => continue,
        }
        for reply in replies.take().unwrap_or_default() {
            ws.send(reply).await.expect("reply");
        }
    }
    got
}

async fn listen() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("local address").port();
    (listener, port)
}

fn connector(url: &str, tls: Arc<rustls::ClientConfig>) -> WebSocketConnector {
    let target = WebSocketTarget::parse(url)
        .expect("a WebSocket URL")
        .expect("well-formed");
    WebSocketConnector::new(target, tls, PATIENT)
}

fn insecure() -> Arc<rustls::ClientConfig> {
    client_config(&Verification::Insecure, None).expect("config")
}

async fn next_event(ws: &mut Box<dyn Transport>) -> StreamEvent {
    match ws.next(Instant::now() + PATIENT).await {
        Incoming::Event(event) => event,
        other => panic!("no event: {other:?}"),
    }
}

fn text(s: &str) -> Message {
    Message::text(s.to_string())
}

#[tokio::test]
async fn a_stream_goes_out_framed_and_comes_back_as_events() {
    let (listener, port) = listen().await;
    let features = "<stream:features xmlns:stream='http://etherx.jabber.org/streams'/>";
    let close = "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>";
    let server = tokio::spawn(serve_once(
        listener,
        None,
        Echo::Xmpp,
        vec![text(OPEN), text(features), text(close)],
    ));
    let url = format!("ws://127.0.0.1:{port}/xmpp-websocket");
    let mut ws = connector(&url, insecure())
        .connect(ParserConfig::default())
        .await
        .expect("connected");
    assert_eq!(ws.kind(), TransportKind::WebSocket);
    assert!(!ws.carries_raw_bytes() && !ws.is_tls());
    let header = "<?xml version='1.0'?><stream:stream to='localhost' version='1.0' \
                  xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
    ws.send(header.as_bytes(), PATIENT).await.expect("sent");
    assert!(ws.sent_as().is_some_and(|n| n.contains("<open")));
    let StreamEvent::Open(open) = next_event(&mut ws).await else {
        panic!("no header");
    };
    assert_eq!(open.element.attr("id"), Some("s1"));
    assert!(matches!(
        next_event(&mut ws).await,
        StreamEvent::Element(e) if e.is(NS_STREAMS, "features")
    ));
    assert_eq!(next_event(&mut ws).await, StreamEvent::Close);
    ws.send(b"</stream:stream>", PATIENT).await.expect("sent");
    // A write the framing cannot carry is refused, never sent.
    let refused = ws.send(b"<message><body>x</message>", PATIENT).await;
    assert!(matches!(refused, Err(SendError::Unsupported { .. })));
    ws.shutdown(PATIENT).await;
    let got = server.await.expect("server");
    assert_eq!(
        got,
        [
            "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='localhost' version='1.0'/>",
            close
        ]
    );
}

#[tokio::test]
async fn a_handshake_without_the_xmpp_subprotocol_is_the_servers_fault() {
    let (listener, port) = listen().await;
    let server = tokio::spawn(serve_once(listener, None, Echo::Nothing, vec![]));
    let url = format!("ws://127.0.0.1:{port}/");
    let Err(e) = connector(&url, insecure())
        .connect(ParserConfig::default())
        .await
    else {
        panic!("connected without the subprotocol");
    };
    assert!(e.is_peer_violation(), "{e}");
    assert!(e.to_string().contains("RFC 7395 §3.1"), "{e}");
    server.abort();
}

#[tokio::test]
async fn binary_and_two_element_messages_are_errors() {
    let (listener, port) = listen().await;
    let two = "<a xmlns='jabber:client'/><b xmlns='jabber:client'/>";
    let replies = vec![Message::binary(vec![1, 2, 3]), text(two), text(OPEN)];
    let server = tokio::spawn(serve_once(listener, None, Echo::Xmpp, replies));
    let url = format!("ws://127.0.0.1:{port}/");
    let mut ws = connector(&url, insecure())
        .connect(ParserConfig::default())
        .await
        .expect("connected");
    ws.send(OPEN.as_bytes(), PATIENT).await.expect("sent");
    for section in ["RFC 7395 §3.2", "RFC 7395 §3.3.3"] {
        let StreamEvent::Error(e) = next_event(&mut ws).await else {
            panic!("accepted");
        };
        assert!(e.detail.contains(section), "{e}");
    }
    // Each message stands alone: the next one is read as usual.
    assert!(matches!(next_event(&mut ws).await, StreamEvent::Open(_)));
    ws.shutdown(PATIENT).await;
    server.abort();
}

#[tokio::test]
async fn wss_verifies_the_certificate_with_the_runs_tls_configuration() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let generated = generate_server_identity("localhost", dir.path()).expect("identity");
    let server_tls = server_config(&generated.identity).expect("server config");
    let trusting = client_config(&Verification::WithCa(generated.ca.clone()), None).expect("ca");

    let (listener, port) = listen().await;
    let server = tokio::spawn(serve_once(
        listener,
        Some(Arc::clone(&server_tls)),
        Echo::Xmpp,
        vec![text(OPEN)],
    ));
    let url = format!("wss://localhost:{port}/xmpp-websocket");
    let mut ws = connector(&url, trusting)
        .connect(ParserConfig::default())
        .await
        .expect("connected over TLS");
    assert!(ws.is_tls());
    assert!(ws.describe().contains("TLS"), "{}", ws.describe());
    ws.send(OPEN.as_bytes(), PATIENT).await.expect("sent");
    assert!(matches!(next_event(&mut ws).await, StreamEvent::Open(_)));
    ws.shutdown(PATIENT).await;
    server.await.expect("server");

    // Without the CA, the system's roots do not know the certificate.
    let (listener, port) = listen().await;
    let server = tokio::spawn(serve_once(listener, Some(server_tls), Echo::Xmpp, vec![]));
    let untrusting = client_config(&Verification::Verify, None).expect("config");
    let url = format!("wss://localhost:{port}/");
    let refused = connector(&url, untrusting)
        .connect(ParserConfig::default())
        .await;
    assert!(
        matches!(&refused, Err(TransportError::Tls(_))),
        "{:?}",
        refused.err()
    );
    server.abort();
}

#[test]
fn targets_are_urls_or_host_and_port() {
    assert!(WebSocketTarget::parse("127.0.0.1:5222").is_none());
    let ws = WebSocketTarget::parse("wss://[::1]/ws")
        .expect("a URL")
        .expect("well-formed");
    assert_eq!(
        (ws.host.as_str(), ws.address.as_str()),
        ("::1", "[::1]:443")
    );
    assert!(ws.secure);
    assert!(matches!(WebSocketTarget::parse("ws://"), Some(Err(_))));
}
