//! The error conditions RFC 6120 defines, once: the stream error
//! conditions of §4.9.3 and the stanza error conditions of §8.3.3, each
//! with the number of the subsection that defines it. A condition outside
//! these lists, in the conditions' own namespace, is one no receiver can
//! be expected to understand (§4.9.2 and §8.3.2 require a defined one);
//! the lint holds peers to them, and a unit test holds the lists to the
//! section titles of `spec/rfc6120.toml`.

/// RFC 6120 §4.9.3: (subsection, condition), in the RFC's order.
pub const STREAM_ERROR_CONDITIONS: &[(&str, &str)] = &[
    ("4.9.3.1", "bad-format"),
    ("4.9.3.2", "bad-namespace-prefix"),
    ("4.9.3.3", "conflict"),
    ("4.9.3.4", "connection-timeout"),
    ("4.9.3.5", "host-gone"),
    ("4.9.3.6", "host-unknown"),
    ("4.9.3.7", "improper-addressing"),
    ("4.9.3.8", "internal-server-error"),
    ("4.9.3.9", "invalid-from"),
    ("4.9.3.10", "invalid-namespace"),
    ("4.9.3.11", "invalid-xml"),
    ("4.9.3.12", "not-authorized"),
    ("4.9.3.13", "not-well-formed"),
    ("4.9.3.14", "policy-violation"),
    ("4.9.3.15", "remote-connection-failed"),
    ("4.9.3.16", "reset"),
    ("4.9.3.17", "resource-constraint"),
    ("4.9.3.18", "restricted-xml"),
    ("4.9.3.19", "see-other-host"),
    ("4.9.3.20", "system-shutdown"),
    ("4.9.3.21", "undefined-condition"),
    ("4.9.3.22", "unsupported-encoding"),
    ("4.9.3.23", "unsupported-feature"),
    ("4.9.3.24", "unsupported-stanza-type"),
    ("4.9.3.25", "unsupported-version"),
];

/// RFC 6120 §8.3.3: (subsection, condition), in the RFC's order.
pub const STANZA_ERROR_CONDITIONS: &[(&str, &str)] = &[
    ("8.3.3.1", "bad-request"),
    ("8.3.3.2", "conflict"),
    ("8.3.3.3", "feature-not-implemented"),
    ("8.3.3.4", "forbidden"),
    ("8.3.3.5", "gone"),
    ("8.3.3.6", "internal-server-error"),
    ("8.3.3.7", "item-not-found"),
    ("8.3.3.8", "jid-malformed"),
    ("8.3.3.9", "not-acceptable"),
    ("8.3.3.10", "not-allowed"),
    ("8.3.3.11", "not-authorized"),
    ("8.3.3.12", "policy-violation"),
    ("8.3.3.13", "recipient-unavailable"),
    ("8.3.3.14", "redirect"),
    ("8.3.3.15", "registration-required"),
    ("8.3.3.16", "remote-server-not-found"),
    ("8.3.3.17", "remote-server-timeout"),
    ("8.3.3.18", "resource-constraint"),
    ("8.3.3.19", "service-unavailable"),
    ("8.3.3.20", "subscription-required"),
    ("8.3.3.21", "undefined-condition"),
    ("8.3.3.22", "unexpected-request"),
];

/// Whether `name` is a stream error condition of RFC 6120 §4.9.3.
pub fn is_stream_error_condition(name: &str) -> bool {
    STREAM_ERROR_CONDITIONS.iter().any(|(_, c)| *c == name)
}

/// Whether `name` is a stanza error condition of RFC 6120 §8.3.3.
pub fn is_stanza_error_condition(name: &str) -> bool {
    STANZA_ERROR_CONDITIONS.iter().any(|(_, c)| *c == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lists are the RFC's subsections, by the titles the inventory
    /// took from the RFC's table of contents: none missing, none made up.
    #[test]
    fn the_lists_are_the_rfcs_subsections() {
        let inventory = crate::spec::built_in().unwrap_or_else(|e| panic!("{e}"));
        let doc = inventory
            .document("rfc6120")
            .unwrap_or_else(|| panic!("no rfc6120 in the inventory"));
        for (parent, list) in [
            ("4.9.3.", STREAM_ERROR_CONDITIONS),
            ("8.3.3.", STANZA_ERROR_CONDITIONS),
        ] {
            let titles: Vec<(String, String)> = doc
                .sections
                .iter()
                .filter(|s| {
                    s.number
                        .strip_prefix(parent)
                        .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
                })
                .map(|s| (s.number.clone(), s.title.clone()))
                .collect();
            let ours: Vec<(String, String)> = list
                .iter()
                .map(|(n, c)| (n.to_string(), c.to_string()))
                .collect();
            assert_eq!(ours, titles, "{parent}");
        }
    }
}
