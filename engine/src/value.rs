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
    Number(Decimal),
    /// Yes/no.
    Bool(bool),
    /// Calendar date.
    Date(NaiveDate),
    /// List of texts (a `multi_choice` answer or a list literal); may be empty only as a literal `[]`.
    List(Vec<String>),
    /// An uploaded file.
    File(FileRef),
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
    Number(#[serde(with = "rust_decimal::serde::str")] Decimal),
    Bool(bool),
    Date(NaiveDate),
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
            Binary::File(f) => Value::File(f),
        })
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
