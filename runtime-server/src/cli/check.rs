//! `wegweiser check PATH... [--format text|json]`: compiles each form file, and every
//! form file in each folder given (`*.yaml` and `*.yml` below it, scenario files
//! `*.test.yaml` skipped), and reports every error and warning. Authority files
//! (`authorities/<id>/authority.yaml`) are checked as such, against the forms of the
//! folder above `authorities/` (docs/authorities.md).
//!
//! Text goes to standard output, one rustc-style block per diagnostic in source order and
//! a one-line verdict per file; `--format json` prints one JSON array for all files
//! instead (see [`render::render_json`]). Problems with the files themselves (missing,
//! not UTF-8, a folder without forms) go to standard error. Exit code, the worst of all
//! files: 2 if a file could not be read, else 1 if any form has an error, else 0
//! (warnings alone do not fail the check). Paths are shown as given on the command line,
//! files found in a folder as that folder joined with their path below it.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use engine::diag::Diagnostic;

use super::{ColorChoice, Exit};
use engine::diag::render;

/// Arguments of `wegweiser check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The form files to check, or folders to check every form file in.
    #[arg(required = true, value_name = "PATH")]
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
    // The compiled forms of each forms folder, for its authority files.
    let mut forms_by_dir: std::collections::HashMap<PathBuf, Vec<engine::Form>> = std::collections::HashMap::new();

    for path in expand(files, &mut report.stderr, &mut io_failed) {
        let name = path.display().to_string();
        let source = match read_text(&path) {
            Ok(s) => s,
            Err(msg) => {
                report.stderr.push_str(&format!("error: {msg}\n"));
                io_failed = true;
                continue;
            }
        };
        let mut diagnostics = if crate::authority::is_authority_file(&path) {
            let dir = crate::authority::forms_dir_of(&path).unwrap_or_default();
            let forms = forms_by_dir.entry(dir.clone()).or_insert_with(|| crate::authority::forms_of_dir(&dir));
            let refs: Vec<&engine::Form> = forms.iter().collect();
            match crate::authority::load_file(&path, &refs) {
                Ok(f) => f.diagnostics,
                Err(msg) => {
                    report.stderr.push_str(&format!("{msg}\n"));
                    io_failed = true;
                    continue;
                }
            }
        } else {
            engine::compile(&source).diagnostics
        };
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

/// Scenario files sit beside their forms, so `check forms/*.yaml` meets them; they are run
/// by `wegweiser test`, not compiled as forms.
fn is_scenario(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".test.yaml")
}

/// The form files to check: each file as given (scenario files left out), and for each
/// folder the form files below it, sorted. A folder without any is reported, like a
/// missing file; a path that is neither a file nor a folder is left to [`read_text`].
fn expand(paths: &[PathBuf], stderr: &mut String, io_failed: &mut bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if !p.is_dir() {
            if !is_scenario(p) {
                out.push(p.clone());
            }
            continue;
        }
        let mut found = Vec::new();
        let mut stack = vec![p.clone()];
        while let Some(dir) = stack.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(rd) => rd,
                Err(e) => {
                    stderr.push_str(&format!("error: cannot read the folder `{}`: {e}\n", dir.display()));
                    *io_failed = true;
                    continue;
                }
            };
            for e in entries.filter_map(Result::ok) {
                let path = e.path();
                // Hidden folders (`.git`) hold no forms.
                if e.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml")
                    && !is_scenario(&path)
                    && (crate::authority::is_authority_file(&path) || !in_authorities(&path, p))
                {
                    found.push(path);
                }
            }
        }
        if found.is_empty() {
            stderr.push_str(&format!("error: no form files (`*.yaml`) in the folder `{}`\n", p.display()));
            *io_failed = true;
        }
        found.sort();
        out.extend(found);
    }
    out
}

/// Whether `path`, found below the folder `root`, lies in an `authorities/` folder: the
/// files there other than `authority.yaml` (scenario files, logos) are no forms.
fn in_authorities(path: &Path, root: &Path) -> bool {
    path.strip_prefix(root).unwrap_or(path).components().any(|c| c.as_os_str() == crate::authority::DIR_NAME)
}

/// Reads a form file as UTF-8 text (without a byte order mark), or says why not, in
/// words for form authors.
fn read_text(path: &Path) -> Result<String, String> {
    let name = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        let why = match e.kind() {
            ErrorKind::NotFound => "there is no such file".to_string(),
            ErrorKind::PermissionDenied => "permission denied".to_string(),
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
