//! Unit tests of the view model, on small forms and on a bundled one (a snapshot).

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::*;
use crate::answers::Input;
use crate::session::Session;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn form(src: &str) -> crate::Form {
    let c = crate::compile(src);
    c.form.unwrap_or_else(|| panic!("{:?}", c.diagnostics))
}

fn text(v: &str) -> Option<Input> {
    Some(Input::Text(v.to_string()))
}

const SMALL: &str = r#"wegweiser: 1
id: v
title: V
languages: [de, en]
steps:
  - id: a
    title: "Hallo {{ name }}"
    fields:
      - { id: name, type: text, label: Name, required: true, default: Erika }
      - { id: geburt, type: date, label: Geboren }
      - id: art
        type: choice
        label: Art
        options:
          - { value: x, label: X }
          - { value: y, label: "Y", if: filled(geburt) }
      - { id: mehr, type: text, label: Mehr, visible_if: art == "x" }
      - { id: summe, type: computed, label: Summe, value: 1234.5, format: money }
      - id: kind
        type: group
        label: "Kind {{ index }}"
        repeat: { min: 1, max: 2 }
        fields:
          - { id: kname, type: text, label: Vorname }
"#;

#[test]
fn a_step_view_has_the_instances_in_page_order_with_values_as_shown() {
    let f = form(SMALL);
    let s = Session::new(&f, "de", today());
    let v = s.step_view(f.step_by_id("a").unwrap()).expect("within the budget");
    assert_eq!(v.title, "Hallo Erika");
    assert!(v.on_path && !v.exit);
    let paths: Vec<&str> = v.instances().iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["name", "geburt", "art", "mehr", "summe", "kind", "kind.0.kname"]);
    // The default is the value until answered; a date gets the hint how to write it.
    assert_eq!(v.fields[0].value, "Erika");
    assert_eq!(v.fields[1].hint.as_deref(), Some("Zum Beispiel 27.03.2026"));
    assert!(v.fields[1].optional && !v.fields[0].optional);
    assert_eq!(v.fields[4].value, "1.234,50\u{a0}€");
    assert_eq!(v.fields[4].kind, FieldKind::Computed);
    // An option whose `if` does not hold is in the view, not shown.
    let shown: Vec<(&str, bool)> = v.fields[2].options.iter().map(|o| (o.value.as_str(), o.shown)).collect();
    assert_eq!(shown, [("x", true), ("y", false)]);
    assert!(!v.fields[3].shown);
    // A label naming each entry is the entries' legend, not the list's heading.
    let kind = &v.fields[5];
    assert_eq!((kind.kind, kind.label.as_str(), kind.can_add), (FieldKind::Repeat, "", true));
    assert_eq!(kind.entries[0].legend, "Kind 1");
    assert!(!kind.entries[0].removable);
    assert_eq!(v.shown_paths(), ["name", "geburt", "art", "summe", "kind", "kind.0.kname"]);
}

#[test]
fn answers_change_the_view() {
    let f = form(SMALL);
    let mut s = Session::new(&f, "en", today());
    s.set_answer("art", text("x")).unwrap();
    s.set_answer("geburt", text("31.02.1980")).unwrap();
    s.set_answer("name", text("")).unwrap();
    let kind = f.field_by_id("kind").unwrap();
    s.add_entry(kind);
    let v = s.step_view(f.step_by_id("a").unwrap()).expect("within the budget");
    assert_eq!(v.title, "Hallo ");
    assert!(v.fields[3].shown, "`mehr` shows once `art` is x");
    assert!(v.fields[2].options[0].checked && !v.fields[2].options[1].checked);
    assert_eq!(v.fields[1].hint.as_deref(), Some("For example 27/03/2026"));
    // Problems by field, in the session's language; the step's list has them all.
    let codes = |i: usize| v.fields[i].problems.iter().map(|p| p.code.as_str()).collect::<Vec<_>>();
    assert_eq!(codes(0), ["required"]);
    assert_eq!(codes(1), ["type"]);
    // Both entries are empty: the group's own `count` problem.
    assert_eq!(codes(5), ["count"]);
    assert_eq!(v.problems.len(), 3, "{:?}", v.problems);
    // Two entries: the maximum, both removable.
    let group = &v.fields[5];
    assert_eq!(group.entries.len(), 2);
    assert!(!group.can_add && group.entries.iter().all(|e| e.removable));
    assert_eq!(group.entries[1].path, "kind.1");
    assert_eq!(group.entries[1].fields[0].path, "kind.1.kname");
    let revealed: BTreeSet<&str> = ["mehr", "summe"].into();
    let q = v.new_questions(&revealed);
    assert_eq!(q, [NewQuestion { path: "mehr".into(), label: "Mehr".into() }]);
}

#[test]
fn the_summary_has_active_answers_as_shown_with_a_block_per_entry() {
    let f = form(SMALL);
    let mut s = Session::new(&f, "de", today());
    s.set_answer("art", text("x")).unwrap();
    s.set_answer("kind.0.kname", text("Max")).unwrap();
    let v = s.summary_view().expect("within the budget");
    assert_eq!(v.steps.len(), 1);
    let blocks = &v.steps[0].blocks;
    // Plain rows before the entry close into a block of their own; the entry is a card.
    let rows: Vec<(&str, &str, bool)> = blocks[0].rows.iter().map(|r| (r.path.as_str(), r.value.as_str(), r.changeable)).collect();
    assert_eq!(rows, [("name", "Erika", true), ("art", "X", true), ("summe", "1.234,50\u{a0}€", false)]);
    assert_eq!(blocks[1].heading.as_deref(), Some("Kind 1"));
    assert_eq!(blocks[1].path.as_deref(), Some("kind.0"));
    assert_eq!(blocks[1].rows[0].value, "Max");
}

#[test]
fn an_entry_legend_names_the_entry() {
    let src = "wegweiser: 1\nid: l\ntitle: L\nsteps:\n  - id: a\n    fields:\n      - id: g\n        type: group\n        label: Kinder\n        repeat: { min: 0 }\n        fields:\n          - { id: n, type: text }\n      - id: h\n        type: group\n        repeat: { min: 0 }\n        fields:\n          - { id: m, type: text }\n";
    let f = form(src);
    let s = Session::new(&f, "de", today());
    let (g, h) = (f.field_by_id("g").unwrap(), f.field_by_id("h").unwrap());
    assert_eq!(entry_legend(&s, g, 1), "Kinder: Eintrag 2");
    assert_eq!(entry_legend(&s, h, 0), "Eintrag 1");
}

/// The view of the dogs' step of the bundled Hundesteuer form, with one dog whose
/// exemption was asked for and a microchip number that is too short: reviewed as a
/// whole (texts, kinds, options, problems, entry controls).
#[test]
fn the_view_of_a_bundled_step() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../form-definitions/hundesteuer.yaml")).unwrap();
    let f = form(&src);
    let mut s = Session::new(&f, "de", today());
    s.set_answer("wohnsitz_bitburg", Some(Input::Bool(true))).unwrap();
    for (p, v) in [
        ("vorname", "Erika"),
        ("nachname", "Mustermann"),
        ("geburtsdatum", "01.01.1980"),
        ("strasse", "Hauptstraße 1"),
        ("plz", "54634"),
        ("ort", "Bitburg"),
        ("hund.0.hund_name", "Bello"),
        ("hund.0.rasse", "mischling"),
        ("hund.0.einzelfall_gefaehrlich", "false"),
        ("hund.0.haltung_seit", "01.03.2026"),
        ("hund.0.chipnummer", "1234"),
        ("hund.0.befreiung_beantragt", "true"),
    ] {
        s.set_answer(p, text(v)).unwrap_or_else(|e| panic!("{p}: {e}"));
    }
    let v = s.step_view(f.step_by_id("hunde").unwrap()).expect("within the budget");
    insta::assert_json_snapshot!("hundesteuer_hunde", v);
}
