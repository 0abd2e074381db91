//! Native half of the native/WebAssembly parity test.
//!
//! Generates sequences of answer changes over the bundled forms (`form-definitions/*.yaml`),
//! runs each natively through [`wegweiser_wasm::Guide`] (the engine's `Session` behind the
//! same boundary the browser uses: the form's binary encoding, everything else JSON) and
//! writes the sequences with the native results.
//! `wasm/parity/run.mjs` replays them in the WebAssembly module and compares.
//!
//! ```text
//! cargo run -p wegweiser-wasm --example parity-gen -- OUT_DIR [SEQUENCES]
//! ```
//!
//! writes `OUT_DIR/parity.jsonl`, the forms' binary encodings `OUT_DIR/forms/{id}.bin` (what the
//! server serves the module) and, for the start-up and memory measurements, `OUT_DIR/bigform.bin`
//! (the 1,000-field form of `engine/tests/common/bigform.rs`, compiled; `bigform.json` beside it
//! for the size comparison and the browser test's page).
//!
//! Answers are drawn from each field's options, from pools of valid values (the answers of
//! the forms' own scenario files, real IBANs and tax ids, dates around today) and of invalid
//! ones, and some are cleared again. Three quarters of the sequences answer the path in order, as
//! a citizen would, so that a fair share ends submittable (reported at the end). Half of the
//! changes go in as the script sends them, typed values (`Guide::set_typed`: blank included,
//! and fields with a default are emptied now and then), the others as `Input`s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use engine::checks::CheckCode;
use engine::form::{FieldType, Form};
use engine::ids::FieldId;
use engine::scenario::ScenarioFile;
use engine::session::Instance;
use serde_json::{Value as Json, json};
use wegweiser_wasm::Guide;

#[path = "../../engine/tests/common/bigform.rs"]
mod bigform;

const TODAY: &str = "2026-11-22";

/// Valid answers by field id, from a form's scenario file.
type Pool = BTreeMap<String, Vec<Json>>;

/// A small deterministic generator (xorshift64*): no dependency, same sequences every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A form whose computed fields show a text in lower and upper case. They are on a step of
/// their own: the runner compares the changed field's step view after normalising the
/// expected one to NFC (answers are shown as typed), and full case mapping can give text
/// that is not NFC (`upper("ΐ")`); `changes` and `state` carry the values unnormalised.
const CASE_FORM: &str = "wegweiser: 1
id: parity-case
title: Case
steps:
  - id: s
    fields:
      - { id: t, type: text }
  - id: r
    fields:
      - { id: lo, type: computed, label: Lower, value: lower(t) }
      - { id: up, type: computed, label: Upper, value: upper(t) }
";

/// The case form's id and JSON, and sequences typing every character that changes case
/// (in texts of 120, with a Greek word ending in a capital sigma) with the native results.
fn case_sequences() -> (String, Vec<u8>, Vec<String>) {
    let form = engine::compile(CASE_FORM).form.expect("the case form compiles");
    let bytes = form.to_bytes();
    let cased: Vec<char> = (0..=0x10FFFF_u32)
        .filter_map(char::from_u32)
        .filter(|c| !c.is_ascii() && (c.to_lowercase().ne(std::iter::once(*c)) || c.to_uppercase().ne(std::iter::once(*c))))
        .collect();
    let mut lines = Vec::new();
    for (n, chunk) in cased.chunks(120).enumerate() {
        let lang = if n % 2 == 0 { "de" } else { "en" };
        let mut guide = Guide::create(&bytes, "", lang, TODAY).expect("guide");
        let first = json!(guide.state().expect("no budget"));
        let mut steps = Vec::new();
        for text in [chunk.iter().collect::<String>(), format!("ΟΔΟΣ {} ΑΣ", chunk.iter().take(8).collect::<String>())] {
            let typed = json!([text]).to_string();
            let changes: Json = serde_json::from_str(&guide.typed("t", &typed).expect("a text")).expect("changes json");
            let state = guide.state().expect("no budget");
            let step = guide.step(engine::ids::StepId(0)).expect("no budget");
            steps.push(json!({ "path": "t", "typed": typed, "changes": changes, "state": state, "step": step }));
        }
        lines.push(json!({ "form": form.id(), "lang": lang, "today": TODAY, "first": first, "steps": steps }).to_string());
    }
    (form.id().to_string(), bytes, lines)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = PathBuf::from(args.get(1).map(String::as_str).unwrap_or("target/parity"));
    let total: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1000);
    std::fs::create_dir_all(&out).expect("output folder");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../form-definitions");

    let mut forms: Vec<(String, Form, Vec<u8>, Pool)> = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("form-definitions")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml") && !p.to_string_lossy().ends_with(".test.yaml"))
        .collect();
    names.sort();
    for p in names {
        let src = std::fs::read_to_string(&p).expect("form source");
        let compiled = engine::compile(&src);
        let form = compiled.form.unwrap_or_else(|| panic!("{} does not compile", p.display()));
        let bytes = form.to_bytes();
        let pool = scenario_answers(&form, &p.with_extension("test.yaml"));
        forms.push((form.id().to_string(), form, bytes, pool));
    }

    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut lines = Vec::new();
    let mut sequences = 0usize;
    let (mut changes_total, mut submittable) = (0usize, 0usize);
    // Answers to fields with a `pattern:` (checked in the module by the DFA the server
    // ships), and how many of them broke it; answers that reach a `matches()` in a rule.
    let (mut pattern_answers, mut pattern_failures, mut matches_answers) = (0usize, 0usize, 0usize);
    // Fields with a default emptied by typing (the blank that clears a default, issue #18).
    let mut blanked_defaults = 0usize;
    for n in 0..total {
        let (id, form, bytes, pool) = &forms[n % forms.len()];
        let matches_readers = fields_read_by_matches(form);
        let lang = rng.pick(form.languages()).clone();
        let mut guide = Guide::create(bytes, "", &lang, TODAY).expect("guide");
        let diligent = n % 4 != 0;
        let count = if diligent { 40 + rng.below(80) } else { 5 + rng.below(30) };
        let first = json!(guide.state().expect("the browser's session has no budget"));
        let mut steps = Vec::new();
        for _ in 0..count {
            let Some(path) = pick_field(&mut rng, &guide, diligent) else { break };
            let value = pick_value(&mut rng, form, &guide, &path, pool, diligent);
            let value_json = value.to_string();
            let field = form.field(guide.session().instance(&path).expect("path").field);
            // The script sends what was typed (`set_typed`), the engine reads it as a post;
            // the `Input` API (`set_answer`) stays for files and for half of the rest. A
            // field with a default is sometimes emptied, as a citizen does: a blank answer.
            let typed = if field.default.is_some() && rng.chance(25) {
                blanked_defaults += 1;
                Some(vec![rng.pick(&["", "  "]).to_string()])
            } else if rng.chance(50) {
                as_typed(&value)
            } else {
                None
            };
            let (input, result) = match &typed {
                Some(t) => ("typed", guide.typed(&path, &json!(t).to_string())),
                None => ("value", guide.set(&path, &value_json)),
            };
            let input_json = match &typed {
                Some(t) => json!(t).to_string(),
                None => value_json,
            };
            // A typed value that is none of a choice's options is refused, as in a post.
            let changes: Json = match result {
                Ok(c) => serde_json::from_str(&c).expect("changes json"),
                Err(_) if typed.is_some() => Json::Null,
                Err(e) => panic!("answer {path}: {e}"),
            };
            let state = guide.state().expect("the browser's session has no budget");
            let inst = guide.session().instance(&path).expect("path");
            let step = guide.step(form.field(inst.field).step).expect("the browser's session has no budget");
            if form.field(inst.field).pattern.is_some() {
                pattern_answers += 1;
                pattern_failures +=
                    usize::from(state.problems.iter().any(|p| p.field.as_deref() == Some(&path) && p.check == CheckCode::Pattern));
            }
            if matches_readers.contains(&inst.field) {
                matches_answers += 1;
            }
            steps.push(json!({ "path": path, input: input_json, "changes": changes, "state": state, "step": step }));
        }
        changes_total += steps.len();
        let fin = guide.state().expect("the browser's session has no budget");
        if fin.end == "summary" && fin.problems.is_empty() {
            submittable += 1;
        } else if std::env::var_os("PARITY_WHY").is_some() && diligent {
            let why: Vec<String> =
                fin.problems.iter().map(|p| format!("{}:{:?}", p.field.as_deref().unwrap_or(&p.step), p.check)).collect();
            eprintln!("{id} end={} {}", fin.end, why.join(" "));
        }
        lines.push(json!({ "form": id, "lang": lang, "today": TODAY, "first": first, "steps": steps }).to_string());
        sequences += 1;
    }
    // Case mapping: the module uses JavaScript's (engine feature `case-tables` off), the
    // native engine Rust's. Every character that changes case, in texts with a word-final
    // sigma, through `lower()` and `upper()`.
    let (case_id, case_bytes, case_lines) = case_sequences();
    lines.extend(case_lines);
    forms.push((case_id, engine::compile(CASE_FORM).form.expect("the case form compiles"), case_bytes, Pool::default()));
    // JSON lines: the forms' ids first (each form's bytes in forms/{id}.bin), then one sequence
    // a line (the file is large; the runner parses one sequence at a time).
    std::fs::create_dir_all(out.join("forms")).expect("forms folder");
    for (id, _, bytes, _) in &forms {
        std::fs::write(out.join("forms").join(format!("{id}.bin")), bytes).expect("write a form");
    }
    lines.insert(0, json!(forms.iter().map(|f| f.0.as_str()).collect::<Vec<_>>()).to_string());
    std::fs::write(out.join("parity.jsonl"), lines.join("\n")).expect("write parity.jsonl");

    let big = engine::compile(&bigform::yaml()).form.expect("the 1,000-field form compiles");
    std::fs::write(out.join("bigform.bin"), big.to_bytes()).expect("write bigform.bin");
    std::fs::write(out.join("bigform.json"), serde_json::to_string(&big).expect("serialises")).expect("write bigform.json");

    println!(
        "parity: {} sequences, {} changes over {} forms; {} submittable at the end ({:.0}%); {} answers to fields with a pattern ({} breaking it), {} to fields read by matches(); {} fields with a default emptied",
        sequences,
        changes_total,
        forms.len(),
        submittable,
        100.0 * submittable as f64 / sequences.max(1) as f64,
        pattern_answers,
        pattern_failures,
        matches_answers,
        blanked_defaults
    );
    // Patterns are what the module checks with a different engine build: a run that never
    // reaches one proves nothing about them.
    // (`0` sequences: only the big form's files, for the browser test.)
    assert!(total == 0 || (pattern_answers > 0 && pattern_failures > 0 && matches_answers > 0), "the sequences must reach pattern checks");
    assert!(total == 0 || blanked_defaults > 0, "the sequences must empty fields that have a default");
}

/// Input fields to answer next: in diligent mode the first active, unanswered or invalid
/// field on the path (sometimes any active one); otherwise any input field of the form,
/// active or not, entries of repeated groups included (sometimes one beyond the last).
fn pick_field(rng: &mut Rng, g: &Guide, diligent: bool) -> Option<String> {
    let state = g.state().expect("the browser's session has no budget");
    let s = g.session();
    let form = s.form();
    let input = |p: &String, s: &engine::session::Session<'_>| s.instance(p).is_some_and(|i| form.field(i.field).ty.is_input());
    let active: Vec<String> = state.active.iter().filter(|p| input(p, s)).cloned().collect();
    if diligent && !rng.chance(10) {
        let pending: Vec<&String> = active
            .iter()
            .filter(|p| s.answer(p).is_none() || state.problems.iter().any(|q| q.field.as_deref() == Some(p.as_str())))
            .collect();
        // Too few entries in a repeated group: answer a member of its first entry.
        let short = state.problems.iter().filter_map(|q| q.field.as_deref()).filter_map(|p| s.instance(p)).find(|i| {
            let f = form.field(i.field);
            f.is_repeated() && i.entry.is_none()
        });
        if let Some(g) = short
            && let Some(m) = form.field(g.field).members.iter().find(|m| form.field(**m).ty.is_input())
            && rng.chance(50)
        {
            return Some(s.path_of(Instance { field: *m, entry: Some(0) }));
        }
        if !pending.is_empty() {
            // Mostly the first, as a citizen goes down the page; sometimes another, so that
            // one answer the pools cannot satisfy does not hold up the rest.
            let p = if rng.chance(70) { pending[0] } else { *rng.pick(&pending) };
            return Some(p.clone());
        }
        if !rng.chance(20) {
            return active.get(rng.below(active.len())).cloned();
        }
    }
    if !active.is_empty() && rng.chance(70) {
        return Some(rng.pick(&active).clone());
    }
    let inputs: Vec<FieldId> = (0..form.fields().len() as u32).map(FieldId).filter(|f| form.field(*f).ty.is_input()).collect();
    let f = *rng.pick(&inputs);
    let entry = form.field(f).repeat_group.map(|grp| {
        let n = s.entry_count(grp);
        rng.below(n as usize + 1) as u32
    });
    Some(s.path_of(Instance { field: f, entry }))
}

fn pick_value(rng: &mut Rng, form: &Form, g: &Guide, path: &str, pool: &Pool, diligent: bool) -> Json {
    let inst = g.session().instance(path).expect("path");
    let field = form.field(inst.field);
    if rng.chance(if diligent { 3 } else { 10 }) {
        return Json::Null;
    }
    let valid = rng.chance(if diligent { 92 } else { 60 });
    if valid
        && let Some(vals) = pool.get(&field.id).filter(|v| !v.is_empty())
        && rng.chance(70)
    {
        return rng.pick(vals).clone();
    }
    let options: Vec<&str> = field.options.iter().map(|o| o.value.as_str()).collect();
    let s = |v: &[&str], rng: &mut Rng| json!(*rng.pick(v));
    match field.ty {
        FieldType::Choice => {
            if valid && !options.is_empty() {
                s(&options, rng)
            } else {
                s(&["gibt-es-nicht", ""], rng)
            }
        }
        FieldType::MultiChoice => {
            if valid && !options.is_empty() {
                let picked: Vec<&str> = options.iter().copied().filter(|_| rng.chance(40)).collect();
                if picked.is_empty() { json!([options[0]]) } else { json!(picked) }
            } else {
                json!(["gibt-es-nicht"])
            }
        }
        FieldType::Boolean => {
            if valid {
                rng.pick(&[json!(true), json!(false), json!("true"), json!("false")]).clone()
            } else {
                s(&["vielleicht"], rng)
            }
        }
        FieldType::Consent => {
            if valid {
                rng.pick(&[json!(true), json!("true")]).clone()
            } else {
                rng.pick(&[json!(false), json!("false")]).clone()
            }
        }
        FieldType::Text | FieldType::Textarea if field.pattern.is_some() => {
            // Texts around the bundled patterns (plates, register numbers, a tax office's
            // reference, web addresses): valid for one of them, or for none. Some decomposed
            // (`U` + combining diaeresis), which the script normalises to NFC before the
            // module sees them, as the server does.
            if valid {
                s(
                    &[
                        "TÜ-AB 123",
                        "TU\u{308}-AB 123",
                        "B-X 1E",
                        "HRB 12345",
                        "HRA 1 AB",
                        "VR12",
                        "https://example.de/a",
                        "123456789012345",
                    ],
                    rng,
                )
            } else {
                s(&["tü-ab 123", "B X 0", "HRB", "ftp://x", "12345", "Erika Mustermann", "TU\u{308}-ab 1"], rng)
            }
        }
        FieldType::Text | FieldType::Textarea => {
            if valid {
                s(&["Erika Mustermann", "Hauptstraße 1", "Bitburg", "Bello", "Ein ganz normaler Text.", "Müller-Lüdenscheidt"], rng)
            } else {
                json!(["  ", "x", &"sehr lang ".repeat(120)][rng.below(3)])
            }
        }
        FieldType::Number => {
            if valid {
                s(&["1", "2", "3,5", "12", "0,5", "100"], rng)
            } else {
                s(&["abc", "1,2,3", "-", "1e5", "99999999999"], rng)
            }
        }
        FieldType::Integer => {
            if valid {
                s(&["0", "1", "2", "3", "5", "7", "12"], rng)
            } else {
                s(&["3,5", "zwei", "-1", "100000", "1.5"], rng)
            }
        }
        FieldType::Money => {
            if valid {
                s(&["90", "12,50", "1.000,00", "250", "0,99"], rng)
            } else {
                s(&["12,345", "abc", "-5", "€"], rng)
            }
        }
        FieldType::Date => {
            if valid {
                s(&["01.10.2026", "02.04.1980", "2026-11-01", "15.06.2020", "22.11.2026", "01.12.2026", "2027-01-15"], rng)
            } else {
                s(&["31.02.2026", "morgen", "2026-13-01", "1.1.", "00.00.0000"], rng)
            }
        }
        FieldType::Email => {
            if valid {
                s(&["erika@example.de", "max.mustermann@stadt.example"], rng)
            } else {
                s(&["erika@", "a b@c.de", "@example.de"], rng)
            }
        }
        FieldType::Phone => {
            if valid {
                s(&["+49 6561 12345", "06561 12345", "0170 1234567"], rng)
            } else {
                s(&["abc", "12", "++49"], rng)
            }
        }
        FieldType::Plz => {
            if valid {
                s(&["54634", "01067", "10115", "80331"], rng)
            } else {
                s(&["1234", "ABCDE", "123456", "00000"], rng)
            }
        }
        FieldType::Iban => {
            if valid {
                s(&["DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "DE02120300000000202051", "AT611904300234573201"], rng)
            } else {
                s(&["DE00370400440532013000", "DE8937040044053201300", "XX12"], rng)
            }
        }
        FieldType::SteuerId => {
            if valid {
                s(&["86095742719", "65929970489", "57549285017"], rng)
            } else {
                s(&["12345678901", "0123", "86095742718"], rng)
            }
        }
        FieldType::File => {
            if valid {
                rng.pick(&[
                    json!({"name": "nachweis.pdf", "size": 120000, "type": "application/pdf"}),
                    json!({"name": "foto.jpg", "size": 300000, "type": "image/jpeg"}),
                    json!({"name": "scan.png", "size": 90000, "type": "image/png"}),
                ])
                .clone()
            } else {
                rng.pick(&[
                    json!({"name": "virus.exe", "size": 1000, "type": "application/octet-stream"}),
                    json!({"name": "riesig.pdf", "size": 900_000_000u64, "type": "application/pdf"}),
                ])
                .clone()
            }
        }
        FieldType::Computed | FieldType::Group | FieldType::Info => Json::Null,
    }
}

/// An answer as the browser would have it typed: a text, a radio's or a box's value, the
/// ticked options, nothing (`[]`); `None` for a file, which is not typed.
fn as_typed(value: &Json) -> Option<Vec<String>> {
    match value {
        Json::Null => Some(Vec::new()),
        Json::String(s) => Some(vec![s.clone()]),
        Json::Bool(b) => Some(vec![b.to_string()]),
        Json::Array(items) => Some(items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string)).collect()),
        _ => None,
    }
}

/// Fields whose answer reaches a `matches()` somewhere in the form (its first argument),
/// found in the compiled form's JSON (`{"Matches": [text, pattern]}`, `{"Field": id}`).
fn fields_read_by_matches(form: &Form) -> Vec<FieldId> {
    fn walk(j: &Json, inside: bool, out: &mut Vec<FieldId>) {
        match j {
            Json::Object(m) => {
                if let Some(Json::Array(args)) = m.get("Matches") {
                    walk(&args[0], true, out);
                    return;
                }
                if inside && let Some(id) = m.get("Field").and_then(Json::as_u64) {
                    out.push(FieldId(id as u32));
                }
                m.values().for_each(|v| walk(v, inside, out));
            }
            Json::Array(l) => l.iter().for_each(|v| walk(v, inside, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&serde_json::to_value(form).expect("form serialises"), false, &mut out);
    out
}

/// The answers of a form's scenario file, by field id (members of repeated groups by their
/// own id), as JSON inputs: a pool of values the author knows to be valid. Read by the
/// engine's scenario reader, as `wegweiser test` reads them.
fn scenario_answers(form: &Form, path: &Path) -> Pool {
    let mut pool = Pool::new();
    let Ok(src) = std::fs::read_to_string(path) else { return pool };
    let Ok(file) = ScenarioFile::read(form, &src, &Default::default()) else { return pool };
    for sc in &file.scenarios {
        for a in &sc.answers {
            let input = serde_json::to_value(&a.input).expect("an input serialises");
            pool.entry(form.field(a.field).id.clone()).or_default().push(input);
        }
    }
    for v in pool.values_mut() {
        v.sort_by_key(|a| a.to_string());
        v.dedup();
    }
    pool
}
