//! Scansion scripts (`.scs`): the format Prosody's CI tests with, and the
//! one `mod_scansion_record` writes, run as scenarios.
//!
//! Layered like the `.xmpp` parser: `reader` turns lines into the script's
//! AST (`ast`), `text` rewrites scansion's placeholders into the format's
//! own, and `lower` makes the same typed [`Scenario`] an `.xmpp` file
//! gives, with patterns compiled under [`crate::matching::Mode::Scansion`].
//! `convert` writes that scenario back as `.xmpp` text. Every error is a
//! [`ScenarioError`] at the `.scs` file's line and column. The format and
//! how it maps onto scenarios: docs/scansion.md.

mod ast;
mod convert;
mod lower;
mod reader;
#[cfg(test)]
mod tests;
mod text;

use std::path::Path;

use super::source::SourceFile;
use super::{Scenario, ScenarioError};

/// The extension of scansion scripts.
pub const EXTENSION: &str = "scs";

/// Parse a script's text as the scenario `id`.
pub fn parse_str(text: &str, path: &Path, id: &str) -> Result<Scenario, ScenarioError> {
    let src = SourceFile::new(path.to_path_buf(), text);
    let script = reader::read(&src)?;
    lower::lower(&src, &script, id)
}

/// The `.xmpp` scenario equivalent to a script's text.
pub fn to_xmpp(text: &str, path: &Path) -> Result<String, ScenarioError> {
    let src = SourceFile::new(path.to_path_buf(), text);
    let script = reader::read(&src)?;
    convert::write(&src, &script)
}
