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
//! REPEATS compiles in milliseconds; `write N PATH` writes the generated form. The form is
//! generated (or read) before the compile, so `--toggle-collect` on `engine::compile::compile`
//! counts the compile alone. Every mode fails when the form has an error.

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
            let mut ms: Vec<f64> = (0..repeats)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(compile_checked(&src));
                    t.elapsed().as_secs_f64() * 1e3
                })
                .collect();
            ms.sort_by(f64::total_cmp);
            println!("{} bytes: median {:.3} ms, min {:.3} ms over {repeats}", src.len(), ms[repeats / 2], ms[0]);
        }
        "write" => {
            let path = args.get(3).expect("write N PATH");
            std::fs::write(path, source(arg)).expect("writable");
        }
        other => eprintln!("unknown: {other} (compile N, file PATH, time N|PATH [REPEATS], write N PATH)"),
    }
}
