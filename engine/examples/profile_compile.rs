//! A driver for profiling the compiler (`engine::compile`, YAML text → `Form`) under
//! `valgrind --tool=callgrind`, where instruction counts are stable on a shared machine:
//!
//! ```text
//! cargo build --release -p wegweiser-engine --example profile_compile
//! valgrind --tool=callgrind --toggle-collect='engine::compile::compile' \
//!     target/release/examples/profile_compile compile 1000
//! ```
//!
//! What it runs: `compile N` compiles the benchmark's generated form (`benches/gen`,
//! `generate_form(N)`) once; `file PATH` compiles a YAML file once (the peers' workload,
//! `node bench/peers/workload.mjs write DIR N`); `time N|PATH [REPEATS]` prints the median of
//! REPEATS compiles in milliseconds (a form with errors too: for forms made to find slow
//! paths); `write N PATH` writes the generated form. The form is generated (or read) before
//! the compile, so `--toggle-collect` on `engine::compile::compile` counts the compile alone.
//! `compile` and `file` fail when the form has an error. `dump PATH…` prints each file's
//! diagnostics and compiled form (JSON), to compare two builds.

#[path = "../benches/gen/mod.rs"]
mod formgen;

use std::time::Instant;

/// The form's text: a number is a generated form of that many fields, anything else a path.
fn source(arg: &str) -> String {
    match arg.parse::<usize>() {
        Ok(n) => formgen::generate_form(n),
        Err(_) => std::fs::read_to_string(arg).unwrap_or_else(|e| panic!("cannot read {arg}: {e}")),
    }
}

fn compile_checked(src: &str) -> engine::Compiled {
    let compiled = engine::compile(std::hint::black_box(src));
    if let Some(d) = compiled.diagnostics.iter().find(|d| d.is_error()) {
        panic!("the form does not compile: {} at line {}: {}", d.code, d.span.start.line, d.message);
    }
    compiled
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("compile", String::as_str);
    let arg = args.get(2).map_or("1000", String::as_str);
    match what {
        "compile" | "file" => {
            let src = source(arg);
            std::hint::black_box(compile_checked(&src));
        }
        "time" => {
            let src = source(arg);
            let repeats: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(11).max(1);
            let mut diagnostics = 0;
            let mut ms: Vec<f64> = (0..repeats)
                .map(|_| {
                    let t = Instant::now();
                    diagnostics = std::hint::black_box(engine::compile(std::hint::black_box(&src))).diagnostics.len();
                    t.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            ms.sort_by(f64::total_cmp);
            println!(
                "{} bytes, {diagnostics} diagnostics: median {:.3} ms, min {:.3} ms over {repeats}",
                src.len(),
                ms[repeats / 2],
                ms[0]
            );
        }
        // For checking that a change keeps every result: each file's diagnostics and compiled
        // form as JSON, to compare the output of two builds.
        "dump" => {
            for path in &args[2..] {
                let c = engine::compile(&source(path));
                println!("== {path}");
                for d in &c.diagnostics {
                    println!("{d:?}");
                }
                println!("{}", c.form.map(|f| serde_json::to_string(&f).expect("serialises")).unwrap_or_default());
            }
        }
        "write" => {
            let path = args.get(3).expect("write N PATH");
            std::fs::write(path, source(arg)).expect("writable");
        }
        other => eprintln!("unknown: {other} (compile N, file PATH, time N|PATH [REPEATS], dump PATH…, write N PATH)"),
    }
}
