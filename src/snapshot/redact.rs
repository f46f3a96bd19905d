//! Volatile values in a received stream, replaced by labels such as `[id]`
//! so two runs against the same server give the same snapshot.
//!
//! Defaults, each for a value a server makes up per connection:
//! - the stream header's `id` → `[id]`; over BOSH, the header stands for
//!   the session creation response and keeps its attributes, two of them
//!   made up per session (XEP-0124 §7.2, XEP-0206 §4): `sid` → `[sid]`
//!   and `authid` (the stream id) → `[id]`, and `ack`, the harness's own
//!   random first `rid` acknowledged (XEP-0124 §9) → `[rid]`;
//! - SASL payloads: `<challenge/>` → `[challenge]` (nonces, salts),
//!   `<success/>` data → `[success-data]` (the server's proof), a client's
//!   `<auth/>`/`<response/>` → `[credentials]`;
//! - `id` attributes of first-level stanzas that the harness did not send
//!   (ids the server generated) → `[id]`;
//! - resource parts of JIDs (in `to`/`from`, and in `<jid/>` text) that the
//!   harness did not send → `[resource]`;
//! - a roster's `ver` (RFC 6121 §2.6: an opaque string the server changes
//!   with every change, so a scenario that adds and removes an item leaves
//!   a newer one behind) → `[ver]`;
//! - timestamps: `stamp` attributes (XEP-0203), `<utc/>` text (XEP-0202),
//!   and any value that is an ISO 8601 date-time → `[timestamp]`.
//!
//! A scenario adds its own with `redact = ["iq/query/@ver", "message/body"]`
//! in its front matter: local names from the first-level element (`stream`
//! for the header, `*` for any element), ending in an element (its text is
//! replaced) or `@attribute`; the label is that name: `[ver]`, `[body]`.

use crate::xml::{Element, NS_BIND, NS_ROSTER, NS_SASL, NS_STREAMS, Node, SmolStr};

use super::log::Item;

/// One `redact` path of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    elements: Vec<String>,
    attribute: Option<String>,
}

impl Rule {
    /// Parse a path the front matter already checked; prefixes are
    /// dropped (`stream:stream` is `stream`).
    pub fn parse(path: &str) -> Rule {
        let local = |s: &str| s.rsplit(':').next().unwrap_or(s).to_string();
        let mut elements: Vec<String> = path.split('/').map(local).collect();
        let attribute = match elements.last() {
            Some(last) if last.starts_with('@') => elements
                .pop()
                .map(|a| a.trim_start_matches('@').to_string()),
            _ => None,
        };
        Rule {
            elements,
            attribute,
        }
    }

    fn matches(&self, path: &[SmolStr]) -> bool {
        self.elements.len() == path.len()
            && self
                .elements
                .iter()
                .zip(path)
                .all(|(want, got)| want == "*" || want == got.as_str())
    }

    fn label(&self) -> String {
        let name = self
            .attribute
            .as_deref()
            .or(self.elements.last().map(String::as_str))
            .unwrap_or("redacted");
        format!("[{name}]")
    }
}

/// What the harness sent during the run: values found in it are the
/// harness's own and stay visible.
pub struct Sent<'a>(pub &'a str);

impl Sent<'_> {
    fn has_id(&self, id: &str) -> bool {
        self.0.contains(&format!("id='{id}'")) || self.0.contains(&format!("id=\"{id}\""))
    }

    fn has_resource(&self, resource: &str) -> bool {
        resource.len() >= 3 && self.0.contains(resource)
    }
}

/// Redaction over one stream, in order: it remembers the values the peer
/// made up (a resource it assigned), so they stay redacted when the
/// harness later sends them back (a message to that full JID).
#[derive(Debug, Default)]
pub struct Redactor {
    peer_made: std::collections::HashSet<String>,
}

impl Redactor {
    /// Redact `item`, which arrived when the harness had sent `sent`.
    pub fn redact(&mut self, item: &mut Item, rules: &[Rule], sent: &Sent<'_>) {
        match item {
            Item::Header(h) => {
                set_attr(&mut h.element, "id", "[id]");
                set_attr(&mut h.element, "sid", "[sid]");
                set_attr(&mut h.element, "authid", "[id]");
                set_attr(&mut h.element, "ack", "[rid]");
                self.apply(&mut h.element, rules, sent, true);
            }
            Item::Element(e) => self.apply(e, rules, sent, false),
            _ => {}
        }
    }
}

/// Redact `items` in place, all received after `sent`.
pub fn redact(items: &mut [Item], rules: &[Rule], sent: &Sent<'_>) {
    let mut redactor = Redactor::default();
    for item in items {
        redactor.redact(item, rules, sent);
    }
}

fn set_attr(e: &mut Element, name: &str, label: &str) {
    for a in e
        .attrs
        .iter_mut()
        .filter(|a| a.ns.is_none() && a.name == name)
    {
        a.value = label.into();
    }
}

fn set_text(e: &mut Element, label: &str) {
    let has_text = e
        .children
        .iter()
        .any(|n| matches!(n, Node::Text(t) if !t.trim().is_empty()));
    if has_text {
        e.children.retain(|n| !matches!(n, Node::Text(_)));
        e.children.push(Node::Text(label.into()));
    }
}

impl Redactor {
    /// The defaults and the rules, over the whole tree of one first-level
    /// element (or header), without recursion.
    fn apply(&mut self, root: &mut Element, rules: &[Rule], sent: &Sent<'_>, header: bool) {
        first_level(root, sent, header);
        let mut stack: Vec<(&mut Element, Vec<SmolStr>)> = vec![(root, Vec::new())];
        while let Some((e, parent_path)) = stack.pop() {
            let mut path = parent_path;
            path.push(if header {
                "stream".into()
            } else {
                e.name.clone()
            });
            for a in e.attrs.iter_mut() {
                if a.name == "stamp" || is_timestamp(&a.value) {
                    a.value = "[timestamp]".into();
                } else if (a.name == "to" || a.name == "from") && a.ns.is_none() {
                    a.value = self.without_resource(&a.value, sent).into();
                }
            }
            if e.is(NS_ROSTER, "query") {
                set_attr(e, "ver", "[ver]");
            }
            if (e.name == "utc" || e.is(NS_BIND, "jid")) || text_is_timestamp(e) {
                let label = if e.is(NS_BIND, "jid") {
                    self.without_resource(e.text().trim(), sent)
                } else {
                    "[timestamp]".to_string()
                };
                set_text(e, &label);
            }
            for rule in rules.iter().filter(|r| r.matches(&path)) {
                match &rule.attribute {
                    Some(attr) => set_attr(e, attr, &rule.label()),
                    None => set_text(e, &rule.label()),
                }
            }
            for child in e.children.iter_mut() {
                if let Node::Element(c) = child {
                    stack.push((c, path.clone()));
                }
            }
        }
    }

    /// `local@domain/resource` with the resource redacted unless the harness
    /// sent it before the peer used it.
    fn without_resource(&mut self, jid: &str, sent: &Sent<'_>) -> String {
        let Some((bare, resource)) = jid.split_once('/') else {
            return jid.to_string();
        };
        if self.peer_made.contains(resource) || !sent.has_resource(resource) {
            self.peer_made.insert(resource.to_string());
            format!("{bare}/[resource]")
        } else {
            jid.to_string()
        }
    }
}

/// Rules for first-level elements only: SASL payloads and stanza ids.
fn first_level(e: &mut Element, sent: &Sent<'_>, header: bool) {
    if header || e.ns == NS_STREAMS {
        return;
    }
    if e.ns == NS_SASL {
        match e.name.as_str() {
            "challenge" => set_text(e, "[challenge]"),
            "success" => set_text(e, "[success-data]"),
            "auth" | "response" => set_text(e, "[credentials]"),
            _ => {}
        }
        return;
    }
    if matches!(e.name.as_str(), "iq" | "message" | "presence")
        && let Some(id) = e.attr("id")
        && !sent.has_id(id)
    {
        set_attr(e, "id", "[id]");
    }
}

fn text_is_timestamp(e: &Element) -> bool {
    e.child_elements().next().is_none() && is_timestamp(e.text().trim())
}

/// `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`, XEP-0082's DateTime.
fn is_timestamp(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    if b.len() < 20
        || !(digits(0..4)
            && b[4] == b'-'
            && digits(5..7)
            && b[7] == b'-'
            && digits(8..10)
            && b[10] == b'T'
            && digits(11..13)
            && b[13] == b':'
            && digits(14..16)
            && b[16] == b':'
            && digits(17..19))
    {
        return false;
    }
    let mut rest = &value[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    rest == "Z"
        || (rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && rest.as_bytes()[3] == b':'
            && rest[1..3]
                .bytes()
                .chain(rest[4..].bytes())
                .all(|c| c.is_ascii_digit()))
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

    fn redacted(text: &str, rules: &[&str], sent: &str) -> String {
        let rules: Vec<Rule> = rules.iter().map(|r| Rule::parse(r)).collect();
        let mut items = vec![Item::Element(xml(text))];
        redact(&mut items, &rules, &Sent(sent));
        match &items[0] {
            Item::Element(e) => crate::xml::writer::to_xml(e),
            _ => String::new(),
        }
    }

    #[test]
    fn timestamps() {
        for yes in [
            "2026-11-25T02:03:04Z",
            "2026-11-25T02:03:04.123Z",
            "2026-11-25T02:03:04+01:00",
        ] {
            assert!(is_timestamp(yes), "{yes}");
        }
        for no in [
            "2026-11-25",
            "2026-11-25T02:03:04",
            "x026-11-25T02:03:04Z",
            "2026-11-25T02:03:04.Z",
        ] {
            assert!(!is_timestamp(no), "{no}");
        }
    }

    #[test]
    fn sasl_payloads_and_server_ids() {
        assert!(
            redacted(
                "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>bm9uY2U=</challenge>",
                &[],
                ""
            )
            .contains(">[challenge]<")
        );
        assert!(redacted("<iq type='get' id='srv-123'/>", &[], "").contains("id='[id]'"));
        assert!(
            redacted(
                "<iq type='result' id='b1'/>",
                &[],
                "<iq type='set' id='b1'>"
            )
            .contains("id='b1'"),
            "ids the harness sent stay"
        );
    }

    #[test]
    fn a_rosters_version() {
        let result = "<iq type='result' id='r'><query xmlns='jabber:iq:roster' ver='7'/></iq>";
        assert!(redacted(result, &[], "id='r'").contains("ver='[ver]'"));
        // Another namespace's `ver` is no roster version.
        let other = "<iq type='result' id='r'><query xmlns='urn:other' ver='7'/></iq>";
        assert!(redacted(other, &[], "id='r'").contains("ver='7'"));
    }

    #[test]
    fn resources_unless_the_harness_chose_them() {
        let bind = "<iq type='result' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>romeo@localhost/abc123</jid></bind></iq>";
        assert!(redacted(bind, &[], "id='b'").contains("romeo@localhost/[resource]"));
        assert!(redacted(bind, &[], "id='b' <resource>abc123</resource>").contains("/abc123"));
        let msg = "<message from='romeo@localhost/r9x' to='romeo@localhost/r9x' id='m'/>";
        let out = redacted(msg, &[], "id='m'");
        assert_eq!(out.matches("[resource]").count(), 2, "{out}");
        // Assigned by the peer, then sent back by the harness: still the
        // peer's value.
        let mut redactor = Redactor::default();
        let mut first = Item::Element(xml(bind));
        redactor.redact(&mut first, &[], &Sent("id='b'"));
        let mut echo = Item::Element(xml(
            "<message from='romeo@localhost/abc123' to='romeo@localhost/abc123' id='m'/>",
        ));
        redactor.redact(
            &mut echo,
            &[],
            &Sent("id='b' id='m' to='romeo@localhost/abc123'"),
        );
        let Item::Element(e) = echo else { panic!() };
        assert_eq!(e.attr("from"), Some("romeo@localhost/[resource]"));
    }

    #[test]
    fn scenario_rules_and_stamps() {
        let out = redacted(
            "<iq id='x'><query xmlns='jabber:iq:roster' ver='v17'><item jid='a@b'/></query></iq>",
            &["iq/query/@ver", "*/query/item/@jid"],
            "id='x'",
        );
        assert!(
            out.contains("ver='[ver]'") && out.contains("jid='[jid]'"),
            "{out}"
        );
        let out = redacted(
            "<message id='m'><delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/><body>hi</body></message>",
            &["message/body"],
            "id='m'",
        );
        assert!(
            out.contains("stamp='[timestamp]'") && out.contains(">[body]<"),
            "{out}"
        );
    }
}
