//! XML for mismatch reports.
//!
//! Elements use `crate::xml::writer::to_pretty` (indented, attributes
//! sorted, prefixes normalized away). A stream header is different: what
//! matters there is exactly the prefixes and namespace declarations it
//! carries, so [`open_tag`] writes the start tag as received.

use crate::xml::Element;

/// `element` and its subtree, indented, for the expected/received views.
pub(crate) fn pretty(element: &Element) -> String {
    crate::xml::writer::to_pretty(element)
}

/// The start tag alone, for stream headers: `<stream:stream …>`, with the
/// prefixes and declarations it carries, attributes sorted so that the
/// expected and received lines of a diff line up.
pub(crate) fn open_tag(e: &Element) -> String {
    let mut sorted = e.clone();
    sorted
        .attrs
        .sort_by(|a, b| (&a.ns, &a.name).cmp(&(&b.ns, &b.name)));
    crate::xml::writer::start_tag(&sorted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::Attribute;

    fn el(ns: &str, name: &str) -> Element {
        Element::new(ns, name)
    }

    #[test]
    fn open_tag_for_headers() {
        let mut s = el("http://etherx.jabber.org/streams", "stream");
        s.prefix = Some("stream".into());
        s.declarations = vec![
            (None, "jabber:client".into()),
            (
                Some("stream".into()),
                "http://etherx.jabber.org/streams".into(),
            ),
        ];
        s.attrs.push(Attribute {
            ns: None,
            name: "version".into(),
            value: "1.0".into(),
        });
        assert_eq!(
            open_tag(&s),
            "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
        );
    }
}
