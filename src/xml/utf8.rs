//! Streaming validation of the received bytes as XML characters in UTF-8
//! (RFC 6120 §11.6, XML 1.0 §2.2), across arbitrary chunk boundaries.
//!
//! A multi-byte character cut by a chunk boundary is held back (at most
//! three bytes) until its end arrives, never rejected. Every fault is
//! reported at the first byte of the offending character with a detail
//! that does not depend on how much of it had arrived, so the error is the
//! same whatever the chunking.

use super::chars::{BAD_UTF8, Fault, forbidden_at};
use super::error::Condition;

/// What validating one chunk found.
pub(crate) struct Checked<'a> {
    /// The prefix of the chunk made of complete, valid characters.
    pub text: &'a str,
    /// The fault right after `text`, if any (offset relative to the chunk).
    pub fault: Option<Fault>,
}

/// Length of the prefix of `input` that ends on a character boundary:
/// all of it, unless its last bytes begin a multi-byte sequence that
/// needs more bytes than are there.
fn complete_prefix_len(input: &[u8]) -> usize {
    let len = input.len();
    let window = len.saturating_sub(4);
    let Some(lead) = (window..len)
        .rev()
        .find(|&p| input.get(p).is_some_and(|&b| b & 0xC0 != 0x80))
    else {
        return len;
    };
    let width = match input.get(lead).copied().unwrap_or(0) {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 1,
    };
    if lead + width > len { lead } else { len }
}

/// The bytes of a character begun in an earlier chunk.
#[derive(Default)]
pub(crate) struct Utf8Stream {
    pending: [u8; 4],
    len: usize,
}

impl Utf8Stream {
    /// `true` while a character is incomplete.
    pub(crate) fn has_pending(&self) -> bool {
        self.len > 0
    }

    pub(crate) fn pending_len(&self) -> usize {
        self.len
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// Continue the held-back character with bytes from the front of
    /// `input`, consuming them. Returns the complete character once it is
    /// (then nothing is pending), `Ok(None)` while it is still incomplete,
    /// or the fault (at offset 0 of the character) when it cannot be valid.
    pub(crate) fn complete(
        &mut self,
        input: &mut &[u8],
        offset: u64,
    ) -> Result<Option<([u8; 4], usize)>, Fault> {
        while self.len > 0 {
            let Some((&b, rest)) = input.split_first() else {
                return Ok(None);
            };
            *input = rest;
            if let Some(slot) = self.pending.get_mut(self.len) {
                *slot = b;
            }
            self.len += 1;
            let bytes = self.pending.get(..self.len).unwrap_or_default();
            match std::str::from_utf8(bytes) {
                Ok(_) => {
                    let done = (self.pending, self.len);
                    self.len = 0;
                    if let Some((_, detail)) = forbidden_at(bytes) {
                        return Err(Fault::nwf(0, detail));
                    }
                    return Ok(Some(done));
                }
                Err(e) if e.error_len().is_some() => {
                    self.len = 0;
                    return Err(classify(Fault::nwf(0, BAD_UTF8), offset, bytes));
                }
                Err(_) => {}
            }
        }
        Ok(None)
    }

    /// Validate `input` (which starts at stream offset `offset`, with no
    /// character pending). An incomplete character at its end is held back.
    /// UTF-8 is checked in one pass that also yields the `&str` the framer
    /// and the tree builder work on, so nothing is validated twice.
    pub(crate) fn check<'a>(&mut self, input: &'a [u8], offset: u64) -> Checked<'a> {
        let (head, tail) = input.split_at(complete_prefix_len(input));
        let (text, mut fault) = match std::str::from_utf8(head) {
            Ok(text) => {
                let fault = match std::str::from_utf8(tail) {
                    Ok(_) => None,
                    Err(e) if e.error_len().is_none() && e.valid_up_to() == 0 => {
                        if let Some(slot) = self.pending.get_mut(..tail.len()) {
                            slot.copy_from_slice(tail);
                            self.len = tail.len();
                        }
                        None
                    }
                    Err(e) => Some(Fault::nwf(head.len() + e.valid_up_to(), BAD_UTF8)),
                };
                (text, fault)
            }
            Err(e) => {
                let valid = head.get(..e.valid_up_to()).unwrap_or_default();
                let text = std::str::from_utf8(valid).unwrap_or_default();
                (text, Some(Fault::nwf(e.valid_up_to(), BAD_UTF8)))
            }
        };
        let text = match forbidden_at(text.as_bytes()) {
            Some((at, detail)) => {
                fault = Some(Fault::nwf(at, detail));
                text.get(..at).unwrap_or_default()
            }
            None => text,
        };
        let fault = fault.map(|f| {
            let rest = input.get(f.at..).unwrap_or_default();
            classify(f, offset, rest)
        });
        if fault.is_some() {
            self.len = 0;
        }
        Checked { text, fault }
    }
}

/// Recognize input in another encoding by its first bytes (XML 1.0
/// Appendix F): a UTF-16 byte order mark (FE FF / FF FE, invalid in UTF-8)
/// at the start, or a NUL among the first two bytes (UTF-16 or UTF-32
/// without a mark). Those are `unsupported-encoding` (RFC 6120 §11.6,
/// parser cases 10 and 11) rather than not-well-formed. `bytes` starts at
/// the faulty character, which is at `offset + fault.at` in the stream.
fn classify(fault: Fault, offset: u64, bytes: &[u8]) -> Fault {
    let at = offset.saturating_add(fault.at as u64);
    match (at, bytes.first()) {
        (0, Some(0xFE | 0xFF)) | (0 | 1, Some(0x00)) => Fault::new(
            Condition::UnsupportedEncoding,
            fault.at,
            "the stream is not UTF-8 (UTF-16 or UTF-32; RFC 6120 §11.6)",
        ),
        _ => fault,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feed `input` in pieces of `size` and return (valid bytes in order,
    /// first fault at its absolute offset).
    fn run(input: &[u8], size: usize) -> (Vec<u8>, Option<(Condition, u64)>) {
        let mut v = Utf8Stream::default();
        let mut out = Vec::new();
        let mut offset = 0u64;
        for chunk in input.chunks(size) {
            let mut rest = chunk;
            if v.has_pending() {
                let start = offset;
                match v.complete(&mut rest, start) {
                    Ok(Some((bytes, len))) => {
                        out.extend_from_slice(&bytes[..len]);
                        offset += len as u64;
                    }
                    Ok(None) => continue,
                    Err(f) => return (out, Some((f.condition, start + f.at as u64))),
                }
            }
            let c = v.check(rest, offset);
            out.extend_from_slice(c.text.as_bytes());
            if let Some(f) = c.fault {
                return (out, Some((f.condition, offset + f.at as u64)));
            }
            offset += c.text.len() as u64;
        }
        (out, None)
    }

    #[test]
    fn same_result_for_every_chunk_size() {
        let cases: &[&[u8]] = &[
            "héllo 日本 😀 ok".as_bytes(),
            b"ab\xC0\xAFcd",
            b"ab\xED\xA0\x80",
            b"ab\xF4\x90\x80\x80",
            b"\x80abc",
            b"abc\xE6\x97",
            b"a\xEBb<message>",
            b"ab\x01",
            "a\u{FFFE}".as_bytes(),
            b"\xFF\xFEa",
            b"\xFE\xFF",
            b"<\x00?\x00",
            b"\x00<",
            b"a\x00",
        ];
        for &case in cases {
            let whole = run(case, case.len().max(1));
            for size in 1..=case.len() {
                assert_eq!(run(case, size), whole, "{case:?} in pieces of {size}");
            }
        }
    }

    #[test]
    fn faults() {
        assert_eq!(run(b"ab\xC0\xAF", 1).1, Some((Condition::NotWellFormed, 2)));
        assert_eq!(
            run(b"\xFF\xFE<", 1).1,
            Some((Condition::UnsupportedEncoding, 0))
        );
        assert_eq!(
            run(b"<\x00", 1).1,
            Some((Condition::UnsupportedEncoding, 1))
        );
        assert_eq!(run(b"<a\x00", 1).1, Some((Condition::NotWellFormed, 2)));
        assert_eq!(
            run("a\u{FFFF}".as_bytes(), 1).1,
            Some((Condition::NotWellFormed, 1))
        );
        // A truncated sequence is held back, not rejected.
        let (ok, fault) = run(b"abc\xE6\x97", 1);
        assert_eq!((ok.as_slice(), fault), (&b"abc"[..], None));
    }
}
