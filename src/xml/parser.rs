//! PLACEHOLDER: the streaming parser is being written (see issue 2).

use super::event::StreamEvent;

/// Limits and expectations of one stream.
#[derive(Debug, Clone)]
pub struct ParserConfig {
    /// Largest first-level element, in bytes, before `policy-violation`.
    pub max_stanza_bytes: usize,
    /// Deepest nesting inside a first-level element before `policy-violation`.
    pub max_depth: usize,
    /// Most attributes on one element before `policy-violation`.
    pub max_attributes: usize,
}

impl Default for ParserConfig {
    fn default() -> Self {
        ParserConfig {
            max_stanza_bytes: 256 * 1024,
            max_depth: 64,
            max_attributes: 64,
        }
    }
}

/// Incremental parser for one direction of an XMPP stream.
pub struct StreamParser {
    config: ParserConfig,
}

impl StreamParser {
    pub fn new(config: ParserConfig) -> Self {
        StreamParser { config }
    }

    /// Feed the next chunk of bytes; complete events are appended to `out`.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<StreamEvent>) {
        let _ = (bytes, out, &self.config);
        todo!()
    }
}
