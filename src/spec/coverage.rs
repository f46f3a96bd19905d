//! What the scenarios cover: per section, per level and per side, the
//! statements, how many a black box can check, and how many a scenario
//! names in its `covers`.
//!
//! Computed from ids alone (scenario id → the statement ids it covers), so
//! this module needs nothing of the scenario parser, which already refused
//! unknown ids and statements that cannot be checked.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Binds, Inventory, Level, Statement};

pub use super::render::{Format, render, summary_markdown};

/// Three counts and the share of the checkable that is covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub statements: usize,
    pub checkable: usize,
    pub covered: usize,
}

impl Counts {
    fn add(&mut self, statement: &Statement, covered: bool) {
        self.statements += 1;
        if statement.checkable {
            self.checkable += 1;
            if covered {
                self.covered += 1;
            }
        }
    }

    /// Covered as a percentage of checkable; `None` when nothing is
    /// checkable.
    pub fn percent(&self) -> Option<f64> {
        (self.checkable > 0).then(|| 100.0 * self.covered as f64 / self.checkable as f64)
    }
}

/// One section with statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionRow {
    pub number: String,
    pub title: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// A total over the statements of a document that match a filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TotalRow {
    /// `MUST`, `SHOULD`, `all`, `MUST, server`…
    pub label: &'static str,
    #[serde(flatten)]
    pub counts: Counts,
}

/// A checkable statement no scenario covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uncovered {
    pub id: String,
    pub level: Level,
    pub binds: Binds,
    pub says: String,
}

/// One document's coverage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentCoverage {
    pub id: String,
    /// `RFC 6120`.
    pub name: String,
    pub title: String,
    pub totals: Vec<TotalRow>,
    pub sections: Vec<SectionRow>,
    pub uncovered: Vec<Uncovered>,
    /// Statement id → the scenarios that cover it.
    pub covered_by: BTreeMap<String, Vec<String>>,
}

/// Every document's coverage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    pub documents: Vec<DocumentCoverage>,
}

/// Which statements a total counts.
type Filter = fn(&Statement) -> bool;

/// The totals reported for each document: by level, then the absolute
/// requirements on each side (a server suite answers for the first, a
/// client suite for the second; `both` counts for each).
const TOTALS: &[(&str, Filter)] = &[
    ("MUST", |s| s.level.is_absolute()),
    ("SHOULD", |s| !s.level.is_absolute()),
    ("all", |_| true),
    ("MUST, servers", |s| {
        s.level.is_absolute() && matches!(s.binds, Binds::Server | Binds::Both)
    }),
    ("MUST, clients", |s| {
        s.level.is_absolute() && matches!(s.binds, Binds::Client | Binds::Both)
    }),
];

/// Count what `scenarios` (id, the statement ids it covers) cover of
/// `inventory`. Ids that name no statement are ignored here: loading a
/// scenario refuses them.
pub fn compute<'a>(
    inventory: &Inventory,
    scenarios: impl IntoIterator<Item = (&'a str, &'a [String])>,
) -> Coverage {
    let mut covered_by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (scenario, covers) in scenarios {
        for id in covers {
            covered_by
                .entry(id.as_str())
                .or_default()
                .push(scenario.to_owned());
        }
    }
    let documents = inventory
        .documents
        .iter()
        .map(|doc| {
            let is_covered = |s: &Statement| covered_by.contains_key(s.id.as_str());
            let mut totals: Vec<TotalRow> = TOTALS
                .iter()
                .map(|(label, _)| TotalRow {
                    label,
                    counts: Counts::default(),
                })
                .collect();
            let mut sections: Vec<SectionRow> = Vec::new();
            for statement in &doc.statements {
                let covered = is_covered(statement);
                for (row, (_, keep)) in totals.iter_mut().zip(TOTALS) {
                    if keep(statement) {
                        row.counts.add(statement, covered);
                    }
                }
                if sections
                    .last()
                    .is_none_or(|r| r.number != statement.section)
                {
                    sections.push(SectionRow {
                        number: statement.section.clone(),
                        title: doc
                            .section(&statement.section)
                            .map(|s| s.title.clone())
                            .unwrap_or_default(),
                        counts: Counts::default(),
                    });
                }
                if let Some(row) = sections.last_mut() {
                    row.counts.add(statement, covered);
                }
            }
            let uncovered = doc
                .statements
                .iter()
                .filter(|s| s.checkable && !is_covered(s))
                .map(|s| Uncovered {
                    id: s.id.clone(),
                    level: s.level,
                    binds: s.binds,
                    says: s.says.clone(),
                })
                .collect();
            let covered_by = doc
                .statements
                .iter()
                .filter_map(|s| {
                    covered_by
                        .get(s.id.as_str())
                        .map(|v| (s.id.clone(), v.clone()))
                })
                .collect();
            DocumentCoverage {
                id: doc.id.clone(),
                name: doc.name(),
                title: doc.title.clone(),
                totals,
                sections,
                uncovered,
                covered_by,
            }
        })
        .collect();
    Coverage { documents }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inventory() -> Inventory {
        let mut text = String::from(
            "[document]\nid = \"rfc9999\"\ntitle = \"T\"\nsource = \"S\"\n\
             [[section]]\nnumber = \"1\"\ntitle = \"One\"\n\
             [[section]]\nnumber = \"2\"\ntitle = \"Two\"\n",
        );
        for (id, section, level, binds, checkable) in [
            ("rfc9999/1/1", "1", "MUST", "server", true),
            ("rfc9999/1/2", "1", "MUST NOT", "client", true),
            ("rfc9999/1/3", "1", "SHOULD", "both", true),
            ("rfc9999/2/1", "2", "MUST", "server", false),
        ] {
            text.push_str(&format!(
                "[[statement]]\nid = \"{id}\"\nsection = \"{section}\"\nlevel = \"{level}\"\n\
                 binds = \"{binds}\"\ncheckable = {checkable}\n{}says = \"s {id}\"\n",
                if checkable { "" } else { "why_not = \"w\"\n" }
            ));
        }
        Inventory::from_files([("t.toml", text.as_str())]).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn counts_per_section_level_and_side() {
        let inv = inventory();
        let a = vec!["rfc9999/1/1".to_owned(), "rfc9999/1/3".to_owned()];
        let b = vec!["rfc9999/1/1".to_owned()];
        let cov = compute(&inv, [("a", a.as_slice()), ("b", b.as_slice())]);
        let doc = &cov.documents[0];
        let total = |label: &str| {
            doc.totals
                .iter()
                .find(|t| t.label == label)
                .map(|t| (t.counts.statements, t.counts.checkable, t.counts.covered))
        };
        assert_eq!(total("MUST"), Some((3, 2, 1)));
        assert_eq!(total("SHOULD"), Some((1, 1, 1)));
        assert_eq!(total("all"), Some((4, 3, 2)));
        assert_eq!(total("MUST, servers"), Some((2, 1, 1)));
        assert_eq!(total("MUST, clients"), Some((1, 1, 0)));
        assert_eq!(doc.sections.len(), 2);
        assert_eq!(doc.sections[0].title, "One");
        assert_eq!(
            doc.sections[0].counts.percent().map(|p| p.round()),
            Some(67.0)
        );
        assert_eq!(doc.sections[1].counts.percent(), None);
        assert_eq!(
            doc.uncovered
                .iter()
                .map(|u| u.id.as_str())
                .collect::<Vec<_>>(),
            vec!["rfc9999/1/2"]
        );
        assert_eq!(
            doc.covered_by.get("rfc9999/1/1"),
            Some(&vec!["a".to_owned(), "b".to_owned()])
        );
    }
}
