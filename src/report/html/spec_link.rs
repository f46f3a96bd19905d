//! References as links: `RFC 6120 §4.9.3.13` to the section on the IETF's
//! site, `XEP-0178 §4` to the XEP's page.

use super::escape;

/// `reference` as a link where its document is known, as text otherwise.
pub(super) fn linked(reference: &str) -> String {
    match url(reference) {
        Some(url) => format!("<a href=\"{}\">{}</a>", escape(&url), escape(reference)),
        None => escape(reference),
    }
}

/// Where `RFC N §S`, `RFC N` or `XEP-N …` is published.
fn url(reference: &str) -> Option<String> {
    let reference = reference.trim();
    if let Some(rest) = reference.strip_prefix("RFC ") {
        let (number, section) = match rest.split_once('§') {
            Some((n, s)) => (n.trim(), Some(s.trim())),
            None => (rest.split_whitespace().next()?, None),
        };
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let base = format!("https://datatracker.ietf.org/doc/html/rfc{number}");
        return Some(match section.map(anchor) {
            Some(Some(anchor)) => format!("{base}#{anchor}"),
            _ => base,
        });
    }
    let number = reference.strip_prefix("XEP-")?.get(..4)?;
    number
        .chars()
        .all(|c| c.is_ascii_digit())
        .then(|| format!("https://xmpp.org/extensions/xep-{number}.html"))
}

/// The datatracker anchor of a section: `section-4.9.3.13`, or
/// `appendix-A` for `Appendix A`.
fn anchor(section: &str) -> Option<String> {
    if let Some(appendix) = section.strip_prefix("Appendix ") {
        return Some(format!("appendix-{}", appendix.trim()));
    }
    let number: String = section
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let number = number.trim_end_matches('.');
    (!number.is_empty()).then(|| format!("section-{number}"))
}

#[cfg(test)]
mod tests {
    use super::url;

    #[test]
    fn references_link_to_their_section() {
        assert_eq!(
            url("RFC 6120 §4.9.3.13").as_deref(),
            Some("https://datatracker.ietf.org/doc/html/rfc6120#section-4.9.3.13")
        );
        assert_eq!(
            url("RFC 4505").as_deref(),
            Some("https://datatracker.ietf.org/doc/html/rfc4505")
        );
        assert_eq!(
            url("RFC 4422 Appendix A").as_deref(),
            Some("https://datatracker.ietf.org/doc/html/rfc4422")
        );
        assert_eq!(
            url("RFC 6120 §5.4.3.3, §5.3.1").as_deref(),
            Some("https://datatracker.ietf.org/doc/html/rfc6120#section-5.4.3.3")
        );
        assert_eq!(
            url("XEP-0178 §4").as_deref(),
            Some("https://xmpp.org/extensions/xep-0178.html")
        );
        assert_eq!(url("a note"), None);
    }
}
