//! An in-memory transport: two ends of a byte pipe in one process, with no
//! socket. The unit tests run the engine against the reference server over
//! it, and it is the proof that a transport is one module: this file
//! implements [`ByteIo`] for a tokio duplex pipe (and [`Connector`], to
//! reach a server through it). It has no TLS.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};

use crate::xml::ParserConfig;

use super::{
    ByteIo, ByteStream, Connector, TlsError, TlsUpgrade, Transport, TransportError, TransportKind,
};

/// Bytes one direction of the pipe holds before a write waits.
const CAPACITY: usize = 64 * 1024;

/// One end of the pipe.
#[derive(Debug)]
pub struct MemoryPipe {
    io: DuplexStream,
    /// Which end, for transcripts.
    end: &'static str,
}

/// Two connected ends: what one writes, the other reads. Wrap each in a
/// [`super::ByteStream`] (the reference server wraps its own).
pub fn pipe() -> (MemoryPipe, MemoryPipe) {
    let (client, server) = tokio::io::duplex(CAPACITY);
    (
        MemoryPipe {
            io: client,
            end: "client",
        },
        MemoryPipe {
            io: server,
            end: "server",
        },
    )
}

#[async_trait::async_trait]
impl ByteIo for MemoryPipe {
    fn describe(&self) -> String {
        format!("memory pipe ({} end)", self.end)
    }

    fn kind(&self) -> TransportKind {
        TransportKind::Memory
    }

    fn is_tls(&self) -> bool {
        false
    }

    async fn upgrade(self, _: TlsUpgrade, _: Duration) -> Result<Self, TlsError> {
        Err(TlsError::NotSupported(TransportKind::Memory))
    }
}

impl AsyncRead for MemoryPipe {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for MemoryPipe {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

/// Reaches a server in the same process: each connection is a new pipe
/// whose server end is handed to `serve` (the reference server's
/// `ServerHandle::serve`, say).
pub struct MemoryConnector<F> {
    serve: F,
}

impl<F: Fn(MemoryPipe) + Send + Sync> MemoryConnector<F> {
    pub fn new(serve: F) -> Self {
        MemoryConnector { serve }
    }
}

impl<F> std::fmt::Debug for MemoryConnector<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryConnector")
    }
}

#[async_trait::async_trait]
impl<F: Fn(MemoryPipe) + Send + Sync> Connector for MemoryConnector<F> {
    fn kind(&self) -> TransportKind {
        TransportKind::Memory
    }

    async fn connect(&self, parser: ParserConfig) -> Result<Box<dyn Transport>, TransportError> {
        let (client, server) = pipe();
        (self.serve)(server);
        Ok(ByteStream::new(client, parser).boxed())
    }
}
