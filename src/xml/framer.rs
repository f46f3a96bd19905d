//! The byte framer: finds where the XML declaration, the stream header and
//! each first-level element end, looking at every byte once.
//!
//! quick-xml has no push API (a reader stopped by the end of a partial
//! buffer cannot resume), so re-parsing the buffered bytes after each read
//! would be quadratic. Instead this small state machine tracks `<`/`>`,
//! quotes inside tags, `<!--`, `<?`, `<!`, CDATA sections, `/>`, `</` and
//! the depth, and hands each complete unit to the parser, which parses it
//! once. Limits are enforced here, byte by byte, so that an oversized or
//! over-deep element is refused before it is buffered and never reaches
//! the tree builder. End tags are checked against their start tags here
//! too, as each arrives: `<body></message>` is not well-formed the moment
//! `</message>` is read, and a peer waiting for the answer to it must not
//! wait for an element that can never end.
//!
//! Runs of bytes that cannot change the state (text between tags, the
//! inside of attribute values) are skipped with a table lookup per byte.
//! The input bytes have already been validated as XML characters in UTF-8
//! (see `utf8`); the framer only looks at ASCII markup bytes.

use super::byteset::{
    ByteSet, GT_ONLY, IN_DECL, IN_DQUOTE, IN_END_TAG, IN_SQUOTE, IN_TAG, IN_TEXT, NOT_WS,
};
use super::chars::{is_ws, may_start_name};
use super::error::{Condition, StreamError};

/// Limits the framer enforces (from [`super::ParserConfig`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_bytes: usize,
    pub max_depth: usize,
    pub max_attributes: usize,
}

/// What a complete unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitKind {
    /// `<?xml …?>` at the very start of the stream.
    Decl,
    /// The stream header start tag.
    Header { self_closing: bool },
    /// The start tag of a first-level element that continues (to catch a
    /// nested `<stream:stream>`, which never ends).
    Opened,
    /// A complete first-level element.
    Stanza,
    /// The end tag closing the stream.
    Close,
}

/// A unit handed to the parser: its text and the stream offset of its
/// first byte.
pub(crate) struct Unit<'a> {
    pub kind: UnitKind,
    pub text: &'a str,
    pub start: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before the stream header.
    Prolog,
    /// Inside the stream.
    Stream,
    /// After the stream closed, or after a fault: nothing more is read.
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    /// Character data (or whitespace between first-level elements).
    Text,
    /// Just after `<`.
    Lt,
    /// Inside a start tag; `quote` is the open quote of an attribute
    /// value, 0 outside values.
    StartTag { quote: u8 },
    /// Inside an end tag; `named` once the first name byte was seen.
    EndTag { named: bool },
    /// After `<!`.
    Bang,
    /// After `<!-`.
    BangDash,
    /// After `<![` and `matched` bytes of `CDATA[`.
    CdataOpen { matched: u8 },
    /// Inside a CDATA section.
    Cdata,
    /// After `<?` and `seen` bytes of the target (kept up to 3).
    Question { seen: u8, target: [u8; 3] },
    /// Inside the XML declaration.
    Decl,
}

/// The framer's state between chunks.
pub(crate) struct Framer {
    limits: Limits,
    phase: Phase,
    lex: Lex,
    /// Elements open inside the stream (0 between stanzas).
    level: usize,
    /// `=` seen in the current start tag.
    attrs: usize,
    /// Names of the elements open inside the stream, as (offset in the
    /// unit, length): what their end tags must repeat. At most
    /// `max_depth` entries.
    open: Vec<(usize, usize)>,
    /// Text of the unit being collected that came in earlier chunks.
    buf: String,
    collecting: bool,
    /// Stream offset of the first byte of the unit being collected.
    unit_start: u64,
    /// Stream offset of the `<` of the current markup.
    tag_start: u64,
    /// In stream-level text: a whitespace run is being counted.
    in_ws_run: bool,
    /// Offset of the first byte that would exceed the current limit (the
    /// size of the unit, or of the whitespace run), `u64::MAX` if none.
    limit_at: u64,
    /// Stream offset of the next byte.
    pos: u64,
}

impl Framer {
    pub(crate) fn new(limits: Limits) -> Self {
        Framer {
            limits,
            phase: Phase::Prolog,
            lex: Lex::Text,
            level: 0,
            attrs: 0,
            open: Vec::new(),
            buf: String::new(),
            collecting: false,
            unit_start: 0,
            tag_start: 0,
            in_ws_run: false,
            limit_at: u64::MAX,
            pos: 0,
        }
    }

    /// Forget everything: the next byte is the first of a new stream.
    pub(crate) fn reset(&mut self) {
        let mut buf = std::mem::take(&mut self.buf);
        let mut open = std::mem::take(&mut self.open);
        buf.clear();
        open.clear();
        *self = Framer::new(self.limits);
        self.buf = buf;
        self.open = open;
    }

    /// Stream offset of the next byte.
    pub(crate) fn position(&self) -> u64 {
        self.pos
    }

    /// `true` once the stream closed or a fault was found.
    pub(crate) fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Stop reading (after a fault found elsewhere, or at end of input).
    pub(crate) fn stop(&mut self) {
        self.phase = Phase::Done;
    }

    /// Bytes of an incomplete unit held back.
    pub(crate) fn pending_len(&self) -> usize {
        if self.collecting { self.buf.len() } else { 0 }
    }

    /// Scan `input`, the next characters of the stream, calling `on_unit`
    /// for each complete unit. A fault (the framer's or one `on_unit`
    /// returns) stops the framer and is returned.
    ///
    /// `input` is a `&str` so that units come out as text without a second
    /// UTF-8 validation; chunks given to `scan` end on character boundaries.
    pub(crate) fn scan<F>(&mut self, input: &str, on_unit: &mut F) -> Result<(), StreamError>
    where
        F: FnMut(Unit<'_>) -> Result<(), StreamError>,
    {
        let base = self.pos;
        let result = self.scan_inner(input, base, on_unit);
        if result.is_err() {
            self.phase = Phase::Done;
            self.buf.clear();
        }
        result
    }

    fn scan_inner<F>(&mut self, input: &str, base: u64, on_unit: &mut F) -> Result<(), StreamError>
    where
        F: FnMut(Unit<'_>) -> Result<(), StreamError>,
    {
        let bytes = input.as_bytes();
        // Bytes input[from..i] belong to the unit being collected and are
        // not yet in `buf`.
        let mut from = 0;
        let mut i = 0;
        while i < bytes.len() {
            if self.phase == Phase::Done {
                self.pos = base + bytes.len() as u64;
                return Ok(());
            }
            if let Some(set) = self.skip_set() {
                let bound = usize::try_from(self.limit_at.saturating_sub(base))
                    .map_or(bytes.len(), |l| l.min(bytes.len()));
                i = bytes
                    .get(i..bound)
                    .and_then(|run| set.find(run))
                    .map_or(bound.max(i), |p| i + p);
                if i >= bytes.len() {
                    break;
                }
            }
            let o = base + i as u64;
            if o >= self.limit_at {
                self.pos = o;
                return Err(self.over_limit());
            }
            let b = bytes.get(i).copied().unwrap_or_default();
            self.pos = o;
            self.step(b, input, &mut from, i, on_unit)?;
            i += 1;
        }
        self.pos = base + bytes.len() as u64;
        if self.collecting
            && let Some(rest) = input.get(from..)
        {
            self.buf.push_str(rest);
        }
        Ok(())
    }

    /// The bytes that matter in the current state, if runs of other bytes
    /// can be skipped.
    fn skip_set(&self) -> Option<&'static ByteSet> {
        match self.lex {
            Lex::Text if self.level > 0 => Some(&IN_TEXT),
            Lex::Text if self.in_ws_run => Some(&NOT_WS),
            Lex::StartTag { quote: 0 } => Some(&IN_TAG),
            Lex::StartTag { quote: b'\'' } => Some(&IN_SQUOTE),
            Lex::StartTag { .. } => Some(&IN_DQUOTE),
            Lex::EndTag { named: true } => Some(&IN_END_TAG),
            Lex::Cdata => Some(&GT_ONLY),
            Lex::Decl => Some(&IN_DECL),
            _ => None,
        }
    }

    fn over_limit(&self) -> StreamError {
        let what = if self.collecting {
            "element"
        } else {
            "run of whitespace between elements"
        };
        StreamError {
            condition: Condition::PolicyViolation,
            offset: self.limit_at,
            detail: format!("{what} longer than {} bytes", self.limits.max_bytes),
        }
    }

    fn fault(&self, condition: Condition, offset: u64, detail: impl Into<String>) -> StreamError {
        StreamError {
            condition,
            offset,
            detail: detail.into(),
        }
    }

    /// Process byte `b` at `input[i]`.
    fn step<F>(
        &mut self,
        b: u8,
        input: &str,
        from: &mut usize,
        i: usize,
        on_unit: &mut F,
    ) -> Result<(), StreamError>
    where
        F: FnMut(Unit<'_>) -> Result<(), StreamError>,
    {
        let o = self.pos;
        match self.lex {
            Lex::Text if self.level > 0 => {
                // Only '<' stops the skip in element content.
                self.tag_start = o;
                self.lex = Lex::Lt;
            }
            Lex::Text => self.stream_level_byte(b, o, from, i)?,
            Lex::Lt => self.after_lt(b, o)?,
            Lex::StartTag { quote: 0 } => match b {
                b'\'' | b'"' => self.lex = Lex::StartTag { quote: b },
                b'=' => {
                    self.attrs += 1;
                    if self.attrs > self.limits.max_attributes {
                        return Err(self.fault(
                            Condition::PolicyViolation,
                            o,
                            format!(
                                "more than {} attributes on an element",
                                self.limits.max_attributes
                            ),
                        ));
                    }
                }
                b'>' => {
                    let self_closing = self.prev(input, *from, i, 1) == Some(b'/');
                    self.lex = Lex::Text;
                    self.end_of_start_tag(self_closing, input, from, i, on_unit)?;
                }
                _ => return Err(self.fault(Condition::NotWellFormed, o, "'<' inside a tag")),
            },
            Lex::StartTag { quote } => {
                if b == quote {
                    self.lex = Lex::StartTag { quote: 0 };
                } else {
                    return Err(self.fault(
                        Condition::NotWellFormed,
                        o,
                        "'<' is not allowed in an attribute value",
                    ));
                }
            }
            Lex::EndTag { named: false } => {
                if !may_start_name(b) {
                    return Err(self.fault(
                        Condition::NotWellFormed,
                        o,
                        "'</' not followed by a name",
                    ));
                }
                self.lex = Lex::EndTag { named: true };
            }
            Lex::EndTag { named: true } => {
                if b == b'<' {
                    return Err(self.fault(Condition::NotWellFormed, o, "'<' inside a tag"));
                }
                self.lex = Lex::Text;
                self.end_of_end_tag(input, from, i, on_unit)?;
            }
            Lex::Bang => self.after_bang(b, o)?,
            Lex::BangDash => {
                return Err(if b == b'-' {
                    self.fault(
                        Condition::RestrictedXml,
                        self.tag_start,
                        "comments are not allowed (RFC 6120 §11.1)",
                    )
                } else {
                    self.fault(Condition::NotWellFormed, o, "malformed markup after '<!-'")
                });
            }
            Lex::CdataOpen { matched } => {
                if b"CDATA[".get(usize::from(matched)) != Some(&b) {
                    return Err(self.fault(
                        Condition::NotWellFormed,
                        o,
                        "malformed markup after '<!['",
                    ));
                }
                self.lex = if matched == 5 {
                    Lex::Cdata
                } else {
                    Lex::CdataOpen {
                        matched: matched + 1,
                    }
                };
            }
            Lex::Cdata => {
                if self.prev(input, *from, i, 1) == Some(b']')
                    && self.prev(input, *from, i, 2) == Some(b']')
                {
                    self.lex = Lex::Text;
                }
            }
            Lex::Question { seen, target } => self.in_question(b, o, seen, target)?,
            Lex::Decl => {
                // No `<` or `>` can occur inside `<?xml …?>` (XML 1.0 §2.8:
                // its values are version numbers, encoding names and
                // yes/no), so the first one either closes it after `?` or
                // proves it unterminated. Waiting on would hold the peer
                // until the stanza limit.
                if b == b'>' && self.prev(input, *from, i, 1) == Some(b'?') {
                    self.lex = Lex::Text;
                    self.emit(UnitKind::Decl, input, from, i, on_unit)?;
                } else {
                    let what = if b == b'<' { "'<'" } else { "'>' without '?'" };
                    return Err(self.fault(
                        Condition::NotWellFormed,
                        o,
                        format!("the XML declaration is not closed by '?>' ({what} inside it)"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// A byte between first-level elements (or before the header).
    fn stream_level_byte(
        &mut self,
        b: u8,
        o: u64,
        from: &mut usize,
        i: usize,
    ) -> Result<(), StreamError> {
        if is_ws(b) {
            // The first byte of a run: bound the run from here (parser
            // case 33). Keepalives are single spaces; a flood is refused
            // without buffering any of it.
            self.in_ws_run = true;
            self.limit_at = o.saturating_add(self.limits.max_bytes as u64);
            return Ok(());
        }
        if b == b'<' {
            self.in_ws_run = false;
            self.collecting = true;
            self.buf.clear();
            *from = i;
            self.unit_start = o;
            self.tag_start = o;
            self.limit_at = o.saturating_add(self.limits.max_bytes as u64);
            self.lex = Lex::Lt;
            return Ok(());
        }
        Err(match self.phase {
            Phase::Prolog if o == 0 && b == 0xEF => self.fault(
                Condition::NotWellFormed,
                o,
                "a byte order mark or text before the stream header (RFC 6120 §11.6)",
            ),
            Phase::Prolog => {
                self.fault(Condition::NotWellFormed, o, "text before the stream header")
            }
            _ => self.fault(
                Condition::BadFormat,
                o,
                "character data between first-level elements (only whitespace is allowed)",
            ),
        })
    }

    fn after_lt(&mut self, b: u8, o: u64) -> Result<(), StreamError> {
        match b {
            b'/' if self.phase == Phase::Prolog => Err(self.fault(
                Condition::NotWellFormed,
                self.tag_start,
                "end tag before the stream header",
            )),
            b'/' => {
                self.lex = Lex::EndTag { named: false };
                Ok(())
            }
            b'!' => {
                self.lex = Lex::Bang;
                Ok(())
            }
            b'?' => {
                self.lex = Lex::Question {
                    seen: 0,
                    target: [0; 3],
                };
                Ok(())
            }
            _ if may_start_name(b) => {
                if self.phase == Phase::Stream && self.level >= self.limits.max_depth {
                    return Err(self.fault(
                        Condition::PolicyViolation,
                        self.tag_start,
                        format!("elements nested more than {} deep", self.limits.max_depth),
                    ));
                }
                self.attrs = 0;
                self.lex = Lex::StartTag { quote: 0 };
                Ok(())
            }
            _ => Err(self.fault(Condition::NotWellFormed, o, "'<' not followed by a name")),
        }
    }

    fn after_bang(&mut self, b: u8, o: u64) -> Result<(), StreamError> {
        match b {
            b'-' => {
                self.lex = Lex::BangDash;
                Ok(())
            }
            b'[' if self.phase == Phase::Stream && self.level == 0 => Err(self.fault(
                Condition::BadFormat,
                self.tag_start,
                "CDATA section between first-level elements",
            )),
            b'[' if self.phase == Phase::Prolog => Err(self.fault(
                Condition::NotWellFormed,
                self.tag_start,
                "CDATA section before the stream header",
            )),
            b'[' => {
                self.lex = Lex::CdataOpen { matched: 0 };
                Ok(())
            }
            b'A'..=b'Z' => Err(self.fault(
                Condition::RestrictedXml,
                self.tag_start,
                "document type and markup declarations are not allowed (RFC 6120 §11.1)",
            )),
            _ => Err(self.fault(Condition::NotWellFormed, o, "malformed markup after '<!'")),
        }
    }

    /// After `<?`: tell the XML declaration (allowed only as the first
    /// bytes of the stream) from a processing instruction (restricted).
    fn in_question(
        &mut self,
        b: u8,
        o: u64,
        seen: u8,
        mut target: [u8; 3],
    ) -> Result<(), StreamError> {
        if seen == 0 && !may_start_name(b) {
            return Err(self.fault(Condition::NotWellFormed, o, "'<?' not followed by a name"));
        }
        let pi = |s: &Self| {
            s.fault(
                Condition::RestrictedXml,
                s.tag_start,
                "processing instructions are not allowed (RFC 6120 §11.1)",
            )
        };
        if let Some(slot) = target.get_mut(usize::from(seen)) {
            *slot = b;
            let seen = seen + 1;
            if !b"xml".starts_with(&target[..usize::from(seen)].to_ascii_lowercase()) {
                return Err(pi(self));
            }
            self.lex = Lex::Question { seen, target };
            return Ok(());
        }
        if !(is_ws(b) || b == b'?') {
            // `<?xml-stylesheet …?>` and the like.
            return Err(pi(self));
        }
        if &target != b"xml" {
            return Err(self.fault(
                Condition::NotWellFormed,
                self.tag_start,
                "processing instruction targets matching 'xml' are reserved",
            ));
        }
        if self.phase == Phase::Prolog && self.tag_start == 0 {
            self.lex = Lex::Decl;
            return Ok(());
        }
        Err(self.fault(
            Condition::NotWellFormed,
            self.tag_start,
            "an XML declaration is only allowed at the very start of the stream",
        ))
    }

    fn end_of_start_tag<F>(
        &mut self,
        self_closing: bool,
        input: &str,
        from: &mut usize,
        i: usize,
        on_unit: &mut F,
    ) -> Result<(), StreamError>
    where
        F: FnMut(Unit<'_>) -> Result<(), StreamError>,
    {
        match self.phase {
            Phase::Prolog => {
                self.phase = if self_closing {
                    Phase::Done
                } else {
                    Phase::Stream
                };
                self.emit(UnitKind::Header { self_closing }, input, from, i, on_unit)
            }
            _ if self_closing => {
                if self.level == 0 {
                    self.emit(UnitKind::Stanza, input, from, i, on_unit)
                } else {
                    Ok(())
                }
            }
            _ => {
                let name = self.name_at(self.tag_start + 1, input, *from);
                self.open.push(name);
                self.level += 1;
                if self.level == 1 {
                    let start = self.unit_start;
                    let text = self.take(input, from, i);
                    on_unit(Unit {
                        kind: UnitKind::Opened,
                        text,
                        start,
                    })?;
                }
                Ok(())
            }
        }
    }

    fn end_of_end_tag<F>(
        &mut self,
        input: &str,
        from: &mut usize,
        i: usize,
        on_unit: &mut F,
    ) -> Result<(), StreamError>
    where
        F: FnMut(Unit<'_>) -> Result<(), StreamError>,
    {
        if self.level == 0 {
            self.phase = Phase::Done;
            return self.emit(UnitKind::Close, input, from, i, on_unit);
        }
        let name = self.name_at(self.tag_start + 2, input, *from);
        let open = self.open.pop().unwrap_or_default();
        if !self.same_name(open, name, input, *from) {
            let text = |(at, len)| self.unit_text(at, len, input, *from);
            return Err(self.fault(
                Condition::NotWellFormed,
                self.tag_start,
                format!(
                    "end tag </{}> does not match the start tag <{}>",
                    text(name),
                    text(open)
                ),
            ));
        }
        self.level -= 1;
        if self.level == 0 {
            self.emit(UnitKind::Stanza, input, from, i, on_unit)?;
        }
        Ok(())
    }

    /// The byte at `at` bytes from the start of the unit being collected
    /// (which is `buf` followed by `input[from..]`).
    fn unit_byte(&self, at: usize, input: &str, from: usize) -> Option<u8> {
        match at.checked_sub(self.buf.len()) {
            None => self.buf.as_bytes().get(at).copied(),
            Some(k) => input.as_bytes().get(from.checked_add(k)?).copied(),
        }
    }

    /// The name that starts at stream offset `start` (inside a tag of the
    /// unit being collected), as (offset in the unit, length): up to
    /// whitespace, `/` or `>`.
    fn name_at(&self, start: u64, input: &str, from: usize) -> (usize, usize) {
        let at = usize::try_from(start.saturating_sub(self.unit_start)).unwrap_or(usize::MAX);
        let ends = |b: u8| is_ws(b) || b == b'/' || b == b'>';
        if self.buf.is_empty() {
            // The usual case, the whole unit in this chunk: one slice.
            let rest = input
                .as_bytes()
                .get(from.saturating_add(at)..)
                .unwrap_or_default();
            return (at, rest.iter().position(|&b| ends(b)).unwrap_or(rest.len()));
        }
        let mut len = 0;
        while let Some(b) = self.unit_byte(at.saturating_add(len), input, from) {
            if ends(b) {
                break;
            }
            len += 1;
        }
        (at, len)
    }

    /// Whether two names of the unit are the same bytes.
    fn same_name(&self, a: (usize, usize), b: (usize, usize), input: &str, from: usize) -> bool {
        if a.1 != b.1 {
            return false;
        }
        if self.buf.is_empty() {
            let name = |(at, len): (usize, usize)| {
                let at = from.saturating_add(at);
                input.as_bytes().get(at..at.saturating_add(len))
            };
            return name(a).is_some() && name(a) == name(b);
        }
        (0..a.1)
            .all(|k| self.unit_byte(a.0 + k, input, from) == self.unit_byte(b.0 + k, input, from))
    }

    /// A name of the unit as text, for a message.
    fn unit_text(&self, at: usize, len: usize, input: &str, from: usize) -> String {
        let bytes: Vec<u8> = (at..at.saturating_add(len))
            .filter_map(|k| self.unit_byte(k, input, from))
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The bytes of the unit so far, up to and including `input[i]`:
    /// borrowed from the input when the unit began in this chunk.
    fn take<'s>(&'s mut self, input: &'s str, from: &mut usize, i: usize) -> &'s str {
        let this_chunk = input.get(*from..=i).unwrap_or_default();
        if self.buf.is_empty() {
            return this_chunk;
        }
        self.buf.push_str(this_chunk);
        *from = i + 1;
        &self.buf
    }

    /// Hand over a unit that ends at `input[i]` and stop collecting.
    fn emit<F>(
        &mut self,
        kind: UnitKind,
        input: &str,
        from: &mut usize,
        i: usize,
        on_unit: &mut F,
    ) -> Result<(), StreamError>
    where
        F: FnMut(Unit<'_>) -> Result<(), StreamError>,
    {
        let start = self.unit_start;
        let text = self.take(input, from, i);
        let result = on_unit(Unit { kind, text, start });
        self.buf.clear();
        self.collecting = false;
        self.limit_at = u64::MAX;
        *from = i + 1;
        result
    }

    /// The byte `n` places before `input[i]` within the unit being
    /// collected (which is `buf` followed by `input[from..]`).
    fn prev(&self, input: &str, from: usize, i: usize, n: usize) -> Option<u8> {
        let here = i.checked_sub(from)?;
        if n <= here {
            return input.as_bytes().get(i - n).copied();
        }
        let back = n - here;
        let buf = self.buf.as_bytes();
        buf.len()
            .checked_sub(back)
            .and_then(|k| buf.get(k))
            .copied()
    }
}
