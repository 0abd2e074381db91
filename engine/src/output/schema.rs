//! The JSON Schema (draft 2020-12) of a form's submission `data` (docs/form-language.md#the-submission).
//!
//! The schema describes exactly what [`crate::session::Session::submission_data`]
//! produces: one property per top-level input, computed or group field (info fields are
//! never submitted), none of them required (a field may be inactive or optional), and
//! for each value the canonical form the engine guarantees — numbers as canonical
//! decimal strings, money with two places, ISO dates, option values, files as
//! `{ name, size, type }`. Groups that are not filled are left out, so every object has
//! at least one property and every repeated group at least one entry.

use serde_json::{Map, Value as Json, json};

use crate::expr::Type;
use crate::form::{Field, FieldType, Form, Format, TPart, Text};
use crate::ids::FieldId;

/// The `$schema` of the exported schema.
pub const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// A whole number in canonical form: no sign on zero, no leading zeros.
const INTEGER: &str = "^-?(0|[1-9][0-9]*)$";
/// A decimal in canonical form: no exponent, no trailing zeros after the point.
const NUMBER: &str = "^-?(0|[1-9][0-9]*)(\\.[0-9]*[1-9])?$";
/// An amount: always two places.
const MONEY: &str = "^-?(0|[1-9][0-9]*)\\.[0-9]{2}$";
/// An ISO 8601 calendar date.
const DATE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// The JSON Schema (draft 2020-12) of the `data` of this form's submission documents.
pub fn data_schema(form: &Form) -> Json {
    let lang = form.default_language();
    let top = form.steps.iter().flat_map(|s| s.fields.iter().copied());
    let mut schema = Map::new();
    schema.insert("$schema".into(), json!(DRAFT));
    schema.insert("title".into(), json!(plain(&form.title, lang)));
    if let Some(d) = &form.description {
        schema.insert("description".into(), json!(plain(d, lang)));
    }
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Json::Object(properties(form, top, lang)));
    schema.insert("additionalProperties".into(), json!(false));
    Json::Object(schema)
}

/// The properties for these fields (info fields left out).
fn properties(form: &Form, fields: impl Iterator<Item = FieldId>, lang: &str) -> Map<String, Json> {
    let mut props = Map::new();
    for f in fields {
        let field = form.field(f);
        if let Some(s) = field_schema(form, field, lang) {
            props.insert(field.id.clone(), s);
        }
    }
    props
}

/// The schema of one field's submitted value; `None` for an info field.
fn field_schema(form: &Form, field: &Field, lang: &str) -> Option<Json> {
    let mut s = match field.ty {
        FieldType::Info => return None,
        FieldType::Text | FieldType::Textarea | FieldType::Email | FieldType::Phone => {
            // `pattern:` is not copied: it is Rust `regex` syntax, whose classes (`\d`, `\w`
            // are Unicode-aware) and features differ from ECMA-262, which JSON Schema
            // uses. `format: email` is left out too: the engine's address check is its own,
            // and in 2020-12 `format` is only an annotation anyway. Both lengths count code
            // points, as the engine does after NFC normalisation (the value is submitted
            // normalised).
            let mut s = obj(json!({ "type": "string" }));
            if let Some(n) = field.min_length {
                s.insert("minLength".into(), json!(n));
            }
            if let Some(n) = field.max_length {
                s.insert("maxLength".into(), json!(n));
            }
            s
        }
        FieldType::Plz => obj(json!({ "type": "string", "pattern": "^[0-9]{5}$" })),
        FieldType::Iban => obj(json!({ "type": "string", "pattern": "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$" })),
        FieldType::SteuerId => obj(json!({ "type": "string", "pattern": "^[0-9]{11}$" })),
        FieldType::Integer => number(INTEGER),
        FieldType::Number => number(NUMBER),
        FieldType::Money => number(MONEY),
        FieldType::Date => date(),
        FieldType::Boolean => obj(json!({ "type": "boolean" })),
        // Unticked is empty and left out: a submitted consent is always `true`.
        FieldType::Consent => obj(json!({ "const": true })),
        FieldType::Choice => obj(json!({ "type": "string", "enum": option_values(field) })),
        FieldType::MultiChoice => obj(json!({
            "type": "array",
            "items": { "type": "string", "enum": option_values(field) },
            "uniqueItems": true,
            "minItems": 1,
        })),
        FieldType::File => file(),
        FieldType::Computed => computed(field),
        FieldType::Group => {
            let entry = obj(json!({
                "type": "object",
                "properties": Json::Object(properties(form, field.members.iter().copied(), lang)),
                "additionalProperties": false,
                "minProperties": 1,
            }));
            match &field.repeat {
                // Empty entries are not submitted, and a group without a non-empty entry is
                // left out. More than `max` entries make the form unsubmittable.
                Some(r) => {
                    let mut s = obj(json!({ "type": "array", "items": Json::Object(entry), "minItems": 1 }));
                    if let Some(max) = r.max {
                        s.insert("maxItems".into(), json!(max));
                    }
                    s
                }
                None => entry,
            }
        }
    };
    if let Some(label) = &field.label {
        s.insert("description".into(), json!(plain(label, lang)));
    }
    Some(Json::Object(s))
}

/// The schema of a computed field's value, by its value type and `format`.
fn computed(field: &Field) -> Map<String, Json> {
    match field.value_type {
        Some(Type::Number) => match field.format {
            Some(Format::Money) => number(MONEY),
            Some(Format::Integer) => number(INTEGER),
            _ => number(NUMBER),
        },
        Some(Type::Date) => date(),
        Some(Type::Bool) => obj(json!({ "type": "boolean" })),
        Some(Type::Text) => obj(json!({ "type": "string" })),
        Some(Type::List) => obj(json!({ "type": "array", "items": { "type": "string" } })),
        Some(Type::File) => file(),
        // A computed value is never a group; allow anything rather than guess.
        Some(Type::Group) | None => Map::new(),
    }
}

/// A number as a canonical decimal string.
fn number(pattern: &str) -> Map<String, Json> {
    obj(json!({ "type": "string", "pattern": pattern }))
}

fn date() -> Map<String, Json> {
    obj(json!({ "type": "string", "format": "date", "pattern": DATE }))
}

/// A file reference; the runtime adds its own keys to find the stored upload.
fn file() -> Map<String, Json> {
    obj(json!({
        "type": "object",
        "properties": {
            "name": { "type": "string" },
            "size": { "type": "integer", "minimum": 0 },
            "type": { "type": "string" },
        },
        "required": ["name", "size", "type"],
    }))
}

fn option_values(field: &Field) -> Vec<&str> {
    field.options.iter().map(|o| o.value.as_str()).collect()
}

fn obj(v: Json) -> Map<String, Json> {
    match v {
        Json::Object(m) => m,
        _ => unreachable!("schema fragments are objects"),
    }
}

/// A text in the language (else the default), placeholders shown as `…`.
pub(crate) fn plain(text: &Text, lang: &str) -> String {
    let Some((_, t)) = text.langs.iter().find(|(l, _)| l == lang).or(text.langs.first()) else { return String::new() };
    t.iter()
        .map(|p| match p {
            TPart::Lit(s) => s.as_str(),
            TPart::Expr(..) => "…",
        })
        .collect()
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;

    const FORM: &str = r#"
wegweiser: 1
id: schema-test
languages: [de, en]
title: { de: Schema-Test, en: Schema test }
steps:
  - id: eins
    title: Eins
    fields:
      - { id: name, type: text, label: Name, required: true, max_length: 60, min_length: 2, pattern: "[A-Z].*" }
      - { id: anzahl, type: integer, label: Anzahl }
      - { id: betrag, type: money, label: Betrag }
      - { id: faktor, type: number, label: Faktor }
      - { id: tag, type: date, label: Tag }
      - { id: ja, type: boolean, label: Ja? }
      - { id: ok, type: consent, label: Ich bestätige }
      - id: farbe
        type: choice
        label: Farbe
        options: [{ value: rot, label: Rot }, { value: blau, label: Blau }]
      - id: extras
        type: multi_choice
        label: Extras
        options: [{ value: a, label: A }, { value: b, label: B }]
      - { id: beleg, type: file, label: Beleg, accept: [application/pdf] }
      - { id: hinweis, type: info, text: Nur ein Hinweis }
  - id: zwei
    title: Zwei
    fields:
      - id: adresse
        type: group
        label: Adresse
        fields:
          - { id: plz, type: plz, label: PLZ }
          - { id: iban, type: iban, label: IBAN }
          - { id: steuer_id, type: steuer_id, label: Steuer-ID }
      - id: kind
        type: group
        label: Kind {{ index }}
        repeat: { min: 1, max: 3 }
        fields:
          - { id: vorname, type: text, label: Vorname }
          - { id: doppelt, type: computed, value: anzahl * 2, format: integer, label: Doppelt }
      - { id: summe, type: computed, value: betrag * 2, format: money, label: Summe }
      - { id: gruss, type: computed, value: '"Hallo " + name', label: Gruß }
submission:
  reference: T-{seq:4}
"#;

    #[test]
    fn schema_of_every_field_type() {
        let compiled = crate::compile(FORM);
        let errors: Vec<_> = compiled.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let schema = data_schema(compiled.form.as_ref().unwrap());
        assert!(schema["properties"].get("hinweis").is_none());
        assert!(schema.get("required").is_none());
        insta::assert_json_snapshot!(schema);
    }
}
