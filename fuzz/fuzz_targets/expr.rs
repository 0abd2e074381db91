//! Expression text → parse, type-check, evaluate (see `wegweiser_fuzz::expr`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wegweiser_fuzz::expr::check(data));
