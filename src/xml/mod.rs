//! The streaming parser for XMPP's restricted XML (RFC 6120 §11).
//!
//! Bytes arrive in arbitrary chunks; [`StreamParser::feed`] turns them into
//! [`StreamEvent`]s: the stream header, each complete first-level element,
//! the stream close, or a [`StreamError`] naming the RFC 6120 condition.
//! See `ARCHITECTURE.md` for why it is a byte framer in front of quick-xml.
//!
//! How the work is split, in the order bytes flow:
//!
//! - `utf8`: checks the bytes are XML characters in UTF-8, across chunk
//!   boundaries (RFC 6120 §11.6).
//! - `framer` (with `byteset`): finds where the declaration, the header and each first-level
//!   element end, scanning each byte once; enforces the size, depth,
//!   attribute and whitespace limits; refuses comments, PIs, DTDs and a
//!   mid-stream `<?xml` as the bytes arrive.
//! - `header`: the XML declaration, `<stream:stream>` and its close.
//! - `tree` (with `attrs`, `unescape`, `ns`, `chars`): one element's text
//!   to an [`Element`], through quick-xml's tokenizer; also
//!   [`parse_element`] for scenario patterns.
//! - `parser`: [`StreamParser`], gluing the above.
//! - [`writer`]: [`Element`] back to text, compact or pretty.
//! - [`namespaces`]: every namespace URI the crate names, once.
//! - [`conditions`]: the stream and stanza error conditions RFC 6120
//!   defines, once.

mod attrs;
mod byteset;
mod chars;
pub mod conditions;
pub mod element;
pub mod error;
pub mod event;
mod framer;
mod header;
pub mod namespaces;
mod ns;
mod parser;
mod unescape;
mod utf8;
pub mod writer;

pub use element::{Attribute, Element, Node};
pub use error::{Condition, StreamError};
pub use event::{StreamEvent, StreamHeader, XmlDecl};
pub use namespaces::*;
pub use parser::{ParserConfig, StreamParser};
/// The string type of [`Element`]'s names, values and text.
pub use smol_str::SmolStr;

mod tree;
pub use tree::{MAX_TREE_DEPTH, NamespaceScope, parse_element};
