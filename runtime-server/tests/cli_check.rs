//! `wegweiser check` end to end: runs the built binary on the fixtures in
//! `tests/fixtures/check/` and checks exit codes, text and JSON output. Paths are passed
//! relative to the crate directory, so the output is the same on every machine.

use std::process::{Command, Output};

fn wegweiser(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wegweiser"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("the wegweiser binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

const ERR_YAML: &str = "tests/fixtures/check/err_yaml.yaml";
const OK_TINY: &str = "tests/fixtures/check/ok_tiny.yaml";

#[test]
fn invalid_yaml_as_text() {
    let o = wegweiser(&["check", ERR_YAML]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let out = stdout(&o);
    assert!(!out.contains('\x1b'), "no colour when stdout is not a terminal");
    assert!(out.ends_with("tests/fixtures/check/err_yaml.yaml: 1 error\n"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn invalid_yaml_as_json() {
    let o = wegweiser(&["check", "--format", "json", ERR_YAML]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("stdout is JSON");
    let items = v.as_array().expect("an array");
    assert_eq!(items.len(), 1);
    let d = &items[0];
    for key in ["severity", "code", "message", "help", "file", "line", "column", "end_line", "end_column"] {
        assert!(d.get(key).is_some(), "key `{key}` missing in {d}");
    }
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "E0001");
    assert_eq!(d["file"], ERR_YAML);
    // The unterminated quote of `title: "Hundesteuer` on line 2.
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(2), Some(8)));
    assert_eq!((d["end_line"].as_u64(), d["end_column"].as_u64()), (Some(2), Some(9)));
}

#[test]
fn json_for_a_clean_file_is_an_empty_array() {
    let o = wegweiser(&["check", "--format", "json", OK_TINY]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap(), serde_json::json!([]));
}

#[test]
fn valid_file_is_ok() {
    let o = wegweiser(&["check", OK_TINY]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "tests/fixtures/check/ok_tiny.yaml: ok\n");
}

#[test]
fn several_files_one_with_errors() {
    let o = wegweiser(&["check", OK_TINY, ERR_YAML]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.starts_with("tests/fixtures/check/ok_tiny.yaml: ok\nerror[E0001]"), "{out}");
}

#[test]
fn missing_file_is_exit_2_and_the_others_are_still_checked() {
    let o = wegweiser(&["check", "tests/fixtures/check/does_not_exist.yaml", ERR_YAML]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), "error: cannot read `tests/fixtures/check/does_not_exist.yaml`: there is no such file\n");
    assert!(stdout(&o).contains("err_yaml.yaml: 1 error"));
}

#[test]
fn missing_directory_is_exit_2() {
    let o = wegweiser(&["check", "no/such/dir/form.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), "error: cannot read `no/such/dir/form.yaml`: there is no such file\n");
}

#[test]
fn non_utf8_file_is_a_clear_message() {
    let o = wegweiser(&["check", "tests/fixtures/check/err_latin1.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: `tests/fixtures/check/err_latin1.yaml` is not UTF-8 text (first bad byte on line 1); save it with the encoding UTF-8\n"
    );
}

#[test]
fn usage_errors_are_exit_2() {
    assert_eq!(wegweiser(&["check"]).status.code(), Some(2));
    assert_eq!(wegweiser(&["check", "--format", "xml", OK_TINY]).status.code(), Some(2));
    assert_eq!(wegweiser(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn colour_on_request() {
    let o = wegweiser(&["check", "--color", "always", ERR_YAML]);
    assert!(stdout(&o).contains("\x1b[1;31merror[E0001]\x1b[0m"));
}

const FOLDER: &str = "tests/fixtures/check_folder";

#[test]
fn a_folder_checks_every_form_below_it() {
    // Issue #20, point 10: `check` refused folders while `test` took them. Scenario files,
    // other files and hidden folders are left out; the form with an error sets the exit code.
    let o = wegweiser(&["check", FOLDER]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let out = stdout(&o);
    assert!(out.starts_with("tests/fixtures/check_folder/a_ok.yaml: ok\nerror[E0212]"), "{out}");
    assert!(out.ends_with("tests/fixtures/check_folder/sub/b_option_typo.yaml: 1 error\n"), "{out}");
    assert!(!out.contains("test.yaml") && !out.contains("broken"), "{out}");
    insta::assert_snapshot!(out);
    // JSON names the file found in the folder.
    let o = wegweiser(&["check", "--format", "json", FOLDER]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["file"], "tests/fixtures/check_folder/sub/b_option_typo.yaml");
    assert_eq!(v.as_array().map(Vec::len), Some(1));
}

#[test]
fn folders_and_files_together_exit_with_the_worst() {
    let o = wegweiser(&["check", OK_TINY, "tests/fixtures/check_folder/sub"]);
    assert_eq!(o.status.code(), Some(1));
    let o = wegweiser(&["check", "tests/fixtures/check_folder", "no/such/form.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("b_option_typo.yaml: 1 error"));
    let o = wegweiser(&["check", "tests/fixtures/check_folder/a_ok.yaml", "tests/fixtures/check_folder/a_ok.test.yaml"]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "tests/fixtures/check_folder/a_ok.yaml: ok\n"));
}

#[test]
fn a_folder_without_forms_is_exit_2() {
    let dir = std::env::temp_dir().join(format!("wegweiser-check-empty-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/only.test.yaml"), "today: 2026-01-01\nscenarios: []\n").unwrap();
    let o = wegweiser(&["check", dir.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), format!("error: no form files (`*.yaml`) in the folder `{}`\n", dir.display()));
}
