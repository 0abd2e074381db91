//! # Wegweiser engine
//!
//! Compiles a form definition (YAML, see `docs/form-language.md`) into an immutable,
//! type-checked [`form::Form`], and evaluates one citizen's answers against it in a
//! `Session`. The engine does no I/O: sources, today's date and the language are
//! passed in; it runs unchanged in a server, in WebAssembly and in other Rust programs.
#![deny(missing_docs)]

pub mod checks;
pub mod diag;
pub mod expr;
pub mod ids;
pub mod pattern;
pub mod value;
