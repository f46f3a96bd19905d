//! XML for mismatch reports.
//!
//! Elements use `crate::xml::writer::to_pretty` (indented, attributes
//! sorted, prefixes normalized away). A stream header is different: what
//! matters there is exactly the prefixes and namespace declarations it
//! carries, so [`open_tag`] writes the start tag as received.

use std::fmt::Write as _;

use crate::xml::{Element, NS_XML};

/// `element` and its subtree, indented, for the expected/received views.
pub(crate) fn pretty(element: &Element) -> String {
    crate::xml::writer::to_pretty(element)
}

/// The start tag alone, for stream headers: `<stream:stream …>`, with the
/// declarations it carries and its attributes sorted.
pub(crate) fn open_tag(e: &Element) -> String {
    let mut out = String::new();
    out.push('<');
    out.push_str(&e.display_name());
    let mut decls = e.declarations.clone();
    let declared = decls.iter().any(|(p, u)| *p == e.prefix && *u == e.ns);
    if !declared && !e.ns.is_empty() {
        decls.push((e.prefix.clone(), e.ns.clone()));
    }
    for (prefix, uri) in &decls {
        match prefix {
            Some(p) => {
                let _ = write!(out, " xmlns:{p}='{}'", escape(uri));
            }
            None => {
                let _ = write!(out, " xmlns='{}'", escape(uri));
            }
        }
    }
    let mut attrs: Vec<(String, &str)> = e
        .attrs
        .iter()
        .map(|a| {
            let name = match a.ns.as_deref() {
                None => a.name.to_string(),
                Some(NS_XML) => format!("xml:{}", a.name),
                Some(ns) => format!("{{{ns}}}{}", a.name),
            };
            (name, a.value.as_str())
        })
        .collect();
    attrs.sort();
    for (name, value) in attrs {
        let _ = write!(out, " {name}='{}'", escape(value));
    }
    out.push('>');
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
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
