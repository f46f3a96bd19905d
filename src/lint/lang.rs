//! The syntax of a BCP 47 language tag (RFC 5646 §2.1), which RFC 6120
//! requires of every `xml:lang` on a stream header (§4.7.4) and a stanza
//! (§8.1.5).
//!
//! Only the form is checked, subtag by subtag, never whether a subtag is
//! registered: the registry changes, the grammar does not, and a lint
//! finding must hold against any registry a server was built with.

/// The irregular and regular grandfathered tags (RFC 5646 §2.1, the
/// `grandfathered` production), which do not follow the grammar of the
/// others. Compared case-insensitively, as all subtags are (§2.1.1).
const GRANDFATHERED: &[&str] = &[
    "en-gb-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-be-fr",
    "sgn-be-nl",
    "sgn-ch-de",
    "art-lojban",
    "cel-gaulish",
    "no-bok",
    "no-nyn",
    "zh-guoyu",
    "zh-hakka",
    "zh-min",
    "zh-min-nan",
    "zh-xiang",
];

/// `true` when `tag` is a well-formed language tag: a `langtag`, a
/// `privateuse` tag or a grandfathered one.
pub fn is_valid(tag: &str) -> bool {
    if GRANDFATHERED.iter().any(|g| g.eq_ignore_ascii_case(tag)) {
        return true;
    }
    let subtags: Vec<&str> = tag.split('-').collect();
    if subtags
        .iter()
        .any(|s| s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return false;
    }
    match subtags.split_first() {
        Some((first, rest)) if first.eq_ignore_ascii_case("x") => private_use(rest),
        Some(_) => langtag(&subtags),
        None => false,
    }
}

fn alpha(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphabetic())
}

fn digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// What follows `x-`: one or more subtags of 1 to 8 alphanumerics (the
/// characters were checked by the caller).
fn private_use(rest: &[&str]) -> bool {
    !rest.is_empty()
}

/// `language ["-" script] ["-" region] *("-" variant) *("-" extension)
/// ["-" privateuse]`, in that order.
fn langtag(subtags: &[&str]) -> bool {
    let mut rest = subtags;
    let Some((language, after)) = rest.split_first() else {
        return false;
    };
    if !alpha(language) || language.len() < 2 {
        return false;
    }
    rest = after;
    // Up to three extended language subtags, only after a 2 or 3 letter
    // primary language.
    if language.len() <= 3 {
        let mut extlangs = 0;
        while let Some((s, after)) = rest.split_first() {
            if extlangs == 3 || !(s.len() == 3 && alpha(s)) {
                break;
            }
            extlangs += 1;
            rest = after;
        }
    }
    if let Some((s, after)) = rest.split_first()
        && s.len() == 4
        && alpha(s)
    {
        rest = after;
    }
    if let Some((s, after)) = rest.split_first()
        && ((s.len() == 2 && alpha(s)) || (s.len() == 3 && digits(s)))
    {
        rest = after;
    }
    while let Some((s, after)) = rest.split_first() {
        let first_digit = s.as_bytes().first().is_some_and(u8::is_ascii_digit);
        if s.len() >= 5 || (s.len() == 4 && first_digit) {
            rest = after;
        } else {
            break;
        }
    }
    // Extensions: a singleton (any alphanumeric but `x`) and at least one
    // subtag of 2 to 8 characters.
    while let Some((s, after)) = rest.split_first() {
        if s.len() != 1 || s.eq_ignore_ascii_case("x") {
            break;
        }
        let taken = after.iter().take_while(|t| t.len() >= 2).count();
        if taken == 0 {
            return false;
        }
        rest = &after[taken..];
    }
    match rest.split_first() {
        None => true,
        Some((s, after)) if s.eq_ignore_ascii_case("x") => private_use(after),
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    #[test]
    fn well_formed_tags() {
        for tag in [
            "en",
            "EN",
            "de-CH",
            "zh-Hant-TW",
            "sr-Latn-RS",
            "es-419",
            "sl-rozaj-biske",
            "de-CH-1901",
            "zh-yue-HK",
            "en-US-u-islamcal",
            "en-a-bbb-x-a-ccc",
            "x-whatever",
            "qaa-Qaaa-QM-x-southern",
            "i-klingon",
            "zh-min-nan",
            "tlh",
            "abcdefgh",
        ] {
            assert!(is_valid(tag), "{tag}");
        }
    }

    #[test]
    fn malformed_tags() {
        for tag in [
            "",
            "e",
            "en_US",
            "en-",
            "-en",
            "en--US",
            "123",
            "en-US-",
            "abcdefghi",
            "en-a",
            "en-a-x-y",
            "en-x",
            "x",
            "de-419-DE",
            "a-DE",
            "ar-a-aaa-b-bbb-a-ccc-x",
            "english language",
            "fr-ü",
        ] {
            assert!(!is_valid(tag), "{tag}");
        }
    }
}
