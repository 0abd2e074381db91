//! A terminal assistant: walks a person through a form question by question.
//!
//! `terminal FORM.yaml [--lang de|en] [--today YYYY-MM-DD]`
//!
//! Uses only the engine's public API: compile, a [`Session`], `set_answer`, the path,
//! activity, problems, rendered texts and the submission document.

use std::collections::HashSet;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use chrono::NaiveDate;
use engine::form::{Display, FieldType, Format, StepKind, Target};
use engine::ids::{FieldId, StepId};
use engine::session::{BudgetExhausted, Input, Instance, Session};
use engine::value::{FileRef, Value};

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

impl<'f, R: BufRead> Term<'f, R> {
    fn run(&mut self, today: NaiveDate) -> Result<(), Stop> {
        let form = self.s.form();
        let mut done: HashSet<StepId> = HashSet::new();
        // The path may change with every answer: always take the first step on the current
        // path that has not been asked yet.
        while let Some(step) = self.s.path()?.iter().copied().find(|st| !done.contains(st)) {
            done.insert(step);
            let st = form.step(step);
            if st.kind == StepKind::Exit {
                continue;
            }
            println!();
            match &st.title {
                Some(t) => println!("== {} ==", self.s.render(t, None)),
                None => println!("== {} ==", st.id),
            }
            if let Some(t) = &st.text {
                println!("{}", self.s.render(t, None));
            }
            for f in st.fields.clone() {
                self.field(f, None)?;
            }
            // Step rules (cross-field checks) are reported, not re-asked.
            for p in self.s.step_problems(step)? {
                if p.field.is_none() {
                    println!("  ! {}", p.message);
                }
            }
        }
        match self.s.path_end()? {
            Target::Step(exit) => {
                let st = form.step(exit);
                println!();
                if let Some(t) = &st.title {
                    println!("== {} ==", self.s.render(t, None));
                }
                if let Some(t) = &st.text {
                    println!("{}", self.s.render(t, None));
                }
            }
            Target::Summary => self.summary(today)?,
        }
        Ok(())
    }

    fn label(&mut self, f: FieldId, entry: Option<u32>) -> String {
        let field = self.s.form().field(f);
        match &field.label {
            Some(l) => self.s.render(l, entry),
            None => field.id.clone(),
        }
    }

    /// Asks one field (a group: its members), if it is active.
    fn field(&mut self, f: FieldId, entry: Option<u32>) -> Result<(), Stop> {
        let form = self.s.form();
        let field = form.field(f);
        let inst = Instance { field: f, entry };
        if field.is_repeated() {
            return self.repeated(f);
        }
        let active = self.s.is_active(inst) || (entry.is_some() && self.entry_blank(f, entry) && field.visible_if.is_none());
        if !active {
            return Ok(());
        }
        match field.ty {
            FieldType::Group => {
                println!("-- {} --", self.label(f, entry));
                for m in field.members.clone() {
                    self.field(m, entry)?;
                }
                Ok(())
            }
            FieldType::Info => {
                if let Some(t) = &field.text {
                    println!("  i {}", self.s.render(t, entry));
                }
                Ok(())
            }
            FieldType::Computed => {
                let v = self.s.value(inst);
                if !v.is_empty() {
                    let shown = self.show(f, &v, entry);
                    println!("  {}: {shown}", self.label(f, entry));
                }
                Ok(())
            }
            _ => self.ask(f, entry),
        }
    }

    /// Whether the entry of `f`'s repeated group has no answers yet (its members are then
    /// inactive, docs/form-language.md#groups-and-repeated-groups, but still to be asked).
    fn entry_blank(&self, f: FieldId, entry: Option<u32>) -> bool {
        let (Some(g), Some(e)) = (self.s.form().field(f).repeat_group, entry) else { return false };
        // The group's own path carries no entry number: `hund` → `hund.0.`.
        let prefix = format!("{}.{e}.", self.s.path_of(Instance { field: g, entry: Some(e) }));
        !self.s.answers().keys().any(|k| k.starts_with(&prefix))
    }

    fn repeated(&mut self, g: FieldId) -> Result<(), Stop> {
        let form = self.s.form();
        let field = form.field(g);
        if !self.s.is_active(Instance { field: g, entry: None }) {
            return Ok(());
        }
        let max = field.repeat.as_ref().and_then(|r| r.max);
        let mut e = 0;
        loop {
            if e >= self.s.entry_count(g) && !self.s.add_entry(g) {
                break;
            }
            println!("-- {} --", self.label(g, Some(e)));
            for m in field.members.clone() {
                self.field(m, Some(e))?;
            }
            e += 1;
            if max.is_some_and(|m| e >= m) {
                break;
            }
            if e < self.s.entry_count(g) {
                continue;
            }
            let q = match field.repeat.as_ref().and_then(|r| r.add_label.as_ref()) {
                Some(l) => format!("{}?", self.s.render(l, None)),
                None => (if self.de { "Weiteren Eintrag hinzufügen?" } else { "Add an entry?" }).to_string(),
            };
            print!("{q} {} ", if self.de { "(j/n)" } else { "(y/n)" });
            let line = self.line()?;
            if !matches!(line.trim().to_lowercase().as_str(), "j" | "ja" | "y" | "yes") {
                break;
            }
        }
        // The count check of the group itself.
        let path = self.s.path_of(Instance { field: g, entry: None });
        for p in self.s.step_problems(field.step)? {
            if p.field.as_deref() == Some(path.as_str()) {
                println!("  ! {}", p.message);
            }
        }
        Ok(())
    }

    fn line(&mut self) -> Result<String, Stop> {
        io::stdout().flush().ok();
        let mut l = String::new();
        match self.input.read_line(&mut l) {
            Ok(0) | Err(_) => Err(Stop::Eof),
            Ok(_) => Ok(l.trim_end_matches(['\n', '\r']).to_string()),
        }
    }

    /// Asks an input field until it has no problems (or the person skips it with `-`).
    fn ask(&mut self, f: FieldId, entry: Option<u32>) -> Result<(), Stop> {
        let form = self.s.form();
        let field = form.field(f);
        let path = self.s.path_of(Instance { field: f, entry });
        loop {
            println!("{}", self.label(f, entry));
            if let Some(h) = &field.hint {
                println!("  ({})", self.s.render(h, entry));
            }
            let offered: Vec<usize> = (0..field.options.len()).filter(|i| self.s.option_shown(f, entry, *i)).collect();
            for (n, i) in offered.iter().enumerate() {
                let o = &field.options[*i];
                println!("  {}) {}", n + 1, self.s.render(&o.label, entry));
            }
            match field.ty {
                FieldType::Boolean | FieldType::Consent => print!("  (j/n) > "),
                FieldType::MultiChoice => print!("  (1,3,…) > "),
                FieldType::File => print!("  (Dateipfad / file path) > "),
                _ => print!("> "),
            }
            let line = self.line()?;
            let line = line.trim();
            let input = if line.is_empty() || line == "-" { None } else { Some(self.input_for(f, line, &offered)) };
            if let Err(e) = self.s.set_answer(&path, input) {
                println!("  ! {e}");
                continue;
            }
            let problems: Vec<_> =
                self.s.step_problems(field.step)?.into_iter().filter(|p| p.field.as_deref() == Some(path.as_str())).collect();
            if problems.is_empty() {
                return Ok(());
            }
            // Re-ask; a required field cannot be skipped with `-`.
            for p in &problems {
                println!("  ! {}", p.message);
            }
        }
    }

    /// The raw input for what the person typed.
    fn input_for(&self, f: FieldId, line: &str, offered: &[usize]) -> Input {
        let field = self.s.form().field(f);
        let pick = |t: &str| -> String {
            match t.trim().parse::<usize>() {
                Ok(n) if n >= 1 && n <= offered.len() => field.options[offered[n - 1]].value.clone(),
                _ => t.trim().to_string(),
            }
        };
        match field.ty {
            FieldType::Boolean | FieldType::Consent => match line.to_lowercase().as_str() {
                "j" | "y" => Input::Bool(true),
                "n" => Input::Bool(false),
                other => Input::Text(other.to_string()),
            },
            FieldType::Choice => Input::Text(pick(line)),
            FieldType::MultiChoice => Input::List(line.split(',').filter(|t| !t.trim().is_empty()).map(pick).collect()),
            FieldType::File => {
                let size = std::fs::metadata(line).map(|m| m.len()).unwrap_or(0);
                let name = std::path::Path::new(line).file_name().map_or(line.to_string(), |n| n.to_string_lossy().into_owned());
                let ext = name.rsplit('.').next().unwrap_or("").to_lowercase();
                let mime = match ext.as_str() {
                    "pdf" => "application/pdf",
                    "jpg" | "jpeg" => "image/jpeg",
                    "png" => "image/png",
                    _ => "application/octet-stream",
                };
                Input::File(FileRef { name, size, mime: mime.to_string() })
            }
            _ => Input::Text(line.to_string()),
        }
    }

    /// A value for reading.
    fn show(&mut self, f: FieldId, v: &Value, entry: Option<u32>) -> String {
        let field = self.s.form().field(f);
        let how = match field.ty {
            FieldType::Choice | FieldType::MultiChoice => Display::Choice(f),
            FieldType::Money => Display::Money,
            FieldType::Computed if field.format == Some(Format::Money) => Display::Money,
            _ => Display::Plain,
        };
        self.s.display(v, how, entry)
    }

    fn summary(&mut self, today: NaiveDate) -> Result<(), Stop> {
        let form = self.s.form();
        println!();
        println!("{}", if self.de { "== Ihre Angaben ==" } else { "== Your answers ==" });
        for step in self.s.path()?.to_vec() {
            for f in form.step(step).fields.clone() {
                self.summary_field(f, None);
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

    fn summary_field(&mut self, f: FieldId, entry: Option<u32>) {
        let form = self.s.form();
        let field = form.field(f);
        if field.is_repeated() {
            for e in 0..self.s.entry_count(f) {
                for m in field.members.clone() {
                    self.summary_field(m, Some(e));
                }
            }
            return;
        }
        let inst = Instance { field: f, entry };
        if !self.s.is_active(inst) {
            return;
        }
        match field.ty {
            FieldType::Group => {
                for m in field.members.clone() {
                    self.summary_field(m, entry);
                }
            }
            FieldType::Info => {}
            _ => {
                let v = self.s.value(inst);
                if !v.is_empty() {
                    let shown = self.show(f, &v, entry);
                    println!("  {}: {shown}", self.label(f, entry));
                }
            }
        }
    }
}
