//! What the FIM import's integration tests share: where the FIM material and the
//! crate's own fixtures are.

#![allow(dead_code)] // each test file uses part of it

use std::path::{Path, PathBuf};

/// The shared material: `$WEGWEISER_FIM_MATERIAL`, else `shared/fim` beside the repository
/// (where CI puts it), else `/work/shared/fim`. Missing material fails the test.
pub fn material() -> PathBuf {
    if let Some(p) = std::env::var_os("WEGWEISER_FIM_MATERIAL") {
        return PathBuf::from(p);
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fim");
    for p in [beside, PathBuf::from("/work/shared/fim")] {
        if p.join("README.md").exists() {
            return p;
        }
    }
    panic!("the FIM material was not found: set WEGWEISER_FIM_MATERIAL or put shared/fim beside the repository");
}

/// A file of `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}
