//! TCP, plain or with TLS over it: STARTTLS upgrades a plain connection
//! in place, direct TLS (XEP-0368) starts with the handshake. The harness
//! connects to a server under test ([`connect`]) or, playing the server
//! itself to test a client (`--listen`), accepts one ([`accept`]); the
//! reference server accepts too. A [`Connection`] is the byte pipe that
//! [`super::ByteStream`] turns into an XMPP stream.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector, TlsStream};

use super::tls::{self, TlsError};
use super::{ByteIo, TlsUpgrade, TransportKind};

/// Why the peer could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("cannot resolve `{target}`: {source}")]
    Resolve { target: String, source: io::Error },
    #[error("`{target}` resolves to no address")]
    NoAddress { target: String },
    #[error("cannot connect to {target}: {source}")]
    Connect { target: String, source: io::Error },
    #[error("cannot connect to {target}: no answer within {timeout:?}")]
    ConnectTimeout { target: String, timeout: Duration },
    #[error("no client connected within {timeout:?}")]
    AcceptTimeout { timeout: Duration },
    #[error("cannot accept a connection: {0}")]
    Accept(io::Error),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error(transparent)]
    WebSocket(#[from] super::WebSocketError),
}

impl TransportError {
    /// Whether the peer answered but broke a rule while the connection
    /// was being set up (a WebSocket handshake without the `xmpp`
    /// subprotocol): the scenario fails, it does not end in an error.
    pub fn is_peer_violation(&self) -> bool {
        matches!(self, TransportError::WebSocket(e) if e.is_peer_violation())
    }
}

/// An open connection to the peer.
#[derive(Debug)]
pub enum Connection {
    Plain(TcpStream),
    /// TLS over TCP, with this side as the client or as the server.
    Tls(Box<TlsStream<TcpStream>>),
}

impl Connection {
    /// A short description for the transcript: `tcp 127.0.0.1:5222`,
    /// `TLSv1_3 TLS13_AES_256_GCM_SHA384 over tcp 127.0.0.1:5222` as the
    /// client, `TLSv1_3 TLS13_AES_256_GCM_SHA384 from tcp 127.0.0.1:40312`
    /// as the server.
    pub fn describe(&self) -> String {
        let tcp = |s: &TcpStream| match s.peer_addr() {
            Ok(addr) => format!("tcp {addr}"),
            Err(_) => "tcp".to_string(),
        };
        let tls = |state: &rustls::CommonState| {
            let version = state
                .protocol_version()
                .map_or("TLS".to_string(), |v| format!("{v:?}"));
            let suite = state
                .negotiated_cipher_suite()
                .map_or("?".to_string(), |c| format!("{:?}", c.suite()));
            format!("{version} {suite}")
        };
        match self {
            Connection::Plain(s) => tcp(s),
            Connection::Tls(s) => {
                let (inner, session) = s.get_ref();
                let how = match s.as_ref() {
                    TlsStream::Client(_) => "over",
                    TlsStream::Server(_) => "from",
                };
                format!("{} {how} {}", tls(session), tcp(inner))
            }
        }
    }

    pub fn is_tls(&self) -> bool {
        matches!(self, Connection::Tls(_))
    }

    /// Run the TLS handshake on this plain connection (after `<proceed/>`),
    /// verifying the certificate for `domain`, within `timeout`.
    pub async fn start_tls(
        self,
        domain: &str,
        config: Arc<rustls::ClientConfig>,
        timeout: Duration,
    ) -> Result<Connection, TlsError> {
        let tcp = match self {
            Connection::Plain(tcp) => tcp,
            Connection::Tls(_) => return Err(TlsError::AlreadyTls),
        };
        let name = tls::server_name(domain)?;
        let handshake = TlsConnector::from(config).connect(name, tcp);
        match tokio::time::timeout(timeout, handshake).await {
            Ok(Ok(stream)) => Ok(Connection::Tls(Box::new(TlsStream::Client(stream)))),
            Ok(Err(e)) => Err(tls::handshake_error(e)),
            Err(_) => Err(TlsError::HandshakeTimeout(timeout)),
        }
    }

    /// Run the server side of the TLS handshake on this plain connection
    /// (after the harness sent `<proceed/>`), presenting `config`'s
    /// certificate, within `timeout`. A client that sends anything but a
    /// ClientHello fails it at once, with rustls's reason.
    pub async fn accept_tls(
        self,
        config: Arc<rustls::ServerConfig>,
        timeout: Duration,
    ) -> Result<Connection, TlsError> {
        let tcp = match self {
            Connection::Plain(tcp) => tcp,
            Connection::Tls(_) => return Err(TlsError::AlreadyTls),
        };
        let handshake = TlsAcceptor::from(config).accept(tcp);
        match tokio::time::timeout(timeout, handshake).await {
            Ok(Ok(stream)) => Ok(Connection::Tls(Box::new(TlsStream::Server(stream)))),
            // Clear-text XML where the ClientHello had to be is `NotTls`.
            Ok(Err(e)) => Err(tls::handshake_error(e)),
            Err(_) => Err(TlsError::HandshakeTimeout(timeout)),
        }
    }
}

/// Wait, at most `timeout`, for a client to connect to `listener`.
pub async fn accept(
    listener: &TcpListener,
    timeout: Duration,
) -> Result<Connection, TransportError> {
    match tokio::time::timeout(timeout, listener.accept()).await {
        Ok(Ok((stream, _))) => {
            // As in `connect`: each line the harness sends must leave at once.
            let _ = stream.set_nodelay(true);
            Ok(Connection::Plain(stream))
        }
        Ok(Err(e)) => Err(TransportError::Accept(e)),
        Err(_) => Err(TransportError::AcceptTimeout { timeout }),
    }
}

/// Accept a client that starts with the TLS handshake (XEP-0368 direct
/// TLS): wait for it at most `timeout`, then handshake within `timeout`.
pub async fn accept_direct_tls(
    listener: &TcpListener,
    config: Arc<rustls::ServerConfig>,
    timeout: Duration,
) -> Result<Connection, TransportError> {
    let plain = accept(listener, timeout).await?;
    Ok(plain.accept_tls(config, timeout).await?)
}

/// Connect with TLS from the first byte (XEP-0368 direct TLS).
pub async fn connect_tls(
    target: &str,
    domain: &str,
    config: Arc<rustls::ClientConfig>,
    timeout: Duration,
) -> Result<Connection, TransportError> {
    let plain = connect(target, timeout).await?;
    Ok(plain.start_tls(domain, config, timeout).await?)
}

/// Connect over TCP to `target` (`host:port`), trying each resolved
/// address in turn, all within `timeout`.
pub async fn connect(target: &str, timeout: Duration) -> Result<Connection, TransportError> {
    let attempt = async {
        let addrs: Vec<_> = tokio::net::lookup_host(target)
            .await
            .map_err(|source| TransportError::Resolve {
                target: target.to_string(),
                source,
            })?
            .collect();
        let mut last = None;
        for addr in &addrs {
            match TcpStream::connect(addr).await {
                Ok(stream) => {
                    // Scenarios send line by line; each line must leave at once.
                    let _ = stream.set_nodelay(true);
                    return Ok(Connection::Plain(stream));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(match last {
            Some(source) => TransportError::Connect {
                target: target.to_string(),
                source,
            },
            None => TransportError::NoAddress {
                target: target.to_string(),
            },
        })
    };
    tokio::time::timeout(timeout, attempt)
        .await
        .unwrap_or_else(|_| {
            Err(TransportError::ConnectTimeout {
                target: target.to_string(),
                timeout,
            })
        })
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_flush(cx),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[async_trait::async_trait]
impl ByteIo for Connection {
    fn describe(&self) -> String {
        Connection::describe(self)
    }

    fn kind(&self) -> TransportKind {
        TransportKind::Tcp
    }

    fn is_tls(&self) -> bool {
        Connection::is_tls(self)
    }

    fn peer_certificate(&self) -> Option<Vec<u8>> {
        match self {
            Connection::Plain(_) => None,
            Connection::Tls(s) => s
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .map(|cert| cert.to_vec()),
        }
    }

    async fn upgrade(self, upgrade: TlsUpgrade, limit: Duration) -> Result<Self, TlsError> {
        match upgrade {
            TlsUpgrade::Client { domain, config } => self.start_tls(&domain, config, limit).await,
            TlsUpgrade::Server(config) => self.accept_tls(config, limit).await,
        }
    }
}
