//! Structural mutations of stanzas, driven by a seeded generator so a run
//! can be repeated exactly (`--seed`).

use crate::xml::{Attribute, Element, Node, writer};

/// A small, fast, seedable generator (SplitMix64): reproducibility is what
/// matters here, not statistical quality.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The case a seed stands for: which of `stanzas` seeds to mutate, and
/// how. A case depends on its seed alone (its own generator), so the same
/// seed gives the same case whatever ran before it, on whichever worker or
/// machine: that is what lets `--jobs` and `--seed-range` split a run.
pub fn case(seed: u64, stanzas: usize) -> (usize, Mutation) {
    let mut rng = Rng::new(seed);
    let stanza = rng.below(stanzas);
    (stanza, Mutation::random(&mut rng))
}

/// One way of breaking a stanza. Each keeps its size parameter, so a
/// finding can be shrunk by trying smaller values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    DropAttribute,
    DuplicateAttribute,
    /// An attribute value this many bytes long.
    OversizeAttribute(usize),
    /// The stanza wrapped in this many nested elements.
    NestDeep(usize),
    /// The first child repeated this many times.
    RepeatChild(usize),
    /// The stanza's namespace replaced by another one.
    ConfuseNamespace,
    /// An element with a prefix no declaration binds.
    UndeclaredPrefix,
    /// A comment, processing instruction, DTD or entity reference inside.
    RestrictedXml(u8),
    /// Bytes that are not UTF-8 in the text.
    InvalidUtf8,
    /// A character reference to a character XML forbids.
    BadCharacterReference,
    /// The serialized stanza, cut in two writes at this byte.
    SplitWrite(usize),
}

impl Mutation {
    /// Pick one at random.
    pub fn random(rng: &mut Rng) -> Mutation {
        match rng.below(11) {
            0 => Mutation::DropAttribute,
            1 => Mutation::DuplicateAttribute,
            2 => Mutation::OversizeAttribute(1 << (8 + rng.below(9))),
            3 => Mutation::NestDeep(4 << rng.below(6)),
            4 => Mutation::RepeatChild(2 << rng.below(8)),
            5 => Mutation::ConfuseNamespace,
            6 => Mutation::UndeclaredPrefix,
            7 => Mutation::RestrictedXml(rng.below(4) as u8),
            8 => Mutation::InvalidUtf8,
            9 => Mutation::BadCharacterReference,
            _ => Mutation::SplitWrite(rng.below(64)),
        }
    }

    /// Smaller versions of this mutation, largest first, for shrinking a
    /// finding.
    pub fn smaller(&self) -> Vec<Mutation> {
        let halves = |n: usize| -> Vec<usize> {
            let mut out = Vec::new();
            let mut k = n / 2;
            while k >= 1 {
                out.push(k);
                k /= 2;
            }
            out
        };
        match self {
            Mutation::OversizeAttribute(n) => halves(*n)
                .into_iter()
                .map(Mutation::OversizeAttribute)
                .collect(),
            Mutation::NestDeep(n) => halves(*n).into_iter().map(Mutation::NestDeep).collect(),
            Mutation::RepeatChild(n) => halves(*n).into_iter().map(Mutation::RepeatChild).collect(),
            _ => Vec::new(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Mutation::DropAttribute => "an attribute dropped".into(),
            Mutation::DuplicateAttribute => "an attribute duplicated".into(),
            Mutation::OversizeAttribute(n) => format!("an attribute value of {n} bytes"),
            Mutation::NestDeep(n) => format!("nested {n} elements deep"),
            Mutation::RepeatChild(n) => format!("a child repeated {n} times"),
            Mutation::ConfuseNamespace => "its namespace confused".into(),
            Mutation::UndeclaredPrefix => "an undeclared prefix".into(),
            Mutation::RestrictedXml(k) => {
                format!(
                    "restricted XML inserted ({})",
                    RESTRICTED[*k as usize % RESTRICTED.len()].0
                )
            }
            Mutation::InvalidUtf8 => "invalid UTF-8 in its text".into(),
            Mutation::BadCharacterReference => "a forbidden character reference".into(),
            Mutation::SplitWrite(at) => format!("split across two writes at byte {at}"),
        }
    }
}

const RESTRICTED: &[(&str, &str)] = &[
    ("a comment", "<!-- fuzz -->"),
    ("a processing instruction", "<?fuzz data?>"),
    ("a DTD", "<!DOCTYPE x>"),
    ("an entity reference", "&fuzz;"),
];

/// The bytes to send for `stanza` with `mutation`, as one or two writes.
pub fn apply(stanza: &Element, mutation: &Mutation) -> Vec<Vec<u8>> {
    let mut e = stanza.clone();
    let text = match mutation {
        Mutation::DropAttribute => {
            if !e.attrs.is_empty() {
                e.attrs.remove(0);
            }
            writer::to_xml(&e)
        }
        Mutation::DuplicateAttribute => {
            // A parsed tree cannot hold the duplicate; write it into the tag.
            let xml = writer::to_xml(&e);
            match (e.attrs.first(), xml.find([' ', '>', '/'])) {
                (Some(a), Some(at)) if a.ns.is_none() => {
                    format!("{} {}='{}'{}", &xml[..at], a.name, a.value, &xml[at..])
                }
                _ => xml,
            }
        }
        Mutation::OversizeAttribute(n) => {
            e.attrs.push(Attribute {
                ns: None,
                name: "xc-fuzz".into(),
                value: "x".repeat(*n).into(),
            });
            writer::to_xml(&e)
        }
        Mutation::NestDeep(n) => {
            let mut inner = Element::new(e.ns.clone(), "x");
            for _ in 1..*n {
                let mut outer = Element::new(e.ns.clone(), "x");
                outer.children.push(Node::Element(inner));
                inner = outer;
            }
            e.children.push(Node::Element(inner));
            writer::to_xml(&e)
        }
        Mutation::RepeatChild(n) => {
            let child = e
                .children
                .iter()
                .find(|c| matches!(c, Node::Element(_)))
                .cloned()
                .unwrap_or_else(|| Node::Element(Element::new(e.ns.clone(), "x")));
            for _ in 0..*n {
                e.children.push(child.clone());
            }
            writer::to_xml(&e)
        }
        Mutation::ConfuseNamespace => {
            e.ns = "urn:xmpp-conform:fuzz:confused".into();
            writer::to_xml(&e)
        }
        Mutation::UndeclaredPrefix => insert_inside(&writer::to_xml(&e), "<nope:x/>"),
        Mutation::RestrictedXml(k) => {
            let (_, text) = RESTRICTED[*k as usize % RESTRICTED.len()];
            insert_inside(&writer::to_xml(&e), text)
        }
        Mutation::InvalidUtf8 => {
            let xml = writer::to_xml(&e);
            return vec![insert_bytes(&xml, &[0xC3, 0x28, 0xFF])];
        }
        Mutation::BadCharacterReference => insert_inside(&writer::to_xml(&e), "&#0;&#xD800;"),
        Mutation::SplitWrite(at) => {
            let xml = writer::to_xml(&e).into_bytes();
            let cut = (*at).min(xml.len().saturating_sub(1)).max(1).min(xml.len());
            return vec![xml[..cut].to_vec(), xml[cut..].to_vec()];
        }
    };
    vec![text.into_bytes()]
}

/// `text` inserted right after the stanza's start tag (or before `/>`).
fn insert_inside(xml: &str, text: &str) -> String {
    match xml.find('>') {
        Some(at) if xml[..at].ends_with('/') => {
            // `<x …/>` → `<x …>text</x>`
            let name_end = xml[1..].find([' ', '/', '>']).map_or(xml.len(), |i| i + 1);
            format!("{}>{}</{}>", &xml[..at - 1], text, &xml[1..name_end])
        }
        Some(at) => format!("{}{}{}", &xml[..=at], text, &xml[at + 1..]),
        None => format!("{xml}{text}"),
    }
}

fn insert_bytes(xml: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = insert_inside(xml, "\u{1}").into_bytes();
    if let Some(at) = out.iter().position(|b| *b == 1) {
        out.splice(at..=at, bytes.iter().copied());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{NS_CLIENT, NamespaceScope, parse_element};

    fn message() -> Element {
        let scope: NamespaceScope = vec![(None, NS_CLIENT.into())];
        parse_element(
            b"<message to='a@b' type='chat'><body>hi</body></message>",
            &scope,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn one(m: Mutation) -> String {
        String::from_utf8_lossy(&apply(&message(), &m).concat()).into_owned()
    }

    #[test]
    fn the_generator_repeats_with_its_seed() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        let xs: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(8).next(), xs[0]);
    }

    #[test]
    fn a_case_depends_on_its_seed_alone() {
        assert_eq!(case(42, 30), case(42, 30));
        let distinct: std::collections::HashSet<String> =
            (0..64).map(|s| format!("{:?}", case(s, 30))).collect();
        assert!(distinct.len() > 32, "{distinct:?}");
    }

    #[test]
    fn each_mutation_does_what_it_says() {
        assert!(!one(Mutation::DropAttribute).contains("to='a@b'"));
        assert_eq!(
            one(Mutation::DuplicateAttribute)
                .matches("to='a@b'")
                .count(),
            2
        );
        assert!(one(Mutation::OversizeAttribute(5000)).len() > 5000);
        assert_eq!(one(Mutation::NestDeep(60)).matches("<x").count(), 60);
        assert_eq!(one(Mutation::RepeatChild(3)).matches("<body>").count(), 4);
        assert!(one(Mutation::RestrictedXml(0)).contains("type='chat'><!-- fuzz -->"));
        assert!(one(Mutation::UndeclaredPrefix).contains("<nope:x/>"));
        assert!(one(Mutation::BadCharacterReference).contains("&#0;"));
        let bytes = apply(&message(), &Mutation::InvalidUtf8).concat();
        assert!(std::str::from_utf8(&bytes).is_err());
        let parts = apply(&message(), &Mutation::SplitWrite(10));
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].len(), 10);
    }

    #[test]
    fn inserting_into_an_empty_element_opens_it() {
        assert_eq!(
            insert_inside("<ping xmlns='urn:xmpp:ping'/>", "T"),
            "<ping xmlns='urn:xmpp:ping'>T</ping>"
        );
    }

    #[test]
    fn sizes_shrink_by_halves() {
        assert_eq!(
            Mutation::NestDeep(8).smaller(),
            vec![
                Mutation::NestDeep(4),
                Mutation::NestDeep(2),
                Mutation::NestDeep(1)
            ]
        );
        assert!(Mutation::DropAttribute.smaller().is_empty());
    }
}
