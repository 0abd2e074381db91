//! One field's raw answer as it arrives from a citizen (a form post, a scenario file, the browser).

use serde::{Deserialize, Serialize};

use crate::value::FileRef;

/// One field's raw input, before normalisation and checks.
// `remote = "Self"`: the derived (untagged, JSON) code becomes `Input::serialize`/
// `Input::deserialize`, which the trait impls below call for a human-readable format; a form's
// binary encoding (`form/binary.rs`, a field's default) cannot tell untagged variants apart
// and gets the tagged enum `Binary` instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(remote = "Self")]
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
    /// An uploaded file's metadata (boxed: the largest variant, and rare; a session keeps
    /// every answer).
    File(Box<FileRef>),
}

/// An [`Input`] in a format that is not human-readable: tagged by variant index, the variants
/// in `Input`'s order.
#[derive(Serialize)]
enum BinaryRef<'a> {
    Bool(bool),
    Text(&'a str),
    List(&'a [String]),
    File(&'a FileRef),
}

/// What [`BinaryRef`] writes, read back.
#[derive(Deserialize)]
enum Binary {
    Bool(bool),
    Text(String),
    List(Vec<String>),
    File(FileRef),
}

impl Serialize for Input {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return Input::serialize(self, s);
        }
        match self {
            Input::Bool(b) => BinaryRef::Bool(*b),
            Input::Text(t) => BinaryRef::Text(t),
            Input::List(l) => BinaryRef::List(l),
            Input::File(f) => BinaryRef::File(f),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Input {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            return Input::deserialize(d);
        }
        Ok(match Binary::deserialize(d)? {
            Binary::Bool(b) => Input::Bool(b),
            Binary::Text(t) => Input::Text(t),
            Binary::List(l) => Input::List(l),
            Binary::File(f) => Input::File(Box::new(f)),
        })
    }
}
