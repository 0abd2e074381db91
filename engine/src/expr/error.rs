//! Errors found in an expression while parsing or type-checking it.
//!
//! They carry a stable code (documented in `docs/diagnostics.md`), a message written for
//! a form author rather than a programmer, and a character span inside the expression; the
//! compiler turns them into [`crate::diag::Diagnostic`]s by shifting the span into the file.

use super::ESpan;
use crate::diag::codes;

/// `E0201`: the expression cannot be read (syntax error).
pub const SYNTAX: &str = codes::E0201;
/// `E0202`: a name that is neither a field nor a value.
pub const UNKNOWN_NAME: &str = codes::E0202;
/// `E0203`: a function that does not exist.
pub const UNKNOWN_FUNCTION: &str = codes::E0203;
/// `E0204`: a function called with the wrong number of arguments.
pub const ARITY: &str = codes::E0204;
/// `E0205`: a value of the wrong type.
pub const TYPE_MISMATCH: &str = codes::E0205;
/// `E0206`: a condition that is not yes/no.
pub const NOT_BOOL: &str = codes::E0206;
/// `E0207`: comparisons written as a chain (`a < b < c`).
pub const CHAINED_COMPARISON: &str = codes::E0207;
/// `E0208`: a group, or a member of a group, used where it may not be.
pub const GROUP_MISUSE: &str = codes::E0208;
/// `E0209`: a regular expression that does not compile.
pub const INVALID_REGEX: &str = codes::E0209;
/// `E0210`: a `date("…")` literal that is not a calendar date.
pub const INVALID_DATE: &str = codes::E0210;
/// `E0211`: an expression that is too long or nested too deeply.
pub const TOO_COMPLEX: &str = codes::E0211;
/// `E0212`: a text compared with a choice field that is not one of its option values.
pub const UNKNOWN_OPTION: &str = codes::E0212;

/// One problem in an expression.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ExprError {
    /// Stable code, one of the constants of this module.
    pub code: &'static str,
    /// What is wrong, in one plain sentence.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The offending part, in characters of the expression text.
    pub span: ESpan,
}

impl ExprError {
    /// A new error without help text.
    pub fn new(code: &'static str, span: ESpan, message: impl Into<String>) -> Self {
        ExprError { code, message: message.into(), help: None, span }
    }

    /// Adds a help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a help text if there is one.
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Moves the span `by` characters to the right (for expressions embedded in a longer text).
    pub fn shifted(mut self, by: u32) -> Self {
        self.span = (self.span.0 + by, self.span.1 + by);
        self
    }
}
