//! A citizen's answers and everything a front end asks about them: the path, activity,
//! values, problems and the submission document.

pub mod fieldcheck;
mod input;

pub use input::Input;
