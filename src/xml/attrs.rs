//! Tokenizer for the attribute part of a start tag (`S Name S? = S? 'value'`
//! repeated), with exact offsets.
//!
//! quick-xml's attribute iterator accepts `a='1'b='2'` (no separating
//! whitespace) and does not validate names; XML 1.0 §3.1 requires both, so
//! the attribute list is split here instead.

use super::chars::{Fault, is_qname, is_ws};

/// One attribute as written, as byte ranges of the attribute list it was
/// split from (so a list can be reused from tag to tag without borrowing).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawAttr {
    name: (usize, usize),
    value: (usize, usize),
    /// Offset of the list's first byte, for errors.
    base: usize,
}

impl RawAttr {
    /// The qualified name, from the `list` this was split from.
    pub(crate) fn qname<'l>(&self, list: &'l str) -> &'l str {
        list.get(self.name.0..self.name.1).unwrap_or_default()
    }

    /// The raw value (references not expanded).
    pub(crate) fn value<'l>(&self, list: &'l str) -> &'l str {
        list.get(self.value.0..self.value.1).unwrap_or_default()
    }

    pub(crate) fn name_at(&self) -> usize {
        self.base + self.name.0
    }

    pub(crate) fn value_at(&self) -> usize {
        self.base + self.value.0
    }
}

/// Split `raw` (everything between the element name and `>` or `/>`) into
/// `out`. `base` is the offset of `raw`'s first byte.
pub(crate) fn split(raw: &str, base: usize, out: &mut Vec<RawAttr>) -> Result<(), Fault> {
    let bytes = raw.as_bytes();
    out.clear();
    let mut i = 0;
    loop {
        let ws_start = i;
        while i < bytes.len() && is_ws(bytes[i]) {
            i += 1;
        }
        if i == bytes.len() {
            return Ok(());
        }
        if i == ws_start {
            return Err(Fault::nwf(
                base + i,
                "attributes must be separated from the name and each other by whitespace",
            ));
        }
        let name_start = i;
        while i < bytes.len() && !is_ws(bytes[i]) && bytes[i] != b'=' {
            i += 1;
        }
        let qname = raw.get(name_start..i).unwrap_or_default();
        if !is_qname(qname) {
            return Err(Fault::nwf(
                base + name_start,
                format!("invalid attribute name {qname:?}"),
            ));
        }
        let name = (name_start, i);
        while i < bytes.len() && is_ws(bytes[i]) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            return Err(Fault::nwf(
                base + i,
                "attribute name without '=' and a value",
            ));
        }
        i += 1;
        while i < bytes.len() && is_ws(bytes[i]) {
            i += 1;
        }
        let quote = match bytes.get(i) {
            Some(&q @ (b'\'' | b'"')) => q,
            _ => return Err(Fault::nwf(base + i, "attribute value must be quoted")),
        };
        let value_start = i + 1;
        let len = bytes
            .get(value_start..)
            .and_then(|rest| rest.iter().position(|&b| b == quote))
            .ok_or_else(|| Fault::nwf(base + i, "unterminated attribute value"))?;
        out.push(RawAttr {
            name,
            value: (value_start, value_start + len),
            base,
        });
        i = value_start + len + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(raw: &str, base: usize) -> Result<Vec<RawAttr>, Fault> {
        let mut out = Vec::new();
        super::split(raw, base, &mut out).map(|()| out)
    }

    #[test]
    fn splits_attributes() {
        let raw = " a='1' b = \"x'y\"\n";
        let a = split(raw, 10).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(
            (a[0].qname(raw), a[0].value(raw), a[0].value_at()),
            ("a", "1", 14)
        );
        assert_eq!(
            (a[1].qname(raw), a[1].value(raw), a[1].name_at()),
            ("b", "x'y", 17)
        );
        assert!(split("", 0).unwrap().is_empty());
        assert!(split("  ", 0).unwrap().is_empty());
    }

    #[test]
    fn rejects_malformed_lists() {
        assert_eq!(split(" a='1'b='2'", 0).unwrap_err().at, 6);
        assert_eq!(split("a='1'", 0).unwrap_err().at, 0);
        assert!(split(" a", 0).is_err());
        assert!(split(" a=", 0).is_err());
        assert!(split(" a=1", 0).is_err());
        assert!(split(" a='1", 0).is_err());
        assert!(split(" 1a='1'", 0).is_err());
        assert!(split(" a:b:c='1'", 0).is_err());
    }
}
