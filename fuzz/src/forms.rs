//! The bundled forms, built into the fuzz binaries (so a target does not depend on the
//! directory it is started from), with their scenario files.

use engine::Form;

/// `(name, form source, scenario source)` of every form the session and server targets use.
pub const BUNDLED: &[(&str, &str, &str)] = &[
    ("hundesteuer", include_str!("../../form-definitions/hundesteuer.yaml"), include_str!("../../form-definitions/hundesteuer.test.yaml")),
    (
        "gewerbeanmeldung",
        include_str!("../../form-definitions/gewerbeanmeldung.yaml"),
        include_str!("../../form-definitions/gewerbeanmeldung.test.yaml"),
    ),
    (
        "kita-anmeldung",
        include_str!("../../form-definitions/kita-anmeldung.yaml"),
        include_str!("../../form-definitions/kita-anmeldung.test.yaml"),
    ),
    (
        "sondernutzung",
        include_str!("../../form-definitions/sondernutzung.yaml"),
        include_str!("../../form-definitions/sondernutzung.test.yaml"),
    ),
    (
        "bewohnerparkausweis",
        include_str!("../../form-definitions/bewohnerparkausweis.yaml"),
        include_str!("../../form-definitions/bewohnerparkausweis.test.yaml"),
    ),
    (
        "contract-hundesteuer",
        include_str!("../../engine/tests/fixtures/contract/hundesteuer.yaml"),
        include_str!("../../engine/tests/fixtures/contract/hundesteuer.test.yaml"),
    ),
];

/// Compiles every bundled form (once per process: callers keep the result in a static).
pub fn compile_all() -> Vec<Form> {
    BUNDLED
        .iter()
        .map(|(name, src, _)| engine::compile(src).form.unwrap_or_else(|| panic!("the bundled form {name} does not compile")))
        .collect()
}

/// The fixed "today" of every session (the engine has no clock; the scenarios use it too).
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("a valid date")
}
