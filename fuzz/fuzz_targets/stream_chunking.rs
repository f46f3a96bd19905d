//! Bytes and chunk boundaries (`xmpp_conform::corpus::Chunked`): feeding
//! in chunks gives exactly the events of feeding whole, errors (offset and
//! detail included) too. With and without the stream header in front, so
//! the prolog (declaration, header) is chunked as well. Every element the
//! parser yields must also survive writing and parsing again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use xmpp_conform::corpus::Chunked;
use xmpp_conform::xml::ParserConfig;
use xmpp_conform_fuzz::{STREAM_HEADER, check_round_trips, check_sequence, feed};

fuzz_target!(|data: &[u8]| {
    let chunked = Chunked::decode(data);
    let input = if chunked.with_header {
        [STREAM_HEADER.as_bytes(), chunked.body].concat()
    } else {
        chunked.body.to_vec()
    };
    // A small limit, so that policy-violation is decided across chunks too.
    let config = ParserConfig {
        max_stanza_bytes: 512,
        max_depth: 8,
        max_attributes: 8,
        ..ParserConfig::default()
    };
    let whole = feed(&config, &input, &[input.len()]);
    check_sequence(&whole, input.len());
    let pieces = feed(&config, &input, &chunked.sizes);
    assert_eq!(
        pieces, whole,
        "chunks {:?} change the events",
        chunked.sizes
    );
    check_round_trips(&whole);
});
