//! The checks behind the fuzz targets in `fuzz_targets/` (see docs/fuzzing.md). Each
//! target is a thin `fuzz_target!` around one function here, so the same checks can be
//! replayed on a saved input without libFuzzer (`tests/replay.rs`).
//!
//! A check fails by panicking: libFuzzer records the input as a crash.

pub mod expr;
pub mod fim;
pub mod forms;
pub mod server;
pub mod session;
pub mod yaml;
