//! The `wegweiser` command line: the argument grammar ([`Cli`]), the dispatch to one
//! module per subcommand ([`run`]) and the exit codes ([`Exit`]).
//!
//! Adding a subcommand (`test`, `schema`, `graph`, `routes`, `serve`, `new`, `import`, `show`):
//! create `src/cli/<name>.rs` with an `Args` struct (clap `Args` derive) and a
//! `run(&Args) -> Exit`, add a variant to [`Command`] and one arm to [`run`].
//!
//! Exit codes are the same for every subcommand: 0 all good, 1 the form has errors
//! (diagnostics were printed), 2 wrong usage or a file that could not be read.

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub mod check;
pub mod editor_schema;
pub mod graph;
pub mod import;
pub mod new;
pub mod preview;
pub mod routes;
pub mod schema;
pub mod serve;
pub mod show;
pub mod test;

/// Checks, tests and serves Wegweiser forms.
#[derive(Debug, Parser)]
#[command(name = "wegweiser", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Checks form files and reports every error and warning.
    Check(check::Args),
    /// Run the scenario tests (`*.test.yaml`) of forms.
    Test(test::Args),
    /// Prints the JSON Schema of a form's submission data.
    Schema(schema::Args),
    /// Serves forms to citizens over HTTP (HTML without JavaScript).
    // Boxed: its many flags (limits, legal pages) make it much larger than the others.
    Serve(Box<serve::Args>),
    /// Previews one form for its author: reloads on every change, shows diagnostics in the page.
    Preview(preview::Args),
    /// Prints the step graph as a Mermaid flowchart or a Graphviz graph.
    Graph(graph::Args),
    /// Lists every route through the step graph with the conditions that select it.
    Routes(routes::Args),
    /// Creates a new form and its scenario tests to start from.
    New(new::Args),
    /// Prints the JSON Schema (draft-07) of the form language, for editors.
    EditorSchema(editor_schema::Args),
    /// Imports a form from another format (`wegweiser import fim SCHEMA.xml`).
    Import(import::Args),
    /// Prints a step or the summary as a citizen would see it, after the answers of a file.
    Show(show::Args),
}

/// How a command ended; becomes the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything is fine (warnings allowed).
    Ok = 0,
    /// 1: a form has errors; they were reported.
    Diagnostics = 1,
    /// 2: wrong usage, or a file could not be read or written.
    Failure = 2,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    /// When standard output is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour what goes to standard output.
    pub fn enabled(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: &Cli) -> Exit {
    match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Test(args) => test::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Preview(args) => preview::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Routes(args) => routes::run(args),
        Command::New(args) => new::run(args),
        Command::EditorSchema(args) => editor_schema::run(args),
        Command::Import(args) => import::run(args),
        Command::Show(args) => show::run(args),
    }
}
