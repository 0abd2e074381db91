//! `wegweiser test`: scenario results, the closing line, exit codes and `--coverage`.

use std::process::Command;

fn wegweiser(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_wegweiser")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code().unwrap_or(-1))
}

#[test]
fn passing_scenarios_and_the_closing_line() {
    let (out, code) = wegweiser(&["test", "tests/fixtures/coverage"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok     tests/fixtures/coverage/halbe.test.yaml — Kein Hund"), "{out}");
    assert!(out.ends_with("1 passed, 0 failed\n"), "{out}");
}

#[test]
fn coverage_names_the_condition_never_seen_true() {
    let (out, code) = wegweiser(&["test", "--coverage", "tests/fixtures/coverage/halbe.yaml"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 conditions not seen both true and false"), "{out}");
    assert!(out.contains("field `rasse`: visible_if — never true"), "{out}");
}

#[test]
fn a_failed_expectation_names_scenario_key_expected_and_actual() {
    let dir = std::env::temp_dir().join(format!("wegweiser-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let form = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/coverage/halbe.yaml")).unwrap();
    std::fs::write(dir.join("f.yaml"), form).unwrap();
    std::fs::write(
        dir.join("f.test.yaml"),
        "today: 2026-11-22\nscenarios:\n  - name: Falsch erwartet\n    answers: { hund: true }\n    expect:\n      inactive: [rasse]\n",
    )
    .unwrap();
    let (out, code) = wegweiser(&["test", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAILED") && out.contains("Falsch erwartet"), "{out}");
    assert!(out.contains("inactive rasse: expected inactive, got active"), "{out}");
    assert!(out.ends_with("0 passed, 1 failed\n"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}
