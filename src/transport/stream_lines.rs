//! What a scenario line is, for the transports that frame the stream
//! themselves (WebSocket, BOSH): the harness writes RFC 6120's stream
//! header and closing tag, and each framing says them its own way
//! (`<open/>` and `<close/>`, a session request and `type='terminate'`).
//! Recognising the line is the same for both, so it is here once.

/// `</stream:stream>` (with any prefix).
pub(super) fn is_close_tag(line: &str) -> bool {
    line.strip_prefix("</")
        .and_then(|rest| rest.strip_suffix('>'))
        .map(str::trim)
        .is_some_and(|name| name == "stream" || name.ends_with(":stream"))
}

/// The stream header's start tag, without the XML declaration before it,
/// if `line` is a header; an XML declaration followed by anything else is
/// refused (neither framing has a place for a declaration of its own).
pub(super) fn header_start_tag(line: &str) -> Result<Option<&str>, String> {
    let rest = match line.strip_prefix("<?xml") {
        Some(after) => match after.find("?>") {
            Some(end) => after.get(end + 2..).unwrap_or_default().trim_start(),
            None => return Err("an unterminated XML declaration".to_string()),
        },
        None => line,
    };
    let name: String = rest
        .chars()
        .skip(1)
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        .collect();
    let is_header = rest.starts_with('<')
        && (name == "stream" || name.ends_with(":stream"))
        && rest.ends_with('>')
        && !rest.ends_with("/>");
    match (is_header, rest.len() < line.len()) {
        (true, _) => Ok(Some(rest)),
        (false, true) => Err("an XML declaration without a stream header after it".to_string()),
        (false, false) => Ok(None),
    }
}

/// The namespaces a scenario line is read with when it must stand alone:
/// those a client stream header declares, as over TCP.
pub(super) fn client_stream_scope() -> crate::xml::NamespaceScope {
    use crate::xml::{NS_CLIENT, NS_STREAMS, SmolStr};
    vec![
        (None, SmolStr::new(NS_CLIENT)),
        (Some(SmolStr::new("stream")), SmolStr::new(NS_STREAMS)),
    ]
}

/// A first-level element as it must travel alone: `line` read with
/// [`client_stream_scope`], must be exactly one complete element (else
/// the parser's reason); the declarations it inherited from the header
/// are written into its start tag. Returns the line to send, and what was
/// added (`None` when it declared everything itself).
pub(super) fn standalone_element(line: &str) -> Result<(String, Option<String>), String> {
    use crate::xml::{NS_CLIENT, NS_STREAMS, parse_element};
    let parsed =
        parse_element(line.as_bytes(), &client_stream_scope()).map_err(|e| e.to_string())?;
    let declares = |prefix: Option<&str>| {
        parsed
            .declarations
            .iter()
            .any(|(p, _)| p.as_deref() == prefix)
    };
    let mut added = String::new();
    if !declares(None) {
        added.push_str(&format!(" xmlns='{NS_CLIENT}'"));
    }
    if parsed.prefix.as_deref() == Some("stream") && !declares(Some("stream")) {
        added.push_str(&format!(" xmlns:stream='{NS_STREAMS}'"));
    }
    if added.is_empty() {
        return Ok((line.to_string(), None));
    }
    // After `<` and the name: the name ends at the first space, `/` or `>`.
    let name_end = line
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_whitespace() || *c == '/' || *c == '>')
        .map_or(line.len(), |(i, _)| i);
    let (head, tail) = line.split_at(name_end);
    Ok((format!("{head}{added}{tail}"), Some(added)))
}
