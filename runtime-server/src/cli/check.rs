//! `wegweiser check FILE... [--format text|json]`: compiles each form file and reports
//! every error and warning.
//!
//! Text goes to standard output, one rustc-style block per diagnostic in source order and
//! a one-line verdict per file; `--format json` prints one JSON array for all files
//! instead (see [`render::render_json`]). Problems with the files themselves (missing,
//! a folder, not UTF-8) go to standard error. Exit code: 2 if a file could not be read,
//! else 1 if any form has an error, else 0 (warnings alone do not fail the check).
//! Paths are shown exactly as given on the command line.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use engine::diag::Diagnostic;

use super::render;
use super::{ColorChoice, Exit};

/// Arguments of `wegweiser check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The form files to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// How to print the findings: `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// When to colour the text output.
    #[arg(long, value_enum, default_value_t)]
    pub color: ColorChoice,
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// rustc-style text with the source lines.
    #[default]
    Text,
    /// One JSON array of all diagnostics of all files.
    Json,
}

/// What `check` has to say: standard output, standard error and the exit code.
#[derive(Debug)]
pub struct Report {
    /// Text for standard output.
    pub stdout: String,
    /// Text for standard error.
    pub stderr: String,
    /// 0, 1 or 2.
    pub exit: Exit,
}

/// Runs `wegweiser check` and prints its report.
pub fn run(args: &Args) -> Exit {
    let report = check(&args.files, args.format, args.color.enabled());
    let exit = report.exit;
    let _ = std::io::stderr().write_all(report.stderr.as_bytes());
    match std::io::stdout().lock().write_all(report.stdout.as_bytes()) {
        Ok(()) => exit,
        // `wegweiser check … | head` is not a failure of the check.
        Err(e) if e.kind() == ErrorKind::BrokenPipe => exit,
        Err(e) => {
            eprintln!("error: cannot write the report: {e}");
            Exit::Failure
        }
    }
}

/// Checks `files` and returns what to print; does not touch stdout or stderr.
pub fn check(files: &[PathBuf], format: Format, color: bool) -> Report {
    let mut report = Report { stdout: String::new(), stderr: String::new(), exit: Exit::Ok };
    let mut io_failed = false;
    let mut any_error = false;
    let mut all: Vec<(String, Diagnostic)> = Vec::new();

    for path in files {
        let name = path.display().to_string();
        // Scenario files sit beside their forms, so `check forms/*.yaml` meets them; they
        // are run by `wegweiser test`, not compiled as forms.
        if name.ends_with(".test.yaml") {
            continue;
        }
        let source = match read_text(path) {
            Ok(s) => s,
            Err(msg) => {
                report.stderr.push_str(&format!("error: {msg}\n"));
                io_failed = true;
                continue;
            }
        };
        let mut diagnostics = engine::compile(&source).diagnostics;
        diagnostics.sort_by_key(|d| (d.span.start.line, d.span.start.column));
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        let warnings = diagnostics.len() - errors;
        any_error |= errors > 0;
        match format {
            Format::Text => {
                for d in &diagnostics {
                    report.stdout.push_str(&render::render_text(d, &name, &source, color));
                    report.stdout.push('\n');
                }
                report.stdout.push_str(&render::render_summary(&name, errors, warnings, color));
                report.stdout.push('\n');
            }
            Format::Json => all.extend(diagnostics.into_iter().map(|d| (name.clone(), d))),
        }
    }
    if format == Format::Json {
        let json = render::render_json(&all);
        report.stdout.push_str(&serde_json::to_string_pretty(&json).unwrap_or_else(|_| "[]".into()));
        report.stdout.push('\n');
    }
    report.exit = if io_failed {
        Exit::Failure
    } else if any_error {
        Exit::Diagnostics
    } else {
        Exit::Ok
    };
    report
}

/// Reads a form file as UTF-8 text (without a byte order mark), or says why not, in
/// words for form authors.
fn read_text(path: &Path) -> Result<String, String> {
    let name = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        let why = match e.kind() {
            ErrorKind::NotFound => "there is no such file".to_string(),
            ErrorKind::PermissionDenied => "permission denied".to_string(),
            ErrorKind::IsADirectory => "this is a folder, not a file".to_string(),
            _ => e.to_string(),
        };
        format!("cannot read `{name}`: {why}")
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        format!("`{name}` is not UTF-8 text (first bad byte on line {line}); save it with the encoding UTF-8")
    })?;
    Ok(match text.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}
