//! What a session received, in order, for the snapshot.

use crate::xml::{Element, StreamHeader};

/// Past this many bytes of logged elements the log stops growing (and says
/// so), so a peer that floods cannot make the harness keep it all.
const LOG_LIMIT: usize = 4 * 1024 * 1024;

/// One thing the peer did.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A stream header.
    Header(StreamHeader),
    /// A first-level element.
    Element(Element),
    /// `</stream:stream>`.
    Close,
    /// The harness started a new stream (after TLS or SASL): shown so the
    /// reader sees which stream an element belongs to.
    Restart,
    /// The peer closed the connection.
    Closed,
    /// The connection switched (`connection NAME`).
    Connection(String),
    /// Bytes that are not XMPP's XML: the parser's condition.
    NotXml(String),
}

/// The received items of one scenario run, bounded by [`LOG_LIMIT`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Log {
    items: Vec<Item>,
    /// For each item, how much of the harness's sent text existed when it
    /// arrived: a value the harness sent *before* is its own, one it only
    /// echoed back later (a captured resource) is the peer's.
    sent_before: Vec<usize>,
    bytes: usize,
    truncated: bool,
}

impl Log {
    /// Log `item`, received when the harness had sent `sent_so_far` bytes
    /// of text.
    pub fn push_at(&mut self, item: Item, sent_so_far: usize) {
        let before = self.items.len();
        self.push(item);
        if self.items.len() > before {
            self.sent_before.push(sent_so_far);
        }
    }

    /// The sent-text length recorded with each item (0 where none was).
    pub fn sent_before(&self, index: usize) -> usize {
        self.sent_before.get(index).copied().unwrap_or(0)
    }

    pub fn push(&mut self, item: Item) {
        if self.truncated {
            return;
        }
        let size = match &item {
            Item::Element(e) => approximate_size(e),
            Item::Header(h) => approximate_size(&h.element),
            _ => 16,
        };
        if self.bytes + size > LOG_LIMIT {
            self.truncated = true;
            return;
        }
        self.bytes += size;
        self.items.push(item);
        // Items pushed without a position (markers) inherit the last one.
        let last = self.sent_before.last().copied().unwrap_or(0);
        self.sent_before.resize(self.items.len() - 1, last);
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Whether items were dropped because the log was full.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Move another log's items to the end of this one (the transcript of
    /// a scenario with several connections is one log).
    pub fn append(&mut self, other: Log) {
        for (i, item) in other.items.iter().enumerate() {
            self.push_at(item.clone(), other.sent_before(i));
        }
        self.truncated |= other.truncated;
    }
}

/// Names, attribute values and text, without walking recursively.
fn approximate_size(root: &Element) -> usize {
    let mut total = 0;
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        total += e.name.len() + e.ns.len() + 8;
        total += e
            .attrs
            .iter()
            .map(|a| a.name.len() + a.value.len() + 4)
            .sum::<usize>();
        for child in &e.children {
            match child {
                crate::xml::Node::Element(c) => stack.push(c),
                crate::xml::Node::Text(t) => total += t.len(),
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::Node;

    #[test]
    fn the_log_stops_at_its_limit_and_says_so() {
        let mut big = Element::new("jabber:client", "message");
        big.children
            .push(Node::Text("x".repeat(LOG_LIMIT / 3).into()));
        let mut log = Log::default();
        for _ in 0..5 {
            log.push(Item::Element(big.clone()));
        }
        assert_eq!(log.items().len(), 2);
        assert!(log.truncated());
        log.push(Item::Close);
        assert_eq!(log.items().len(), 2, "nothing after truncation");
    }
}
