//! The browser module built into the binary: `build.rs` compiles wasm/ for WebAssembly, writes
//! its wasm-bindgen glue and copies the enhancement script, and this module `include_bytes!`s
//! the three files, so an installed `wegweiser` serves the live guidance wherever it runs.
//! Built with `WEGWEISER_WASM=skip` (or when that build failed) there are none, and the pages
//! work without them, as they must anyway.

include!(concat!(env!("OUT_DIR"), "/wasm_assets.rs"));

/// The bytes of one of the module's files (`wegweiser.js`, `wegweiser_wasm.js`,
/// `wegweiser_wasm_bg.wasm`), if the binary has the module.
pub fn file(name: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, bytes)| *bytes)
}

/// Whether the binary carries the browser module.
pub fn has_module() -> bool {
    !FILES.is_empty()
}
