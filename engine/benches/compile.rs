//! Compile-time benchmark (issue #19: "compile from YAML ≤ 2 ms per 1,000 fields natively"):
//! `engine::compile` on generated forms of 100, 1,000 and 10,000 fields, and the YAML reader
//! alone, so the split between reading and checking is visible.
//!
//! - `compile/{100,1000,10000}`: the benchmark's workload (`gen/mod.rs`, `generate_form(n)`).
//! - `compile_peers/{100,1000,10000}`: the peer comparison's workload (`bench/peers/workload.mjs`,
//!   the YAML `bench/peers/run` compiles), written with Node when it is installed (skipped
//!   otherwise, with a note).
//! - `parse_yaml/{1000,10000}`: `source::parse_yaml` of the generated form.
//!
//! Run with `cargo bench -p wegweiser-engine --bench compile`. Instruction counts (stable on a
//! shared machine): `examples/profile_compile.rs`.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

#[path = "gen/mod.rs"]
mod formgen;

const SIZES: [usize; 3] = [100, 1_000, 10_000];

/// Makes sure a form compiles without errors before anything is measured.
fn checked(name: &str, src: String) -> String {
    let compiled = engine::compile(&src);
    let errors: Vec<String> = compiled
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(10)
        .map(|d| format!("{}:{}: {} {}", d.span.start.line, d.span.start.column, d.code, d.message))
        .collect();
    assert!(compiled.form.is_some(), "the form {name} does not compile:\n{}", errors.join("\n"));
    eprintln!("{name}: {} bytes, {} warnings", src.len(), compiled.diagnostics.len());
    src
}

/// The peers' workload of `fields` fields, written by `bench/peers/workload.mjs`; `None`
/// without Node.
fn peers_form(fields: usize) -> Option<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::temp_dir().join(format!("wegweiser-compile-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let ok = Command::new("node")
        .arg(root.join("bench/peers/workload.mjs"))
        .arg("write")
        .arg(&dir)
        .arg(fields.to_string())
        .output()
        .is_ok_and(|o| o.status.success());
    let text = if ok { std::fs::read_to_string(dir.join(format!("form-{fields}.yaml"))).ok() } else { None };
    let _ = std::fs::remove_dir_all(&dir);
    text
}

fn bench_sizes(c: &mut Criterion, group: &str, forms: &[(usize, String)]) {
    let mut g = c.benchmark_group(group);
    for (n, src) in forms {
        g.throughput(Throughput::Elements(*n as u64));
        if *n >= 10_000 {
            g.sample_size(20);
        }
        g.bench_with_input(BenchmarkId::from_parameter(n), src, |b, src| b.iter(|| engine::compile(black_box(src))));
    }
    g.finish();
}

fn compile(c: &mut Criterion) {
    let generated: Vec<(usize, String)> =
        SIZES.iter().map(|&n| (n, checked(&format!("generated {n}"), formgen::generate_form(n)))).collect();
    bench_sizes(c, "compile", &generated);

    let peers: Option<Vec<(usize, String)>> =
        SIZES.iter().map(|&n| peers_form(n).map(|src| (n, checked(&format!("peers {n}"), src)))).collect();
    match peers {
        Some(peers) => bench_sizes(c, "compile_peers", &peers),
        None => eprintln!("compile_peers: skipped (Node cannot run bench/peers/workload.mjs)"),
    }

    let mut g = c.benchmark_group("parse_yaml");
    for (n, src) in generated.iter().skip(1) {
        g.throughput(Throughput::Elements(*n as u64));
        if *n >= 10_000 {
            g.sample_size(20);
        }
        g.bench_with_input(BenchmarkId::from_parameter(n), src, |b, src| b.iter(|| engine::source::parse_yaml(black_box(src))));
    }
    g.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
