//! Runtime values of expressions and answers.
//!
//! `Empty` is a value of every type (docs/form-language.md#empty-values): unanswered, blank, inactive or
//! invalid input all evaluate to it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Metadata of an uploaded file as the engine sees it; the runtime stores the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileRef {
    /// File name as given by the citizen.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// MIME type determined from the content.
    #[serde(rename = "type")]
    pub mime: String,
}

/// A value.
// `remote = "Self"`: the derived (JSON) code becomes `Value::serialize`/`Value::deserialize`,
// which the trait impls below call for a human-readable format; the binary encoding of a form
// (`form/binary.rs`) cannot read the adjacent tag (postcard has no `deserialize_identifier`)
// and gets the plain enum `Binary` instead.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(remote = "Self")]
#[serde(tag = "t", content = "v", rename_all = "lowercase")]
// Exhaustive for the workspace's own front ends (`internals`), which must handle a new
// variant; non-exhaustive for embeddings, which must not break on one.
#[cfg_attr(not(feature = "internals"), non_exhaustive)]
pub enum Value {
    /// No value (docs/form-language.md#empty-values).
    #[default]
    Empty,
    /// Text; never blank (blank text is `Empty`).
    Text(String),
    /// Exact decimal.
    Number(#[serde(deserialize_with = "wire::decimal")] Decimal),
    /// Yes/no.
    Bool(bool),
    /// Calendar date.
    Date(#[serde(deserialize_with = "wire::date")] NaiveDate),
    /// List of texts (a `multi_choice` answer or a list literal); may be empty only as a literal `[]`.
    List(Vec<String>),
    /// An uploaded file (boxed: the largest variant, and rare; it would make every value,
    /// literal and cached result twice as large).
    File(Box<FileRef>),
}

/// A [`Value`] in a format that is not human-readable: externally tagged by variant index,
/// the decimal as its text. The variants in `Value`'s order.
#[derive(Serialize)]
enum BinaryRef<'a> {
    Empty,
    Text(&'a str),
    // `Decimal` writes its text in every format (no `serde-float`); `Binary` reads it so.
    Number(&'a Decimal),
    Bool(bool),
    Date(&'a NaiveDate),
    List(&'a [String]),
    File(&'a FileRef),
}

/// What [`BinaryRef`] writes, read back.
#[derive(Deserialize)]
enum Binary {
    Empty,
    Text(String),
    Number(#[serde(deserialize_with = "wire::decimal")] Decimal),
    Bool(bool),
    Date(#[serde(deserialize_with = "wire::date")] NaiveDate),
    List(Vec<String>),
    File(FileRef),
}

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return Value::serialize(self, s);
        }
        match self {
            Value::Empty => BinaryRef::Empty,
            Value::Text(t) => BinaryRef::Text(t),
            Value::Number(n) => BinaryRef::Number(n),
            Value::Bool(b) => BinaryRef::Bool(*b),
            Value::Date(d) => BinaryRef::Date(d),
            Value::List(l) => BinaryRef::List(l),
            Value::File(f) => BinaryRef::File(f),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            return Value::deserialize(d);
        }
        Ok(match Binary::deserialize(d)? {
            Binary::Empty => Value::Empty,
            Binary::Text(t) => Value::Text(t),
            Binary::Number(n) => Value::Number(n),
            Binary::Bool(b) => Value::Bool(b),
            Binary::Date(d) => Value::Date(d),
            Binary::List(l) => Value::List(l),
            Binary::File(f) => Value::File(Box::new(f)),
        })
    }
}

/// Reading a value's number and date from their serialised text, which is all that
/// `Serialize` writes (rust_decimal writes a number as a string, chrono a date as
/// `YYYY-MM-DD`). The crates' own `Deserialize` also take JSON floats and every text
/// chrono's parser knows; the browser module would carry float formatting and that parser
/// for data no one writes (docs/performance.md, "Bundle").
mod wire {
    use std::fmt;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;
    use serde::de::{Deserializer, Error, Unexpected, Visitor};

    /// A visitor of a string only, read by `read`.
    struct Text<T> {
        read: fn(&str) -> Option<T>,
        expecting: &'static str,
    }

    impl<T> Visitor<'_> for Text<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.expecting)
        }

        fn visit_str<E: Error>(self, v: &str) -> Result<T, E> {
            (self.read)(v).ok_or_else(|| E::invalid_value(Unexpected::Str(v), &self))
        }
    }

    // `from_str_exact`, the parser the evaluator uses too (one copy of rust_decimal's parser in
    // the module): what `Serialize` wrote always fits exactly.
    pub(super) fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_str(Text { read: |s| Decimal::from_str_exact(s).ok(), expecting: "a decimal number as a string" })
    }

    pub(super) fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        d.deserialize_str(Text { read: crate::checks::read_iso, expecting: "a date as YYYY-MM-DD" })
    }
}

impl Value {
    /// True for `Empty`.
    pub fn is_empty(&self) -> bool {
        matches!(self, Value::Empty)
    }

    /// Text, turning blank text into `Empty` (after trimming).
    pub fn text(s: impl Into<String>) -> Value {
        let s: String = s.into();
        let t = s.trim();
        if t.is_empty() {
            Value::Empty
        } else if t.len() == s.len() {
            Value::Text(s)
        } else {
            Value::Text(t.to_string())
        }
    }

    /// Condition semantics: only `Bool(true)` holds; empty counts as false.
    pub fn holds(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn numbers_and_dates_read_back_as_written() {
        let values = [
            Value::Number(Decimal::from_str("0.10").unwrap()),
            Value::Number(Decimal::from_str("-1234567890.123456789").unwrap()),
            Value::Number(Decimal::MAX),
            Value::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
            Value::Date(NaiveDate::from_ymd_opt(-5, 1, 1).unwrap()),
            Value::Date(NaiveDate::from_ymd_opt(12_345, 12, 31).unwrap()),
        ];
        for v in values {
            let json = serde_json::to_string(&v).unwrap();
            let back: Value = serde_json::from_str(&json).unwrap();
            assert_eq!(back, v, "{json}");
            // The scale too: `0.10` stays `0.10`.
            assert_eq!(serde_json::to_string(&back).unwrap(), json);
        }
    }

    #[test]
    fn numbers_and_dates_only_as_the_text_serialize_writes() {
        for json in [
            r#"{"t":"number","v":1.5}"#,
            r#"{"t":"number","v":1}"#,
            r#"{"t":"number","v":"zwölf"}"#,
            r#"{"t":"date","v":"2024-2-29"}"#,
            r#"{"t":"date","v":"29.02.2024"}"#,
            r#"{"t":"date","v":"2025-02-29"}"#,
        ] {
            assert!(serde_json::from_str::<Value>(json).is_err(), "{json}");
        }
        let v: Value = serde_json::from_str(r#"{"v":"12.50","t":"number"}"#).unwrap();
        assert_eq!(v, Value::Number(Decimal::from_str("12.50").unwrap()), "content before tag");
    }
}
