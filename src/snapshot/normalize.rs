//! The received stream as a snapshot prints it: one canonical block per
//! item, volatile values redacted.

use crate::xml::{Element, NS_SASL, NS_STREAMS, Node, writer};

use super::log::{Item, Log};
use super::redact::{Redactor, Rule, Sent};

/// Print `log` canonically: headers with sorted attributes and
/// declarations, elements as `writer::to_pretty` writes them (namespaces
/// resolved, attributes sorted, indented, whitespace-only text dropped),
/// markers for restarts and closes. First-level elements named in
/// `ignore` (the scenario's unsolicited traffic, such as presence) are left
/// out: whether they arrive is a matter of timing. `redact_paths` are the
/// scenario's own redactions, `sent` everything the harness sent.
pub fn normalize(log: &Log, redact_paths: &[String], ignore: &[String], sent: &str) -> String {
    let rules: Vec<Rule> = redact_paths.iter().map(|p| Rule::parse(p)).collect();
    let mut items: Vec<Item> = Vec::with_capacity(log.items().len());
    let mut redactor = Redactor::default();
    for (i, item) in log.items().iter().enumerate() {
        if let Item::Element(e) = item
            && ignore.iter().any(|name| e.name == name.as_str())
        {
            continue;
        }
        let mut item = item.clone();
        if let Item::Element(e) = &mut item {
            sort_features(e);
        }
        let before = sent.get(..log.sent_before(i)).unwrap_or(sent);
        redactor.redact(&mut item, &rules, &Sent(before));
        items.push(item);
    }
    let mut out = String::new();
    for item in &items {
        match item {
            Item::Header(h) => {
                if let Some(decl) = &h.xml_decl {
                    out.push_str(&format!("<?xml version='{}'", decl.version));
                    if let Some(enc) = &decl.encoding {
                        out.push_str(&format!(" encoding='{enc}'"));
                    }
                    out.push_str("?>\n");
                }
                let mut header = h.element.clone();
                header
                    .attrs
                    .sort_by(|a, b| (&a.ns, &a.name).cmp(&(&b.ns, &b.name)));
                header.declarations.sort();
                out.push_str(&writer::start_tag(&header));
            }
            Item::Element(e) => out.push_str(&writer::to_pretty(e)),
            Item::Close => out.push_str("</stream:stream>"),
            Item::Restart => out.push_str("-- new stream"),
            Item::Closed => out.push_str("-- connection closed"),
            Item::Connection(name) => out.push_str(&format!("-- connection {name}")),
            Item::NotXml(condition) => {
                out.push_str(&format!("-- bytes that are not XML ({condition})"))
            }
        }
        out.push('\n');
    }
    if log.truncated() {
        out.push_str("-- the rest was not kept (over 4 MiB)\n");
    }
    out
}

/// `<stream:features>` with its children sorted by namespace and name,
/// and `<mechanisms/>` by mechanism: servers build both from hash tables
/// (Prosody lists starttls and mechanisms, PLAIN and SCRAM-SHA-1, in a new
/// order after each restart), and RFC 6120 gives their order no meaning.
/// What is offered is what the snapshot pins.
fn sort_features(features: &mut Element) {
    if !features.is(NS_STREAMS, "features") {
        return;
    }
    let key = |n: &Node| match n {
        Node::Element(c) => (
            1,
            c.ns.to_string(),
            c.name.to_string(),
            c.text().trim().to_string(),
        ),
        Node::Text(_) => (0, String::new(), String::new(), String::new()),
    };
    features.children.sort_by_key(key);
    for node in features.children.iter_mut() {
        if let Node::Element(m) = node
            && m.is(NS_SASL, "mechanisms")
        {
            m.children.sort_by_key(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{NS_CLIENT, NamespaceScope, parse_element};

    fn xml(text: &str) -> Element {
        let scope: NamespaceScope = vec![
            (None, NS_CLIENT.into()),
            (Some("stream".into()), NS_STREAMS.into()),
        ];
        parse_element(text.as_bytes(), &scope).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn canonical_and_redacted() {
        let mut log = Log::default();
        log.push(Item::Element(xml(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\n  <mechanism>PLAIN</mechanism></mechanisms></stream:features>",
        )));
        log.push(Item::Element(xml("<presence from='a@b/c'/>")));
        log.push(Item::Element(xml(
            "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>bm9uY2U9eA==</challenge>",
        )));
        log.push(Item::Restart);
        log.push(Item::Close);
        log.push(Item::Closed);
        let text = normalize(&log, &[], &["presence".to_string()], "");
        assert_eq!(
            text,
            "<features xmlns='http://etherx.jabber.org/streams'>\n  \
             <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\n    \
             <mechanism>PLAIN</mechanism>\n  </mechanisms>\n</features>\n\
             <challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>[challenge]</challenge>\n\
             -- new stream\n</stream:stream>\n-- connection closed\n"
        );
    }

    #[test]
    fn attribute_order_does_not_matter() {
        let a = xml("<iq type='result' id='1' from='x'/>");
        let b = xml("<iq from='x' id='1' type='result'/>");
        let print = |e: Element| {
            let mut log = Log::default();
            log.push(Item::Element(e));
            normalize(&log, &[], &[], "id='1'")
        };
        assert_eq!(print(a), print(b));
    }
}
