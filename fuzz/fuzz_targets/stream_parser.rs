//! Raw bytes after a valid stream header, to a parser with a small stanza
//! limit (1 KiB, so that libFuzzer's inputs of up to 4 KiB reach it; depth
//! and attribute limits as by default), fed 256 bytes at a time: never a
//! panic; one `Open` and nothing after `Close` or `Error`; every error a
//! condition the parser defines, inside the input; at most the stanza
//! limit (plus a cut character) held back between feeds.
//!
//! Kept lean for speed: that the elements it yields survive the writer is
//! checked by `stream_chunking`, which has them at hand anyway.

#![no_main]

use libfuzzer_sys::fuzz_target;
use xmpp_conform::xml::{ParserConfig, StreamEvent};
use xmpp_conform_fuzz::{STREAM_HEADER, check_sequence, feed};

fuzz_target!(|data: &[u8]| {
    let input = [STREAM_HEADER.as_bytes(), data].concat();
    let config = ParserConfig {
        max_stanza_bytes: 1024,
        ..ParserConfig::default()
    };
    let events = feed(&config, &input, &[256]);
    assert!(
        matches!(events.first(), Some(StreamEvent::Open(_))),
        "the header was not accepted: {events:?}"
    );
    check_sequence(&events, input.len());
});
