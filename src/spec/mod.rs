//! The inventory of the specifications' normative statements (`spec/*.toml`).
//!
//! A conformance suite is worth what it covers, and "covers" needs a list
//! to count against: one entry per MUST / SHOULD sentence of an RFC, with a
//! stable id (`rfc6120/4.7.3/2`), its level, who it binds, whether a black
//! box can check it, and a paraphrase. Scenarios name the statements they
//! check (`covers = [...]`, validated at load), their `spec` citations are
//! checked against the documents' section lists, and
//! `xmpp-conform coverage` counts what is covered.
//!
//! The files are embedded by `build.rs`, like the built-in scenarios, so an
//! installed binary validates and reports without a source tree. This
//! module depends on no other of the crate: the scenario parser consults
//! it, not the other way round.

mod citation;
pub mod coverage;
mod load;
mod render;

pub use citation::{Citation, CitationError};
pub use load::parse;

use std::sync::OnceLock;

use serde::Serialize;

include!(concat!(env!("OUT_DIR"), "/built_in_specs.rs"));

/// A fault in an inventory file: `path:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}{}", help.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
pub struct SpecError {
    pub path: String,
    /// 1-based; 0 when the fault is about the file as a whole.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    /// Usually "did you mean `…`?".
    pub help: Option<String>,
}

/// RFC 2119 level of a statement (REQUIRED and SHALL are MUST,
/// RECOMMENDED is SHOULD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Level {
    #[serde(rename = "MUST")]
    Must,
    #[serde(rename = "MUST NOT")]
    MustNot,
    #[serde(rename = "SHOULD")]
    Should,
    #[serde(rename = "SHOULD NOT")]
    ShouldNot,
}

impl Level {
    /// Every level with its name in the files, the one table of both.
    pub const ALL: [(Level, &'static str); 4] = [
        (Level::Must, "MUST"),
        (Level::MustNot, "MUST NOT"),
        (Level::Should, "SHOULD"),
        (Level::ShouldNot, "SHOULD NOT"),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(l, _)| *l == self)
            .map_or("MUST", |(_, n)| n)
    }

    /// MUST or MUST NOT: an absolute requirement.
    pub fn is_absolute(self) -> bool {
        matches!(self, Level::Must | Level::MustNot)
    }
}

/// Who a statement obliges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Binds {
    Server,
    Client,
    Both,
}

impl Binds {
    pub const ALL: [(Binds, &'static str); 3] = [
        (Binds::Server, "server"),
        (Binds::Client, "client"),
        (Binds::Both, "both"),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(b, _)| *b == self)
            .map_or("both", |(_, n)| n)
    }
}

/// One numbered section of a document, as in its table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// `4.7.3`, or `A.1` for an appendix.
    pub number: String,
    pub title: String,
}

/// One normative sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// `<document>/<section>/<n>`, n counting the section's normative
    /// sentences in order from 1.
    pub id: String,
    pub section: String,
    pub level: Level,
    pub binds: Binds,
    /// Whether a black box at the other end of a client-to-server stream
    /// can see the rule kept or broken.
    pub checkable: bool,
    /// Why not, when it cannot (empty otherwise).
    pub why_not: String,
    /// Our paraphrase, never the document's wording.
    pub says: String,
}

/// One specification and its statements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// Lower-case, the prefix of its statements' ids: `rfc6120`.
    pub id: String,
    pub title: String,
    /// Where the text came from.
    pub source: String,
    pub sections: Vec<Section>,
    pub statements: Vec<Statement>,
}

impl Document {
    pub fn section(&self, number: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.number == number)
    }

    pub fn statement(&self, id: &str) -> Option<&Statement> {
        self.statements.iter().find(|s| s.id == id)
    }

    /// How a citation names it: `RFC 6120` for `rfc6120`.
    pub fn name(&self) -> String {
        citation::display_name(&self.id)
    }
}

/// Every document with an inventory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    pub documents: Vec<Document>,
}

impl Inventory {
    /// Parse `(path, text)` pairs, one document each; ids must not repeat.
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Inventory, SpecError> {
        let mut documents: Vec<Document> = Vec::new();
        for (path, text) in files {
            let doc = parse(path, text)?;
            if documents.iter().any(|d| d.id == doc.id) {
                return Err(SpecError {
                    path: path.to_owned(),
                    line: 0,
                    column: 0,
                    message: format!("a second inventory of `{}`", doc.id),
                    help: None,
                });
            }
            documents.push(doc);
        }
        documents.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Inventory { documents })
    }

    pub fn document(&self, id: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.id == id)
    }

    /// The statement with this id, in whichever document.
    pub fn statement(&self, id: &str) -> Option<&Statement> {
        let doc = id.split('/').next()?;
        self.document(doc)?.statement(id)
    }

    /// Check a `spec` citation such as `RFC 6120 §4.7.3`: fine when it names
    /// a document without an inventory (there is nothing to check it
    /// against) or a section its inventory lists.
    pub fn check_citation(&self, text: &str) -> Result<(), CitationError> {
        citation::check(self, text)
    }
}

/// The inventories embedded in the binary (`spec/*.toml`), parsed once.
pub fn built_in() -> Result<&'static Inventory, SpecError> {
    static PARSED: OnceLock<Result<Inventory, SpecError>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            let mut texts = Vec::new();
            for (path, bytes) in FILES {
                let text = std::str::from_utf8(bytes).map_err(|e| SpecError {
                    path: (*path).to_owned(),
                    line: 0,
                    column: 0,
                    message: format!("not UTF-8: {e}"),
                    help: None,
                })?;
                texts.push((*path, text));
            }
            Inventory::from_files(texts)
        })
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_inventories_load() {
        let inv = built_in().unwrap_or_else(|e| panic!("{e}"));
        let rfc6120 = inv.document("rfc6120").map(|d| d.statements.len());
        assert!(rfc6120.is_some_and(|n| n > 400), "{rfc6120:?}");
        assert!(inv.statement("rfc6120/4.7.3/2").is_some());
        assert!(inv.statement("rfc6120/4.7.3/99").is_none());
        assert!(inv.statement("nope").is_none());
        assert_eq!(
            inv.document("rfc6120").map(Document::name).as_deref(),
            Some("RFC 6120")
        );
    }

    #[test]
    fn level_and_binds_names_round_trip() {
        for (l, n) in Level::ALL {
            assert_eq!(l.name(), n);
        }
        for (b, n) in Binds::ALL {
            assert_eq!(b.name(), n);
        }
        assert!(Level::MustNot.is_absolute() && !Level::Should.is_absolute());
    }
}
