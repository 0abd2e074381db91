//! Target `compile_yaml`: any text → `engine::compile`.
//!
//! Checks that compiling never panics, that every diagnostic's span lies inside the
//! source (front ends slice the source with it), and that a form that compiles survives
//! the JSON round trip and the round trip through the binary encoding the browser module
//! receives (`Form::to_bytes`, `Form::from_bytes`), and can start a session.

use engine::session::Session;

/// Runs the check on one input.
pub fn check(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let compiled = engine::compile(src);
    let chars = src.chars().count() as u32;
    for d in &compiled.diagnostics {
        let (s, e) = (d.span.start.offset, d.span.end.offset);
        assert!(s <= e && e <= chars, "diagnostic {} has span {s}..{e} outside the {chars} characters of the source: {d:?}", d.code);
    }
    assert_eq!(compiled.form.is_some(), !compiled.has_errors(), "a form exactly when there are no errors");
    if let Some(form) = compiled.form {
        let json = serde_json::to_string(&form).expect("a compiled form serialises");
        let back: engine::Form = serde_json::from_str(&json).expect("a serialised form deserialises");
        assert_eq!(json, serde_json::to_string(&back).expect("serialises again"), "JSON round trip of the compiled form");
        // And through the binary encoding the browser module receives (`Form::to_bytes`).
        let decoded = engine::Form::from_bytes(&form.to_bytes()).expect("a compiled form decodes from its bytes");
        assert_eq!(json, serde_json::to_string(&decoded).expect("serialises again"), "binary round trip of the compiled form");
        let s = Session::new(&form, form.default_language(), crate::forms::today());
        assert!(s.problems().is_ok() && s.submission_data().is_ok(), "a session without a budget answers");
    }
}
