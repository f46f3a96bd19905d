//! Checks on what opens and closes a stream: the XML declaration, the
//! `<stream:stream>` start tag (RFC 6120 §4.8, §11.5, §11.6) and the
//! closing `</stream:stream>`.
//!
//! The framer hands over the exact bytes of each; offsets in faults are
//! relative to them.

use super::NS_STREAMS;
use super::attrs;
use super::chars::{Fault, is_ws};
use super::element::Element;
use super::error::Condition;
use super::event::XmlDecl;
use super::ns::{Binding, Scope};
use super::tree::open_element;
use quick_xml::Reader;
use quick_xml::events::Event;

/// Parse `<?xml version='1.0' encoding='UTF-8' standalone='yes'?>`.
///
/// Only version 1.0 is accepted: another `1.x` is `restricted-xml` (RFC
/// 6120 §11 restricts XMPP to XML 1.0; parser case 9); an encoding other
/// than UTF-8 is `unsupported-encoding` (§11.6; case 10).
pub(crate) fn parse_decl(text: &str) -> Result<XmlDecl, Fault> {
    let inner = text
        .strip_prefix("<?xml")
        .and_then(|t| t.strip_suffix("?>"))
        .ok_or_else(|| Fault::nwf(0, "malformed XML declaration"))?;
    let mut list = Vec::new();
    attrs::split(inner, 5, &mut list)?;
    let mut fields = list.iter().peekable();
    let version = match fields.next() {
        Some(a) if a.qname(inner) == "version" => a,
        _ => return Err(Fault::nwf(0, "the XML declaration must start with version")),
    };
    let encoding = fields.next_if(|a| a.qname(inner) == "encoding");
    let standalone = match fields.next_if(|a| a.qname(inner) == "standalone") {
        None => None,
        Some(a) => match a.value(inner) {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                return Err(Fault::nwf(a.value_at(), "standalone must be 'yes' or 'no'"));
            }
        },
    };
    if let Some(extra) = fields.next() {
        return Err(Fault::nwf(
            extra.name_at(),
            format!("unexpected {:?} in the XML declaration", extra.qname(inner)),
        ));
    }
    let v = version.value(inner);
    let is_1x = v
        .strip_prefix("1.")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    if v != "1.0" {
        return Err(if is_1x {
            Fault::new(
                Condition::RestrictedXml,
                version.value_at(),
                format!("XML version {v} (XMPP uses XML 1.0, RFC 6120 §11)"),
            )
        } else {
            Fault::nwf(version.value_at(), format!("invalid XML version {v:?}"))
        });
    }
    if let Some(enc) = encoding
        && !enc.value(inner).eq_ignore_ascii_case("UTF-8")
    {
        return Err(Fault::new(
            Condition::UnsupportedEncoding,
            enc.value_at(),
            format!(
                "encoding {:?} (RFC 6120 §11.6 requires UTF-8)",
                enc.value(inner)
            ),
        ));
    }
    Ok(XmlDecl {
        version: v.to_owned(),
        encoding: encoding.map(|e| e.value(inner).to_owned()),
        standalone,
    })
}

/// Parse and check the stream header start tag (`<stream:stream …>` or a
/// self-closing one). `content_namespaces` lists the acceptable default
/// namespaces; empty accepts any.
///
/// The order of the checks decides which condition a header with several
/// faults gets: an unprefixed header is `bad-namespace-prefix` (RFC 6120
/// §4.8.5, parser case 20), a wrong namespace `invalid-namespace` (§4.8.1,
/// case 21), then a prefix other than `stream` `bad-namespace-prefix`
/// (case 19), a local name other than `stream` `bad-format`, and a missing
/// or unsupported content namespace `invalid-namespace` (§4.8.2).
pub(crate) fn parse_header(text: &str, content_namespaces: &[String]) -> Result<Element, Fault> {
    let mut reader = Reader::from_str(text);
    let start = match reader.read_event() {
        Ok(Event::Start(s) | Event::Empty(s)) => s,
        _ => return Err(Fault::nwf(0, "malformed stream header")),
    };
    let header = open_element(&start, 0, &Scope::root(&[]), &mut Vec::new())?;
    match header.prefix.as_deref() {
        None => Err(Fault::new(
            Condition::BadNamespacePrefix,
            1,
            "the stream element must be written stream:stream (RFC 6120 §4.8.5)",
        )),
        Some(_) if header.ns != NS_STREAMS => Err(Fault::new(
            Condition::InvalidNamespace,
            1,
            format!("stream namespace {:?} instead of {NS_STREAMS}", header.ns),
        )),
        Some(p) if p != "stream" => Err(Fault::new(
            Condition::BadNamespacePrefix,
            1,
            format!("stream prefix {p:?} instead of \"stream\" (RFC 6120 §4.8.5)"),
        )),
        Some(_) if header.name != "stream" => Err(Fault::new(
            Condition::BadFormat,
            1,
            format!(
                "the stream must open with stream:stream, not {}",
                header.display_name()
            ),
        )),
        Some(_) => {
            let content = header
                .declarations
                .iter()
                .find(|(p, _)| p.is_none())
                .map(|(_, uri)| uri.as_str());
            match content {
                Some(ns)
                    if content_namespaces.is_empty()
                        || content_namespaces.iter().any(|c| c == ns) =>
                {
                    Ok(header)
                }
                Some(ns) => Err(Fault::new(
                    Condition::InvalidNamespace,
                    1,
                    format!("unsupported content namespace {ns:?}"),
                )),
                None => Err(Fault::new(
                    Condition::InvalidNamespace,
                    1,
                    "no content namespace (xmlns) on the stream header",
                )),
            }
        }
    }
}

/// Check that `bytes` (`</…>`) closes the stream whose start tag was
/// written `qname` (XML requires the same name, prefix included).
pub(crate) fn check_close(text: &str, qname: &str) -> Result<(), Fault> {
    let bytes = text.as_bytes();
    let name = bytes
        .get(2..bytes.len().saturating_sub(1))
        .unwrap_or_default();
    let end = name.iter().rposition(|&b| !is_ws(b)).map_or(0, |p| p + 1);
    let name = name.get(..end).unwrap_or_default();
    if name == qname.as_bytes() {
        Ok(())
    } else {
        Err(Fault::nwf(
            0,
            format!(
                "end tag </{}> does not match <{qname}>",
                String::from_utf8_lossy(name)
            ),
        ))
    }
}

/// `true` when the start tag `bytes` of a first-level element opens a
/// `stream` element in the streams namespace: a stream nested in the
/// stream, which is `bad-format` (parser case 26) and must not restart
/// anything. Tags that are not named `…stream` are let through untouched;
/// faults in the tag are left for the element's own parse to report.
pub(crate) fn is_nested_stream(text: &str, scope: &[Binding]) -> bool {
    let bytes = text.as_bytes();
    let name_end = bytes
        .iter()
        .position(|&b| is_ws(b) || b == b'>' || b == b'/')
        .unwrap_or(bytes.len());
    let name = bytes.get(1..name_end).unwrap_or_default();
    if !(name == b"stream" || name.ends_with(b":stream")) {
        return false;
    }
    let mut reader = Reader::from_str(text);
    match reader.read_event() {
        Ok(Event::Start(s) | Event::Empty(s)) => {
            open_element(&s, 0, &Scope::root(scope), &mut Vec::new())
                .is_ok_and(|e| e.is(NS_STREAMS, "stream"))
        }
        _ => false,
    }
}

/// Bindings the stream header puts in force for its children.
pub(crate) fn scope_of(header: &Element) -> Vec<Binding> {
    header.declarations.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{NS_CLIENT, NS_SERVER};

    fn allowed() -> Vec<String> {
        vec![NS_CLIENT.to_owned(), NS_SERVER.to_owned()]
    }

    fn header(xml: &str) -> Result<Element, Fault> {
        parse_header(xml, &allowed())
    }

    #[test]
    fn declarations() {
        assert_eq!(
            parse_decl("<?xml version='1.0'?>").unwrap(),
            XmlDecl {
                version: "1.0".into(),
                encoding: None,
                standalone: None,
            }
        );
        let d = parse_decl("<?xml version=\"1.0\" encoding='utf-8' standalone='yes' ?>").unwrap();
        assert_eq!(d.encoding.as_deref(), Some("utf-8"));
        assert_eq!(d.standalone, Some(true));
        let d = parse_decl("<?xml version='1.0' standalone=\"no\"?>").unwrap();
        assert_eq!(d.standalone, Some(false));
        let cond = |d: &str| parse_decl(d).unwrap_err().condition;
        assert_eq!(cond("<?xml version='1.1'?>"), Condition::RestrictedXml);
        assert_eq!(cond("<?xml version='2.0'?>"), Condition::NotWellFormed);
        assert_eq!(
            cond("<?xml version='1.0' encoding='ISO-8859-1'?>"),
            Condition::UnsupportedEncoding
        );
        assert_eq!(
            cond("<?xml version='1.0' encoding='UTF-16'?>"),
            Condition::UnsupportedEncoding
        );
        assert_eq!(cond("<?xml encoding='UTF-8'?>"), Condition::NotWellFormed);
        assert_eq!(
            cond("<?xml version='1.0' foo='x'?>"),
            Condition::NotWellFormed
        );
        assert_eq!(
            cond("<?xml version='1.0' standalone='maybe'?>"),
            Condition::NotWellFormed
        );
        assert_eq!(cond("<?xml?>"), Condition::NotWellFormed);
    }

    #[test]
    fn good_header() {
        let h = header(
            "<stream:stream to='example.com' version='1.0' xmlns='jabber:client' \
             xmlns:stream='http://etherx.jabber.org/streams'>",
        )
        .unwrap();
        assert!(h.is(NS_STREAMS, "stream"));
        assert_eq!(h.attr("version"), Some("1.0"));
        assert_eq!(scope_of(&h).len(), 2);
    }

    #[test]
    fn header_faults() {
        let cond = |x: &str| header(x).unwrap_err().condition;
        let streams = "xmlns:stream='http://etherx.jabber.org/streams'";
        assert_eq!(
            cond(&format!(
                "<foobar:stream xmlns='jabber:client' xmlns:foobar='{NS_STREAMS}'>"
            )),
            Condition::BadNamespacePrefix
        );
        assert_eq!(
            cond(&format!("<stream xmlns='{NS_STREAMS}'>")),
            Condition::BadNamespacePrefix
        );
        assert_eq!(
            cond(
                "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streamz'>"
            ),
            Condition::InvalidNamespace
        );
        assert_eq!(
            cond(&format!("<stream:stream xmlns='jabber:foo' {streams}>")),
            Condition::InvalidNamespace
        );
        assert_eq!(
            cond(&format!("<stream:stream {streams}>")),
            Condition::InvalidNamespace
        );
        assert_eq!(
            cond("<stream:stream xmlns='jabber:client'>"),
            Condition::BadNamespacePrefix
        );
        assert_eq!(
            cond(&format!(
                "<stream:features xmlns='jabber:client' {streams}>"
            )),
            Condition::BadFormat
        );
        // Any content namespace when the list is empty.
        assert!(parse_header(&format!("<stream:stream xmlns='x' {streams}>"), &[]).is_ok());
    }

    #[test]
    fn close_tag() {
        assert!(check_close("</stream:stream>", "stream:stream").is_ok());
        assert!(check_close("</stream:stream \n>", "stream:stream").is_ok());
        assert!(check_close("</s:stream>", "stream:stream").is_err());
    }

    #[test]
    fn nested_stream_detection() {
        let scope = vec![
            (None, NS_CLIENT.into()),
            (Some("stream".into()), NS_STREAMS.into()),
        ];
        assert!(is_nested_stream(
            "<stream:stream xmlns='jabber:client'>",
            &scope
        ));
        assert!(is_nested_stream(
            &format!("<s:stream xmlns:s='{NS_STREAMS}'>"),
            &scope
        ));
        assert!(!is_nested_stream("<stream>", &scope));
        assert!(!is_nested_stream("<message>", &scope));
        assert!(!is_nested_stream("<stream:features>", &scope));
    }
}
