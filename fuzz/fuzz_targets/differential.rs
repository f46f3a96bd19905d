//! Our parser's verdict against rxml's (the restricted-XML parser of
//! xmpp-rs) on the same bytes: `STREAM_HEADER`, the input, and
//! `</stream:stream>`, given whole as a complete document. Both must accept
//! or both must reject. Ours accepts when it reaches the stream's close
//! without an error; rxml when its root element ends without an error
//! (bytes after that are not read by either). Input that leaves something
//! open is a rejection for both: rxml reports the end of the document,
//! ours holds the bytes back waiting for more.
//!
//! The classes of disagreement decided by a rule (fuzz/README.md lists them
//! with the rule) are skipped, so that the campaign looks for new ones.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use rxml::error::EndOrError;
use rxml::{Event, Options, Parse, Parser, WithOptions};
use xmpp_conform::xml::{Condition, ParserConfig, StreamEvent};
use xmpp_conform_fuzz::{STREAM_HEADER, feed};

#[derive(Debug)]
enum Ours {
    Accept,
    Reject(Condition, String),
    Incomplete,
}

#[derive(Debug)]
enum Theirs {
    Accept,
    Reject(rxml::Error),
}

fn ours(doc: &[u8]) -> Ours {
    // Limits out of the way: they are XMPP policy, which XML does not have.
    let config = ParserConfig {
        max_stanza_bytes: 1 << 24,
        max_depth: 1 << 16,
        max_attributes: 1 << 16,
        ..ParserConfig::default()
    };
    let events = feed(&config, doc, &[doc.len()]);
    match events.last() {
        Some(StreamEvent::Error(e)) => Ours::Reject(e.condition, e.detail.clone()),
        Some(StreamEvent::Close) => Ours::Accept,
        _ => Ours::Incomplete,
    }
}

/// XML 1.0 §2.11: before parsing, `\r\n` and a lone `\r` become `\n`.
/// Done here for rxml, which rejects a lone CR followed by an ordinary
/// character in an attribute value (README: "rxml and a lone CR").
fn normalize_line_ends(doc: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(doc.len());
    let mut bytes = doc.iter().peekable();
    while let Some(&b) = bytes.next() {
        if b == b'\r' {
            if bytes.peek() == Some(&&b'\n') {
                bytes.next();
            }
            out.push(b'\n');
        } else {
            out.push(b);
        }
    }
    out
}

fn theirs(doc: &[u8]) -> Theirs {
    let doc = normalize_line_ends(doc);
    let mut parser = Parser::with_options(Options {
        max_token_length: 1 << 24,
        ..Options::default()
    });
    let mut buf = &doc[..];
    let mut depth = 0usize;
    loop {
        match parser.parse(&mut buf, true) {
            Ok(Some(Event::StartElement(..))) => depth += 1,
            Ok(Some(Event::EndElement(..))) => {
                depth -= 1;
                if depth == 0 {
                    return Theirs::Accept;
                }
            }
            Ok(Some(_)) => {}
            // The end of the document before the root element ended.
            Ok(None) | Err(EndOrError::NeedMoreData) => {
                return Theirs::Reject(rxml::Error::InvalidEof(None));
            }
            Err(EndOrError::Error(e)) => return Theirs::Reject(e),
        }
    }
}

/// A disagreement whose rule is known (see fuzz/README.md), or `None`.
fn known(ours: &Ours, theirs: &Theirs) -> Option<&'static str> {
    match (ours, theirs) {
        // RFC 6120 §4.9.3.1, §11: text, CDATA and a nested stream header at
        // the stream's first level; XML allows them in an element.
        (Ours::Reject(Condition::BadFormat, _), Theirs::Accept) => Some("stream-level content"),
        // XML 1.0 §3.1, WFC Unique Att Spec: `xmlns` is an attribute and
        // may appear once; rxml lets a second default declaration win.
        (Ours::Reject(Condition::NotWellFormed, detail), Theirs::Accept)
            if detail == "duplicate attribute xmlns" =>
        {
            Some("rxml and a repeated xmlns")
        }
        // XML 1.0 (5th ed.) §2.3 [4], [4a]: NameStartChar includes
        // [#xFDF0-#xFFFD]; rxml's name ranges stop at U+FDCF.
        (Ours::Accept, Theirs::Reject(rxml::Error::UnexpectedChar(_, c, _)))
            if ('\u{FDF0}'..='\u{FFFD}').contains(c) =>
        {
            Some("rxml and names with U+FDF0-U+FFFD")
        }
        // XML 1.0 §4.1 [66]: `&#` [0-9]+ `;` and `&#x` [0-9a-fA-F]+ `;`,
        // any number of digits (`&#0000000065;` is `A`); rxml reads at most
        // 8 and calls a longer reference an undeclared entity.
        (Ours::Accept, Theirs::Reject(rxml::Error::UndeclaredEntity)) => {
            Some("rxml and character references of more than 8 digits")
        }
        _ => None,
    }
}

/// `DIFFERENTIAL_SHOW=1`: print both verdicts of every input (to look at
/// a few inputs by hand: `fuzz/target/…/differential FILE…`).
static SHOW: LazyLock<bool> = LazyLock::new(|| std::env::var_os("DIFFERENTIAL_SHOW").is_some());

fuzz_target!(|data: &[u8]| {
    let doc = [STREAM_HEADER.as_bytes(), data, b"</stream:stream>"].concat();
    let ours = ours(&doc);
    let theirs = theirs(&doc);
    if *SHOW {
        eprintln!(
            "{:?}\n  ours: {ours:?}\n  rxml: {theirs:?}",
            String::from_utf8_lossy(data)
        );
    }
    let agree = matches!(
        (&ours, &theirs),
        (Ours::Accept, Theirs::Accept) | (Ours::Reject(..) | Ours::Incomplete, Theirs::Reject(_))
    );
    if agree || known(&ours, &theirs).is_some() {
        return;
    }
    panic!(
        "verdicts differ\n  ours:  {ours:?}\n  rxml:  {theirs:?}\n  input: {:?}",
        String::from_utf8_lossy(data)
    );
});
