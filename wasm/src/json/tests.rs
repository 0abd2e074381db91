//! The boundary's parser and readers (`read.rs`) against serde_json's reader and the types'
//! `Deserialize`: the same value for every text serde_json reads, an error wherever serde_json
//! gives one.

use std::collections::BTreeMap;
use std::fmt::Debug;

use engine::answers::PostedStep;
use engine::session::Input;
use serde::de::DeserializeOwned;

use super::*;
use crate::read;

/// Both readers agree on `text` as a `T`: the same value, or both an error. Whether it read.
fn agree<T: DeserializeOwned + PartialEq + Debug>(text: &str, reader: fn(Json) -> Result<T, Error>) -> bool {
    let ours = parse(text).and_then(reader);
    let theirs = serde_json::from_str::<T>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
        (Err(_), Err(_)) => {}
        _ => panic!("{text} as {}: ours {ours:?}, serde_json {theirs:?}", std::any::type_name::<T>()),
    }
    ours.is_ok()
}

/// `read::answers` as the map serde reads; its list must be sorted, each path once.
fn answers_map(j: Json) -> Result<BTreeMap<String, Option<Input>>, Error> {
    let list = read::answers(j)?;
    assert!(list.windows(2).all(|w| w[0].0 < w[1].0), "{list:?}");
    Ok(list.into_iter().collect())
}

const INPUTS: &[&str] = &[
    "null",
    "true",
    "false",
    r#""""#,
    r#""  Müller \u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t""#,
    r#"["a", "b"]"#,
    "[]",
    r#"{"name": "a.pdf", "size": 1024, "type": "application/pdf"}"#,
    r#"{"name": "a.pdf", "size": 1.5, "type": "application/pdf"}"#,
    r#"{"name": "a.pdf", "size": -1, "type": "application/pdf"}"#,
    r#"{"name": "a.pdf", "size": -0, "type": "application/pdf"}"#,
    r#"{"name": "a.pdf", "size": 1e3, "type": "application/pdf"}"#,
    r#"{"name": "a.pdf", "size": 18446744073709551616, "type": "x"}"#,
    r#"{"name": "a.pdf", "size": 1, "type": "x", "more": [1, {"a": null}]}"#,
    r#"{"name": "a.pdf", "size": 1}"#,
    "1",
    "1.5",
    "-0",
    r#""\ud83d""#,
    r#""\udc00""#,
    r#""\x""#,
    "\"tab\tinside\"",
    r#""unterminated"#,
    r#"["a",]"#,
    r#"["a" "b"]"#,
    r#"{"a" 1}"#,
    r#"{"a": 1,}"#,
    "[1] x",
    "  [ \"a\" ]\n ",
    "nul",
    "01",
    "-",
    "1.",
    "1e",
    "",
    "{}",
    r#"{"a": "b"}"#,
];

#[test]
fn inputs_read_as_serde_json_reads_them() {
    let mut parsed = 0;
    for text in INPUTS {
        parsed += agree(text, read::answer) as usize;
        parsed += agree(text, read::typed) as usize;
        parsed += agree(text, answers_map) as usize;
    }
    // Not only errors: the texts that are answers read as answers.
    assert_eq!(parsed, 15);
    assert!(agree(r#"{"a": "x", "b": null, "c": ["1"], "d": true, "a": "y"}"#, answers_map));
    assert!(agree(r#"{"z": "1", "m": null, "a": "2", "m": "3", "b": false}"#, answers_map));
}

#[test]
fn posted_steps_read_as_serde_json_reads_them() {
    for text in [
        r#"{"values": {"name": ["Anna"], "kinder": ["1", "2"], "leer": []}}"#,
        r#"{"values": {"x": ["a"]}, "files": {"f": {"name": "a", "size": 3, "type": "t"}}, "max_chars": 200}"#,
        r#"{"values": {"x": ["a"]}, "max_chars": null}"#,
        r#"{"values": {"x": ["a"]}, "max_chars": -1}"#,
        r#"{"values": {"x": ["a"]}, "max_chars": -0}"#,
        r#"{"values": {"x": ["a"]}, "max_chars": 0}"#,
        r#"{"values": {"x": ["a"]}, "max_chars": 2.0}"#,
        r#"{"values": {"x": "a"}}"#,
        r#"{"values": {"x": ["a"]}, "values": {}}"#,
        r#"{"unknown": 1}"#,
        "{}",
    ] {
        agree(text, read::posted);
    }
    assert!(agree(r#"{"values": {"name": ["Anna"]}}"#, read::posted));
}

#[test]
fn snapshots_and_parameters_read_as_serde_json_reads_them() {
    for text in [
        r#"{"form": "f", "version": "1", "language": "de", "answers": {"a": "x", "b": true, "c": ["1"], "d": {"name": "n", "size": 1, "type": "t"}}, "entries": {"kinder": 2}}"#,
        r#"{"form": "f", "version": null, "language": "de", "answers": {}, "entries": {}, "account": {"trust": null, "fields": {"a": "b"}}}"#,
        r#"{"form": "f", "version": null, "language": "de", "answers": {}, "entries": {"k": 4294967296}}"#,
        r#"{"form": "f", "language": "de", "answers": {}, "entries": {}}"#,
        r#"{"form": "f", "language": "de", "answers": {"a": null}, "entries": {}}"#,
        r#"{"form": "f", "language": "de", "answers": {}, "entries": {"k": -1}}"#,
        r#"{"form": "f", "form": "g", "language": "de", "answers": {}, "entries": {}}"#,
        r#"{"form": "f", "language": "de", "answers": {}, "entries": {}, "account": null, "x": 1}"#,
        r#"{"form": "f", "language": "de", "answers": {}, "entries": {}, "account": {"trust": "hoch", "fields": {}}}"#,
        r#"{"form": "f", "language": "de", "answers": {}, "entries": {}, "account": {"trust": "basis", "fields": {"a": 1}}}"#,
        r#"{"form": "f", "language": "de", "answers": {}, "entries": {}, "account": {"trust": "mittel", "fields": {}}}"#,
        r#"{"form": "f", "language": "de", "answers": {}, "entries": {}, "account": {"fields": {}}}"#,
        r#"{"form": "f", "language": "de", "answers": {}, "entries": {}, "account": {"trust": "hoch"}}"#,
        r#"{"form": 1, "language": "de", "answers": {}, "entries": {}}"#,
        r#"{"language": "de", "answers": {}, "entries": {}}"#,
    ] {
        agree(text, read::snapshot);
    }
    assert!(agree(r#"{"form": "f", "version": null, "language": "de", "answers": {"a": "x"}, "entries": {"k": 2}}"#, read::snapshot));
    for text in [
        r#"{"rate": {"t": "number", "v": "12.50"}, "ab": {"t": "date", "v": "2026-01-31"}, "ja": {"t": "bool", "v": true}}"#,
        r#"{"name": {"t": "text", "v": "Anna"}, "leer": {"t": "empty"}}"#,
        r#"{"rate": {"t": "number", "v": 12.5}}"#,
        r#"{"rate": {"t": "number", "v": 12}}"#,
        r#"{"ab": {"t": "date", "v": "2026-02-30"}}"#,
        r#"{"x": {"t": "nope", "v": 1}}"#,
        r#"{"x": {"v": "a", "t": "text"}}"#,
        r#"{"x": {"t": "empty", "v": null}}"#,
        r#"{"x": {"t": "empty", "v": 1}}"#,
        r#"{"x": {"t": "text"}}"#,
        r#"{"x": {"t": "text", "v": "a", "w": 1}}"#,
        r#"{"x": {"t": "text", "v": "a", "t": "text"}}"#,
        r#"{"x": {"t": "list", "v": ["a", "b"]}, "y": {"t": "file", "v": {"name": "n", "size": 0, "type": "t"}}}"#,
        r#"{"x": {"t": "list", "v": ["a", 1]}}"#,
        r#"{"x": {"t": "bool", "v": "true"}}"#,
        r#"{"x": {"t": "number", "v": "1e3"}}"#,
        r#"{"x": {"t": "number", "v": " 1"}}"#,
        r#"{"x": {"t": "number", "v": "-0.50"}}"#,
        r#"{"x": {"t": "date", "v": "26-01-01"}}"#,
        r#"{"x": {"t": "Text", "v": "a"}}"#,
        r#"{"x": null}"#,
        r#"{"x": {"t": "text", "v": "a"}, "x": {"t": "bool", "v": false}}"#,
        "{}",
    ] {
        agree(text, read::parameters);
    }
    assert!(agree(r#"{"rate": {"t": "number", "v": "12.50"}, "ja": {"t": "bool", "v": true}}"#, read::parameters));
}

#[test]
fn nesting_is_limited_as_in_serde_json() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(parse(&deep(MAX_DEPTH)).is_ok());
    assert!(parse(&deep(MAX_DEPTH + 1)).is_err());
    assert!(serde_json::from_str::<serde_json::Value>(&deep(MAX_DEPTH + 1)).is_err());
}

/// The one difference from serde, on purpose (`read.rs`): a struct is an object, never an
/// array of its fields.
#[test]
fn structs_are_objects_only() {
    assert!(serde_json::from_str::<PostedStep>("[]").is_ok());
    assert!(parse("[]").and_then(read::posted).is_err());
    assert!(parse(r#"["a.pdf", 3, "text/plain"]"#).and_then(read::answer).is_err());
}
