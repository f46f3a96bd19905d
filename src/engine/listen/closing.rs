//! A client's connection that ends its stream cleanly.
//!
//! When a scenario is over, the harness (the client's server) still has
//! its stream open unless the scenario closed it. Cutting the TCP
//! connection without `</stream:stream>` looks like a network fault to a
//! client (RFC 6120 §4.4 closes a stream with the closing tag first), and
//! clients that reconnect on their own (aioxmpp, poezio) then try again,
//! which is not what they were started for. So the harness's own stream is
//! closed with its tag before the connection is shut down.
//!
//! Whether the harness's stream is open is read from what it sent: a
//! `<stream:stream` header opens it, `</stream:stream>` closes it. The
//! client scenarios write the stream prefix `stream:`; a scenario with
//! another prefix gets no closing tag, only the shutdown, as before.

use std::time::Duration;

use tokio::time::Instant;

use crate::transport::{Incoming, SendError, TlsError, TlsUpgrade, Transport, TransportKind};

const OPEN: &[u8] = b"<stream:stream";
const CLOSE: &[u8] = b"</stream:stream>";

/// The client's connection, closing the harness's stream at shutdown.
pub(super) struct ClosingStream {
    inner: Box<dyn Transport>,
    /// The harness sent a stream header and no closing tag after it.
    open: bool,
}

impl ClosingStream {
    pub(super) fn wrap(inner: Box<dyn Transport>) -> Box<dyn Transport> {
        Box::new(ClosingStream { inner, open: false })
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[async_trait::async_trait]
impl Transport for ClosingStream {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn kind(&self) -> TransportKind {
        self.inner.kind()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }

    fn carries_raw_bytes(&self) -> bool {
        self.inner.carries_raw_bytes()
    }

    async fn send(&mut self, bytes: &[u8], limit: Duration) -> Result<(), SendError> {
        self.inner.send(bytes, limit).await?;
        if contains(bytes, CLOSE) {
            self.open = false;
        } else if contains(bytes, OPEN) {
            self.open = true;
        }
        Ok(())
    }

    async fn next(&mut self, deadline: Instant) -> Incoming {
        self.inner.next(deadline).await
    }

    fn restart(&mut self) {
        self.inner.restart();
    }

    fn has_unread(&self) -> bool {
        self.inner.has_unread()
    }

    async fn start_tls(&mut self, upgrade: TlsUpgrade, limit: Duration) -> Result<(), TlsError> {
        // The stream over TLS is a new one; its header is sent afterwards.
        self.open = false;
        self.inner.start_tls(upgrade, limit).await
    }

    /// `</stream:stream>` first if the harness's stream is open (a client
    /// that already went away makes that write fail, which changes
    /// nothing), then the shutdown.
    async fn shutdown(&mut self, limit: Duration) {
        if self.open {
            self.open = false;
            let _ = self.inner.send(CLOSE, limit).await;
        }
        self.inner.shutdown(limit).await;
    }

    async fn drain(&mut self, linger: Duration) {
        self.inner.drain(linger).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{ByteStream, memory};
    use crate::xml::{ParserConfig, StreamEvent};

    const HEADER: &[u8] = b"<stream:stream from='x' xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams'>";

    /// How many closing tags the far end of a memory pipe reads after the
    /// near end sent `sent` and shut down.
    async fn closes_after(sent: &[&[u8]]) -> usize {
        let (near, far) = memory::pipe();
        let mut near = ClosingStream::wrap(ByteStream::new(near, ParserConfig::default()).boxed());
        let mut far = ByteStream::new(far, ParserConfig::default());
        let limit = Duration::from_secs(1);
        for bytes in sent {
            near.send(bytes, limit).await.expect("send");
        }
        near.shutdown(limit).await;
        let deadline = Instant::now() + limit;
        let mut closes = 0;
        while let Incoming::Event(event) = far.next(deadline).await {
            closes += usize::from(matches!(event, StreamEvent::Close));
        }
        closes
    }

    #[tokio::test]
    async fn an_open_stream_is_closed_with_its_tag() {
        assert_eq!(closes_after(&[HEADER, b"<features/>"]).await, 1);
    }

    #[tokio::test]
    async fn a_closed_stream_gets_no_second_tag() {
        assert_eq!(closes_after(&[HEADER, CLOSE]).await, 1);
    }
}
