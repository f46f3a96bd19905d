//! The byte pipe between the harness and the peer under test.
//!
//! Plain TCP, or TLS over it ([`tls`]): STARTTLS upgrades a plain
//! connection in place, direct TLS starts with the handshake. Both are
//! variants of [`Connection`], so the engine reads and writes without
//! knowing which one it talks through.

pub mod tls;

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

pub use tls::{TlsError, Verification};

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
    #[error(transparent)]
    Tls(#[from] TlsError),
}

/// An open connection to the peer.
#[derive(Debug)]
pub enum Connection {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Connection {
    /// A short description for the transcript: `tcp 127.0.0.1:5222`, or
    /// `TLSv1_3 TLS13_AES_256_GCM_SHA384 over tcp 127.0.0.1:5222`.
    pub fn describe(&self) -> String {
        let tcp = |s: &TcpStream| match s.peer_addr() {
            Ok(addr) => format!("tcp {addr}"),
            Err(_) => "tcp".to_string(),
        };
        match self {
            Connection::Plain(s) => tcp(s),
            Connection::Tls(s) => {
                let (inner, session) = s.get_ref();
                let version = session
                    .protocol_version()
                    .map_or("TLS".to_string(), |v| format!("{v:?}"));
                let suite = session
                    .negotiated_cipher_suite()
                    .map_or("?".to_string(), |c| format!("{:?}", c.suite()));
                format!("{version} {suite} over {}", tcp(inner))
            }
        }
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
            Ok(Ok(stream)) => Ok(Connection::Tls(Box::new(stream))),
            Ok(Err(e)) => Err(TlsError::Handshake(e)),
            Err(_) => Err(TlsError::HandshakeTimeout(timeout)),
        }
    }
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
