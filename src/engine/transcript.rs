//! What went over the wire during one scenario, with direction and time.

use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The harness sent this.
    Sent,
    /// The peer sent this.
    Received,
    /// The harness notes something that is not traffic (connect, skip, TLS).
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// Time since the scenario started.
    #[serde(serialize_with = "as_millis", deserialize_with = "from_millis")]
    pub at: Duration,
    /// The scenario's connection this happened on (`main` unless the
    /// scenario opens others with `connection NAME`).
    pub connection: Arc<str>,
    pub direction: Direction,
    pub text: String,
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// The other way, for reports read back (`xmpp-conform merge`); a negative
/// or absurd time reads as zero.
fn from_millis<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let ms: f64 = serde::Deserialize::deserialize(d)?;
    Ok(Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default())
}

/// Most text one transcript keeps. A peer flooding traffic the scenario
/// skips (presence, say) must not make the harness's memory grow without
/// bound while a step waits; what is past the cap is counted, not kept.
pub const MAX_TRANSCRIPT_BYTES: usize = 4 * 1024 * 1024;

/// The name of a scenario's first connection.
pub const MAIN_CONNECTION: &str = "main";

/// The transcript of one scenario run.
#[derive(Debug, Clone)]
pub struct Transcript {
    started: Instant,
    /// The connection entries are recorded for now.
    connection: Arc<str>,
    pub entries: Vec<Entry>,
    bytes: usize,
    /// Entries dropped because the cap was reached.
    pub dropped: usize,
}

impl Default for Transcript {
    fn default() -> Self {
        Transcript {
            started: Instant::now(),
            connection: Arc::from(MAIN_CONNECTION),
            entries: Vec::new(),
            bytes: 0,
            dropped: 0,
        }
    }
}

impl Transcript {
    /// A transcript read back from a report: its entries and how many
    /// were dropped.
    pub fn from_entries(entries: Vec<Entry>, dropped: usize) -> Transcript {
        let bytes = entries.iter().map(|e| e.text.len()).sum();
        Transcript {
            entries,
            bytes,
            dropped,
            ..Transcript::default()
        }
    }

    /// Entries from now on happened on connection `name`.
    pub fn on_connection(&mut self, name: &str) {
        if &*self.connection != name {
            self.connection = Arc::from(name);
        }
    }

    pub fn record(&mut self, direction: Direction, text: impl Into<String>) {
        let text = text.into();
        if self.bytes + text.len() > MAX_TRANSCRIPT_BYTES {
            self.dropped += 1;
            return;
        }
        self.bytes += text.len();
        self.entries.push(Entry {
            at: self.started.elapsed(),
            connection: Arc::clone(&self.connection),
            direction,
            text,
        });
    }

    /// RFC-style text: `C:`/`S:` by direction, from the harness's side of
    /// `peer_is_server`, with times in milliseconds. When the scenario used
    /// several connections, each line names its connection.
    pub fn render(&self, peer_is_server: bool) -> String {
        self.render_entries(&self.entries, peer_is_server)
    }

    /// The last `n` entries only, for failure details.
    pub fn render_tail(&self, n: usize, peer_is_server: bool) -> String {
        let start = self.entries.len().saturating_sub(n);
        self.render_entries(&self.entries[start..], peer_is_server)
    }

    fn render_entries(&self, entries: &[Entry], peer_is_server: bool) -> String {
        let (sent, received) = if peer_is_server {
            ("C:", "S:")
        } else {
            ("S:", "C:")
        };
        let label_width = self.label_width();
        let mut out = String::new();
        for e in entries {
            let tag = match e.direction {
                Direction::Sent => sent,
                Direction::Received => received,
                Direction::Note => "--",
            };
            let ms = e.at.as_secs_f64() * 1000.0;
            let label = match label_width {
                Some(width) => format!("{:width$} ", e.connection),
                None => String::new(),
            };
            let mut lines = e.text.lines();
            let first = lines.next().unwrap_or("");
            out.push_str(&format!("[{ms:8.1}ms] {label}{tag} {first}\n"));
            let indent = 14 + label.len();
            for line in lines {
                out.push_str(&format!("{:indent$}{line}\n", ""));
            }
        }
        if self.dropped > 0 {
            out.push_str(&format!(
                "({} more entries not kept: the transcript is capped at {} MiB)\n",
                self.dropped,
                MAX_TRANSCRIPT_BYTES / (1024 * 1024)
            ));
        }
        out
    }
}

impl Transcript {
    /// The width of the connection labels, when there is more than one
    /// connection to tell apart.
    fn label_width(&self) -> Option<usize> {
        let first = self.entries.first()?;
        self.entries
            .iter()
            .any(|e| e.connection != first.connection)
            .then(|| self.entries.iter().map(|e| e.connection.len()).max())
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_rfc_style_from_the_harness_side() {
        let mut t = Transcript::default();
        t.record(Direction::Sent, "<a/>");
        t.record(Direction::Received, "<b/>\n<c/>");
        t.record(Direction::Note, "closed");
        let text = t.render(true);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].ends_with("C: <a/>"), "{text}");
        assert!(lines[1].ends_with("S: <b/>"), "{text}");
        assert_eq!(lines[2].trim(), "<c/>");
        assert!(lines[3].ends_with("-- closed"), "{text}");
        assert!(
            t.render(false)
                .lines()
                .next()
                .is_some_and(|l| l.ends_with("S: <a/>"))
        );
    }

    #[test]
    fn lines_name_their_connection_when_there_are_several() {
        let mut t = Transcript::default();
        t.record(Direction::Sent, "<a/>");
        t.on_connection("juliet");
        t.record(Direction::Received, "<b/>\n<c/>");
        let text = t.render(true);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].ends_with("] main   C: <a/>"), "{text}");
        assert!(lines[1].ends_with("] juliet S: <b/>"), "{text}");
        assert_eq!(lines[2], format!("{:21}<c/>", ""), "{text}");
        assert_eq!(t.entries[1].connection.as_ref(), "juliet");
    }

    #[test]
    fn a_flood_is_counted_not_kept() {
        let mut t = Transcript::default();
        let stanza = "x".repeat(64 * 1024);
        for _ in 0..200 {
            t.record(Direction::Received, stanza.clone());
        }
        assert_eq!(t.entries.len(), MAX_TRANSCRIPT_BYTES / stanza.len());
        assert_eq!(t.dropped, 200 - t.entries.len());
        assert!(t.render(true).contains("more entries not kept"));
    }
}
