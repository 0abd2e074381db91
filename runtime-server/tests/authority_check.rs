//! Authority files (docs/authorities.md) through `wegweiser check` and `wegweiser test`:
//! the diagnostics of broken files (snapshots), the bundled authorities checking clean,
//! and scenarios run per authority with the authority named.

use std::process::Command;

fn wegweiser(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_wegweiser")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code().unwrap_or(-1))
}

#[test]
fn broken_authority_files_are_reported_with_line_and_column() {
    let (out, code) = wegweiser(&["check", "tests/fixtures/authorities-bad"]);
    assert_eq!(code, 1, "{out}");
    for code in ["E0101", "E0102", "E0103", "E0601", "E0602", "E0603", "E0701", "E0702", "E0703", "E0704"] {
        assert!(out.contains(&format!("error[{code}]")), "{code} missing:\n{out}");
    }
    // A value written but refused is not also reported as missing.
    assert_eq!(out.matches("does not set the parameter `satz`").count(), 1, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn one_authority_file_can_be_checked_alone() {
    let (out, code) = wegweiser(&["check", "--format", "json", "tests/fixtures/authorities-bad/authorities/stadt-b/authority.yaml"]);
    assert_eq!(code, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = json.as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["E0103", "E0703", "E0703", "E0701", "E0603"]);
}

#[test]
fn the_bundled_authorities_check_clean() {
    let (out, code) = wegweiser(&["check", "../form-definitions"]);
    assert_eq!(code, 0, "{out}");
    for id in ["bitburg", "trier", "wittlich"] {
        assert!(out.contains(&format!("../form-definitions/authorities/{id}/authority.yaml: ok")), "{out}");
    }
}

#[test]
fn scenarios_run_for_every_authority_and_an_authoritys_own_only_for_it() {
    let (out, code) = wegweiser(&["test", "tests/fixtures/authorities-ok"]);
    assert_eq!(code, 1, "one scenario fails on purpose:\n{out}");
    // The form's own file: no run with defaults (`satz` has none), one per authority.
    assert!(out.contains("ok     tests/fixtures/authorities-ok/gebuehr.test.yaml [nord] — Zwei Stück zum Satz der Datei"), "{out}");
    assert!(out.contains("ok     tests/fixtures/authorities-ok/gebuehr.test.yaml [sued] — Zwei Stück zum Satz der Datei"), "{out}");
    assert!(!out.contains("gebuehr.test.yaml — "), "no run with defaults: {out}");
    // The authority's own file runs with its values (15.50 × 2) and only for it.
    assert!(
        out.contains("ok     tests/fixtures/authorities-ok/authorities/sued/gebuehr.test.yaml [sued] — Zwei Stück zum Satz des Südens"),
        "{out}"
    );
    assert!(out.contains("FAILED tests/fixtures/authorities-ok/authorities/sued/gebuehr.test.yaml [sued] — Ein falscher Betrag\n         values betrag: expected 99, got 15.5"), "{out}");
    assert!(!out.contains("sued/gebuehr.test.yaml [nord]"), "{out}");
    assert!(out.ends_with("3 passed, 1 failed\n"), "{out}");
}

#[test]
fn the_bundled_hundesteuer_runs_with_defaults_and_for_three_towns() {
    let (out, code) = wegweiser(&["test", "../form-definitions/hundesteuer.yaml", "../form-definitions/authorities"]);
    assert_eq!(code, 0, "{out}");
    let shared = out.lines().filter(|l| l.contains("form-definitions/hundesteuer.test.yaml")).count();
    let runs = ["", " [bitburg]", " [trier]", " [wittlich]"];
    for r in runs {
        assert!(
            out.contains(&format!("ok     ../form-definitions/hundesteuer.test.yaml{r} — Ein Hund, Überweisung, vollständig")),
            "{r}: {out}"
        );
    }
    assert_eq!(shared % 4, 0, "every shared scenario once per run: {out}");
    for (id, amount) in [("bitburg", "90.00"), ("trier", "120.00"), ("wittlich", "75.00")] {
        assert!(out.contains(&format!("ok     ../form-definitions/authorities/{id}/hundesteuer.test.yaml [{id}] — Ein Hund")), "{out}");
        let own =
            std::fs::read_to_string(format!("{}/../form-definitions/authorities/{id}/hundesteuer.test.yaml", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
        assert!(own.contains(&format!("steuer_jahr: \"{amount}\"")), "{id}");
    }
}
