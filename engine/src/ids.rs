//! Typed indices into a compiled form's tables.

use serde::{Deserialize, Serialize};

/// Index of a field in `Form::fields` (groups, computed fields and info texts included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FieldId(pub u32);

/// Index of a named calculation in `Form::values`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ValueId(pub u32);

/// Index of a step in `Form::steps`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StepId(pub u32);

impl FieldId {
    /// As a `usize` index.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}
impl ValueId {
    /// As a `usize` index.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}
impl StepId {
    /// As a `usize` index.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}
