//! `xmpp-conform convert FILE.scs [-o OUT]`: a scansion script as the
//! equivalent `.xmpp` scenario, for users moving to the richer format.

use std::path::PathBuf;

use clap::Args;

use crate::scenario::scansion;

use super::{EXIT_OK, EXIT_USAGE, write_file};

#[derive(Debug, Args)]
pub(super) struct ConvertArgs {
    /// The scansion script (`.scs`).
    #[arg(value_name = "FILE.scs")]
    file: PathBuf,
    /// Write the scenario here instead of to standard output.
    #[arg(short, long, value_name = "OUT.xmpp")]
    output: Option<PathBuf>,
}

pub(super) fn run(args: &ConvertArgs) -> i32 {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.file.display());
            return EXIT_USAGE;
        }
    };
    let xmpp = match scansion::to_xmpp(&text, &args.file) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    match &args.output {
        Some(path) => match write_file(path, &xmpp) {
            Ok(()) => EXIT_OK,
            Err(code) => code,
        },
        None => {
            print!("{xmpp}");
            EXIT_OK
        }
    }
}
