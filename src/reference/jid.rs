//! JIDs as the reference server needs them (RFC 7622): split into
//! localpart, domainpart and resourcepart, with the checks that decide
//! `jid-malformed` (RFC 6120 §8.3.3.8).
//!
//! No PRECIS profiles beyond case: resources compare exactly, localparts
//! after lower-casing (the case mapping of RFC 7622 §3.3.1's
//! UsernameCaseMapped, done where stanzas are routed, `stanza.rs`); the
//! domainpart compares case-insensitively, since DNS names do, and a
//! trailing dot is dropped (RFC 7622 §3.2).

use std::fmt;

/// Most bytes in each part (RFC 7622 §3.1).
const MAX_PART: usize = 1023;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Jid {
    pub local: Option<String>,
    /// Lower-case ASCII letters; without a trailing dot.
    pub domain: String,
    pub resource: Option<String>,
}

/// Why a string is not a JID: shown in `<text/>` of a `jid-malformed`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid JID: {0}")]
pub struct JidError(&'static str);

impl Jid {
    /// Parse per RFC 7622 §3.1: the resource starts at the first `/`, the
    /// localpart ends at the first `@` before it.
    pub fn parse(text: &str) -> Result<Jid, JidError> {
        let (rest, resource) = match text.split_once('/') {
            Some((rest, resource)) => (rest, Some(resource)),
            None => (text, None),
        };
        let (local, domain) = match rest.split_once('@') {
            Some((local, domain)) => (Some(local), domain),
            None => (None, rest),
        };
        let domain = domain.strip_suffix('.').unwrap_or(domain);
        check_part(domain, "the domainpart")?;
        if domain
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '@' | '/' | '<' | '>' | '"' | '\'' | '&'))
        {
            return Err(JidError(
                "the domainpart has a character no domain name has",
            ));
        }
        if let Some(local) = local {
            check_part(local, "the localpart")?;
            if local.chars().any(|c| {
                c.is_whitespace() || matches!(c, '"' | '&' | '\'' | '/' | ':' | '<' | '>' | '@')
            }) {
                return Err(JidError(
                    "the localpart has a character RFC 7622 §3.3.1 forbids",
                ));
            }
        }
        if let Some(resource) = resource {
            check_part(resource, "the resourcepart")?;
        }
        Ok(Jid {
            local: local.map(str::to_owned),
            domain: domain.to_ascii_lowercase(),
            resource: resource.map(str::to_owned),
        })
    }

    /// `local@domain` with the same parts.
    pub fn full(local: &str, domain: &str, resource: &str) -> Jid {
        Jid {
            local: Some(local.to_owned()),
            domain: domain.to_ascii_lowercase(),
            resource: Some(resource.to_owned()),
        }
    }

    /// This JID without its resource.
    pub fn to_bare(&self) -> Jid {
        Jid {
            resource: None,
            ..self.clone()
        }
    }

    /// Whether `domain` is this JID's domainpart.
    pub fn is_at(&self, domain: &str) -> bool {
        self.domain
            .eq_ignore_ascii_case(domain.strip_suffix('.').unwrap_or(domain))
    }
}

/// Not empty, not too long, no control characters (none of the PRECIS
/// classes allows them).
fn check_part(part: &str, what: &'static str) -> Result<(), JidError> {
    if part.is_empty() {
        return Err(JidError(match what {
            "the localpart" => "the localpart is empty",
            "the resourcepart" => "the resourcepart is empty",
            _ => "the domainpart is empty",
        }));
    }
    if part.len() > MAX_PART {
        return Err(JidError("a part is longer than 1023 bytes"));
    }
    if part.chars().any(char::is_control) {
        return Err(JidError("a part has a control character"));
    }
    Ok(())
}

impl fmt::Display for Jid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(local) = &self.local {
            write!(f, "{local}@")?;
        }
        f.write_str(&self.domain)?;
        if let Some(resource) = &self.resource {
            write!(f, "/{resource}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_rfc7622_says() {
        let j = Jid::parse("juliet@Example.COM./balcony/with@slash").unwrap();
        assert_eq!(j.local.as_deref(), Some("juliet"));
        assert_eq!(j.domain, "example.com");
        assert_eq!(j.resource.as_deref(), Some("balcony/with@slash"));
        assert_eq!(j.to_string(), "juliet@example.com/balcony/with@slash");
        assert_eq!(j.to_bare().to_string(), "juliet@example.com");
        assert!(j.is_at("EXAMPLE.com"));
        let d = Jid::parse("example.com").unwrap();
        assert_eq!((d.local, d.resource), (None, None));
        let r = Jid::parse("example.com/res").unwrap();
        assert_eq!(r.resource.as_deref(), Some("res"));
    }

    #[test]
    fn malformed_ones() {
        for bad in [
            "",
            "@example.com",
            "juliet@",
            "juliet@example.com/",
            "jul iet@example.com",
            "a@b@c",
            "exa mple.com",
            "x\u{1}@example.com",
            "example.com/\u{7}",
        ] {
            assert!(Jid::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Jid::parse(&format!("{}@example.com", "a".repeat(1024))).is_err());
        assert!(Jid::parse(&format!("{}@example.com", "a".repeat(1023))).is_ok());
    }
}
