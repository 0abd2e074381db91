//! Compile-time benchmark: large generated forms through `engine::compile`, and the YAML
//! reader alone, so the split between parsing and checking is visible.
//!
//! Run with `cargo bench -p wegweiser-engine --bench compile`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "gen/mod.rs"]
mod formgen;

/// Generates the form and makes sure it compiles without errors before anything is measured.
fn valid_form(fields: usize) -> String {
    let src = formgen::generate_form(fields);
    let compiled = engine::compile(&src);
    let errors: Vec<String> = compiled
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(10)
        .map(|d| format!("{}:{}: {} {}", d.span.start.line, d.span.start.column, d.code, d.message))
        .collect();
    assert!(compiled.form.is_some(), "the generated form with {fields} fields does not compile:\n{}", errors.join("\n"));
    let warnings = compiled.diagnostics.len();
    eprintln!("generated form: {fields} fields, {} bytes, {warnings} warnings", src.len());
    src
}

fn compile(c: &mut Criterion) {
    let small = valid_form(1_000);
    let large = valid_form(10_000);

    let mut group = c.benchmark_group("compile");
    group.throughput(Throughput::Elements(1_000));
    group.bench_function("1000_fields", |b| b.iter(|| engine::compile(black_box(&small))));
    group.sample_size(20);
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("10000_fields", |b| b.iter(|| engine::compile(black_box(&large))));
    group.finish();

    let mut group = c.benchmark_group("parse_yaml");
    group.throughput(Throughput::Elements(1_000));
    group.bench_function("1000_fields", |b| b.iter(|| engine::source::parse_yaml(black_box(&small))));
    group.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
