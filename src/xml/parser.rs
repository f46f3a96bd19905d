//! [`StreamParser`]: bytes in arbitrary chunks in, [`StreamEvent`]s out.
//!
//! Three stages, each looking at a byte once: `utf8` checks the bytes are
//! XML characters in UTF-8 (holding back a character cut by the chunk
//! boundary), `framer` finds where the declaration, the header and each
//! first-level element end while enforcing the limits, and each complete
//! unit is parsed once (`header`, `tree`). Every decision depends only on
//! the bytes and their offsets, never on where chunks were cut, so the
//! events — errors with their offsets and details included — are the same
//! whatever the chunking.

use super::event::{StreamEvent, StreamHeader, XmlDecl};
use super::framer::{Framer, Limits, Unit, UnitKind};
use super::tree::to_error;
use super::utf8::Utf8Stream;
use super::{Condition, NS_CLIENT, NS_SERVER, NS_STREAMS, StreamError, header, tree};

/// Limits and expectations of one stream.
#[derive(Debug, Clone)]
pub struct ParserConfig {
    /// Largest first-level element, in bytes, before `policy-violation`.
    /// The XML declaration plus stream header, and each run of whitespace
    /// between first-level elements, are held to the same bound.
    pub max_stanza_bytes: usize,
    /// Deepest nesting inside a first-level element before `policy-violation`
    /// (the first-level element itself is at depth 1).
    pub max_depth: usize,
    /// Most attributes on one element before `policy-violation`. Namespace
    /// declarations count: the framer counts `=` signs, before any parsing.
    pub max_attributes: usize,
    /// Content namespaces (the header's default namespace) accepted without
    /// `invalid-namespace`; empty accepts any.
    pub content_namespaces: Vec<String>,
}

impl Default for ParserConfig {
    fn default() -> Self {
        ParserConfig {
            max_stanza_bytes: 256 * 1024,
            max_depth: 64,
            max_attributes: 64,
            content_namespaces: vec![NS_CLIENT.to_owned(), NS_SERVER.to_owned()],
        }
    }
}

/// What the header established for the rest of the stream.
#[derive(Default)]
struct Session {
    xml_decl: Option<XmlDecl>,
    /// Bindings declared on the header, in force for every stanza.
    scope: super::NamespaceScope,
    /// The header's name as written, which `</…>` must repeat.
    qname: String,
    /// The tree builder's buffers, reused from stanza to stanza.
    scratch: tree::Scratch,
}

impl Session {
    fn handle(
        &mut self,
        unit: Unit<'_>,
        content_namespaces: &[String],
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), StreamError> {
        let at = unit.start;
        match unit.kind {
            UnitKind::Decl => {
                self.xml_decl = Some(header::parse_decl(unit.text).map_err(|f| to_error(f, at))?);
            }
            UnitKind::Header { self_closing } => {
                let element = header::parse_header(unit.text, content_namespaces)
                    .map_err(|f| to_error(f, at))?;
                self.scope = header::scope_of(&element);
                self.qname = element.display_name();
                out.push(StreamEvent::Open(StreamHeader {
                    element,
                    xml_decl: self.xml_decl.take().map(Box::new),
                    framing: None,
                }));
                if self_closing {
                    out.push(StreamEvent::Close);
                }
            }
            UnitKind::Opened => {
                if header::is_nested_stream(unit.text, &self.scope) {
                    return Err(nested_stream(at));
                }
            }
            UnitKind::Stanza => {
                let element = tree::build_with(unit.text, &self.scope, &mut self.scratch)
                    .map_err(|f| to_error(f, at))?;
                if element.is(NS_STREAMS, "stream") {
                    return Err(nested_stream(at));
                }
                out.push(StreamEvent::Element(element));
            }
            UnitKind::Close => {
                header::check_close(unit.text, &self.qname).map_err(|f| to_error(f, at))?;
                out.push(StreamEvent::Close);
            }
        }
        Ok(())
    }
}

/// A `<stream:stream>` inside the stream is `bad-format` and restarts
/// nothing (parser case 26): a peer must not be able to smuggle a new
/// stream header, and with it new namespace bindings, into the stream.
fn nested_stream(at: u64) -> StreamError {
    StreamError {
        condition: Condition::BadFormat,
        offset: at,
        detail: "stream:stream nested inside the stream".to_owned(),
    }
}

/// Incremental parser for one direction of an XMPP stream.
pub struct StreamParser {
    config: ParserConfig,
    utf8: Utf8Stream,
    framer: Framer,
    session: Session,
    /// An error was reported (or the input ended): nothing more is read.
    stopped: bool,
}

impl StreamParser {
    pub fn new(config: ParserConfig) -> Self {
        let limits = Limits {
            max_bytes: config.max_stanza_bytes,
            max_depth: config.max_depth,
            max_attributes: config.max_attributes,
        };
        StreamParser {
            config,
            utf8: Utf8Stream::default(),
            framer: Framer::new(limits),
            session: Session::default(),
            stopped: false,
        }
    }

    /// Feed the next chunk of bytes; complete events are appended to `out`.
    ///
    /// After [`StreamEvent::Close`] the rest of the input is ignored (RFC
    /// 6120 §4.4: nothing follows the closing tag); after
    /// [`StreamEvent::Error`] nothing more is yielded.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<StreamEvent>) {
        if self.is_finished() {
            return;
        }
        let mut rest = bytes;
        if self.utf8.has_pending() {
            let at = self.framer.position();
            match self.utf8.complete(&mut rest, at) {
                Ok(None) => return,
                Ok(Some((char_bytes, len))) => {
                    let bytes = char_bytes.get(..len).unwrap_or_default();
                    self.frame(std::str::from_utf8(bytes).unwrap_or_default(), out);
                    if self.is_finished() {
                        return;
                    }
                }
                Err(f) => {
                    self.fail(to_error(f, at), out);
                    return;
                }
            }
        }
        let at = self.framer.position();
        let checked = self.utf8.check(rest, at);
        self.frame(checked.text, out);
        if let Some(f) = checked.fault
            && !self.is_finished()
        {
            self.fail(to_error(f, at), out);
        }
    }

    /// Start over for a new stream on the same connection (after STARTTLS
    /// or SASL success, RFC 6120 §5.4.3.3, §6.4.6): the next bytes must be
    /// a new header. Offsets count from the new stream's first byte.
    pub fn reset(&mut self) {
        self.utf8.clear();
        self.framer.reset();
        self.session = Session::default();
        self.stopped = false;
    }

    /// The input ended. An incomplete element (or character) is dropped
    /// without an event: a truncated stream is the transport's news, not a
    /// parse error (parser case 34). Returns how many bytes were dropped.
    pub fn finish(&mut self) -> usize {
        let dropped = if self.is_finished() {
            0
        } else {
            self.framer.pending_len() + self.utf8.pending_len()
        };
        self.utf8.clear();
        self.framer.stop();
        self.stopped = true;
        dropped
    }

    /// `true` after the stream closed, an error, or [`finish`](Self::finish):
    /// further input is ignored until [`reset`](Self::reset).
    pub fn is_finished(&self) -> bool {
        self.stopped || self.framer.is_done()
    }

    /// Bytes of the current stream consumed so far (a character cut by the
    /// last chunk boundary is not counted until it is complete).
    pub fn position(&self) -> u64 {
        self.framer.position()
    }

    /// Bytes held back between feeds: the part of an incomplete unit (the
    /// declaration, the header or a first-level element) received so far,
    /// plus a character cut by the chunk boundary. The framer refuses a
    /// unit before it outgrows [`ParserConfig::max_stanza_bytes`], so this
    /// never exceeds that limit plus 3 (the fuzz target `stream_parser`
    /// checks it); whitespace between elements is counted, never held.
    pub fn buffered_len(&self) -> usize {
        self.framer.pending_len() + self.utf8.pending_len()
    }

    fn frame(&mut self, text: &str, out: &mut Vec<StreamEvent>) {
        let session = &mut self.session;
        let namespaces = &self.config.content_namespaces;
        let result = self
            .framer
            .scan(text, &mut |unit| session.handle(unit, namespaces, out));
        if let Err(e) = result {
            self.fail(e, out);
        }
    }

    fn fail(&mut self, error: StreamError, out: &mut Vec<StreamEvent>) {
        self.framer.stop();
        self.utf8.clear();
        self.stopped = true;
        out.push(StreamEvent::Error(error));
    }
}

#[cfg(test)]
mod cases;
#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
