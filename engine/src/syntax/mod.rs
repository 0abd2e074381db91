//! Positioned YAML tree → the form's syntax tree, checking keys against the one key table.

pub mod keys;
