//! Fast search for the next byte that matters to the framer.
//!
//! In most states only a few bytes can change the framer's state (`<` in
//! text, the closing quote in an attribute value, ...); the runs between
//! them are skipped here without stepping the state machine.

use super::chars::bytes_equal;

/// A set of bytes to search for. Small sets are searched eight bytes at a
/// time (SWAR: a word is skipped when none of its bytes is in the set);
/// larger ones with a 256-entry table.
pub(crate) enum ByteSet {
    Few(&'static [u8]),
    Table(&'static [bool; 256]),
}

impl ByteSet {
    /// Position of the first byte of `hay` in the set.
    pub(crate) fn find(&self, hay: &[u8]) -> Option<usize> {
        match self {
            ByteSet::Table(t) => hay.iter().position(|&b| t[usize::from(b)]),
            ByteSet::Few(set) => {
                let (words, tail) = hay.as_chunks::<8>();
                for (k, word) in words.iter().enumerate() {
                    let w = u64::from_le_bytes(*word);
                    let hits = set.iter().fold(0, |acc, &b| acc | bytes_equal(w, b));
                    if hits != 0 {
                        return Some(k * 8 + (hits.trailing_zeros() / 8) as usize);
                    }
                }
                let done = words.len() * 8;
                tail.iter().position(|b| set.contains(b)).map(|p| done + p)
            }
        }
    }
}

const fn table(bytes: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut k = 0;
    while k < bytes.len() {
        t[bytes[k] as usize] = true;
        k += 1;
    }
    t
}

const fn not_ws() -> [bool; 256] {
    let mut t = [true; 256];
    t[b' ' as usize] = false;
    t[b'\t' as usize] = false;
    t[b'\r' as usize] = false;
    t[b'\n' as usize] = false;
    t
}

/// Bytes that matter in each state where runs can be skipped.
pub(crate) static IN_TEXT: ByteSet = ByteSet::Few(b"<");
pub(crate) static IN_TAG: ByteSet = ByteSet::Table(&TAG_TABLE);
static TAG_TABLE: [bool; 256] = table(b"<>'\"=");
pub(crate) static IN_SQUOTE: ByteSet = ByteSet::Few(b"<'");
pub(crate) static IN_DQUOTE: ByteSet = ByteSet::Few(b"<\"");
pub(crate) static IN_END_TAG: ByteSet = ByteSet::Few(b"<>");
pub(crate) static GT_ONLY: ByteSet = ByteSet::Few(b">");
/// In the XML declaration: either byte ends it, closed or broken.
pub(crate) static IN_DECL: ByteSet = ByteSet::Few(b"<>");
pub(crate) static NOT_WS: ByteSet = ByteSet::Table(&NOT_WS_TABLE);
static NOT_WS_TABLE: [bool; 256] = not_ws();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sets_find_the_first_member() {
        let hay: Vec<u8> = (0..40u8).map(|k| b'a' + k % 26).collect();
        for set in [
            &IN_TEXT,
            &IN_TAG,
            &IN_SQUOTE,
            &IN_DQUOTE,
            &IN_END_TAG,
            &GT_ONLY,
            &IN_DECL,
            &NOT_WS,
        ] {
            for i in 0..hay.len() {
                for &b in b"<>'\"= \t" {
                    let mut h = hay.clone();
                    h[i] = b;
                    let naive = h.iter().position(|c| match set {
                        ByteSet::Few(s) => s.contains(c),
                        ByteSet::Table(t) => t[usize::from(*c)],
                    });
                    assert_eq!(set.find(&h), naive, "{:?}", String::from_utf8_lossy(&h));
                }
            }
        }
        assert_eq!(IN_TEXT.find(b""), None);
        assert_eq!(IN_TEXT.find("é<".as_bytes()), Some(2));
    }
}
