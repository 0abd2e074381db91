//! One field's raw answer as it arrives from a citizen (a form post, a scenario file, the browser).

use serde::{Deserialize, Serialize};

use crate::value::FileRef;

/// One field's raw input, before normalisation and checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
// Exhaustive for the workspace's own front ends (`internals`), which must handle a new
// variant; non-exhaustive for embeddings, which must not break on one.
#[cfg_attr(not(feature = "internals"), non_exhaustive)]
pub enum Input {
    /// Yes/no (a boolean or consent answered from a scenario or a checkbox).
    Bool(bool),
    /// Typed text (also numbers and dates as typed, and a choice's value).
    Text(String),
    /// Ticked options of a `multi_choice`.
    List(Vec<String>),
    /// An uploaded file's metadata.
    File(FileRef),
}
