//! Choosing a mechanism from the server's `<mechanisms/>`, and building it.
//!
//! Strongest first: SCRAM-SHA-256 > SCRAM-SHA-1 > DIGEST-MD5 > PLAIN.
//! ANONYMOUS and EXTERNAL authenticate as someone else than the scenario's
//! account, so they are used only when asked for by name.
//!
//! A `preferred` mechanism is a scenario's explicit demand ("authenticate
//! with DIGEST-MD5"): when the server does not offer it, there is no
//! fallback — the answer is `None`, so the engine reports the missing
//! mechanism instead of quietly testing a different one.
//!
//! Names compare exactly: RFC 4422 §3.1 makes them upper-case ASCII, and a
//! server advertising `plain` or ` PLAIN ` is a finding, not a match.

use super::{Anonymous, Credentials, DigestMd5, External, Mechanism, Plain, Scram};

/// Every mechanism this module implements, strongest first; the last two
/// only on request.
pub const SUPPORTED: [&str; 6] = [
    "SCRAM-SHA-256",
    "SCRAM-SHA-1",
    "DIGEST-MD5",
    "PLAIN",
    "ANONYMOUS",
    "EXTERNAL",
];

/// How many of [`SUPPORTED`] are chosen without being asked for.
const AUTOMATIC: usize = 4;

/// The mechanism to use among `offered`: `preferred` if given, supported
/// and offered; else, with no preference, the strongest offered one.
pub fn select(offered: &[&str], preferred: Option<&str>) -> Option<&'static str> {
    match preferred {
        Some(want) => SUPPORTED
            .iter()
            .copied()
            .find(|s| *s == want && offered.contains(s)),
        None => SUPPORTED[..AUTOMATIC]
            .iter()
            .copied()
            .find(|s| offered.contains(s)),
    }
}

/// A client for mechanism `name`, or `None` if it is not in [`SUPPORTED`].
/// `domain` is the server's XMPP domain (DIGEST-MD5's digest-uri);
/// EXTERNAL sends the credentials' authzid, ANONYMOUS no trace token.
pub fn client(name: &str, credentials: Credentials, domain: &str) -> Option<Box<dyn Mechanism>> {
    Some(match name {
        "SCRAM-SHA-256" => Box::new(Scram::sha256(credentials)),
        "SCRAM-SHA-1" => Box::new(Scram::sha1(credentials)),
        "DIGEST-MD5" => Box::new(DigestMd5::new(credentials, domain)),
        "PLAIN" => Box::new(Plain::new(credentials)),
        "ANONYMOUS" => Box::new(Anonymous::new(None)),
        "EXTERNAL" => Box::new(External::new(credentials.authzid.as_deref())),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strongest_offered_wins() {
        let all = [
            "PLAIN",
            "DIGEST-MD5",
            "SCRAM-SHA-1",
            "SCRAM-SHA-256",
            "ANONYMOUS",
        ];
        assert_eq!(select(&all, None), Some("SCRAM-SHA-256"));
        assert_eq!(select(&all[..3], None), Some("SCRAM-SHA-1"));
        assert_eq!(select(&all[..2], None), Some("DIGEST-MD5"));
        assert_eq!(select(&["PLAIN", "X-OAUTH2"], None), Some("PLAIN"));
        assert_eq!(select(&["SCRAM-SHA-1-PLUS", "X-OAUTH2"], None), None);
        assert_eq!(select(&[], None), None);
    }

    #[test]
    fn anonymous_and_external_only_on_request() {
        assert_eq!(select(&["ANONYMOUS", "EXTERNAL"], None), None);
        assert_eq!(
            select(&["ANONYMOUS", "PLAIN"], Some("ANONYMOUS")),
            Some("ANONYMOUS")
        );
        assert_eq!(
            select(&["EXTERNAL", "PLAIN"], Some("EXTERNAL")),
            Some("EXTERNAL")
        );
    }

    #[test]
    fn preference_is_a_demand() {
        let offered = ["SCRAM-SHA-256", "PLAIN"];
        assert_eq!(select(&offered, Some("PLAIN")), Some("PLAIN"));
        assert_eq!(select(&offered, Some("DIGEST-MD5")), None);
        assert_eq!(select(&["X-FOO"], Some("X-FOO")), None, "unsupported");
    }

    #[test]
    fn names_compare_exactly() {
        assert_eq!(select(&["plain", " PLAIN"], None), None);
    }

    #[test]
    fn client_builds_each_supported_mechanism() {
        for name in SUPPORTED {
            let m = client(name, Credentials::new("u", "p"), "example.com").unwrap();
            assert_eq!(m.name(), name);
        }
        assert!(client("CRAM-MD5", Credentials::new("u", "p"), "d").is_none());
    }
}
