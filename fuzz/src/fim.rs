//! Target `fim_import`: any text → `fim::import` (XDatenfelder 2.0 / 3.0.0).
//!
//! Checks what docs/fim.md promises: the import never panics on input, and the form it
//! produces compiles (no errors), and its smoke scenarios pass against it.

/// Runs the check on one input.
pub fn check(data: &[u8]) {
    let Ok(xml) = std::str::from_utf8(data) else { return };
    let Ok(out) = fim::import(xml, &fim::Options::default()) else { return };
    let compiled = engine::compile(&out.yaml);
    let Some(form) = compiled.form else {
        let errors: Vec<String> =
            compiled.diagnostics.iter().filter(|d| d.is_error()).map(|d| format!("{}: {}", d.code, d.message)).collect();
        panic!("the imported form does not compile:\n{}\n--- form ---\n{}", errors.join("\n"), out.yaml);
    };
    let outcomes = engine::scenario::run_scenarios(&form, &out.test_yaml)
        .unwrap_or_else(|d| panic!("the generated scenario file is not readable: {d:?}\n--- scenarios ---\n{}", out.test_yaml));
    for o in outcomes {
        assert!(
            o.failures.is_empty(),
            "generated scenario {:?} fails: {:#?}\n--- form ---\n{}\n--- scenarios ---\n{}",
            o.name,
            o.failures,
            out.yaml,
            out.test_yaml
        );
    }
}
