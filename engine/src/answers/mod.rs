//! Answers as they arrive from a citizen, before the engine reads them: one field's raw
//! [`Input`], a posted step as the browser sent it ([`PostedStep`]), and what reading that
//! post did ([`StepAnswer`]).
//!
//! Plain data with no rules of its own, so that `form` (a field's `default` is an
//! `Input`), `compile` and `session` can all use it without reaching into each other. The
//! rule that turns a post into answers (blank versus default, forged options, limits) is
//! [`crate::session::Session::answer_step`].

mod input;
mod posted;

pub use input::Input;

/// Most entries of a repeated group without `max`, so a hostile request cannot make a
/// session allocate without bound (the compiler refuses a larger `max`).
pub const MAX_ENTRIES: u32 = 200;
pub use posted::{PostedStep, Refusal, StepAnswer};
