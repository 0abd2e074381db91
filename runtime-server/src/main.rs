//! The `wegweiser` command line. Parses the arguments and dispatches; everything else is
//! in the library (`wegweiser::cli`).
use std::process::ExitCode;

use clap::Parser;
use wegweiser::cli::{Cli, run};

fn main() -> ExitCode {
    // clap exits with 2 on usage errors and 0 for --help / --version.
    let cli = Cli::parse();
    run(&cli).into()
}
