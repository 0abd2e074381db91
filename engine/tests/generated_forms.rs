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
    assert_eq!(form.fields.len(), fields, "the generated form has the requested number of fields");
}

#[test]
fn generated_form_of_100_fields_compiles() {
    assert_compiles(100);
}

#[test]
fn generated_form_of_1000_fields_compiles() {
    assert_compiles(1000);
}
