//! The authors' toolkit end to end: `graph`, `routes`, `new` and `editor-schema`, run as
//! the built binary. Paths are relative to the crate directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wegweiser_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wegweiser")).args(args).current_dir(dir).output().expect("the wegweiser binary runs")
}

fn wegweiser(args: &[&str]) -> Output {
    wegweiser_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

/// A fresh, empty folder for one test.
fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("wegweiser-toolkit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const FORMS: &[&str] = &["bewohnerparkausweis", "gewerbeanmeldung", "hundesteuer", "kita-anmeldung", "sondernutzung"];

fn ok(args: &[&str]) -> String {
    let o = wegweiser(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn graph_of_every_bundled_form_as_mermaid() {
    for name in FORMS {
        let out = ok(&["graph", &format!("../form-definitions/{name}.yaml")]);
        assert!(out.starts_with("flowchart TD\n"), "{out}");
        insta::assert_snapshot!(format!("graph_mermaid_{name}"), out);
    }
}

#[test]
fn graph_of_every_bundled_form_as_dot() {
    for name in FORMS {
        let out = ok(&["graph", "--format", "dot", &format!("../form-definitions/{name}.yaml")]);
        assert!(out.starts_with("digraph ") && out.ends_with("}\n"), "{out}");
        insta::assert_snapshot!(format!("graph_dot_{name}"), out);
    }
}

#[test]
fn graph_escapes_quotes_and_marks_exits_and_optional_steps() {
    let mermaid = ok(&["graph", "tests/fixtures/routes/contradictions.yaml"]);
    assert!(mermaid.contains(r#"s0 -->|"art == #quot;x#quot;"| s1"#), "{mermaid}");
    assert!(!mermaid.contains(r#"== "x""#), "{mermaid}");
    let mermaid = ok(&["graph", "../form-definitions/hundesteuer.yaml"]);
    assert!(mermaid.contains("([\"") && mermaid.contains(" exit\n") && mermaid.contains(" optional\n"), "{mermaid}");
    let dot = ok(&["graph", "--format", "dot", "tests/fixtures/routes/contradictions.yaml"]);
    assert!(dot.contains(r#"[label="art == \"x\""]"#), "{dot}");
}

#[test]
fn graph_of_a_broken_form_fails_with_the_errors() {
    let o = wegweiser(&["graph", "tests/fixtures/check/err_yaml.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[E0001]"), "{}", stderr(&o));
    let o = wegweiser(&["routes", "no/such/file.yaml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn routes_of_a_bundled_form() {
    insta::assert_snapshot!(ok(&["routes", "../form-definitions/gewerbeanmeldung.yaml"]));
}

#[test]
fn bundled_forms_have_no_impossible_routes_and_no_unreached_questions() {
    for name in FORMS {
        let out = ok(&["routes", &format!("../form-definitions/{name}.yaml")]);
        assert!(out.lines().next().unwrap().ends_with(", 0 impossible"), "{name}: {out}");
        assert!(out.ends_with("Questions no route reaches: none\n"), "{name}: {out}");
    }
}

#[test]
fn routes_with_contradictions() {
    let out = ok(&["routes", "tests/fixtures/routes/contradictions.yaml"]);
    assert!(out.starts_with("widersprueche: 9 routes, 5 impossible\n"), "{out}");
    // The same field compared with two values.
    assert!(out.contains(r#"IMPOSSIBLE: `art == "x"` (at step `start`) contradicts `art == "y"` (at step `nur-x`)"#), "{out}");
    // `x == "a"` together with its negation, in both orders.
    assert!(out.contains(r#"IMPOSSIBLE: `art == "x"` (at step `start`) contradicts `not (art == "x")` (at step `mitte`)"#), "{out}");
    assert!(out.contains(r#"IMPOSSIBLE: `not (art == "x")` (at step `start`) contradicts `art == "x"` (at step `mitte`)"#), "{out}");
    // A yes/no field required true and false.
    assert!(out.contains("IMPOSSIBLE: `hund == true` (at step `mitte`) contradicts `hund == false` (at step `hund`)"), "{out}");
    // The fallthrough shows the negation of the earlier branches.
    assert!(out.contains("mitte → summary  otherwise: not (art != \"x\" and art == \"x\") and not hund"), "{out}");
    let unreached = out.split("Questions no route reaches:\n").nth(1).expect("a list of questions");
    assert_eq!(unreached.lines().count(), 2, "{unreached}");
    assert!(unreached.contains("nur_bei_y (step `nur-x`): every possible route through step `nur-x` contradicts it"), "{unreached}");
    assert!(unreached.contains("verloren (step `tot`): its step `tot` is on no possible route"), "{unreached}");
    insta::assert_snapshot!(out);
}

#[test]
fn routes_needing_an_answer_from_another_branch_are_impossible() {
    let out = ok(&["routes", "tests/fixtures/routes/later_field.yaml"]);
    assert!(out.starts_with("anderer-zweig: 4 routes, 1 impossible\n"), "{out}");
    assert!(out.contains("route 3: eins → drei? → vier → fuenf → summary"), "{out}");
    assert!(out.contains("drei (if filled(a)) → vier"), "{out}");
    assert!(out.contains("needs an answer to `b`, which is asked on step `zwei`"), "{out}");
    assert!(out.ends_with("Questions no route reaches: none\n"), "{out}");
}

#[test]
fn routes_the_analysis_cannot_decide_are_not_called_impossible() {
    let out = ok(&["routes", "tests/fixtures/routes/no_contradiction.yaml"]);
    assert!(out.starts_with("harmlos: 3 routes, 0 impossible\n"), "{out}");
    assert!(!out.contains("IMPOSSIBLE"), "{out}");
    assert!(out.ends_with("Questions no route reaches: none\n"), "{out}");
}

#[test]
fn routes_are_counted_even_when_there_are_too_many_to_list() {
    // 100 steps, each with two ways on: 2^100 routes.
    let dir = temp_dir("many-routes");
    let mut src = String::from("wegweiser: 1\nid: viele\ntitle: Viele\nsteps:\n");
    for i in 0..100 {
        src.push_str(&format!(
            "  - id: s{i}\n    fields:\n      - {{ id: f{i}, type: boolean, label: F }}\n    next:\n      - if: f{i}\n        goto: {n}\n      - goto: {n}\n",
            n = if i == 99 { "summary".to_string() } else { format!("s{}", i + 1) }
        ));
    }
    std::fs::write(dir.join("viele.yaml"), src).unwrap();
    let o = wegweiser_in(&dir, &["routes", "--max", "3", "viele.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let total = 1u128 << 100;
    assert!(out.starts_with(&format!("viele: {total} routes; the first 20000 analysed, 0 of them impossible\n")), "{out}");
    assert_eq!(out.matches("\nroute ").count(), 3, "{out}");
    assert!(out.contains(&format!("… and {} more routes ({total} in all)", total - 3)), "{out}");
    assert!(out.contains("Questions no route reaches: not analysed"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn new_creates_a_form_that_checks_and_tests_clean() {
    let dir = temp_dir("new");
    let o = wegweiser_in(&dir, &["new", "sperrmuell", "--dir", "forms"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let form = std::fs::read_to_string(dir.join("forms/sperrmuell.yaml")).unwrap();
    assert!(form.starts_with("# yaml-language-server: $schema="), "{form}");
    assert!(form.contains("id: sperrmuell\n") && form.contains("languages: [de, en]"), "{form}");
    let o = wegweiser_in(&dir, &["check", "forms/sperrmuell.yaml"]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "forms/sperrmuell.yaml: ok\n"), "no errors, no warnings");
    let o = wegweiser_in(&dir, &["test", "forms/sperrmuell.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).ends_with(" passed, 0 failed\n") && !stdout(&o).starts_with("0 passed"), "{}", stdout(&o));
    let o = wegweiser_in(&dir, &["routes", "forms/sperrmuell.yaml"]);
    assert!(stdout(&o).starts_with("sperrmuell: 2 routes, 0 impossible\n"), "{}", stdout(&o));

    // Never overwrites; exit 2.
    let o = wegweiser_in(&dir, &["new", "sperrmuell", "--dir", "forms"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(dir.join("forms/sperrmuell.yaml")).unwrap(), form);
    // Only the test file there is enough to refuse, and nothing is written.
    std::fs::write(dir.join("andere.test.yaml"), "x").unwrap();
    let o = wegweiser_in(&dir, &["new", "andere"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.join("andere.yaml").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn new_refuses_names_that_are_no_form_id() {
    let dir = temp_dir("new-bad");
    for bad in ["Sperrmuell", "-x", "sperr_muell", "../x", "sperrmüll"] {
        let o = wegweiser_in(&dir, &["new", "--", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(stderr(&o).contains("is not a form id"), "{bad}: {}", stderr(&o));
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn new_points_at_the_schema_of_the_repository() {
    let dir = temp_dir("new-schema");
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(dir.join("docs/form-language.schema.json"), "{}").unwrap();
    let o = wegweiser_in(&dir, &["new", "a", "--dir", "form-definitions"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let form = std::fs::read_to_string(dir.join("form-definitions/a.yaml")).unwrap();
    assert!(form.starts_with("# yaml-language-server: $schema=../docs/form-language.schema.json\n"), "{form}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn editor_schema_is_the_committed_file() {
    let out = ok(&["editor-schema"]);
    let committed = std::fs::read_to_string("../docs/form-language.schema.json").unwrap();
    assert!(out == committed, "regenerate with `cargo run -p wegweiser -- editor-schema > docs/form-language.schema.json`");
}

#[test]
fn schema_fim_prints_the_schema_of_the_fim_keyed_data() {
    let out = ok(&["schema", "--fim", "../form-definitions/bewohnerparkausweis.yaml"]);
    let schema: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(schema["$id"], "https://schema.fitko.de/fim/s05000058_1.0.schema.json");
    insta::assert_snapshot!(out);
}

#[test]
fn schema_fim_of_a_form_without_fim_ids_is_refused_plainly() {
    let o = wegweiser(&["schema", "--fim", "../form-definitions/hundesteuer.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).starts_with("error: `../form-definitions/hundesteuer.yaml` has no FIM ids"), "{}", stderr(&o));
    // Without `--fim` the same form has its submission schema.
    assert!(ok(&["schema", "../form-definitions/hundesteuer.yaml"]).contains("\"$schema\""));
}

/// `wegweiser show` prints a step and the summary as a citizen sees them after an answers
/// file (written like a scenario's `answers:`): hidden fields left out, options with
/// `[x]`, problems marked, entries under their legends; from the engine's view model.
#[test]
fn show_prints_a_step_and_the_summary_after_the_answers() {
    let answers = "tests/fixtures/show/hundesteuer.answers.yaml";
    let form = "../form-definitions/hundesteuer.yaml";
    let step = ok(&["show", form, "--answers", answers, "--step", "hunde", "--today", "2026-11-22"]);
    assert!(step.contains("      [x] Andere Rasse\n"), "{step}");
    assert!(step.contains("      ! Eine Chipnummer besteht aus genau 15 Ziffern.\n"), "{step}");
    // The exemption question of the dangerous dog is hidden: left out.
    assert_eq!(step.matches("Befreiung von der Hundesteuer").count(), 1, "{step}");
    insta::assert_snapshot!("show_step_hunde", step);
    let summary = ok(&["show", form, "--answers", answers, "--summary", "--lang", "en", "--today", "2026-11-22"]);
    assert!(summary.contains("IBAN: DE02 1203 0000 0000 2020 51\n"), "{summary}");
    insta::assert_snapshot!("show_summary_en", summary);
}

#[test]
fn show_refuses_an_unknown_step_and_reports_answers_that_do_not_fit() {
    let o = wegweiser(&["show", "../form-definitions/hundesteuer.yaml", "--step", "gibt-es-nicht"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no step `gibt-es-nicht`"), "{}", stderr(&o));
    let dir = temp_dir("show");
    std::fs::write(dir.join("a.yaml"), "vorname: Erika\nhundename: Bello\n").unwrap();
    std::fs::write(dir.join("bad.yaml"), "- Erika\n").unwrap();
    let form = Path::new(env!("CARGO_MANIFEST_DIR")).join("../form-definitions/hundesteuer.yaml");
    let form = form.to_str().unwrap();
    let o = wegweiser_in(&dir, &["show", form, "--answers", "a.yaml", "--step", "halter"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning: answers hundename"), "{}", stderr(&o));
    assert!(stdout(&o).contains("  > Erika\n"), "{}", stdout(&o));
    let o = wegweiser_in(&dir, &["show", form, "--answers", "bad.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("E0501"), "{}", stderr(&o));
}
