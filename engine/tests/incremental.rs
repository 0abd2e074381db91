//! Incremental evaluation: a change re-evaluates only what depends on it, through the
//! form's dependency graph, and reports exactly the fields it (de)activated.

#[path = "common/bigform.rs"]
mod bigform;

use chrono::NaiveDate;
use engine::form::Form;
use engine::session::{Input, Session};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date")
}

fn form() -> Form {
    let c = engine::compile(&bigform::yaml());
    let errors: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}:{} {}", d.span.start.line, d.span.start.column, d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let form = c.form.expect("compiled");
    assert_eq!(form.fields().len(), bigform::FIELDS);
    form
}

/// A session with every answer set and everything evaluated once (caches warm).
fn filled(form: &Form) -> Session<'_> {
    let mut s = Session::new(form, "de", today());
    s.set_answers(bigform::answers().into_iter().map(|(p, a)| (p, Some(Input::Text(a))))).expect("known fields");
    assert_eq!(s.problems().unwrap(), Vec::new(), "the generated answers are valid");
    s.submission_data().unwrap();
    s
}

fn readers() -> Vec<String> {
    bigform::kinds().iter().enumerate().filter(|(_, k)| **k == bigform::Kind::ReadsX).map(|(i, _)| bigform::id(i)).collect()
}

#[test]
fn a_change_evaluates_only_its_dependents() {
    let form = form();
    assert_eq!(form.deps().field_readers[form.field_by_id("x").expect("x").0 as usize].len(), bigform::READERS);

    // What a full evaluation costs: a fresh session with the same answers, validated.
    let full = {
        let mut s = Session::new(&form, "de", today());
        s.set_answers(bigform::answers().into_iter().map(|(p, a)| (p, Some(Input::Text(a))))).expect("known fields");
        s.problems().unwrap();
        s.evaluations()
    };

    let mut s = filled(&form);
    let before = s.evaluations();
    let changes = s.set_answer("x", Some(Input::Text("7".into()))).expect("x is an input");
    let delta = s.evaluations() - before;
    println!("full evaluation: {full} evaluations; changing x (read by {} conditions): {delta}", bigform::READERS);

    // Exactly what the dependents need: the 50 conditions once after the change (the
    // observation before the change finds them in the cache), and x's own `min` and `max`
    // checked again after the change (x's problems before it come from the cache).
    assert_eq!(delta, bigform::READERS as u64 + 2);
    assert!(delta <= 150, "changing x made {delta} evaluations");
    assert!(delta * 5 < full, "changing x made {delta} evaluations, a full evaluation {full}");

    let mut activated = changes.activated.clone();
    activated.sort();
    let mut expected = readers();
    expected.sort();
    assert_eq!(activated, expected, "the 50 readers of x became active");
    assert!(changes.deactivated.is_empty(), "{:?}", changes.deactivated);
    assert!(!changes.path_changed);
    assert!(changes.values.is_empty(), "{:?}", changes.values);
    assert!(changes.problems_added.is_empty() && changes.problems_cleared.is_empty(), "the readers are answered");

    // The incrementally updated session agrees with a fresh one.
    let mut fresh = Session::new(&form, "de", today());
    let mut answers = bigform::answers();
    answers[0].1 = "7".into();
    fresh.set_answers(answers.into_iter().map(|(p, a)| (p, Some(Input::Text(a))))).expect("known fields");
    assert_eq!(s.submission_data().unwrap(), fresh.submission_data().unwrap());
    assert_eq!(s.problems().unwrap(), fresh.problems().unwrap());
    assert!(s.is_submittable().unwrap());

    // And back: the same 50 deactivated, at the same cost.
    let before = s.evaluations();
    let changes = s.set_answer("x", Some(Input::Text("3".into()))).expect("x is an input");
    let back = s.evaluations() - before;
    println!("changing x back: {back} evaluations");
    assert_eq!(back, bigform::READERS as u64 + 2);
    let mut deactivated = changes.deactivated.clone();
    deactivated.sort();
    assert_eq!(deactivated, expected);
    assert!(changes.activated.is_empty());

    // A change that keeps every condition as it was reports no (de)activation.
    let changes = s.set_answer("x", Some(Input::Text("4".into()))).expect("x is an input");
    assert!(changes.activated.is_empty() && changes.deactivated.is_empty(), "{changes:?}");
}

#[test]
fn an_unrelated_change_touches_only_its_own_readers() {
    let form = form();
    let mut s = filled(&form);
    // f1 (integer) is read by the computed f2 and the condition of f3.
    let before = s.evaluations();
    let changes = s.set_answer("f1", Some(Input::Text("60".into()))).expect("f1 is an input");
    let delta = s.evaluations() - before;
    println!("changing f1 (read by f2 and f3): {delta} evaluations");
    assert!(delta <= 10, "{delta}");
    assert_eq!(changes.deactivated, vec!["f3".to_string()]);
    assert_eq!(changes.values, vec![("f2".to_string(), serde_json::json!("120"))]);
}
