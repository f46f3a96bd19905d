//! The byte pipe between the harness and the peer under test.
//!
//! Plain TCP today. TLS (STARTTLS upgrade in place, direct TLS) joins as
//! further variants of [`Connection`], so the engine never needs to know
//! which one it is talking through.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

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
}

/// An open connection to the peer.
#[derive(Debug)]
pub enum Connection {
    Plain(TcpStream),
}

impl Connection {
    /// A short description for the transcript (`tcp 127.0.0.1:5222`).
    pub fn describe(&self) -> String {
        match self {
            Connection::Plain(s) => match s.peer_addr() {
                Ok(addr) => format!("tcp {addr}"),
                Err(_) => "tcp".to_string(),
            },
        }
    }
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
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}
