//! `xmpp-conform coverage`: what the built-in scenarios (and any
//! `--scenarios`) cover of the inventoried RFC statements.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::scenario;
use crate::spec::{self, coverage};

#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// text for a terminal, markdown for docs/coverage.md, json for tools.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// More scenario files or folders whose `covers` count too, besides
    /// the built-in server and client scenarios.
    #[arg(long = "scenarios", value_name = "PATH")]
    scenarios: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Text,
    Json,
    Markdown,
}

pub fn run(args: &CoverageArgs) -> i32 {
    let inventory = match spec::built_in() {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    let covers = match load_covers(&args.scenarios) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let report = coverage::compute(
        inventory,
        covers.iter().map(|(id, c)| (id.as_str(), c.as_slice())),
    );
    let format = match args.format {
        FormatArg::Text => coverage::Format::Text,
        FormatArg::Json => coverage::Format::Json,
        FormatArg::Markdown => coverage::Format::Markdown,
    };
    match coverage::render(&report, format) {
        Ok(text) => {
            print!("{text}");
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_FAILED
        }
    }
}

/// Each scenario's id and `covers`: the built-in ones of both sides, then
/// those under `extra`. Any scenario error is printed and nothing is
/// reported (exit 2), as for a run.
fn load_covers(extra: &[PathBuf]) -> Result<Vec<(String, Vec<String>)>, i32> {
    let mut out = Vec::new();
    let mut errors = 0;
    let mut take = |loaded: Result<scenario::Scenario, scenario::ScenarioError>| match loaded {
        Ok(s) => out.push((s.id, s.meta.covers)),
        Err(e) => {
            eprintln!("{e}\n");
            errors += 1;
        }
    };
    for folder in [scenario::built_in::SERVER, scenario::built_in::CLIENT] {
        for (root, file) in scenario::built_in::discover(folder) {
            take(scenario::load_built_in(&file, &root));
        }
    }
    if let Some(missing) = extra.iter().find(|p| !p.exists()) {
        eprintln!(
            "error: no such scenario file or folder: {}",
            missing.display()
        );
        return Err(EXIT_USAGE);
    }
    let files = scenario::discover(extra).map_err(|e| {
        eprintln!("error: cannot list scenarios: {e}");
        EXIT_USAGE
    })?;
    for (root, file) in files {
        take(scenario::load(&file, &root));
    }
    if errors > 0 {
        eprintln!("error: {errors} scenario file(s) have errors; no coverage was computed");
        return Err(EXIT_USAGE);
    }
    Ok(out)
}
