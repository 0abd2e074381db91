//! The boundary's reader against serde_json's: the same value for every text serde_json
//! reads, an error wherever serde_json gives one.

use std::collections::BTreeMap;
use std::fmt::Debug;

use engine::answers::PostedStep;
use engine::form::ParameterValues;
use engine::session::{Input, Snapshot};
use serde::de::DeserializeOwned;

use super::*;

/// Both readers agree on `text` as a `T`: the same value, or both an error. Whether it read.
fn agree<T: DeserializeOwned + PartialEq + Debug>(text: &str) -> bool {
    let ours = from_str::<T>(text);
    let theirs = serde_json::from_str::<T>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
        (Err(_), Err(_)) => {}
        _ => panic!("{text} as {}: ours {ours:?}, serde_json {theirs:?}", std::any::type_name::<T>()),
    }
    ours.is_ok()
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
    let mut read = 0;
    for text in INPUTS {
        read += agree::<Option<Input>>(text) as usize;
        read += agree::<Vec<String>>(text) as usize;
        read += agree::<BTreeMap<String, Option<Input>>>(text) as usize;
    }
    // Not only errors: the texts that are answers read as answers.
    assert_eq!(read, 15);
    assert!(agree::<BTreeMap<String, Option<Input>>>(r#"{"a": "x", "b": null, "c": ["1"], "d": true, "a": "y"}"#));
}

#[test]
fn posted_steps_read_as_serde_json_reads_them() {
    for text in [
        r#"{"values": {"name": ["Anna"], "kinder": ["1", "2"], "leer": []}}"#,
        r#"{"values": {"x": ["a"]}, "files": {"f": {"name": "a", "size": 3, "type": "t"}}, "max_chars": 200}"#,
        r#"{"values": {"x": ["a"]}, "max_chars": null}"#,
        r#"{"values": {"x": ["a"]}, "max_chars": -1}"#,
        r#"{"values": {"x": ["a"]}, "max_chars": 2.0}"#,
        r#"{"values": {"x": "a"}}"#,
        r#"{"values": {"x": ["a"]}, "values": {}}"#,
        r#"{"unknown": 1}"#,
        "{}",
        "[]",
    ] {
        agree::<PostedStep>(text);
    }
    assert!(agree::<PostedStep>(r#"{"values": {"name": ["Anna"]}}"#));
}

#[test]
fn snapshots_and_parameters_read_as_serde_json_reads_them() {
    for text in [
        r#"{"form": "f", "version": "1", "language": "de", "answers": {"a": "x", "b": true, "c": ["1"], "d": {"name": "n", "size": 1, "type": "t"}}, "entries": {"kinder": 2}}"#,
        r#"{"form": "f", "version": null, "language": "de", "answers": {}, "entries": {}, "account": {"trust": null, "fields": {"a": "b"}}}"#,
        r#"{"form": "f", "version": null, "language": "de", "answers": {}, "entries": {"k": 4294967296}}"#,
        r#"{"form": "f", "language": "de", "answers": {}, "entries": {}}"#,
    ] {
        agree::<Snapshot>(text);
    }
    assert!(agree::<Snapshot>(r#"{"form": "f", "version": null, "language": "de", "answers": {"a": "x"}, "entries": {"k": 2}}"#));
    for text in [
        r#"{"rate": {"t": "number", "v": "12.50"}, "ab": {"t": "date", "v": "2026-01-31"}, "ja": {"t": "bool", "v": true}}"#,
        r#"{"name": {"t": "text", "v": "Anna"}, "leer": {"t": "empty"}}"#,
        r#"{"rate": {"t": "number", "v": 12.5}}"#,
        r#"{"rate": {"t": "number", "v": 12}}"#,
        r#"{"ab": {"t": "date", "v": "2026-02-30"}}"#,
        r#"{"x": {"t": "nope", "v": 1}}"#,
        "{}",
    ] {
        agree::<ParameterValues>(text);
    }
    assert!(agree::<ParameterValues>(r#"{"rate": {"t": "number", "v": "12.50"}, "ja": {"t": "bool", "v": true}}"#));
}

#[test]
fn nesting_is_limited_as_in_serde_json() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(parse(&deep(MAX_DEPTH)).is_ok());
    assert!(parse(&deep(MAX_DEPTH + 1)).is_err());
    assert!(serde_json::from_str::<serde_json::Value>(&deep(MAX_DEPTH + 1)).is_err());
}

#[test]
fn a_float_is_an_invalid_type_without_its_digits() {
    let e = from_str::<u64>("1.25").unwrap_err();
    assert_eq!(e.to_string(), "invalid type: floating point number, expected u64");
}
