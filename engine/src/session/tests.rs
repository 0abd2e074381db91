//! Unit tests of the session against small inline forms.

use chrono::NaiveDate;

use super::{Input, Session};
use crate::form::Form;

fn form(src: &str) -> Form {
    let c = crate::compile(src);
    assert!(!c.has_errors(), "{:#?}", c.diagnostics);
    c.form.unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn text(s: &str) -> Option<Input> {
    Some(Input::Text(s.into()))
}

const BRANCHING: &str = r#"
wegweiser: 1
id: probe
title: Probe
steps:
  - id: a
    fields:
      - { id: land, type: text, required: true }
      - { id: detail, type: text, visible_if: land == "DE", required: true }
    next:
      - { if: land == "AT", goto: c }
      - goto: b
  - id: b
    fields:
      - { id: b_feld, type: text }
    next: summary
  - id: c
    fields:
      - { id: c_feld, type: text }
"#;

#[test]
fn hidden_answers_stay_in_the_draft_but_count_as_empty_and_are_not_submitted() {
    let f = form(BRANCHING);
    let mut s = Session::new(&f, "de", today());
    s.set_answer("land", text("DE")).unwrap();
    let ch = s.set_answer("detail", text("Berlin")).unwrap();
    assert!(ch.problems_cleared.iter().any(|p| p.field.as_deref() == Some("detail")));
    assert_eq!(s.submission_data().unwrap()["detail"], "Berlin");
    let ch = s.set_answer("land", text("FR")).unwrap();
    assert_eq!(ch.deactivated, vec!["detail".to_string()]);
    assert!(s.answer("detail").is_some(), "kept in the draft");
    assert!(s.submission_data().unwrap().get("detail").is_none(), "never submitted while hidden");
    let ch = s.set_answer("land", text("DE")).unwrap();
    assert_eq!(ch.activated, vec!["detail".to_string()]);
    assert_eq!(s.submission_data().unwrap()["detail"], "Berlin", "comes back when shown again");
}

#[test]
fn answers_on_steps_that_left_the_path_are_not_submitted() {
    let f = form(BRANCHING);
    let mut s = Session::new(&f, "de", today());
    s.set_answer("land", text("DE")).unwrap();
    s.set_answer("b_feld", text("x")).unwrap();
    let ids = |s: &Session| s.path().unwrap().iter().map(|p| f.step(*p).id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&s), ["a", "b"]);
    let ch = s.set_answer("land", text("AT")).unwrap();
    assert!(ch.path_changed);
    assert_eq!(ids(&s), ["a", "c"]);
    assert!(s.submission_data().unwrap().get("b_feld").is_none());
    assert!(s.answer("b_feld").is_some());
}

#[test]
fn required_message_in_german_and_english() {
    let f = form(BRANCHING);
    let s = Session::new(&f, "de", today());
    let p = s.problems().unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].check, crate::checks::CheckCode::Required);
    let de = p[0].message.clone();
    let f2 = form(&BRANCHING.replace("title: Probe", "languages: [de, en]\ntitle: Probe"));
    let s = Session::new(&f2, "en", today());
    let en = s.problems().unwrap()[0].message.clone();
    assert_ne!(de, en);
    assert!(!de.is_empty() && !en.is_empty());
}

#[test]
fn snapshot_restores_against_a_changed_form_and_reports_what_was_dropped() {
    let f = form(BRANCHING);
    let mut s = Session::new(&f, "de", today());
    s.set_answer("land", text("DE")).unwrap();
    s.set_answer("b_feld", text("x")).unwrap();
    let snap = s.snapshot();
    let json = serde_json::to_string(&snap).unwrap();
    let snap: super::Snapshot = serde_json::from_str(&json).unwrap();
    let changed = form(&BRANCHING.replace("b_feld", "b_neu"));
    let (r, dropped) = Session::restore(&changed, &snap, today());
    assert_eq!(dropped, vec!["b_feld".to_string()]);
    assert_eq!(r.value(r.instance("land").unwrap()), crate::value::Value::Text("DE".into()));
}

#[test]
fn repeated_group_entries_and_count() {
    let f = form(
        r#"
wegweiser: 1
id: probe
title: Probe
steps:
  - id: a
    fields:
      - id: hund
        type: group
        repeat: { min: 1, max: 2 }
        fields:
          - { id: name, type: text, required: true }
      - { id: anzahl, type: computed, value: count(hund) }
"#,
    );
    let mut s = Session::new(&f, "de", today());
    assert_eq!(s.problems().unwrap().iter().map(|p| p.check.as_str()).collect::<Vec<_>>(), ["count"]);
    s.set_answer("hund.0.name", text("Bello")).unwrap();
    assert!(s.add_entry(f.field_by_id("hund").unwrap()));
    assert!(s.problems().unwrap().is_empty(), "a blank added entry blocks nothing: {:?}", s.problems().unwrap());
    s.set_answer("hund.1.name", text("Rex")).unwrap();
    assert!(!s.add_entry(f.field_by_id("hund").unwrap()), "max 2");
    s.set_answer("hund.2.name", text("Zu viel")).unwrap();
    assert_eq!(s.problems().unwrap().iter().map(|p| p.check.as_str()).collect::<Vec<_>>(), ["count"]);
    s.remove_entry(f.field_by_id("hund").unwrap(), 0);
    assert_eq!(s.answer("hund.0.name"), Some(&Input::Text("Rex".into())));
    let anzahl = s.instance("anzahl").unwrap();
    assert_eq!(s.value(anzahl), crate::value::Value::Number(2.into()));
    assert_eq!(s.submission_data().unwrap()["hund"][1]["name"], "Zu viel");
}

#[test]
fn a_compiled_form_survives_serde_and_evaluates_the_same() {
    let f = form(BRANCHING);
    let json = serde_json::to_string(&f).unwrap();
    let g: Form = serde_json::from_str(&json).unwrap();
    let mut a = Session::new(&f, "de", today());
    let mut b = Session::new(&g, "de", today());
    for s in [&mut a, &mut b] {
        s.set_answer("land", text("DE")).unwrap();
    }
    assert_eq!(a.problems().unwrap(), b.problems().unwrap());
    assert_eq!(a.path().unwrap(), b.path().unwrap());
}

/// 40 computed fields, each adding the one before to itself many times over.
fn costly_form() -> String {
    let mut y = String::from("wegweiser: 1\nid: teuer\ntitle: Teuer\nsteps:\n  - id: a\n    fields:\n      - { id: c0, type: integer }\n");
    for i in 1..40 {
        let sum = vec![format!("c{}", i - 1); 50].join(" + ");
        y.push_str(&format!("      - {{ id: c{i}, type: computed, value: \"{sum}\" }}\n"));
    }
    y.push_str("      - { id: ende, type: text, visible_if: c39 > 0 }\n");
    y
}

#[test]
fn the_session_budget_caps_the_steps_of_all_expressions_together() {
    let f = form(&costly_form());
    let snap = {
        let mut s = Session::new(&f, "de", today());
        s.set_answer("c0", text("1")).unwrap();
        s.snapshot()
    };
    // Without a session budget every expression stays within its own budget: c39 is 50^39
    // (beyond 10^28, so empty by docs/form-language.md#numbers) but c10 is exact, and nothing is marked exhausted.
    let (s, _) = Session::restore(&f, &snap, today());
    let c10 = s.instance("c10").unwrap();
    assert_eq!(s.value(c10), crate::value::Value::Number(rust_decimal::Decimal::from(50u64.pow(10))));
    let ende = s.instance("ende").unwrap();
    assert!(!s.is_active(ende));
    assert!(s.problems().is_ok());
    let used = u64::MAX - s.steps_left();
    assert!(used > 1_000, "every computed field is evaluated: {used} steps");

    // The same answers with a budget below what they need: the query says so.
    let (s, _) = Session::restore_with_budget(&f, &snap, today(), used / 2);
    let a = crate::ids::StepId(0);
    assert_eq!(s.step_problems(a), Err(super::BudgetExhausted));
    assert_eq!(s.steps_left(), 0);

    // A budget that suffices is not exhausted, and renewing it answers again.
    let (mut s, _) = Session::restore_with_budget(&f, &snap, today(), used + 1_000);
    assert!(s.step_problems(a).is_ok());
    s.set_step_budget(0);
    s.set_answer("c0", text("2")).unwrap();
    assert_eq!(s.problems(), Err(super::BudgetExhausted));
    s.set_step_budget(u64::MAX);
    assert!(s.problems().is_ok());
}

/// [`costly_form`] with a second step whose `when` reads the start of the chain, and a
/// file field whose activity reads the middle: every query has something to evaluate.
fn costly_two_steps() -> Form {
    let mut y = costly_form();
    y.push_str("      - { id: datei, type: file, visible_if: c20 > 0 }\n");
    y.push_str("  - id: b\n    when: c5 > 0\n    fields:\n      - { id: weiter, type: text, required: true }\n");
    form(&y)
}

/// A session of [`costly_two_steps`] with its answers, restored without a limit (the walk
/// is done) and then given a budget far below what validating the chain costs.
fn short_of_budget(f: &Form) -> Session<'_> {
    let mut s = Session::new(f, "de", today());
    s.set_answer("c0", text("1")).unwrap();
    let file = crate::value::FileRef { name: "a.pdf".into(), size: 10, mime: "application/pdf".into() };
    s.set_answer("datei", Some(Input::File(Box::new(file)))).unwrap();
    let (mut s, _) = Session::restore(f, &s.snapshot(), today());
    assert_eq!(s.path().unwrap().len(), 2);
    s.set_step_budget(50);
    // Nothing ran out yet: the query under test is the one that exhausts the budget.
    assert!(s.path().is_ok());
    s
}

#[test]
fn each_query_that_runs_out_of_budget_answers_budget_exhausted() {
    use super::BudgetExhausted;
    let f = costly_two_steps();
    let (a, b) = (crate::ids::StepId(0), crate::ids::StepId(1));
    // The check is on `steps_left` too: the budget ran out inside the call.
    fn ran_out<T: std::fmt::Debug>(s: &Session<'_>, r: Result<T, BudgetExhausted>, what: &str) {
        assert!(matches!(r, Err(BudgetExhausted)), "{what}: {r:?}");
        assert_eq!(s.steps_left(), 0, "{what}");
    }
    let s = short_of_budget(&f);
    ran_out(&s, s.problems(), "problems");
    let s = short_of_budget(&f);
    ran_out(&s, s.step_problems(a), "step_problems");
    let s = short_of_budget(&f);
    ran_out(&s, s.is_submittable(), "is_submittable");
    let s = short_of_budget(&f);
    ran_out(&s, s.first_incomplete_step(), "first_incomplete_step");
    let s = short_of_budget(&f);
    ran_out(&s, s.submission("t", "r"), "submission");
    let s = short_of_budget(&f);
    ran_out(&s, s.submission_data(), "submission_data");
    let s = short_of_budget(&f);
    ran_out(&s, s.submitted_files(), "submitted_files");
    let s = short_of_budget(&f);
    ran_out(&s, s.condition_outcomes(), "condition_outcomes");
    let mut s = short_of_budget(&f);
    let mut post = crate::answers::PostedStep::new();
    post.push("c0".to_string(), "2".to_string());
    let r = s.answer_step(a, &post);
    ran_out(&s, r, "answer_step");
    // The path queries evaluate in the walk: a restore whose walk runs out (step b's `when`)...
    let (s, _) = Session::restore_with_budget(&f, &short_of_budget(&f).snapshot(), today(), 10);
    ran_out(&s, s.path(), "path");
    // ... and every fallible query after a low-level read ran out (earlier in the session).
    let s = short_of_budget(&f);
    assert!(s.value(s.instance("c39").unwrap()).is_empty(), "a low-level read answers empty");
    ran_out(&s, s.path(), "path after a read");
    ran_out(&s, s.path_end(), "path_end");
    ran_out(&s, s.next_step(a), "next_step");
    ran_out(&s, s.previous_step(b), "previous_step");
    // Enough budget: every query answers.
    let s = short_of_budget(&f);
    let mut s = s;
    s.set_step_budget(u64::MAX);
    assert!(s.problems().is_ok() && s.submission("t", "r").is_ok() && s.condition_outcomes().is_ok());
    assert_eq!(s.next_step(a), Ok(Some(crate::form::Target::Step(b))));
}

#[test]
fn a_renewed_budget_drops_what_was_computed_after_the_last_ran_out() {
    let f = costly_two_steps();
    let mut s = short_of_budget(&f);
    let c10 = s.instance("c10").unwrap();
    assert!(s.value(c10).is_empty(), "ran out: empty");
    s.set_step_budget(u64::MAX);
    assert_eq!(s.value(c10), crate::value::Value::Number(rust_decimal::Decimal::from(50u64.pow(10))), "not the stale empty value");
    assert!(s.path().is_ok());
}

#[test]
fn reads_take_shared_references() {
    let f = form(BRANCHING);
    let mut s = Session::new(&f, "de", today());
    s.set_answer("land", text("DE")).unwrap();
    // Two shared borrows alive at once, each read filling caches: compiles only with `&self`.
    let (r1, r2) = (&s, &s);
    let detail = r1.instance("detail").unwrap();
    let (active, problems, value) = (r1.is_active(detail), r2.step_problems(crate::ids::StepId(0)).unwrap(), r2.value(detail));
    assert!(active && value.is_empty());
    assert_eq!(problems.iter().map(|p| p.field.as_deref()).collect::<Vec<_>>(), [Some("detail")]);
    // A session moves into a blocking task.
    fn send<T: Send>(_: &T) {}
    send(&s);
}

#[test]
fn reads_cannot_observe_stale_caches_after_set_answer() {
    let f = form(BRANCHING);
    let mut s = Session::new(&f, "de", today());
    let detail = s.instance("detail").unwrap();
    let land = s.instance("land").unwrap();
    // Fill every cache through shared reads first.
    {
        let r = &s;
        assert!(!r.is_active(detail) && !r.is_shown(detail) && r.value(land).is_empty());
        assert_eq!(r.problems().unwrap().len(), 1, "land is required");
        assert_eq!(r.submission_data().unwrap(), serde_json::json!({}));
    }
    s.set_answer("land", text("DE")).unwrap();
    let r = &s;
    assert!(r.is_active(detail) && r.is_shown(detail));
    assert_eq!(r.value(land), crate::value::Value::Text("DE".into()));
    assert_eq!(r.problems().unwrap().iter().map(|p| p.field.clone().unwrap()).collect::<Vec<_>>(), ["detail"]);
    assert_eq!(r.submission_data().unwrap(), serde_json::json!({ "land": "DE" }));
    assert_eq!(r.path().unwrap().len(), 2);
    s.set_answer("land", text("AT")).unwrap();
    let r = &s;
    assert!(!r.is_active(detail));
    let ids: Vec<&str> = r.path().unwrap().iter().map(|p| f.step(*p).id.as_str()).collect();
    assert_eq!(ids, ["a", "c"]);
    assert_eq!(r.submission_data().unwrap(), serde_json::json!({ "land": "AT" }));
}

#[test]
fn an_answer_of_a_kind_the_field_cannot_hold_is_refused_as_restore_would_drop_it() {
    let f = form(
        r#"
wegweiser: 1
id: probe
title: Probe
steps:
  - id: a
    fields:
      - { id: name, type: text }
      - { id: ja, type: boolean }
      - { id: art, type: choice, options: [{ value: x, label: X }, { value: y, label: Y }] }
      - { id: nachweis, type: file }
"#,
    );
    let file = Input::File(Box::new(crate::value::FileRef { name: "a.pdf".into(), size: 10, mime: "application/pdf".into() }));
    let mut s = Session::new(&f, "de", today());
    let wrong = [
        ("name", Input::Bool(true)),
        ("art", Input::List(vec!["x".into()])),
        ("name", file.clone()),
        ("nachweis", Input::Text("a.pdf".into())),
    ];
    for (path, input) in &wrong {
        let e = s.set_answer(path, Some(input.clone())).unwrap_err();
        assert_eq!(e, super::AnswerError::WrongKind(path.to_string()));
    }
    assert!(s.answers().is_empty());
    // What fits is kept: text for a yes/no field is read by its checks (a `type` problem).
    s.set_answer("ja", text("vielleicht")).unwrap();
    s.set_answer("nachweis", Some(file)).unwrap();
    // In a batch, the answer in error is left out and the others are set.
    let e = s.set_answers([("art".to_string(), Some(Input::Bool(false))), ("name".to_string(), text("Ada"))]).unwrap_err();
    assert_eq!(e, super::AnswerError::WrongKind("art".into()));
    assert_eq!(s.answer("name"), text("Ada").as_ref());
    // Every answer the session holds survives a restore.
    let (restored, dropped) = Session::restore(&f, &s.snapshot(), today());
    assert!(dropped.is_empty(), "{dropped:?}");
    assert_eq!(restored.answers(), s.answers());
}

/// A form of `steps` steps of ten fields; each step after the first is shown when a field
/// of the step before it is filled, and a computed field carries a running total, so the
/// walk evaluates every step's `when`.
fn chain(steps: usize) -> String {
    let mut y = String::from("wegweiser: 1\nid: kette\ntitle: Kette\nsteps:\n");
    for s in 0..steps {
        y.push_str(&format!("  - id: s{s}\n"));
        if s > 0 {
            y.push_str(&format!("    when: filled(t{p}_0) or z{p} > 3\n", p = s - 1));
        }
        y.push_str("    fields:\n");
        y.push_str(&format!("      - {{ id: z{s}, type: integer }}\n"));
        let carry = if s > 0 { format!(" + summe{}", s - 1) } else { String::new() };
        y.push_str(&format!("      - {{ id: summe{s}, type: computed, value: 'z{s} * 2{carry}' }}\n"));
        for k in 0..8 {
            y.push_str(&format!("      - {{ id: t{s}_{k}, type: text, visible_if: z{s} < 10 }}\n"));
        }
    }
    y
}

/// The walk that decides the path (docs/form-language.md#the-path: only steps already on the path are active) once
/// emptied every field's caches per step on the path: steps × fields. What it empties now
/// is what it evaluated, so ten times the steps cost about ten times as much, not a hundred.
#[test]
fn the_walk_clears_caches_in_linear_time() {
    let measure = |steps: usize| {
        let f = form(&chain(steps));
        let mut s = Session::new(&f, "de", today());
        let answers: Vec<_> = (0..steps).flat_map(|i| [(format!("z{i}"), text("1")), (format!("t{i}_0"), text("x"))]).collect();
        s.set_answers(answers).unwrap();
        assert_eq!(s.path().unwrap().len(), steps, "every step is on the path");
        assert!(s.problems().unwrap().is_empty());
        // One answer read by a `when`: the path is walked again.
        s.set_answer("t0_0", text("y")).unwrap();
        (s.state.cleared(), s.evaluations())
    };
    let (small_cleared, small_evals) = measure(10);
    let (large_cleared, large_evals) = measure(100);
    println!("10 steps: {small_cleared} slots cleared, {small_evals} evaluations; 100 steps: {large_cleared}, {large_evals}");
    assert!(large_cleared <= 12 * small_cleared, "clearing grew from {small_cleared} to {large_cleared} slots");
    assert!(large_evals <= 12 * small_evals, "evaluations grew from {small_evals} to {large_evals}");
}

const PARAMS: &str = r#"
wegweiser: 1
id: params
title: Parameter
parameters:
  satz: { type: money, default: 90 }
  zweiter: { type: money }
  gesondert: { type: boolean, default: true }
values:
  steuer: anzahl * satz
steps:
  - id: a
    title: "Der erste Hund kostet {{ satz }} Euro."
    fields:
      - { id: anzahl, type: integer }
  - id: b
    when: gesondert
    fields:
      - { id: extra, type: text }
"#;

fn params(pairs: &[(&str, crate::value::Value)]) -> crate::form::ParameterValues {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn num(s: &str) -> crate::value::Value {
    crate::value::Value::Number(s.parse().unwrap())
}

#[test]
fn parameters_are_read_like_values_with_the_sessions_values() {
    let f = form(PARAMS);
    assert_eq!(f.parameters.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["satz", "zweiter", "gesondert"]);
    let steuer = crate::ids::ValueId(0);
    // Defaults only: `zweiter` has none and is empty in a plain `Session::new`.
    let mut s = Session::new(&f, "de", today());
    s.set_answer("anzahl", text("2")).unwrap();
    assert_eq!(s.named_value(steuer), num("180"));
    assert_eq!(s.path().unwrap().len(), 2);
    // An authority's values replace the defaults.
    let values = params(&[("satz", num("120")), ("zweiter", num("168")), ("gesondert", crate::value::Value::Bool(false))]);
    let mut s = Session::with_parameters(&f, "de", today(), &values).unwrap();
    s.set_answer("anzahl", text("2")).unwrap();
    assert_eq!(s.named_value(steuer), num("240"));
    assert_eq!(s.path().unwrap().len(), 1, "`when: gesondert` reads the parameter");
    let title = f.steps[0].title.clone().unwrap();
    assert_eq!(s.render(&title, None), "Der erste Hund kostet 120,00 Euro.");
    // The submission records what the session was evaluated with.
    let doc = s.submission("2026-11-22T10:00:00Z", "X-1").unwrap();
    assert_eq!(doc.parameters, Some(serde_json::json!({ "satz": "120.00", "zweiter": "168.00", "gesondert": false })));
    // A restored draft keeps the authority's values.
    let (back, dropped) = Session::restore_with_parameters(&f, &s.snapshot(), today(), u64::MAX, &values).unwrap();
    assert!(dropped.is_empty());
    assert_eq!(back.named_value(steuer), num("240"));
}

#[test]
fn wrong_parameter_values_are_construction_errors() {
    use super::ParameterError;
    let f = form(PARAMS);
    let e = |v: &crate::form::ParameterValues| Session::with_parameters(&f, "de", today(), v).err();
    assert_eq!(e(&params(&[])), Some(ParameterError::Missing("zweiter".into())));
    assert_eq!(e(&params(&[("zweiter", num("1")), ("satzz", num("1"))])), Some(ParameterError::Unknown("satzz".into())));
    assert!(matches!(e(&params(&[("zweiter", num("1.005"))])), Some(ParameterError::Mismatch(n, _)) if n == "zweiter"));
    assert!(matches!(e(&params(&[("zweiter", crate::value::Value::Bool(true))])), Some(ParameterError::Mismatch(..))));
    assert_eq!(e(&params(&[("zweiter", num("1"))])), None);
}

#[test]
fn a_parameter_is_a_constant_of_the_dependency_graph() {
    let f = form(PARAMS);
    // Nothing reads a parameter through the graph: it has no dependencies and never changes.
    let satz = f.parameter("satz").unwrap().value;
    assert!(matches!(f.values[satz.ix()].expr, crate::expr::CExpr::Lit(_)));
    let values = params(&[("zweiter", num("1"))]);
    let mut s = Session::with_parameters(&f, "de", today(), &values).unwrap();
    let changes = s.set_answer("anzahl", text("3")).unwrap();
    assert_eq!(changes.values, vec![("steuer".to_string(), serde_json::json!("270"))]);
}

/// A form whose answers are read differently by language (`1.500` is 1500 in German, 1.5
/// in English), with option conditions, defaults inside and outside a repeated group,
/// bounds reading other fields and today, for the tests of the answers kept read.
const READS: &str = r#"
wegweiser: 1
id: probe
languages: [de, en]
title: Probe
values:
  grenze: 100
steps:
  - id: a
    fields:
      - { id: zahl, type: number, required: true, min: 0, max: grenze, decimals: 1 }
      - { id: datum, type: date, max: today() }
      - { id: name, type: text, max_length: 4, pattern: '[A-Z]+' }
      - { id: voll, type: number, default: "2,5", max: zahl }
      - id: wahl
        type: choice
        options:
          - { value: x, label: X }
          - { value: y, label: Y, if: zahl > 1 }
      - { id: mehr, type: multi_choice, max: 1, options: [{ value: a, label: A }, { value: b, label: B, if: filled(name) }] }
      - id: kind
        type: group
        repeat: { min: 0, max: 3 }
        fields:
          - { id: alter, type: integer, min: 0, default: "1" }
          - { id: ruf, type: text, required: true }
      - { id: summe, type: computed, value: 'sum(kind, alter) + zahl' }
    rules:
      - { check: zahl >= count(kind), field: zahl, message: Zu wenig }
"#;

/// Inputs the property test chooses from: accepted, rejected, blank, language-dependent.
const READ_INPUTS: &[&str] = &["1.500", "1,5", "2", "-3", "abc", "", "  ", "x", "y", "AB", "ABCDE", "ab", "01.01.2000", "31.02.2000", "01.01.2099", "0", "7,25"];

#[derive(Debug, Clone)]
enum ReadOp {
    Set(usize, Option<usize>),
    List(Vec<usize>),
    Batch(Vec<(usize, Option<usize>)>),
    AddEntry,
    RemoveEntry(u32),
    Language(bool),
    Restore,
}

const READ_PATHS: &[&str] = &["zahl", "datum", "name", "voll", "wahl", "kind.0.alter", "kind.0.ruf", "kind.1.alter", "kind.2.ruf"];

fn read_op() -> impl proptest::strategy::Strategy<Value = ReadOp> {
    use proptest::prelude::*;
    let path = 0..READ_PATHS.len();
    let input = proptest::option::weighted(0.85, 0..READ_INPUTS.len());
    prop_oneof![
        4 => (path.clone(), input.clone()).prop_map(|(p, i)| ReadOp::Set(p, i)),
        1 => proptest::collection::vec(0..4usize, 0..3).prop_map(ReadOp::List),
        2 => proptest::collection::vec((path, input), 1..4).prop_map(ReadOp::Batch),
        1 => Just(ReadOp::AddEntry),
        1 => (0..3u32).prop_map(ReadOp::RemoveEntry),
        1 => any::<bool>().prop_map(ReadOp::Language),
        1 => Just(ReadOp::Restore),
    ]
}

fn apply_read_op<'f>(f: &'f Form, s: Session<'f>, op: &ReadOp) -> Session<'f> {
    let mut s = s;
    let input = |i: &Option<usize>| i.map(|i| Input::Text(READ_INPUTS[i].into()));
    let kind = f.field_by_id("kind").unwrap();
    match op {
        // Refused answers (a locked field, a kind that does not fit) leave the session as it was.
        ReadOp::Set(p, i) => drop(s.set_answer(READ_PATHS[*p], input(i))),
        ReadOp::List(items) => {
            let items = items.iter().map(|i| ["a", "b", "c", ""][*i].to_string()).collect();
            drop(s.set_answer("mehr", Some(Input::List(items))));
        }
        ReadOp::Batch(b) => drop(s.set_answers(b.iter().map(|(p, i)| (READ_PATHS[*p].to_string(), input(i))))),
        ReadOp::AddEntry => drop(s.add_entry(kind)),
        ReadOp::RemoveEntry(e) => s.remove_entry(kind, *e),
        ReadOp::Language(en) => s.set_language(if *en { "en" } else { "de" }),
        ReadOp::Restore => return Session::restore(f, &s.snapshot(), today()).0,
    }
    s
}

/// What a front end can ask of a session, for comparing two.
fn observed(s: &Session<'_>) -> (Vec<super::Problem>, Vec<(String, crate::value::Value, bool)>) {
    let f = s.form();
    let mut fields = Vec::new();
    for (i, _) in f.fields.iter().enumerate() {
        for e in s.instances_of(crate::ids::FieldId(i as u32)) {
            let inst = super::Instance { field: crate::ids::FieldId(i as u32), entry: e };
            fields.push((s.path_of(inst), s.value(inst), s.is_active(inst)));
        }
    }
    (s.problems().unwrap(), fields)
}

/// The same answers, entries and language in a session built from nothing: one answer at a
/// time, so nothing it read can come from the session under test.
fn rebuilt<'f>(f: &'f Form, s: &Session<'f>) -> Session<'f> {
    let mut fresh = Session::new(f, s.language(), today());
    fresh.entries = s.entries.clone();
    fresh.state.clear();
    fresh.recompute_path();
    for (p, i) in s.answers() {
        fresh.set_answer(p, Some(i.clone())).unwrap();
    }
    fresh
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 200, ..Default::default() })]

    /// The answers a session keeps read (`Answer::read`, `default_reads`) never go stale:
    /// after any sequence of `set_answer`, `set_answers`, entries added and removed,
    /// `set_language` and `restore`, every problem, value and activity equals that of a
    /// session built afresh with the same answers.
    #[test]
    fn kept_reads_agree_with_a_fresh_session(ops in proptest::collection::vec(read_op(), 1..12)) {
        let f = form(READS);
        let mut s = Session::new(&f, "de", today());
        for op in &ops {
            s = apply_read_op(&f, s, op);
            let fresh = rebuilt(&f, &s);
            proptest::prop_assert_eq!(observed(&s), observed(&fresh), "after {:?}", op);
        }
    }
}

#[test]
fn a_language_switch_reads_answers_and_defaults_again() {
    let f = form(READS);
    let mut s = Session::new(&f, "de", today());
    s.set_answer("zahl", text("1.500")).unwrap();
    let zahl = s.instance("zahl").unwrap();
    let voll = s.instance("voll").unwrap();
    assert_eq!(s.value(zahl), num("1500"));
    assert_eq!(s.value(voll), num("2.5"));
    assert_eq!(s.problems().unwrap().iter().map(|p| p.check.as_str()).collect::<Vec<_>>(), ["max"]);
    s.set_language("en");
    assert_eq!(s.value(zahl), num("1.5"), "read again in English");
    // The default "2,5" is no English number: a type problem once read in English.
    assert_eq!(s.value(voll), crate::value::Value::Empty);
    assert_eq!(s.problems().unwrap().iter().map(|p| (p.field.as_deref().unwrap_or(""), p.check.as_str())).collect::<Vec<_>>(), [("voll", "type")]);
}

#[test]
fn an_answer_is_read_when_set_and_again_when_replaced() {
    let f = form(READS);
    let mut s = Session::new(&f, "de", today());
    s.set_answer("name", text("ABCDE")).unwrap();
    assert_eq!(s.problems().unwrap().iter().map(|p| p.check.as_str()).collect::<Vec<_>>(), ["required", "max_length"]);
    s.set_answers([("name".to_string(), text("ab")), ("zahl".to_string(), text("5"))]).unwrap();
    assert_eq!(s.problems().unwrap().iter().map(|p| p.check.as_str()).collect::<Vec<_>>(), ["pattern"]);
    s.set_answer("name", None).unwrap();
    assert!(s.problems().unwrap().is_empty());
    // Removing an entry moves the later entries' answers (and what was read of them) up.
    let kind = f.field_by_id("kind").unwrap();
    s.set_answers([("kind.0.ruf".to_string(), text("A")), ("kind.1.ruf".to_string(), text("B")), ("kind.1.alter".to_string(), text("x"))]).unwrap();
    assert_eq!(s.problems().unwrap().iter().map(|p| p.field.clone().unwrap_or_default()).collect::<Vec<_>>(), ["kind.1.alter"]);
    s.remove_entry(kind, 0);
    assert_eq!(s.problems().unwrap().iter().map(|p| p.field.clone().unwrap_or_default()).collect::<Vec<_>>(), ["kind.0.alter"]);
}

#[test]
fn a_chosen_option_is_checked_against_the_options_offered_now() {
    let f = form(READS);
    let mut s = Session::new(&f, "de", today());
    s.set_answers([("zahl".to_string(), text("5")), ("wahl".to_string(), text("y"))]).unwrap();
    let wahl = s.instance("wahl").unwrap();
    assert_eq!(s.value(wahl), crate::value::Value::Text("y".into()));
    assert!(s.problems().unwrap().is_empty());
    // `y` is offered only while zahl > 1: the kept read of `wahl` must not keep it valid.
    s.set_answer("zahl", text("1")).unwrap();
    assert_eq!(s.value(wahl), crate::value::Value::Empty);
    let of_wahl = s.problems().unwrap().into_iter().filter(|p| p.field.as_deref() == Some("wahl"));
    assert_eq!(of_wahl.map(|p| p.check.as_str().to_string()).collect::<Vec<_>>(), ["option"]);
}
