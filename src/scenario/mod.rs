//! Scenario files: RFC-style `C:`/`S:` transcripts with TOML front matter.
//!
//! The format is described in `docs/scenario-format.md`. Parsing happens
//! once, before anything runs; every fault is a [`ScenarioError`] that
//! points at `path:line:column` and shows the line.
//!
//! The parser is layered so each layer reports its own mistakes: `source`
//! (lines and the way back from offsets to columns), `frontmatter` (TOML),
//! `lines` (entries, continuations, directives), `directives` (the table of
//! directives and their arguments), `pattern` (XML patterns),
//! `build` (sent vs. expected, `or:`, `include`), `discover` (files).

mod build;
pub mod built_in;
mod directives;
mod discover;
mod error;
mod frontmatter;
pub mod functions;
mod lines;
pub mod model;
mod parse;
mod paths;
mod pattern;
pub mod shard;
mod source;
use crate::suggest;
pub mod template;
#[cfg(test)]
mod tests;

pub use error::ScenarioError;
pub use model::*;

use std::path::{Path, PathBuf};

/// Read and parse the scenario file at `path`. Its id is its path relative
/// to `root` without the `.xmpp` extension.
pub fn load(path: &Path, root: &Path) -> Result<Scenario, ScenarioError> {
    parse::load(path, root)
}

/// Load the built-in scenario at `path` (a path of [`built_in::discover`]),
/// its `include`s read from the binary too.
pub fn load_built_in(path: &Path, root: &Path) -> Result<Scenario, ScenarioError> {
    source::reading_built_in(|| parse::load(path, root))
}

/// Parse scenario text that did not come from disk (tests, fuzzing).
/// `include` lines are resolved relative to `path`'s folder.
pub fn parse_str(text: &str, path: &Path, id: &str) -> Result<Scenario, ScenarioError> {
    parse::parse_str(text, path, id)
}

/// Every `.xmpp` file under each of `paths` (a file stands for itself),
/// sorted, each with the root its id is relative to. Names starting with
/// `_` or `.` are skipped while walking folders (`_include/` holds
/// fragments for `include`).
pub fn discover(paths: &[PathBuf]) -> std::io::Result<Vec<(PathBuf, PathBuf)>> {
    discover::discover(paths)
}

/// The table of directives in docs/scenario-format.md, in Markdown: made
/// from the table the parser consults, so the reference never drifts.
pub fn directive_reference() -> String {
    directives::markdown_table()
}
