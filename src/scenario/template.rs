//! Text with placeholders: `{domain}`, `{$capture}`, `{*}`, `{hex:EB80}`.
//!
//! The same syntax serves both sides: in lines the harness sends, the
//! placeholders are substituted; in attribute values and text of patterns,
//! they are matched (see `crate::matching`).
//!
//! `{{` and `}}` stand for literal braces, as in Rust format strings, so a
//! lone brace is always a mistake worth reporting.

use std::fmt;
use std::ops::Range;

use crate::bindings::{Bindings, KNOWN_VARIABLES, is_capture_name, is_variable_name};

use super::functions::{self, Call};
use super::suggest::did_you_mean;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    /// `{domain}`: a command-line variable.
    Var(String),
    /// `{$name}`: captured when first matched, compared afterwards.
    Capture(String),
    /// `{*}`: any text (patterns only).
    Any,
    /// `{hex:EB80}`: raw bytes, possibly not UTF-8 (sent lines only).
    Bytes(Vec<u8>),
    /// `{absent}`: the attribute must not be there (patterns only, and only
    /// as the whole value of an attribute: `type='{absent}'`), or, as the
    /// whole content of a pattern element, that element must not be there.
    Absent,
    /// `{digest-md5-response($c1)}`: a helper function (see
    /// [`functions`]): computes text in sent lines, checks it in patterns.
    Call(Call),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    pub segments: Vec<Segment>,
}

/// A placeholder that cannot be parsed; `offset` is the byte offset in the
/// template text where it starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub offset: usize,
    /// Length in bytes of the offending placeholder (at least 1), so the
    /// error can underline all of it.
    pub len: usize,
    pub message: String,
    /// A suggestion such as "did you mean `{domain}`?".
    pub help: Option<String>,
}

/// A placeholder with no value at run time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{{{0}}}` has no value here")]
pub struct Unbound(pub String);

/// Why a sent line could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// A scenario bug: a placeholder without a value.
    #[error(transparent)]
    Unbound(#[from] Unbound),
    /// A function could not compute its value, usually because of what the
    /// peer sent (a challenge that is not base64, say).
    #[error("`{{{call}}}`: {reason}")]
    Call { call: String, reason: String },
}

/// What `[redacted]` replaces in transcripts: the password and values
/// computed from it.
pub const REDACTED: &str = "[redacted]";

/// One parsed segment and, for placeholders, where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpannedSegment {
    pub segment: Segment,
    /// Byte range in the template text; for literals, the range of the
    /// whole literal run (braces escapes included).
    pub span: Range<usize>,
}

/// Names that may follow `{` besides the command-line variables, offered
/// as suggestions for misspelt placeholders.
const PLACEHOLDER_WORDS: &[&str] = &["absent", "hex:"];

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let segments = parse_spanned(text)?
            .into_iter()
            .map(|s| s.segment)
            .collect();
        Ok(Template { segments })
    }

    /// A template with no placeholder.
    pub fn literal(text: impl Into<String>) -> Template {
        let text = text.into();
        if text.is_empty() {
            return Template::default();
        }
        Template {
            segments: vec![Segment::Literal(text)],
        }
    }

    /// Substitute every placeholder, for sending. `{*}` is an error here.
    ///
    /// Values of variables and captures are XML-escaped (`&`, `<`, `>`,
    /// `'`, `"`), because a captured value was unescaped when its element
    /// was parsed and must be escaped again to be sent inside XML; the
    /// literal text and `{hex:…}` bytes are sent exactly as written.
    pub fn render(&self, bindings: &Bindings) -> Result<Vec<u8>, Unbound> {
        let mut no_calls =
            |call: &Call, _: &Bindings| -> Result<String, String> { Err(call.to_string()) };
        self.render_with(bindings, &mut no_calls)
            .map_err(|e| match e {
                RenderError::Unbound(u) => u,
                RenderError::Call { call, .. } => Unbound(call),
            })
    }

    /// [`Template::render`], with `calls` computing the value of each
    /// function call (the engine's helpers). Call values are XML-escaped
    /// like variables.
    pub fn render_with(
        &self,
        bindings: &Bindings,
        calls: &mut dyn FnMut(&Call, &Bindings) -> Result<String, String>,
    ) -> Result<Vec<u8>, RenderError> {
        let mut out = Vec::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => out.extend_from_slice(text.as_bytes()),
                Segment::Bytes(bytes) => out.extend_from_slice(bytes),
                Segment::Var(name) => {
                    let value = bindings.var(name).ok_or_else(|| Unbound(name.clone()))?;
                    escape_into(value, &mut out);
                }
                Segment::Capture(name) => {
                    let value = bindings
                        .capture(name)
                        .ok_or_else(|| Unbound(format!("${name}")))?;
                    escape_into(value, &mut out);
                }
                Segment::Call(call) => {
                    let value = calls(call, bindings).map_err(|reason| RenderError::Call {
                        call: call.to_string(),
                        reason,
                    })?;
                    escape_into(&value, &mut out);
                }
                Segment::Any => return Err(Unbound("*".to_owned()).into()),
                Segment::Absent => return Err(Unbound("absent".to_owned()).into()),
            }
        }
        Ok(out)
    }

    /// The line as the transcript shows it: rendered, but with secret
    /// values (`{password}` from the command line) and function values
    /// derived from secrets replaced by `[redacted]`, and without computing
    /// any function (a failing one must not hide the line).
    pub fn shown(&self, bindings: &Bindings) -> String {
        let mut out = Vec::new();
        for segment in &self.segments {
            match segment {
                Segment::Var(name) if bindings.is_secret(name) => {
                    out.extend_from_slice(REDACTED.as_bytes())
                }
                Segment::Call(call) if call.is_secret(bindings) => {
                    out.extend_from_slice(REDACTED.as_bytes())
                }
                Segment::Literal(text) => out.extend_from_slice(text.as_bytes()),
                Segment::Bytes(bytes) => out.extend_from_slice(bytes),
                Segment::Var(name) => match bindings.var(name) {
                    Some(v) => escape_into(v, &mut out),
                    None => out.extend_from_slice(format!("{{{name}}}").as_bytes()),
                },
                Segment::Capture(name) => match bindings.capture(name) {
                    Some(v) => escape_into(v, &mut out),
                    None => out.extend_from_slice(format!("{{${name}}}").as_bytes()),
                },
                other => out.extend_from_slice(
                    Template {
                        segments: vec![other.clone()],
                    }
                    .to_string()
                    .as_bytes(),
                ),
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Whether sending this line with `bindings` reveals a secret, so that
    /// the bytes on the wire must not be recorded as they are.
    pub fn has_secret(&self, bindings: &Bindings) -> bool {
        self.segments.iter().any(|s| match s {
            Segment::Var(name) => bindings.is_secret(name),
            Segment::Call(call) => call.is_secret(bindings),
            _ => false,
        })
    }

    /// `true` when the template has no placeholder at all.
    pub fn is_literal(&self) -> bool {
        self.segments
            .iter()
            .all(|s| matches!(s, Segment::Literal(_)))
    }
}

impl fmt::Display for Template {
    /// The template as it would be written in a scenario file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => {
                    f.write_str(&text.replace('{', "{{").replace('}', "}}"))?
                }
                Segment::Var(name) => write!(f, "{{{name}}}")?,
                Segment::Capture(name) => write!(f, "{{${name}}}")?,
                Segment::Any => f.write_str("{*}")?,
                Segment::Absent => f.write_str("{absent}")?,
                Segment::Call(call) => write!(f, "{{{call}}}")?,
                Segment::Bytes(bytes) => {
                    f.write_str("{hex:")?;
                    for (i, b) in bytes.iter().enumerate() {
                        if i > 0 {
                            f.write_str(" ")?;
                        }
                        write!(f, "{b:02X}")?;
                    }
                    f.write_str("}")?;
                }
            }
        }
        Ok(())
    }
}

fn escape_into(value: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(crate::xml::writer::escape_value(value).as_bytes());
}

/// Parse `text`, keeping where each segment was written.
pub(crate) fn parse_spanned(text: &str) -> Result<Vec<SpannedSegment>, TemplateError> {
    let mut out: Vec<SpannedSegment> = Vec::new();
    let bytes = text.as_bytes();
    let mut literal = String::new();
    let mut literal_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                literal.push('{');
                i += 2;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                literal.push('}');
                i += 2;
            }
            b'}' => {
                return Err(TemplateError {
                    offset: i,
                    len: 1,
                    message: "unmatched `}`".to_owned(),
                    help: Some("write `}}` for a literal `}`".to_owned()),
                });
            }
            b'{' => {
                let Some(close) = text[i + 1..].find('}').map(|p| i + 1 + p) else {
                    return Err(TemplateError {
                        offset: i,
                        len: 1,
                        message: "unclosed `{`".to_owned(),
                        help: Some("write `{{` for a literal `{`".to_owned()),
                    });
                };
                // A `{` before the `}` means the first one was never closed.
                if text[i + 1..close].contains('{') {
                    return Err(TemplateError {
                        offset: i,
                        len: 1,
                        message: "unclosed `{`".to_owned(),
                        help: Some("write `{{` for a literal `{`".to_owned()),
                    });
                }
                if !literal.is_empty() {
                    out.push(SpannedSegment {
                        segment: Segment::Literal(std::mem::take(&mut literal)),
                        span: literal_start..i,
                    });
                }
                let span = i..close + 1;
                let segment = placeholder(&text[i + 1..close], span.clone())?;
                out.push(SpannedSegment { segment, span });
                i = close + 1;
                literal_start = i;
            }
            _ => {
                // Copy the whole UTF-8 sequence starting here.
                let ch_len = utf8_len(bytes[i]);
                literal.push_str(&text[i..i + ch_len]);
                i += ch_len;
            }
        }
    }
    if !literal.is_empty() {
        out.push(SpannedSegment {
            segment: Segment::Literal(literal),
            span: literal_start..text.len(),
        });
    }
    Ok(out)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// The segment for the text between `{` and `}`.
fn placeholder(inner: &str, span: Range<usize>) -> Result<Segment, TemplateError> {
    let error = |message: String, help: Option<String>| TemplateError {
        offset: span.start,
        len: span.len(),
        message,
        help,
    };
    if inner == "*" {
        return Ok(Segment::Any);
    }
    if inner == "absent" {
        return Ok(Segment::Absent);
    }
    if let Some(name) = inner.strip_prefix('$') {
        if is_capture_name(name) {
            return Ok(Segment::Capture(name.to_owned()));
        }
        return Err(error(
            format!("invalid capture name `{{{inner}}}`"),
            Some(
                "a capture name starts with a letter or `_`, then letters, digits, `_` or `-`"
                    .to_owned(),
            ),
        ));
    }
    if let Some(hex) = inner.strip_prefix("hex:") {
        return parse_hex(hex)
            .map(Segment::Bytes)
            .map_err(|m| error(m, Some("write byte pairs such as `{hex:EB 80}`".to_owned())));
    }
    if is_variable_name(inner) {
        return Ok(Segment::Var(inner.to_owned()));
    }
    match Call::parse(inner) {
        Ok(Some(call)) => return Ok(Segment::Call(call)),
        Ok(None) => {}
        Err(message) => {
            let name = inner.split('(').next().unwrap_or_default().trim();
            let known: Vec<&str> = functions::names().collect();
            let help = if known.contains(&name) {
                None
            } else {
                did_you_mean(name, &known).map(|s| format!("did you mean `{s}(…)`?"))
            };
            let help = help.or_else(|| {
                Some(format!(
                    "functions: {}",
                    known
                        .iter()
                        .map(|n| format!("`{n}(…)`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            });
            return Err(error(message, help));
        }
    }
    let mut candidates: Vec<&str> = KNOWN_VARIABLES.to_vec();
    candidates.extend_from_slice(PLACEHOLDER_WORDS);
    let help = match did_you_mean(inner.trim(), &candidates) {
        Some(s) if s.ends_with(':') => Some(format!("did you mean `{{{s}…}}`?")),
        Some(s) => Some(format!("did you mean `{{{s}}}`?")),
        None => Some(format!(
            "known variables: {}; captures are written `{{$name}}`",
            KNOWN_VARIABLES
                .iter()
                .map(|v| format!("`{{{v}}}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    };
    Err(error(format!("unknown variable `{{{inner}}}`"), help))
}

fn parse_hex(hex: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<char> = hex.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() {
        return Err("`{hex:…}` needs at least one byte".to_owned());
    }
    if !digits.len().is_multiple_of(2) {
        return Err(format!("`{{hex:{hex}}}` has an odd number of hex digits"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s: String = pair.iter().collect();
            u8::from_str_radix(&s, 16).map_err(|_| format!("`{s}` is not a hex byte"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(text: &str) -> Vec<Segment> {
        match Template::parse(text) {
            Ok(t) => t.segments,
            Err(e) => panic!("{text:?}: {e}"),
        }
    }

    fn err(text: &str) -> TemplateError {
        match Template::parse(text) {
            Ok(t) => panic!("{text:?} parsed as {t:?}"),
            Err(e) => e,
        }
    }

    fn lit(s: &str) -> Segment {
        Segment::Literal(s.to_owned())
    }

    #[test]
    fn plain_text_is_one_literal() {
        assert_eq!(segs("<presence/>"), vec![lit("<presence/>")]);
        assert_eq!(segs(""), vec![]);
        assert_eq!(segs("héllo…"), vec![lit("héllo…")]);
    }

    #[test]
    fn each_placeholder_kind() {
        assert_eq!(
            segs("to='{domain}'"),
            vec![lit("to='"), Segment::Var("domain".into()), lit("'")]
        );
        for v in KNOWN_VARIABLES {
            assert_eq!(segs(&format!("{{{v}}}")), vec![Segment::Var((*v).into())]);
        }
        assert_eq!(
            segs("{$stream_id}"),
            vec![Segment::Capture("stream_id".into())]
        );
        assert_eq!(segs("{$a-1}"), vec![Segment::Capture("a-1".into())]);
        assert_eq!(segs("{*}"), vec![Segment::Any]);
        assert_eq!(segs("{absent}"), vec![Segment::Absent]);
        assert_eq!(segs("{hex:EB 80}"), vec![Segment::Bytes(vec![0xEB, 0x80])]);
        assert_eq!(segs("{hex:00ff}"), vec![Segment::Bytes(vec![0, 0xFF])]);
    }

    #[test]
    fn mixed_segments() {
        assert_eq!(
            segs("{$user}@{domain}/{*}"),
            vec![
                Segment::Capture("user".into()),
                lit("@"),
                Segment::Var("domain".into()),
                lit("/"),
                Segment::Any
            ]
        );
    }

    #[test]
    fn doubled_braces_are_literal_and_merge() {
        assert_eq!(segs("a{{b}}c"), vec![lit("a{b}c")]);
        assert_eq!(
            segs("{{{domain}}}"),
            vec![lit("{"), Segment::Var("domain".into()), lit("}")]
        );
    }

    #[test]
    fn unknown_variable_suggests() {
        let e = err("to='{domian}'");
        assert_eq!(e.offset, 4);
        assert_eq!(e.len, 8);
        assert_eq!(e.message, "unknown variable `{domian}`");
        assert_eq!(e.help.as_deref(), Some("did you mean `{domain}`?"));
        assert_eq!(
            err("{Password}").help.as_deref(),
            Some("did you mean `{password}`?")
        );
        assert_eq!(
            err("{abset}").help.as_deref(),
            Some("did you mean `{absent}`?")
        );
        let far = err("{zzzzzzzz}");
        assert!(
            far.help
                .as_deref()
                .is_some_and(|h| h.contains("`{domain}`"))
        );
    }

    #[test]
    fn unclosed_and_unmatched_braces() {
        let e = err("abc{domain");
        assert_eq!((e.offset, e.message.as_str()), (3, "unclosed `{`"));
        let e = err("a{b{domain}");
        assert_eq!((e.offset, e.message.as_str()), (1, "unclosed `{`"));
        let e = err("a}b");
        assert_eq!((e.offset, e.message.as_str()), (1, "unmatched `}`"));
    }

    #[test]
    fn bad_captures_and_hex() {
        assert_eq!(err("x{$1a}").offset, 1);
        assert!(err("{$}").message.contains("invalid capture name"));
        assert!(err("{hex:ABC}").message.contains("odd number"));
        assert!(err("{hex:ZZ}").message.contains("`ZZ` is not a hex byte"));
        assert!(err("{hex:}").message.contains("at least one byte"));
    }

    #[test]
    fn offsets_are_bytes_after_multibyte_text() {
        let e = err("é{nope}");
        assert_eq!(e.offset, 2);
    }

    #[test]
    fn render_substitutes_and_escapes() {
        let mut b = Bindings::new();
        b.set_var("domain", "example.org");
        b.set_capture("id", "a&b'c");
        let t = Template::parse("<x to='{domain}' id='{$id}'>{hex:EB}</x>").unwrap_or_default();
        let mut expected = b"<x to='example.org' id='a&amp;b&apos;c'>".to_vec();
        expected.push(0xEB);
        expected.extend_from_slice(b"</x>");
        assert_eq!(t.render(&b), Ok(expected));
    }

    #[test]
    fn secret_values_are_shown_redacted() {
        let mut b = Bindings::new();
        b.set_var("user", "romeo");
        b.set_var("password", crate::sasl::Secret::new("s3cret"));
        let t = Template::parse("<a u='{user}' p='{password}'>{base64(user, password)}</a>")
            .unwrap_or_default();
        assert!(t.has_secret(&b));
        let shown = t.shown(&b);
        assert_eq!(shown, "<a u='romeo' p='[redacted]'>[redacted]</a>");
        let plain = Template::parse("<a u='{user}'>{base64(user)}</a>").unwrap_or_default();
        assert!(!plain.has_secret(&b));
        // The same name with a plain value is shown: secrecy is the value's.
        b.set_var("password", "public");
        assert!(!t.has_secret(&b));
        assert_eq!(
            t.shown(&b),
            "<a u='romeo' p='public'>{base64(user, password)}</a>"
        );
    }

    #[test]
    fn render_reports_unbound() {
        let b = Bindings::new();
        let t = Template::parse("{user}").unwrap_or_default();
        let e = t.render(&b).err();
        assert_eq!(e, Some(Unbound("user".into())));
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("`{user}` has no value here")
        );
        let t = Template::parse("{$sid}").unwrap_or_default();
        assert_eq!(t.render(&b), Err(Unbound("$sid".into())));
        let t = Template::parse("{*}").unwrap_or_default();
        assert_eq!(t.render(&b), Err(Unbound("*".into())));
    }

    #[test]
    fn display_round_trips() {
        for text in ["a{{b}}", "{$x}@{domain}/{*}", "{hex:EB 80}", "{absent}", ""] {
            let t = Template::parse(text).unwrap_or_default();
            assert_eq!(Template::parse(&t.to_string()), Ok(t.clone()), "{text}");
        }
        assert_eq!(
            Template::parse("{hex:eb80}")
                .unwrap_or_default()
                .to_string(),
            "{hex:EB 80}"
        );
    }

    #[test]
    fn spans_point_at_placeholders() {
        let spans = parse_spanned("ab{*}c{$x}").unwrap_or_default();
        let ranges: Vec<_> = spans.iter().map(|s| s.span.clone()).collect();
        assert_eq!(ranges, vec![0..2, 2..5, 5..6, 6..10]);
    }
}
