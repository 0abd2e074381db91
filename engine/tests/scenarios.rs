//! Runs the scenario files of the bundled forms and of the contract's example: they are
//! the project's regression suite for the session (path, activity, values, problems,
//! submission).

use std::path::Path;

fn run(form_path: &Path) -> usize {
    let src = std::fs::read_to_string(form_path).unwrap();
    let compiled = engine::compile(&src);
    let errors: Vec<_> = compiled.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{} does not compile: {errors:#?}", form_path.display());
    let form = compiled.form.unwrap();
    let test_path = form_path.with_extension("test.yaml");
    let tests = std::fs::read_to_string(&test_path).unwrap();
    let outcomes = engine::scenario::run_scenarios(&form, &tests).unwrap_or_else(|d| panic!("{}: {d:#?}", test_path.display()));
    let failed: Vec<_> = outcomes.iter().filter(|o| !o.failures.is_empty()).collect();
    assert!(failed.is_empty(), "{}: {failed:#?}", test_path.display());
    outcomes.len()
}

#[test]
fn contract_example_scenarios_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(run(&root.join("tests/fixtures/contract/hundesteuer.yaml")), 3);
}

#[test]
fn bundled_forms_scenarios_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../form-definitions");
    let mut forms: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml") && !p.to_string_lossy().ends_with(".test.yaml"))
        .collect();
    forms.sort();
    assert!(forms.len() >= 5, "five bundled forms expected");
    let total: usize = forms.iter().map(|f| run(f)).sum();
    assert!(total >= 40, "at least 40 scenarios expected, found {total}");
}
