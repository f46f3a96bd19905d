//! A finding, written as a scenario file that reproduces it, so it can be
//! replayed with `--scenarios` and kept as a regression test.

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

/// Write `finding` as `dir/finding-<n>.xmpp`; returns its path.
pub fn write_scenario(
    dir: &Path,
    n: usize,
    finding: &Finding,
    phase: Phase,
    seed: u64,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("finding-{n}.xmpp"));
    std::fs::write(&path, scenario_text(finding, phase, seed))?;
    Ok(path)
}

fn scenario_text(finding: &Finding, phase: Phase, seed: u64) -> String {
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
        "# Found by `xmpp-conform fuzz --seed {seed} --phase {}`: {}.\n\
         # Whatever the stanza, the server must answer the ping that follows it\n\
         # (a result or an error) or close the stream (with a stream error,\n\
         # RFC 6120 §4.9), and keep serving other connections.",
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
            scenario: None,
        };
        for phase in [Phase::PreAuth, Phase::PostAuth] {
            let text = scenario_text(&finding, phase, 7);
            let parsed =
                crate::scenario::parse_str(&text, Path::new("finding-1.xmpp"), "finding-1");
            assert!(
                parsed.is_ok(),
                "{text}\n{:?}",
                parsed.err().map(|e| e.to_string())
            );
        }
        assert_eq!(sent_line(b"<a>{b}</a>"), "<a>{{b}}</a>");
        assert_eq!(sent_line(b"<a>\xFF"), "{hex:3C 61 3E FF}");
    }
}
