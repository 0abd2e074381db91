//! The FIM-keyed data of every bundled form that carries FIM ids: every submittable
//! scenario's submission `data` turned into FIM data validates against the form's FIM
//! schema, and documents made wrong on purpose do not (so the check can fail).
//! (`fim-import/tests/fim_data.rs` does the same for the forms the importer writes.)

use std::path::Path;

use serde_json::{Value as Json, json};

/// Validates the FIM data of every submittable scenario; returns how many were checked.
fn check(form: &engine::Form, scenarios: &str, name: &str) -> usize {
    let schema = engine::fim_schema(form).unwrap_or_else(|| panic!("{name}: no FIM ids"));
    let validator = jsonschema::draft202012::new(&schema).expect("a valid 2020-12 schema");
    let outcomes = engine::scenario::run_scenarios(form, scenarios).unwrap();
    let mut checked = 0;
    for o in &outcomes {
        let Some(data) = &o.submission else { continue };
        let fim = engine::fim_data(form, data).unwrap();
        let errors: Vec<String> = validator.iter_errors(&fim).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{name}, {}: {errors:#?}\n{fim:#}", o.name);
        assert_wrong_documents_fail(&validator, &schema, &fim, &format!("{name}, {}", o.name));
        checked += 1;
    }
    checked
}

/// A value of the wrong type in the first property, and a required property missing.
fn assert_wrong_documents_fail(validator: &jsonschema::Validator, schema: &Json, fim: &Json, what: &str) {
    let mut wrong = fim.clone();
    match fim.as_object().unwrap().keys().next() {
        // Neither a text, a number, a yes/no, an object nor a list of texts or objects.
        Some(key) => wrong[key] = json!([[[]]]),
        // An empty document (nothing answered that has a FIM id): an unknown key.
        None => wrong["F99999999"] = json!("x"),
    }
    assert!(!validator.is_valid(&wrong), "{what}: a wrong document passed: {wrong}");
    if let Some(Json::String(required)) = schema["required"].get(0) {
        let mut wrong = fim.clone();
        wrong.as_object_mut().unwrap().remove(required);
        assert!(!validator.is_valid(&wrong), "{what}: without `{required}` passed");
    }
}

#[test]
fn bundled_forms_with_fim_ids_deliver_valid_fim_data() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../form-definitions");
    let mut forms: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml") && !p.to_string_lossy().ends_with(".test.yaml"))
        .collect();
    forms.sort();
    let mut with_fim = Vec::new();
    for path in forms {
        let form = engine::compile(&std::fs::read_to_string(&path).unwrap()).form.unwrap();
        if engine::fim_schema(&form).is_none() {
            continue;
        }
        let scenarios = std::fs::read_to_string(path.with_extension("test.yaml")).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let n = check(&form, &scenarios, &name);
        assert!(n >= 3, "{name}: only {n} submittable scenarios");
        with_fim.push(name);
    }
    assert_eq!(with_fim, ["bewohnerparkausweis.yaml"]);
}
