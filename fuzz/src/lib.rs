//! What the fuzz targets share: feeding the stream parser and the checks
//! every sequence of events must pass. The input formats are in
//! `xmpp_conform::corpus`, beside the seed export that writes them.

use xmpp_conform::xml::{
    Condition, ParserConfig, StreamEvent, StreamParser, parse_element, writer,
};

pub use xmpp_conform::corpus::STREAM_HEADER;

/// The events of `input` fed to a parser with `config`, in chunks of the
/// given sizes (cycled; a size of 0 counts as 1). After every feed the
/// parser may hold back at most the stanza limit plus an incomplete
/// character (3 bytes): memory stays bounded whatever arrives.
pub fn feed(config: &ParserConfig, input: &[u8], sizes: &[usize]) -> Vec<StreamEvent> {
    let mut parser = StreamParser::new(config.clone());
    let mut out = Vec::new();
    let mut rest = input;
    let mut k = 0;
    while !rest.is_empty() {
        let n = sizes
            .get(k % sizes.len().max(1))
            .copied()
            .unwrap_or(rest.len())
            .clamp(1, rest.len());
        let (chunk, tail) = rest.split_at(n);
        parser.feed(chunk, &mut out);
        assert!(
            parser.buffered_len() <= config.max_stanza_bytes + 3,
            "{} bytes held back with a limit of {}",
            parser.buffered_len(),
            config.max_stanza_bytes
        );
        rest = tail;
        k += 1;
    }
    out
}

/// The conditions the stream parser reports on its own (docs/parser.md);
/// the others depend on the session's state and are the engine's.
pub fn is_parser_condition(c: Condition) -> bool {
    matches!(
        c,
        Condition::BadFormat
            | Condition::BadNamespacePrefix
            | Condition::InvalidNamespace
            | Condition::NotWellFormed
            | Condition::PolicyViolation
            | Condition::RestrictedXml
            | Condition::UnsupportedEncoding
    )
}

/// The rules of any event sequence from one stream of `len` bytes: at most
/// one `Open`, first; nothing after `Close` or `Error`; an error names a
/// parser condition, says what was wrong, and points inside the input.
pub fn check_sequence(events: &[StreamEvent], len: usize) {
    for (i, e) in events.iter().enumerate() {
        let last = i + 1 == events.len();
        match e {
            StreamEvent::Open(_) => assert_eq!(i, 0, "Open after other events: {events:?}"),
            StreamEvent::Element(_) => {}
            StreamEvent::Close => assert!(last, "events after Close: {events:?}"),
            StreamEvent::Error(err) => {
                assert!(last, "events after an Error: {events:?}");
                assert!(
                    is_parser_condition(err.condition),
                    "condition {} is not the parser's",
                    err.condition
                );
                assert!(!err.detail.is_empty(), "error without detail: {err:?}");
                assert!(
                    err.offset < len as u64,
                    "error at {} in {len} bytes: {err:?}",
                    err.offset
                );
            }
        }
    }
}

/// Every element among `events`, written with `writer::to_xml` and parsed
/// again, is the same tree, and is written the same way again.
pub fn check_round_trips(events: &[StreamEvent]) {
    for e in events {
        if let StreamEvent::Element(element) = e {
            let xml = writer::to_xml(element);
            let back = parse_element(xml.as_bytes(), &Vec::new())
                .unwrap_or_else(|err| panic!("{xml}: {err}"));
            assert_eq!(back.canonical(), element.canonical(), "{xml}");
            assert_eq!(writer::to_xml(&back), xml, "written again differently");
        }
    }
}
