//! The rule of reading what was typed: blank versus default, revealed fields, forged
//! options, the length limit, and that only the step's shown input fields are read.

use chrono::NaiveDate;

use crate::answers::{Input, PostedStep, Refusal};
use crate::checks::CheckCode;
use crate::form::Form;
use crate::session::{AnswerError, Session};
use crate::value::{FileRef, Value};

fn form(src: &str) -> Form {
    let c = crate::compile(src);
    assert!(!c.has_errors(), "{:#?}", c.diagnostics);
    c.form.unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// A post of `name=value` pairs, as a browser sends a form.
fn post(pairs: &[(&str, &str)]) -> PostedStep {
    let mut p = PostedStep::new();
    for (k, v) in pairs {
        p.push(*k, *v);
    }
    p
}

fn checks_of(s: &Session<'_>, path: &str) -> Vec<CheckCode> {
    let step = s.form().field(s.instance(path).unwrap().field).step;
    s.step_problems(step).unwrap().into_iter().filter(|p| p.field.as_deref() == Some(path)).map(|p| p.check).collect()
}

const ADDRESS: &str = r#"
wegweiser: 1
id: probe
title: Probe
steps:
  - id: a
    fields:
      - { id: ort, type: text, required: true, default: Tübingen }
      - { id: strasse, type: text }
      - { id: land, type: choice, required: true, default: deu, options: [{ value: deu, label: Deutschland }, { value: aut, label: Österreich }] }
      - { id: tiere, type: multi_choice, options: [{ value: hund, label: Hund }, { value: katze, label: Katze }] }
      - { id: summe, type: computed, value: "1" }
      - { id: nachweis, type: file }
  - id: b
    fields:
      - { id: b_feld, type: text }
"#;

#[test]
fn a_blank_text_clears_its_default_and_the_default_does_not_come_back() {
    let f = form(ADDRESS);
    let mut s = Session::new(&f, "de", today());
    let ort = s.instance("ort").unwrap();
    assert_eq!(s.value(ort), Value::Text("Tübingen".into()), "the default stands in while unanswered");
    let a = f.step_by_id("a").unwrap();
    let answer = s.answer_step(a, &post(&[("ort", "  "), ("land", "deu")])).unwrap();
    assert!(answer.read.contains(&"ort".to_string()));
    assert_eq!(s.answer("ort"), Some(&Input::Text(String::new())), "the blank answer is kept");
    assert_eq!(s.value(ort), Value::Empty);
    assert_eq!(checks_of(&s, "ort"), vec![CheckCode::Required]);
    // Posting it blank again keeps it blank: the default never returns by itself.
    s.answer_step(a, &post(&[("ort", ""), ("land", "deu")])).unwrap();
    assert_eq!(checks_of(&s, "ort"), vec![CheckCode::Required]);
}

#[test]
fn a_blank_without_a_default_removes_the_answer_and_an_unposted_field_is_unanswered() {
    let f = form(ADDRESS);
    let mut s = Session::new(&f, "de", today());
    let a = f.step_by_id("a").unwrap();
    s.answer_step(a, &post(&[("strasse", "Hauptstraße 1"), ("ort", "Köln")])).unwrap();
    assert_eq!(s.answer("strasse"), Some(&Input::Text("Hauptstraße 1".into())));
    s.answer_step(a, &post(&[("strasse", " "), ("ort", "Köln")])).unwrap();
    assert_eq!(s.answer("strasse"), None, "blank and unanswered are one without a default");
    // A field the post does not name is unanswered: its default applies again.
    s.answer_step(a, &post(&[])).unwrap();
    assert_eq!(s.answer("ort"), None);
    assert_eq!(s.value(s.instance("ort").unwrap()), Value::Text("Tübingen".into()));
}

#[test]
fn a_blank_choice_clears_its_default_too() {
    let f = form(ADDRESS);
    let mut s = Session::new(&f, "de", today());
    let a = f.step_by_id("a").unwrap();
    s.answer_step(a, &post(&[("ort", "Köln"), ("land", "")])).unwrap();
    assert_eq!(s.answer("land"), Some(&Input::Text(String::new())));
    assert_eq!(checks_of(&s, "land"), vec![CheckCode::Required]);
    s.answer_step(a, &post(&[("ort", "Köln"), ("land", " aut ")])).unwrap();
    assert_eq!(s.answer("land"), Some(&Input::Text("aut".into())), "stored as the option it names");
}

#[test]
fn a_forged_option_refuses_the_field_and_keeps_its_earlier_answer() {
    let f = form(ADDRESS);
    let mut s = Session::new(&f, "de", today());
    let a = f.step_by_id("a").unwrap();
    s.answer_step(a, &post(&[("land", "aut"), ("tiere", "hund")])).unwrap();
    let answer = s.answer_step(a, &post(&[("land", "xyz"), ("tiere", "katze"), ("tiere", "gibt-es-nicht"), ("ort", "Köln")])).unwrap();
    assert_eq!(answer.refused.get("land"), Some(&Refusal::NotAnOption));
    assert_eq!(answer.refused.get("tiere"), Some(&Refusal::NotAnOption), "one forged item spoils the whole answer");
    assert_eq!(answer.refused.len(), 2);
    assert!(!answer.read.contains(&"land".to_string()));
    assert_eq!(s.answer("land"), Some(&Input::Text("aut".into())));
    assert_eq!(s.answer("tiere"), Some(&Input::List(vec!["hund".into()])));
    assert_eq!(s.answer("ort"), Some(&Input::Text("Köln".into())), "the other fields are read");
    // Repeated and blank items are no forgery: dropped, each option kept once.
    let answer = s.answer_step(a, &post(&[("tiere", "katze"), ("tiere", " katze"), ("tiere", ""), ("tiere", "hund")])).unwrap();
    assert!(answer.refused.is_empty());
    assert_eq!(s.answer("tiere"), Some(&Input::List(vec!["katze".into(), "hund".into()])));
}

#[test]
fn a_value_over_the_limit_refuses_the_field() {
    let f = form(ADDRESS);
    let mut s = Session::new(&f, "de", today());
    let a = f.step_by_id("a").unwrap();
    s.answer_step(a, &post(&[("strasse", "Weg 1")]).with_max_chars(5)).unwrap();
    // Characters, not bytes: five umlauts are five.
    let answer = s.answer_step(a, &post(&[("strasse", "Weg 12"), ("ort", "ÄÖÜäö")]).with_max_chars(5)).unwrap();
    assert_eq!(answer.refused.get("strasse"), Some(&Refusal::AnswerTooLong { max: 5 }));
    assert_eq!(answer.refused["strasse"].code(), "answer_too_long");
    assert_eq!(s.answer("strasse"), Some(&Input::Text("Weg 1".into())));
    assert_eq!(s.answer("ort"), Some(&Input::Text("ÄÖÜäö".into())));
}

#[test]
fn only_the_steps_shown_input_fields_are_read() {
    let f = form(ADDRESS);
    let mut s = Session::new(&f, "de", today());
    let a = f.step_by_id("a").unwrap();
    let answer = s.answer_step(a, &post(&[("ort", "Köln"), ("summe", "99"), ("b_feld", "fremd"), ("unbekannt", "x")])).unwrap();
    assert_eq!(s.answer("summe"), None, "a computed field is never answered");
    assert_eq!(s.answer("b_feld"), None, "a field of another step is not read");
    assert!(answer.read.iter().all(|p| p != "summe" && p != "b_feld" && p != "unbekannt"));
    assert_eq!(answer.read, vec!["ort", "strasse", "land", "tiere"], "page order; the file field keeps its upload");
}

#[test]
fn an_upload_is_handed_in_and_no_upload_keeps_the_earlier_one() {
    let f = form(ADDRESS);
    let mut s = Session::new(&f, "de", today());
    let a = f.step_by_id("a").unwrap();
    let file = FileRef { name: "nachweis.pdf".into(), size: 1200, mime: "application/pdf".into() };
    let mut p = post(&[("ort", "Köln")]);
    p.file("nachweis", file.clone());
    let answer = s.answer_step(a, &p).unwrap();
    assert!(answer.read.contains(&"nachweis".to_string()));
    assert_eq!(s.answer("nachweis"), Some(&Input::File(Box::new(file.clone()))));
    let answer = s.answer_step(a, &post(&[("ort", "Köln")])).unwrap();
    assert!(!answer.read.contains(&"nachweis".to_string()));
    assert_eq!(s.answer("nachweis"), Some(&Input::File(Box::new(file))));
}

const REVEALING: &str = r#"
wegweiser: 1
id: probe
title: Probe
steps:
  - id: a
    fields:
      - { id: hund, type: boolean, required: true }
      - { id: rasse, type: text, visible_if: hund == true, required: true }
      - { id: gefaehrlich, type: choice, visible_if: rasse == "Kampfhund", options: [{ value: ja, label: Ja }, { value: nein, label: Nein }], required: true }
      - { id: gutachten, type: text, visible_if: gefaehrlich == "ja", required: true }
"#;

#[test]
fn fields_revealed_by_the_post_are_read_round_after_round_and_reported() {
    let f = form(REVEALING);
    let mut s = Session::new(&f, "de", today());
    let a = f.step_by_id("a").unwrap();
    let answer =
        s.answer_step(a, &post(&[("hund", "true"), ("rasse", "Kampfhund"), ("gefaehrlich", "ja"), ("gutachten", "liegt vor")])).unwrap();
    assert_eq!(answer.read, vec!["hund", "rasse", "gefaehrlich", "gutachten"], "one field more each round");
    assert_eq!(answer.revealed, vec!["rasse", "gefaehrlich", "gutachten"]);
    assert_eq!(s.answer("gutachten"), Some(&Input::Text("liegt vor".into())));
    // Shown before this post: not revealed again.
    let answer =
        s.answer_step(a, &post(&[("hund", "true"), ("rasse", "Dackel"), ("gefaehrlich", "ja"), ("gutachten", "liegt vor")])).unwrap();
    assert!(answer.revealed.is_empty());
    assert!(!s.is_shown(s.instance("gefaehrlich").unwrap()));
    assert_eq!(s.answer("gefaehrlich"), Some(&Input::Text("ja".into())), "a field the post hid keeps its answer");
}

#[test]
fn a_hidden_field_is_not_read_even_when_posted() {
    let f = form(REVEALING);
    let mut s = Session::new(&f, "de", today());
    let a = f.step_by_id("a").unwrap();
    let answer = s.answer_step(a, &post(&[("hund", "false"), ("rasse", "Dackel")])).unwrap();
    assert_eq!(answer.read, vec!["hund"]);
    assert_eq!(s.answer("rasse"), None);
}

#[test]
fn one_field_as_typed_follows_the_same_rule() {
    let f = form(ADDRESS);
    let mut s = Session::new(&f, "de", today());
    let typed = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let ch = s.answer_typed("ort", &typed(&[""])).unwrap();
    assert!(ch.problems_added.iter().any(|p| p.field.as_deref() == Some("ort") && p.check == CheckCode::Required));
    assert_eq!(s.answer("ort"), Some(&Input::Text(String::new())));
    s.answer_typed("strasse", &typed(&["Weg 1"])).unwrap();
    s.answer_typed("strasse", &typed(&[""])).unwrap();
    assert_eq!(s.answer("strasse"), None);
    assert_eq!(s.answer_typed("land", &typed(&["xyz"])), Err(AnswerError::Refused("land".into(), Refusal::NotAnOption)));
    assert_eq!(s.answer_typed("summe", &typed(&["1"])), Err(AnswerError::UnknownField("summe".into())));
    s.answer_typed("tiere", &typed(&["hund", "katze"])).unwrap();
    s.answer_typed("tiere", &typed(&[])).unwrap();
    assert_eq!(s.answer("tiere"), None);
}
