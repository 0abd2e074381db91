//! The server's log written to a file or a pipe carries no terminal colour codes
//! (issue #20, point 15): `wegweiser serve` runs with its output on a pipe until it logs
//! that it serves, and its log is read back.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn a_log_on_a_pipe_has_no_colour_codes() {
    let dir = std::env::temp_dir().join(format!("wegweiser-logs-{}", std::process::id()));
    let forms = dir.join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    let ok = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/check/ok_tiny.yaml")).unwrap();
    std::fs::write(forms.join("tiny.yaml"), ok).unwrap();
    // A broken form makes the server log an error too (levels are coloured on a terminal).
    std::fs::write(forms.join("broken.yaml"), "wegweiser: 1\nid: broken\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wegweiser"))
        .args(["serve", "--addr", "127.0.0.1:0", "--forms"])
        .arg(&forms)
        .arg("--database")
        .arg(format!("sqlite://{}", dir.join("logs.db").display()))
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the wegweiser binary runs");
    let stdout = child.stdout.take().unwrap();
    // Read on a thread, so that a server that never logs cannot hang the test.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !log.contains("serving on") && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            log.push_str(&line);
            log.push('\n');
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(log.contains("serving on"), "the server did not start: {log:?}");
    assert!(log.contains("ERROR") && log.contains("broken.yaml"), "{log:?}");
    assert!(!log.contains('\x1b'), "colour codes in a log that is not on a terminal: {log:?}");
}
