//! Positioned YAML tree → the form's syntax tree, checking keys against the one key table.

pub mod ast;
pub mod editor_schema;
pub mod keys;
mod lower;

pub use lower::{key_names, lower};
