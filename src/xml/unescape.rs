//! Expansion of references and XML 1.0 line-end and attribute-value
//! normalization (§2.11, §3.3.3, §4.1).
//!
//! RFC 6120 §11.1 allows only the five predefined entities and character
//! references; any other entity reference is `restricted-xml`. Character
//! references must name an XML `Char` (`&#0;`, `&#x1;`, surrogates,
//! `&#xFFFE;`, values past U+10FFFF are not-well-formed), and parsing them
//! never overflows, however many digits arrive.

use super::chars::{Fault, is_xml_char};
use super::error::Condition;
use std::borrow::Cow;

/// Resolve the inside of a reference (`amp`, `#60`, `#x3C`: the text
/// between `&` and `;`). `at` is the offset of the `&`, for errors.
pub(crate) fn resolve_reference(name: &str, at: usize) -> Result<char, Fault> {
    match name {
        "amp" => Ok('&'),
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        _ => match name.strip_prefix('#') {
            Some(num) => char_reference(num, at),
            None if super::chars::is_qname(name) => Err(Fault::new(
                Condition::RestrictedXml,
                at,
                format!("entity reference &{name}; is not one of the five predefined entities"),
            )),
            None => Err(Fault::nwf(at, "malformed entity reference")),
        },
    }
}

/// `num` is what follows `&#`: decimal digits or `x` and hex digits.
fn char_reference(num: &str, at: usize) -> Result<char, Fault> {
    let (digits, radix) = match num.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (num, 10),
    };
    if digits.is_empty() {
        return Err(Fault::nwf(at, "character reference without digits"));
    }
    let mut value: u32 = 0;
    for c in digits.chars() {
        let d = c
            .to_digit(radix)
            .ok_or_else(|| Fault::nwf(at, "malformed character reference"))?;
        // Past U+10FFFF nothing can become valid again: stop before the
        // multiplication could overflow.
        value = value * radix + d;
        if value > 0x10FFFF {
            return Err(Fault::nwf(
                at,
                "character reference beyond U+10FFFF is not an XML character",
            ));
        }
    }
    match char::from_u32(value) {
        Some(c) if is_xml_char(value) => Ok(c),
        _ => Err(Fault::nwf(
            at,
            format!("character reference to U+{value:04X}, which is not an XML character"),
        )),
    }
}

/// Append `raw` character data to `out` with line ends normalized
/// (`\r\n` and lone `\r` become `\n`, XML 1.0 §2.11). `raw` holds no
/// references (quick-xml reports those apart).
pub(crate) fn push_text(out: &mut String, raw: &str) {
    if !raw.as_bytes().contains(&b'\r') {
        out.push_str(raw);
        return;
    }
    let mut rest = raw;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('\n') {
            rest = r;
        }
    }
    out.push_str(rest);
}

/// The value of an attribute from its raw text between the quotes: line
/// ends normalized, literal TAB/LF/CR replaced by spaces, references
/// expanded (§3.3.3; attributes are CDATA, so no further collapsing).
/// `at` is the offset of the value's first byte, for errors.
pub(crate) fn attribute_value(raw: &str, at: usize) -> Result<Cow<'_, str>, Fault> {
    let bytes = raw.as_bytes();
    let Some(first) = bytes
        .iter()
        .position(|&b| matches!(b, b'&' | b'<' | b'\t' | b'\n' | b'\r'))
    else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut i = first;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                return Err(Fault::nwf(
                    at + i,
                    "'<' is not allowed in an attribute value",
                ));
            }
            b'\r' => {
                out.push(' ');
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
            }
            b'\t' | b'\n' => {
                out.push(' ');
                i += 1;
            }
            b'&' => {
                let end = raw[i..]
                    .find(';')
                    .map(|e| i + e)
                    .ok_or_else(|| Fault::nwf(at + i, "'&' without a closing ';'"))?;
                out.push(resolve_reference(&raw[i + 1..end], at + i)?);
                i = end + 1;
            }
            _ => {
                let next = bytes[i..]
                    .iter()
                    .position(|&b| matches!(b, b'&' | b'<' | b'\t' | b'\n' | b'\r'))
                    .map_or(bytes.len(), |p| i + p);
                out.push_str(&raw[i..next]);
                i = next;
            }
        }
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predefined_and_char_refs() {
        assert_eq!(resolve_reference("amp", 0), Ok('&'));
        assert_eq!(resolve_reference("#60", 0), Ok('<'));
        assert_eq!(resolve_reference("#x1F600", 0), Ok('😀'));
        assert_eq!(resolve_reference("#0000065", 0), Ok('A'));
        assert_eq!(resolve_reference("#x9", 0), Ok('\t'));
    }

    #[test]
    fn bad_char_refs_are_not_well_formed() {
        for r in [
            "#0",
            "#x0",
            "#x1",
            "#xD800",
            "#xDFFF",
            "#xFFFE",
            "#xFFFF",
            "#x110000",
            "#44444444401",
            "#99999999999999999999999999999",
            "#xFFFFFFFFFFFFFFFFFFFF",
            "#",
            "#x",
            "#X41",
            "#12a",
            "#-1",
            "#+1",
            "#x 41",
        ] {
            let f = resolve_reference(r, 7).unwrap_err();
            assert_eq!(f.condition, Condition::NotWellFormed, "{r}");
            assert_eq!(f.at, 7);
        }
    }

    #[test]
    fn unknown_entities_are_restricted() {
        let f = resolve_reference("foo", 0).unwrap_err();
        assert_eq!(f.condition, Condition::RestrictedXml);
        assert_eq!(
            resolve_reference("a b", 0).unwrap_err().condition,
            Condition::NotWellFormed
        );
        assert_eq!(
            resolve_reference("", 0).unwrap_err().condition,
            Condition::NotWellFormed
        );
    }

    #[test]
    fn attribute_normalization() {
        assert_eq!(attribute_value("a\r\nb\tc\nd\re", 0).unwrap(), "a b c d e");
        assert_eq!(attribute_value("&#13;&#10;&#9;", 0).unwrap(), "\r\n\t");
        assert_eq!(attribute_value("x&lt;&apos;&quot;", 0).unwrap(), "x<'\"");
        assert_eq!(attribute_value("a<b", 3).unwrap_err().at, 4);
        assert_eq!(attribute_value("a&amp", 3).unwrap_err().at, 4);
        assert!(matches!(
            attribute_value("plain", 0).unwrap(),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn text_line_ends() {
        let mut s = String::new();
        push_text(&mut s, "a\r\nb\rc\n\r");
        assert_eq!(s, "a\nb\nc\n\n");
    }
}
