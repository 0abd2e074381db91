//! A bundled form plus answer changes → session, checked against a fresh session (see
//! `wegweiser_fuzz::session`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wegweiser_fuzz::session::check(data));
