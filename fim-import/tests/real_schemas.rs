//! Every real, licensed FIM schema the tests have, measured: how many of its rules the importer
//! translates (each with two generated scenarios that pass through the engine) and where the
//! grammar stopped on the others. The counts are pinned, so a regression fails; `docs/fim.md`
//! ("Figures") reports them.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::material;
use fim::{Import, Options};

/// The real schemas kept in this crate (`tests/fixtures/real/`, each with its README).
fn real(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real").join(dir)
}

struct Measured {
    name: &'static str,
    out: Import,
    millis: u128,
}

fn measure(name: &'static str, schema: &Path, lists: Option<&Path>) -> Measured {
    let xml = std::fs::read_to_string(schema).unwrap_or_else(|e| panic!("{}: {e}", schema.display()));
    let mut w = Vec::new();
    let codelists = lists.map(|d| fim::genericode::load_dir(d, &mut w).unwrap()).unwrap_or_default();
    let opts = Options { codelists, source_name: schema.file_name().map(|n| n.to_string_lossy().into()) };
    let start = Instant::now();
    let out = fim::import(&xml, &opts).unwrap();
    let millis = start.elapsed().as_millis();
    // What the import writes compiles and its scenarios (the rules' two each) pass.
    let c = engine::compile(&out.yaml);
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
    let form = c.form.unwrap();
    let outcomes = engine::scenario::run_scenarios(&form, &out.test_yaml).unwrap_or_else(|d| panic!("{name}: {d:#?}"));
    for o in &outcomes {
        assert!(o.failures.is_empty(), "{name}: {}: {:#?}", o.name, o.failures);
    }
    // Every translated rule has its scenarios (two per consequence, so at least two).
    for r in out.report.rules.iter().filter(|r| r.status == "translated") {
        let n = outcomes.iter().filter(|o| o.name.starts_with(&format!("{}:", r.fim))).count();
        assert!(n >= 2, "{name}: {} has {n} scenarios", r.fim);
    }
    // Every rule left to do says why (where the grammar stopped, or what is missing).
    for r in out.report.rules.iter().filter(|r| r.status == "todo") {
        assert!(r.reason.as_deref().is_some_and(|x| !x.is_empty()), "{name}: {} has no reason", r.fim);
        assert!(out.yaml.contains(&format!("# TODO {}", r.fim)), "{name}: {} is not in the form", r.fim);
    }
    Measured { name, out, millis }
}

fn all() -> Vec<Measured> {
    let shared = material();
    let bp = shared.join("xdf2/bewohnerparken");
    vec![
        measure("S05000058 Bewohnerparkausweis", &bp.join("S05000058V1.0_xdf2.xml"), Some(&bp)),
        measure("S00000009 Gewerbe-Anmeldung", &shared.join("xdf2/gewerbeanmeldung/S00000009_xdatenfelder.xml"), None),
        measure("G60000000088 XDF3 simple.xml", &shared.join("xdf3-examples/simple.xml"), None),
        measure("XDF3 input.xml", &shared.join("xdf3-examples/input.xml"), None),
        measure(
            "S00000000371 Nachtarbeit schwangere/stillende Frau (XDF3)",
            &real("bund-t-S00000000371").join("S00000000371_schema.xdf.xml"),
            None,
        ),
        measure(
            "S00000094 Beschäftigung schwangere/stillende Frau",
            &real("gerps-onto-S00000094").join("S00000094V1.0_xdf2.xml"),
            Some(&real("gerps-onto-S00000094")),
        ),
    ]
}

/// The figures of `docs/fim.md`: per schema its summary, and over all of them the share of
/// rules translated (each with passing scenarios, checked in `measure`).
#[test]
fn real_schemas_are_measured() {
    let all = all();
    let mut total = 0;
    let mut translated = 0;
    let mut summaries = Vec::new();
    for m in &all {
        let r = &m.out.report;
        total += r.rules.len();
        translated += r.translated();
        eprintln!("{}: {} ({} ms, debug build)", m.name, r.summary(), m.millis);
        for x in &r.rules {
            eprintln!("  {} {}: {}", x.fim, x.status, x.expression.as_deref().or(x.reason.as_deref()).unwrap_or(""));
        }
        summaries.push(format!("{}: {}", m.name, r.summary()));
    }
    eprintln!("all real schemas: {translated} of {total} rules translated");
    assert_eq!(
        summaries,
        [
            "S05000058 Bewohnerparkausweis: 33 fields, 2 rules: 2 translated, 0 to do, 0 warnings",
            "S00000009 Gewerbe-Anmeldung: 132 fields, 0 rules: 0 translated, 0 to do, 13 warnings",
            "G60000000088 XDF3 simple.xml: 1 fields, 1 rules: 0 translated, 1 to do, 1 warnings",
            "XDF3 input.xml: 1 fields, 0 rules: 0 translated, 0 to do, 2 warnings",
            "S00000000371 Nachtarbeit schwangere/stillende Frau (XDF3): 27 fields, 5 rules: 5 translated, 0 to do, 0 warnings",
            "S00000094 Beschäftigung schwangere/stillende Frau: 44 fields, 12 rules: 10 translated, 2 to do, 1 warnings",
        ]
    );
    assert_eq!((translated, total), (17, 20));
    assert!(translated * 100 >= total * 80, "{translated} of {total} is below 80 %");
}

/// S00000094, rule by rule: what each became, and why the others are left to a person.
#[test]
fn s00000094_rules() {
    let d = real("gerps-onto-S00000094");
    let m = measure("S00000094", &d.join("S00000094V1.0_xdf2.xml"), Some(&d));
    let rule = |id: &str| m.out.report.rules.iter().find(|r| r.fim == id).unwrap_or_else(|| panic!("{id}"));
    let expr = |id: &str| rule(id).expression.clone().unwrap_or_else(|| panic!("{id}: {:?}", rule(id).reason));
    // A stray opening quote before the id: `das Feld "F00002408 "Einverständnis E-Mail"`.
    assert_eq!(expr("R00001166"), "filled(ansprechperson_e_mail_adresse); visible_if: not (empty(ansprechperson_e_mail_adresse))");
    // "Mindestens eines" of the fields of an optional group (G00001399 is 0:1) asks nothing:
    // not made required (it was, before).
    assert_eq!(rule("R00001165").status, "todo");
    assert!(rule("R00001165").reason.as_deref().unwrap().starts_with("the rule asks nothing here: its group G00001399 is optional"));
    assert_eq!(
        expr("R00001223"),
        "rule: filled(informationen_arbeitgeber_telefonnummer) or filled(informationen_arbeitgeber_telefaxnummer) or filled(informationen_arbeitgeber_e_mail_adresse)"
    );
    // "darf F60000232 "Monat" nicht leer sein": required.
    assert_eq!(expr("R60000023"), "filled(tag)");
    // A group none of whose members is required (two optional address variants): a step rule.
    assert_eq!(
        expr("R60000020"),
        "rule: not (wo_befindet_anschrift == \"001\") or filled(persoenliche_informationen_anschrift_deutschland); \
         visible_if: not (wo_befindet_anschrift != \"001\")"
    );
    // "Es muss entweder Feldgruppe … oder Feldgruppe …": exactly one of two groups.
    assert_eq!(
        expr("R60000019"),
        "rule: if(filled(informationen_arbeitgeber_strassenanschrift), 1, 0) + if(filled(informationen_arbeitgeber_anschrift_postfach), 1, 0) == 1"
    );
    // The rule compares with code 009, but the code list has 999 for "Sonstiges
    // Beschäftigungsverhältnis": a defect of the schema, left to a person.
    assert_eq!(rule("R00000849").reason.as_deref(), Some("\"009\" is not among the options of F00000463"));
    // The date of day, month and year fields must exist (Baukasten G60000083).
    assert!(expr("R60000024").starts_with("rule: not (filled(tag) and filled(monat) and filled(jahr)) or tag <= if(monat == 2"));
    leap_years_and_short_months_through_the_engine(&m.out);
    // Rules quote an element's FIM name ("Status Frau (schwanger, stillend)"), not its label
    // ("Die Person"): no warning for that. The one warning is the code list not kept.
    assert_eq!(m.out.report.warnings.len(), 1, "{:#?}", m.out.report.warnings);
    assert!(m.out.report.warnings[0].starts_with("F60000261 \"Staat\": code list C60000020"));
    insta::assert_json_snapshot!("s00000094_report", m.out.report);
}

/// S00000000371 (XDF3, the rule style of newer FIM schemas: "WENN … DANN aktiviere …").
#[test]
fn s00000000371_rules() {
    let d = real("bund-t-S00000000371");
    let m = measure("S00000000371", &d.join("S00000000371_schema.xdf.xml"), None);
    let rule = |id: &str| m.out.report.rules.iter().find(|r| r.fim == id).unwrap_or_else(|| panic!("{id}"));
    let expr = |id: &str| rule(id).expression.clone().unwrap_or_else(|| panic!("{id}: {:?}", rule(id).reason));
    // "= 999 …, DANN aktiviere F" / "= alle anderen möglichen Ausprägungen der Codeliste, DANN
    // deaktiviere F": shown for 999, hidden for every other answer.
    assert_eq!(
        expr("R00000002565"),
        "visible_if: welcher_art_beschaeftigungsverhaeltnis == \"999\"; \
         visible_if: not (welcher_art_beschaeftigungsverhaeltnis != \"999\")"
    );
    // "aktiviere F2 UND mache es zu einer Pflichtangabe UND deaktiviere F3", twice.
    assert_eq!(
        expr("R00000002566"),
        "visible_if: auswahl_status_frau_schwanger == \"001\"; auswahl_status_frau_schwanger == \"001\"; \
         visible_if: not (auswahl_status_frau_schwanger == \"001\"); visible_if: not (auswahl_status_frau_schwanger == \"002\"); \
         visible_if: auswahl_status_frau_schwanger == \"002\"; auswahl_status_frau_schwanger == \"002\""
    );
    // "aktiviere G… und mache sie zu einer Pflichtangabe" of a group required whenever shown: the
    // second consequence adds nothing; the group of this rule's own occurrence is meant.
    assert_eq!(
        expr("R00000002568"),
        "visible_if: not (wo_befindet_beschaeftigungsort_frau == \"001\"); visible_if: wo_befindet_beschaeftigungsort_frau == \"002\""
    );
    assert!(
        rule("R00000002568").targets.as_ref().unwrap().iter().all(|t| t.starts_with("ort_beschaeftigung")),
        "{:?}",
        rule("R00000002568").targets
    );
    // The Baukasten rules of G60000000083, with the XDF3 ids.
    assert_eq!(expr("R60000000023"), "filled(tag)");
    assert!(expr("R60000000024").starts_with("rule: not (filled(tag) and filled(monat) and filled(jahr))"));
    insta::assert_json_snapshot!("s00000000371_report", m.out.report);
}

/// R60000024's check, run by the engine on dates around its edges: the generated "Regel
/// erfüllt" scenario (28.02.2019) with other days, months and years.
fn leap_years_and_short_months_through_the_engine(out: &Import) {
    let start = out.test_yaml.find("  - name: \"R60000024: Regel erfüllt\"").expect("the scenario");
    let rest = &out.test_yaml[start..];
    let end = rest[1..].find("\n  - name:").map(|e| e + 2).unwrap_or(rest.len());
    let block = &rest[..end];
    assert!(block.contains("        tag: 28\n        monat: 2\n        jahr: 2019\n"), "{block}");
    let mut src = format!("today: {}\nscenarios:\n", &out.test_yaml[out.test_yaml.find("today: ").unwrap() + 7..][..10]);
    for (d, m, y, real) in [
        (29, 2, 2020, true),
        (29, 2, 2000, true),
        (29, 2, 1900, false),
        (29, 2, 2019, false),
        (30, 2, 2020, false),
        (31, 4, 2019, false),
        (30, 4, 2019, true),
        (31, 12, 2019, true),
        (31, 11, 1968, false),
    ] {
        let expect = if real { "      no_errors: [geburtsdatum.tag]\n" } else { "      errors: { geburtsdatum.tag: rule }\n" };
        let b = block.replace("Regel erfüllt", &format!("{d}.{m}.{y}")).replace(
            "        tag: 28\n        monat: 2\n        jahr: 2019\n",
            &format!("        tag: {d}\n        monat: {m}\n        jahr: {y}\n"),
        );
        let (head, _) = b.split_once("    expect:\n").expect("an expect block");
        src.push_str(&format!("{head}    expect:\n{expect}"));
    }
    let form = engine::compile(&out.yaml).form.unwrap();
    let outcomes = engine::scenario::run_scenarios(&form, &src).unwrap_or_else(|d| panic!("{d:#?}\n{src}"));
    assert_eq!(outcomes.len(), 9);
    for o in outcomes {
        assert!(o.failures.is_empty(), "{}: {:#?}", o.name, o.failures);
    }
}
