//! `wegweiser import fim SCHEMA.xml [--codelists DIR] [-o FORM.yaml] [--report REPORT.json]`:
//! turns a FIM XDatenfelder schema (2.0 or 3.0.0) into a form. Without `-o` the form goes to
//! standard output; with `-o` the smoke scenarios go next to it (`FORM.test.yaml`). A short
//! summary goes to standard error. Exit code: 0 imported, 2 the file could not be read or is
//! no XDatenfelder message (the error names the line).

use std::path::{Path, PathBuf};

use super::Exit;

/// Arguments of `wegweiser import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to import.
    #[command(subcommand)]
    pub what: What,
}

/// The formats `wegweiser import` reads.
#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// A FIM XDatenfelder Stammdatenschema (2.0 or 3.0.0), or a single Datenfeldgruppe.
    Fim(FimArgs),
}

/// Arguments of `wegweiser import fim`.
#[derive(Debug, clap::Args)]
pub struct FimArgs {
    /// The XDatenfelder file.
    #[arg(value_name = "SCHEMA.xml")]
    pub schema: PathBuf,
    /// A folder with the genericode code lists the schema refers to.
    #[arg(long, value_name = "DIR")]
    pub codelists: Option<PathBuf>,
    /// Where to write the form (and `FORM.test.yaml` beside it); default: standard output.
    #[arg(short = 'o', long = "output", value_name = "FORM.yaml")]
    pub output: Option<PathBuf>,
    /// Where to write the import report (JSON).
    #[arg(long, value_name = "REPORT.json")]
    pub report: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: &Args) -> Exit {
    match &args.what {
        What::Fim(a) => run_fim(a),
    }
}

fn run_fim(a: &FimArgs) -> Exit {
    let xml = match std::fs::read_to_string(&a.schema) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", a.schema.display());
            return Exit::Failure;
        }
    };
    let mut warnings = Vec::new();
    let codelists = match &a.codelists {
        None => Vec::new(),
        Some(dir) => match fim::genericode::load_dir(dir, &mut warnings) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot read the code lists in `{}`: {e}", dir.display());
                return Exit::Failure;
            }
        },
    };
    let source_name = a.schema.file_name().map(|n| n.to_string_lossy().into_owned());
    let options = fim::Options { codelists, source_name };
    let mut out = match fim::import(&xml, &options) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {}: {e}", a.schema.display());
            return Exit::Failure;
        }
    };
    warnings.append(&mut out.report.warnings);
    out.report.warnings = warnings;
    match &a.output {
        None => print!("{}", out.yaml),
        Some(path) => {
            if let Err(e) = std::fs::write(path, &out.yaml) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return Exit::Failure;
            }
            let test = test_path(path);
            if let Err(e) = std::fs::write(&test, &out.test_yaml) {
                eprintln!("error: cannot write `{}`: {e}", test.display());
                return Exit::Failure;
            }
        }
    }
    if let Some(path) = &a.report
        && let Err(e) = std::fs::write(path, out.report.to_json() + "\n")
    {
        eprintln!("error: cannot write `{}`: {e}", path.display());
        return Exit::Failure;
    }
    for w in &out.report.warnings {
        eprintln!("warning: {w}");
    }
    eprintln!("{}: {}", a.schema.display(), out.report.summary());
    Exit::Ok
}

/// `form.yaml` → `form.test.yaml`.
fn test_path(form: &Path) -> PathBuf {
    let stem = form.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "form".into());
    form.with_file_name(format!("{stem}.test.yaml"))
}
