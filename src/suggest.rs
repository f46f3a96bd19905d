//! "Did you mean …?" for misspelt directives, variables, keys and
//! statement ids (scenario files and spec inventories alike).
//!
//! Scenario files are written by hand; a typo should cost one glance at the
//! error, not a trip to the documentation.

/// The candidate closest to `input`, if it is close enough to be the likely
/// intent. Case is ignored when comparing, so `Domain` finds `domain`.
pub(crate) fn did_you_mean<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lowered = input.to_lowercase();
    // Short words tolerate one edit; longer ones about one in three chars.
    let threshold = (lowered.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(&lowered, &c.to_lowercase()), *c))
        .filter(|(d, _)| *d <= threshold)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_transpositions_and_case() {
        let names = ["restart", "expect-close", "silence", "include"];
        assert_eq!(did_you_mean("expect-clsoe", &names), Some("expect-close"));
        assert_eq!(did_you_mean("Restart", &names), Some("restart"));
        assert_eq!(did_you_mean("silense", &names), Some("silence"));
    }

    #[test]
    fn ignores_distant_words() {
        let names = ["restart", "expect-close"];
        assert_eq!(did_you_mean("banana", &names), None);
        assert_eq!(did_you_mean("xy", &names), None);
    }
}
