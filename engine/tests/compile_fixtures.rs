//! One snapshot per fixture file: the diagnostics of compiling it, each with the text of
//! the file under its span (so a wrong span shows up in review), or "ok".

use std::fmt::Write;

fn slice(src: &str, a: u32, b: u32) -> String {
    src.chars().skip(a as usize).take((b - a) as usize).collect()
}

fn report(src: &str) -> String {
    let c = engine::compile(src);
    let mut out = String::new();
    for d in &c.diagnostics {
        let sev = if d.is_error() { "error" } else { "warning" };
        let _ = writeln!(
            out,
            "{sev}[{}] {}:{}-{}:{} {}\n    at: {:?}",
            d.code,
            d.span.start.line,
            d.span.start.column,
            d.span.end.line,
            d.span.end.column,
            d.message,
            slice(src, d.span.start.offset, d.span.end.offset)
        );
        if let Some(h) = &d.help {
            let _ = writeln!(out, "    help: {h}");
        }
        for l in &d.labels {
            let _ = writeln!(
                out,
                "    note {}:{}: {} ({:?})",
                l.span.start.line,
                l.span.start.column,
                l.message,
                slice(src, l.span.start.offset, l.span.end.offset)
            );
        }
    }
    if c.form.is_some() {
        out.push_str("compiled\n");
    }
    out
}

#[test]
fn fixtures() {
    insta::glob!("fixtures/**/*.yaml", |path| {
        if path.to_string_lossy().ends_with(".test.yaml") {
            return;
        }
        let src = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(report(&src));
    });
}
