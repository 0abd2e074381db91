//! The FIM-keyed data of imported forms: for every schema of the shared FIM material and
//! the crate's own fixtures, every submittable generated scenario's submission `data`,
//! turned into FIM data (`engine::fim_data`), validates against the form's FIM schema
//! (`engine::fim_schema`, what `wegweiser schema --fim` prints); a document made wrong on
//! purpose does not.

mod common;

use std::path::Path;

use common::{fixture, material};
use serde_json::{Value as Json, json};

fn import(path: &Path, lists: Option<&Path>) -> fim::Import {
    let mut w = Vec::new();
    let codelists = lists.map(|d| fim::genericode::load_dir(d, &mut w).unwrap()).unwrap_or_default();
    let opts = fim::Options { codelists, source_name: path.file_name().map(|n| n.to_string_lossy().into()) };
    fim::import(&std::fs::read_to_string(path).unwrap(), &opts).unwrap()
}

/// Validates the FIM data of every submittable scenario; returns how many were checked.
fn check(out: &fim::Import, name: &str) -> usize {
    let form = engine::compile(&out.yaml).form.unwrap();
    let schema = engine::fim_schema(&form).unwrap_or_else(|| panic!("{name}: the imported form has no FIM ids"));
    let validator = jsonschema::draft202012::new(&schema).expect("a valid 2020-12 schema");
    let mut checked = 0;
    for o in engine::scenario::run_scenarios(&form, &out.test_yaml).unwrap() {
        let Some(data) = &o.submission else { continue };
        let fim = engine::fim_data(&form, data).unwrap();
        let errors: Vec<String> = validator.iter_errors(&fim).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{name}, {}: {errors:#?}\n{fim:#}", o.name);
        let mut wrong = fim.clone();
        match fim.as_object().unwrap().keys().next() {
            // Neither a text, a number, a yes/no, an object nor a list of texts or objects.
            Some(key) => wrong[key] = json!([[[]]]),
            // An empty document (nothing answered that has a FIM id): an unknown key.
            None => wrong["F99999999"] = json!("x"),
        }
        assert!(!validator.is_valid(&wrong), "{name}, {}: a wrong document passed: {wrong}", o.name);
        if let Some(Json::String(required)) = schema["required"].get(0) {
            let mut wrong = fim.clone();
            wrong.as_object_mut().unwrap().remove(required);
            assert!(!validator.is_valid(&wrong), "{name}, {}: without `{required}` passed", o.name);
        }
        checked += 1;
    }
    checked
}

#[test]
fn imported_forms_deliver_fim_data_that_validates() {
    let m = material();
    let cases: Vec<(&str, fim::Import)> = vec![
        (
            "S05000058 Bewohnerparkausweis",
            import(&m.join("xdf2/bewohnerparken/S05000058V1.0_xdf2.xml"), Some(&m.join("xdf2/bewohnerparken"))),
        ),
        ("S00000009 Gewerbe-Anmeldung", import(&m.join("xdf2/gewerbeanmeldung/S00000009_xdatenfelder.xml"), None)),
        ("XDF3 simple.xml", import(&m.join("xdf3-examples/simple.xml"), None)),
        ("XDF3 input.xml", import(&m.join("xdf3-examples/input.xml"), None)),
        ("mapping.xml", import(&fixture("mapping.xml"), Some(&fixture("codelists")))),
        ("rules.xml", import(&fixture("rules.xml"), Some(&fixture("codelists")))),
        ("rule-shapes.xml", import(&fixture("rule-shapes.xml"), Some(&fixture("codelists")))),
        ("xdf3-schema.xml", import(&fixture("xdf3-schema.xml"), None)),
    ];
    let mut total = 0;
    for (name, out) in &cases {
        let n = check(out, name);
        assert!(n >= 1, "{name}: no submittable scenario");
        println!("{name}: FIM data of {n} scenarios valid");
        total += n;
    }
    assert!(total >= 20, "{total} scenarios checked");
}

#[test]
fn the_imported_bewohnerparkausweis_keys_its_data_like_fim() {
    let m = material();
    let out = import(&m.join("xdf2/bewohnerparken/S05000058V1.0_xdf2.xml"), Some(&m.join("xdf2/bewohnerparken")));
    let form = engine::compile(&out.yaml).form.unwrap();
    let schema = engine::fim_schema(&form).unwrap();
    assert_eq!(schema["$id"], "https://schema.fitko.de/fim/s05000058_1.0.schema.json");
    let props = &schema["properties"];
    // The repeated first name (1:*) is an array under the field's id; nested groups are
    // objects under theirs.
    assert_eq!(props["F05000060"]["type"], "array");
    assert_eq!(props["G05000428"]["properties"]["F00000053"]["type"], "string");
    assert_eq!(props["G00000113"]["properties"]["F00000054"]["type"], "string");
}
