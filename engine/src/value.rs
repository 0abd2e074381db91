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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
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
