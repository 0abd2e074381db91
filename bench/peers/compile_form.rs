//! The Wegweiser side of the peer comparison (`bench/peers/run`): compiles a generated form
//! from YAML natively, fails on any error (as `wegweiser check` would), writes the compiled
//! form in the binary encoding the browser module reads (`Form::to_bytes`, what the server
//! serves), and reports the compile time and the sizes.
//!
//! ```text
//! cargo run --release -p wegweiser-examples --example compile-form -- IN.yaml OUT.bin [REPEATS]
//! ```
//!
//! Prints one JSON line: `{"errors":0,"warnings":N,"compile_ms":[...],"binary_bytes":B,"json_bytes":J,
//! "form_heap_bytes":F,"session_heap_bytes":S}`, one time per repeat (the first compile
//! included, so the caller takes the median); `json_bytes` is the size of the same form as JSON
//! (what the step pages embedded before); `form_heap_bytes` the memory of one form decoded from
//! the bytes and `session_heap_bytes` of one new session on it with its first evaluation,
//! natively (Linux: the growth of the resident set over 20 copies, divided by 20; `null`
//! elsewhere). No counting allocator: `unsafe` is forbidden in the workspace.

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
    let (form_heap, session_heap) = heap_sizes(&std::fs::read(output).expect("the bytes just written"));
    let or_null = |b: Option<usize>| b.map_or("null".to_string(), |b| b.to_string());
    println!(
        "{{\"errors\":0,\"warnings\":{warnings},\"compile_ms\":[{}],\"binary_bytes\":{binary_bytes},\"json_bytes\":{json_bytes},\"form_heap_bytes\":{},\"session_heap_bytes\":{}}}",
        times.join(","),
        or_null(form_heap),
        or_null(session_heap)
    );
}

/// The resident set in bytes (Linux), from `/proc/self/statm` (pages of 4 KiB).
fn resident() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    Some(statm.split_whitespace().nth(1)?.parse::<usize>().ok()? * 4096)
}

/// The memory of one decoded form and of one session on it: the growth of the resident set
/// while 20 of each are kept, divided by 20 (pages are touched as the allocator hands them out).
fn heap_sizes(bytes: &[u8]) -> (Option<usize>, Option<usize>) {
    const N: usize = 20;
    let Some(r0) = resident() else { return (None, None) };
    let forms: Vec<engine::Form> = (0..N).map(|_| engine::Form::from_bytes(bytes).expect("the bytes decode")).collect();
    let r1 = resident().unwrap_or(r0);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date");
    let sessions: Vec<engine::Session<'_>> = forms
        .iter()
        .map(|f| {
            let s = engine::Session::new(f, "de", today);
            let _ = s.problems();
            s
        })
        .collect();
    let r2 = resident().unwrap_or(r1);
    drop(sessions);
    (Some(r1.saturating_sub(r0) / N), Some(r2.saturating_sub(r1) / N))
}
