//! `wegweiser schema [--fim] FILE`: compiles a form and prints the JSON Schema (draft
//! 2020-12) of its submission `data` (docs/form-language.md#the-submission) as pretty JSON; with `--fim`, the schema of the
//! same answers keyed by FIM ids (docs/fim.md, "FIM-keyed data"). Exit code: 0 printed,
//! 1 the form has errors (rendered to standard error), 2 the file could not be read or
//! (`--fim`) the form has no FIM ids.

use std::io::Write;
use std::path::PathBuf;

use super::Exit;
use engine::diag::render::render_text;

/// Arguments of `wegweiser schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The form file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print the schema of the FIM-keyed data instead (the form's fields carry `fim:` ids).
    #[arg(long)]
    pub fim: bool,
}

/// Runs the command.
pub fn run(args: &Args) -> Exit {
    let src = match std::fs::read_to_string(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", args.file.display());
            return Exit::Failure;
        }
    };
    let compiled = engine::compile(&src);
    let name = args.file.to_string_lossy();
    let form = match compiled.form {
        Some(form) if !compiled.diagnostics.iter().any(|d| d.is_error()) => form,
        _ => {
            let mut err = String::new();
            for d in compiled.diagnostics.iter().filter(|d| d.is_error()) {
                err.push_str(&render_text(d, &name, &src, false));
            }
            let _ = std::io::stderr().write_all(err.as_bytes());
            return Exit::Diagnostics;
        }
    };
    let schema = if args.fim {
        match engine::output::fim_schema(&form) {
            Some(s) => s,
            None => {
                eprintln!(
                    "error: `{name}` has no FIM ids: no field or group has `fim:`, so there is no FIM-keyed data \
                     (give fields the ids of their FIM data fields, `fim: F…`, or import the form with `wegweiser import fim`)"
                );
                return Exit::Failure;
            }
        }
    } else {
        engine::output::data_schema(&form)
    };
    let text = serde_json::to_string_pretty(&schema).expect("a JSON value serialises");
    match writeln!(std::io::stdout().lock(), "{text}") {
        Ok(()) => Exit::Ok,
        Err(_) => Exit::Failure,
    }
}
