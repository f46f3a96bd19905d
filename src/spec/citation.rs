//! `spec` citations (`RFC 6120 §4.7.3`, `RFC 4422 Appendix A`) checked
//! against the inventories' section lists.
//!
//! A verdict cites its rule, so a citation of a section that does not exist
//! sends the reader nowhere (`RFC 6120 §8.5.3.1` was one: that section is
//! RFC 6121's). Documents without an inventory cannot be checked and pass.

use super::Inventory;

/// A citation taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// The inventory id it names: `rfc6120`, `xep0124`.
    pub document: String,
    /// The section (`4.7.3`, `A` for "Appendix A"); `None` for the whole
    /// document.
    pub section: Option<String>,
}

/// Why a citation is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CitationError {
    #[error("{document} has no section {section}")]
    NoSuchSection {
        /// As written: `RFC 6120`.
        document: String,
        section: String,
        /// The closest section that exists.
        suggestion: Option<String>,
    },
    #[error("`{text}` is not a citation of {document} (write \"{document} §4.7.3\")")]
    Malformed { text: String, document: String },
}

impl CitationError {
    /// "did you mean …" for the section, when one is close.
    pub fn help(&self) -> Option<String> {
        match self {
            CitationError::NoSuchSection {
                document,
                suggestion: Some(s),
                ..
            } => Some(format!("did you mean `{document} §{s}`?")),
            _ => None,
        }
    }
}

impl Citation {
    /// `RFC 6120 §4.7.3` → `rfc6120`, `4.7.3`; `None` when the text does not
    /// start with a document name this module knows (`RFC n`, `XEP-n`).
    /// `Some(Err(rest))` when it does but the rest is not a section.
    pub fn parse(text: &str) -> Option<Result<Citation, String>> {
        let text = text.trim();
        let (document, rest) = if let Some(rest) = text.strip_prefix("RFC ") {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (format!("rfc{digits}"), &rest[digits.len()..])
        } else if let Some(rest) = text.strip_prefix("XEP-") {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (format!("xep{digits}"), &rest[digits.len()..])
        } else {
            return None;
        };
        if document.len() <= 3 {
            return None;
        }
        let rest = rest.trim();
        let section = if rest.is_empty() {
            None
        } else if let Some(n) = rest.strip_prefix('§') {
            Some(n.trim().to_owned())
        } else if let Some(n) = rest.strip_prefix("Appendix ") {
            Some(n.trim().to_owned())
        } else {
            return Some(Err(rest.to_owned()));
        };
        Some(Ok(Citation { document, section }))
    }
}

/// `rfc6120` → `RFC 6120`, `xep0124` → `XEP-0124`.
pub(super) fn display_name(id: &str) -> String {
    if let Some(n) = id.strip_prefix("rfc") {
        format!("RFC {n}")
    } else if let Some(n) = id.strip_prefix("xep") {
        format!("XEP-{n}")
    } else {
        id.to_owned()
    }
}

pub(super) fn check(inventory: &Inventory, text: &str) -> Result<(), CitationError> {
    let Some(parsed) = Citation::parse(text) else {
        return Ok(());
    };
    let document_of = |rest: &str| {
        // The document part as written, for messages.
        text.trim()
            .strip_suffix(rest)
            .unwrap_or(text)
            .trim()
            .to_owned()
    };
    let citation = match parsed {
        Ok(c) => c,
        Err(rest) => {
            let document = document_of(&rest);
            let known = Citation::parse(&document)
                .and_then(Result::ok)
                .is_some_and(|c| inventory.document(&c.document).is_some());
            return if known {
                Err(CitationError::Malformed {
                    text: text.to_owned(),
                    document,
                })
            } else {
                Ok(())
            };
        }
    };
    let (Some(doc), Some(section)) = (inventory.document(&citation.document), &citation.section)
    else {
        return Ok(());
    };
    if doc.section(section).is_some() {
        return Ok(());
    }
    let numbers: Vec<&str> = doc.sections.iter().map(|s| s.number.as_str()).collect();
    Err(CitationError::NoSuchSection {
        document: doc.name(),
        section: section.clone(),
        suggestion: crate::suggest::did_you_mean(section, &numbers).map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inventory() -> Inventory {
        let text = "[document]\nid = \"rfc6120\"\ntitle = \"T\"\nsource = \"S\"\n\
                    [[section]]\nnumber = \"4.7.3\"\ntitle = \"id\"\n\
                    [[section]]\nnumber = \"A\"\ntitle = \"Schemas\"\n";
        Inventory::from_files([("spec/rfc6120.toml", text)]).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn parses_the_forms_in_use() {
        let c = |s: &str| Citation::parse(s).and_then(Result::ok);
        assert_eq!(
            c("RFC 6120 §4.7.3"),
            Some(Citation {
                document: "rfc6120".into(),
                section: Some("4.7.3".into())
            })
        );
        assert_eq!(
            c("XEP-0124 §7.2").map(|c| c.document),
            Some("xep0124".into())
        );
        assert_eq!(c("RFC 7677").map(|c| c.section), Some(None));
        assert_eq!(
            c("RFC 4422 Appendix A").and_then(|c| c.section),
            Some("A".into())
        );
        assert_eq!(Citation::parse("Jabber lore"), None);
        assert_eq!(Citation::parse("RFC §1"), None);
        assert_eq!(
            Citation::parse("RFC 6120 section 4"),
            Some(Err("section 4".into()))
        );
    }

    #[test]
    fn checks_sections_of_documents_with_an_inventory() {
        let inv = inventory();
        assert_eq!(inv.check_citation("RFC 6120 §4.7.3"), Ok(()));
        assert_eq!(inv.check_citation("RFC 6120 Appendix A"), Ok(()));
        assert_eq!(inv.check_citation("RFC 6120"), Ok(()));
        // Nothing to check RFC 6121 against here.
        assert_eq!(inv.check_citation("RFC 6121 §8.5.3.1"), Ok(()));
        assert_eq!(inv.check_citation("XEP-0175"), Ok(()));
        let e = inv.check_citation("RFC 6120 §4.7.4");
        assert_eq!(
            e.as_ref().map_err(ToString::to_string),
            Err("RFC 6120 has no section 4.7.4".to_owned())
        );
        assert_eq!(
            e.err().and_then(|e| e.help()),
            Some("did you mean `RFC 6120 §4.7.3`?".to_owned())
        );
        let e = inv.check_citation("RFC 6120 section 4");
        assert!(matches!(e, Err(CitationError::Malformed { .. })), "{e:?}");
        assert_eq!(inv.check_citation("RFC 6121 section 4"), Ok(()));
    }
}
