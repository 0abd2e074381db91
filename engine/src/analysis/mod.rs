//! Questions about a compiled form that authors' tools ask, answered without a session:
//! `routes.rs` enumerates the routes through the step graph and finds the impossible ones
//! and the questions no route reaches; `pretty.rs` prints compiled expressions and texts
//! back as an author writes them. Pure functions of a [`crate::Form`] that return data and
//! strings; the command line (`wegweiser routes`, `wegweiser graph`) only prints them.

pub mod pretty;
pub mod routes;
