//! Target `session`: a bundled form and a sequence of answer changes → `Session`,
//! checked differentially.
//!
//! The input (structured with `arbitrary`) picks a form, a language and a list of
//! operations: set a field (a value from a pool of valid and invalid answers for its type,
//! one of its options, or any text), clear it, add or remove an entry of a repeated group,
//! switch the language. After each operation that asks for it (and after the last), the
//! incrementally updated session is compared with a fresh session restored from the same
//! answers and entries: the path, every field instance's activity, visibility, value and
//! offered options, every named value, the problems, submittability and the submission
//! document. Any difference panics with the differing lines.

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use chrono::{Days, NaiveDate};
use engine::form::{FieldType, Form};
use engine::ids::{FieldId, StepId, ValueId};
use engine::session::{Input, Instance, Session};
use engine::value::FileRef;

/// One fuzz input.
#[derive(Debug, Arbitrary)]
pub struct Plan {
    form: u8,
    english: bool,
    ops: Vec<Op>,
}

/// One change, and whether to compare with a fresh session after it.
#[derive(Debug, Arbitrary)]
pub struct Op {
    kind: OpKind,
    compare: bool,
}

#[derive(Debug, Arbitrary)]
enum OpKind {
    Set { field: u16, entry: u8, value: Val },
    Clear { field: u16, entry: u8 },
    AddEntry { group: u8 },
    RemoveEntry { group: u8, index: u8 },
    Language { english: bool },
}

#[derive(Debug, Arbitrary)]
enum Val {
    /// A value from the pool for the field's type (mostly valid ones).
    Pool(u8),
    /// One of the field's options (a subset of them for a multi choice: the bits).
    Option(u8),
    /// Any text.
    Text(String),
    /// Yes or no.
    Bool(bool),
    /// A number as people type it, in German or English spelling.
    Number { whole: i32, cents: u8, german: bool },
    /// A date relative to today, in ISO or German spelling.
    Date { days: i16, german: bool },
    /// A file of one of the accepted types (or not).
    File { kind: u8, size: u32 },
    /// Options given as texts (a multi choice with values that may not exist).
    List(Vec<String>),
}

fn forms() -> &'static [Form] {
    static FORMS: OnceLock<Vec<Form>> = OnceLock::new();
    FORMS.get_or_init(crate::forms::compile_all)
}

/// Pools of answers by type: valid ones first, then invalid ones.
fn pool(ty: FieldType) -> &'static [&'static str] {
    match ty {
        FieldType::Email => &["erika@example.org", "max.mustermann@example.de", "kein-at.example.org", "a@b"],
        FieldType::Phone => &["+49 2541 12345", "02541/123-45", "(0251) 123456", "12", "+49 abc"],
        FieldType::Plz => &["48653", "01067", "54634", "99999", "1234", "00000"],
        FieldType::Iban => {
            &["DE89370400440532013000", "DE02120300000000202051", "DE89 3704 0044 0532 0130 00", "DE00 0000", "GB82WEST12345698765432"]
        }
        FieldType::SteuerId => &["65929970489", "86095742719", "12345678901", "0123"],
        FieldType::Number | FieldType::Integer | FieldType::Money => {
            &["0", "1", "3", "12,5", "1.234,56", "-4", "1e3", "12,345", "99999999999999999999999999999"]
        }
        FieldType::Date => &["2026-11-22", "1.1.1990", "29.2.2024", "31.2.2020", "2100-01-01", "1800-01-01"],
        _ => &["Erika", "Müller-Lüdenscheidt GmbH", "Marktplatz 1", "HRB 1234", "   ", "1.5x??", "x"],
    }
}

fn today() -> NaiveDate {
    crate::forms::today()
}

/// The raw input a `Val` means for a field, of a kind the field can hold (`restore` keeps
/// only such answers: a yes/no only for a boolean or consent, a list only for a multi
/// choice, a file only for a file field, text for any other).
fn input_for(form: &Form, f: FieldId, val: &Val) -> Option<Input> {
    let ty = form.field(f).ty;
    let input = match raw_input(form, f, val)? {
        Input::Bool(b) if !matches!(ty, FieldType::Boolean | FieldType::Consent) => Input::Text(b.to_string()),
        Input::List(l) if ty != FieldType::MultiChoice => Input::Text(l.join(",")),
        Input::File(file) if ty != FieldType::File => Input::Text(file.name),
        input => input,
    };
    match input {
        Input::Text(_) if ty == FieldType::File => None,
        input => Some(input),
    }
}

fn raw_input(form: &Form, f: FieldId, val: &Val) -> Option<Input> {
    let field = form.field(f);
    let text = |s: &str| Some(Input::Text(s.to_string()));
    Some(match val {
        Val::Pool(i) => match field.ty {
            FieldType::Boolean | FieldType::Consent => Input::Bool(i % 2 == 0),
            FieldType::File => return raw_input(form, f, &Val::File { kind: *i, size: 1000 }),
            FieldType::Choice | FieldType::MultiChoice => return raw_input(form, f, &Val::Option(*i)),
            ty => {
                let p = pool(ty);
                return text(p[usize::from(*i) % p.len()]);
            }
        },
        Val::Option(i) => {
            let opts = &field.options;
            if opts.is_empty() {
                return text(&i.to_string());
            }
            if field.ty == FieldType::MultiChoice {
                Input::List(opts.iter().enumerate().filter(|(k, _)| i & (1 << (k % 8)) != 0).map(|(_, o)| o.value.clone()).collect())
            } else {
                Input::Text(opts[usize::from(*i) % opts.len()].value.clone())
            }
        }
        Val::Text(s) => Input::Text(s.clone()),
        Val::Bool(b) => Input::Bool(*b),
        Val::Number { whole, cents, german } => {
            let c = cents % 100;
            Input::Text(if *german { format!("{whole},{c:02}") } else { format!("{whole}.{c:02}") })
        }
        Val::Date { days, german } => {
            let d = if *days >= 0 {
                today().checked_add_days(Days::new(u64::from(days.unsigned_abs())))
            } else {
                today().checked_sub_days(Days::new(u64::from(days.unsigned_abs())))
            }?;
            Input::Text(if *german { d.format("%-d.%-m.%Y").to_string() } else { d.format("%Y-%m-%d").to_string() })
        }
        Val::File { kind, size } => {
            let mimes = ["application/pdf", "image/jpeg", "image/png", "text/plain"];
            let mime = if !field.accept.is_empty() && kind % 4 != 3 {
                field.accept[usize::from(*kind) % field.accept.len()].clone()
            } else {
                mimes[usize::from(*kind) % mimes.len()].to_string()
            };
            Input::File(Box::new(FileRef { name: format!("nachweis{kind}"), size: u64::from(*size), mime }))
        }
        Val::List(items) => Input::List(items.clone()),
    })
}

/// What a front end can observe of a session, one line per fact.
fn observe(s: &Session<'_>) -> Vec<String> {
    let form = s.form();
    let mut out = Vec::new();
    out.push(format!("language {}", s.language()));
    // The sessions here have no evaluation budget: `BudgetExhausted` would be a finding.
    const NO_BUDGET: &str = "a session without a budget answers";
    let path: Vec<&str> = s.path().expect(NO_BUDGET).iter().map(|st| form.step(*st).id.as_str()).collect();
    out.push(format!("path {path:?} end {:?}", s.path_end().expect(NO_BUDGET)));
    let groups: Vec<FieldId> = (0..form.fields().len() as u32).map(FieldId).filter(|g| form.field(*g).is_repeated()).collect();
    for g in &groups {
        out.push(format!("entries {} = {}", form.field(*g).id, s.entry_count(*g)));
    }
    // Every field instance as the front ends see it: the engine's view of each step (page
    // order, shown, values as shown, options offered, problems), with activity and value.
    for step in 0..form.steps().len() as u32 {
        let view = s.step_view(StepId(step)).expect(NO_BUDGET);
        out.push(format!("step {}: {:?} {:?} {:?} on path {}", view.step, view.title, view.text, view.section, view.on_path));
        for f in view.instances() {
            let inst = s.instance(&f.path).expect("a view's path names an instance");
            let (active, value) = (s.is_active(inst), s.value(inst));
            // The instances below it have lines of their own.
            let mut own = f.clone();
            own.members.clear();
            own.entries.iter_mut().for_each(|e| e.fields.clear());
            out.push(format!("field {}: active {active} value {value:?} view {own:?}", f.path));
        }
    }
    for v in 0..form.values().len() as u32 {
        let value = s.named_value(ValueId(v));
        out.push(format!("value {}: {value:?}", form.values()[v as usize].id));
    }
    for p in s.problems().expect(NO_BUDGET) {
        out.push(format!("problem {p:?}"));
    }
    let first = s.first_incomplete_step().expect(NO_BUDGET).map(|st| form.step(st).id.clone());
    out.push(format!("first incomplete step {first:?}"));
    out.push(format!("submittable {}", s.is_submittable().expect(NO_BUDGET)));
    out.push(format!("submission {}", s.submission_data().expect(NO_BUDGET)));
    out
}

/// Compares the incremental session with a fresh one built from the same answers.
fn compare(s: &Session<'_>, ops: &[Op], done: usize) {
    let form = s.form();
    let (fresh, dropped) = Session::restore(form, &s.snapshot(), today());
    assert!(dropped.is_empty(), "answers set through the session were dropped on restore: {dropped:?}");
    let (a, b) = (observe(s), observe(&fresh));
    if a != b {
        let mut diff = String::new();
        for line in a.iter().filter(|l| !b.contains(l)) {
            diff.push_str(&format!("  incremental: {line}\n"));
        }
        for line in b.iter().filter(|l| !a.contains(l)) {
            diff.push_str(&format!("  fresh:       {line}\n"));
        }
        panic!(
            "form {}: the incremental session differs from a fresh one after operation {done} of {:#?}\nanswers: {:#?}\n{diff}",
            form.id(),
            &ops[..done],
            s.answers()
        );
    }
}

/// Runs the check on one plan.
pub fn check_plan(plan: &Plan) {
    let forms = forms();
    let form = &forms[usize::from(plan.form) % forms.len()];
    let lang = |english: bool| if english { "en" } else { "de" };
    let mut s = Session::new(form, lang(plan.english), today());
    let inputs: Vec<FieldId> = (0..form.fields().len() as u32).map(FieldId).filter(|f| form.field(*f).ty.is_input()).collect();
    let groups: Vec<FieldId> = (0..form.fields().len() as u32).map(FieldId).filter(|f| form.field(*f).is_repeated()).collect();
    // Bounded work per input: a long plan is cut, not slow.
    let ops = &plan.ops[..plan.ops.len().min(64)];
    for (i, op) in ops.iter().enumerate() {
        let instance = |s: &Session<'_>, field: u16, entry: u8| {
            let f = inputs[usize::from(field) % inputs.len()];
            let entry = form.field(f).repeat_group.map(|g| u32::from(entry) % (s.entry_count(g) + 2));
            s.path_of(Instance { field: f, entry })
        };
        match &op.kind {
            OpKind::Set { field, entry, value } if !inputs.is_empty() => {
                let path = instance(&s, *field, *entry);
                let f = s.instance(&path).expect("a path the session made").field;
                let input = input_for(form, f, value);
                s.set_answer(&path, input).expect("an input field's path");
            }
            OpKind::Clear { field, entry } if !inputs.is_empty() => {
                let path = instance(&s, *field, *entry);
                s.set_answer(&path, None).expect("an input field's path");
            }
            OpKind::AddEntry { group } if !groups.is_empty() => {
                s.add_entry(groups[usize::from(*group) % groups.len()]);
            }
            OpKind::RemoveEntry { group, index } if !groups.is_empty() => {
                s.remove_entry(groups[usize::from(*group) % groups.len()], u32::from(*index) % 4);
            }
            OpKind::Language { english } => s.set_language(lang(*english)),
            _ => {}
        }
        if op.compare || i + 1 == ops.len() {
            compare(&s, ops, i + 1);
        }
    }
    if ops.is_empty() {
        compare(&s, ops, 0);
    }
}

/// Runs the check on raw bytes (as libFuzzer gives them).
pub fn check(data: &[u8]) {
    if let Ok(plan) = Plan::arbitrary_take_rest(arbitrary::Unstructured::new(data)) {
        check_plan(&plan);
    }
}
