//! `wegweiser routes FILE [--max N]`: every distinct route through the step graph (docs/form-language.md#the-step-graph) from
//! the first step to the summary or an exit step, with the conditions that select it.
//!
//! A route is a sequence of `next` branches, one per step it passes. For each step on a
//! route the listing shows the condition of the branch taken — for the plain `goto` after
//! conditional branches, `otherwise:` and the negation of those branches — and a step with
//! `when` is marked optional (`step?`, `(if …)`). At most `--max` routes (default 100) are
//! listed; all are counted. Which routes are impossible and which questions no route
//! reaches is the engine's analysis (`engine::analysis::routes`); this module prints it.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use engine::analysis::pretty;
use engine::analysis::routes::{ANALYSIS_LIMIT, Route, analyse};
use engine::form::{Form, StepKind, Target};

use super::Exit;
use super::graph::load;

/// Arguments of `wegweiser routes`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The form file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// List at most this many routes (they are all counted).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max: usize,
}

/// Runs the command.
pub fn run(args: &Args) -> Exit {
    let form = match load(&args.file) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let out = report(&form, args.max);
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Ok(()) => Exit::Ok,
        Err(_) => Exit::Failure,
    }
}

/// What one route needs at each step, as lines.
fn route_lines(form: &Form, route: &Route) -> Vec<String> {
    let mut lines = Vec::new();
    for &(s, n) in &route.taken {
        let step = &form.steps()[s];
        let to = match step.next[n].target {
            Target::Summary => "summary".to_string(),
            Target::Step(t) => form.steps()[t.ix()].id.clone(),
        };
        let when = step.when.as_ref().map(|w| format!(" (if {})", pretty::expr(form, w))).unwrap_or_default();
        let cond = match &step.next[n].cond {
            Some(c) => Some(format!("if {}", pretty::expr(form, c))),
            None if n > 0 => {
                let earlier: Vec<String> = step.next[..n]
                    .iter()
                    .filter_map(|b| b.cond.as_ref())
                    .map(|c| {
                        let t = pretty::expr(form, c);
                        if t.contains(' ') { format!("not ({t})") } else { format!("not {t}") }
                    })
                    .collect();
                Some(format!("otherwise: {}", earlier.join(" and ")))
            }
            None => None,
        };
        if cond.is_none() && when.is_empty() {
            continue;
        }
        let mut line = format!("{}{when} → {to}", step.id);
        if let Some(c) = cond {
            line.push_str("  ");
            line.push_str(&c);
        }
        lines.push(line);
    }
    if let Some(e) = route.exit
        && let Some(w) = &form.steps()[e].when
    {
        lines.push(format!("{} (if {}) is the end", form.steps()[e].id, pretty::expr(form, w)));
    }
    lines
}

fn route_path(form: &Form, route: &Route) -> String {
    let mut parts: Vec<String> = route
        .steps()
        .into_iter()
        .map(|s| {
            let st = &form.steps()[s];
            let mut p = st.id.clone();
            if st.when.is_some() {
                p.push('?');
            }
            if st.kind == StepKind::Exit {
                p.push_str(" (exit)");
            }
            p
        })
        .collect();
    if route.exit.is_none() {
        parts.push("summary".into());
    }
    parts.join(" → ")
}

/// The report `routes` prints.
pub fn report(form: &Form, max: usize) -> String {
    let f = analyse(form);
    let mut out = String::new();
    let impossible = f.routes.iter().filter(|(_, w)| w.is_some()).count();
    let total = if f.total == u128::MAX { format!("at least {}", u128::MAX) } else { f.total.to_string() };
    let _ = write!(out, "{}: {total} route{}", form.id(), if f.total == 1 { "" } else { "s" });
    if f.complete {
        let _ = writeln!(out, ", {impossible} impossible");
    } else {
        let _ = writeln!(out, "; the first {} analysed, {impossible} of them impossible", f.routes.len());
    }
    let mut listed = 0usize;
    for (n, (r, why)) in f.routes.iter().enumerate().take(max) {
        listed += 1;
        let _ = writeln!(out, "\nroute {}: {}", n + 1, route_path(form, r));
        for l in route_lines(form, r) {
            let _ = writeln!(out, "    {l}");
        }
        if let Some(w) = why {
            let _ = writeln!(out, "    IMPOSSIBLE: {w}");
        }
    }
    let more = f.total.saturating_sub(listed as u128);
    if more > 0 {
        let _ = writeln!(out, "\n… and {more} more route{} ({total} in all)", if more == 1 { "" } else { "s" });
    }
    if !f.complete {
        let _ = writeln!(out, "\nQuestions no route reaches: not analysed (more than {ANALYSIS_LIMIT} routes)");
    } else if f.unreached.is_empty() {
        let _ = writeln!(out, "\nQuestions no route reaches: none");
    } else {
        let _ = writeln!(out, "\nQuestions no route reaches:");
        for u in &f.unreached {
            let _ = writeln!(out, "    {} (step `{}`): {}", u.field, u.step, u.why);
        }
    }
    out
}
