//! Throughput of the stream parser against a bare quick-xml event loop.
//!
//! A deterministic ~50 MB stream of realistic stanzas (chat messages with
//! threads, presences with caps and status, disco#info and roster results,
//! escaping, multi-byte UTF-8, whitespace keepalives) is parsed:
//!
//! - by `StreamParser` fed 4 KiB chunks (what a socket read gives);
//! - by `StreamParser` fed one byte per call (worst-case chunking, on a
//!   5 MB prefix);
//! - by quick-xml's `Reader::read_event_into` over the same bytes, without
//!   building anything: the reference the parser is measured against.
//!
//! Run with `cargo bench --bench parser`.
//!
//! It runs with mimalloc as the global allocator, as the `xmpp-conform`
//! binary does (src/main.rs); set it aside to measure the parser under the
//! system allocator.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::hint::black_box;
use std::time::Duration;
use xmpp_conform::xml::{ParserConfig, StreamEvent, StreamParser};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const HEADER: &str = "<?xml version='1.0'?><stream:stream from='im.example.com' id='++TR84Sm6A3hnt3Q065SnAbbk3Y=' \
                      to='juliet@im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' \
                      xmlns:stream='http://etherx.jabber.org/streams'>";

/// A small deterministic generator (64-bit LCG), so every run parses the
/// same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

const WORDS: &[&str] = &[
    "wherefore",
    "art",
    "thou",
    "Romeo",
    "deny",
    "thy",
    "father",
    "and",
    "refuse",
    "name",
    "café",
    "naïve",
    "日本語",
    "😀",
    "&amp;",
    "&lt;3",
    "&quot;quoted&quot;",
    "it's",
    "rose",
    "by",
    "any",
    "other",
    "would",
    "smell",
    "as",
    "sweet",
    "—",
    "Привет",
    "ok",
];
const JIDS: &[&str] = &[
    "juliet@capulet.lit/balcony",
    "romeo@montague.lit/orchard",
    "nurse@capulet.lit/chamber",
    "benvolio@montague.lit/street",
    "mercutio@verona.lit/pda",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let n = 3 + (rng.next() as usize) % words;
    (0..n)
        .map(|_| rng.pick(WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

fn stanza(rng: &mut Rng, n: u64, out: &mut String) {
    match rng.next() % 8 {
        0..=3 => {
            let body = sentence(rng, 30);
            out.push_str(&format!(
                "<message from='{}' to='{}' type='chat' id='msg{n}' xml:lang='en'><body>{body}</body>\
                 <thread parent='7edac73ab41e45c4aafa7b2d7b749080'>e0ffe42b28561960c6b12b944a092794b9683a38</thread>\
                 <active xmlns='http://jabber.org/protocol/chatstates'/></message>",
                rng.pick(JIDS),
                rng.pick(JIDS)
            ));
        }
        4 | 5 => {
            let status = sentence(rng, 8);
            out.push_str(&format!(
                "<presence from='{}'><show>{}</show><status>{status}</status><priority>{}</priority>\
                 <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://psi-im.org' \
                 ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/><x xmlns='vcard-temp:x:update'><photo>\
                 01b87fcd030b72895ff8e88db57ec525450f000d</photo></x></presence>",
                rng.pick(JIDS),
                rng.pick(&["away", "chat", "dnd", "xa"]),
                rng.next() % 128
            ));
        }
        6 => {
            out.push_str(&format!(
                "<iq type='result' id='disco{n}' from='{}' to='{}'><query \
                 xmlns='http://jabber.org/protocol/disco#info' node='http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w='>\
                 <identity category='client' type='pc' name='Psi 0.11'/>",
                rng.pick(JIDS),
                rng.pick(JIDS)
            ));
            for var in [
                "http://jabber.org/protocol/caps",
                "http://jabber.org/protocol/disco#info",
                "http://jabber.org/protocol/disco#items",
                "http://jabber.org/protocol/muc",
                "urn:xmpp:ping",
                "urn:xmpp:receipts",
                "jabber:iq:version",
            ] {
                out.push_str(&format!("<feature var='{var}'/>"));
            }
            out.push_str("</query></iq>");
        }
        _ => {
            out.push_str(&format!(
                "<iq type='result' id='roster{n}'><query xmlns='jabber:iq:roster' ver='ver{n}'>"
            ));
            for _ in 0..(2 + rng.next() % 10) {
                let jid = rng.pick(JIDS);
                let jid = jid.split('/').next().unwrap_or(jid);
                out.push_str(&format!(
                    "<item jid='{jid}' name=\"{}\" subscription='both'><group>{}</group></item>",
                    rng.pick(WORDS),
                    rng.pick(&["Friends", "Family", "Ça va", "Co-workers &amp; co"])
                ));
            }
            out.push_str("</query></iq>");
        }
    }
}

/// About `size` bytes: the header, then stanzas with the occasional
/// whitespace keepalive between them.
fn corpus(size: usize) -> Vec<u8> {
    let mut rng = Rng(0x5EED);
    let mut s = String::with_capacity(size + 4096);
    s.push_str(HEADER);
    let mut n = 0;
    while s.len() < size {
        if rng.next().is_multiple_of(16) {
            s.push(' ');
        }
        stanza(&mut rng, n, &mut s);
        n += 1;
    }
    s.into_bytes()
}

/// Feed `data` in `chunk`-byte pieces; returns the number of elements.
fn parse(data: &[u8], chunk: usize) -> usize {
    let mut parser = StreamParser::new(ParserConfig::default());
    let mut out = Vec::new();
    let mut elements = 0;
    for piece in data.chunks(chunk) {
        parser.feed(piece, &mut out);
        for event in out.drain(..) {
            match event {
                StreamEvent::Element(e) => {
                    black_box(&e);
                    elements += 1;
                }
                StreamEvent::Error(e) => panic!("the corpus must parse: {e}"),
                _ => {}
            }
        }
    }
    elements
}

/// quick-xml alone: every event read, nothing kept.
fn bare_quick_xml(data: &[u8]) -> usize {
    let mut reader = Reader::from_reader(data);
    let mut buf = Vec::new();
    let mut events = 0;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(e) => {
                black_box(&e);
                events += 1;
            }
            Err(e) => panic!("quick-xml failed on the corpus: {e}"),
        }
        buf.clear();
    }
    events
}

fn benches(c: &mut Criterion) {
    let big = corpus(50 * 1024 * 1024);
    let small = &big[..big.len().min(5 * 1024 * 1024)];
    assert!(parse(&big[..1 << 20], 4096) > 0);

    let mut group = c.benchmark_group("parser");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));

    group.throughput(Throughput::Bytes(big.len() as u64));
    group.bench_function("stream_parser_4k_chunks", |b| {
        b.iter(|| parse(black_box(&big), 4096))
    });
    group.bench_function("bare_quick_xml_read_event_into", |b| {
        b.iter(|| bare_quick_xml(black_box(&big)))
    });

    group.throughput(Throughput::Bytes(small.len() as u64));
    group.bench_function("stream_parser_1_byte_chunks", |b| {
        b.iter(|| parse(black_box(small), 1))
    });
    group.finish();
}

criterion_group!(parser, benches);
criterion_main!(parser);
