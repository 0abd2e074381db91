//! YAML text → compile (see `wegweiser_fuzz::yaml`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wegweiser_fuzz::yaml::check(data));
