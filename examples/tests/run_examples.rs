//! Runs the examples end to end: the terminal assistant on the dog-tax form with scripted
//! answers, then the verifier on the document it produced, untouched and tampered with.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/contract/hundesteuer.yaml")
}

fn terminal(stdin: &str, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_terminal"))
        .arg(fixture())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("terminal starts");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write answers");
    child.wait_with_output().expect("terminal ends")
}

fn verify(doc: &serde_json::Value, name: &str) -> Output {
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_string_pretty(doc).expect("json")).expect("write document");
    let out = Command::new(env!("CARGO_BIN_EXE_verify_submission")).arg(fixture()).arg(&file).output().expect("verifier runs");
    std::fs::remove_file(&file).ok();
    out
}

/// Coesfeld yes, name, birth date, PLZ, IBAN skipped, one dog Bello / labrador, no more dogs.
const ANSWERS: &str = "j\nErika\n2.4.1980\n48653\n-\nBello\n2\nn\n";

#[test]
fn terminal_then_verify() {
    let out = terminal(ANSWERS, &["--today", "2026-11-22", "--lang", "de"]);
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(out.status.success(), "terminal failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(r#""steuer": "96.00""#), "no submission with the fee:\n{stdout}");
    let json_start = stdout.find("{\n").expect("the submission JSON");
    let doc: serde_json::Value = serde_json::from_str(&stdout[json_start..]).expect("the submission is JSON");
    assert_eq!(doc["form"], "hundesteuer-anmeldung");
    assert_eq!(doc["reference"], "DEMO-1");
    assert_eq!(doc["submitted_at"], "2026-11-22T12:00:00+01:00");
    assert_eq!(doc["data"]["hund"][0]["rasse"], "labrador");
    assert!(doc["data"].get("iban").is_none(), "a skipped optional field is left out");

    let ok = verify(&doc, "valid");
    let report = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "the untouched document is valid:\n{report}{}", String::from_utf8_lossy(&ok.stderr));

    let mut tampered = doc.clone();
    tampered["data"]["steuer"] = serde_json::json!("1.00");
    let bad = verify(&tampered, "tampered");
    let report = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "a tampered fee is invalid:\n{report}");
    assert!(report.contains("steuer"), "the report names the tampered field:\n{report}");
}

#[test]
fn terminal_reasks_until_valid_and_handles_eof() {
    // An invalid PLZ is re-asked; input ends in the middle: exit 0 with a note, no submission.
    let out = terminal("ja\nErika\n2.4.1980\n123\n", &["--today", "2026-11-22"]);
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(out.status.success(), "{stdout}");
    assert_eq!(stdout.matches("Postleitzahl\n>").count(), 2, "the PLZ is asked again:\n{stdout}");
    assert!(stdout.contains("nichts abgeschickt"), "{stdout}");
    assert!(!stdout.contains("\"data\""), "{stdout}");
}

#[test]
fn terminal_asks_what_an_answer_reveals_and_shows_the_view() {
    // A pitbull reveals the temperament test on the same entry: the view is taken anew after
    // each answer. A test date in the future is re-asked with the field's problem.
    let out = terminal("j\nErika\n2.4.1980\n48653\n-\nBello\n3\n1.1.2030\n1.1.2020\nn\n", &["--today", "2026-11-22"]);
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(out.status.success(), "{stdout}");
    assert_eq!(stdout.matches("Datum des bestandenen Wesenstests\n").count(), 2, "asked, then asked again:\n{stdout}");
    assert!(stdout.contains("darf nicht nach dem 22.11.2026 liegen"), "{stdout}");
    // Only the offered options are numbered; the date's hint comes from the view.
    assert!(stdout.contains("  3) Pitbull-Terrier\n"), "{stdout}");
    assert!(stdout.contains("Geburtsdatum\n  (Zum Beispiel 27.03.2026)\n"), "{stdout}");
    // The computed fee and the summary as the view shows them: money with the euro sign (after a no-break space),
    // each dog under its entry's heading, the option's label.
    assert!(stdout.contains("  Jährliche Hundesteuer: 696,00\u{a0}€\n"), "{stdout}");
    assert!(stdout.contains("  -- Hund 1 --\n    Name des Hundes: Bello\n    Rasse: Pitbull-Terrier\n"), "{stdout}");
    assert!(stdout.contains("    Datum des bestandenen Wesenstests: 01.01.2020\n"), "{stdout}");
    assert!(stdout.contains(r#""wesenstest": "2020-01-01""#), "{stdout}");
}

#[test]
fn terminal_exit_step() {
    let out = terminal("n\n", &["--today", "2026-11-22"]);
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("Wir sind nicht zuständig"), "{stdout}");
    assert!(stdout.contains("Bitte wenden Sie sich an die Gemeinde"), "{stdout}");
    assert!(!stdout.contains("\"data\""), "{stdout}");
}

#[test]
fn verify_rejects_another_form_and_usage() {
    let doc = serde_json::json!({ "form": "other", "version": "2026-11", "data": {} });
    let out = verify(&doc, "other");
    assert_eq!(out.status.code(), Some(1));
    let usage = Command::new(env!("CARGO_BIN_EXE_verify_submission")).output().expect("runs");
    assert_eq!(usage.status.code(), Some(2));
}
