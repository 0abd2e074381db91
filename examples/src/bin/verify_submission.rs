//! A service-side check of a submission document received from elsewhere (a browser that
//! ran the engine as WASM, another runtime, a file drop).
//!
//! `verify_submission FORM.yaml SUBMISSION.json`
//!
//! Replays the document's `data` into a fresh session, reports every problem, and checks
//! that the engine produces exactly the same `data` from those answers: a difference means
//! the sender submitted values the form would not produce (a tampered computed fee, a
//! field that is not active, an entry that does not exist).
//!
//! Exit status: 0 valid, 1 invalid, 2 usage or I/O error.

use std::process::ExitCode;

use chrono::NaiveDate;
use engine::FieldId;
use engine::FileRef;
use engine::{FieldType, Form};
use engine::{Input, Session};
use serde_json::Value as Json;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [form_file, doc_file] = args.as_slice() else {
        eprintln!("usage: verify_submission FORM.yaml SUBMISSION.json");
        return ExitCode::from(2);
    };
    let (src, doc) = match (std::fs::read_to_string(form_file), std::fs::read_to_string(doc_file)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) => return io_error(form_file, &e.to_string()),
        (_, Err(e)) => return io_error(doc_file, &e.to_string()),
    };
    let compiled = engine::compile(&src);
    for d in compiled.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{form_file}:{}:{}: {}", d.span.start.line, d.span.start.column, d.message);
    }
    let Some(form) = compiled.form.as_ref().filter(|_| !compiled.has_errors()) else {
        return ExitCode::from(2);
    };
    let doc: Json = match serde_json::from_str(&doc) {
        Ok(d) => d,
        Err(e) => return io_error(doc_file, &e.to_string()),
    };
    let findings = verify(form, &doc);
    if findings.is_empty() {
        println!("valid: the submission matches the form and is submittable");
        ExitCode::SUCCESS
    } else {
        println!("invalid:");
        for f in &findings {
            println!("  - {f}");
        }
        ExitCode::from(1)
    }
}

fn io_error(file: &str, e: &str) -> ExitCode {
    eprintln!("{file}: {e}");
    ExitCode::from(2)
}

/// Every finding about the document; empty when it is valid.
fn verify(form: &Form, doc: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let id = doc.get("form").and_then(Json::as_str);
    if id != Some(form.id()) {
        out.push(format!("form: the document is for `{}`, this is `{}`", id.unwrap_or("?"), form.id()));
    }
    let version = doc.get("version").and_then(Json::as_str);
    if version != form.version() {
        out.push(format!("version: the document is for version {version:?}, the form is version {:?}", form.version()));
    }
    let Some(data) = doc.get("data").and_then(Json::as_object) else {
        out.push("data: missing or not an object".to_string());
        return out;
    };
    // `today` only matters for checks against the current date; the document's own date
    // is the fairest choice for a replay.
    let today = doc
        .get("submitted_at")
        .and_then(Json::as_str)
        .and_then(|t| t.get(..10))
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date"));
    // Numbers are canonical (English notation) in the document.
    let mut s = Session::new(form, "en", today);
    let mut answers = Vec::new();
    replay(form, None, "", data, &mut answers, &mut out);
    if let Err(e) = s.set_answers(answers) {
        out.push(format!("data: {e}"));
        return out;
    }
    // The session has no evaluation budget; were one to run out, that is the finding.
    let checked = (|| Ok::<_, engine::BudgetExhausted>((s.problems()?, s.is_submittable()?, s.submission_data()?)))();
    let Ok((problems, submittable, ours)) = checked else {
        out.push("the evaluation budget ran out".to_string());
        return out;
    };
    for p in problems {
        out.push(format!(
            "{} ({}, {}): {}",
            p.field.as_deref().unwrap_or("-"),
            p.step,
            serde_json::to_value(p.check).unwrap_or_default(),
            p.message
        ));
    }
    if !submittable {
        out.push("the answers are not submittable".to_string());
    }
    if &ours != doc.get("data").unwrap_or(&Json::Null) {
        let mut diffs = Vec::new();
        diff("", &ours, doc.get("data").unwrap_or(&Json::Null), &mut diffs);
        for d in diffs {
            out.push(format!("data differs from what the form produces: {d}"));
        }
    }
    out
}

/// Turns the object `obj` (the data, or a group's object) into answers by path.
fn replay(
    form: &Form,
    group: Option<FieldId>,
    prefix: &str,
    obj: &serde_json::Map<String, Json>,
    answers: &mut Vec<(String, Option<Input>)>,
    out: &mut Vec<String>,
) {
    for (key, v) in obj {
        let found = match group {
            None => form.field_by_id(key).filter(|f| form.field(*f).parent.is_none()),
            Some(g) => form.field(g).members.iter().copied().find(|m| form.field(*m).id == *key),
        };
        let path = format!("{prefix}{key}");
        let Some(f) = found else {
            out.push(format!("{path}: the form has no such field"));
            continue;
        };
        let field = form.field(f);
        match (field.ty, v) {
            // Computed values are not answers; they are compared at the end.
            (FieldType::Computed | FieldType::Info, _) => {}
            (FieldType::Group, Json::Array(entries)) if field.is_repeated() => {
                for (i, e) in entries.iter().enumerate() {
                    match e {
                        Json::Object(o) => replay(form, Some(f), &format!("{path}.{i}."), o, answers, out),
                        _ => out.push(format!("{path}.{i}: expected an object")),
                    }
                }
            }
            (FieldType::Group, Json::Object(o)) if !field.is_repeated() => replay(form, Some(f), &format!("{path}."), o, answers, out),
            (FieldType::Group, _) => out.push(format!("{path}: expected {}", if field.is_repeated() { "an array" } else { "an object" })),
            (_, Json::Bool(b)) => answers.push((path, Some(Input::Bool(*b)))),
            (_, Json::String(t)) => answers.push((path, Some(Input::Text(t.clone())))),
            (_, Json::Number(n)) => answers.push((path, Some(Input::Text(n.to_string())))),
            (_, Json::Array(items)) => match items.iter().map(|i| i.as_str().map(str::to_string)).collect::<Option<Vec<_>>>() {
                Some(list) => answers.push((path, Some(Input::List(list)))),
                None => out.push(format!("{path}: expected a list of strings")),
            },
            (FieldType::File, Json::Object(o)) => {
                let name = o.get("name").and_then(Json::as_str);
                let size = o.get("size").and_then(Json::as_u64);
                let mime = o.get("type").and_then(Json::as_str);
                match (name, size, mime) {
                    (Some(name), Some(size), Some(mime)) => {
                        answers.push((path, Some(Input::File(Box::new(FileRef { name: name.to_string(), size, mime: mime.to_string() })))));
                    }
                    _ => out.push(format!("{path}: a file needs name, size and type")),
                }
            }
            (_, Json::Null) => out.push(format!("{path}: null is never part of a submission")),
            (_, Json::Object(_)) => out.push(format!("{path}: unexpected object")),
        }
    }
}

/// Where two `data` documents differ, by path.
fn diff(path: &str, ours: &Json, theirs: &Json, out: &mut Vec<String>) {
    let at = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    match (ours, theirs) {
        (Json::Object(a), Json::Object(b)) => {
            for (k, v) in a {
                diff(&at(k), v, b.get(k).unwrap_or(&Json::Null), out);
            }
            for (k, v) in b {
                if !a.contains_key(k) {
                    diff(&at(k), &Json::Null, v, out);
                }
            }
        }
        (Json::Array(a), Json::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(&at(&i.to_string()), x, y, out);
            }
        }
        _ if ours == theirs => {}
        _ => out.push(format!("`{path}`: the form gives {ours}, the document says {theirs}")),
    }
}
