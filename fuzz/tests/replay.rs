//! Replays the committed seeds and the inputs that once crashed (`regressions/TARGET/`)
//! through every target's check, without libFuzzer: `cargo test` in `fuzz/` (see
//! docs/fuzzing.md). The fuzzers themselves run with `scripts/fuzz`.

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for dir in [root.join("corpus").join(target), root.join("regressions").join(target)] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut files: Vec<_> = entries.map(|e| e.expect("a directory entry").path()).collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).expect("a readable seed");
            eprintln!("{}", f.display());
            check(&data);
            n += 1;
        }
    }
    assert!(n > 0, "no inputs for {target}");
}

#[test]
fn compile_yaml_inputs_pass() {
    replay("compile_yaml", wegweiser_fuzz::yaml::check);
}

#[test]
fn expr_inputs_pass() {
    replay("expr", wegweiser_fuzz::expr::check);
}

#[test]
fn session_inputs_pass() {
    replay("session", wegweiser_fuzz::session::check);
}

#[test]
fn server_step_inputs_pass() {
    replay("server_step", wegweiser_fuzz::server::check);
}

#[test]
fn fim_import_inputs_pass() {
    replay("fim_import", wegweiser_fuzz::fim::check);
}
