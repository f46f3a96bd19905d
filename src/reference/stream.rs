//! The stream level, as text the server writes and checks it makes: the
//! client's header (RFC 6120 §4.7, §4.8), the server's header and
//! features, stream errors (§4.9).
//!
//! The parser already refused what it can judge alone (the stream
//! namespace and prefix, the content namespace, restricted XML, the
//! encoding); what depends on the server — its domain, the versions it
//! speaks — is checked here, as pure functions so that unit tests cover
//! every branch.

use crate::xml::{
    NS_BIND, NS_CLIENT, NS_PRE_APPROVAL, NS_SASL, NS_STREAM_ERRORS, NS_STREAMS, NS_TLS,
    StreamHeader,
};

use super::config::{Faults, Rule};
use super::error::{StreamCondition, StreamFault};
use super::jid::Jid;

/// The client's header, judged: whom to address the response to, and
/// whether the stream may go on.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct HeaderCheck {
    /// The client's `from`, if it is a JID: the response's `to`
    /// (RFC 6120 §4.7.2).
    pub reply_to: Option<String>,
    /// The version for the response header: 1.0, the lower of the two
    /// (§4.7.5 rule 2), whatever the client offered; none when the client
    /// sent none (§4.7.5: it speaks 0.9, and the answer SHOULD NOT carry
    /// a version).
    pub version: Option<String>,
    pub verdict: Result<(), StreamFault>,
}

/// Check what the parser left to the server: the version (§4.7.5) and
/// `to` (§4.7.2, §4.9.3.6).
///
/// The version is `major.minor`; only major version 1 is spoken. A higher
/// minor version is answered with 1.0 and the stream goes on, as §4.7.5
/// rule 2 says (the lower of the two versions); no version at all means a
/// pre-1.0 stream (§4.7.5: treat it as 0.9), which this server does not
/// speak. A missing `to` is accepted as this server's one domain: §4.7.2
/// asks receivers to be liberal with headers of implementations that omit
/// it (the client still breaks its own MUST, which client mode checks).
pub(super) fn check_header(header: &StreamHeader, domain: &str, faults: &Faults) -> HeaderCheck {
    let element = &header.element;
    // §4.7.2: the response's 'to' is the client's 'from'; the fault puts
    // the server's own domain there, whatever the client sent.
    let reply_to = if faults.breaks(Rule::ResponseTo) {
        Some(domain.to_owned())
    } else {
        element
            .attr("from")
            .filter(|f| Jid::parse(f).is_ok())
            .map(str::to_owned)
    };
    let verdict = version_check(element.attr("version"), faults)
        .and_then(|()| to_check(element.attr("to"), domain, faults));
    // §4.7.5 rule 2: the lower of the client's version and ours, which is
    // 1.0 for any version that gets this far. The fault echoes the
    // client's, as a server that does not negotiate would.
    let version = match element.attr("version") {
        Some(v) if faults.breaks(Rule::Version) => Some(v.to_owned()),
        None if !faults.breaks(Rule::Version) => None,
        _ => Some(VERSION.to_owned()),
    };
    HeaderCheck {
        reply_to,
        version,
        verdict,
    }
}

/// The only version this server speaks.
pub(super) const VERSION: &str = "1.0";

/// A stream namespace with a typo, for the `stream-namespace` fault.
const WRONG_NS_STREAMS: &str = "http://etherx.jabber.org/stream";

fn version_check(version: Option<&str>, faults: &Faults) -> Result<(), StreamFault> {
    if faults.breaks(Rule::Version) {
        return Ok(());
    }
    let unsupported = |text: String| StreamFault::new(StreamCondition::UnsupportedVersion, text);
    let Some(version) = version else {
        return Err(unsupported(
            "no version attribute: a pre-1.0 stream (RFC 6120 §4.7.5), which this server does not speak"
                .to_owned(),
        ));
    };
    let major = version
        .split_once('.')
        .filter(|(major, minor)| is_number(major) && is_number(minor))
        .map(|(major, _)| major.trim_start_matches('0'));
    match major {
        Some("1") => Ok(()),
        _ => Err(unsupported(format!(
            "version {} is not spoken here; this server speaks 1.0",
            quote(version)
        ))),
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn to_check(to: Option<&str>, domain: &str, faults: &Faults) -> Result<(), StreamFault> {
    if faults.breaks(Rule::HostKnown) {
        return Ok(());
    }
    let unknown = |text: String| StreamFault::new(StreamCondition::HostUnknown, text);
    match to {
        None if faults.breaks(Rule::ToRequired) => Err(unknown(format!(
            "the stream header has no 'to' (RFC 6120 §4.7.2); this server is {domain}"
        ))),
        None => Ok(()),
        Some(to)
            if Jid::parse(to)
                .is_ok_and(|j| j.local.is_none() && j.resource.is_none() && j.is_at(domain)) =>
        {
            Ok(())
        }
        Some(to) => Err(unknown(format!(
            "this server does not serve {}; it is {domain}",
            quote(to)
        ))),
    }
}

/// The id of the stream `header` opens (RFC 6120 §4.7.3): a new one,
/// whatever the client put on its header.
pub(super) fn stream_id(header: &StreamHeader, faults: &Faults) -> String {
    // The faults: the client's own id echoed, or one id for every stream.
    match header.element.attr("id") {
        Some(id) if faults.breaks(Rule::ClientStreamId) => id.to_owned(),
        _ if faults.breaks(Rule::StreamIdFresh) => "xmpp-conform-reference-stream".to_owned(),
        _ => new_id(),
    }
}

/// A stream id (RFC 6120 §4.7.3): 128 random bits, hex; unpredictable
/// unless the system has no randomness, when a counter has to do.
pub(super) fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_ok() {
        return bytes.iter().map(|b| format!("{b:02x}")).collect();
    }
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("stream-{n}")
}

/// The server's stream header (RFC 6120 §4.7), also in front of an error
/// (§4.9.1.2): `version` is [`VERSION`], or none for a pre-1.0 client,
/// unless a fault says otherwise ([`HeaderCheck::version`]).
pub(super) fn response_header(
    domain: &str,
    id: &str,
    to: Option<&str>,
    version: Option<&str>,
    faults: &Faults,
) -> String {
    let to = to
        .map(|t| format!(" to='{}'", escape(t)))
        .unwrap_or_default();
    // §4.7.3: the response header MUST carry a stream id.
    let id = if faults.breaks(Rule::StreamId) {
        String::new()
    } else {
        format!(" id='{id}'")
    };
    // §4.8.1: the stream element is qualified by the streams namespace.
    let ns = if faults.breaks(Rule::StreamNamespace) {
        WRONG_NS_STREAMS
    } else {
        NS_STREAMS
    };
    let version = version
        .map(|v| format!(" version='{}'", escape(v)))
        .unwrap_or_default();
    // §4.7.4: the response carries xml:lang; the fault leaves it out.
    let lang = if faults.breaks(Rule::ResponseLang) {
        ""
    } else {
        " xml:lang='en'"
    };
    format!(
        "<?xml version='1.0'?><stream:stream xmlns='{NS_CLIENT}' xmlns:stream='{ns}' \
         from='{}'{id}{to}{version}{lang}>",
        escape(domain),
    )
}

/// What the features of a stream offer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Offer {
    pub starttls: bool,
    pub mechanisms: Vec<String>,
    pub bind: bool,
}

/// `<stream:features>` for `offer` (RFC 6120 §4.3.2). STARTTLS is offered
/// but not required: the suite's scenarios must be able to see a stream
/// that never turns TLS on.
pub(super) fn features(offer: &Offer) -> String {
    let mut out = String::from("<stream:features>");
    if offer.starttls {
        out.push_str(&format!("<starttls xmlns='{NS_TLS}'/>"));
    }
    if !offer.mechanisms.is_empty() {
        out.push_str(&format!("<mechanisms xmlns='{NS_SASL}'>"));
        for m in &offer.mechanisms {
            out.push_str(&format!("<mechanism>{}</mechanism>", escape(m)));
        }
        out.push_str("</mechanisms>");
    }
    if offer.bind {
        out.push_str(&format!("<bind xmlns='{NS_BIND}'/>"));
        // RFC 6121 §3.4: pre-approvals are supported, so announced.
        out.push_str(&format!("<sub xmlns='{NS_PRE_APPROVAL}'/>"));
    }
    out.push_str("</stream:features>");
    out
}

/// `<stream:error>` with the condition and a `<text/>` saying why
/// (RFC 6120 §4.9.2).
pub(super) fn stream_error(fault: &StreamFault) -> String {
    let text = if fault.text.is_empty() {
        String::new()
    } else {
        format!(
            "<text xmlns='{NS_STREAM_ERRORS}' xml:lang='en'>{}</text>",
            escape(&truncate(&fault.text, 400))
        )
    };
    format!(
        "<stream:error><{} xmlns='{NS_STREAM_ERRORS}'/>{text}</stream:error>",
        fault.condition.element_name()
    )
}

pub(super) const CLOSE: &str = "</stream:stream>";

/// `s` with the five XML special characters escaped, for text and
/// single- or double-quoted attribute values.
pub(super) use crate::xml::writer::escape_value as escape;

/// Client-supplied text in a message: quoted, shortened.
fn quote(s: &str) -> String {
    format!("'{}'", truncate(s, 64))
}

fn truncate(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{ParserConfig, StreamEvent, StreamParser};

    fn header(attrs: &str) -> StreamHeader {
        let text =
            format!("<stream:stream {attrs} xmlns='jabber:client' xmlns:stream='{NS_STREAMS}'>");
        let mut events = Vec::new();
        StreamParser::new(ParserConfig::default()).feed(text.as_bytes(), &mut events);
        match events.pop() {
            Some(StreamEvent::Open(h)) => h,
            other => panic!("not a header: {other:?}"),
        }
    }

    fn condition(attrs: &str) -> Option<StreamCondition> {
        check_header(&header(attrs), "example.org", &Faults::default())
            .verdict
            .err()
            .map(|f| f.condition)
    }

    #[test]
    fn good_headers_pass() {
        assert_eq!(condition("to='example.org' version='1.0'"), None);
        assert_eq!(condition("to='Example.ORG.' version='1.0'"), None);
        // A higher minor version is answered with 1.0 (§4.7.5 rule 2).
        assert_eq!(condition("to='example.org' version='1.1'"), None);
        assert_eq!(condition("to='example.org' version='01.0'"), None);
    }

    #[test]
    fn versions() {
        use StreamCondition::UnsupportedVersion as U;
        for v in ["2.0", "0.9", "11.0", "1", "1.", ".0", "x.y", "1.0a", ""] {
            assert_eq!(
                condition(&format!("to='example.org' version='{v}'")),
                Some(U),
                "{v}"
            );
        }
        assert_eq!(condition("to='example.org'"), Some(U));
    }

    #[test]
    fn to_must_name_the_domain() {
        use StreamCondition::HostUnknown as H;
        // No 'to' at all is accepted (§4.7.2: be liberal); the fault
        // refuses it.
        assert_eq!(condition("version='1.0'"), None);
        let refusing = Faults::default().breaking(Rule::ToRequired);
        let check = check_header(&header("version='1.0'"), "example.org", &refusing);
        assert_eq!(check.verdict.map_err(|f| f.condition), Err(H));
        assert_eq!(condition("to='unknown.invalid' version='1.0'"), Some(H));
        assert_eq!(condition("to='romeo@example.org' version='1.0'"), Some(H));
        assert_eq!(condition("to='example.org/r' version='1.0'"), Some(H));
        assert_eq!(condition("to='' version='1.0'"), Some(H));
    }

    #[test]
    fn faults_skip_checks() {
        let faults = Faults::default()
            .breaking(Rule::Version)
            .breaking(Rule::HostKnown);
        let h = header("to='elsewhere' version='9.0'");
        let check = check_header(&h, "example.org", &faults);
        assert_eq!(check.verdict, Ok(()));
        assert_eq!(check.version.as_deref(), Some("9.0"));
        let conforming = check_header(&h, "example.org", &Faults::default());
        assert_eq!(conforming.version.as_deref(), Some(VERSION));
        let old = check_header(
            &header("to='example.org'"),
            "example.org",
            &Faults::default(),
        );
        assert_eq!(old.version, None);
    }

    #[test]
    fn header_faults() {
        let faults = Faults::default()
            .breaking(Rule::StreamId)
            .breaking(Rule::StreamNamespace);
        let text = response_header("example.org", "abc", None, Some(VERSION), &faults);
        assert!(!text.contains(" id="), "{text}");
        assert!(!text.contains(NS_STREAMS), "{text}");
        let text = response_header(
            "example.org",
            "abc",
            None,
            Some(VERSION),
            &Faults::default(),
        );
        assert!(text.contains(" id='abc'"), "{text}");
        assert!(
            text.contains(&format!("xmlns:stream='{NS_STREAMS}'")),
            "{text}"
        );
    }

    #[test]
    fn reply_to_only_a_jid() {
        let h = header("to='example.org' version='1.0' from='romeo@example.org'");
        let check = check_header(&h, "example.org", &Faults::default());
        assert_eq!(check.reply_to.as_deref(), Some("romeo@example.org"));
        let h = header("to='example.org' version='1.0' from='not a jid'");
        assert_eq!(
            check_header(&h, "example.org", &Faults::default()).reply_to,
            None
        );
    }

    #[test]
    fn written_text_parses() {
        let mut text = response_header(
            "example.org",
            "abc",
            Some("r'o@example.org"),
            Some(VERSION),
            &Faults::default(),
        );
        text.push_str(&features(&Offer {
            starttls: true,
            mechanisms: vec!["PLAIN".into()],
            bind: true,
        }));
        text.push_str(&stream_error(&StreamFault::new(
            StreamCondition::HostUnknown,
            "<&>",
        )));
        text.push_str(CLOSE);
        let mut events = Vec::new();
        StreamParser::new(ParserConfig::default()).feed(text.as_bytes(), &mut events);
        assert_eq!(events.len(), 4, "{events:?}");
        let StreamEvent::Open(h) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(h.element.attr("to"), Some("r'o@example.org"));
        let StreamEvent::Element(error) = &events[2] else {
            panic!("{events:?}")
        };
        assert!(error.child(NS_STREAM_ERRORS, "host-unknown").is_some());
        assert_eq!(
            error.child(NS_STREAM_ERRORS, "text").map(|t| t.text()),
            Some("<&>".to_owned())
        );
        assert_eq!(events[3], StreamEvent::Close);
    }
}
