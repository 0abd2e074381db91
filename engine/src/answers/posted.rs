//! A posted step as the browser sent it, and what reading it did.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::value::FileRef;

/// What the browser sent for one step: for each field path the values as the citizen
/// typed them (blank ones included), and the uploads.
///
/// A form post gives name/value pairs; a name repeats for each ticked box of a
/// `multi_choice`. Nothing is trimmed, dropped or decided here: whether a blank clears a
/// default, whether a value is an option, which fields are read at all is the engine's
/// rule ([`crate::session::Session::answer_step`]), so the server and the browser read a
/// step the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostedStep {
    /// The values as typed, by field path, in the order of the post.
    #[serde(default)]
    pub values: BTreeMap<String, Vec<String>>,
    /// Uploads by field path, already checked and stored by the caller (the engine does no
    /// I/O); a file field without one keeps its earlier upload.
    #[serde(default)]
    pub files: BTreeMap<String, FileRef>,
    /// Most characters one typed value may have; a longer one is refused
    /// ([`Refusal::AnswerTooLong`]) and never stored. `None`: no limit but the fields' own
    /// `max_length` checks.
    #[serde(default)]
    pub max_chars: Option<usize>,
}

impl PostedStep {
    /// An empty post without a length limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same post with a limit on the characters of one typed value.
    pub fn with_max_chars(mut self, max: usize) -> Self {
        self.max_chars = Some(max);
        self
    }

    /// Adds one posted value for `path` (after the values already posted for it).
    pub fn push(&mut self, path: impl Into<String>, value: impl Into<String>) {
        self.values.entry(path.into()).or_default().push(value.into());
    }

    /// Hands in an upload for `path`, already stored by the caller.
    pub fn file(&mut self, path: impl Into<String>, file: FileRef) {
        self.files.insert(path.into(), file);
    }

    /// The values posted for `path`, in order (none when it was not posted).
    pub fn values(&self, path: &str) -> &[String] {
        self.values.get(path).map_or(&[], Vec::as_slice)
    }
}

/// Why a posted answer was not taken. The field keeps its earlier answer; a front end
/// shows [`Refusal::code`]'s message at the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Refusal {
    /// A value of a `choice` or `multi_choice` that is none of the field's options (a forged
    /// post): nothing of it is stored, so a `multi_choice` holds each option at most once
    /// and its size is bounded by the form.
    NotAnOption,
    /// A typed value longer than the post's limit ([`PostedStep::max_chars`]).
    AnswerTooLong {
        /// The limit, in characters.
        max: usize,
    },
}

impl Refusal {
    /// A stable code for the front end's message: `not_an_option`, `answer_too_long`.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotAnOption => "not_an_option",
            Refusal::AnswerTooLong { .. } => "answer_too_long",
        }
    }
}

/// What [`crate::session::Session::answer_step`] did with a post.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepAnswer {
    /// Paths whose answer was taken from the post (set, or cleared by a blank), in the order
    /// they were read.
    pub read: Vec<String>,
    /// Fields whose posted answer was refused, and why; they keep their earlier answer.
    pub refused: BTreeMap<String, Refusal>,
    /// Paths of the step's fields that are shown after the post but were not before it, in
    /// page order: the post revealed them, the citizen has not seen them yet, and a front
    /// end shows no error for them the first time.
    pub revealed: Vec<String>,
}
