//! RFC 7395 with the harness's crate as the server: the reference
//! server's WebSocket listener accepts through [`accept`].
//!
//! The reference server's session writes RFC 6120's byte stream (a
//! header, features, a stream error and the closing tag, sometimes in one
//! write), exactly as over TCP; the transport is the only difference. So
//! the server side reads its own output back through the crate's stream
//! parser and sends each item as one message: the header as `<open/>`,
//! every first-level element standing alone with its namespaces declared
//! (§3.3.3), the closing tag as `<close/>`. What the client sends is read
//! as on the client side (one element per text message, else an error
//! event), plus the check only a server makes: `<open/>` and `<close/>`
//! outside the framing namespace are `invalid-namespace` (§3.3.2).
//!
//! [`Departures`] break chosen rules on purpose, for the reference
//! server's faults; the transport knows nothing of the faults themselves.

use std::time::Duration;

use tokio::time::timeout;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::xml::{
    Condition, Element, NS_CLIENT, NS_FRAMING, NS_STREAMS, ParserConfig, SmolStr, StreamError,
    StreamEvent, StreamParser, writer,
};

use super::framing;
use super::{Role, SUBPROTOCOL, WebSocket, WebSocketError};
use crate::transport::{Connection, Transport};

/// Rules of RFC 7395 the server side breaks on purpose (the reference
/// server's faults); none by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Departures {
    /// The handshake response does not echo the `xmpp` subprotocol
    /// (§3.1).
    pub no_subprotocol_echo: bool,
    /// `<open/>` in another namespace is taken as the header (§3.3.2).
    pub any_framing_namespace: bool,
    /// Messages are read as one byte stream (§3.3.3 broken): several
    /// elements in one message are taken one by one, and half of one
    /// waits for the rest in later messages.
    pub messages_as_bytes: bool,
    /// A binary message is read as if it were text (§3.2).
    pub binary_as_text: bool,
    /// A ping is answered by hanging up, without its pong (RFC 6455
    /// §5.5.2).
    pub no_pong: bool,
    /// The connection is dropped without a Close frame, neither answering
    /// the client's (RFC 6455 §5.5.1) nor starting the handshake.
    pub no_close_frame: bool,
}

/// How the server side accepts.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The HTTP path the upgrade must ask for (`/xmpp-websocket`).
    pub path: String,
    /// The whole HTTP upgrade must finish within this.
    pub handshake_timeout: Duration,
    /// The largest message (and frame) read: one element, so the
    /// parser's stanza limit.
    pub max_message_bytes: usize,
    pub departures: Departures,
}

/// What the server side keeps beyond the client side's state.
pub(super) struct ServerSide {
    /// Reads the server's own RFC 6120 output back, to reframe it.
    outgoing: StreamParser,
    departures: Departures,
    /// For [`Departures::messages_as_bytes`]: what the messages that were
    /// not one element each add up to.
    joined: Option<StreamParser>,
}

/// The server side of the opening handshake on an accepted connection:
/// the path must be `options.path` (else 404) and the client must ask
/// for the `xmpp` subprotocol (else 400, §3.1), which is echoed.
pub async fn accept(
    conn: Connection,
    options: &ServerOptions,
) -> Result<Box<dyn Transport>, WebSocketError> {
    let described = format!("websocket server side via {}", conn.describe());
    let config = WebSocketConfig::default()
        .max_message_size(Some(options.max_message_bytes))
        .max_frame_size(Some(options.max_message_bytes));
    let path = options.path.clone();
    let echo = !options.departures.no_subprotocol_echo;
    // The error type is tungstenite's callback's: an HTTP response.
    #[allow(clippy::result_large_err)]
    let check = move |request: &Request, mut response: Response| {
        if request.uri().path() != path {
            return Err(refusal(StatusCode::NOT_FOUND, "no XMPP endpoint here"));
        }
        let asks_xmpp = request
            .headers()
            .get_all("Sec-WebSocket-Protocol")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|p| p.trim() == SUBPROTOCOL);
        if !asks_xmpp {
            return Err(refusal(
                StatusCode::BAD_REQUEST,
                "RFC 7395 §3.1: ask for the xmpp subprotocol",
            ));
        }
        if echo {
            response.headers_mut().insert(
                "Sec-WebSocket-Protocol",
                HeaderValue::from_static(SUBPROTOCOL),
            );
        }
        Ok(response)
    };
    let opening = tokio_tungstenite::accept_hdr_async_with_config(conn, check, Some(config));
    let ws = match timeout(options.handshake_timeout, opening).await {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => {
            return Err(WebSocketError::Handshake {
                url: options.path.clone(),
                source: Box::new(e),
            });
        }
        Err(_) => {
            return Err(WebSocketError::HandshakeTimeout {
                url: options.path.clone(),
                timeout: options.handshake_timeout,
            });
        }
    };
    let server = ServerSide {
        outgoing: StreamParser::new(own_output()),
        departures: options.departures,
        joined: None,
    };
    Ok(Box::new(WebSocket::new(
        ws,
        described,
        false,
        Role::Server(Box::new(server)),
    )))
}

fn refusal(status: StatusCode, why: &str) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(why.to_string()));
    *response.status_mut() = status;
    response
}

/// The parser that reads the server's own output: any content namespace
/// and no size limit worth the name, since it is our own text.
fn own_output() -> ParserConfig {
    ParserConfig {
        content_namespaces: Vec::new(),
        max_stanza_bytes: 16 * 1024 * 1024,
        ..ParserConfig::default()
    }
}

impl ServerSide {
    /// One write of the server's RFC 6120 stream as the messages that
    /// stand for it. A new header starts a new stream (after SASL): the
    /// reader starts over with it. Text the reader refuses (a fault's
    /// wrong stream namespace) goes out as written, one message, which
    /// the client sees for what it is.
    pub(super) fn reframe(&mut self, bytes: &[u8]) -> Vec<String> {
        let starts_stream = {
            let text = bytes.trim_ascii_start();
            text.starts_with(b"<?xml") || text.starts_with(b"<stream:stream")
        };
        if starts_stream {
            self.outgoing.reset();
        }
        let mut events = Vec::new();
        self.outgoing.feed(bytes, &mut events);
        let mut messages = Vec::with_capacity(events.len());
        for event in events {
            match event {
                StreamEvent::Open(header) => messages.push(open(header.element.attrs)),
                StreamEvent::Element(element) => messages.push(standalone(element)),
                StreamEvent::Close => messages.push(close()),
                StreamEvent::Error(_) => {
                    self.outgoing.reset();
                    return vec![String::from_utf8_lossy(bytes).into_owned()];
                }
            }
        }
        messages
    }

    /// A received text message as the session's event: as on the client
    /// side, and `<open/>` or `<close/>` outside the framing namespace is
    /// `invalid-namespace` (§3.3.2) unless the departure takes it anyway;
    /// a message that is not one element is an error unless the departure
    /// reads messages as one byte stream.
    pub(super) fn incoming(&mut self, text: &str, offset: u64) -> Vec<StreamEvent> {
        let event = framing::incoming(text, offset);
        match event {
            StreamEvent::Element(e) if matches!(e.name.as_str(), "open" | "close") => {
                if self.departures.any_framing_namespace {
                    vec![framing::incoming(&reframed(&e), offset)]
                } else {
                    vec![StreamEvent::Error(StreamError {
                        condition: Condition::InvalidNamespace,
                        offset,
                        detail: format!(
                            "<{}/> in namespace '{}', not '{NS_FRAMING}' (RFC 7395 §3.3.2)",
                            e.name, e.ns
                        ),
                    })]
                }
            }
            StreamEvent::Error(_) if self.departures.messages_as_bytes => {
                let joined = self.joined.get_or_insert_with(|| {
                    let mut parser = StreamParser::new(ParserConfig::default());
                    let header =
                        format!("<stream:stream xmlns='{NS_CLIENT}' xmlns:stream='{NS_STREAMS}'>");
                    parser.feed(header.as_bytes(), &mut Vec::new());
                    parser
                });
                let mut events = Vec::new();
                joined.feed(text.as_bytes(), &mut events);
                events
            }
            event => vec![event],
        }
    }

    /// Whether a ping is answered by hanging up (a departure).
    pub(super) fn no_pong(&self) -> bool {
        self.departures.no_pong
    }

    /// Whether the connection ends without a Close frame (a departure).
    pub(super) fn no_close_frame(&self) -> bool {
        self.departures.no_close_frame
    }

    /// Whether a binary message is read as text (a departure).
    pub(super) fn binary_as_text(&self) -> bool {
        self.departures.binary_as_text
    }
}

/// `<open/>` or `<close/>` moved into the framing namespace, for the
/// departure that accepts any.
fn reframed(e: &Element) -> String {
    let moved = Element {
        declarations: vec![(None, SmolStr::new(NS_FRAMING))],
        attrs: e.attrs.clone(),
        ..Element::new(NS_FRAMING, e.name.as_str())
    };
    writer::to_xml(&moved)
}

fn open(attrs: Vec<crate::xml::Attribute>) -> String {
    framing::framing_element("open", NS_FRAMING, attrs)
}

fn close() -> String {
    framing::framing_element("close", NS_FRAMING, Vec::new())
}

/// A first-level element with the namespaces it inherited from the
/// server's header declared on it (§3.3.3).
fn standalone(mut element: Element) -> String {
    let declares = |e: &Element, prefix: Option<&str>| {
        e.declarations.iter().any(|(p, _)| p.as_deref() == prefix)
    };
    if !declares(&element, None) {
        element.declarations.push((None, SmolStr::new(NS_CLIENT)));
    }
    if element.prefix.as_deref() == Some("stream") && !declares(&element, Some("stream")) {
        element
            .declarations
            .push((Some(SmolStr::new("stream")), SmolStr::new(NS_STREAMS)));
    }
    writer::to_xml(&element)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(departures: Departures) -> ServerSide {
        ServerSide {
            outgoing: StreamParser::new(own_output()),
            departures,
            joined: None,
        }
    }

    #[test]
    fn the_servers_stream_becomes_one_message_per_item() {
        let mut s = side(Departures::default());
        let out = s.reframe(
            b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
              xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='a1' \
              version='1.0' xml:lang='en'>",
        );
        assert_eq!(out.len(), 1, "{out:?}");
        let StreamEvent::Open(h) = framing::incoming(&out[0], 0) else {
            panic!("{out:?}")
        };
        assert_eq!(h.element.attr("id"), Some("a1"));
        let out = s.reframe(
            b"<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
              </stream:error></stream:stream>",
        );
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(
            matches!(framing::incoming(&out[0], 0), StreamEvent::Element(e) if e.name == "error" && e.ns == NS_STREAMS)
        );
        assert_eq!(framing::incoming(&out[1], 0), StreamEvent::Close);
        // A new stream after SASL.
        let out = s.reframe(
            b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
              xmlns:stream='http://etherx.jabber.org/streams' id='a2'>\
              <stream:features/>",
        );
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(
            matches!(framing::incoming(&out[1], 0), StreamEvent::Element(e) if e.name == "features")
        );
    }

    #[test]
    fn open_outside_the_framing_namespace_is_invalid_namespace() {
        let mut s = side(Departures::default());
        let events = s.incoming("<open xmlns='urn:example:wrong' to='x' version='1.0'/>", 0);
        assert!(
            matches!(&events[..], [StreamEvent::Error(e)] if e.condition == Condition::InvalidNamespace),
            "{events:?}"
        );
        let mut lax = side(Departures {
            any_framing_namespace: true,
            ..Departures::default()
        });
        let events = lax.incoming("<open xmlns='urn:example:wrong' to='x' version='1.0'/>", 0);
        assert!(matches!(&events[..], [StreamEvent::Open(_)]), "{events:?}");
    }

    #[test]
    fn messages_that_are_not_one_element() {
        let text = "<presence xmlns='jabber:client'/><presence xmlns='jabber:client'/>";
        let strict = side(Departures::default()).incoming(text, 0);
        assert!(matches!(&strict[..], [StreamEvent::Error(_)]), "{strict:?}");
        let mut lax = side(Departures {
            messages_as_bytes: true,
            ..Departures::default()
        });
        assert_eq!(lax.incoming(text, 0).len(), 2);
        // Half an element waits for the rest.
        assert!(
            lax.incoming("<message xmlns='jabber:client'>", 0)
                .is_empty()
        );
        let rest = lax.incoming("<body>hi</body></message>", 0);
        assert!(
            matches!(&rest[..], [StreamEvent::Element(e)] if e.name == "message"),
            "{rest:?}"
        );
    }
}
