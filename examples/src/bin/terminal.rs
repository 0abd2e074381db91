//! A terminal assistant: walks a person through a form question by question.
//!
//! `terminal FORM.yaml [--lang de|en] [--today YYYY-MM-DD]`
//!
//! Uses only the engine's facade (no feature `internals`): [`engine::compile`], a
//! [`Session`] with `set_answer` and `add_entry`, the path, and the view model
//! ([`Session::step_view`], [`Session::summary_view`]) for everything it shows: which
//! questions a step asks now, their labels, hints, offered options, computed values as
//! shown, problems, and the summary. The view is fetched anew after every answer, because
//! an answer may show or hide questions and change the path.

use std::collections::HashSet;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use chrono::NaiveDate;
use engine::view::{FieldKind, FieldView, StepView};
use engine::{BudgetExhausted, FileRef, Input, Session, StepId, Target};

/// Why the conversation stops early.
enum Stop {
    /// The end of input: the person closed stdin.
    Eof,
    /// The evaluation budget ran out (`Session::set_step_budget`; this example sets none,
    /// so it does not happen, but every query that evaluates says so when it does).
    OverBudget,
}

impl From<BudgetExhausted> for Stop {
    fn from(_: BudgetExhausted) -> Self {
        Stop::OverBudget
    }
}

struct Term<'f, R> {
    s: Session<'f>,
    input: R,
    de: bool,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut file = None;
    let mut lang = "de".to_string();
    let mut today = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--lang" => lang = it.next().unwrap_or_default(),
            "--today" => today = it.next(),
            _ if file.is_none() && !a.starts_with("--") => file = Some(a),
            _ => return usage(),
        }
    }
    let Some(file) = file else { return usage() };
    let today = match today {
        Some(t) => match NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                eprintln!("--today: expected YYYY-MM-DD, got `{t}`");
                return ExitCode::from(2);
            }
        },
        None => {
            let d = system_today();
            println!("(today: {d})");
            d
        }
    };
    let src = match std::fs::read_to_string(&file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{file}: {e}");
            return ExitCode::from(2);
        }
    };
    let compiled = engine::compile(&src);
    for d in &compiled.diagnostics {
        eprintln!("{file}:{}:{}: {:?}: {}", d.span.start.line, d.span.start.column, d.severity, d.message);
    }
    let Some(form) = compiled.form.as_ref().filter(|_| !compiled.has_errors()) else {
        return ExitCode::from(1);
    };
    let s = Session::new(form, &lang, today);
    let de = s.language() == "de";
    let stdin = io::stdin();
    let mut t = Term { s, input: stdin.lock(), de };
    match t.run(today) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Stop::OverBudget) => {
            eprintln!("the form is too costly to evaluate");
            ExitCode::from(1)
        }
        Err(Stop::Eof) => {
            println!();
            println!("{}", if t.de { "(Eingabe beendet – nichts abgeschickt.)" } else { "(End of input – nothing submitted.)" });
            ExitCode::SUCCESS
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: terminal FORM.yaml [--lang de|en] [--today YYYY-MM-DD]");
    ExitCode::from(2)
}

/// Today from the system clock (UTC), without chrono's clock feature.
fn system_today() -> NaiveDate {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    epoch + chrono::Days::new(secs / 86_400)
}

/// What to do next on a step, found in its view in page order.
enum Next {
    /// Print the heading of a group or of an entry of a repeated group.
    Heading { key: String, text: String },
    /// Ask an input field.
    Ask(FieldView),
    /// Print a text or a computed value.
    Show(FieldView),
    /// A repeated group without entries: add the first one.
    FirstEntry(FieldView),
    /// Every entry of a repeated group was asked: offer another (when it may have one) and
    /// report the group's own problems (its count check).
    MoreEntries(FieldView),
}

/// The first thing not yet done on a step (`done` holds the instance paths asked or shown,
/// and `heading:PATH` for the headings printed), in page order. Hidden instances are
/// skipped; a member of a blank entry is shown (it is still to be asked).
fn next_on(fields: &[FieldView], done: &HashSet<String>) -> Option<Next> {
    for f in fields {
        if !f.shown {
            continue;
        }
        match f.kind {
            FieldKind::Group => {
                let key = format!("heading:{}", f.path);
                if !done.contains(&key) {
                    let text = if f.label.is_empty() { f.id.clone() } else { f.label.clone() };
                    return Some(Next::Heading { key, text });
                }
                if let Some(n) = next_on(&f.members, done) {
                    return Some(n);
                }
            }
            FieldKind::Repeat => {
                if done.contains(&f.path) {
                    continue;
                }
                for e in &f.entries {
                    let key = format!("heading:{}", e.path);
                    if !done.contains(&key) {
                        return Some(Next::Heading { key, text: e.legend.clone() });
                    }
                    if let Some(n) = next_on(&e.fields, done) {
                        return Some(n);
                    }
                }
                return Some(if f.entries.is_empty() && f.can_add { Next::FirstEntry(f.clone()) } else { Next::MoreEntries(f.clone()) });
            }
            _ if done.contains(&f.path) => {}
            FieldKind::Info | FieldKind::Computed => return Some(Next::Show(f.clone())),
            _ => return Some(Next::Ask(f.clone())),
        }
    }
    None
}

/// The instance at `path` in a view.
fn find<'v>(view: &'v StepView, path: &str) -> Option<&'v FieldView> {
    view.instances().into_iter().find(|f| f.path == path)
}

/// A field's question: its label, its id without one.
fn label(f: &FieldView) -> &str {
    if f.label.is_empty() { &f.id } else { &f.label }
}

impl<'f, R: BufRead> Term<'f, R> {
    fn run(&mut self, today: NaiveDate) -> Result<(), Stop> {
        let mut done: HashSet<StepId> = HashSet::new();
        // The path may change with every answer: always take the first step on the current
        // path that has not been asked yet.
        while let Some(step) = self.s.path()?.iter().copied().find(|st| !done.contains(st)) {
            done.insert(step);
            let view = self.s.step_view(step)?;
            if view.exit {
                continue;
            }
            println!();
            println!("== {} ==", if view.title.is_empty() { &view.step } else { &view.title });
            if let Some(t) = &view.text {
                println!("{t}");
            }
            self.step(step)?;
            // Step rules (cross-field checks) are reported, not re-asked.
            for p in self.s.step_view(step)?.problems {
                if p.field.is_none() {
                    println!("  ! {}", p.message);
                }
            }
        }
        match self.s.path_end()? {
            Target::Step(exit) => {
                let view = self.s.step_view(exit)?;
                println!();
                if !view.title.is_empty() {
                    println!("== {} ==", view.title);
                }
                if let Some(t) = &view.text {
                    println!("{t}");
                }
            }
            Target::Summary => self.summary(today)?,
            // `Target` may grow (it is `#[non_exhaustive]` for an embedding); a path that ends
            // elsewhere has nothing to show here. Inside this workspace the engine's feature
            // `internals` is on for every crate, which makes the enum exhaustive there.
            #[allow(unreachable_patterns)]
            _ => {}
        }
        Ok(())
    }

    /// Asks a step's questions one by one, taking the view anew after each answer (an
    /// answer may show or hide the questions after it), until nothing is left to ask or
    /// the step is no longer on the path.
    fn step(&mut self, step: StepId) -> Result<(), Stop> {
        let mut done: HashSet<String> = HashSet::new();
        loop {
            let view = self.s.step_view(step)?;
            if !view.on_path {
                return Ok(());
            }
            let Some(next) = next_on(&view.fields, &done) else { return Ok(()) };
            match next {
                Next::Heading { key, text } => {
                    println!("-- {text} --");
                    done.insert(key);
                }
                Next::Show(f) => {
                    match f.kind {
                        FieldKind::Info => println!("  i {}", f.text.as_deref().unwrap_or_default()),
                        _ if !f.value.is_empty() => println!("  {}: {}", label(&f), f.value),
                        _ => {}
                    }
                    done.insert(f.path);
                }
                Next::Ask(f) if f.locked => {
                    // Locked to the citizen's account: shown, not asked.
                    println!("  {}: {}", label(&f), f.value);
                    done.insert(f.path);
                }
                Next::Ask(f) => {
                    if self.ask(step, &f)? {
                        done.insert(f.path);
                    }
                }
                Next::FirstEntry(g) => self.add_entry(&g, &mut done),
                Next::MoreEntries(g) => {
                    if g.can_add && self.more(&g)? {
                        self.add_entry(&g, &mut done);
                        continue;
                    }
                    // The count check of the group itself, from a fresh view.
                    let view = self.s.step_view(step)?;
                    for p in find(&view, &g.path).map(|g| g.problems.as_slice()).unwrap_or_default() {
                        println!("  ! {}", p.message);
                    }
                    done.insert(g.path);
                }
            }
        }
    }

    /// Adds an entry to the repeated group `g`; when it cannot have one, it is done.
    fn add_entry(&mut self, g: &FieldView, done: &mut HashSet<String>) {
        let added = self.s.form().field_by_id(&g.id).is_some_and(|id| self.s.add_entry(id));
        if !added {
            done.insert(g.path.clone());
        }
    }

    /// Whether the person wants another entry of the repeated group `g`.
    fn more(&mut self, g: &FieldView) -> Result<bool, Stop> {
        let q = match &g.add_label {
            Some(l) => format!("{l}?"),
            None => (if self.de { "Weiteren Eintrag hinzufügen?" } else { "Add an entry?" }).to_string(),
        };
        print!("{q} {} ", if self.de { "(j/n)" } else { "(y/n)" });
        let line = self.line()?;
        Ok(matches!(line.trim().to_lowercase().as_str(), "j" | "ja" | "y" | "yes"))
    }

    fn line(&mut self) -> Result<String, Stop> {
        io::stdout().flush().ok();
        let mut l = String::new();
        match self.input.read_line(&mut l) {
            Ok(0) | Err(_) => Err(Stop::Eof),
            Ok(_) => Ok(l.trim_end_matches(['\n', '\r']).to_string()),
        }
    }

    /// Asks an input field once: true when it then has no problems (the person may skip an
    /// optional one with `-` or an empty line), false when it is to be asked again.
    fn ask(&mut self, step: StepId, f: &FieldView) -> Result<bool, Stop> {
        println!("{}", label(f));
        if let Some(h) = &f.hint {
            println!("  ({h})");
        }
        // Yes/no is answered with j/n, not by number.
        let offered: Vec<&str> = if f.kind == FieldKind::Boolean {
            Vec::new()
        } else {
            f.options.iter().filter(|o| o.shown).map(|o| o.value.as_str()).collect()
        };
        for (n, o) in f.options.iter().filter(|o| !offered.is_empty() && o.shown).enumerate() {
            println!("  {}) {}", n + 1, o.label);
        }
        match f.kind {
            FieldKind::Boolean | FieldKind::Consent => print!("  (j/n) > "),
            FieldKind::Checkboxes => print!("  (1,3,…) > "),
            FieldKind::File => print!("  (Dateipfad / file path) > "),
            _ => print!("> "),
        }
        let line = self.line()?;
        let line = line.trim();
        let input = if line.is_empty() || line == "-" { None } else { Some(input_for(f.kind, line, &offered)) };
        if let Err(e) = self.s.set_answer(&f.path, input) {
            println!("  ! {e}");
            return Ok(false);
        }
        let view = self.s.step_view(step)?;
        let problems = find(&view, &f.path).map(|f| f.problems.as_slice()).unwrap_or_default();
        // Re-ask; a required field cannot be skipped with `-`.
        for p in problems {
            println!("  ! {}", p.message);
        }
        Ok(problems.is_empty())
    }

    fn summary(&mut self, today: NaiveDate) -> Result<(), Stop> {
        println!();
        println!("{}", if self.de { "== Ihre Angaben ==" } else { "== Your answers ==" });
        for step in self.s.summary_view()?.steps {
            for block in step.blocks {
                // An entry of a repeated group: its heading, its answers indented below it.
                let indent = if let Some(h) = &block.heading {
                    println!("  -- {h} --");
                    "    "
                } else {
                    "  "
                };
                for row in block.rows {
                    println!("{indent}{}: {}", row.label, row.value);
                }
            }
        }
        if self.s.is_submittable()? {
            let at = format!("{}T12:00:00+01:00", today.format("%Y-%m-%d"));
            let doc = self.s.submission(&at, "DEMO-1")?;
            println!();
            println!("{}", if self.de { "== Antrag (JSON) ==" } else { "== Submission (JSON) ==" });
            println!("{}", serde_json::to_string_pretty(&doc).expect("serialisable"));
        } else {
            println!();
            println!(
                "{}",
                if self.de { "Der Antrag kann noch nicht abgeschickt werden:" } else { "The application cannot be submitted yet:" }
            );
            for p in self.s.problems()? {
                println!("  ! {} ({}): {}", p.field.unwrap_or_default(), p.step, p.message);
            }
        }
        Ok(())
    }
}

/// The raw input for what the person typed; `offered` are the values of the options
/// offered, in the order they were numbered.
fn input_for(kind: FieldKind, line: &str, offered: &[&str]) -> Input {
    let pick = |t: &str| -> String {
        match t.trim().parse::<usize>() {
            Ok(n) if n >= 1 && n <= offered.len() => offered[n - 1].to_string(),
            _ => t.trim().to_string(),
        }
    };
    match kind {
        FieldKind::Boolean | FieldKind::Consent => match line.to_lowercase().as_str() {
            "j" | "y" => Input::Bool(true),
            "n" => Input::Bool(false),
            other => Input::Text(other.to_string()),
        },
        FieldKind::Radios | FieldKind::Select => Input::Text(pick(line)),
        FieldKind::Checkboxes => Input::List(line.split(',').filter(|t| !t.trim().is_empty()).map(pick).collect()),
        FieldKind::File => {
            let size = std::fs::metadata(line).map(|m| m.len()).unwrap_or(0);
            let name = std::path::Path::new(line).file_name().map_or(line.to_string(), |n| n.to_string_lossy().into_owned());
            let ext = name.rsplit('.').next().unwrap_or("").to_lowercase();
            let mime = match ext.as_str() {
                "pdf" => "application/pdf",
                "jpg" | "jpeg" => "image/jpeg",
                "png" => "image/png",
                _ => "application/octet-stream",
            };
            Input::File(Box::new(FileRef { name, size, mime: mime.to_string() }))
        }
        _ => Input::Text(line.to_string()),
    }
}
