//! Any text as a scenario file (bytes converted lossily to UTF-8):
//! `scenario::parse_str` gives a scenario or an error, never a panic, and
//! an error always renders.
//!
//! The file is placed in the repository's `scenarios/server/rfc6120/stream/`
//! so that `include ../../_include/starttls.xmpp` and the like resolve to
//! the real fragments. Inputs whose `include` would leave `scenarios/` are
//! skipped: an include reads whatever file it names, and `/dev/zero` or
//! `/dev/stdin` would exhaust memory or block, which says nothing about
//! the parser.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use xmpp_conform::scenario;

static SCENARIOS: LazyLock<PathBuf> = LazyLock::new(|| {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .canonicalize()
        .expect("the repository's scenarios folder")
});

/// Whether every `include` argument stays inside `scenarios/` (or names
/// nothing that exists).
fn includes_stay_inside(text: &str, dir: &Path) -> bool {
    text.lines().all(|line| {
        let Some(rest) = line.trim_start().strip_prefix("include") else {
            return true;
        };
        let target = dir.join(rest.trim());
        match target.canonicalize() {
            Ok(real) => real.starts_with(&*SCENARIOS) && real.is_file(),
            Err(_) => !rest.contains("/dev") && !rest.contains("/proc"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let path = SCENARIOS.join("server/rfc6120/stream/fuzz.xmpp");
    let dir = path.parent().unwrap_or(Path::new("."));
    if !includes_stay_inside(&text, dir) {
        return;
    }
    if let Err(e) = scenario::parse_str(&text, &path, "rfc6120/stream/fuzz") {
        let _ = e.to_string();
    }
});
