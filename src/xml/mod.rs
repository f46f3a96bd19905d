//! The streaming parser for XMPP's restricted XML (RFC 6120 §11).
//!
//! Bytes arrive in arbitrary chunks; [`StreamParser::feed`] turns them into
//! [`StreamEvent`]s: the stream header, each complete first-level element,
//! the stream close, or a [`StreamError`] naming the RFC 6120 condition.
//! See `ARCHITECTURE.md` for why it is a byte framer in front of quick-xml.

pub mod element;
pub mod error;
pub mod event;
mod parser;
pub mod writer;

pub use element::{Attribute, Element, Node};
pub use error::{Condition, StreamError};
pub use event::{StreamEvent, StreamHeader, XmlDecl};
pub use parser::{ParserConfig, StreamParser};

/// `http://etherx.jabber.org/streams`, the namespace of `<stream:stream>`.
pub const NS_STREAMS: &str = "http://etherx.jabber.org/streams";
/// `urn:ietf:params:xml:ns:xmpp-streams`, the namespace of stream error conditions.
pub const NS_STREAM_ERRORS: &str = "urn:ietf:params:xml:ns:xmpp-streams";
/// `jabber:client`, the content namespace of client-to-server streams.
pub const NS_CLIENT: &str = "jabber:client";
/// `jabber:server`, the content namespace of server-to-server streams.
pub const NS_SERVER: &str = "jabber:server";
/// The namespace bound to the `xml` prefix by definition.
pub const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

mod tree;
pub use tree::{NamespaceScope, parse_element};
