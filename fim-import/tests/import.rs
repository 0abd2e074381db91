//! The importer against the shared FIM material and the crate's own fixtures: every result
//! compiles without errors and passes its generated smoke scenarios.

mod common;

use std::path::Path;
use std::time::Instant;

use common::{fixture, material};
use fim::{Import, Options};

fn codelists(dir: &Path) -> Vec<fim::CodeList> {
    let mut w = Vec::new();
    let l = fim::genericode::load_dir(dir, &mut w).unwrap();
    assert!(w.is_empty(), "{w:?}");
    l
}

fn import(path: &Path, lists: Option<&Path>) -> Import {
    let xml = std::fs::read_to_string(path).unwrap();
    let opts =
        Options { codelists: lists.map(codelists).unwrap_or_default(), source_name: path.file_name().map(|n| n.to_string_lossy().into()) };
    fim::import(&xml, &opts).unwrap()
}

/// Compiles the form (no errors) and runs the scenarios (all pass); returns the form.
fn check(out: &Import, extra_scenarios: &str) -> engine::Form {
    let c = engine::compile(&out.yaml);
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{}", out.yaml);
    let form = c.form.unwrap();
    for src in [out.test_yaml.as_str(), extra_scenarios] {
        if src.is_empty() {
            continue;
        }
        let outcomes = engine::scenario::run_scenarios(&form, src).unwrap_or_else(|d| panic!("{d:#?}\n{src}"));
        assert!(!outcomes.is_empty());
        for o in outcomes {
            assert!(o.failures.is_empty(), "{}: {:#?}\n{src}", o.name, o.failures);
        }
    }
    form
}

#[test]
fn bewohnerparkausweis_imports_and_its_rules_work() {
    let dir = material().join("xdf2/bewohnerparken");
    let out = import(&dir.join("S05000058V1.0_xdf2.xml"), Some(&dir));
    assert_eq!(out.report.summary(), "33 fields, 2 rules: 2 translated, 0 to do, 0 warnings");
    assert!(out.yaml.starts_with("# yaml-language-server: $schema="));
    assert!(out.yaml.contains("fim: { schema: \"S05000058\", version: \"1.0\" }"));
    // Choosing "02" (another keeper) makes the keeper's data required; "01" does not.
    let scenarios = r#"
today: 2026-01-15
scenarios:
  - name: anderer Halter
    answers: { halterin_halter_fahrzeugs: "02" }
    expect:
      errors:
        fahrzeughalterin_fahrzeughalter.fahrzeughalterin_fahrzeughalter_familienname: required
        fahrzeughalterin_fahrzeughalter.fahrzeughalterin_fahrzeughalter_vorname: required
        fahrzeughalterin_fahrzeughalter.fahrzeughalterin_fahrzeughalter_ort.fahrzeughalterin_fahrzeughalter_postleitzahl: required
        fahrzeughalterin_fahrzeughalter.zulassungsbescheinigung_teil_i: required
  - name: eigener Name
    answers: { halterin_halter_fahrzeugs: "01" }
    expect:
      no_errors:
        - fahrzeughalterin_fahrzeughalter.fahrzeughalterin_fahrzeughalter_familienname
        - fahrzeughalterin_fahrzeughalter.fahrzeughalterin_fahrzeughalter_vorname
        - fahrzeughalterin_fahrzeughalter.fahrzeughalterin_fahrzeughalter_ort.fahrzeughalterin_fahrzeughalter_postleitzahl
  - name: Verlängerung braucht die bestehende Genehmigung
    answers: { art_antrags: "02" }
    expect:
      errors: { bestehenden_parkgenehmigung.parkausweisnummer: required }
"#;
    check(&out, scenarios);
    insta::assert_snapshot!("bewohnerparkausweis", out.yaml);
    insta::assert_json_snapshot!("bewohnerparkausweis_report", out.report);
}

#[test]
fn bewohnerparkausweis_without_code_lists_stays_answerable() {
    let dir = material().join("xdf2/bewohnerparken");
    let out = import(&dir.join("S05000058V1.0_xdf2.xml"), None);
    assert!(out.report.warnings.iter().any(|w| w.contains("C05000103") && w.contains("text field")), "{:?}", out.report.warnings);
    // The rule on the choice cannot be translated without its options.
    assert_eq!(out.report.translated(), 0);
    assert!(out.yaml.contains("# TODO R05000281"));
    check(&out, "");
}

#[test]
fn gewerbeanmeldung_imports_fast() {
    let path = material().join("xdf2/gewerbeanmeldung/S00000009_xdatenfelder.xml");
    let xml = std::fs::read_to_string(&path).unwrap();
    let start = Instant::now();
    let out = fim::import(&xml, &Options::default()).unwrap();
    let took = start.elapsed();
    eprintln!("Gewerbe-Anmeldung ({} KB): import took {took:?} (debug build)", xml.len() / 1024);
    assert!(took.as_secs_f64() < 5.0, "{took:?}");
    assert_eq!(out.report.fields.len(), 132);
    assert!(out.report.warnings.iter().any(|w| w.contains("repeated inside a repeated group")));
    check(&out, "");
    insta::assert_snapshot!("gewerbeanmeldung", out.yaml);
}

#[test]
fn xdf3_examples_import() {
    for name in ["simple.xml", "input.xml"] {
        let out = import(&material().join("xdf3-examples").join(name), None);
        check(&out, "");
        insta::assert_snapshot!(format!("xdf3_{name}"), out.yaml);
    }
    // simple.xml's rule names both address groups by their short XDatenfelder 2 ids: the
    // street address (G60000086 = G60000000086) is read with a warning, but the post-box
    // address is not in this (trimmed) message, so the rule is kept as a TODO that says so.
    let out = import(&material().join("xdf3-examples/simple.xml"), None);
    assert_eq!(out.report.rules.len(), 1);
    assert_eq!(out.report.rules[0].status, "todo");
    assert_eq!(out.report.rules[0].reason.as_deref(), Some("G60000087 is not in the schema"));
    assert!(
        out.report
            .warnings
            .iter()
            .any(|w| w == "R60000000019: G60000086 is written with its short XDatenfelder 2 id; read as G60000000086"),
        "{:?}",
        out.report.warnings
    );
    assert!(out.yaml.contains("# TODO R60000000019"));
}

#[test]
fn mapping_fixture() {
    let out = import(&fixture("mapping.xml"), Some(&fixture("codelists")));
    check(&out, "");
    let y = &out.yaml;
    let has = |s: &str| assert!(y.contains(s), "missing `{s}` in\n{y}");
    has("type: info"); // feldart label
    has("text: \"Bitte füllen Sie alles aus.\"");
    has("type: boolean");
    has("type: integer");
    has("type: number");
    has("type: money");
    has("type: file");
    has("type: date");
    has("min: 1900-01-01");
    has("max: 2030-12-31");
    has("min: 1\n"); // `1..500`
    has("max: 500");
    has("pattern: \"(?:[\\\\t\\\\n\\\\r -~"); // text_latin
    has("pattern: \"[\\\\x{0}-\\\\x{7F}]+\""); // \p{IsBasicLatin}
    has("options: art");
    has("- { value: \"A\", label: \"Erstantrag\" }");
    has("default: \"Deutschland\"");
    has("repeat: { min: 2, max: 5");
    has("repeat: { min: 1, max: 3"); // a repeated field in a list group
    has("required: \"filled(vertreter)\"");
    // The same FIM group twice: ids from the enclosing group.
    has("id: antragsteller_strasse");
    has("id: vertreter_strasse");
    let w = out.report.warnings.join("\n");
    for s in ["`time` is not supported", "IsKlingon", "C99000002", "repeated inside a repeated group"] {
        assert!(w.contains(s), "no warning about {s}: {w}");
    }
    assert_eq!(out.report.fields.iter().filter(|f| f.fim == "F99000020").count(), 2);
    insta::assert_snapshot!("mapping", out.yaml);
}

#[test]
fn rule_fixture() {
    let out = import(&fixture("rules.xml"), Some(&fixture("codelists")));
    check(&out, "");
    let rule = |id: &str| out.report.rules.iter().find(|r| r.fim == id).unwrap();
    assert_eq!(rule("R98000001").expression.as_deref(), Some("art == \"B\""));
    assert_eq!(rule("R98000002").expression.as_deref(), Some("empty(telefon)"));
    assert_eq!(rule("R98000003").expression.as_deref(), Some("art != \"A\""));
    assert_eq!(rule("R98000004").expression.as_deref(), Some("filled(bemerkung)"));
    assert_eq!(rule("R98000005").expression.as_deref(), Some("zustimmung == false"));
    // "Es muss entweder F1 oder F2 befüllt werden": a step rule, exactly one of them.
    assert_eq!(rule("R98000006").status, "translated");
    assert_eq!(rule("R98000006").expression.as_deref(), Some("rule: if(filled(telefon), 1, 0) + if(filled(fax), 1, 0) == 1"));
    assert!(out.test_yaml.contains("R98000006: Regel verletzt"), "{}", out.test_yaml);
    assert!(out.test_yaml.contains("R98000006: Regel erfüllt"), "{}", out.test_yaml);
    assert_eq!(rule("R98000007").status, "todo");
    assert!(out.yaml.contains("# TODO R98000007"));
    assert_eq!(out.report.summary(), "10 fields, 7 rules: 6 translated, 1 to do, 0 warnings");
    insta::assert_snapshot!("rules", out.yaml);
}

#[test]
fn xdf3_fixture() {
    let out = import(&fixture("xdf3-schema.xml"), None);
    check(&out, "");
    let y = &out.yaml;
    assert!(y.contains("- { value: \"02\", label: \"Sonstiges\", hint: \"Bitte begründen\" }"), "{y}");
    assert!(y.contains("accept: [\"application/pdf\", \"image/*\"]"));
    assert!(y.contains("max_size: 5000000"));
    assert!(y.contains("max: 1000.50"));
    assert!(y.contains("min_length: 3"));
    assert!(y.contains("description: \"Ein kleines Schema.\""));
    assert_eq!(out.report.translated(), 1);
    insta::assert_snapshot!("xdf3_schema", out.yaml);
}

/// Found by fuzzing (`scripts/fuzz fim_import`): two `wert`s with the same code made two
/// options with one value, and the imported form did not compile (E0106).
#[test]
fn value_code_given_twice_is_imported_once_with_a_warning() {
    let xml = std::fs::read_to_string(fixture("xdf3-schema.xml")).unwrap().replace("<xdf:code>01</xdf:code>", "<xdf:code>02</xdf:code>");
    let out = fim::import(&xml, &Options::default()).unwrap();
    check(&out, "");
    assert_eq!(out.yaml.matches("value: \"02\"").count(), 1, "{}", out.yaml);
    assert!(out.yaml.contains("- { value: \"02\", label: \"Umzug\" }"), "the first one wins: {}", out.yaml);
    assert!(out.report.warnings.iter().any(|w| w.contains("duplicate value code `02`")), "{:?}", out.report.warnings);
}

/// Found by fuzzing (`scripts/fuzz fim_import`): a `minLength` above the `maxLength` let no
/// answer pass, and the imported form did not compile (E0308).
#[test]
fn min_length_above_max_length_is_left_out_with_a_warning() {
    let xml = std::fs::read_to_string(fixture("mapping.xml"))
        .unwrap()
        .replace(r#"{"minLength":"5","maxLength":"5","pattern":"[0-9]{5}"}"#, r#"{"minLength":"6","maxLength":"5","pattern":"[0-9]{5}"}"#);
    let out = fim::import(&xml, &Options::default()).unwrap();
    check(&out, "");
    assert!(out.report.warnings.iter().any(|w| w.contains("minLength 6 is above maxLength 5")), "{:?}", out.report.warnings);
}

#[test]
fn min_value_above_max_value_is_left_out_with_a_warning() {
    // Found by the fim_import fuzz target, like the lengths above: the form did not compile.
    let xml = std::fs::read_to_string(fixture("mapping.xml"))
        .unwrap()
        .replace(r#"{"minValue":"0","maxValue":"20"}"#, r#"{"minValue":"20.5","maxValue":"20"}"#)
        .replace(r#"{"minValue":"1900-01-01","maxValue":"2030-12-31"}"#, r#"{"minValue":"2031-01-01","maxValue":"2030-12-31"}"#);
    let out = fim::import(&xml, &Options::default()).unwrap();
    check(&out, "");
    let w = &out.report.warnings;
    assert!(w.iter().any(|w| w.contains("minValue 20.5 is above maxValue 20")), "{w:?}");
    assert!(w.iter().any(|w| w.contains("minValue 2031-01-01 is after maxValue 2030-12-31")), "{w:?}");
}

#[test]
fn an_element_id_that_is_no_plain_word_is_quoted_in_the_yaml() {
    // Found by the fim_import fuzz target: `fim: F1:` and `fim: ,9` were invalid YAML.
    let xml =
        std::fs::read_to_string(fixture("mapping.xml")).unwrap().replace("<xdf:id>F99000014</xdf:id>", "<xdf:id>F99000014: x</xdf:id>");
    let out = fim::import(&xml, &Options::default()).unwrap();
    check(&out, "");
    assert!(out.yaml.contains("fim: \"F99000014: x\"\n"), "{}", out.yaml);
    assert!(out.yaml.contains("fim: F99000002\n"), "plain ids stay plain");
}

#[test]
fn braces_and_impossible_dates_from_a_schema_never_break_the_form() {
    // Found by the fim_import fuzz target: `{{{` in a label left a placeholder behind
    // (E0201), and a `minValue` of 2021-02-30 was written as a date bound the engine refuses.
    let xml = std::fs::read_to_string(fixture("mapping.xml"))
        .unwrap()
        .replace(
            "<xdf:bezeichnungEingabe>Gewicht</xdf:bezeichnungEingabe>",
            "<xdf:bezeichnungEingabe>Gewicht {{{ kg }}}</xdf:bezeichnungEingabe>",
        )
        .replace(r#"{"minValue":"1900-01-01","maxValue":"2030-12-31"}"#, r#"{"minValue":"2021-02-30","maxValue":"2030-12-31"}"#);
    let out = fim::import(&xml, &Options::default()).unwrap();
    check(&out, "");
    assert!(!out.yaml.contains("2021-02-30\""), "{}", out.yaml);
}

fn err(xml: &str) -> fim::ImportError {
    fim::import(xml, &Options::default()).unwrap_err()
}

#[test]
fn malformed_and_hostile_input_is_refused() {
    let good = std::fs::read_to_string(material().join("xdf2/bewohnerparken/S05000058V1.0_xdf2.xml")).unwrap();
    let cut = good.char_indices().nth(good.chars().count() / 2).unwrap().0;
    let e = err(&good[..cut]);
    assert!(e.message.contains("not well-formed"), "{e}");
    assert!(e.line > 100, "{e}");

    let e = err(r#"<?xml version="1.0"?><x:schema xmlns:x="urn:example"/>"#);
    assert!(e.message.contains("not an XDatenfelder message"), "{e}");
    assert_eq!(e.to_string().split(':').next(), Some("line 1, column 22"));

    let e = err(r#"<xdf:xdatenfelder.codeliste.0105 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2"/>"#);
    assert!(e.message.contains("not supported"), "{e}");

    let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">&lol2;</xdf:xdatenfelder.stammdatenschema.0102>"#;
    let e = err(bomb);
    assert!(e.message.contains("DTD"), "{e}");
    assert!(e.line >= 2, "{e}");

    // 10,000 nested elements, and 10,000 nested groups.
    let deep = format!(
        r#"<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2"><xdf:stammdatenschema>{}{}</xdf:stammdatenschema></xdf:xdatenfelder.stammdatenschema.0102>"#,
        "<a>".repeat(10_000),
        "</a>".repeat(10_000)
    );
    let out = fim::import(&deep, &Options::default());
    // Refused either way: as XML too deep, or as a schema with nothing in it.
    let e = out.unwrap_err();
    assert!(e.message.contains("XML") || e.message.contains("no field or group"), "{e}");
    let open = "<xdf:struktur><xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeldgruppe>";
    let close = "</xdf:datenfeldgruppe></xdf:enthaelt></xdf:struktur>";
    let nested = format!(
        r#"<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2"><xdf:stammdatenschema>{}{}</xdf:stammdatenschema></xdf:xdatenfelder.stammdatenschema.0102>"#,
        open.repeat(10_000),
        close.repeat(10_000)
    );
    let e = err(&nested);
    assert!(e.message.contains("nested more than"), "{e}");

    let e = err(
        r#"<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2"><xdf:stammdatenschema><xdf:struktur><xdf:anzahl>5:2</xdf:anzahl></xdf:struktur></xdf:stammdatenschema></xdf:xdatenfelder.stammdatenschema.0102>"#,
    );
    assert!(e.message.contains("anzahl"), "{e}");

    // 50 MB.
    let mut big = String::from(r#"<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2"><!--"#);
    big.push_str(&"x".repeat(50 << 20));
    big.push_str("--></xdf:xdatenfelder.stammdatenschema.0102>");
    let start = Instant::now();
    let e = err(&big);
    assert!(e.message.contains("refused"), "{e}");
    assert!(start.elapsed().as_secs() < 2);
}

// The generated smoke scenarios against forms they once failed on (found by the fim_import
// fuzz target; the inputs are in fuzz/regressions/fim_import/). `check` compiles the form
// and runs every generated scenario.

/// A fixture's text with each replacement made at its first occurrence (each must apply).
fn fixture_with(name: &str, replacements: &[(&str, &str)]) -> String {
    let mut xml = std::fs::read_to_string(fixture(name)).unwrap();
    for (from, to) in replacements {
        assert!(xml.contains(from), "{from}");
        xml = xml.replacen(from, to, 1);
    }
    xml
}

/// [`fixture_with`], imported.
fn imported(name: &str, replacements: &[(&str, &str)]) -> Import {
    fim::import(&fixture_with(name, replacements), &Options::default()).unwrap()
}

/// `xml` with `from` replaced by `to` at its first occurrence after the element `id` (e.g.
/// that element's empty `inhalt`).
fn in_element(xml: &str, id: &str, from: &str, to: &str) -> String {
    let at = xml.find(&format!("<xdf:id>{id}</xdf:id>")).expect(id);
    let pos = at + xml[at..].find(from).expect(from);
    format!("{}{to}{}", &xml[..pos], &xml[pos + from.len()..])
}

#[test]
fn entries_of_a_repeated_group_without_a_required_member_are_answered_in_the_sample() {
    // `Kind` (2:5) with an optional `Vorname`: empty entries do not count toward `min`, so the
    // sample must answer something in each of the two entries.
    let out = imported(
        "mapping.xml",
        &[(
            "<xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeld><xdf:identifikation><xdf:id>F99000017",
            "<xdf:anzahl>0:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeld><xdf:identifikation><xdf:id>F99000017",
        )],
    );
    check(&out, "");
    assert!(out.test_yaml.contains("kind: [{ vorname: \"Muster\" }, { vorname: \"Muster\" }]"), "{}", out.test_yaml);
}

#[test]
fn a_repeated_group_without_input_fields_gets_no_minimum() {
    // `Kind` holding only a label: no entry could ever count.
    let out = imported(
        "mapping.xml",
        &[
            (
                "<xdf:id>F99000017</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation><xdf:name>Vorname</xdf:name><xdf:bezeichnungEingabe>Vorname</xdf:bezeichnungEingabe><xdf:hilfetextEingabe></xdf:hilfetextEingabe><xdf:feldart><code>input</code></xdf:feldart>",
                "<xdf:id>F99000017</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation><xdf:name>Vorname</xdf:name><xdf:bezeichnungEingabe>Vorname</xdf:bezeichnungEingabe><xdf:hilfetextEingabe></xdf:hilfetextEingabe><xdf:feldart><code>label</code></xdf:feldart>",
            ),
            (
                "<xdf:feldart><code>input</code></xdf:feldart><xdf:datentyp><code>text</code></xdf:datentyp><xdf:praezisierung></xdf:praezisierung><xdf:inhalt></xdf:inhalt></xdf:datenfeld></xdf:enthaelt></xdf:struktur></xdf:datenfeldgruppe></xdf:enthaelt></xdf:struktur></xdf:datenfeldgruppe>",
                "<xdf:feldart><code>label</code></xdf:feldart><xdf:datentyp><code>text</code></xdf:datentyp><xdf:praezisierung></xdf:praezisierung><xdf:inhalt>Schule</xdf:inhalt></xdf:datenfeld></xdf:enthaelt></xdf:struktur></xdf:datenfeldgruppe></xdf:enthaelt></xdf:struktur></xdf:datenfeldgruppe>",
            ),
        ],
    );
    check(&out, "");
    let w = &out.report.warnings;
    assert!(w.iter().any(|w| w.contains("G99000003 \"Kind\": a repeated group without input fields cannot have a minimum")), "{w:?}");
    assert!(out.yaml.contains("repeat: { max: 5, "), "{}", out.yaml);
}

#[test]
fn a_required_field_with_a_default_does_not_make_the_empty_form_fail() {
    // `Land` required, with the default "Deutschland": the empty form has an answer there.
    let out = imported(
        "mapping.xml",
        &[(
            "<xdf:anzahl>0:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeld><xdf:identifikation><xdf:id>F99000015",
            "<xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeld><xdf:identifikation><xdf:id>F99000015",
        )],
    );
    check(&out, "");
    assert!(out.yaml.contains("default: \"Deutschland\""));
    assert!(out.test_yaml.contains("errors: { name: required }"), "{}", out.test_yaml);
}

#[test]
fn pattern_and_lengths_that_admit_no_answer_lose_the_lengths_with_a_warning() {
    let out = imported(
        "mapping.xml",
        &[(r#"{"minLength":"5","maxLength":"5","pattern":"[0-9]{5}"}"#, r#"{"maxLength":"2","pattern":"[0-9]{5}"}"#)],
    );
    check(&out, "");
    let w = &out.report.warnings;
    assert!(w.iter().any(|w| w.contains("F99000021 \"Postleitzahl\": no text of 1..2 characters matches the pattern")), "{w:?}");
    // The pattern needs a character no one can type: it goes.
    let out = imported("mapping.xml", &[(r#"{"minLength":"5","maxLength":"5","pattern":"[0-9]{5}"}"#, r#"{"pattern":"&#x7F;+"}"#)]);
    check(&out, "");
    let w = &out.report.warnings;
    assert!(w.iter().any(|w| w.contains("no answer that can be typed matches the pattern")), "{w:?}");
    // Found by fuzzing: a pattern that needs more than the 500 characters a text field
    // allows without `max_length`.
    let out = imported("mapping.xml", &[(r#"{"minLength":"5","maxLength":"5","pattern":"[0-9]{5}"}"#, r#"{"pattern":"[0-9]{600}"}"#)]);
    check(&out, "");
    let w = &out.report.warnings;
    assert!(w.iter().any(|w| w.contains("the pattern needs at least 600 characters; max_length is set to 100000")), "{w:?}");
    // Found by fuzzing: `maxLength` 0 without a pattern.
    let out = imported("mapping.xml", &[(r#"{"minLength":"1","maxLength":"55"}"#, r#"{"minLength":"1","maxLength":"0"}"#)]);
    check(&out, "");
    let w = &out.report.warnings;
    assert!(
        w.iter().any(|w| w.contains("F99000020 \"Straße\": no text of 1..0 characters can be typed; the length limits are left out")),
        "{w:?}"
    );
}

#[test]
fn a_number_bound_the_engine_cannot_hold_is_not_used() {
    let out = imported(
        "mapping.xml",
        &[(r#"{"minValue":"0","maxValue":"20"}"#, r#"{"minValue":"0","maxValue":"20.00000000000000000000000000001"}"#)],
    );
    check(&out, "");
    let w = &out.report.warnings;
    assert!(w.iter().any(|w| w.contains("maxValue `20.00000000000000000000000000001` is not a number; not used")), "{w:?}");
}

#[test]
fn a_schema_without_a_usable_name_or_id_still_gets_a_form_id() {
    let out = imported(
        "mapping.xml",
        &[("<xdf:id>S99000001</xdf:id>", "<xdf:id>-</xdf:id>"), ("<xdf:name>Prüfschema Abbildung</xdf:name>", "<xdf:name>!</xdf:name>")],
    );
    check(&out, "");
    assert!(out.yaml.contains("\nid: formular\n"), "{}", out.yaml);
}

#[test]
fn files_with_a_size_limit_of_zero_or_no_media_type_stay_answerable() {
    let out = imported(
        "xdf3-schema.xml",
        &[("<xdf:maxSize>5000000</xdf:maxSize>", "<xdf:maxSize>0</xdf:maxSize>"), ("application/pdf", "application\u{7f}pdf")],
    );
    check(&out, "");
    let w = &out.report.warnings;
    assert!(w.iter().any(|w| w.contains("maxSize 0 admits no file")), "{w:?}");
    assert!(w.iter().any(|w| w.contains("`application\u{7f}pdf` is no media type")), "{w:?}");
    assert!(out.yaml.contains("accept: [\"image/*\"]"), "{}", out.yaml);
    // A limit below the sample's 1,000 bytes: the sample file is smaller.
    let out = imported("xdf3-schema.xml", &[("<xdf:maxSize>5000000</xdf:maxSize>", "<xdf:maxSize>10</xdf:maxSize>")]);
    check(&out, "");
    assert!(out.test_yaml.contains("size: 10\n"), "{}", out.test_yaml);
}

#[test]
fn a_rule_on_a_field_required_anyway_is_left_to_a_person() {
    let out = imported(
        "xdf3-schema.xml",
        &[(
            "<xdf:anzahl>0:1</xdf:anzahl>\n      <xdf:enthaelt>\n        <xdf:datenfeld>\n          <xdf:identifikation><xdf:id>F97000003",
            "<xdf:anzahl>1:1</xdf:anzahl>\n      <xdf:enthaelt>\n        <xdf:datenfeld>\n          <xdf:identifikation><xdf:id>F97000003",
        )],
    );
    check(&out, "");
    // Nothing could show the rule at work (its target is required anyway): left to a person.
    let reason = out.report.rules.iter().find(|r| r.fim == "R97000001").and_then(|r| r.reason.clone());
    assert_eq!(reason.as_deref(), Some("what it makes required is required anyway"));
    assert!(!out.test_yaml.contains("R97000001:"), "{}", out.test_yaml);
}

#[test]
fn a_rule_whose_condition_is_on_its_own_target_is_left_to_a_person() {
    let out = imported("xdf3-schema.xml", &[("dann wird F97000003 zur Pflichtangabe", "dann wird F97000001 zur Pflichtangabe")]);
    check(&out, "");
    assert_eq!(out.report.translated(), 0);
    let reason = out.report.rules.iter().find(|r| r.fim == "R97000001").and_then(|r| r.reason.clone());
    assert_eq!(reason.as_deref(), Some("the condition reads F97000001, which the rule itself changes"));
}

#[test]
fn a_rule_condition_that_holds_on_the_empty_form_is_in_the_empty_form_scenario() {
    // Nothing is required outright; `e_mail` is required when `telefon` is empty, which it is.
    let required = |id: &str| format!("<xdf:anzahl>1:1</xdf:anzahl><xdf:enthaelt><xdf:datenfeld><xdf:identifikation><xdf:id>{id}");
    let (a, b) = (required("F98000001"), required("F98000008"));
    let out = imported("rules.xml", &[(&a, &a.replace("1:1", "0:1")), (&b, &b.replace("1:1", "0:1"))]);
    check(&out, "");
    assert!(out.yaml.contains("required: \"empty(telefon)\""), "{}", out.yaml);
    assert!(out.test_yaml.contains("Leeres Formular ist nicht absendbar"), "{}", out.test_yaml);
    assert!(out.test_yaml.contains("errors: { e_mail: required }"), "{}", out.test_yaml);
}

#[test]
fn bounds_above_the_engine_limits_become_the_limits_with_a_warning() {
    // Found by the fim_import fuzz target: `anzahl 0:871` made `repeat.max: 871` (E0311).
    let out = imported(
        "mapping.xml",
        &[("<xdf:anzahl>2:5</xdf:anzahl>", "<xdf:anzahl>2:871</xdf:anzahl>"), (r#"{"maxLength":"80"}"#, r#"{"maxLength":"200000"}"#)],
    );
    check(&out, "");
    let w = &out.report.warnings;
    assert!(w.iter().any(|w| w.contains("G99000003 \"Kind\" (2:871): a repeated group may have at most 200 entries")), "{w:?}");
    assert!(w.iter().any(|w| w.contains("maxLength 200000 is above the 100000 characters an answer may have")), "{w:?}");
    assert!(out.yaml.contains("repeat: { min: 2, max: 200, "), "{}", out.yaml);
    assert!(out.yaml.contains("max_length: 100000\n"), "{}", out.yaml);
}

#[test]
fn a_group_without_fields_is_left_out_and_a_schema_without_any_is_refused() {
    // Found by the fim_import fuzz target: `fields: []` (a group needs members, E0102) and a
    // form without steps (E0102).
    let xml = std::fs::read_to_string(fixture("mapping.xml")).unwrap();
    let head = "<xdf:bezeichnungEingabe>Schule</xdf:bezeichnungEingabe>";
    let start = xml.find(head).unwrap() + head.len();
    let end = start + xml[start..].find("</xdf:datenfeldgruppe>").unwrap();
    let xml = format!("{}{}", &xml[..start], &xml[end..]);
    let out = fim::import(&xml, &Options::default()).unwrap();
    check(&out, "");
    assert!(out.report.warnings.iter().any(|w| w == "G99000004 \"Schule\" has no fields; it is left out"), "{:?}", out.report.warnings);
    assert!(!out.yaml.contains("id: schule\n"), "{}", out.yaml);

    let empty = "<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf=\"urn:xoev-de:fim:standard:xdatenfelder_3.0.0\">\n  <xdf:stammdatenschema>\n  </xdf:stammdatenschema>\n</xdf:xdatenfelder.stammdatenschema.0102>";
    let e = err(empty);
    assert_eq!((e.line, e.column), (2, 3));
    assert!(e.message.contains("no field or group to import"), "{e}");
}

#[test]
fn a_rule_target_with_a_default_is_answered_blank_where_the_scenario_needs_it_empty() {
    // Found by the fim_import fuzz target: `begruendung` has a default, so leaving it
    // unanswered did not make it empty; answering blank clears the default (docs/form-language.md#blank-versus-default).
    let xml = in_element(&fixture_with("rules.xml", &[]), "F98000007", "<xdf:inhalt></xdf:inhalt>", "<xdf:inhalt>Keine</xdf:inhalt>");
    let out = fim::import(&xml, &Options::default()).unwrap();
    check(&out, "");
    assert!(out.yaml.contains("default: \"Keine\""), "{}", out.yaml);
    assert!(out.test_yaml.contains("begruendung: \"\""), "{}", out.test_yaml);
}

#[test]
fn a_rule_comparing_a_whole_number_field_with_a_fraction_stays_to_do() {
    // `telefon` as a whole number: "1,5" could never be its value (an answer failing `type`
    // is empty), "2" can.
    let rules = in_element(&fixture_with("rules.xml", &[]), "F98000004", "<code>text</code>", "<code>num_int</code>");
    for (value, translated) in [("1,5", false), ("2", true)] {
        let xml = rules.replace("Wenn bei F98000004 \"\" angegeben wird", &format!("Wenn bei F98000004 \"{value}\" angegeben wird"));
        let out = fim::import(&xml, &Options::default()).unwrap();
        check(&out, "");
        let rule = out.report.rules.iter().find(|r| r.fim == "R98000002").unwrap();
        if translated {
            assert_eq!(rule.expression.as_deref(), Some("telefon == 2"));
            assert!(out.test_yaml.contains("R98000002: Bedingung erfüllt, Angaben fehlen"), "{}", out.test_yaml);
        } else {
            assert_eq!(rule.reason.as_deref(), Some("\"1,5\" is no valid answer for the integer field F98000004"));
        }
    }
}

#[test]
fn a_default_in_an_optional_group_is_not_used() {
    // Found by the fim_import fuzz target: a default made `filled(bisheriger_ausweis)` hold
    // on the empty form, so the optional group's required members were always required.
    let xml = in_element(&fixture_with("rules.xml", &[]), "F98000009", "<xdf:inhalt></xdf:inhalt>", "<xdf:inhalt>Berlin</xdf:inhalt>");
    let out = fim::import(&xml, &Options::default()).unwrap();
    check(&out, "");
    assert!(!out.yaml.contains("default: \"Berlin\""), "{}", out.yaml);
    let w = &out.report.warnings;
    assert!(w.iter().any(|w| w.contains("inhalt `Berlin` is not used as a default: in an optional group")), "{w:?}");
}

#[test]
fn option_codes_are_trimmed_and_blank_ones_left_out() {
    // A blank code could never be chosen (a blank answer is empty), and the engine trims what
    // is chosen, so " 02 " could not be chosen either.
    let out = imported(
        "xdf3-schema.xml",
        &[("<xdf:code>01</xdf:code>", "<xdf:code> </xdf:code>"), ("<xdf:code>02</xdf:code>", "<xdf:code> 02 </xdf:code>")],
    );
    check(&out, "");
    assert!(out.yaml.contains("- { value: \"02\", label: \"Sonstiges\""), "{}", out.yaml);
    assert!(!out.yaml.contains("value: \" \""), "{}", out.yaml);
    assert!(out.report.warnings.iter().any(|w| w.contains("a value without a code left out")), "{:?}", out.report.warnings);
    // No code left: a text field.
    let out = imported(
        "xdf3-schema.xml",
        &[("<xdf:code>01</xdf:code>", "<xdf:code> </xdf:code>"), ("<xdf:code>02</xdf:code>", "<xdf:code></xdf:code>")],
    );
    check(&out, "");
    assert!(
        out.report.warnings.iter().any(|w| w.contains("no value with a code is left: it became a text field")),
        "{:?}",
        out.report.warnings
    );
}

#[test]
fn a_negated_choice_rule_is_shown_not_applying_with_the_value_it_names() {
    // "If not 03, F97000003 is required": it does not apply only when 03 is chosen; any
    // other option (02 as well as 01) makes it apply.
    let out = imported(
        "xdf3-schema.xml",
        &[
            (
                "<xdf:wert><xdf:code>02</xdf:code><xdf:name>Sonstiges</xdf:name><xdf:hilfe>Bitte begründen</xdf:hilfe></xdf:wert>",
                "<xdf:wert><xdf:code>02</xdf:code><xdf:name>Sonstiges</xdf:name><xdf:hilfe>Bitte begründen</xdf:hilfe></xdf:wert><xdf:wert><xdf:code>03</xdf:code><xdf:name>Dritter</xdf:name></xdf:wert>",
            ),
            ("Wenn bei F97000001 \"02 Sonstiges\" angegeben wird", "Wenn bei F97000001 nicht der Wert \"03\" angegeben wird"),
        ],
    );
    check(&out, "");
    let rule = out.report.rules.iter().find(|r| r.fim == "R97000001").unwrap();
    assert_eq!(rule.expression.as_deref(), Some("grund_antrags != \"03\""));
    let t = &out.test_yaml;
    let not = &t[t.find("R97000001: Bedingung nicht erfüllt").expect(t)..];
    assert!(not.contains("grund_antrags: \"03\""), "{t}");
}

#[test]
fn a_default_outside_the_bounds_is_not_used_and_a_rule_value_is_compared_trimmed() {
    // `Anzahl Kinder` (0 to 20) with the default 25: a problem on every form nobody changes.
    let xml = in_element(&fixture_with("mapping.xml", &[]), "F99000005", "<xdf:inhalt></xdf:inhalt>", "<xdf:inhalt>25</xdf:inhalt>");
    let out = fim::import(&xml, &Options::default()).unwrap();
    check(&out, "");
    let w = &out.report.warnings;
    assert!(w.iter().any(|w| w.contains("F99000005 \"Anzahl Kinder\": inhalt `25` is no valid answer for this integer field")), "{w:?}");

    // A citizen's answer is trimmed, so the rule compares with the trimmed value.
    let out = imported("rules.xml", &[("Wenn bei F98000004 \"\" angegeben wird", "Wenn bei F98000004 \" Fax \" angegeben wird")]);
    check(&out, "");
    let rule = out.report.rules.iter().find(|r| r.fim == "R98000002").unwrap();
    assert_eq!(rule.expression.as_deref(), Some("telefon == \"Fax\""));
}

/// The rule shapes of issue #16 (own fixture, sentences as in real schemas): each translated
/// consequence has its two scenarios, and they pass through the engine.
#[test]
fn rule_shapes_fixture() {
    let out = import(&fixture("rule-shapes.xml"), None);
    check(&out, "");
    let rule = |id: &str| out.report.rules.iter().find(|r| r.fim == id).unwrap_or_else(|| panic!("{id}"));
    let expr = |id: &str| rule(id).expression.clone().unwrap_or_else(|| panic!("{id}: {:?}", rule(id).reason));
    assert_eq!(expr("R96000001"), "rule: filled(telefon) or filled(telefax) or filled(e_mail)");
    assert_eq!(expr("R96000002"), "krankenversicherung_vorhanden == true; visible_if: not (krankenversicherung_vorhanden != true)");
    assert_eq!(expr("R96000003"), "visible_if: krankenversicherung_vorhanden == true");
    assert_eq!(expr("R96000004"), "filled(vertretung)");
    assert_eq!(expr("R96000005"), "today() > add_years(zeitpunkt_einreichung, 6) or wesentliche_aenderungen == true");
    assert_eq!(expr("R96000006"), "visible_if: wesentliche_aenderungen == true and not (filled(telefon))");
    // Where the grammar stopped, and what it expected there.
    let todo = rule("R96000007");
    assert_eq!(todo.status, "todo");
    let reason = todo.reason.as_deref().unwrap();
    assert_eq!(reason, "the grammar stopped at character 4 (\"ersten vier Felder der Feldgruppe G96000\"), expecting \"Feld\"");
    // A label that does not match the id is a warning; the rule is still translated.
    assert_eq!(rule("R96000008").status, "translated");
    assert!(
        out.report.warnings.iter().any(|w| w.contains("R96000008: F96000004 is written \"Haustier vorhanden\"")),
        "{:?}",
        out.report.warnings
    );
    assert_eq!(expr("R96000009"), "anzahl_kinder >= 3");
    // Two scenarios per consequence.
    for (id, n) in [("R96000001", 2), ("R96000002", 4), ("R96000003", 2), ("R96000005", 2), ("R96000009", 2)] {
        assert_eq!(out.test_yaml.matches(&format!("name: \"{id}:")).count(), n, "{id}\n{}", out.test_yaml);
    }
    assert_eq!(out.report.summary(), "15 fields, 9 rules: 8 translated, 1 to do, 1 warnings");
    insta::assert_snapshot!("rule_shapes_report", out.report.to_json());
}
