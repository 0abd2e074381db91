//! The editor schema: a JSON Schema (draft-07, the draft yaml-language-server fully
//! supports) of the form language, generated from the one key table ([`super::keys`]), so
//! that editors complete keys, show each key's documentation and flag unknown keys, and
//! the schema can never disagree with the compiler about which keys exist.
//!
//! `docs/form-language.schema.json` is this value, printed by `wegweiser editor-schema`; a
//! test keeps the committed file equal to it. The schema checks shapes only; everything
//! else (expressions, ids, references) is the compiler's job.

use serde_json::{Map, Value, json};

use super::keys::{KeyDef, Shape, TABLES};
use crate::field_type::FieldType;

/// The JSON Schema (draft-07) of a form file.
pub fn editor_schema() -> Value {
    let mut defs = Map::new();
    for (name, keys) in TABLES {
        defs.insert((*name).to_string(), table(name, keys));
    }
    defs.insert(
        "text".into(),
        json!({
            "description": "A text: a string in the default language, or a map from language code to string.",
            "anyOf": [
                { "type": "string" },
                {
                    "type": "object",
                    "propertyNames": { "pattern": "^[a-z]{2}$" },
                    "additionalProperties": { "type": "string" }
                }
            ]
        }),
    );
    defs.insert(
        "expr".into(),
        json!({
            "description": "An expression, e.g. `alter >= 18 and filled(iban)`; a number or `true`/`false` is one too.",
            "type": ["string", "number", "boolean"]
        }),
    );
    defs.insert(
        "option_list".into(),
        json!({ "description": "A list of options.", "type": "array", "items": { "$ref": "#/definitions/option" } }),
    );
    let mut root = Map::new();
    root.insert("$schema".into(), json!("http://json-schema.org/draft-07/schema#"));
    root.insert("$id".into(), json!("https://raw.githubusercontent.com/wegweiser/wegweiser/main/docs/form-language.schema.json"));
    root.insert("title".into(), json!("Wegweiser form"));
    root.insert("$comment".into(), json!("Generated from engine/src/syntax/keys.rs by `wegweiser editor-schema`; do not edit by hand."));
    root.insert("description".into(), json!("A form of the Wegweiser form language, version 1 (see docs/form-language.md)."));
    // `$ref` siblings are ignored in draft-07, so the root refers to the form through `allOf`.
    root.insert("allOf".into(), json!([{ "$ref": "#/definitions/form" }]));
    root.insert("definitions".into(), Value::Object(defs));
    Value::Object(root)
}

/// The schema of one table: an object with exactly its keys.
fn table(name: &str, keys: &[KeyDef]) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    let mut restricted = Vec::new();
    for k in keys {
        let mut s = match shape(k.shape) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        special(name, k.name, &mut s);
        let mut doc = k.doc.to_string();
        if !k.types.is_empty() {
            doc.push_str(&format!(
                " Only for the types {}.",
                k.types.iter().map(|t| format!("`{}`", t.name())).collect::<Vec<_>>().join(", ")
            ));
            restricted.push(json!({
                "if": { "required": [k.name] },
                "then": { "properties": { "type": { "enum": k.type_names() } } }
            }));
        }
        s.insert("description".into(), json!(doc));
        props.insert(k.name.to_string(), Value::Object(s));
        if k.required {
            required.push(k.name);
        }
    }
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    out.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        out.insert("required".into(), json!(required));
    }
    out.insert("additionalProperties".into(), json!(false));
    if !restricted.is_empty() {
        out.insert("allOf".into(), Value::Array(restricted));
    }
    Value::Object(out)
}

/// Keys whose values are a fixed set of words.
fn special(table: &str, key: &str, s: &mut Map<String, Value>) {
    let types: Vec<&str> = FieldType::names().collect();
    let words: &[&str] = match (table, key) {
        ("field", "type") => &types,
        ("field", "format") => &["money", "integer", "date"],
        ("step", "kind") => &["question", "exit"],
        _ => return,
    };
    s.remove("type");
    s.insert("enum".into(), json!(words));
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/definitions/{name}") })
}

/// The JSON Schema of a value shape.
fn shape(shape: Shape) -> Value {
    match shape {
        Shape::Text => reference("text"),
        Shape::Id | Shape::Str | Shape::Regex => json!({ "type": "string" }),
        Shape::Expr => reference("expr"),
        Shape::Cond => json!({ "type": ["boolean", "string"] }),
        Shape::UInt => json!({ "type": "integer", "minimum": 0 }),
        Shape::Bool => json!({ "type": "boolean" }),
        Shape::StrList => json!({ "type": "array", "items": { "type": "string" } }),
        Shape::Any => json!({}),
        Shape::Nested(t) => reference(t),
        Shape::ListOf(t) => json!({ "type": "array", "items": reference(t) }),
        Shape::MapOf(t) => {
            let inner = match t {
                "options" => reference("option_list"),
                other => reference(other),
            };
            json!({ "type": "object", "additionalProperties": inner })
        }
        Shape::Next => json!({
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": reference("branch") }
            ]
        }),
        Shape::Options => json!({
            "anyOf": [
                { "type": "string" },
                reference("option_list")
            ]
        }),
        Shape::Size => json!({
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^[0-9]+(\\.[0-9]+)? ?(B|KB|MB|GB|KiB|MiB|GiB)?$" }
            ]
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_and_every_reference_is_defined() {
        let schema = editor_schema();
        let defs = schema["definitions"].as_object().unwrap();
        for (name, keys) in TABLES {
            assert!(defs.contains_key(*name));
            assert_eq!(defs[*name]["properties"].as_object().unwrap().len(), keys.len());
        }
        let text = schema.to_string();
        for part in text.split("\"#/definitions/").skip(1) {
            let name = &part[..part.find('"').unwrap()];
            assert!(defs.contains_key(name), "undefined reference {name}");
        }
    }
}
