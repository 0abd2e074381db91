//! `docs/tutorial.md` is followed to the letter, so it cannot rot.
//!
//! The convention, read from top to bottom:
//! - a ```yaml block whose first line is `# file: NAME` is written to `NAME` in a fresh
//!   folder, its folders created (a later block with the same name overwrites it);
//! - in a ```sh block, each line starting with `wegweiser ` is run with the built binary in
//!   that folder; `# exit N` at the end of the line is the expected exit code (default 0);
//!   `> FILE` sends standard output to `FILE`;
//! - a ```text block that comes right after a ```sh block (only prose-free blank lines
//!   between) is what the last command of that block prints on standard output;
//! - a command marked `# runs until Ctrl-C` (`wegweiser preview`) is started on a free
//!   port (`--addr 127.0.0.1:0` is added), its first line of output is taken as what it
//!   prints (with the tutorial's default address in place of that port), and it is
//!   stopped with SIGINT, as Ctrl-C would.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

enum Block {
    File { name: String, text: String },
    Commands(Vec<String>),
    Output(String),
}

fn blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = md.lines();
    let mut last_was_sh = false;
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            if !line.trim().is_empty() {
                last_was_sh = false;
            }
            continue;
        };
        let info = info.trim().to_string();
        let mut body = Vec::new();
        for l in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push(l);
        }
        match info.as_str() {
            "yaml" => {
                if let Some(name) = body.first().and_then(|l| l.strip_prefix("# file: ")) {
                    out.push(Block::File { name: name.trim().to_string(), text: body.join("\n") + "\n" });
                }
            }
            "sh" => {
                let cmds: Vec<String> = body.iter().filter(|l| l.starts_with("wegweiser ")).map(|l| l.to_string()).collect();
                out.push(Block::Commands(cmds));
                last_was_sh = true;
                continue;
            }
            "text" if last_was_sh => out.push(Block::Output(body.join("\n") + "\n")),
            _ => {}
        }
        last_was_sh = false;
    }
    out
}

const UNTIL_CTRL_C: &str = "# runs until Ctrl-C";

/// Starts a command that runs until Ctrl-C on a free port; returns its first line of
/// standard output, then interrupts it.
fn run_until_ctrl_c(dir: &Path, cmd: &str) -> String {
    let args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wegweiser"))
        .args(&args)
        .args(["--addr", "127.0.0.1:0"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stdout = child.stdout.take().expect("piped");
    // Read on a thread, so that a command that prints nothing cannot hang the test.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = BufReader::new(stdout).read_line(&mut first);
        let _ = tx.send(first);
    });
    let first = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default();
    // Ctrl-C lets the preview delete its scratch database; SIGKILL only if that fails.
    let interrupted = Command::new("kill").args(["-INT", &child.id().to_string()]).status().is_ok_and(|s| s.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut status = None;
    while interrupted && status.is_none() && Instant::now() < deadline {
        status = child.try_wait().expect("wait");
        std::thread::sleep(Duration::from_millis(50));
    }
    if status.is_none() {
        let _ = child.kill();
    }
    // Reaps the process (its status is kept when `try_wait` already saw it end).
    let _ = child.wait();
    assert!(!first.is_empty(), "`{cmd}` printed nothing before it was stopped");
    assert_eq!(status.and_then(|s| s.code()), Some(0), "`{cmd}` did not end cleanly on Ctrl-C");
    first.replace("127.0.0.1:0/", "127.0.0.1:8081/")
}

/// Runs one command line; returns its standard output.
fn run(dir: &Path, line: &str) -> String {
    if let Some(cmd) = line.strip_suffix(UNTIL_CTRL_C) {
        return run_until_ctrl_c(dir, cmd.trim());
    }
    let (cmd, expected) = match line.split_once("# exit ") {
        Some((c, code)) => (c.trim(), code.trim().parse::<i32>().expect("`# exit N` has a number")),
        None => (line.trim(), 0),
    };
    let (cmd, redirect) = match cmd.split_once(" > ") {
        Some((c, f)) => (c.trim(), Some(f.trim())),
        None => (cmd, None),
    };
    let args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
    let o = Command::new(env!("CARGO_BIN_EXE_wegweiser")).args(&args).current_dir(dir).output().expect("the binary runs");
    let stdout = String::from_utf8(o.stdout).expect("UTF-8");
    assert_eq!(
        o.status.code(),
        Some(expected),
        "tutorial command `{line}` exited with {:?}, the tutorial says {expected}\nstdout:\n{stdout}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    if let Some(f) = redirect {
        std::fs::write(dir.join(f), &stdout).unwrap();
    }
    stdout
}

#[test]
fn the_tutorial_works_as_written() {
    let md = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/tutorial.md")).unwrap();
    let dir = std::env::temp_dir().join(format!("wegweiser-tutorial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (mut files, mut commands, mut outputs) = (0, 0, 0);
    let mut last: Option<(String, String)> = None;
    for b in blocks(&md) {
        match b {
            Block::File { name, text } => {
                // A file may lie in a folder (`authorities/nordstadt/authority.yaml`).
                if let Some(parent) = dir.join(&name).parent() {
                    std::fs::create_dir_all(parent).unwrap();
                }
                std::fs::write(dir.join(&name), text).unwrap();
                files += 1;
            }
            Block::Commands(cmds) => {
                for c in cmds {
                    let out = run(&dir, &c);
                    last = Some((c, out));
                    commands += 1;
                }
            }
            Block::Output(expected) => {
                let (cmd, got) = last.take().expect("an output block follows a command");
                assert_eq!(got, expected, "the output of `{cmd}` differs from the tutorial");
                outputs += 1;
            }
        }
    }
    // The tutorial's steps: its files, its commands (the typo one included), its outputs.
    assert!(files >= 4 && commands >= 8 && outputs >= 7, "{files} files, {commands} commands, {outputs} outputs");
    assert!(md.contains("# exit 1"), "the typo step is in the tutorial");
    assert!(md.contains(&format!("wegweiser preview sperrmuell.yaml          {UNTIL_CTRL_C}")), "the preview step is in the tutorial");
    let schema = std::fs::read_to_string(dir.join("form-language.schema.json")).unwrap();
    assert!(schema.contains("draft-07"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_readme_links_the_tutorial() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    assert!(readme.contains("(docs/tutorial.md)"));
}
