//! XDatenfelder XML → FIM import (see `wegweiser_fuzz::fim`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wegweiser_fuzz::fim::check(data));
