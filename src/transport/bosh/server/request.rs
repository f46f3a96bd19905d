//! One client request as the server side reads it: the `<body/>` checked
//! and typed, or the terminal binding condition it earns (XEP-0124 §17.2).
//!
//! Pure, so that each refusal is unit-tested without HTTP: what cannot be
//! read at all (not XML, not a `<body/>` in the httpbind namespace, no
//! usable `rid`, a `wait` or `hold` that is no number) is `bad-request`.

use crate::xml::{Element, NS_HTTPBIND, NS_XBOSH, Node, parse_element};

/// The largest `rid` a client may use (XEP-0124 §14.1: 2^53 - 1).
pub(super) const MAX_RID: u64 = 9_007_199_254_740_991;

/// What a request asks for, beyond its payloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    /// No `sid`: a session creation request (XEP-0124 §7.1).
    Create,
    /// `xmpp:restart='true'` (XEP-0206 §5).
    Restart,
    /// `type='terminate'` (XEP-0124 §13).
    Terminate,
    /// Payloads, or none (a long-poll).
    Payload,
}

/// A request that can be acted on.
#[derive(Debug, Clone)]
pub(super) struct Request {
    pub rid: u64,
    pub sid: Option<String>,
    pub kind: Kind,
    /// The `<body/>` itself, for the attributes each kind reads.
    pub body: Element,
    /// `pause` in seconds, if asked (XEP-0124 §10).
    pub pause: Option<u64>,
}

impl Request {
    /// The first-level elements it carries.
    pub fn payloads(&self) -> impl Iterator<Item = &Element> {
        self.body.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.payloads().next().is_none()
    }

    /// A number the creation request carries (`wait`, `hold`): `None`
    /// when absent, an error when it is no number.
    pub fn number(&self, name: &str) -> Result<Option<u64>, String> {
        number(&self.body, name)
    }
}

fn number(body: &Element, name: &str) -> Result<Option<u64>, String> {
    match body.attr(name) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| format!("'{name}' is '{v}', not a non-negative integer")),
    }
}

/// Read a request body; `Err` carries why it is a `bad-request`.
pub(super) fn parse(bytes: &[u8]) -> Result<Request, String> {
    let body = parse_element(bytes, &Vec::new())
        .map_err(|e| format!("the request is not one well-formed XML element: {e}"))?;
    if !body.is(NS_HTTPBIND, "body") {
        return Err(format!(
            "the request is <{}/> in '{}', not <body/> in '{NS_HTTPBIND}'",
            body.name, body.ns
        ));
    }
    let rid = match number(&body, "rid")? {
        None => return Err("the request has no 'rid' (XEP-0124 §14.1)".to_owned()),
        Some(r) if r == 0 || r > MAX_RID => {
            return Err(format!(
                "'rid' {r} is not between 1 and 2^53-1 (XEP-0124 §14.1)"
            ));
        }
        Some(r) => r,
    };
    let sid = body.attr("sid").map(str::to_owned);
    let pause = number(&body, "pause")?;
    let kind = if sid.is_none() {
        for name in ["wait", "hold"] {
            number(&body, name)?;
        }
        Kind::Create
    } else if body.attr("type") == Some("terminate") {
        Kind::Terminate
    } else if body.attr_ns(NS_XBOSH, "restart") == Some("true") {
        Kind::Restart
    } else {
        Kind::Payload
    };
    Ok(Request {
        rid,
        sid,
        kind,
        body,
        pause,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = "xmlns='http://jabber.org/protocol/httpbind'";

    #[test]
    fn kinds_and_refusals() {
        let create = parse(format!("<body {NS} rid='5' to='x' wait='3'/>").as_bytes()).unwrap();
        assert_eq!((create.rid, create.kind), (5, Kind::Create));
        let restart = parse(
            format!("<body {NS} xmlns:xmpp='urn:xmpp:xbosh' rid='6' sid='s' xmpp:restart='true'/>")
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(restart.kind, Kind::Restart);
        let end =
            parse(format!("<body {NS} rid='7' sid='s' type='terminate'><a/></body>").as_bytes())
                .unwrap();
        assert_eq!(end.kind, Kind::Terminate);
        assert!(!end.is_empty());
        for bad in [
            format!("<body {NS} rid='5'"),
            format!("<body {NS} to='x'/>"),
            format!("<body {NS} rid='x'/>"),
            format!("<body {NS} rid='0'/>"),
            format!("<body {NS} rid='9007199254740992'/>"),
            format!("<body {NS} rid='5' wait='soon'/>"),
            "<body rid='5'/>".to_owned(),
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
