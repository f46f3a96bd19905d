//! What went over the wire during one scenario, with direction and time.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The harness sent this.
    Sent,
    /// The peer sent this.
    Received,
    /// The harness notes something that is not traffic (connect, skip, TLS).
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    /// Time since the scenario started.
    #[serde(serialize_with = "as_millis")]
    pub at: Duration,
    pub direction: Direction,
    pub text: String,
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// The transcript of one scenario run.
#[derive(Debug, Clone)]
pub struct Transcript {
    started: Instant,
    pub entries: Vec<Entry>,
}

impl Default for Transcript {
    fn default() -> Self {
        Transcript {
            started: Instant::now(),
            entries: Vec::new(),
        }
    }
}

impl Transcript {
    pub fn record(&mut self, direction: Direction, text: impl Into<String>) {
        self.entries.push(Entry {
            at: self.started.elapsed(),
            direction,
            text: text.into(),
        });
    }

    /// RFC-style text: `C:`/`S:` by direction, from the harness's side of
    /// `peer_is_server`, with times in milliseconds.
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
        let mut out = String::new();
        for e in entries {
            let tag = match e.direction {
                Direction::Sent => sent,
                Direction::Received => received,
                Direction::Note => "--",
            };
            let ms = e.at.as_secs_f64() * 1000.0;
            let mut lines = e.text.lines();
            let first = lines.next().unwrap_or("");
            out.push_str(&format!("[{ms:8.1}ms] {tag} {first}\n"));
            for line in lines {
                out.push_str(&format!("{:14}{line}\n", ""));
            }
        }
        out
    }
}
