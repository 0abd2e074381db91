//! # Wegweiser engine
//!
//! Compiles a form definition (YAML, see `docs/form-language.md`) into an immutable,
//! type-checked [`form::Form`], and evaluates one citizen's answers against it in a
//! `Session`. The engine does no I/O: sources, today's date and the language are
//! passed in; it runs unchanged in a server, in WebAssembly and in other Rust programs.
#![deny(missing_docs)]

pub mod account;
pub mod answers;
#[cfg(feature = "yaml")]
pub mod authority;
pub mod checks;
#[cfg(feature = "yaml")]
pub mod compile;
pub mod diag;
pub mod expr;
pub mod form;
pub mod ids;
pub mod output;
pub mod pattern;
#[cfg(feature = "yaml")]
pub mod scenario;
pub mod session;
#[cfg(feature = "yaml")]
pub mod source;
mod stack;
#[cfg(feature = "yaml")]
pub mod syntax;
pub mod value;
pub mod view;

#[cfg(feature = "yaml")]
pub use compile::{Compiled, compile};
pub use diag::{Diagnostic, Severity, Span};
pub use form::Form;
pub use output::{fim_data, fim_schema};
