//! `--shard K/N`: one of N disjoint parts of a suite, so that a CI matrix
//! runs it on N machines.
//!
//! A scenario's shard is a hash of its id, not its place in the list:
//! adding or removing a scenario moves no other one to another shard, so
//! a machine's share (and its timing, and its cache) stays put as the
//! suite grows. The hash is FNV-1a, written here because it must never
//! change between versions or platforms (std's hasher may).

/// Part `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

impl Shard {
    /// `K/N` with 1 ≤ K ≤ N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let usage = || format!("`{text}`: expected K/N with 1 <= K <= N, such as 2/4");
        let (k, n) = text.split_once('/').ok_or_else(usage)?;
        let index: u64 = k.trim().parse().map_err(|_| usage())?;
        let count: u64 = n.trim().parse().map_err(|_| usage())?;
        if index == 0 || count == 0 || index > count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }

    /// Whether the scenario `id` belongs to this part.
    pub fn contains(&self, id: &str) -> bool {
        fnv1a(id.as_bytes()) % self.count == self.index - 1
    }
}

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_in_exactly_one_shard() {
        let ids: Vec<String> = (0..500)
            .map(|i| format!("rfc6120/x/scenario-{i}"))
            .collect();
        let shards: Vec<Shard> = (1..=4)
            .map(|k| Shard::parse(&format!("{k}/4")).expect("valid"))
            .collect();
        let mut sizes = [0usize; 4];
        for id in &ids {
            let homes: Vec<usize> = (0..4).filter(|&i| shards[i].contains(id)).collect();
            assert_eq!(homes.len(), 1, "{id}");
            sizes[homes[0]] += 1;
        }
        // Balanced enough for a CI matrix.
        assert!(sizes.iter().all(|&s| s > 80), "{sizes:?}");
    }

    #[test]
    fn the_hash_never_changes() {
        // FNV-1a test vectors (the reference's "a" and "foobar").
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn bad_shards_are_refused() {
        for bad in ["0/4", "5/4", "1/0", "4", "a/b", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert!(Shard::parse("1/1").is_ok_and(|s| s.contains("anything")));
    }
}
