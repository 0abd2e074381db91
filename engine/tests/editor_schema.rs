//! The editor schema (`docs/form-language.schema.json`, JSON Schema draft-07) is generated
//! from the key table: the committed file must equal the generated one, every bundled
//! form must validate against it, and a misspelled key must not.

use std::path::{Path, PathBuf};

use engine::source::{CoreType, Node, NodeKind, parse_yaml};
use engine::syntax::editor_schema::editor_schema;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace").to_path_buf()
}

/// YAML → JSON with the engine's own reader. Numbers become JSON numbers (only here, to
/// check the shape; the engine never reads them through floating point).
fn to_json(n: &Node) -> Value {
    match &n.kind {
        NodeKind::Map(entries) => {
            Value::Object(entries.iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), to_json(v))).collect())
        }
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Scalar(s) => match s.core_type() {
            CoreType::Null => Value::Null,
            CoreType::Bool(b) => Value::Bool(b),
            CoreType::Number => match s.value.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                Some(x) if s.value.bytes().all(|b| b.is_ascii_digit() || b == b'-') => {
                    s.value.parse::<i64>().map(Value::from).unwrap_or(Value::Number(x))
                }
                Some(x) => Value::Number(x),
                None => Value::String(s.value.clone()),
            },
            CoreType::Str => Value::String(s.value.clone()),
        },
    }
}

fn yaml_to_json(src: &str) -> Value {
    to_json(&parse_yaml(src).unwrap_or_else(|d| panic!("the YAML reads: {d:?}")))
}

fn generated_text() -> String {
    let mut s = serde_json::to_string_pretty(&editor_schema()).unwrap();
    s.push('\n');
    s
}

#[test]
fn committed_schema_is_the_generated_one() {
    let path = root().join("docs/form-language.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated_text(),
        "docs/form-language.schema.json is out of date with engine/src/syntax/keys.rs; regenerate it with\n\n    cargo run -p wegweiser -- editor-schema > docs/form-language.schema.json\n"
    );
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft7::new(&editor_schema()).expect("the editor schema is a valid draft-07 schema")
}

fn bundled_forms() -> Vec<PathBuf> {
    let mut forms: Vec<PathBuf> = std::fs::read_dir(root().join("form-definitions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".yaml") && !n.ends_with(".test.yaml")
        })
        .collect();
    forms.sort();
    forms.push(root().join("engine/tests/fixtures/contract/hundesteuer.yaml"));
    forms
}

#[test]
fn every_bundled_form_validates() {
    let v = validator();
    let forms = bundled_forms();
    assert!(forms.len() >= 6, "{forms:?}");
    for path in forms {
        let src = std::fs::read_to_string(&path).unwrap();
        let json = yaml_to_json(&src);
        let errors: Vec<String> = v.iter_errors(&json).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{} does not validate:\n{}", path.display(), errors.join("\n"));
    }
}

#[test]
fn bundled_forms_name_the_schema_in_their_first_line() {
    for path in bundled_forms().iter().filter(|p| p.starts_with(root().join("form-definitions"))) {
        let src = std::fs::read_to_string(path).unwrap();
        assert_eq!(src.lines().next(), Some("# yaml-language-server: $schema=../docs/form-language.schema.json"), "{}", path.display());
    }
}

const SMALL: &str = r#"
wegweiser: 1
id: klein
languages: [de, en]
title: { de: Klein, en: Small }
steps:
  - id: a
    fields:
      - { id: name, type: text, label: Name, required: true, max_length: 20 }
      - { id: datei, type: file, label: Datei, accept: [application/pdf], max_size: 5MB }
      - id: art
        type: choice
        label: Art
        options: [{ value: x, label: X }]
"#;

#[test]
fn a_small_form_validates_and_mistakes_are_flagged() {
    let v = validator();
    let diags = engine::compile(SMALL).diagnostics;
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    assert!(v.is_valid(&yaml_to_json(SMALL)));
    let cases = [
        ("required: true", "requird: true", "a misspelled key"),
        ("max_length: 20", "max_length: -1", "a negative length"),
        ("type: text", "type: txt", "an unknown type"),
        ("max_size: 5MB", "max_size: 5 Mega", "a size that is none"),
        ("max_size: 5MB", "max_size: 5MB, max_length: 3", "`max_length` on a file"),
        ("id: a\n", "id: a\n    kind: exitt\n", "an unknown step kind"),
        ("title: { de: Klein, en: Small }", "title: { deutsch: Klein }", "a language code of more than two letters"),
        ("steps:", "stepz:", "a missing required key"),
    ];
    for (from, to, what) in cases {
        let bad = SMALL.replacen(from, to, 1);
        assert_ne!(bad, SMALL, "{what}: the replacement applies");
        assert!(!v.is_valid(&yaml_to_json(&bad)), "{what} is not flagged:\n{bad}");
    }
}
