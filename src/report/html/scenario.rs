//! The scenario table and, for each scenario, its reason, diff and
//! transcript as a two-column conversation.

use std::fmt::Write as _;

use crate::engine::transcript::Direction;
use crate::engine::{Status, Verdict};

use super::{escape, section_of, spec_link};

/// Most transcript entries shown per scenario; the rest are counted.
const MAX_ENTRIES: usize = 400;

/// One row per scenario, linking to its details.
pub(super) fn table(out: &mut String, verdicts: &[Verdict], strict: bool) {
    out.push_str(
        "<section id=\"scenarios\">\n<h2>Scenarios</h2>\n<table class=\"scenarios\">\n\
         <thead><tr><th>verdict</th><th>scenario</th><th>level</th><th>references</th>\
         <th>time</th></tr></thead>\n<tbody>\n",
    );
    for v in verdicts {
        let status = v.status.as_str();
        let label = match v.status {
            Status::NonStrict if strict => "FAIL (SHOULD)",
            Status::NonStrict => "WARN",
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Unsupported => "UNSUP",
            Status::Skip => "SKIP",
            Status::Error => "ERROR",
        };
        let references: Vec<String> = v.spec.iter().map(|s| spec_link::linked(s)).collect();
        let text = format!("{} {} {}", v.id, v.title, v.spec.join(" "));
        let _ = writeln!(
            out,
            "<tr class=\"{status}\" data-verdict=\"{status}\" data-section=\"{section}\" \
             data-level=\"{level}\" data-text=\"{text}\">\
             <td class=\"verdict\">{label}</td>\
             <td><a href=\"#{anchor}\">{id}</a><br><span class=\"title\">{title}</span></td>\
             <td>{level}</td><td>{references}</td><td>{ms:.1} ms</td></tr>",
            section = escape(&section_of(v)),
            level = super::super::level_name(v.level),
            text = escape(&text.to_lowercase()),
            anchor = anchor(&v.id),
            id = escape(&v.id),
            title = escape(&v.title),
            references = references.join(", "),
            ms = v.duration.as_secs_f64() * 1000.0,
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// Each scenario's section: why, the diff, the transcript (collapsed).
pub(super) fn details(out: &mut String, verdicts: &[Verdict]) {
    out.push_str("<section id=\"details\">\n<h2>Details</h2>\n");
    for v in verdicts {
        let status = v.status.as_str();
        let _ = write!(
            out,
            "<article id=\"{}\" class=\"scenario {status}\" data-verdict=\"{status}\">\n\
             <h3><span class=\"badge {status}\">{status}</span> {}</h3>\n<p class=\"title\">{}</p>\n\
             <p class=\"file\">{}</p>\n",
            anchor(&v.id),
            escape(&v.id),
            escape(&v.title),
            escape(&v.path),
        );
        if let Some(f) = &v.failure {
            let _ = writeln!(
                out,
                "<p class=\"reason\"><span class=\"kind\">{}</span> {}</p>",
                f.kind.as_str(),
                escape(&f.message)
            );
            if let Some(step) = &f.step {
                let _ = writeln!(out, "<p class=\"step\">at {}</p>", escape(step));
            }
            if let Some(diff) = &f.diff {
                diff_block(out, diff);
            } else {
                if let Some(expected) = &f.expected {
                    let _ = writeln!(out, "<h4>expected</h4><pre>{}</pre>", escape(expected));
                }
                if let Some(received) = &f.received {
                    let _ = writeln!(out, "<h4>received</h4><pre>{}</pre>", escape(received));
                }
            }
        }
        transcript(out, v);
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

/// A unified diff with its lines marked removed or added.
fn diff_block(out: &mut String, diff: &str) {
    out.push_str("<h4>diff (- expected, + received)</h4>\n<pre class=\"diff\">");
    for line in diff.lines() {
        let class = match line.chars().next() {
            Some('-') if !line.starts_with("---") => "del",
            Some('+') if !line.starts_with("+++") => "ins",
            _ => "ctx",
        };
        let _ = writeln!(out, "<span class=\"{class}\">{}</span>", escape(line));
    }
    out.push_str("</pre>\n");
}

/// The conversation, client on the left and server on the right, notes
/// (connections, TLS, restarts) across both.
fn transcript(out: &mut String, v: &Verdict) {
    let entries = &v.transcript.entries;
    if entries.is_empty() {
        return;
    }
    let several = entries
        .iter()
        .any(|e| e.connection != entries[0].connection);
    let _ = write!(
        out,
        "<details class=\"transcript\">\n<summary>transcript ({} entries)</summary>\n\
         <table class=\"conversation\">\n<tr><th>ms</th>{}<th>client</th><th>server</th></tr>\n",
        entries.len(),
        if several { "<th>connection</th>" } else { "" }
    );
    for e in entries.iter().take(MAX_ENTRIES) {
        let from_client = match e.direction {
            Direction::Sent => v.peer_is_server,
            Direction::Received => !v.peer_is_server,
            Direction::Note => false,
        };
        let connection = if several {
            format!("<td class=\"conn\">{}</td>", escape(&e.connection))
        } else {
            String::new()
        };
        let text = format!("<pre>{}</pre>", escape(&e.text));
        let cells = match e.direction {
            Direction::Note => {
                let mark = note_class(&e.text);
                format!(
                    "<td colspan=\"2\" class=\"note {mark}\">{}</td>",
                    escape(&e.text)
                )
            }
            _ if from_client => format!("<td class=\"client\">{text}</td><td></td>"),
            _ => format!("<td></td><td class=\"server\">{text}</td>"),
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"at\">{:.1}</td>{connection}{cells}</tr>",
            e.at.as_secs_f64() * 1000.0
        );
    }
    out.push_str("</table>\n");
    let hidden = entries.len().saturating_sub(MAX_ENTRIES) + v.transcript.dropped;
    if hidden > 0 {
        let _ = writeln!(
            out,
            "<p class=\"capped\">{hidden} more entries are not shown; the console's --verbose \
             and the JSON report have the kept ones.</p>"
        );
    }
    out.push_str("</details>\n");
}

/// Marks for the notes a reader looks for: TLS and stream restarts.
fn note_class(text: &str) -> &'static str {
    if text.starts_with("TLS") {
        "tls"
    } else if text.starts_with("stream restart") {
        "restart"
    } else {
        ""
    }
}

/// An element id for a scenario id (`rfc6120/stream/bad-xml` stays as it
/// is: `/` is allowed in HTML ids).
fn anchor(id: &str) -> String {
    escape(id)
}
