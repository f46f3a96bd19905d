//! XMPP over WebSocket (RFC 7395), the harness as the client: `--target
//! ws://host:port/path` or `wss://…`.
//!
//! The stream is framed by the transport itself, one XMPP element per
//! WebSocket text message, so it implements [`Transport`] directly rather
//! than through the byte loop of [`super::ByteStream`]: `framing` turns a
//! scenario's lines into messages (a header into `<open/>`, the closing
//! tag into `<close/>`) and each received message into one stream event.
//! Lines with no WebSocket equivalent (broken XML, split writes) are
//! refused with [`SendError::Unsupported`], which skips the scenario.
//!
//! The WebSocket protocol is tokio-tungstenite's, run over the crate's own
//! [`Connection`]: TCP, or TLS with the run's rustls configuration
//! (`--ca`, `--insecure`, client certificates), so `wss://` verifies
//! certificates exactly as direct TLS does. The server's name is the
//! URL's host, as for any `https` or `wss` URL.

mod framing;
mod server;
#[cfg(test)]
mod tests;

pub use server::{Departures, ServerOptions, accept};

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::time::{Instant, timeout, timeout_at};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::xml::{Condition, ParserConfig, StreamError, StreamEvent};

use super::byte_stream::is_disconnect;
use super::{
    Connection, Connector, Incoming, MessageKind, SendError, TlsError, TlsUpgrade, Transport,
    TransportError, TransportKind,
};

/// The subprotocol RFC 7395 §3.1 registers, which the client requests and
/// the server must echo.
const SUBPROTOCOL: &str = "xmpp";
/// Most messages read and thrown away by [`Transport::drain`].
const DRAIN_MESSAGES: usize = 64;

/// Why a WebSocket to the server could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum WebSocketError {
    #[error("`{url}` is not a ws:// or wss:// URL: {why}")]
    Url { url: String, why: String },
    /// The server answered the handshake without the `xmpp` subprotocol:
    /// not an XMPP stream at all, whatever follows.
    #[error(
        "the server did not accept the `xmpp` subprotocol ({why}); RFC 7395 §3.1: without it \
         no XMPP stream exists and the client MUST close the connection"
    )]
    Subprotocol { why: String },
    #[error("the WebSocket handshake with {url} failed: {source}")]
    Handshake {
        url: String,
        source: Box<tungstenite::Error>,
    },
    #[error("the WebSocket handshake with {url} did not finish within {timeout:?}")]
    HandshakeTimeout { url: String, timeout: Duration },
}

impl WebSocketError {
    /// Whether the server broke a rule (rather than being unreachable):
    /// the scenario fails instead of ending in an error.
    pub fn is_peer_violation(&self) -> bool {
        matches!(self, WebSocketError::Subprotocol { .. })
    }
}

/// A `ws://` or `wss://` target, checked once when the run starts.
#[derive(Debug, Clone)]
pub struct WebSocketTarget {
    /// The URL as given.
    pub url: String,
    /// Its host, without brackets: the default XMPP domain and, for
    /// `wss`, the name the certificate must carry.
    pub host: String,
    /// `host:port` to connect to.
    address: String,
    pub secure: bool,
}

impl WebSocketTarget {
    /// `None` when `target` is not a WebSocket URL at all (then it is a
    /// TCP `host:port`); an error when it is one but malformed.
    pub fn parse(target: &str) -> Option<Result<WebSocketTarget, WebSocketError>> {
        let parsed = super::url_target::parse(target, "wss", "ws")?;
        Some(
            parsed
                .map_err(|why| WebSocketError::Url {
                    url: target.to_string(),
                    why,
                })
                .map(|t| WebSocketTarget {
                    url: target.to_string(),
                    host: t.host,
                    address: t.address,
                    secure: t.secure,
                }),
        )
    }
}

/// Opens a WebSocket stream to the target for each connection of a
/// scenario.
#[derive(Debug)]
pub struct WebSocketConnector {
    target: WebSocketTarget,
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
}

impl WebSocketConnector {
    pub fn new(target: WebSocketTarget, tls: Arc<rustls::ClientConfig>, timeout: Duration) -> Self {
        WebSocketConnector {
            target,
            tls,
            timeout,
        }
    }
}

#[async_trait::async_trait]
impl Connector for WebSocketConnector {
    fn kind(&self) -> TransportKind {
        TransportKind::WebSocket
    }

    async fn connect(&self, parser: ParserConfig) -> Result<Box<dyn Transport>, TransportError> {
        let target = &self.target;
        let conn = if target.secure {
            let tls = Arc::clone(&self.tls);
            super::connect_tls(&target.address, &target.host, tls, self.timeout).await?
        } else {
            super::connect(&target.address, self.timeout).await?
        };
        let described = conn.describe();
        let ws = handshake(target, conn, &parser, self.timeout).await?;
        let described = format!(
            "websocket {} (subprotocol xmpp) via {described}",
            target.url
        );
        Ok(Box::new(WebSocket::new(
            ws,
            described,
            target.secure,
            Role::Client,
        )))
    }
}

/// The opening handshake, asking for the `xmpp` subprotocol; tungstenite
/// refuses a response that does not echo it, which is reported as the
/// server's fault.
async fn handshake(
    target: &WebSocketTarget,
    conn: Connection,
    parser: &ParserConfig,
    limit: Duration,
) -> Result<WebSocketStream<Connection>, WebSocketError> {
    let url = target.url.clone();
    let failed = |source: WsError| match source {
        WsError::Protocol(ProtocolError::SecWebSocketSubProtocolError(e)) => {
            WebSocketError::Subprotocol { why: e.to_string() }
        }
        source => WebSocketError::Handshake {
            url: url.clone(),
            source: Box::new(source),
        },
    };
    let mut request = target.url.as_str().into_client_request().map_err(failed)?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
    // A message carries one element: the parser's stanza limit bounds it.
    let config = WebSocketConfig::default()
        .max_message_size(Some(parser.max_stanza_bytes))
        .max_frame_size(Some(parser.max_stanza_bytes));
    let opening = tokio_tungstenite::client_async_with_config(request, conn, Some(config));
    match timeout(limit, opening).await {
        Ok(Ok((ws, _response))) => Ok(ws),
        Ok(Err(e)) => Err(failed(e)),
        Err(_) => Err(WebSocketError::HandshakeTimeout {
            url: target.url.clone(),
            timeout: limit,
        }),
    }
}

/// Which end of the WebSocket this is: the harness's client, or the
/// reference server's side with what only it needs.
enum Role {
    Client,
    Server(Box<server::ServerSide>),
}

/// One XMPP stream over a WebSocket, either role.
struct WebSocket {
    ws: WebSocketStream<Connection>,
    role: Role,
    described: String,
    tls: bool,
    pending: VecDeque<StreamEvent>,
    /// Why the peer's side ended, once it has.
    ended: Option<String>,
    /// Bytes of text received, for the offsets of errors.
    received: u64,
    /// What the last write put on the wire, when it differs from the line.
    note: Option<String>,
}

impl WebSocket {
    fn new(ws: WebSocketStream<Connection>, described: String, tls: bool, role: Role) -> Self {
        WebSocket {
            ws,
            role,
            described,
            tls,
            pending: VecDeque::new(),
            ended: None,
            received: 0,
            note: None,
        }
    }

    fn end(&mut self, why: String) {
        if self.ended.is_none() {
            self.ended = Some(why);
        }
    }

    fn receive(&mut self, message: Message) {
        match message {
            Message::Binary(bytes) if matches!(&self.role, Role::Server(s) if s.binary_as_text()) =>
            {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                self.receive(Message::text(text));
            }
            Message::Text(text) => {
                match &mut self.role {
                    Role::Client => self
                        .pending
                        .push_back(framing::incoming(text.as_str(), self.received)),
                    Role::Server(server) => self
                        .pending
                        .extend(server.incoming(text.as_str(), self.received)),
                }
                self.received += text.len() as u64;
            }
            Message::Binary(bytes) => {
                self.pending
                    .push_back(framing::binary(bytes.len(), self.received));
                self.received += bytes.len() as u64;
            }
            Message::Close(frame) => self.end(match frame {
                Some(f) => format!("the peer closed the WebSocket ({} {})", f.code, f.reason),
                None => "the peer closed the WebSocket".to_string(),
            }),
            // The departure: a ping ends the connection before the pong
            // tungstenite queued goes out (on the next read, never made).
            Message::Ping(_) if matches!(&self.role, Role::Server(s) if s.no_pong()) => {
                self.end("a ping, answered by hanging up (a fault)".to_string())
            }
            // tungstenite answers pings itself; pongs and raw frames
            // carry nothing for the stream.
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
    }

    /// Send a ping and wait, until `limit`, for the pong with the same
    /// data; what else arrives meanwhile is kept for [`Transport::next`].
    async fn ping(&mut self, data: &[u8], limit: Duration) -> Result<(), SendError> {
        let deadline = Instant::now() + limit;
        match timeout_at(deadline, self.ws.send(Message::Ping(data.to_vec().into()))).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(SendError::Io(io::Error::other(e))),
            Err(_) => return Err(SendError::Timeout(limit)),
        }
        for _ in 0..DRAIN_MESSAGES {
            match timeout_at(deadline, self.ws.next()).await {
                Err(_) => return Err(SendError::NoPong(format!("nothing within {limit:?}"))),
                Ok(Some(Ok(Message::Pong(pong)))) if pong.as_ref() == data => return Ok(()),
                Ok(Some(Ok(message))) => self.receive(message),
                Ok(Some(Err(e))) => {
                    let why = format!("the WebSocket failed: {e}");
                    let _ = self.read_failed(e);
                    return Err(SendError::NoPong(why));
                }
                Ok(None) => {
                    self.end("the peer closed the connection".to_string());
                    return Err(SendError::NoPong("the peer closed the connection".into()));
                }
            }
            if let Some(why) = &self.ended {
                return Err(SendError::NoPong(why.clone()));
            }
        }
        Err(SendError::NoPong(format!(
            "{DRAIN_MESSAGES} other messages and no pong"
        )))
    }

    /// Start the closing handshake with a Close frame (code 1000, `reason`
    /// its reason) and wait, until `limit`, for the peer's Close; what
    /// else arrives meanwhile is kept for [`Transport::next`].
    async fn close_handshake(&mut self, reason: &[u8], limit: Duration) -> Result<(), SendError> {
        let Ok(reason) = std::str::from_utf8(reason) else {
            return Err(SendError::Unsupported {
                transport: TransportKind::WebSocket,
                why: "a Close frame's reason must be UTF-8 (RFC 6455 §5.5.1)".to_string(),
            });
        };
        let frame = tungstenite::protocol::CloseFrame {
            code: tungstenite::protocol::frame::coding::CloseCode::Normal,
            reason: reason.to_owned().into(),
        };
        let deadline = Instant::now() + limit;
        match timeout_at(deadline, self.ws.send(Message::Close(Some(frame)))).await {
            Ok(Ok(())) => {}
            Ok(Err(WsError::ConnectionClosed | WsError::AlreadyClosed)) => {
                return Err(SendError::Gone);
            }
            Ok(Err(e)) => return Err(SendError::Io(io::Error::other(e))),
            Err(_) => return Err(SendError::Timeout(limit)),
        }
        for _ in 0..DRAIN_MESSAGES {
            let why = match timeout_at(deadline, self.ws.next()).await {
                Err(_) => format!("no Close frame within {limit:?}"),
                Ok(Some(Ok(Message::Close(frame)))) => {
                    self.receive(Message::Close(frame));
                    return Ok(());
                }
                Ok(Some(Ok(message))) => {
                    self.receive(message);
                    continue;
                }
                Ok(Some(Err(e))) => {
                    let why = format!("the connection ended without one: {e}");
                    let _ = self.read_failed(e);
                    why
                }
                Ok(None) => {
                    self.end("the peer closed the connection".to_string());
                    "the peer closed the connection without one".to_string()
                }
            };
            return Err(SendError::NoCloseReply(why));
        }
        Err(SendError::NoCloseReply(format!(
            "{DRAIN_MESSAGES} other messages and no Close frame"
        )))
    }

    /// The departure: the server's side ends by dropping the connection,
    /// with no Close frame of its own or in answer.
    fn drops_without_close(&self) -> bool {
        matches!(&self.role, Role::Server(s) if s.no_close_frame())
    }

    /// A read that failed: the peer went away, broke the WebSocket
    /// protocol (an error event, then the end), or reading failed.
    fn read_failed(&mut self, e: WsError) -> Option<Incoming> {
        match e {
            WsError::ConnectionClosed | WsError::AlreadyClosed => {
                self.end("the peer closed the connection".to_string())
            }
            WsError::Io(e) if is_disconnect(&e) => {
                self.end(format!("the connection was lost: {e}"))
            }
            WsError::Io(e) => return Some(Incoming::Failed(e)),
            e => {
                let condition = match e {
                    WsError::Capacity(_) => Condition::PolicyViolation,
                    _ => Condition::NotWellFormed,
                };
                self.pending.push_back(StreamEvent::Error(StreamError {
                    condition,
                    offset: self.received,
                    detail: format!("the WebSocket broke (RFC 6455): {e}"),
                }));
                self.end(format!("the WebSocket failed: {e}"));
            }
        }
        None
    }
}

#[async_trait::async_trait]
impl Transport for WebSocket {
    fn describe(&self) -> String {
        self.described.clone()
    }

    fn kind(&self) -> TransportKind {
        TransportKind::WebSocket
    }

    fn is_tls(&self) -> bool {
        self.tls
    }

    fn carries_raw_bytes(&self) -> bool {
        false
    }

    async fn send(&mut self, bytes: &[u8], limit: Duration) -> Result<(), SendError> {
        let messages = match &mut self.role {
            Role::Server(server) => server.reframe(bytes),
            Role::Client => {
                let out = framing::outgoing(bytes).map_err(|why| SendError::Unsupported {
                    transport: TransportKind::WebSocket,
                    why,
                })?;
                self.note = out.note;
                vec![out.text]
            }
        };
        let sending = async {
            for text in messages {
                self.ws.feed(Message::text(text)).await?;
            }
            self.ws.flush().await
        };
        match timeout(limit, sending).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(WsError::Io(e))) => Err(SendError::Io(e)),
            Ok(Err(WsError::ConnectionClosed | WsError::AlreadyClosed)) => Err(SendError::Gone),
            Ok(Err(e)) => Err(SendError::Io(io::Error::other(e))),
            Err(_) => Err(SendError::Timeout(limit)),
        }
    }

    fn sent_as(&mut self) -> Option<String> {
        self.note.take()
    }

    async fn send_message(
        &mut self,
        kind: MessageKind,
        bytes: &[u8],
        limit: Duration,
    ) -> Result<(), SendError> {
        let message = match kind {
            MessageKind::Ping => return self.ping(bytes, limit).await,
            MessageKind::Close => return self.close_handshake(bytes, limit).await,
            MessageKind::Binary => Message::binary(bytes.to_vec()),
            MessageKind::Payload => match std::str::from_utf8(bytes) {
                Ok(text) => Message::text(text),
                Err(_) => Message::binary(bytes.to_vec()),
            },
            MessageKind::Text => match std::str::from_utf8(bytes) {
                Ok(text) => Message::text(text),
                Err(_) => {
                    return Err(SendError::Unsupported {
                        transport: TransportKind::WebSocket,
                        why: "a text message must be UTF-8 (RFC 6455 §5.6)".to_string(),
                    });
                }
            },
            MessageKind::HttpRequest => {
                return Err(SendError::Unsupported {
                    transport: TransportKind::WebSocket,
                    why: "it carries WebSocket messages, not HTTP requests".to_string(),
                });
            }
        };
        match timeout(limit, self.ws.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(WsError::Io(e))) => Err(SendError::Io(e)),
            Ok(Err(WsError::ConnectionClosed | WsError::AlreadyClosed)) => Err(SendError::Gone),
            Ok(Err(e)) => Err(SendError::Io(io::Error::other(e))),
            Err(_) => Err(SendError::Timeout(limit)),
        }
    }

    async fn next(&mut self, deadline: Instant) -> Incoming {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Incoming::Event(event);
            }
            if let Some(why) = &self.ended {
                return Incoming::Closed(why.clone());
            }
            // The stream keeps a partly read frame inside itself, so a
            // wait that is cancelled loses nothing.
            match timeout_at(deadline, self.ws.next()).await {
                Err(_) => return Incoming::Timeout,
                Ok(None) => self.end("the peer closed the connection".to_string()),
                Ok(Some(Ok(message))) => self.receive(message),
                Ok(Some(Err(e))) => {
                    if let Some(incoming) = self.read_failed(e) {
                        return incoming;
                    }
                }
            }
        }
    }

    fn restart(&mut self) {
        // Each message is parsed on its own: nothing to reset but what
        // the old stream left unread.
        self.pending.clear();
    }

    fn has_unread(&self) -> bool {
        !self.pending.is_empty()
    }

    async fn start_tls(&mut self, _: TlsUpgrade, _: Duration) -> Result<(), TlsError> {
        // RFC 7395 §3.9: TLS is the wss:// URL's, never STARTTLS.
        Err(TlsError::NotSupported(TransportKind::WebSocket))
    }

    async fn shutdown(&mut self, limit: Duration) {
        if self.drops_without_close() {
            return;
        }
        let _ = timeout(limit, self.ws.close(None)).await;
    }

    async fn drain(&mut self, linger: Duration) {
        // Reading would send the Close frame tungstenite queued in answer
        // to the client's.
        if self.drops_without_close() {
            return;
        }
        let deadline = Instant::now() + linger;
        for _ in 0..DRAIN_MESSAGES {
            match timeout_at(deadline, self.ws.next()).await {
                Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) | Err(_) => break,
                Ok(Some(Ok(_))) => {}
            }
        }
    }
}
