//! Fault points for the kill tests (`runtime-server/tests/kill.rs`): **testing only**, off
//! unless the environment variable `WEGWEISER_FAULT` names them.
//!
//! `WEGWEISER_FAULT=submit-before-commit` (several: comma-separated) makes the request
//! that reaches that point print `wegweiser: fault point `NAME` reached` to standard
//! error and then wait forever, so that a test can SIGKILL the process exactly there
//! instead of sleeping and hoping. Nothing else changes; other requests go on.
//!
//! The points:
//! - `submit-before-commit`: inside the submission transaction, everything written, not
//!   committed;
//! - `submit-after-commit`: the submission and its outbox row are committed, the citizen
//!   has no answer yet.

use std::sync::OnceLock;

/// The variable that switches fault points on.
pub const VAR: &str = "WEGWEISER_FAULT";

fn enabled() -> &'static [String] {
    static FAULTS: OnceLock<Vec<String>> = OnceLock::new();
    FAULTS.get_or_init(|| {
        std::env::var(VAR).map(|v| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
    })
}

/// Waits forever when `name` is switched on; returns at once otherwise (always, in
/// production).
pub async fn point(name: &str) {
    if enabled().iter().any(|f| f == name) {
        // Standard error is unbuffered: the test sees the line before it kills.
        eprintln!("wegweiser: fault point `{name}` reached");
        std::future::pending::<()>().await;
    }
}
