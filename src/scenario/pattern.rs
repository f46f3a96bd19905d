//! Patterns: the lines of the side under test, parsed and compiled once
//! into what the engine matches against (`</stream:stream>`, a stream
//! header, or one element).
//!
//! Patterns go through the same `crate::xml::parse_element` as received
//! stanzas, so a pattern and a stanza that look alike are alike, and are
//! then compiled by `crate::matching::compile`. Their placeholders are
//! checked on the raw text before XML parsing, because only the raw text
//! still knows the column of each placeholder.

use crate::matching::{HeaderPattern, Mode, PatternError, compile};
use crate::xml::{
    self, Condition, NS_CLIENT, NS_SCANSION, NS_STREAMS, NamespaceScope, StreamError,
};

use super::error::ScenarioError;
use super::functions::Side;
use super::model::Expectation;
use super::source::{Joined, SourceFile};
use super::template::{Segment, TemplateError, parse_spanned};

const STREAM_OPEN: &str = "<stream:stream";
const STREAM_CLOSE: &str = "</stream:stream>";

/// Parse one pattern entry.
pub(crate) fn parse(
    src: &SourceFile,
    joined: &Joined,
    mode: Mode,
) -> Result<Expectation, ScenarioError> {
    check_placeholders(src, joined)?;
    let text = joined.text.as_str();
    if text.trim() == STREAM_CLOSE {
        return Ok(Expectation::Close);
    }
    let lead = text.len() - text.trim_start().len();
    let mut start = 0;
    let mut declaration = None;
    if text[lead..].starts_with("<?xml") {
        let Some(end) = text[lead..].find("?>") else {
            return Err(joined.error(src, lead, 5, "the XML declaration is not closed with `?>`"));
        };
        declaration = Some(lead);
        start = lead + end + 2;
    }
    let rest = &text[start..];
    let rest_lead = rest.len() - rest.trim_start().len();
    let after_name = rest[rest_lead..].strip_prefix(STREAM_OPEN);
    if after_name
        .is_some_and(|a| a.starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/'))
    {
        return header(src, joined, start).map(Expectation::Open);
    }
    if let Some(at) = declaration {
        return Err(joined
            .error(
                src,
                at,
                5,
                "an XML declaration can only come before `<stream:stream>`",
            )
            .with_help("other elements are matched without their XML declaration; remove it"));
    }
    let element = xml::parse_element(text.as_bytes(), &content_scope(mode))
        .map_err(|e| xml_error(src, joined, 0, &e))?;
    compile::element_in(element, mode)
        .map(Expectation::Element)
        .map_err(|e| compile_error(src, joined, e))
}

/// The namespaces in force for a first-level pattern: what a stream
/// header of a client-to-server stream declares.
/// Under scansion's rules the prefix `scansion` is bound too, since
/// scansion's scripts write `scansion:strict` without declaring it.
pub(crate) fn content_scope(mode: Mode) -> NamespaceScope {
    let mut scope: NamespaceScope = vec![
        (None, NS_CLIENT.into()),
        (Some("stream".into()), NS_STREAMS.into()),
    ];
    if mode == Mode::Scansion {
        scope.push((Some("scansion".into()), NS_SCANSION.into()));
    }
    scope
}

/// A `<stream:stream …>` start tag at byte `start` of the joined text.
/// It is closed here so it can be parsed as an element; no scope is in
/// force, so the namespaces it names are those it declares.
fn header(src: &SourceFile, joined: &Joined, start: usize) -> Result<HeaderPattern, ScenarioError> {
    let text = &joined.text[start..];
    if let Some(at) = text.find(STREAM_CLOSE) {
        return Err(joined
            .error(
                src,
                start + at,
                STREAM_CLOSE.len(),
                "a stream header pattern is only the start tag",
            )
            .with_help("write `</stream:stream>` on a line of its own"));
    }
    if let Some(end) = start_tag_end(text).filter(|&end| text[..end].ends_with('/')) {
        return Err(joined
            .error(
                src,
                start + end - 1,
                2,
                "a stream header is a start tag, not an empty element",
            )
            .with_help("end it with `>`"));
    }
    let mut xml = text.as_bytes().to_vec();
    xml.extend_from_slice(STREAM_CLOSE.as_bytes());
    let mut element = xml::parse_element(&xml, &NamespaceScope::new()).map_err(|e| {
        let err = xml_error(src, joined, start, &e);
        if e.condition == Condition::BadNamespacePrefix && !text.contains("xmlns:stream") {
            err.with_help(format!(
                "declare the prefix on the header: xmlns:stream='{NS_STREAMS}'"
            ))
        } else {
            err
        }
    })?;
    if element.child_elements().next().is_some() {
        let at = start_tag_end(text).map_or(0, |p| p + 1);
        let at = at + text[at..].len() - text[at..].trim_start().len();
        return Err(joined
            .error(
                src,
                start + at,
                1,
                "a stream header pattern cannot contain elements",
            )
            .with_help("put what follows the header on its own `S:`/`C:` line"));
    }
    element.children.clear();
    compile::header(element).map_err(|e| compile_error(src, joined, e))
}

/// Byte offset of the `>` that ends the first tag of `text`, skipping
/// quoted attribute values (which may contain `>`).
fn start_tag_end(text: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

/// A pattern that `parse_element` rejects, pointing at the offending byte.
fn xml_error(src: &SourceFile, joined: &Joined, base: usize, e: &StreamError) -> ScenarioError {
    let offset = base.saturating_add(usize::try_from(e.offset).unwrap_or(usize::MAX));
    let last = joined.text.len().saturating_sub(1);
    let message = match e.condition {
        Condition::NotWellFormed => format!("pattern is not well-formed XML: {}", e.detail),
        other => format!("invalid pattern ({other}): {}", e.detail),
    };
    joined.error(src, offset.min(last), 1, message)
}

/// Check every placeholder of the raw text: known names, and only the
/// kinds that mean something in a pattern.
fn check_placeholders(src: &SourceFile, joined: &Joined) -> Result<(), ScenarioError> {
    let text = joined.text.as_str();
    let segments = parse_spanned(text).map_err(|e| template_error(src, joined, &e))?;
    for s in segments {
        match s.segment {
            Segment::Bytes(_) => {
                return Err(joined
                    .error(
                        src,
                        s.span.start,
                        s.span.len(),
                        "`{hex:…}` can only be used in lines the harness sends",
                    )
                    .with_help("a pattern is parsed as XML; raw bytes cannot be matched"));
            }
            Segment::Absent
                if !is_whole_attribute_value(text, s.span.clone())
                    && !is_whole_content(text, s.span.clone()) =>
            {
                return Err(joined
                    .error(
                        src,
                        s.span.start,
                        s.span.len(),
                        "`{absent}` must be a whole attribute value or a whole element's content",
                    )
                    .with_help("e.g. `type='{absent}'` (no such attribute) or `<starttls xmlns='…'>{absent}</starttls>` (no such child)"));
            }
            Segment::Call(call) if call.function.side() == Side::Sent => {
                return Err(joined
                    .error(
                        src,
                        s.span.start,
                        s.span.len(),
                        format!(
                            "`{}(…)` computes text to send; it cannot be used in a pattern",
                            call.function.name()
                        ),
                    )
                    .with_help("patterns check what arrives: capture it with `{$name}`, or use a checking function such as `digest-md5-challenge($c1)`"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// `<x>{absent}</x>`: the only content between a start tag and an end tag.
fn is_whole_content(text: &str, span: std::ops::Range<usize>) -> bool {
    text[..span.start].trim_end().ends_with('>') && text[span.end..].trim_start().starts_with("</")
}

/// `name='{absent}'`: quoted on both sides by the same quote, after `=`.
fn is_whole_attribute_value(text: &str, span: std::ops::Range<usize>) -> bool {
    let before = &text[..span.start];
    let after = &text[span.end..];
    let Some(quote) = before
        .chars()
        .next_back()
        .filter(|c| *c == '\'' || *c == '"')
    else {
        return false;
    };
    after.starts_with(quote) && before[..before.len() - 1].trim_end().ends_with('=')
}

pub(crate) fn template_error(
    src: &SourceFile,
    joined: &Joined,
    e: &TemplateError,
) -> ScenarioError {
    let err = joined.error(src, e.offset, e.len, e.message.clone());
    match &e.help {
        Some(h) => err.with_help(h.clone()),
        None => err,
    }
}

/// A pattern that parsed as XML but does not compile. The raw-text check
/// has caught every placeholder written as such, with its column; what is
/// left was formed by character references (`&#123;`), which only the
/// entry's first line can be blamed for — except a whole `{absent}`
/// pattern, which is found in the text.
fn compile_error(src: &SourceFile, joined: &Joined, e: PatternError) -> ScenarioError {
    if e == PatternError::WholeAbsent {
        let at = joined.text.find("{absent}").unwrap_or(0);
        return joined
            .error(src, at, "{absent}".len(), e.to_string())
            .with_help(
                "`<x>{absent}</x>` is for a child that must not be there; to check that nothing arrives, use `silence`",
            );
    }
    src.error(
        joined.first_line(),
        0,
        0,
        format!("invalid placeholder in a pattern value: {e}"),
    )
    .with_help(
        "braces written as character references still form placeholders; write `{{` and `}}`",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Attribute, Element};

    fn parse_text(text: &str) -> Result<Expectation, ScenarioError> {
        let src = SourceFile::new("t.xmpp".into(), text);
        let mut joined = Joined::default();
        for (i, line) in src.lines.iter().enumerate() {
            let start = if i == 0 { 3 } else { 0 };
            joined.push(i as u32 + 1, start, &line[start..]);
        }
        parse(&src, &joined, Mode::Rfc)
    }

    fn err(text: &str) -> ScenarioError {
        match parse_text(text) {
            Ok(e) => panic!("parsed: {e:?}"),
            Err(e) => e,
        }
    }

    fn element(text: &str) -> Element {
        match parse_text(text) {
            Ok(Expectation::Element(e)) => e.source().clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn close_pattern() {
        assert!(matches!(
            parse_text("S: </stream:stream>"),
            Ok(Expectation::Close)
        ));
        assert!(matches!(
            parse_text("S:   </stream:stream>  "),
            Ok(Expectation::Close)
        ));
    }

    #[test]
    fn element_pattern_gets_default_namespaces() {
        let e = element(
            "S: <stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>…</stream:features>",
        );
        assert_eq!((e.ns.as_str(), e.name.as_str()), (NS_STREAMS, "features"));
        let bind = e.child("urn:ietf:params:xml:ns:xmpp-bind", "bind");
        assert!(bind.is_some());
        let m = element("S: <message type='chat'/>");
        assert_eq!((m.ns.as_str(), m.attr("type")), (NS_CLIENT, Some("chat")));
    }

    #[test]
    fn header_pattern_keeps_declarations() {
        let text = "S: <?xml version='1.0'?>\n   <stream:stream from='{domain}' xmlns='jabber:client'\n     xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
        match parse_text(text) {
            Ok(Expectation::Open(p)) => {
                let e = p.source();
                assert_eq!((e.ns.as_str(), e.name.as_str()), (NS_STREAMS, "stream"));
                assert!(e.declarations.contains(&(None, NS_CLIENT.into())));
                assert!(
                    e.declarations
                        .contains(&(Some("stream".into()), NS_STREAMS.into()))
                );
                assert!(e.attrs.contains(&Attribute {
                    ns: None,
                    name: "from".into(),
                    value: "{domain}".into()
                }));
                assert!(e.children.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn header_without_stream_prefix_declaration() {
        let e = err("S: <stream:stream xmlns='jabber:client'>");
        assert_eq!(e.line, 1);
        assert!(
            e.help
                .as_deref()
                .is_some_and(|h| h.contains("xmlns:stream=")),
            "{e}"
        );
    }

    #[test]
    fn header_shape_errors() {
        let ns = "xmlns:stream='http://etherx.jabber.org/streams'";
        let e = err(&format!("S: <stream:stream {ns}/>"));
        assert!(e.message.contains("start tag"), "{e}");
        assert_eq!((e.column, e.width), (66, 2), "{e}");
        let e = err(&format!("S: <stream:stream a='/>' {ns}/>"));
        assert_eq!(e.column, 73, "{e}");
        let e = err(&format!("S: <stream:stream {ns}></stream:stream>"));
        assert!(e.message.contains("only the start tag"), "{e}");
        let e = err(&format!("S: <stream:stream {ns}>\n   <stream:features/>"));
        assert_eq!((e.line, e.column), (2, 4), "{e}");
        let e = err("S: <?xml version='1.0'?><message/>");
        assert_eq!((e.column, e.width), (4, 5));
    }

    #[test]
    fn not_well_formed_maps_to_continuation_line() {
        let e = err("S: <message>\n     <body>hi</bdy>\n   </message>");
        assert_eq!(e.line, 2, "{e}");
        assert!(e.column >= 14 && e.column <= 16, "{e}");
        assert!(
            e.message.starts_with("pattern is not well-formed XML"),
            "{e}"
        );
    }

    #[test]
    fn unknown_variable_points_at_column() {
        let e = err("S: <iq to='{domian}'/>");
        assert_eq!((e.line, e.column, e.width), (1, 12, 8));
        assert_eq!(e.help.as_deref(), Some("did you mean `{domain}`?"));
        let e = err("S: <iq\n  to='{user'/>");
        assert_eq!((e.line, e.column), (2, 7));
    }

    #[test]
    fn placeholder_kinds_in_patterns() {
        let e = err("S: <iq>{hex:00}</iq>");
        assert!(e.message.contains("harness sends"), "{e}");
        let e = err("S: <iq>{absent}</iq>");
        assert_eq!((e.column, e.width), (8, 8));
        assert!(e.message.contains("whole pattern"), "{e}");
        let e = err("S: <iq><query>x{absent}</query></iq>");
        assert!(e.message.contains("whole element's content"), "{e}");
        let e = err("S: <iq>{base64('x')}</iq>");
        assert!(e.message.contains("cannot be used in a pattern"), "{e}");
        let e = err("S: <iq>{digest-md5-challeng($c)}</iq>");
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `digest-md5-challenge(…)`?")
        );
        assert!(
            parse_text(
                "S: <f><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>{absent}</starttls>…</f>"
            )
            .is_ok()
        );
        let e = err("S: <iq type='x{absent}'/>");
        assert!(e.message.contains("whole attribute value"), "{e}");
        assert!(parse_text("S: <iq type = \"{absent}\" id='{$id}'>{*}</iq>").is_ok());
    }

    #[test]
    fn placeholders_from_character_references_fail_at_load() {
        let e = err("S: <iq>\n   <query a='&#123;domian&#125;'/></iq>");
        assert_eq!((e.line, e.column), (1, 1), "{e}");
        assert_eq!(
            e.message,
            "invalid placeholder in a pattern value: unknown variable `{domian}`"
        );
        assert!(
            e.help
                .as_deref()
                .is_some_and(|h| h.contains("character references"))
        );
        let e = err("S: <iq>&#123;base64('x')&#125;</iq>");
        assert!(e.message.contains("cannot be used in a pattern"), "{e}");
        let e = err("S: <iq a='&#123;hex:00&#125;'/>");
        assert!(e.message.contains("harness sends"), "{e}");
        let e = err("S: <iq>x&#123;absent&#125;</iq>");
        assert!(e.message.contains("cannot be used in text"), "{e}");
        let e = err(
            "S: <stream:stream xmlns:stream='http://etherx.jabber.org/streams' v='&#123;x&#125;'>",
        );
        assert!(e.message.starts_with("invalid placeholder"), "{e}");
    }
}
