//! What the scenarios cover: per section, per level and per side, the
//! statements, how many a black box can check, and how many a scenario
//! names in its `covers`.
//!
//! Computed from ids alone (scenario id → the statement ids it covers), so
//! this module needs nothing of the scenario parser, which already refused
//! unknown ids and statements that cannot be checked. The passive lint
//! (`crate::lint`) is given the same way, as rule names, statement ids and
//! the senders each rule holds: the caller turns its table into
//! [`LintEnforces`], so this module stays free of the lint's types.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Binds, Inventory, Level, Statement};

/// Three counts and the share of the checkable that is covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub statements: usize,
    pub checkable: usize,
    /// Covered by a scenario or by the lint.
    pub covered: usize,
    /// Of `covered`, those only the passive lint covers (no scenario
    /// names them).
    pub by_lint: usize,
}

impl Counts {
    fn add(&mut self, statement: &Statement, cover: Cover) {
        self.statements += 1;
        if statement.checkable {
            self.checkable += 1;
            if cover != Cover::None {
                self.covered += 1;
            }
            if cover == Cover::LintOnly {
                self.by_lint += 1;
            }
        }
    }

    /// Covered as a percentage of checkable; `None` when nothing is
    /// checkable.
    pub fn percent(&self) -> Option<f64> {
        (self.checkable > 0).then(|| 100.0 * self.covered as f64 / self.checkable as f64)
    }
}

/// How a statement is covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cover {
    None,
    /// A scenario names it (the lint may enforce it too).
    Scenario,
    /// Only a lint rule enforces it.
    LintOnly,
}

/// One statement a rule of the passive lint enforces, on what one side
/// sends (`Binds::Server`: the lint holds servers to it, `Client`: clients,
/// `Both`: either). The lint sees only the peer under test, so it covers
/// the statement only when the statement binds that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintEnforces<'a> {
    pub rule: &'a str,
    pub statement: &'a str,
    pub sender: Binds,
}

impl LintEnforces<'_> {
    /// Whether the sender the rule checks is one `binds` obliges.
    fn binds_sender(&self, binds: Binds) -> bool {
        binds == Binds::Both || self.sender == Binds::Both || self.sender == binds
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

/// A statement the passive lint enforces.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LintCovered {
    pub id: String,
    /// The rules that enforce it.
    pub rules: Vec<String>,
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
    /// The statements lint rules enforce (counted as covered, whether or
    /// not a scenario names them too), in the document's order.
    pub enforced_by_lint: Vec<LintCovered>,
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

/// Count what `scenarios` (id, the statement ids it covers) and the lint
/// rules (`lint`) cover of `inventory`. Ids that name no statement are
/// ignored here: loading a scenario refuses them, and a unit test of the
/// lint checks its table.
pub fn compute<'a, 'l>(
    inventory: &Inventory,
    scenarios: impl IntoIterator<Item = (&'a str, &'a [String])>,
    lint: impl IntoIterator<Item = LintEnforces<'l>>,
) -> Coverage {
    let lint: Vec<LintEnforces<'l>> = lint.into_iter().collect();
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
            let lint_rules = |s: &Statement| -> Vec<String> {
                let mut rules: Vec<String> = lint
                    .iter()
                    .filter(|e| e.statement == s.id && s.checkable && e.binds_sender(s.binds))
                    .map(|e| e.rule.to_owned())
                    .collect();
                rules.dedup();
                rules
            };
            let cover = |s: &Statement| {
                if covered_by.contains_key(s.id.as_str()) {
                    Cover::Scenario
                } else if !lint_rules(s).is_empty() {
                    Cover::LintOnly
                } else {
                    Cover::None
                }
            };
            let mut totals: Vec<TotalRow> = TOTALS
                .iter()
                .map(|(label, _)| TotalRow {
                    label,
                    counts: Counts::default(),
                })
                .collect();
            let mut sections: Vec<SectionRow> = Vec::new();
            for statement in &doc.statements {
                let covered = cover(statement);
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
                .filter(|s| s.checkable && cover(s) == Cover::None)
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
            let enforced_by_lint = doc
                .statements
                .iter()
                .map(|s| LintCovered {
                    id: s.id.clone(),
                    rules: lint_rules(s),
                })
                .filter(|l| !l.rules.is_empty())
                .collect();
            DocumentCoverage {
                id: doc.id.clone(),
                name: doc.name(),
                title: doc.title.clone(),
                totals,
                sections,
                uncovered,
                covered_by,
                enforced_by_lint,
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
        let cov = compute(&inv, [("a", a.as_slice()), ("b", b.as_slice())], []);
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

    #[test]
    fn the_lint_covers_statements_binding_the_sender_it_checks() {
        let inv = inventory();
        let lint = |rule, statement, sender| LintEnforces {
            rule,
            statement,
            sender,
        };
        let a = vec!["rfc9999/1/1".to_owned()];
        let cov = compute(
            &inv,
            [("a", a.as_slice())],
            [
                // Also named by a scenario: covered once, not by the lint only.
                lint("r1", "rfc9999/1/1", Binds::Both),
                // A client statement the lint checks on servers: not covered.
                lint("r2", "rfc9999/1/2", Binds::Server),
                // A statement binding both, checked on clients: covered.
                lint("r3", "rfc9999/1/3", Binds::Client),
                // Not checkable: never covered.
                lint("r4", "rfc9999/2/1", Binds::Server),
            ],
        );
        let doc = &cov.documents[0];
        let all = doc
            .totals
            .iter()
            .find(|t| t.label == "all")
            .map(|t| t.counts);
        assert_eq!(
            all,
            Some(Counts {
                statements: 4,
                checkable: 3,
                covered: 2,
                by_lint: 1
            })
        );
        assert_eq!(
            doc.uncovered
                .iter()
                .map(|u| u.id.as_str())
                .collect::<Vec<_>>(),
            vec!["rfc9999/1/2"]
        );
        assert_eq!(
            doc.enforced_by_lint
                .iter()
                .map(|l| l.id.as_str())
                .collect::<Vec<_>>(),
            vec!["rfc9999/1/1", "rfc9999/1/3"]
        );
        assert!(!doc.covered_by.contains_key("rfc9999/1/3"));
    }
}
