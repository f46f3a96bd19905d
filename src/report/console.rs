//! The report a person reads in a terminal or a CI log.

use std::fmt::Write as _;
use std::io::IsTerminal;

use crate::engine::{Status, Verdict};

use super::Summary;

/// ANSI colour, used only on a terminal and never with `NO_COLOR` set.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    colour: bool,
}

impl Style {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    pub fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            colour: !no_color && std::io::stdout().is_terminal(),
        }
    }

    pub fn plain() -> Style {
        Style { colour: false }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// The label of a verdict. Under `--strict` a broken SHOULD fails the
    /// run, so it reads FAIL: a WARN line above a FAILED summary would
    /// leave the reader guessing which line failed it.
    fn status(&self, status: Status, strict: bool) -> String {
        let (label, code) = match status {
            Status::Pass => ("PASS", "32"),
            Status::Fail => ("FAIL", "1;31"),
            Status::NonStrict if strict => ("FAIL", "1;31"),
            Status::NonStrict => ("WARN", "33"),
            Status::Unsupported => ("UNSUP", "36"),
            Status::Skip => ("SKIP", "2"),
            Status::Error => ("ERROR", "1;35"),
        };
        self.paint(code, &format!("{label:<5}"))
    }

    fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Diff lines: removals red, additions green.
    fn diff(&self, diff: &str) -> String {
        diff.lines()
            .map(|l| {
                if l.starts_with('-') && !l.starts_with("---") {
                    self.paint("31", l)
                } else if l.starts_with('+') && !l.starts_with("+++") {
                    self.paint("32", l)
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// One line for a verdict, followed by its details when it did not pass
/// (or always, with `verbose`). `strict` is `--strict`: a broken SHOULD
/// is then labelled FAIL, and says why it fails.
pub fn verdict(v: &Verdict, style: Style, verbose: bool, strict: bool) -> String {
    let mut out = String::new();
    let time = format!("{:>7.0?}", v.duration);
    let why = if strict && v.status == Status::NonStrict {
        " (SHOULD broken, fails under --strict)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{} {}  {}",
        style.status(v.status, strict),
        v.id,
        style.dim(&format!("{} {}{why}", time.trim(), level_and_spec(v)))
    );
    if let Some(f) = &v.failure {
        let indent = "      ";
        let _ = writeln!(out, "{indent}{}", f.message);
        if let Some(step) = &f.step {
            let _ = writeln!(out, "{indent}at {step}");
        }
        if v.status == Status::Skip || v.status == Status::Unsupported {
            return out;
        }
        if let Some(diff) = &f.diff {
            let _ = writeln!(out, "{indent}diff (- expected, + received):");
            let _ = writeln!(out, "{}", indented(&style.diff(diff), indent));
        } else {
            if let Some(expected) = &f.expected {
                let _ = writeln!(out, "{indent}expected:");
                let _ = writeln!(out, "{}", indented(expected, &format!("{indent}  ")));
            }
            if let Some(received) = &f.received {
                let _ = writeln!(out, "{indent}received:");
                let _ = writeln!(out, "{}", indented(received, &format!("{indent}  ")));
            }
        }
        if !verbose {
            let _ = writeln!(out, "{indent}transcript (last lines):");
            let _ = write!(
                out,
                "{}",
                indented(&v.transcript.render_tail(8, v.peer_is_server), indent)
            );
            let _ = writeln!(out);
        }
    }
    if verbose {
        let _ = writeln!(out, "      transcript:");
        let _ = writeln!(
            out,
            "{}",
            indented(&v.transcript.render(v.peer_is_server), "      ")
        );
    }
    out
}

fn level_and_spec(v: &Verdict) -> String {
    let level = super::level_name(v.level);
    if v.spec.is_empty() {
        level.to_string()
    } else {
        format!("{level} {}", v.spec.join(", "))
    }
}

fn indented(text: &str, indent: &str) -> String {
    text.lines()
        .map(|l| format!("{indent}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The closing summary line(s).
pub fn summary(s: &Summary, style: Style, strict: bool) -> String {
    let mut parts = vec![format!("{} passed", s.passed)];
    for (n, label) in [
        (s.failed, "failed"),
        (
            s.non_strict,
            if strict {
                "failed under --strict (SHOULD broken)"
            } else {
                "non-strict (SHOULD broken)"
            },
        ),
        (s.unsupported, "unsupported"),
        (s.skipped, "skipped"),
        (s.errors, "errors"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {label}"));
        }
    }
    let verdict = if s.fails(strict) {
        style.paint("1;31", "FAILED")
    } else {
        style.paint("1;32", "OK")
    };
    let mut line = format!(
        "\n{verdict}: {} scenarios in {:.2}s: {}",
        s.total,
        s.wall_time.as_secs_f64(),
        parts.join(", ")
    );
    if s.non_strict > 0 && !strict {
        line.push_str("\n(non-strict results fail the run only with --strict)");
    }
    line
}
