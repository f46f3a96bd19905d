//! A progress bar for long runs, on a terminal only.
//!
//! A suite against a slow server, or one with hundreds of scenarios, can
//! run for minutes; the bar says how far it is (done / total), how many
//! failed so far and which scenario has been running longest. It is drawn
//! on stderr, never inside the report lines (which go to stdout, printed
//! around it), and not at all when stderr is not a terminal or `CI` is
//! set: logs must stay plain text.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::{Observer, Status, Verdict};

/// Whether a bar may be drawn: stderr is a terminal and `CI` is not set.
pub fn wanted() -> bool {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    !ci && std::io::stderr().is_terminal()
}

/// The suite's bar, or nothing where none is wanted.
pub struct SuiteProgress {
    bar: Option<ProgressBar>,
    running: Mutex<HashMap<String, Instant>>,
    failures: AtomicUsize,
}

impl SuiteProgress {
    /// A bar for `total` scenarios, drawn only if [`wanted`].
    pub fn new(total: usize) -> SuiteProgress {
        let bar = wanted().then(|| {
            let bar = ProgressBar::with_draw_target(
                Some(total as u64),
                ProgressDrawTarget::stderr_with_hz(10),
            );
            let style = ProgressStyle::with_template(
                "{spinner} [{bar:30}] {pos}/{len} scenarios, {msg} ({elapsed})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        SuiteProgress {
            bar,
            running: Mutex::new(HashMap::new()),
            failures: AtomicUsize::new(0),
        }
    }

    /// Print report text (stdout) without tearing the bar.
    pub fn print(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| print!("{text}")),
            None => print!("{text}"),
        }
    }

    /// Remove the bar before the summary.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn update(&self) {
        let Some(bar) = &self.bar else {
            return;
        };
        let failures = self.failures.load(Ordering::Relaxed);
        let slowest = self.running.lock().ok().and_then(|running| {
            running
                .iter()
                .min_by_key(|(_, since)| **since)
                .map(|(id, since)| format!("{id} running {:.1} s", since.elapsed().as_secs_f64()))
        });
        bar.set_message(match slowest {
            Some(slowest) => format!("{failures} failed, slowest: {slowest}"),
            None => format!("{failures} failed"),
        });
    }
}

impl Observer for SuiteProgress {
    fn started(&self, id: &str) {
        if let Ok(mut running) = self.running.lock() {
            running.insert(id.to_string(), Instant::now());
        }
        self.update();
    }

    fn finished(&self, verdict: &Verdict) {
        if let Ok(mut running) = self.running.lock() {
            running.remove(&verdict.id);
        }
        if matches!(verdict.status, Status::Fail | Status::Error) {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        self.update();
    }
}

/// The live fuzzer's bar: time against the run's duration, with cases,
/// their rate and the findings so far; nothing where none is wanted.
pub struct FuzzProgress {
    bar: Option<ProgressBar>,
}

impl FuzzProgress {
    pub fn new(duration: Duration) -> FuzzProgress {
        let bar = wanted().then(|| {
            let bar = ProgressBar::with_draw_target(
                Some(duration.as_millis().max(1) as u64),
                ProgressDrawTarget::stderr_with_hz(5),
            );
            let style =
                ProgressStyle::with_template("{spinner} [{bar:30}] {msg} ({elapsed}/{duration})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        FuzzProgress { bar }
    }

    /// `cases` run in `elapsed`, `findings` found.
    pub fn update(&self, cases: u64, findings: usize, elapsed: Duration) {
        if let Some(bar) = &self.bar {
            bar.set_position(elapsed.as_millis() as u64);
            let rate = cases as f64 / elapsed.as_secs_f64().max(1e-9);
            bar.set_message(format!("{cases} cases, {rate:.0}/s, {findings} findings"));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
