//! Session benchmarks on a generated 1,000-field form (see `tests/common/bigform.rs`).
//!
//! - `answer_change/1000_fields_50_readers`: one `set_answer` of `x`, which 50 `visible_if`
//!   conditions read, on a fully evaluated session (target: under 20 µs).
//! - `validate/1000_fields_complete`: `problems()` of a completely and validly filled form
//!   with cold caches (target: under 1 ms).

#[path = "../tests/common/bigform.rs"]
mod bigform;

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use engine::form::Form;
use engine::session::{Input, Session};

fn form() -> Form {
    let c = engine::compile(&bigform::yaml());
    assert!(!c.has_errors(), "the generated form compiles");
    c.form.expect("compiled")
}

fn filled(form: &Form) -> Session<'_> {
    let mut s = Session::new(form, "de", NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date"));
    s.set_answers(bigform::answers().into_iter().map(|(p, a)| (p, Some(Input::Text(a))))).expect("known fields");
    s
}

fn answer_change(c: &mut Criterion) {
    let form = form();
    let mut s = filled(&form);
    assert!(s.problems().is_empty());
    s.submission_data();
    let values = [Input::Text("3".into()), Input::Text("7".into())];
    let mut i = 0;
    c.bench_function("answer_change/1000_fields_50_readers", |b| {
        b.iter(|| {
            i ^= 1;
            black_box(s.set_answer("x", Some(values[i].clone())).expect("x is an input"))
        })
    });
}

fn validate(c: &mut Criterion) {
    let form = form();
    // The session right after its answers were set: path walked, caches cold.
    let prepared = filled(&form);
    assert!(prepared.clone().problems().is_empty());
    c.bench_function("validate/1000_fields_complete", |b| {
        b.iter_batched(|| prepared.clone(), |mut s| black_box(s.problems()), BatchSize::SmallInput)
    });
}

criterion_group!(benches, answer_change, validate);
criterion_main!(benches);
