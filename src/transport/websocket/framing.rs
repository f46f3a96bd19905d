//! RFC 7395's framing, both ways, as pure functions: what a scenario line
//! becomes as one WebSocket text message, and what one received message
//! is as a stream event.
//!
//! Scenarios are written for RFC 6120's byte stream, so a line is
//! translated only where the two framings say the same thing: a stream
//! header becomes `<open/>` (its attributes kept; a wrong stream namespace
//! stays wrong, so a server's namespace check is still exercised, RFC 7395
//! §3.3.2), `</stream:stream>` becomes `<close/>`, and a first-level
//! element that relied on the header's `jabber:client` default gets it
//! declared, because each message must stand alone (§3.3.3). Anything
//! else (broken XML, two elements, half of one, bytes that are not UTF-8,
//! a content namespace other than `jabber:client`) has no WebSocket
//! equivalent: it is refused, and the scenario is skipped with the reason
//! rather than misjudged.

use crate::transport::stream_lines::{header_start_tag, is_close_tag, standalone_element};
use crate::xml::{
    Attribute, Condition, Element, NS_CLIENT, NS_FRAMING, NS_STREAMS, SmolStr, StreamError,
    StreamEvent, StreamHeader, parse_element, writer,
};

/// A scenario line as one WebSocket text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Outgoing {
    /// The message's text.
    pub text: String,
    /// For the transcript, when the message differs from the line: what
    /// was sent instead, or what was added. Never the element's content,
    /// which may carry a password.
    pub note: Option<String>,
}

/// Why a line cannot go out as one WebSocket message.
pub(super) type Refusal = String;

/// Translate one write of a scenario into one text message.
pub(super) fn outgoing(bytes: &[u8]) -> Result<Outgoing, Refusal> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| "bytes that are not UTF-8 (RFC 7395 §3.2: messages are text)".to_string())?;
    let line = text.trim();
    if line.is_empty() {
        return Err("whitespace alone is not an element (RFC 7395 §3.3.3)".to_string());
    }
    if is_close_tag(line) {
        let close = framing_element("close", NS_FRAMING, Vec::new());
        return Ok(Outgoing {
            note: Some(format!("sent as {close}")),
            text: close,
        });
    }
    if let Some(header) = header_start_tag(line)? {
        return open_from_header(header);
    }
    element(line)
}

/// `<open/>` for a stream header's start tag: the same attributes, in the
/// framing namespace if the header was in the streams namespace, else in
/// the header's own (wrong) namespace.
fn open_from_header(start_tag: &str) -> Result<Outgoing, Refusal> {
    let closed = format!("{}/>", start_tag.strip_suffix('>').unwrap_or(start_tag));
    let header = parse_element(closed.as_bytes(), &Vec::new())
        .map_err(|e| format!("a stream header that does not parse on its own: {e}"))?;
    if let Some((_, content)) = header.declarations.iter().find(|(p, _)| p.is_none())
        && content != NS_CLIENT
    {
        return Err(format!(
            "the content namespace `{content}` has no place on RFC 7395's <open/> (§3.3.2)"
        ));
    }
    let ns = if header.ns == NS_STREAMS {
        NS_FRAMING
    } else {
        header.ns.as_str()
    };
    let open = framing_element("open", ns, header.attrs);
    Ok(Outgoing {
        note: Some(format!("sent as {open}")),
        text: open,
    })
}

/// `<NAME xmlns=NS …/>`, written by the crate's writer so values are
/// escaped.
pub(super) fn framing_element(name: &str, ns: &str, attrs: Vec<Attribute>) -> String {
    let element = Element {
        declarations: vec![(None, SmolStr::new(ns))],
        attrs,
        ..Element::new(ns, name)
    };
    writer::to_xml(&element)
}

/// A first-level element: exactly one, complete, read as the stream header
/// would have scoped it; the declarations it inherited from the header
/// are added to its start tag.
fn element(line: &str) -> Result<Outgoing, Refusal> {
    let (text, added) = standalone_element(line)
        .map_err(|e| format!("not one complete element (RFC 7395 §3.3.3): {e}"))?;
    let note = added.map(|added| {
        format!("sent with{added} declared: each message stands alone (RFC 7395 §3.3.3)")
    });
    Ok(Outgoing { text, note })
}

/// One received text message as a stream event: `<open/>` is the
/// header, `<close/>` the close, anything else must be one complete
/// element with its namespaces declared (RFC 7395 §3.3.3), else the event
/// is an error. `offset` counts the bytes received before this message.
pub(super) fn incoming(text: &str, offset: u64) -> StreamEvent {
    if text.trim().is_empty() {
        return not_an_element(offset, "a message with no element in it".to_string());
    }
    let element = match parse_element(text.as_bytes(), &Vec::new()) {
        Ok(element) => element,
        // A DOCTYPE, comment or entity keeps its own condition (RFC 6120
        // §11.1): the message is one element, in restricted XML's terms.
        Err(e) if e.condition == Condition::RestrictedXml => {
            return StreamEvent::Error(StreamError {
                offset: offset + e.offset,
                ..e
            });
        }
        Err(e) => return not_an_element(offset + e.offset, e.to_string()),
    };
    if element.is(NS_FRAMING, "open") {
        return StreamEvent::Open(header_from_open(element));
    }
    if element.is(NS_FRAMING, "close") {
        return StreamEvent::Close;
    }
    StreamEvent::Element(element)
}

/// A binary message: RFC 7395 §3.2 allows text messages only.
pub(super) fn binary(len: usize, offset: u64) -> StreamEvent {
    StreamEvent::Error(StreamError {
        condition: Condition::NotWellFormed,
        offset,
        detail: format!(
            "a binary WebSocket message of {len} bytes (RFC 7395 §3.2: XMPP uses text messages)"
        ),
    })
}

fn not_an_element(offset: u64, why: String) -> StreamEvent {
    StreamEvent::Error(StreamError {
        condition: Condition::NotWellFormed,
        offset,
        detail: format!(
            "a WebSocket message must hold one complete element with its namespaces \
             declared (RFC 7395 §3.3.3): {why}"
        ),
    })
}

/// `<open/>` as a stream header the RFC 6120 patterns can check: its
/// attributes on a `<stream:stream>` whose content namespace is
/// `jabber:client`, the only one RFC 7395 carries. The `<open/>` itself
/// is kept for the transcript.
fn header_from_open(open: Element) -> StreamHeader {
    let element = Element {
        prefix: Some(SmolStr::new("stream")),
        declarations: vec![
            (None, SmolStr::new(NS_CLIENT)),
            (Some(SmolStr::new("stream")), SmolStr::new(NS_STREAMS)),
        ],
        attrs: open.attrs.clone(),
        ..Element::new(NS_STREAMS, "stream")
    };
    StreamHeader {
        element,
        xml_decl: None,
        framing: Some(Box::new(open)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::NS_XML;

    fn is_lang(attr: &Attribute) -> bool {
        attr.ns.as_deref() == Some(NS_XML) && attr.name == "lang"
    }

    fn sent(line: &str) -> Outgoing {
        outgoing(line.as_bytes()).expect("translatable")
    }

    #[test]
    fn a_stream_header_becomes_open_with_its_attributes() {
        let out = sent(
            "<?xml version='1.0'?>\n   <stream:stream to='example.org' version='1.0' \
             xml:lang='en'\n xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
        );
        let open = parse_element(out.text.as_bytes(), &Vec::new()).expect("open parses");
        assert!(open.is(NS_FRAMING, "open"));
        assert_eq!(open.attr("to"), Some("example.org"));
        assert_eq!(open.attr("version"), Some("1.0"));
        assert!(open.attrs.iter().any(|a| is_lang(a) && a.value == "en"));
        assert!(out.note.is_some_and(|n| n.contains("<open")));
    }

    #[test]
    fn a_wrong_stream_namespace_stays_wrong() {
        let out = sent("<stream:stream to='x' xmlns:stream='http://wrong.example/'>");
        let open = parse_element(out.text.as_bytes(), &Vec::new()).expect("open parses");
        assert_eq!(
            (open.ns.as_str(), open.name.as_str()),
            ("http://wrong.example/", "open")
        );
    }

    #[test]
    fn another_content_namespace_is_refused() {
        let why = outgoing(
            b"<stream:stream to='x' xmlns='jabber:foo' xmlns:stream='http://etherx.jabber.org/streams'>",
        )
        .expect_err("refused");
        assert!(why.contains("jabber:foo"), "{why}");
    }

    #[test]
    fn the_closing_tag_becomes_close() {
        let out = sent("</stream:stream>");
        assert_eq!(
            out.text,
            "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>"
        );
    }

    #[test]
    fn an_unqualified_stanza_gets_jabber_client_declared() {
        let out =
            sent("<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
        assert_eq!(
            out.text,
            "<iq xmlns='jabber:client' type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>"
        );
        let out = sent(
            "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGEAYg==</auth>",
        );
        assert_eq!(out.note, None);
        let out = sent("<stream:error/>");
        assert!(out.text.contains("xmlns:stream="), "{}", out.text);
    }

    #[test]
    fn what_is_not_one_element_is_refused() {
        for bytes in [
            &b"<message><body>Bad XML, no closing body tag!</message>"[..],
            b"<a/><b/>",
            b"<message>",
            b"\xEB\x80",
            b"   ",
            b"<?xml version='1.0'?>",
            b"<!-- c --><a/>",
        ] {
            assert!(
                outgoing(bytes).is_err(),
                "{:?} went out",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn open_is_a_header_and_close_the_close() {
        let open = "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='example.org' \
                    id='s1' version='1.0' xml:lang='en'/>";
        let StreamEvent::Open(header) = incoming(open, 0) else {
            panic!("not a header");
        };
        assert!(header.element.is(NS_STREAMS, "stream"));
        assert_eq!(header.element.attr("id"), Some("s1"));
        assert_eq!(header.content_namespace(), Some(NS_CLIENT));
        assert!(header.framing.is_some());
        let close = "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>";
        assert_eq!(incoming(close, 0), StreamEvent::Close);
    }

    #[test]
    fn a_message_that_is_not_one_standalone_element_is_an_error() {
        for text in [
            "<a xmlns='jabber:client'/><b xmlns='jabber:client'/>",
            "<message xmlns='jabber:client'>",
            "<stream:features/>",
            "",
        ] {
            let StreamEvent::Error(e) = incoming(text, 10) else {
                panic!("{text:?} was accepted");
            };
            assert!(e.detail.contains("RFC 7395 §3.3.3"), "{e}");
        }
        assert!(matches!(
            incoming("<message xmlns='jabber:client'><body>hi</body></message>", 0),
            StreamEvent::Element(e) if e.is(NS_CLIENT, "message")
        ));
    }
}
