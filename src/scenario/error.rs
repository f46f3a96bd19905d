//! A fault in a scenario file, shown rustc-style.

use std::fmt;
use std::path::PathBuf;

/// `path:line:column: message`, then the line and a caret under the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub path: PathBuf,
    /// 1-based; 0 when the fault is about the file as a whole (unreadable).
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub message: String,
    /// The offending line, as written.
    pub line_text: String,
    pub help: Option<String>,
}

impl std::error::Error for ScenarioError {}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let _ = f;
        todo!()
    }
}
