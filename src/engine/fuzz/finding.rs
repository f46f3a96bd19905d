//! A finding, written as a scenario file that reproduces it, so it can be
//! replayed with `--scenarios` and kept as a regression test.
//!
//! A finding is identified by what it sends, not by when it was found: the
//! file is named `<kind>-<hash>.xmpp`, the hash over its kind, phase and
//! bytes. The same finding from two workers or two machines (`--jobs`,
//! `--seed-range`) is the same file, so findings merge by copying folders
//! into one (`fuzz --merge`) without duplicates.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::xml::Element;

use super::Phase;
use super::case::{PROBE_ID, probe_stanza};
use super::mutate::Mutation;

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The server stopped answering on that connection.
    Hang,
    /// The server went away: refused connections, or a failed probe.
    Crash,
}

/// One finding of a fuzz run.
#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: Kind,
    /// The stanza that was mutated, as the scenarios send it.
    pub stanza: Element,
    /// The mutation, shrunk as far as it still reproduces.
    pub mutation: Mutation,
    /// The bytes sent, one entry per write.
    pub parts: Vec<Vec<u8>>,
    /// What the oracle saw.
    pub detail: String,
    /// The case's seed: `--seed-range S..S+1` runs this case alone.
    pub seed: u64,
    /// The reproducer scenario, once written.
    pub scenario: Option<PathBuf>,
}

impl Finding {
    pub fn summary(&self) -> String {
        format!(
            "{}: <{}> with {}: {}",
            match self.kind {
                Kind::Hang => "hang",
                Kind::Crash => "crash",
            },
            self.stanza.name,
            self.mutation.describe(),
            self.detail
        )
    }
}

/// The file name of `finding`: `hang-<16 hex>.xmpp` or `crash-….xmpp`.
pub fn file_name(finding: &Finding, phase: Phase) -> String {
    let kind = match finding.kind {
        Kind::Hang => "hang",
        Kind::Crash => "crash",
    };
    let mut hash = Fnv::default();
    hash.write(kind.as_bytes());
    hash.write(phase.name().as_bytes());
    for part in &finding.parts {
        // Length first, so that how the bytes were split counts.
        hash.write(&(part.len() as u64).to_le_bytes());
        hash.write(part);
    }
    format!("{kind}-{:016x}.xmpp", hash.0)
}

/// Whether `name` is one [`file_name`] could have given.
pub fn is_finding_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".xmpp") else {
        return false;
    };
    let hex = stem
        .strip_prefix("hang-")
        .or_else(|| stem.strip_prefix("crash-"));
    hex.is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// FNV-1a, 64 bits: written here because a finding's name must not change
/// between builds or Rust versions (std's hasher may), and it needs no key.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Write `finding` as `dir/`[`file_name`]; returns its path. A file of that
/// name is the same finding, found before: it is left as it is.
pub fn write_scenario(dir: &Path, finding: &Finding, phase: Phase) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(file_name(finding, phase));
    if !path.exists() {
        std::fs::write(&path, scenario_text(finding, phase))?;
    }
    Ok(path)
}

fn scenario_text(finding: &Finding, phase: Phase) -> String {
    let seed = finding.seed;
    let mut out = String::new();
    let what = match finding.kind {
        Kind::Hang => "stops answering",
        Kind::Crash => "goes down",
    };
    let _ = writeln!(out, "+++");
    let _ = writeln!(
        out,
        "title = \"Fuzz finding: the server {what} after <{}> with {}\"",
        finding.stanza.name,
        finding.mutation.describe().replace('"', "'")
    );
    let _ = writeln!(
        out,
        "spec = [\"RFC 6120 §4.9\", \"RFC 6120 §8.3\", \"RFC 6120 §11\"]"
    );
    let _ = writeln!(out, "level = \"MUST\"");
    let _ = writeln!(out, "tags = [\"fuzz\"]");
    if phase == Phase::PostAuth {
        let _ = writeln!(out, "needs = [\"credentials\"]");
    }
    let _ = writeln!(out, "+++");
    let _ = writeln!(
        out,
        "# Found by `xmpp-conform fuzz --seed-range {seed}..{} --phase {}`: {}.\n\
         # Whatever the stanza, the server must answer the ping that follows it\n\
         # (a result or an error) or close the stream (with a stream error,\n\
         # RFC 6120 §4.9), and keep serving other connections.",
        seed.wrapping_add(1),
        phase.name(),
        finding.detail
    );
    match phase {
        Phase::PreAuth => {
            out.push_str(
                "C: <?xml version='1.0'?><stream:stream to='{domain}' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\n\
                 S: <stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\n\
                 S: <stream:features>…</stream:features>\n",
            );
        }
        Phase::PostAuth => out.push_str("login\n"),
    }
    for part in &finding.parts {
        let _ = writeln!(out, "C: {}", sent_line(part));
    }
    let probe = String::from_utf8_lossy(&probe_stanza("{domain}")).into_owned();
    let _ = writeln!(out, "C: {probe}");
    let _ = writeln!(out, "S: <iq id='{PROBE_ID}'>…</iq>");
    let _ = writeln!(out, "or: <stream:error>…</stream:error>");
    let _ = writeln!(out, "or: </stream:stream>");
    out
}

/// The bytes as a sent line: literal when they are printable UTF-8 on one
/// line (braces doubled), else `{hex:…}` throughout.
fn sent_line(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.contains(['\n', '\r']) && !text.chars().any(char::is_control) => {
            text.replace('{', "{{").replace('}', "}}")
        }
        _ => {
            let mut hex = String::from("{hex:");
            for (i, b) in bytes.iter().enumerate() {
                if i > 0 {
                    hex.push(' ');
                }
                let _ = write!(hex, "{b:02X}");
            }
            hex.push('}');
            hex
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{NS_CLIENT, NamespaceScope, parse_element};

    #[test]
    fn the_reproducer_parses_as_a_scenario() {
        let scope: NamespaceScope = vec![(None, NS_CLIENT.into())];
        let stanza = parse_element(b"<message to='a@b'><body>{x}</body></message>", &scope)
            .unwrap_or_else(|e| panic!("{e}"));
        let finding = Finding {
            kind: Kind::Hang,
            stanza,
            mutation: Mutation::InvalidUtf8,
            parts: vec![
                b"<message to='a@b'><body>{x}\xFF</body>".to_vec(),
                b"</message>".to_vec(),
            ],
            detail: "no answer".into(),
            seed: 7,
            scenario: None,
        };
        for phase in [Phase::PreAuth, Phase::PostAuth] {
            let text = scenario_text(&finding, phase);
            let parsed =
                crate::scenario::parse_str(&text, Path::new("finding-1.xmpp"), "finding-1");
            assert!(
                parsed.is_ok(),
                "{text}\n{:?}",
                parsed.err().map(|e| e.to_string())
            );
        }
        assert!(scenario_text(&finding, Phase::PreAuth).contains("--seed-range 7..8"));
        // The name depends on the bytes and their split, not on the seed.
        let name = file_name(&finding, Phase::PreAuth);
        assert!(is_finding_name(&name), "{name}");
        let other_seed = Finding {
            seed: 99,
            ..finding.clone()
        };
        assert_eq!(file_name(&other_seed, Phase::PreAuth), name);
        let joined = Finding {
            parts: vec![finding.parts.concat()],
            ..finding.clone()
        };
        assert_ne!(file_name(&joined, Phase::PreAuth), name);
        assert_ne!(file_name(&finding, Phase::PostAuth), name);
        assert!(!is_finding_name("finding-1.xmpp"));
        assert_eq!(sent_line(b"<a>{b}</a>"), "<a>{{b}}</a>");
        assert_eq!(sent_line(b"<a>\xFF"), "{hex:3C 61 3E FF}");
    }
}
