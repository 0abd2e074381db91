//! The view model: what a citizen sees of a step ([`crate::Session::step_view`]) and of the
//! summary ([`crate::Session::summary_view`]), as plain data. The server's templates, the browser
//! module and the command line render it; none of them walks a session to work out which
//! instances a step shows, in what order, with which values, options and problems.
//!
//! Only what is the same for every front end is here: texts rendered in the session's
//! language, values as shown, the instances in page order. How a front end renders a kind
//! (an HTML input type, `inputmode`, links) is the front end's.

mod field;
mod step;
mod summary;
mod words;

pub use field::{EntryView, FieldKind, FieldProblem, FieldView, OptionView, computed_display, entry_legend};
pub use step::{NewQuestion, StepView};
pub use summary::{SummaryBlock, SummaryRow, SummaryStep, SummaryView};

#[cfg(all(test, feature = "yaml"))]
mod tests;
