//! FIM rules: a pest grammar of the German rule prose (`grammar.pest`), read into an
//! [`ast`] by [`parse`], and translated into the form language by `translate.rs`
//! (`required`, `visible_if` and rules, with the generated scenarios' answers).

pub mod ast;
pub mod parse;
pub mod translate;

pub use parse::{Stop, normalise, parse};
