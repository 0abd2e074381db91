//! `wegweiser new NAME [--dir DIR]`: creates `NAME.yaml`, a small but complete form to
//! start from (two question steps, an exit step, a `next` branch, texts in German and
//! English), and `NAME.test.yaml` with scenarios that pass. It never overwrites a file.
//! Exit code: 0 created, 2 NAME is not a form id or a file exists or cannot be written.

use std::path::{Path, PathBuf};

use super::Exit;

/// Arguments of `wegweiser new`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The form's id and file name: lower-case letters, digits and `-`, e.g. `sperrmuell`.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The folder to create the files in (created if missing).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

/// Where editors find the schema when no `docs/form-language.schema.json` is above the
/// new file.
pub const SCHEMA_URL: &str = "https://raw.githubusercontent.com/wegweiser/wegweiser/main/docs/form-language.schema.json";

/// Whether `name` is a form id: `[a-z0-9][a-z0-9-]*`.
pub fn is_form_id(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The schema reference for a form in `dir`: the relative path to a
/// `docs/form-language.schema.json` in `dir` or a folder above it, else [`SCHEMA_URL`].
fn schema_ref(dir: &Path) -> String {
    let Ok(abs) = std::fs::canonicalize(dir) else { return SCHEMA_URL.into() };
    let mut up = String::new();
    for d in abs.ancestors() {
        if d.join("docs/form-language.schema.json").is_file() {
            return format!("{up}docs/form-language.schema.json");
        }
        up.push_str("../");
    }
    SCHEMA_URL.into()
}

/// The new form.
pub fn form_text(name: &str, schema: &str) -> String {
    FORM.replace("{schema}", schema).replace("{name}", name)
}

/// The new form's scenarios.
pub fn test_text() -> String {
    TESTS.to_string()
}

/// Runs the command.
pub fn run(args: &Args) -> Exit {
    if !is_form_id(&args.name) {
        eprintln!(
            "error: `{}` is not a form id: use lower-case letters, digits and `-`, starting with a letter or digit (e.g. `sperrmuell`)",
            args.name
        );
        return Exit::Failure;
    }
    let form = args.dir.join(format!("{}.yaml", args.name));
    let tests = args.dir.join(format!("{}.test.yaml", args.name));
    for p in [&form, &tests] {
        if p.exists() {
            eprintln!("error: `{}` already exists; choose another name or remove it first", p.display());
            return Exit::Failure;
        }
    }
    if let Err(e) = std::fs::create_dir_all(&args.dir) {
        eprintln!("error: cannot create the folder `{}`: {e}", args.dir.display());
        return Exit::Failure;
    }
    let schema = schema_ref(&args.dir);
    for (p, text) in [(&form, form_text(&args.name, &schema)), (&tests, test_text())] {
        let written = std::fs::OpenOptions::new().write(true).create_new(true).open(p).and_then(|mut f| {
            use std::io::Write;
            f.write_all(text.as_bytes())
        });
        if let Err(e) = written {
            eprintln!("error: cannot write `{}`: {e}", p.display());
            return Exit::Failure;
        }
    }
    println!("created {} and {}", form.display(), tests.display());
    println!("next: wegweiser check {}", form.display());
    println!("      wegweiser test {}", tests.display());
    Exit::Ok
}

const FORM: &str = r#"# yaml-language-server: $schema={schema}
#
# {name}: created by `wegweiser new`. Name the official form or the statute this
# form follows here (e.g. "Quelle: Satzung über …, § 3").

wegweiser: 1
id: {name}
version: "1"
languages: [de, en]
title:
  de: Neuer Antrag
  en: New application
authority:
  de: Stadtverwaltung Musterstadt
  en: City of Musterstadt

steps:
  - id: zustaendigkeit
    title:
      de: Zuständigkeit
      en: Responsibility
    fields:
      - id: wohnt_hier
        type: boolean
        label:
          de: Wohnen Sie in Musterstadt?
          en: Do you live in Musterstadt?
        required: true
    next:
      - if: not wohnt_hier
        goto: nicht-zustaendig
      - goto: angaben

  - id: nicht-zustaendig
    kind: exit
    title:
      de: Wir sind nicht zuständig
      en: We are not responsible
    text:
      de: Bitte wenden Sie sich an die Gemeinde, in der Sie wohnen.
      en: Please contact the municipality where you live.

  - id: angaben
    title:
      de: Ihre Angaben
      en: Your details
    fields:
      - id: name
        type: text
        label:
          de: Vor- und Nachname
          en: Full name
        required: true
        max_length: 100
        autocomplete: name
      - id: email
        type: email
        label:
          de: E-Mail-Adresse
          en: Email address
        hint:
          de: Freiwillig, für Rückfragen
          en: Optional, for questions
        autocomplete: email
      - id: anliegen
        type: choice
        label:
          de: Ihr Anliegen
          en: Your request
        required: true
        options:
          - { value: neu, label: { de: Erstantrag, en: First application } }
          - { value: aenderung, label: { de: Änderung, en: Change } }
      - id: aktenzeichen
        type: text
        label:
          de: Bisheriges Aktenzeichen
          en: Previous reference number
        visible_if: anliegen == "aenderung"
        required: true
    next: summary
"#;

const TESTS: &str = r#"# Scenario tests: run them with `wegweiser test`.
today: 2026-01-15
scenarios:
  - name: Nicht zuständig
    answers: { wohnt_hier: false }
    expect:
      path: [zustaendigkeit, nicht-zustaendig]
      submittable: false

  - name: Erstantrag
    answers: { wohnt_hier: true, name: Erika Mustermann, anliegen: neu }
    expect:
      path: [zustaendigkeit, angaben]
      inactive: [aktenzeichen]
      submittable: true
      submission: { name: Erika Mustermann, anliegen: neu }

  - name: Eine Änderung braucht das Aktenzeichen
    answers: { wohnt_hier: true, name: Erika Mustermann, anliegen: aenderung }
    expect:
      active: [aktenzeichen]
      errors: { aktenzeichen: required }
      submittable: false
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_ids() {
        for ok in ["a", "sperrmuell", "hund-2", "0a"] {
            assert!(is_form_id(ok), "{ok}");
        }
        for bad in ["", "-a", "Sperrmuell", "a_b", "a.b", "ä", "a b"] {
            assert!(!is_form_id(bad), "{bad}");
        }
    }
}
