//! Syntax tree → compiled [`Form`]: name resolution, type checking, the step graph, the
//! dependency graph and the graph checks. Collects every diagnostic; never stops at the
//! first error.

use crate::diag::Diagnostic;
use crate::form::Form;

/// The outcome of compiling a form file.
#[derive(Debug)]
pub struct Compiled {
    /// The form, when it has no errors (warnings are allowed).
    pub form: Option<Form>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Compiles a form file's text.
pub fn compile(source: &str) -> Compiled {
    match crate::source::parse_yaml(source) {
        Err(diagnostics) => Compiled { form: None, diagnostics },
        Ok(_root) => Compiled { form: None, diagnostics: Vec::new() },
    }
}
