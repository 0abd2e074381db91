//! The bindings natively: the same bytes and JSON in and out as in the browser.

use serde_json::{Value, json};
use wegweiser_wasm::Guide;

fn hundesteuer() -> Vec<u8> {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../form-definitions/hundesteuer.yaml")).unwrap();
    engine::compile(&src).form.expect("compiles").to_bytes()
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap()
}

#[test]
fn a_change_reports_activity_path_and_problems() {
    let mut g = Guide::create(&hundesteuer(), "", "de", "2026-11-22").unwrap();
    let all = parse(&g.evaluate_all().unwrap());
    assert_eq!(all["end"], "summary");
    let step = parse(&g.step_view("zustaendigkeit").unwrap());
    assert_eq!(step["fields"][0]["path"], "wohnsitz_bitburg");
    assert_eq!(step["fields"][0]["shown"], true);
    assert_eq!(step["fields"][0]["options"][0]["label"], "Ja");
    assert_eq!(step["problems"][0]["field"], "wohnsitz_bitburg");
    assert_eq!(step["problems"][0]["check"], "required");

    let changes = parse(&g.set("wohnsitz_bitburg", "\"false\"").unwrap());
    assert_eq!(changes["path_changed"], true);
    assert_eq!(parse(&g.evaluate_all().unwrap())["end"], "nicht-zustaendig");
    let step = parse(&g.step_view("zustaendigkeit").unwrap());
    assert_eq!(step["problems"], json!([]));

    // Clearing brings the problem back.
    let changes = parse(&g.set("wohnsitz_bitburg", "null").unwrap());
    assert_eq!(changes["problems_added"][0]["check"], "required");
}

#[test]
fn a_snapshot_restores_the_answers() {
    let form = hundesteuer();
    let mut g = Guide::create(&form, "", "de", "2026-11-22").unwrap();
    g.set("wohnsitz_bitburg", "true").unwrap();
    g.set_many(r#"{"vorname": "Erika", "hund.0.hund_name": "Bello"}"#).unwrap();
    let snap = g.snapshot();
    let back = Guide::create(&form, &snap, "en", "2026-11-22").unwrap();
    assert_eq!(parse(&back.snapshot())["answers"], parse(&snap)["answers"]);
    assert_eq!(parse(&back.snapshot())["language"], "en");
    assert_eq!(back.evaluate_all().unwrap(), {
        let g2 = Guide::create(&form, &snap, "en", "2026-11-22").unwrap();
        g2.evaluate_all().unwrap()
    });
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let form = hundesteuer();
    assert!(Guide::create(b"{}", "", "de", "2026-11-22").unwrap_err().contains("compiled form"));
    // A copy encoded by another version of the format (a stale cached asset) says so.
    let mut stale = form.clone();
    stale[4] ^= 0xff;
    assert!(Guide::create(&stale, "", "de", "2026-11-22").unwrap_err().contains("format version"));
    assert!(Guide::create(&form[..form.len() / 2], "", "de", "2026-11-22").is_err());
    assert!(Guide::create(&form, "", "de", "22.11.2026").unwrap_err().contains("not a date"));
    assert!(Guide::create(&form, "", "de", "2026-02-30").unwrap_err().contains("not a date"));
    assert!(Guide::create(&form, "[", "de", "2026-11-22").unwrap_err().contains("snapshot"));
    let mut g = Guide::create(&form, "", "de", "2026-11-22").unwrap();
    assert!(g.set("gibt_es_nicht", "\"x\"").unwrap_err().contains("gibt_es_nicht"));
    assert!(g.set("vorname", "{").unwrap_err().contains("not an answer"));
}

fn bewohnerparkausweis() -> Vec<u8> {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../form-definitions/bewohnerparkausweis.yaml")).unwrap();
    engine::compile(&src).form.expect("compiles").to_bytes()
}

/// Issue #18: the browser sends what the citizen typed and the engine decides. Blanking
/// `ort` (required, default Tübingen) is a blank answer, with its `required` problem, as
/// on the server; the script used to send `null` for it, and the default came back.
#[test]
fn typed_values_are_read_by_the_rule_of_a_posted_step() {
    let mut g = Guide::create(&bewohnerparkausweis(), "", "de", "2026-11-22").unwrap();
    let required_ort = |v: &Value| v.as_array().unwrap().iter().any(|p| p["field"] == "ort" && p["check"] == "required");
    let changes = parse(&g.typed("ort", r#"[""]"#).unwrap());
    assert!(required_ort(&changes["problems_added"]), "{changes}");
    assert_eq!(parse(&g.snapshot())["answers"]["ort"], "");
    assert!(required_ort(&parse(&g.step_view("antragsteller").unwrap())["problems"]));
    let changes = parse(&g.typed("ort", r#"["Tübingen"]"#).unwrap());
    assert!(required_ort(&changes["problems_cleared"]), "{changes}");

    // The whole step as the page shows it, read as the server reads the post.
    let answer = parse(&g.read_step("antragsteller", r#"{"values": {"ort": ["  "], "vorname": ["Erika"]}}"#).unwrap());
    assert_eq!(answer["read"].as_array().unwrap().iter().filter(|p| *p == "ort").count(), 1);
    assert!(required_ort(&parse(&g.step_view("antragsteller").unwrap())["problems"]));
    assert_eq!(parse(&g.snapshot())["answers"]["vorname"], "Erika");

    // A value that is no option is refused, as in a post; bad JSON is an error.
    assert!(g.typed("zone", r#"["gibt-es-nicht"]"#).unwrap_err().contains("zone"));
    assert!(g.typed("ort", r#""Tübingen""#).unwrap_err().contains("typed values"));
    assert!(g.read_step("gibt-es-nicht", "{}").unwrap_err().contains("no step"));
}

#[test]
fn the_guide_evaluates_with_the_parameter_values_it_is_given() {
    let src = "wegweiser: 1\nid: p\ntitle: P\nparameters:\n  satz: { type: money, default: 90 }\n  pflicht: { type: integer }\nvalues:\n  steuer: n * satz\nsteps:\n  - id: a\n    fields:\n      - { id: n, type: integer }\n";
    let form = engine::compile(src).form.expect("compiles").to_bytes();
    let values = r#"{"satz":{"t":"number","v":"120"},"pflicht":{"t":"number","v":"1"}}"#;
    let mut g = Guide::create_with_parameters(&form, "", "de", "2026-11-22", values).unwrap();
    g.set("n", "\"2\"").unwrap();
    assert_eq!(parse(&g.evaluate_all().unwrap())["values"]["steuer"], "240");
    // A restored draft keeps them too.
    let snap = g.snapshot();
    let back = Guide::create_with_parameters(&form, &snap, "de", "2026-11-22", values).unwrap();
    assert_eq!(parse(&back.evaluate_all().unwrap())["values"]["steuer"], "240");
    // Without a value for the parameter that has no default, no guide (not a panic).
    let err = Guide::create_with_parameters(&form, "", "de", "2026-11-22", "").err().unwrap();
    assert!(err.contains("`pflicht`"), "{err}");
    assert!(Guide::create_with_parameters(&form, "", "de", "2026-11-22", "{\"satzz\":{\"t\":\"bool\",\"v\":true}}").is_err());
}

/// The browser module reports the engine's view of a step, the one the server renders its
/// page from: the same JSON as a native session's `step_view` after the same answers.
#[test]
fn the_step_view_is_the_engines() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../form-definitions/hundesteuer.yaml")).unwrap();
    let form = engine::compile(&src).form.expect("compiles");
    let mut g = Guide::create(&form.to_bytes(), "", "en", "2026-11-22").unwrap();
    let mut s = engine::session::Session::new(&form, "en", chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    for (path, typed) in [("wohnsitz_bitburg", "true"), ("hund.0.rasse", "sonstige"), ("hund.0.chipnummer", "12")] {
        g.typed(path, &serde_json::to_string(&[typed]).unwrap()).unwrap();
        s.answer_typed(path, &[typed.to_string()]).unwrap();
    }
    let step = form.step_by_id("hunde").unwrap();
    let view = parse(&g.step_view("hunde").unwrap());
    assert_eq!(view, serde_json::to_value(s.step_view(step).unwrap()).unwrap());
    // What the script reads from it: the revealed question shows, the problem is there.
    let entry = &view["fields"][0]["entries"][0]["fields"];
    assert_eq!(entry[2]["path"], "hund.0.rasse_sonstige");
    assert_eq!(entry[2]["shown"], true);
    assert_eq!(entry[7]["problems"][0]["code"], "pattern");
}

#[test]
fn validate_answers_every_problem_of_the_form_and_nothing_else() {
    let mut g = Guide::create(&hundesteuer(), "", "de", "2026-11-22").unwrap();
    let problems = parse(&g.validate().unwrap());
    assert_eq!(problems, parse(&g.evaluate_all().unwrap())["problems"]);
    assert_eq!(problems[0]["field"], "wohnsitz_bitburg");
    assert_eq!(problems[0]["check"], "required");
    g.set("wohnsitz_bitburg", "\"false\"").unwrap();
    // The exit step ends the path: nothing on it is missing.
    assert_eq!(parse(&g.validate().unwrap()), json!([]));
    assert_eq!(parse(&g.validate().unwrap()), parse(&g.evaluate_all().unwrap())["problems"]);
}
