//! `bosh-send`: a `<body/>` a scenario writes itself, sent as one HTTP
//! POST of its own, for the rules the transport's own framing would hide
//! (a repeated or out-of-window `rid`, an unknown `sid`, several requests
//! in flight, a request that is not XML).
//!
//! Two things make such scenarios writable and deterministic. A `rid`
//! written `+N` is N after the rid the transport would have used next
//! when the connection's first `bosh-send` ran (a fixed base, so `+1`
//! then `+0` sends the later rid first); any other value goes out as
//! written. And each response comes back as one element,
//! `<response xmlns='urn:xmpp-conform:http' rid=… status=…
//! content-type=…>` around the `<body/>` received (or its text, or an
//! `error` attribute when no response came), given in `rid` order, the
//! order XEP-0124 §14.2 makes the client process responses in, whatever
//! order they arrived in.

use std::collections::BTreeMap;

use crate::xml::{Attribute, Element, NS_HARNESS_HTTP, Node, SmolStr, parse_element};

/// Where a raw response goes in the order: its rid (`None`: none could be
/// read, given as soon as it comes), then the order it was sent in.
pub(super) type Key = (Option<u64>, u64);

/// The raw requests of one connection and their answers, in order.
#[derive(Debug, Default)]
pub(super) struct Raw {
    /// The rid `+0` stands for.
    pub base: u64,
    sent: u64,
    waiting: BTreeMap<Key, Option<Element>>,
}

impl Raw {
    pub fn new(base: u64) -> Raw {
        Raw {
            base,
            ..Raw::default()
        }
    }

    /// The body with a relative rid made absolute, its rid if it has a
    /// number, and its key.
    pub fn prepare(&mut self, text: &str) -> Result<(String, Option<u64>, Key), String> {
        let (text, rid) = absolute_rid(text, self.base)?;
        let key = (rid, self.sent);
        self.sent += 1;
        if rid.is_some() {
            self.waiting.insert(key, None);
        }
        Ok((text, rid, key))
    }

    /// A response came: the responses now due, in order.
    pub fn arrived(&mut self, key: Key, response: Element) -> Vec<Element> {
        if key.0.is_none() {
            self.waiting.remove(&key);
            return vec![response];
        }
        self.waiting.insert(key, Some(response));
        let mut due = Vec::new();
        while let Some(entry) = self.waiting.first_entry() {
            if entry.get().is_none() {
                break;
            }
            if let Some(response) = entry.remove() {
                due.push(response);
            }
        }
        due
    }
}

/// `rid='+N'` (or `"+N"`) in the start tag made `base + N`.
fn absolute_rid(text: &str, base: u64) -> Result<(String, Option<u64>), String> {
    let tag_end = text.find('>').unwrap_or(text.len());
    for quote in ['\'', '"'] {
        let marker = format!(" rid={quote}");
        let Some(at) = text[..tag_end].find(&marker) else {
            continue;
        };
        let start = at + marker.len();
        let Some(len) = text[start..].find(quote) else {
            continue;
        };
        let value = &text[start..start + len];
        if let Some(offset) = value.strip_prefix('+') {
            let n: u64 = offset
                .parse()
                .map_err(|_| format!("`rid='{value}'`: `+` takes a number of requests"))?;
            let rid = base + n;
            let text = format!("{}{rid}{}", &text[..start], &text[start + len..]);
            return Ok((text, Some(rid)));
        }
        return Ok((text.to_owned(), value.parse().ok()));
    }
    Ok((text.to_owned(), None))
}

fn attr(name: &str, value: &str) -> Attribute {
    Attribute {
        ns: None,
        name: SmolStr::new(name),
        value: SmolStr::new(value),
    }
}

/// The element standing for one HTTP answer (or its failure).
pub(super) fn response(
    rid: Option<u64>,
    outcome: Result<(u16, Option<String>, &[u8]), String>,
) -> Element {
    let mut element = Element {
        declarations: vec![(None, SmolStr::new(NS_HARNESS_HTTP))],
        ..Element::new(NS_HARNESS_HTTP, "response")
    };
    if let Some(rid) = rid {
        element.attrs.push(attr("rid", &rid.to_string()));
    }
    match outcome {
        Err(why) => element.attrs.push(attr("error", &why)),
        Ok((status, content_type, bytes)) => {
            element.attrs.push(attr("status", &status.to_string()));
            if let Some(ct) = content_type {
                element.attrs.push(attr("content-type", &ct));
            }
            match parse_element(bytes, &Vec::new()) {
                Ok(body) => element.children.push(Node::Element(body)),
                Err(_) if bytes.is_empty() => {}
                Err(_) => {
                    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
                    element.children.push(Node::Text(SmolStr::new(text)));
                }
            }
        }
    }
    element
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_rids_and_order() {
        let mut raw = Raw::new(100);
        let (a, rid_a, key_a) = raw.prepare("<body rid='+1' sid='s'/>").unwrap();
        assert_eq!(
            (a.as_str(), rid_a),
            ("<body rid='101' sid='s'/>", Some(101))
        );
        let (b, _, key_b) = raw.prepare("<body rid=\"+0\"/>").unwrap();
        assert_eq!(b, "<body rid=\"100\"/>");
        let (c, rid_c, key_c) = raw.prepare("<body rid='7'><x rid='+1'/></body>").unwrap();
        assert_eq!(
            (c.as_str(), rid_c),
            ("<body rid='7'><x rid='+1'/></body>", Some(7))
        );
        assert!(raw.prepare("<body rid='+x'/>").is_err());
        let (_, none, key_none) = raw.prepare("<body/>").unwrap();
        assert_eq!(none, None);
        let r = |n: u16| response(None, Ok((n, None, b"")));
        // 7 is due first; then 100, which has not come; 101 waits for it.
        assert!(raw.arrived(key_a, r(1)).is_empty());
        assert_eq!(raw.arrived(key_c, r(2)).len(), 1);
        assert_eq!(raw.arrived(key_none, r(3)).len(), 1);
        let due = raw.arrived(key_b, r(4));
        assert_eq!(due.len(), 2);
        assert_eq!(due[0].attr("status"), Some("4"));
    }
}
