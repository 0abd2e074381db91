//! `wegweiser graph FILE [--format mermaid|dot]`: the step graph (docs/form-language.md#the-step-graph) as a Mermaid
//! flowchart (default; GitHub and GitLab render it in Markdown) or a Graphviz `dot` graph.
//!
//! Each step is a node labelled with its title in the default language and its id; the
//! summary is a node of its own; exit steps have a stadium shape (`dot`: a double
//! octagon) and the class `exit`; a step with `when` shows its condition and has the
//! class `optional` (dashed). Each `next` branch is an edge labelled with its condition;
//! the plain `goto` after conditional branches is labelled `otherwise`. Exit code: 0
//! printed, 1 the form has errors (rendered to standard error), 2 the file could not be
//! read.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use engine::form::{Form, StepKind, Target};

use super::Exit;
use engine::analysis::pretty;
use engine::diag::render::render_text;

/// Arguments of `wegweiser graph`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The form file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// `mermaid` (a flowchart for Markdown) or `dot` (Graphviz).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Output format of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// A Mermaid `flowchart TD`.
    #[default]
    Mermaid,
    /// A Graphviz `digraph`.
    Dot,
}

/// Runs the command.
pub fn run(args: &Args) -> Exit {
    let form = match load(&args.file) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let out = match args.format {
        Format::Mermaid => mermaid(&form),
        Format::Dot => dot(&form),
    };
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Ok(()) => Exit::Ok,
        Err(_) => Exit::Failure,
    }
}

/// Reads and compiles a form file; on failure prints why (to standard error) and returns
/// the exit code: 2 unreadable, 1 the form has errors.
pub fn load(path: &Path) -> Result<Form, Exit> {
    let src = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read `{}`: {e}", path.display());
        Exit::Failure
    })?;
    let compiled = engine::compile(&src);
    match compiled.form {
        Some(form) if !compiled.diagnostics.iter().any(|d| d.is_error()) => Ok(form),
        _ => {
            let name = path.to_string_lossy();
            let mut err = String::new();
            for d in compiled.diagnostics.iter().filter(|d| d.is_error()) {
                err.push_str(&render_text(d, &name, &src, false));
                err.push('\n');
            }
            err.push_str(&format!("error: `{name}` has errors; run `wegweiser check {name}`\n"));
            let _ = std::io::stderr().write_all(err.as_bytes());
            Err(Exit::Diagnostics)
        }
    }
}

/// What an edge says: the branch's condition, `otherwise` for the plain `goto` after
/// conditional branches, nothing for a step's only way on.
fn edge_label(form: &Form, branches: &[engine::form::Branch], i: usize) -> Option<String> {
    match &branches[i].cond {
        Some(c) => Some(pretty::expr(form, c)),
        None if i > 0 => Some("otherwise".into()),
        None => None,
    }
}

fn title(form: &Form, i: usize) -> String {
    let s = &form.steps()[i];
    s.title.as_ref().map(|t| pretty::text(form, t)).filter(|t| !t.trim().is_empty()).unwrap_or_else(|| s.id.clone())
}

/// Text inside a quoted Mermaid label: quotes, `#`, `<`, `>`, `&`, `|` and backticks as
/// entity codes (Mermaid reads `#quot;` etc.), line breaks as spaces.
fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The Mermaid flowchart.
pub fn mermaid(form: &Form) -> String {
    let mut out = String::from("flowchart TD\n");
    let mut exits = Vec::new();
    let mut optional = Vec::new();
    for (i, s) in form.steps().iter().enumerate() {
        let mut label = format!("{}<br/>({})", mermaid_escape(&title(form, i)), mermaid_escape(&s.id));
        if let Some(w) = &s.when {
            label.push_str(&format!("<br/>only if: {}", mermaid_escape(&pretty::expr(form, w))));
            optional.push(format!("s{i}"));
        }
        if s.kind == StepKind::Exit {
            out.push_str(&format!("    s{i}([\"{label}\"])\n"));
            exits.push(format!("s{i}"));
        } else {
            out.push_str(&format!("    s{i}[\"{label}\"]\n"));
        }
    }
    out.push_str("    summary[[\"Summary<br/>(summary)\"]]\n");
    for (i, s) in form.steps().iter().enumerate() {
        for (n, b) in s.next.iter().enumerate() {
            let to = match b.target {
                Target::Step(t) => format!("s{}", t.ix()),
                Target::Summary => "summary".into(),
            };
            match edge_label(form, &s.next, n) {
                Some(l) => out.push_str(&format!("    s{i} -->|\"{}\"| {to}\n", mermaid_escape(&l))),
                None => out.push_str(&format!("    s{i} --> {to}\n")),
            }
        }
    }
    out.push_str("    classDef exit fill:#fde8e8,stroke:#b42318,stroke-width:2px\n");
    out.push_str("    classDef optional stroke-dasharray:5 5\n");
    out.push_str("    classDef summary fill:#e8f5e9,stroke:#1b5e20,stroke-width:2px\n");
    if !exits.is_empty() {
        out.push_str(&format!("    class {} exit\n", exits.join(",")));
    }
    if !optional.is_empty() {
        out.push_str(&format!("    class {} optional\n", optional.join(",")));
    }
    out.push_str("    class summary summary\n");
    out
}

/// A Graphviz quoted string: backslashes and quotes escaped, line breaks as `\n`.
fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The Graphviz graph.
pub fn dot(form: &Form) -> String {
    let mut out = format!("digraph {} {{\n", dot_quote(form.id()));
    out.push_str("    rankdir=TB;\n    node [shape=box, style=rounded, fontname=\"sans-serif\"];\n    edge [fontname=\"sans-serif\", fontsize=10];\n");
    for (i, s) in form.steps().iter().enumerate() {
        let mut label = format!("{}\n({})", title(form, i), s.id);
        let mut attrs = Vec::new();
        if let Some(w) = &s.when {
            label.push_str(&format!("\nonly if: {}", pretty::expr(form, w)));
            attrs.push("style=\"rounded,dashed\"".to_string());
        }
        if s.kind == StepKind::Exit {
            attrs.push("shape=doubleoctagon, class=exit, color=\"#b42318\"".into());
        }
        let extra = if attrs.is_empty() { String::new() } else { format!(", {}", attrs.join(", ")) };
        out.push_str(&format!("    {} [label={}{extra}];\n", dot_quote(&s.id), dot_quote(&label)));
    }
    out.push_str("    \"summary\" [label=\"Summary\", shape=doublecircle, class=summary];\n");
    for s in form.steps() {
        for (n, b) in s.next.iter().enumerate() {
            let to = match b.target {
                Target::Step(t) => form.steps()[t.ix()].id.as_str(),
                Target::Summary => "summary",
            };
            match edge_label(form, &s.next, n) {
                Some(l) => out.push_str(&format!("    {} -> {} [label={}];\n", dot_quote(&s.id), dot_quote(to), dot_quote(&l))),
                None => out.push_str(&format!("    {} -> {};\n", dot_quote(&s.id), dot_quote(to))),
            }
        }
    }
    out.push_str("}\n");
    out
}
