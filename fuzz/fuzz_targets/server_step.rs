//! A step POST body → the server's decoding and step handling (see `wegweiser_fuzz::server`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wegweiser_fuzz::server::check(data));
