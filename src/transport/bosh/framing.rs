//! BOSH's framing (XEP-0124, XEP-0206), both ways, as pure functions: what
//! a scenario line means inside a `<body/>`, the `<body/>`s the client
//! sends, and what a received `<body/>` is as stream events.
//!
//! Scenarios are written for RFC 6120's byte stream. Over BOSH there is no
//! stream header on the wire: the header's attributes go on the session
//! creation request (or, after SASL, on the restart request,
//! XEP-0206 §5), `</stream:stream>` is `type='terminate'`, and stanzas
//! travel as children of a `<body/>` in the httpbind namespace, so one that
//! relied on the header's `jabber:client` default gets it declared. A line
//! with no BOSH form (broken XML, two elements, half of one, a header in
//! another namespace) is refused, and the scenario is skipped with the
//! reason rather than misjudged.

use crate::transport::stream_lines::{header_start_tag, is_close_tag, standalone_element};
use crate::xml::{
    Attribute, Condition, Element, NS_CLIENT, NS_HTTPBIND, NS_STREAMS, NS_XBOSH, Node, SmolStr,
    StreamError, StreamEvent, StreamHeader, parse_element, writer,
};

/// The BOSH protocol version the harness speaks (XEP-0124 §7.1).
const VERSION: &str = "1.6";

/// What one write of a scenario means over BOSH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Line {
    /// A stream header: its attributes (`to`, `xml:lang`, `version`, …)
    /// go on the session creation or restart request.
    Header(Vec<Attribute>),
    /// `</stream:stream>`: the session is terminated.
    Close,
    /// One first-level element, as text; `added` names the declarations
    /// it needed to stand inside `<body/>`.
    Element { text: String, added: Option<String> },
}

/// Why a line has no BOSH form.
pub(super) type Refusal = String;

/// Classify one write of a scenario.
pub(super) fn classify(bytes: &[u8]) -> Result<Line, Refusal> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| "bytes that are not UTF-8 cannot go inside a <body/>".to_string())?;
    let line = text.trim();
    if line.is_empty() {
        return Err("whitespace alone is not an element (XEP-0124 §4)".to_string());
    }
    if is_close_tag(line) {
        return Ok(Line::Close);
    }
    if let Some(start_tag) = header_start_tag(line)? {
        return header(start_tag);
    }
    element(line)
}

fn header(start_tag: &str) -> Result<Line, Refusal> {
    let closed = format!("{}/>", start_tag.strip_suffix('>').unwrap_or(start_tag));
    let header = parse_element(closed.as_bytes(), &Vec::new())
        .map_err(|e| format!("a stream header that does not parse on its own: {e}"))?;
    if header.ns != NS_STREAMS {
        return Err(format!(
            "the stream namespace `{}` has no place in a BOSH session request (XEP-0206 §4)",
            header.ns
        ));
    }
    if let Some((_, content)) = header.declarations.iter().find(|(p, _)| p.is_none())
        && content != NS_CLIENT
    {
        return Err(format!(
            "the content namespace `{content}` has no place in a BOSH session request \
             (XEP-0206 carries jabber:client)"
        ));
    }
    Ok(Line::Header(header.attrs))
}

fn element(line: &str) -> Result<Line, Refusal> {
    let (text, added) = standalone_element(line)
        .map_err(|e| format!("not one complete element (XEP-0124 §4): {e}"))?;
    Ok(Line::Element { text, added })
}

fn attr(name: &str, value: impl Into<SmolStr>) -> Attribute {
    Attribute {
        ns: None,
        name: SmolStr::new(name),
        value: value.into(),
    }
}

fn xbosh(name: &str, value: &str) -> Attribute {
    Attribute {
        ns: Some(SmolStr::new(NS_XBOSH)),
        name: SmolStr::new(name),
        value: SmolStr::new(value),
    }
}

/// The header's attributes as a body's: `version` is `xmpp:version`
/// (XEP-0206 §4); `to`, `from`, `xml:lang` and anything else keep their
/// names.
fn header_attrs(header: &[Attribute]) -> Vec<Attribute> {
    header
        .iter()
        .map(|a| match (a.ns.as_deref(), a.name.as_str()) {
            (None, "version") => xbosh("version", &a.value),
            _ => a.clone(),
        })
        .collect()
}

fn body(attrs: Vec<Attribute>, payload: &str) -> String {
    let element = Element {
        declarations: vec![
            (None, SmolStr::new(NS_HTTPBIND)),
            (Some(SmolStr::new("xmpp")), SmolStr::new(NS_XBOSH)),
        ],
        attrs,
        ..Element::new(NS_HTTPBIND, "body")
    };
    if payload.is_empty() {
        return writer::to_xml(&element);
    }
    format!("{}{payload}</body>", writer::start_tag(&element))
}

/// The session creation request (XEP-0124 §7.1, XEP-0206 §4): the
/// header's attributes, with the long-poll parameters the harness asks for.
pub(super) fn session_request(rid: u64, header: &[Attribute], wait: u64, hold: u64) -> String {
    let mut attrs = vec![
        attr("rid", rid.to_string()),
        attr("content", "text/xml; charset=utf-8"),
        attr("hold", hold.to_string()),
        attr("wait", wait.to_string()),
        attr("ver", VERSION),
    ];
    attrs.extend(header_attrs(header));
    body(attrs, "")
}

/// The restart request after SASL success (XEP-0206 §5).
pub(super) fn restart_request(rid: u64, sid: &str, header: &[Attribute]) -> String {
    let mut attrs = vec![
        attr("rid", rid.to_string()),
        attr("sid", sid),
        xbosh("restart", "true"),
    ];
    attrs.extend(
        header_attrs(header)
            .into_iter()
            .filter(|a| !(a.ns.as_deref() == Some(NS_XBOSH) && a.name == "version")),
    );
    body(attrs, "")
}

/// A request carrying `payload` (possibly none: a long-poll).
pub(super) fn payload_request(rid: u64, sid: &str, payload: &str) -> String {
    body(
        vec![attr("rid", rid.to_string()), attr("sid", sid)],
        payload,
    )
}

/// A request carrying `payload` as it is, checked for nothing: what the
/// fuzzer's mutations look like inside a `<body/>`.
pub(super) fn unchecked_request(rid: u64, sid: &str, payload: &[u8]) -> Vec<u8> {
    let mut text = payload_request(rid, sid, "placeholder").into_bytes();
    // `<body …>placeholder</body>`: the start tag, then the payload.
    let start = text.len() - "placeholder</body>".len();
    text.truncate(start);
    text.extend_from_slice(payload);
    text.extend_from_slice(b"</body>");
    text
}

/// The request that ends the session (XEP-0124 §13).
pub(super) fn terminate_request(rid: u64, sid: &str) -> String {
    body(
        vec![
            attr("rid", rid.to_string()),
            attr("sid", sid),
            attr("type", "terminate"),
        ],
        "",
    )
}

/// A response body, parsed; anything else is an error event citing the
/// rule.
pub(super) fn parse_body(bytes: &[u8], offset: u64) -> Result<Element, StreamError> {
    let body = parse_element(bytes, &Vec::new()).map_err(|e| {
        stream_error(
            Condition::NotWellFormed,
            offset + e.offset,
            format!("the HTTP response is not one XML element (XEP-0124 §4): {e}"),
        )
    })?;
    if !body.is(NS_HTTPBIND, "body") {
        return Err(stream_error(
            Condition::InvalidNamespace,
            offset,
            format!(
                "the HTTP response is <{}/> in `{}`, not <body/> in `{NS_HTTPBIND}` (XEP-0124 §4)",
                body.name, body.ns
            ),
        ));
    }
    Ok(body)
}

fn stream_error(condition: Condition, offset: u64, detail: String) -> StreamError {
    StreamError {
        condition,
        offset,
        detail,
    }
}

fn error(condition: Condition, offset: u64, detail: String) -> StreamEvent {
    StreamEvent::Error(stream_error(condition, offset, detail))
}

/// A session creation response as the stream header the RFC 6120
/// patterns check: `from` and `xml:lang` as they are, `version` from
/// `xmpp:version`, `id` from `authid` (or else `sid`), and every other
/// attribute of the body kept (`sid`, `wait`, `requests`, …) so BOSH
/// scenarios can check them with a header pattern. The body itself is kept
/// for the transcript.
pub(super) fn header_from_body(body: &Element) -> StreamHeader {
    let mut attrs: Vec<Attribute> = Vec::new();
    for a in &body.attrs {
        match (a.ns.as_deref(), a.name.as_str()) {
            (Some(NS_XBOSH), "version") => attrs.push(attr("version", a.value.clone())),
            (None, "authid") => attrs.push(attr("id", a.value.clone())),
            _ => {}
        }
        attrs.push(a.clone());
    }
    if body.attr("authid").is_none()
        && let Some(sid) = body.attr("sid")
    {
        attrs.push(attr("id", sid));
    }
    let element = Element {
        prefix: Some(SmolStr::new("stream")),
        declarations: vec![
            (None, SmolStr::new(NS_CLIENT)),
            (Some(SmolStr::new("stream")), SmolStr::new(NS_STREAMS)),
            (Some(SmolStr::new("xmpp")), SmolStr::new(NS_XBOSH)),
        ],
        attrs,
        ..Element::new(NS_STREAMS, "stream")
    };
    let mut shown = body.clone();
    shown.children.clear();
    StreamHeader {
        element,
        xml_decl: None,
        framing: Some(Box::new(shown)),
    }
}

/// A creation response that raises the `wait` or `hold` the client asked
/// for: XEP-0124 §7.2 lets the server lower them, never raise them.
/// Checked on every session, so any scenario over BOSH fails on it.
pub(super) fn raised_limits(
    body: &Element,
    wait: u64,
    hold: u64,
    offset: u64,
) -> Option<StreamEvent> {
    let raised = |name: &str, asked: u64| {
        let given = body.attr(name)?.trim().parse::<u64>().ok()?;
        (given > asked).then(|| format!("'{name}' is {given}, the client asked for {asked}"))
    };
    let why = raised("wait", wait).or_else(|| raised("hold", hold))?;
    Some(error(
        Condition::PolicyViolation,
        offset,
        format!(
            "the session creation response raises a limit: {why} (XEP-0124 §7.2: it MUST NOT \
             be greater than requested)"
        ),
    ))
}

/// The events a response body carries: its children, and, for
/// `type='terminate'`, the end of the stream. A `remote-stream-error`
/// carries the stream error as a child (XEP-0206 §6); any other
/// condition has no stream-level form, so the body itself is passed on
/// for a scenario to match, unless the client asked for the end
/// (`ending`): then any condition (ejabberd answers the held request with
/// `other-request`, XEP-0124 §17.2) is only the close.
pub(super) fn events(body: &Element, ending: bool, offset: u64) -> (Vec<StreamEvent>, bool) {
    let terminated = body.attr("type") == Some("terminate");
    // XEP-0206 §2: a <stream:error/> travels only in a terminating body of
    // the 'remote-stream-error' condition; anywhere else it is an error
    // event, checked on every response like RFC 7395's one element per
    // message.
    let remote_error = terminated && body.attr("condition") == Some("remote-stream-error");
    let mut out: Vec<StreamEvent> = body
        .children
        .iter()
        .filter_map(|n| match n {
            Node::Element(e) if e.is(NS_STREAMS, "error") && !remote_error => {
                Some(StreamEvent::Error(StreamError {
                    condition: Condition::BadFormat,
                    offset,
                    detail: format!(
                        "a <stream:error/> in a <body/> that is not type='terminate' with \
                         condition='remote-stream-error' (XEP-0206 §2: it MUST be): {}",
                        writer::to_xml(e)
                    ),
                }))
            }
            Node::Element(e) => Some(StreamEvent::Element(e.clone())),
            Node::Text(_) => None,
        })
        .collect();
    if terminated {
        match body.attr("condition") {
            None | Some("remote-stream-error") => {}
            Some(_) if ending => {}
            Some(_) => {
                let mut shown = body.clone();
                shown.children.clear();
                out.push(StreamEvent::Element(shown));
            }
        }
        out.push(StreamEvent::Close);
    }
    (out, terminated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::NS_XML;

    fn is_lang(a: &Attribute) -> bool {
        a.ns.as_deref() == Some(NS_XML) && a.name == "lang"
    }

    #[test]
    fn a_header_becomes_the_session_request() {
        let Ok(Line::Header(attrs)) = classify(
            b"<?xml version='1.0'?><stream:stream to='example.org' version='1.0' xml:lang='en' \
              xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>",
        ) else {
            panic!("not a header");
        };
        assert!(attrs.iter().any(is_lang));
        let text = session_request(7, &attrs, 30, 1);
        let body = parse_element(text.as_bytes(), &Vec::new()).expect("a body");
        assert!(body.is(NS_HTTPBIND, "body"));
        assert_eq!(body.attr("rid"), Some("7"));
        assert_eq!(body.attr("to"), Some("example.org"));
        assert_eq!(body.attr("ver"), Some("1.6"));
        assert!(
            body.attrs
                .iter()
                .any(|a| a.ns.as_deref() == Some(NS_XBOSH) && a.name == "version")
        );
        assert_eq!(body.attr("version"), None);
    }

    #[test]
    fn stanzas_get_jabber_client_and_go_inside_a_body() {
        let Ok(Line::Element { text, added }) = classify(b"<iq type='get' id='1'/>") else {
            panic!("not an element");
        };
        assert!(added.is_some());
        let request = payload_request(8, "s1", &text);
        let body = parse_element(request.as_bytes(), &Vec::new()).expect("a body");
        let iq = body.child_elements().next().expect("a child");
        assert!(iq.is(NS_CLIENT, "iq"));
        assert_eq!(classify(b"</stream:stream>"), Ok(Line::Close));
    }

    #[test]
    fn what_has_no_bosh_form_is_refused() {
        for bytes in [
            &b"<message><body>no end</message>"[..],
            b"<a/><b/>",
            b"\xEB\x80",
            b"  ",
            b"<stream:stream xmlns:stream='http://wrong.example/'>",
            b"<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>",
        ] {
            assert!(classify(bytes).is_err(), "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn a_response_becomes_a_header_and_elements() {
        let body = parse_body(
            b"<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' \
              sid='abc' wait='60' requests='2' from='example.org' xmpp:version='1.0'>\
              <stream:features xmlns:stream='http://etherx.jabber.org/streams'/></body>",
            0,
        )
        .expect("a body");
        let header = header_from_body(&body);
        assert_eq!(header.element.attr("id"), Some("abc"));
        assert_eq!(header.element.attr("version"), Some("1.0"));
        assert_eq!(header.element.attr("requests"), Some("2"));
        assert_eq!(header.content_namespace(), Some(NS_CLIENT));
        let (events, ended) = events(&body, false, 0);
        assert!(!ended);
        assert!(matches!(&events[..], [StreamEvent::Element(e)] if e.name == "features"));
    }

    #[test]
    fn terminate_ends_the_stream_after_its_payload() {
        let body = parse_body(
            b"<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' \
              condition='remote-stream-error'><stream:error \
              xmlns:stream='http://etherx.jabber.org/streams'/></body>",
            0,
        )
        .expect("a body");
        let (events, ended) = events(&body, false, 0);
        assert!(ended);
        assert!(matches!(
            &events[..],
            [StreamEvent::Element(_), StreamEvent::Close]
        ));
        // The same error anywhere else is an error event (XEP-0206 §2).
        for attrs in ["", "type='terminate' condition='item-not-found'"] {
            let text = format!(
                "<body xmlns='http://jabber.org/protocol/httpbind' {attrs}><stream:error \
                 xmlns:stream='http://etherx.jabber.org/streams'/></body>"
            );
            let body = parse_body(text.as_bytes(), 0).expect("a body");
            let (got, _) = super::events(&body, true, 0);
            assert!(
                matches!(got.first(), Some(StreamEvent::Error(_))),
                "{got:?}"
            );
        }
        assert!(parse_body(b"<html/>", 0).is_err());
        assert!(parse_body(b"<body", 0).is_err());
    }
}
