//! Property: every submission the engine produces validates against the form's exported
//! JSON Schema (docs/form-language.md#the-submission). Random sessions are filled for each bundled form; those that are
//! submittable have their `data` checked, and for a form with FIM ids their FIM-keyed data
//! against the FIM schema.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};
use engine::expr::CExpr;
use engine::form::{Field, FieldType, Form};
use engine::ids::FieldId;
use engine::session::{Input, Instance, Session};
use engine::value::{FileRef, Value};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rust_decimal::Decimal;

const CASES: u32 = 256;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// A small deterministic random source (splitmix64), seeded by proptest.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn text(&mut self, items: &[&str]) -> Option<Input> {
        Some(Input::Text(self.pick(items).to_string()))
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The forms under test.
fn forms() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("form-definitions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let s = p.to_string_lossy();
            s.ends_with(".yaml") && !s.ends_with(".test.yaml")
        })
        .collect();
    files.sort();
    files.push(root.join("engine/tests/fixtures/contract/hundesteuer.yaml"));
    files
}

/// Answers from the form's scenario file, by field id: realistic values that satisfy the
/// form's own rules (a plain line scan of `key: value` lines is enough for these files).
fn scenario_pool(form_path: &Path, form: &Form) -> BTreeMap<String, Vec<Input>> {
    let s = form_path.to_string_lossy();
    let test = PathBuf::from(format!("{}.test.yaml", s.strip_suffix(".yaml").unwrap()));
    let mut pool: BTreeMap<String, Vec<Input>> = BTreeMap::new();
    let Ok(src) = std::fs::read_to_string(test) else { return pool };
    for line in src.lines() {
        let Some((key, value)) = line.trim().split_once(": ") else { continue };
        let id = key.rsplit('.').next().unwrap();
        let Some(f) = form.field_by_id(id) else { continue };
        let field = form.field(f);
        let value = value.trim();
        let unquote = |v: &str| v.trim().trim_matches('"').trim_matches('\'').to_string();
        let input = match field.ty {
            FieldType::Boolean | FieldType::Consent => match value {
                "true" => Input::Bool(true),
                "false" => Input::Bool(false),
                _ => continue,
            },
            FieldType::MultiChoice => {
                let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) else { continue };
                Input::List(inner.split(',').map(unquote).filter(|v| !v.is_empty()).collect())
            }
            FieldType::File | FieldType::Group | FieldType::Computed | FieldType::Info => continue,
            _ if value.starts_with('{') || value.starts_with('[') || value.is_empty() => continue,
            _ => Input::Text(unquote(value)),
        };
        let list = pool.entry(id.to_string()).or_default();
        if !list.contains(&input) {
            list.push(input);
        }
    }
    pool
}

/// Every text literal of the form (compared values like `plz == "54634"`, list members).
fn literal_texts(form: &Form) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(lit) = m.get("Lit") {
                    match (lit.get("t").and_then(|t| t.as_str()), lit.get("v")) {
                        (Some("text"), Some(serde_json::Value::String(s))) => {
                            out.insert(s.trim().to_string());
                        }
                        (Some("list"), Some(serde_json::Value::Array(items))) => {
                            out.extend(items.iter().filter_map(|i| i.as_str()).map(|s| s.trim().to_string()));
                        }
                        _ => {}
                    }
                }
                m.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(&serde_json::to_value(form).unwrap(), &mut out);
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

struct Gen<'a> {
    form: &'a Form,
    pool: BTreeMap<String, Vec<Input>>,
    literals: Vec<String>,
}

fn lit_number(e: &Option<Box<CExpr>>) -> Option<Decimal> {
    match e.as_deref() {
        Some(CExpr::Lit(Value::Number(d))) => Some(*d),
        _ => None,
    }
}

fn german(n: i64, cents: Option<i64>) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if n < 0 { "-" } else { "" };
    match cents {
        Some(c) => format!("{sign}{grouped},{c:02}"),
        None => format!("{sign}{grouped}"),
    }
}

impl Gen<'_> {
    /// A valid-looking answer for an input field.
    fn valid(&self, s: &mut Session<'_>, f: FieldId, entry: Option<u32>, rng: &mut Rng) -> Option<Input> {
        let field: &Field = self.form.field(f);
        if let Some(p) = self.pool.get(&field.id) {
            // Scenario files also mention ids outside `answers` (`chipnummer: pattern`).
            let p: Vec<&Input> = p
                .iter()
                .filter(|i| match (i, &field.pattern) {
                    (Input::Text(t), Some(pat)) => pat.is_match_whole(t) == Some(true),
                    _ => true,
                })
                .collect();
            if !p.is_empty() && (rng.chance(40) || field.pattern.is_some()) {
                return Some((*rng.pick(&p)).clone());
            }
        }
        let text = |v: &str| Some(Input::Text(v.to_string()));
        match field.ty {
            FieldType::Text | FieldType::Textarea => {
                let mut cands: Vec<String> = [
                    "Erika",
                    "Müller-Lüdenscheidt GmbH",
                    "Marktplatz 1",
                    "Coesfeld",
                    "Ein längerer Text über den Betrieb",
                    "https://www.example.de",
                    "HRB 1234",
                    "TÜ-AB 123",
                    "276098106543210",
                ]
                .iter()
                .map(|s| s.to_string())
                .chain(self.literals.iter().cloned())
                .collect();
                if let Some(p) = &field.pattern {
                    cands.retain(|c| p.is_match_whole(c) == Some(true));
                }
                let min = field.min_length.unwrap_or(0) as usize;
                let max = field.max_length.unwrap_or(500) as usize;
                cands.retain(|c| (min..=max).contains(&c.chars().count()));
                if cands.is_empty() {
                    return text(&"x".repeat(min.max(1)));
                }
                Some(Input::Text(rng.pick(&cands).clone()))
            }
            FieldType::Email => rng.text(&["erika@example.org", "max.mustermann@example.de"]),
            FieldType::Phone => rng.text(&["+49 2541 12345", "02541/123-45", "(0251) 123456"]),
            FieldType::Plz => {
                let mut cands = vec!["48653".to_string(), "01067".to_string()];
                cands.extend(self.literals.iter().filter(|l| l.len() == 5 && l.bytes().all(|b| b.is_ascii_digit())).cloned());
                Some(Input::Text(rng.pick(&cands).clone()))
            }
            FieldType::Iban => rng.text(&["DE89370400440532013000", "DE02120300000000202051", "DE89 3704 0044 0532 0130 00"]),
            FieldType::SteuerId => rng.text(&["65929970489", "86095742719"]),
            FieldType::Number | FieldType::Integer | FieldType::Money => {
                let lo = lit_number(&field.min).and_then(|d| i64::try_from(d.ceil()).ok()).unwrap_or(0);
                let hi = lit_number(&field.max)
                    .and_then(|d| i64::try_from(d.floor()).ok())
                    .unwrap_or(lo + if rng.chance(70) { 5 } else { 2000 })
                    .min(lo + 2000);
                let n = lo + rng.below((hi - lo + 1).max(1) as usize) as i64;
                let cents = match field.ty {
                    FieldType::Money if n < hi && rng.chance(50) => Some(rng.below(100) as i64),
                    FieldType::Number if n < hi && field.decimals.is_none_or(|d| d >= 1) && rng.chance(30) => Some(50),
                    _ => None,
                };
                if rng.chance(50) {
                    Some(Input::Text(german(n, cents)))
                } else {
                    Some(Input::Text(match cents {
                        Some(c) => format!("{n},{c:02}"),
                        None => n.to_string(),
                    }))
                }
            }
            FieldType::Date => {
                let d = if rng.chance(60) {
                    today().checked_sub_days(Days::new(18 * 366 + rng.below(42 * 365) as u64)).unwrap()
                } else if rng.chance(50) {
                    today().checked_add_days(Days::new(1 + rng.below(80) as u64)).unwrap()
                } else {
                    today().checked_sub_days(Days::new(rng.below(300) as u64)).unwrap()
                };
                if rng.chance(50) {
                    Some(Input::Text(d.format("%Y-%m-%d").to_string()))
                } else {
                    Some(Input::Text(d.format("%-d.%-m.%Y").to_string()))
                }
            }
            FieldType::Boolean => Some(Input::Bool(rng.chance(75))),
            FieldType::Consent => Some(Input::Bool(true)),
            FieldType::Choice | FieldType::MultiChoice => {
                let shown: Vec<String> =
                    (0..field.options.len()).filter(|&i| s.option_shown(f, entry, i)).map(|i| field.options[i].value.clone()).collect();
                if shown.is_empty() {
                    return None;
                }
                if field.ty == FieldType::Choice {
                    return Some(Input::Text(rng.pick(&shown).clone()));
                }
                let mut list: Vec<String> = shown.iter().filter(|_| rng.chance(40)).cloned().collect();
                if list.is_empty() {
                    list.push(rng.pick(&shown).clone());
                }
                Some(Input::List(list))
            }
            FieldType::File => {
                let mime = if field.accept.is_empty() { "application/pdf".to_string() } else { rng.pick(&field.accept).clone() };
                let name = match mime.as_str() {
                    "image/jpeg" => "x.jpg",
                    "image/png" => "x.png",
                    _ => "x.pdf",
                };
                Some(Input::File(Box::new(FileRef { name: name.into(), size: 1000, mime })))
            }
            FieldType::Computed | FieldType::Group | FieldType::Info => None,
        }
    }

    /// An invalid or blank answer.
    fn invalid(&self, f: FieldId, rng: &mut Rng) -> Option<Input> {
        let field = self.form.field(f);
        // A file field holds only files (text is refused as the wrong kind): an invalid one is
        // of a type no form accepts.
        if field.ty == FieldType::File {
            return rng
                .chance(50)
                .then(|| Input::File(Box::new(FileRef { name: "x.exe".into(), size: 1000, mime: "application/x-msdownload".into() })));
        }
        match rng.below(4) {
            0 => None,
            1 => Some(Input::Text("   ".into())),
            2 => Some(Input::Text("1.5x??".into())),
            _ => match field.ty {
                FieldType::MultiChoice => Some(Input::List(vec!["kein_wert".into()])),
                FieldType::Number | FieldType::Integer | FieldType::Money => Some(Input::Text("12,345".into())),
                FieldType::Date => Some(Input::Text("31.2.2020".into())),
                _ => Some(Input::Text("DE00 0000".into())),
            },
        }
    }

    fn answer(&self, s: &mut Session<'_>, f: FieldId, entry: Option<u32>, noisy: bool, rng: &mut Rng) {
        let input = if noisy && rng.chance(15) { self.invalid(f, rng) } else { self.valid(s, f, entry, rng) };
        let path = s.path_of(Instance { field: f, entry });
        s.set_answer(&path, input).unwrap();
    }

    /// Fills a field (a group with its members) unless it is answered already.
    fn fill(&self, s: &mut Session<'_>, f: FieldId, entry: Option<u32>, noisy: bool, rng: &mut Rng, force: bool) {
        let field = self.form.field(f);
        match field.ty {
            FieldType::Info | FieldType::Computed => {}
            FieldType::Group if field.is_repeated() => {
                if !s.is_active(Instance { field: f, entry }) {
                    return;
                }
                let r = field.repeat.as_ref().unwrap();
                let filled = (0..s.entry_count(f)).any(|e| self.entry_answered(s, f, e));
                if filled && !force {
                    for e in 0..s.entry_count(f) {
                        self.fill_entry(s, f, e, noisy, rng, false);
                    }
                    return;
                }
                let n = (rng.below(4) as u32).max(r.min).min(r.max.unwrap_or(3));
                while s.entry_count(f) < n {
                    if !s.add_entry(f) {
                        break;
                    }
                }
                for e in 0..n.min(s.entry_count(f)) {
                    self.fill_entry(s, f, e, noisy, rng, force);
                }
            }
            FieldType::Group => {
                if s.is_active(Instance { field: f, entry }) {
                    for m in field.members.clone() {
                        self.fill(s, m, entry, noisy, rng, force);
                    }
                }
            }
            _ => {
                let path = s.path_of(Instance { field: f, entry });
                if (force || s.answer(&path).is_none()) && s.is_active(Instance { field: f, entry }) {
                    self.answer(s, f, entry, noisy, rng);
                }
            }
        }
    }

    fn entry_answered(&self, s: &Session<'_>, g: FieldId, e: u32) -> bool {
        let prefix = format!("{}.{e}.", self.form.field(g).id);
        s.answers().keys().any(|k| k.starts_with(&prefix))
    }

    fn fill_entry(&self, s: &mut Session<'_>, g: FieldId, e: u32, noisy: bool, rng: &mut Rng, force: bool) {
        for m in self.form.field(g).members.clone() {
            let field = self.form.field(m);
            if field.ty.is_input() {
                let path = s.path_of(Instance { field: m, entry: Some(e) });
                // Members of an empty entry are inactive: the first answer makes it count.
                let active = s.is_active(Instance { field: m, entry: Some(e) }) || !self.entry_answered(s, g, e);
                if active && (force || s.answer(&path).is_none()) {
                    self.answer(s, m, Some(e), noisy, rng);
                }
            } else {
                self.fill(s, m, Some(e), noisy, rng, force);
            }
        }
    }

    /// Walks the path step by step, answering the active fields of each step.
    fn walk(&self, s: &mut Session<'_>, noisy: bool, rng: &mut Rng) {
        let mut i = 0;
        while i < s.path().unwrap().len() {
            let step = s.path().unwrap()[i];
            for f in self.form.step(step).fields.clone() {
                self.fill(s, f, None, noisy, rng, false);
            }
            i += 1;
        }
    }

    /// Re-answers the fields that have problems (a citizen correcting their input).
    fn repair(&self, s: &mut Session<'_>, rng: &mut Rng) {
        if s.path_end().unwrap() != engine::form::Target::Summary {
            // An exit page: change some answers on the way there.
            for step in s.path().unwrap().to_vec() {
                for f in self.form.step(step).fields.clone() {
                    if rng.chance(30) {
                        self.fill(s, f, None, false, rng, true);
                    }
                }
            }
        }
        for p in s.problems().unwrap() {
            match p.field.as_deref().and_then(|path| s.instance(path)) {
                Some(inst) => self.fill(s, inst.field, inst.entry, false, rng, true),
                None => {
                    let step = self.form.step_by_id(&p.step).unwrap();
                    for f in self.form.step(step).fields.clone() {
                        if rng.chance(50) {
                            self.fill(s, f, None, false, rng, true);
                        }
                    }
                }
            }
        }
    }
}

fn check_form(path: &Path) {
    let src = std::fs::read_to_string(path).unwrap();
    let compiled = engine::compile(&src);
    let form = compiled.form.unwrap_or_else(|| panic!("{} does not compile", path.display()));
    let schema = engine::output::data_schema(&form);
    let validator = jsonschema::draft202012::new(&schema).expect("the exported schema is a valid 2020-12 schema");
    // The FIM-keyed data too, for a form with FIM ids.
    let fim_validator = engine::fim_schema(&form).map(|s| jsonschema::draft202012::new(&s).expect("a valid 2020-12 FIM schema"));
    let g = Gen { form: &form, pool: scenario_pool(path, &form), literals: literal_texts(&form) };
    let submittable = Cell::new(0u32);
    let total = Cell::new(0u32);
    let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, ..Config::default() });
    runner
        .run(&any::<u64>(), |seed| {
            let mut rng = Rng(seed);
            let mut s = Session::new(&form, "de", today());
            let noisy = rng.chance(30);
            for _ in 0..3 {
                g.walk(&mut s, noisy, &mut rng);
            }
            if !noisy {
                for _ in 0..10 {
                    if s.is_submittable().unwrap() {
                        break;
                    }
                    g.repair(&mut s, &mut rng);
                    g.walk(&mut s, false, &mut rng);
                }
            }
            total.set(total.get() + 1);
            if std::env::var_os("SCHEMA_DEBUG").is_some() && !noisy && !s.is_submittable().unwrap() && total.get() < 4 {
                eprintln!("{:?}\n{:?}\n{:?}", s.path_end().unwrap(), s.problems().unwrap(), s.answers());
            }
            if s.is_submittable().unwrap() {
                submittable.set(submittable.get() + 1);
                let data = s.submission_data().unwrap();
                let errors: Vec<String> = validator.iter_errors(&data).map(|e| format!("{} at {}", e, e.instance_path())).collect();
                if !errors.is_empty() {
                    return Err(TestCaseError::fail(format!(
                        "{}: submission data does not match the schema:\n  {}\ndata: {}\nanswers: {:?}",
                        path.display(),
                        errors.join("\n  "),
                        serde_json::to_string_pretty(&data).unwrap(),
                        s.answers()
                    )));
                }
                if let Some(v) = &fim_validator {
                    let fim = engine::fim_data(&form, &data).expect("a form with FIM ids has FIM data");
                    let errors: Vec<String> = v.iter_errors(&fim).map(|e| format!("{} at {}", e, e.instance_path())).collect();
                    if !errors.is_empty() {
                        return Err(TestCaseError::fail(format!(
                            "{}: FIM data does not match the FIM schema:\n  {}\nFIM data: {}",
                            path.display(),
                            errors.join("\n  "),
                            serde_json::to_string_pretty(&fim).unwrap()
                        )));
                    }
                }
            }
            Ok(())
        })
        .unwrap();
    let (n, t) = (submittable.get(), total.get());
    println!("{}: {n}/{t} sessions submittable ({:.0}%)", path.file_name().unwrap().to_string_lossy(), 100.0 * f64::from(n) / f64::from(t));
    assert!(n > 0, "{}: no generated session was submittable", path.display());
}

#[test]
fn submissions_validate_against_the_schema() {
    for path in forms() {
        check_form(&path);
    }
}
