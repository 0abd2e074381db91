//! The benchmark's generated forms are valid: they compile with no errors.

#[path = "../benches/gen/mod.rs"]
mod formgen;

fn assert_compiles(fields: usize) {
    let src = formgen::generate_form(fields);
    assert!(src.len() < engine::source::LIMITS.max_bytes, "{fields} fields: {} bytes is over the size limit", src.len());
    let compiled = engine::compile(&src);
    let errors: Vec<String> = compiled
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(10)
        .map(|d| format!("{}:{}: {} {}", d.span.start.line, d.span.start.column, d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "the generated form with {fields} fields has errors:\n{}", errors.join("\n"));
    let form = compiled.form.expect("a form without errors");
    assert_eq!(form.fields().len(), fields, "the generated form has the requested number of fields");
}

#[test]
fn generated_form_of_100_fields_compiles() {
    assert_compiles(100);
}

#[test]
fn generated_form_of_1000_fields_compiles() {
    assert_compiles(1000);
}

/// The generated scenarios pass (the complete answers are valid and reach the summary, the
/// other scenarios take the exit and the skip), so the session benchmark measures a
/// realistic filled form and `wegweiser test` on the workload is a fair measure.
fn assert_scenarios_pass(fields: usize) {
    let form = engine::compile(&formgen::generate_form(fields)).form.expect("a form without errors");
    let outcomes = engine::scenario::run_scenarios(&form, &formgen::generate_scenarios(fields)).expect("a readable scenario file");
    assert_eq!(outcomes.len(), 4);
    let failed: Vec<_> = outcomes.iter().filter(|o| !o.failures.is_empty()).collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn generated_scenarios_of_200_fields_pass() {
    assert_scenarios_pass(200);
}

/// The 10,000-field workload of issue #19, whose scenarios once ran for minutes; a measure
/// to run by hand (`cargo test --release -p wegweiser-engine --test generated_forms -- --ignored`),
/// the figures are in docs/performance.md.
#[test]
#[ignore = "a measure of the 10,000-field workload; run by hand in release mode"]
fn generated_scenarios_of_10000_fields_pass() {
    let started = std::time::Instant::now();
    assert_scenarios_pass(10_000);
    println!("10,000 fields: the scenarios ran in {:?}", started.elapsed());
}
