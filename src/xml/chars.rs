//! Character-level rules of XML 1.0 as RFC 6120 §11 applies them: which
//! code points may appear at all (§2.2 `Char`), which may start or continue
//! a name (§2.3), and a whole-slice check used when an element arrives
//! without having gone through the streaming validator (scenario patterns).
//!
//! quick-xml checks none of this (it accepts C0 controls, U+FFFE and any
//! name bytes), so the parser does it here.

use super::error::Condition;

/// A fault found at a byte offset relative to the slice being checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault {
    pub condition: Condition,
    pub at: usize,
    pub detail: String,
}

impl Fault {
    pub(crate) fn new(condition: Condition, at: usize, detail: impl Into<String>) -> Self {
        Fault {
            condition,
            at,
            detail: detail.into(),
        }
    }

    pub(crate) fn nwf(at: usize, detail: impl Into<String>) -> Self {
        Fault::new(Condition::NotWellFormed, at, detail)
    }
}

/// The detail used for every malformed UTF-8 sequence. It is deliberately
/// the same text whatever went wrong, so that an error does not depend on
/// how much of the sequence had arrived when it was noticed.
pub(crate) const BAD_UTF8: &str = "invalid UTF-8 byte sequence";

/// `true` for a code point matching XML 1.0 §2.2 `Char`.
pub(crate) fn is_xml_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// `true` for the four XML whitespace bytes (§2.3 `S`).
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// `true` when a byte can never appear in an XML document encoded in UTF-8:
/// C0 controls other than TAB, LF, CR. (Other forbidden code points are
/// multi-byte and are checked by [`forbidden_at`].)
pub(crate) fn is_forbidden_control(b: u8) -> bool {
    b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')
}

const LO7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const ONES: u64 = 0x0101_0101_0101_0101;

/// High bit set in each byte of `v` that is zero, and only there (no
/// carries between bytes, so the positions are exact).
pub(crate) const fn zero_bytes(v: u64) -> u64 {
    !(((v & LO7).wrapping_add(LO7)) | v | LO7)
}

/// High bit set in each byte of `w` equal to `b`.
pub(crate) const fn bytes_equal(w: u64, b: u8) -> u64 {
    zero_bytes(w ^ ONES.wrapping_mul(b as u64))
}

/// The fault, if any, of the character starting at `bytes[i]`.
fn forbidden_here(bytes: &[u8], i: usize) -> Option<String> {
    let b = *bytes.get(i)?;
    if is_forbidden_control(b) {
        return Some(format!("character U+{b:04X} is not allowed in XML"));
    }
    if b == 0xEF && bytes.get(i + 1) == Some(&0xBF) {
        return match bytes.get(i + 2) {
            Some(0xBE) => Some("character U+FFFE is not allowed in XML".to_owned()),
            Some(0xBF) => Some("character U+FFFF is not allowed in XML".to_owned()),
            _ => None,
        };
    }
    None
}

/// In valid UTF-8 `bytes`, the first position of a code point XML forbids:
/// a C0 control other than TAB/LF/CR, U+FFFE or U+FFFF (surrogates and
/// values over U+10FFFF are already impossible in valid UTF-8). Returns the
/// offset and a description.
///
/// Eight bytes are tested at a time: a word with no byte below 0x20 and no
/// 0xEF (the lead byte of U+FFFE/U+FFFF) is skipped whole.
pub(crate) fn forbidden_at(bytes: &[u8]) -> Option<(usize, String)> {
    let (words, _) = bytes.as_chunks::<8>();
    for (k, word) in words.iter().enumerate() {
        let w = u64::from_le_bytes(*word);
        let mut hits = zero_bytes(w & 0xE0E0_E0E0_E0E0_E0E0) | bytes_equal(w, 0xEF);
        while hits != 0 {
            let i = k * 8 + (hits.trailing_zeros() / 8) as usize;
            if let Some(detail) = forbidden_here(bytes, i) {
                return Some((i, detail));
            }
            hits &= hits - 1;
        }
    }
    (words.len() * 8..bytes.len()).find_map(|i| forbidden_here(bytes, i).map(|d| (i, d)))
}

/// Check a complete slice: valid UTF-8 and only XML characters.
pub(crate) fn check_slice(bytes: &[u8]) -> Result<&str, Fault> {
    let text = std::str::from_utf8(bytes).map_err(|e| Fault::nwf(e.valid_up_to(), BAD_UTF8))?;
    if let Some((at, detail)) = forbidden_at(bytes) {
        return Err(Fault::nwf(at, detail));
    }
    Ok(text)
}

/// XML 1.0 (fifth edition) §2.3 `NameStartChar`, minus `:` (namespaces
/// make names NCNames joined by at most one colon).
fn is_ncname_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// §2.3 `NameChar` minus `:`.
fn is_ncname_char(c: char) -> bool {
    is_ncname_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// `true` when `b` may be the first byte of a name: an ASCII name start
/// or the lead byte of a multi-byte character (checked fully later). The
/// framer uses it to reject `< x` or `<1` as soon as the byte arrives.
pub(crate) fn may_start_name(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80
}

/// Namespaces in XML 1.0 `NCName`. Names are short and nearly always
/// ASCII, so bytes are checked directly before falling back to chars.
pub(crate) fn is_ncname(s: &str) -> bool {
    let bytes = s.as_bytes();
    match bytes.first() {
        None => false,
        Some(&b) if b.is_ascii() && bytes.is_ascii() => {
            (b.is_ascii_alphabetic() || b == b'_')
                && bytes
                    .iter()
                    .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
        }
        Some(_) => {
            let mut chars = s.chars();
            chars.next().is_some_and(is_ncname_start) && chars.all(is_ncname_char)
        }
    }
}

/// Split a name at its first `:` (a byte search: names are short).
pub(crate) fn split_colon(s: &str) -> Option<(&str, &str)> {
    let i = s.as_bytes().iter().position(|&b| b == b':')?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// Namespaces in XML 1.0 `QName`: `NCName` or `NCName:NCName`.
pub(crate) fn is_qname(s: &str) -> bool {
    match split_colon(s) {
        None => is_ncname(s),
        Some((p, l)) => is_ncname(p) && is_ncname(l),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_chars() {
        assert!(!is_xml_char(0));
        assert!(!is_xml_char(1));
        assert!(is_xml_char(9));
        assert!(!is_xml_char(0xD800));
        assert!(!is_xml_char(0xFFFE));
        assert!(!is_xml_char(0x110000));
        assert!(is_xml_char(0x10FFFF));
    }

    #[test]
    fn forbidden_code_points() {
        assert_eq!(forbidden_at(b"ab\x01").map(|f| f.0), Some(2));
        assert_eq!(forbidden_at("a\u{FFFE}".as_bytes()).map(|f| f.0), Some(1));
        assert_eq!(forbidden_at("a\u{FFFF}".as_bytes()).map(|f| f.0), Some(1));
        assert_eq!(forbidden_at("\u{FFFD}\u{FEFF}\t\r\n".as_bytes()), None);
        assert_eq!(check_slice(b"ab\xC0\xAF").unwrap_err().at, 2);
        // Every position, in and after the eight-byte words.
        for i in 0..20 {
            let mut v = vec![b'a'; 20];
            v[i] = 0x1F;
            assert_eq!(forbidden_at(&v).map(|f| f.0), Some(i));
            let mut s = "\t\n\r".repeat(7);
            s.insert(i, '\u{FFFF}');
            assert_eq!(forbidden_at(s.as_bytes()).map(|f| f.0), Some(i));
        }
        assert_eq!(forbidden_at("\u{EFFF}\u{FFFD}xxxxxxxxxxx".as_bytes()), None);
    }

    #[test]
    fn names() {
        assert!(is_qname("stream:stream"));
        assert!(is_qname("a-b.c_d"));
        assert!(is_qname("é"));
        assert!(!is_qname(":a"));
        assert!(!is_qname("a:"));
        assert!(!is_qname("a:b:c"));
        assert!(!is_qname("1a"));
        assert!(!is_qname(""));
        assert!(!is_qname("a/"));
    }
}
