//! Target `fim_import`: any text → `fim::import` (XDatenfelder 2.0 / 3.0.0).
//!
//! Checks what docs/fim.md promises: the import never panics on input, and the form it
//! produces compiles (no errors); its smoke scenario file then runs against the form.

/// Runs the check on one input.
pub fn check(data: &[u8]) {
    let Ok(xml) = std::str::from_utf8(data) else { return };
    let Ok(out) = fim::import(xml, &fim::Options::default()) else { return };
    let compiled = engine::compile(&out.yaml);
    let Some(form) = compiled.form else {
        let errors: Vec<String> = compiled.diagnostics.iter().filter(|d| d.is_error()).map(|d| format!("{}: {}", d.code, d.message)).collect();
        panic!("the imported form does not compile:\n{}\n--- form ---\n{}", errors.join("\n"), out.yaml);
    };
    let _ = engine::scenario::run_scenarios(&form, &out.test_yaml);
}
