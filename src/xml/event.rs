//! What the streaming parser yields.

use super::element::Element;
use super::error::StreamError;

/// The opening `<stream:stream>` tag and the XML declaration before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamHeader {
    /// The `<stream:stream>` element itself, with its attributes and
    /// namespace declarations and no children.
    pub element: Element,
    /// The XML declaration, if one was sent. Boxed, like `framing`: one
    /// per stream, and every event carries the field.
    pub xml_decl: Option<Box<XmlDecl>>,
    /// The RFC 7395 `<open/>` this header stands for, when the stream runs
    /// over WebSocket: transcripts show what was received, not the
    /// `<stream:stream>` the patterns are matched against. Boxed: only
    /// WebSocket streams have one, and every event carries the field.
    pub framing: Option<Box<Element>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlDecl {
    pub version: String,
    pub encoding: Option<String>,
    /// The standalone document declaration (`standalone='yes'` is
    /// `Some(true)`), kept because RFC 6120 §11.5 forbids sending one: the
    /// parser accepts it as XML does, the lint holds the peer to the rule.
    pub standalone: Option<bool>,
}

impl StreamHeader {
    /// The default (content) namespace declared on the header:
    /// `jabber:client`, `jabber:server`, ...
    pub fn content_namespace(&self) -> Option<&str> {
        self.element
            .declarations
            .iter()
            .find(|(p, _)| p.is_none())
            .map(|(_, uri)| uri.as_str())
    }
}

/// One event of an XMPP stream, in the order the bytes arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// The stream header was received.
    Open(StreamHeader),
    /// A complete first-level child of the stream (a stanza, `<stream:features>`,
    /// `<stream:error>`, a SASL or TLS negotiation element, ...).
    Element(Element),
    /// `</stream:stream>` was received.
    Close,
    /// The input broke a rule. The parser yields nothing after this.
    Error(StreamError),
}
