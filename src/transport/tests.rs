//! The server side of the transport, against the client side over loopback:
//! the harness as server (`--listen`) must interoperate with a verifying
//! client and fail fast, with a reason, on a client that misbehaves.

use std::path::Path;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::tls::{GeneratedIdentity, client_config, generate_server_identity, server_config};
use super::*;
use tokio::net::{TcpListener, TcpStream};

/// Long enough never to be reached when things work.
const PATIENT: Duration = Duration::from_secs(10);

fn generate(dir: &Path) -> GeneratedIdentity {
    generate_server_identity("localhost", dir).expect("generate a server identity")
}

async fn listen() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address").to_string();
    (listener, addr)
}

/// Exactly `n` bytes from `conn`, or a panic after `PATIENT`.
async fn read_n(conn: &mut Connection, n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    tokio::time::timeout(PATIENT, conn.read_exact(&mut buf))
        .await
        .expect("bytes within the timeout")
        .expect("read");
    buf
}

async fn send(conn: &mut Connection, bytes: &[u8]) {
    conn.write_all(bytes).await.expect("write");
    conn.flush().await.expect("flush");
}

#[tokio::test]
async fn starttls_with_the_harness_as_server_and_a_client_trusting_the_generated_ca() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let generated = generate(dir.path());
    let server_tls = server_config(&generated.identity).expect("server config");
    let client_tls =
        client_config(&Verification::WithCa(generated.ca.clone()), None).expect("client config");
    let (listener, addr) = listen().await;

    let server = async {
        let mut plain = accept(&listener, PATIENT).await?;
        assert!(
            plain.describe().starts_with("tcp 127.0.0.1:"),
            "{}",
            plain.describe()
        );
        send(&mut plain, b"<proceed/>").await;
        Ok::<_, TransportError>(plain.accept_tls(Arc::clone(&server_tls), PATIENT).await?)
    };
    let client = async {
        let mut plain = connect(&addr, PATIENT).await?;
        assert_eq!(read_n(&mut plain, 10).await, b"<proceed/>");
        Ok::<_, TransportError>(plain.start_tls("localhost", client_tls, PATIENT).await?)
    };
    let (server, client) = tokio::join!(server, client);
    let mut server = server.expect("server side of the handshake");
    let mut client = client.expect("client side of the handshake");

    send(&mut client, b"<stream:stream to='localhost'>").await;
    assert_eq!(
        read_n(&mut server, 30).await,
        b"<stream:stream to='localhost'>"
    );
    send(&mut server, b"<stream:features/>").await;
    assert_eq!(read_n(&mut client, 18).await, b"<stream:features/>");
    send(&mut client, &[0xff; 20_000]).await;
    assert_eq!(read_n(&mut server, 20_000).await, vec![0xff; 20_000]);

    let (server_says, client_says) = (server.describe(), client.describe());
    assert!(server_says.starts_with("TLSv1_3 TLS13_"), "{server_says}");
    assert!(
        server_says.contains(" from tcp 127.0.0.1:"),
        "{server_says}"
    );
    assert!(client_says.starts_with("TLSv1_3 TLS13_"), "{client_says}");
    assert!(
        client_says.ends_with(&format!(" over tcp {addr}")),
        "{client_says}"
    );

    assert!(matches!(
        server.accept_tls(Arc::clone(&server_tls), PATIENT).await,
        Err(TlsError::AlreadyTls)
    ));
    assert!(matches!(
        client.accept_tls(server_tls, PATIENT).await,
        Err(TlsError::AlreadyTls)
    ));
}

#[tokio::test]
async fn direct_tls_with_the_harness_as_server() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let generated = generate(dir.path());
    let server_tls = server_config(&generated.identity).expect("server config");
    let client_tls =
        client_config(&Verification::WithCa(generated.ca.clone()), None).expect("client config");
    let (listener, addr) = listen().await;

    let (server, client) = tokio::join!(
        accept_direct_tls(&listener, server_tls, PATIENT),
        connect_tls(&addr, "localhost", client_tls, PATIENT),
    );
    let mut server = server.expect("server side of the handshake");
    let mut client = client.expect("client side of the handshake");
    send(&mut server, b"<stream:stream>").await;
    assert_eq!(read_n(&mut client, 15).await, b"<stream:stream>");
    assert!(
        server.describe().contains(" from tcp "),
        "{}",
        server.describe()
    );
}

#[tokio::test]
async fn accept_times_out_when_no_client_connects() {
    let (listener, _) = listen().await;
    let timeout = Duration::from_millis(200);
    let started = Instant::now();
    let err = accept(&listener, timeout).await.expect_err("no client");
    let waited = started.elapsed();
    assert!(
        matches!(err, TransportError::AcceptTimeout { timeout: t } if t == timeout),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "no client connected within 200ms");
    assert!(waited >= timeout && waited < PATIENT, "{waited:?}");
}

#[tokio::test]
async fn a_client_that_sends_xml_instead_of_a_client_hello_fails_the_handshake_at_once() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let server_tls = server_config(&generate(dir.path()).identity).expect("server config");
    let (listener, addr) = listen().await;

    let started = Instant::now();
    let server = async {
        let plain = accept(&listener, PATIENT).await.expect("accept");
        plain.accept_tls(server_tls, PATIENT).await
    };
    // The client keeps the connection open: the handshake must fail on what
    // it received, not on the end of the stream.
    let client = async {
        let mut tcp = TcpStream::connect(&addr).await.expect("connect");
        tcp.write_all(b"<?xml version='1.0'?><stream:stream to='localhost'>")
            .await
            .expect("write");
        tcp
    };
    let (result, _client) = tokio::join!(server, client);
    let waited = started.elapsed();
    let err = result.expect_err("the handshake fails");
    // Named as what it is: the client never started TLS.
    assert!(matches!(err, TlsError::NotTls(_)), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.starts_with("the peer sent bytes that are not TLS"),
        "{shown}"
    );
    assert!(shown.contains("corrupt message"), "{shown}");
    assert!(waited < PATIENT / 2, "{waited:?}");
}

#[tokio::test]
async fn a_client_that_stays_silent_times_the_handshake_out() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let server_tls = server_config(&generate(dir.path()).identity).expect("server config");
    let (listener, addr) = listen().await;
    let timeout = Duration::from_millis(200);

    let server = async {
        let plain = accept(&listener, PATIENT).await.expect("accept");
        plain.accept_tls(server_tls, timeout).await
    };
    let client = async { TcpStream::connect(&addr).await.expect("connect") };
    let (result, _client) = tokio::join!(server, client);
    let err = result.expect_err("the handshake does not finish");
    assert!(
        matches!(err, TlsError::HandshakeTimeout(t) if t == timeout),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_client_trusting_another_ca_rejects_the_generated_certificate() {
    let (ours, theirs) = (tempfile::tempdir(), tempfile::tempdir());
    let (ours, theirs) = (ours.expect("folder"), theirs.expect("folder"));
    let server_tls = server_config(&generate(ours.path()).identity).expect("server config");
    let other_ca = generate(theirs.path()).ca;
    let client_tls = client_config(&Verification::WithCa(other_ca), None).expect("client config");
    let (listener, addr) = listen().await;

    let server = async {
        let plain = accept(&listener, PATIENT).await.expect("accept");
        plain.accept_tls(server_tls, PATIENT).await
    };
    let client = async {
        let plain = connect(&addr, PATIENT).await.expect("connect");
        plain.start_tls("localhost", client_tls, PATIENT).await
    };
    let started = Instant::now();
    let (server, client) = tokio::join!(server, client);
    assert!(started.elapsed() < PATIENT / 2, "{:?}", started.elapsed());

    let client = client.expect_err("the client refuses the certificate");
    assert!(matches!(client, TlsError::Handshake(_)), "{client:?}");
    assert!(client.to_string().contains("UnknownIssuer"), "{client}");
    // The server learns why from the client's alert.
    let server = server.expect_err("the server's handshake fails too");
    assert!(matches!(server, TlsError::Handshake(_)), "{server:?}");
    assert!(server.to_string().contains("UnknownCA"), "{server}");
}
