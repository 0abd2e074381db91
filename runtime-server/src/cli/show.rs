//! `wegweiser show FORM.yaml [--answers FILE.yaml] [--step ID | --summary] [--lang de|en]
//! [--today YYYY-MM-DD]`: a step or the summary as a citizen would see it, in plain text,
//! from the engine's view model (`Session::step_view`, `Session::summary_view`, the one the
//! server's pages and the browser module render). For authors: what does this step look
//! like after these answers?
//!
//! A step prints its title and text, then each shown field: label (marked optional), hint,
//! the value after `> `, options as `[x]`/`[ ]` (only those offered), computed values after
//! the label, problems after `! `; a repeated group prints each entry under its legend.
//! Hidden fields are left out. The answers file is a YAML map like a scenario's
//! `answers:` (read by the engine's scenario reader). Exit code: 0 printed, 1 the form or
//! the answers file has errors, 2 a file could not be read or no such step.

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use engine::session::Session;
use engine::view::{FieldKind, FieldView, StepView, SummaryView};

use super::Exit;
use super::graph::load;
use crate::server::view::texts;
use engine::diag::render::render_text;

/// Arguments of `wegweiser show`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The form file.
    #[arg(value_name = "FORM")]
    pub file: PathBuf,
    /// Answers to show the step with: a YAML map like a scenario's `answers:`.
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// The step to show (default: the first step).
    #[arg(long, value_name = "ID", conflicts_with = "summary")]
    pub step: Option<String>,
    /// Show the summary instead of a step.
    #[arg(long)]
    pub summary: bool,
    /// The language (default: the form's first).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Today's date for the answers' checks (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<NaiveDate>,
}

/// Runs the command.
pub fn run(args: &Args) -> Exit {
    let form = match load(&args.file) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let today = args.today.unwrap_or_else(|| chrono::Local::now().date_naive());
    let lang = args.lang.clone().unwrap_or_else(|| form.default_language().to_string());
    let mut s = Session::new(&form, &lang, today);
    if let Some(path) = &args.answers {
        let src = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                return Exit::Failure;
            }
        };
        match engine::scenario::read_answers(&mut s, &src) {
            Ok(missed) => {
                for m in missed {
                    eprintln!("warning: {}: expected {}, found {}", m.key, m.expected, m.actual);
                }
            }
            Err(diags) => {
                let name = path.to_string_lossy();
                for d in diags {
                    eprintln!("{}", render_text(&d, &name, &src, false));
                }
                return Exit::Diagnostics;
            }
        }
    }
    // No evaluation budget is set here: `BudgetExhausted` cannot come.
    const NO_BUDGET: &str = "a session without a budget answers";
    let out = if args.summary {
        summary(&s.summary_view().expect(NO_BUDGET), s.language())
    } else {
        let id = args.step.clone().unwrap_or_else(|| form.steps()[0].id.clone());
        let Some(step) = form.step_by_id(&id) else {
            eprintln!("error: the form has no step `{id}`");
            return Exit::Failure;
        };
        let view = s.step_view(step).expect(NO_BUDGET);
        let path = s.path().expect(NO_BUDGET);
        let position = path.iter().position(|p| *p == step).map(|p| (p + 1, path.len()));
        step_text(&view, position, s.language())
    };
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Ok(()) => Exit::Ok,
        Err(_) => Exit::Failure,
    }
}

/// Ends the text so far with one blank line (not two).
fn blank_line(out: &mut String) {
    if !out.ends_with("\n\n") {
        out.push('\n');
    }
}

/// A heading underlined with `line` as long as it is.
fn heading(out: &mut String, text: &str, line: char) {
    out.push_str(text);
    out.push('\n');
    out.push_str(&line.to_string().repeat(text.chars().count().max(1)));
    out.push('\n');
}

/// A step as plain text; `position` is its place on the path (none: not on the path).
pub fn step_text(view: &StepView, position: Option<(usize, usize)>, lang: &str) -> String {
    let t = texts(lang);
    let mut out = String::new();
    match position {
        Some((n, total)) => out.push_str(&format!("{} {n} {} {total}", t["step"], t["of"])),
        None => out.push_str(if lang == "en" { "(not on the path with these answers)" } else { "(mit diesen Angaben nicht auf dem Weg)" }),
    }
    if let Some(section) = &view.section {
        out.push_str(&format!(" · {section}"));
    }
    out.push('\n');
    heading(&mut out, &view.title, '=');
    if let Some(text) = &view.text {
        out.push_str(text);
        out.push('\n');
    }
    for f in &view.fields {
        field(&mut out, f, 0, lang);
    }
    let rules: Vec<&str> = view.problems.iter().filter(|p| p.field.is_none()).map(|p| p.message.as_str()).collect();
    if !rules.is_empty() {
        out.push('\n');
        for m in rules {
            out.push_str(&format!("! {m}\n"));
        }
    }
    out
}

/// One field and what is below it, indented by `depth`; hidden fields are left out.
fn field(out: &mut String, f: &FieldView, depth: usize, lang: &str) {
    if !f.shown {
        return;
    }
    let t = texts(lang);
    let pad = "  ".repeat(depth);
    blank_line(out);
    let mut line = |s: &str| {
        out.push_str(&pad);
        out.push_str(s);
        out.push('\n');
    };
    match f.kind {
        FieldKind::Info => line(f.text.as_deref().unwrap_or_default()),
        FieldKind::Computed => line(&format!("{}: {}", f.label, f.value)),
        FieldKind::Group | FieldKind::Repeat => {
            if !f.label.is_empty() {
                line(&format!("{}:", f.label));
            }
            if let Some(h) = &f.hint {
                line(h);
            }
            for p in &f.problems {
                line(&format!("! {}", p.message));
            }
            for m in &f.members {
                field(out, m, depth + 1, lang);
            }
            for e in &f.entries {
                blank_line(out);
                out.push_str(&format!("{pad}  {}:", e.legend));
                if e.removable {
                    out.push_str(&format!(" [{}]", t["remove"]));
                }
                out.push('\n');
                for m in &e.fields {
                    field(out, m, depth + 2, lang);
                }
            }
            if f.can_add {
                out.push_str(&format!("\n{pad}  [+ {}]\n", f.add_label.as_deref().unwrap_or(t["add"])));
            }
        }
        _ => {
            let optional = if f.optional { format!(" {}", t["optional"]) } else { String::new() };
            if f.kind == FieldKind::Consent {
                line(&format!("[{}] {}{optional}", if f.value == "true" { "x" } else { " " }, f.label));
            } else {
                line(&format!("{}{optional}", f.label));
            }
            if let Some(h) = &f.hint {
                line(&format!("  {h}"));
            }
            if f.from_account {
                line(&format!("  ({}{})", t["from_account"], if f.locked { format!(" {}", t["locked_text"]) } else { String::new() }));
            }
            match f.kind {
                FieldKind::Consent => {}
                FieldKind::Boolean | FieldKind::Radios | FieldKind::Select | FieldKind::Checkboxes => {
                    for o in f.options.iter().filter(|o| o.shown) {
                        line(&format!("  [{}] {}", if o.checked { "x" } else { " " }, o.label));
                        if let Some(h) = &o.hint {
                            line(&format!("      {h}"));
                        }
                    }
                }
                _ if f.value.is_empty() => line("  >"),
                _ => line(&format!("  > {}", f.value)),
            }
            for p in &f.problems {
                line(&format!("  ! {}", p.message));
            }
        }
    }
}

/// The summary as plain text: each step's answers, entries under their legend.
pub fn summary(view: &SummaryView, lang: &str) -> String {
    let t = texts(lang);
    let mut out = String::new();
    heading(&mut out, t["summary"], '=');
    for step in &view.steps {
        out.push('\n');
        heading(&mut out, &step.title, '-');
        for block in &step.blocks {
            let pad = if let Some(h) = &block.heading {
                out.push_str(&format!("{h}:\n"));
                "  "
            } else {
                ""
            };
            for r in &block.rows {
                let mark = if r.from_account { format!(" ({})", t["from_account"]) } else { String::new() };
                let value = r.groups.as_ref().map_or_else(|| r.value.clone(), |g| g.join(" "));
                out.push_str(&format!("{pad}{}: {value}{mark}\n", r.label));
            }
        }
    }
    out
}
