//! The rules on bytes the parser refuses: a real header and stanza, with
//! what §11 forbids put into them, fed to the real parser.

use crate::xml::StreamEvent;

use super::super::check_bytes;
use super::super::fixtures::*;
use super::events;

/// The rules broken by what the parser refused in `bytes`.
fn broken_bytes(bytes: impl AsRef<[u8]>) -> Vec<&'static str> {
    events(bytes)
        .iter()
        .filter_map(|e| match e {
            StreamEvent::Error(e) => Some(e),
            _ => None,
        })
        .flat_map(check_bytes)
        .map(|f| f.rule)
        .collect()
}

const NO_FINDING: &[&str] = &[];

#[test]
fn a_real_stream_breaks_no_byte_rule() {
    assert_eq!(
        broken_bytes(format!("{PROSODY_HEADER}{PROSODY_CHAT}{PROSODY_PRESENCE}")),
        NO_FINDING
    );
    assert_eq!(
        broken_bytes(format!("{EJABBERD_HEADER}{EJABBERD_CHAT}")),
        NO_FINDING
    );
}

#[test]
fn restricted_xml() {
    let comment = format!("{PROSODY_HEADER}<!-- hello -->{PROSODY_CHAT}");
    assert_eq!(broken_bytes(&comment), ["xml-restricted"]);
    let pi = format!("{PROSODY_HEADER}<?php echo 1; ?>{PROSODY_CHAT}");
    assert_eq!(broken_bytes(&pi), ["xml-restricted"]);
    let xml11 = PROSODY_HEADER.replace("version='1.0'?>", "version='1.1'?>");
    assert_eq!(broken_bytes(&xml11), ["xml-restricted"]);
}

#[test]
fn well_formed_xml() {
    let unclosed = format!(
        "{EJABBERD_HEADER}{}",
        EJABBERD_CHAT.replace("</body>", "</bod>")
    );
    assert_eq!(broken_bytes(&unclosed), ["xml-well-formed"]);
    let bom = format!("\u{FEFF}{PROSODY_HEADER}");
    assert_eq!(broken_bytes(&bom), ["xml-well-formed"]);
    let declaration = PROSODY_HEADER.replace("<?xml version='1.0'?>", "<?xml version=1.0?>");
    assert_eq!(broken_bytes(&declaration), ["xml-well-formed"]);
}

#[test]
fn namespace_well_formed_xml() {
    let unbound = format!(
        "{PROSODY_HEADER}{}",
        PROSODY_CHAT
            .replace("<body>", "<x:body>")
            .replace("</body>", "</x:body>")
    );
    assert_eq!(broken_bytes(&unbound), ["xml-namespace-well-formed"]);
    // Another prefix for the stream element is declared XML: the parser
    // refuses it (bad-namespace-prefix), the lint does not call it
    // ill-formed.
    let other_prefix = PROSODY_HEADER
        .replace("<stream:stream", "<s:stream")
        .replace("xmlns:stream=", "xmlns:s=");
    assert_eq!(broken_bytes(&other_prefix), NO_FINDING);
}

#[test]
fn utf8_only() {
    let latin1 = PROSODY_HEADER.replace(
        "<?xml version='1.0'?>",
        "<?xml version='1.0' encoding='ISO-8859-1'?>",
    );
    assert_eq!(broken_bytes(&latin1), ["xml-utf8"]);
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in PROSODY_HEADER.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(broken_bytes(&utf16), ["xml-utf8"]);
}
