//! The Wegweiser side of the peer comparison (`bench/peers/run`): compiles a generated form
//! from YAML natively, fails on any error (as `wegweiser check` would), writes the compiled
//! form in the binary encoding the browser module reads (`Form::to_bytes`, what the server
//! serves), and reports the compile time and the sizes.
//!
//! ```text
//! cargo run --release -p wegweiser-examples --example compile-form -- IN.yaml OUT.bin [REPEATS]
//! ```
//!
//! Prints one JSON line: `{"errors":0,"warnings":N,"compile_ms":[...],"binary_bytes":B,"json_bytes":J}`,
//! one time per repeat (the first compile included, so the caller takes the median); `json_bytes`
//! is the size of the same form as JSON (what the step pages embedded before).

use std::time::Instant;

use engine::Severity;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: compile-form IN.yaml OUT.bin [REPEATS]");
        std::process::exit(2);
    };
    let repeats: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(5).max(1);
    let src = std::fs::read_to_string(input).unwrap_or_else(|e| {
        eprintln!("error: cannot read {input}: {e}");
        std::process::exit(2);
    });
    let mut times = Vec::with_capacity(repeats);
    let mut compiled = None;
    for _ in 0..repeats {
        let t = Instant::now();
        let c = engine::compile(&src);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        compiled = Some(c);
    }
    let compiled = compiled.expect("at least one repeat");
    let errors: Vec<_> = compiled.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    let warnings = compiled.diagnostics.len() - errors.len();
    for d in &errors {
        eprintln!("error[{}]: {} (line {}, column {})", d.code, d.message, d.span.start.line, d.span.start.column);
    }
    let Some(form) = compiled.form.filter(|_| errors.is_empty()) else {
        eprintln!("error: {input} does not compile ({} errors)", errors.len());
        std::process::exit(1);
    };
    let json_bytes = serde_json::to_string(&form).expect("a compiled form serialises").len();
    let bytes = form.to_bytes();
    let binary_bytes = bytes.len();
    std::fs::write(output, bytes).unwrap_or_else(|e| {
        eprintln!("error: cannot write {output}: {e}");
        std::process::exit(2);
    });
    let times: Vec<String> = times.iter().map(|t| format!("{t:.4}")).collect();
    println!(
        "{{\"errors\":0,\"warnings\":{warnings},\"compile_ms\":[{}],\"binary_bytes\":{binary_bytes},\"json_bytes\":{json_bytes}}}",
        times.join(",")
    );
}
