//! A report a person opens in a browser and shares with a server's
//! maintainers: one self-contained HTML file (style and script inline, no
//! fetch), readable without JavaScript and better with it.
//!
//! The summary counts verdicts, RFC sections and the run's options; the
//! table lists every scenario with its references linked to the RFC
//! section on the IETF's site; each scenario shows its reason, the diff of
//! expected against received, and the transcript as a two-column
//! conversation (client | server) with times, TLS and restart marks and
//! connection labels. The script adds filters (verdict, section, level,
//! text); a URL fragment such as `#verdict=fail&open=rfc6120/stream/bad-xml`
//! applies them on load, so a link can point at what matters. Everything
//! shown comes from the verdicts, whose transcripts are already redacted:
//! no password reaches the page.

mod scenario;
mod spec_link;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use crate::engine::{Status, Verdict};

use super::Summary;

/// Everything the page says besides the verdicts.
#[derive(Debug, Clone)]
pub struct RunInfo<'a> {
    pub target: &'a str,
    pub domain: &'a str,
    /// The options that shaped the run, as the user gave them
    /// (`--tls starttls`, `--strict`), never a password.
    pub options: Vec<String>,
    pub started: SystemTime,
    pub wall_time: Duration,
    pub strict: bool,
    /// Baseline differences, as the console prints them.
    pub baseline_differences: Option<Vec<String>>,
}

/// The whole page.
pub fn build(verdicts: &[Verdict], run: &RunInfo<'_>) -> String {
    let summary = Summary::of(verdicts, run.wall_time);
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("xmpp-conform: {}", run.target);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n",
        escape(&title),
        include_str!("report.css")
    );
    header(&mut out, &summary, run);
    sections(&mut out, verdicts);
    if let Some(diffs) = &run.baseline_differences {
        baseline(&mut out, diffs);
    }
    filters(&mut out, verdicts);
    scenario::table(&mut out, verdicts, run.strict);
    scenario::details(&mut out, verdicts);
    let _ = write!(
        out,
        "<footer>xmpp-conform {}</footer>\n<script>\n{}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        include_str!("report.js")
    );
    out
}

fn header(out: &mut String, summary: &Summary, run: &RunInfo<'_>) {
    let result = if summary.fails(run.strict) {
        "fail"
    } else {
        "pass"
    };
    let _ = write!(
        out,
        "<header>\n<h1>xmpp-conform <span class=\"result {result}\">{}</span></h1>\n\
         <dl class=\"run\">\n<dt>target</dt><dd>{}</dd>\n<dt>domain</dt><dd>{}</dd>\n\
         <dt>transport</dt><dd>{}</dd>\n\
         <dt>started</dt><dd>{}</dd>\n<dt>duration</dt><dd>{:.2} s</dd>\n\
         <dt>options</dt><dd>{}</dd>\n<dt>version</dt><dd>xmpp-conform {}</dd>\n</dl>\n",
        result.to_uppercase(),
        escape(run.target),
        escape(run.domain),
        transport_of(run.target),
        humantime::format_rfc3339_seconds(run.started),
        run.wall_time.as_secs_f64(),
        if run.options.is_empty() {
            "defaults".to_string()
        } else {
            escape(&run.options.join(" "))
        },
        env!("CARGO_PKG_VERSION"),
    );
    out.push_str("<table class=\"counts\" id=\"counts\">\n<tr>");
    let counts = [
        ("total", summary.total),
        ("pass", summary.passed),
        ("fail", summary.failed),
        ("non-strict", summary.non_strict),
        ("unsupported", summary.unsupported),
        ("skip", summary.skipped),
        ("error", summary.errors),
    ];
    for (name, _) in counts {
        let _ = write!(out, "<th>{name}</th>");
    }
    out.push_str("</tr>\n<tr>");
    for (name, count) in counts {
        let _ = write!(
            out,
            "<td class=\"{name}\" data-count=\"{name}\">{count}</td>"
        );
    }
    out.push_str("</tr>\n</table>\n</header>\n");
}

/// Counts per RFC section (the first reference of each scenario, to its
/// top-level section): where a server's deviations cluster.
fn sections(out: &mut String, verdicts: &[Verdict]) {
    let mut by_section: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for v in verdicts {
        let entry = by_section.entry(section_of(v)).or_default();
        match v.status {
            Status::Pass => entry[0] += 1,
            Status::Fail | Status::NonStrict | Status::Error => entry[1] += 1,
            Status::Unsupported | Status::Skip => entry[2] += 1,
        }
    }
    out.push_str(
        "<section id=\"sections\">\n<h2>By section</h2>\n<table class=\"sections\">\n\
         <tr><th>section</th><th>passed</th><th>failed or warned</th><th>not run</th></tr>\n",
    );
    for (section, [passed, failed, other]) in &by_section {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{passed}</td><td>{failed}</td><td>{other}</td></tr>",
            spec_link::linked(section)
        );
    }
    out.push_str("</table>\n</section>\n");
}

fn baseline(out: &mut String, diffs: &[String]) {
    out.push_str("<section id=\"baseline\">\n<h2>Against the baseline</h2>\n");
    if diffs.is_empty() {
        out.push_str("<p>Every verdict is as the baseline expects.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for d in diffs {
            let _ = writeln!(out, "<li>{}</li>", escape(d));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

/// The filter controls; hidden until the script runs (without it, the
/// table shows everything).
fn filters(out: &mut String, verdicts: &[Verdict]) {
    let mut sections: Vec<String> = verdicts.iter().map(section_of).collect();
    sections.sort();
    sections.dedup();
    out.push_str(
        "<form id=\"filters\" hidden>\n<label>verdict <select name=\"verdict\">\
         <option value=\"\">any</option><option value=\"not-pass\">not pass</option>",
    );
    for s in ["pass", "fail", "non-strict", "unsupported", "skip", "error"] {
        let _ = write!(out, "<option value=\"{s}\">{s}</option>");
    }
    out.push_str(
        "</select></label>\n<label>section <select name=\"section\">\
         <option value=\"\">any</option>",
    );
    for s in &sections {
        let _ = write!(out, "<option>{}</option>", escape(s));
    }
    out.push_str(
        "</select></label>\n<label>level <select name=\"level\"><option value=\"\">any</option>\
         <option>MUST</option><option>SHOULD</option><option>MAY</option></select></label>\n\
         <label>text <input name=\"text\" type=\"search\"></label>\n\
         <output name=\"shown\"></output>\n</form>\n",
    );
}

/// What carried the run, from the target's form: each target names one.
fn transport_of(target: &str) -> String {
    let kinds: Vec<&str> = target
        .split(", ")
        .map(|t| match t.split_once("://").map(|(scheme, _)| scheme) {
            Some("ws" | "wss") => "WebSocket (RFC 7395)",
            Some("http" | "https") => "BOSH (XEP-0206)",
            _ => "TCP",
        })
        .collect();
    let mut unique = kinds.clone();
    unique.dedup();
    unique.join(", ")
}

/// `RFC 6120 §4` for a scenario citing `RFC 6120 §4.9.3.13` first.
fn section_of(v: &Verdict) -> String {
    let Some(first) = v.spec.first() else {
        return "(none)".to_string();
    };
    match first.split_once('§') {
        Some((doc, section)) => {
            let top = section.trim().split('.').next().unwrap_or_default();
            format!("{}§{top}", doc)
        }
        None => first.clone(),
    }
}

/// Text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
