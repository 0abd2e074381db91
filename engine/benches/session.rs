//! Session benchmarks on a generated 1,000-field form (see `tests/common/bigform.rs`).
//!
//! - `answer_change/1000_fields_50_readers`: one `set_answer` of `x`, which 50 `visible_if`
//!   conditions read, on a fully evaluated session (target: under 20 µs).
//! - `validate/1000_fields_complete`: `problems()` of a completely and validly filled form
//!   with cold caches (target: under 1 ms). The session is a fresh clone for every
//!   iteration, made and dropped outside the measured time.
//! - On the compile benchmark's generated workload (`gen/mod.rs`) at 100, 1,000 and 10,000
//!   fields: `load/N` (a new session given every answer of a complete application at once:
//!   the path walked, caches cold), `validate/N` (`problems()` of that session) and
//!   `scenarios/N` (the workload's scenario file through `engine::scenario`, what
//!   `wegweiser test` does).
//!
//! Run with `nice cargo bench -p wegweiser-engine --bench session -- --quick`; the figures are
//! in docs/performance.md.

#[path = "../tests/common/bigform.rs"]
mod bigform;
#[path = "gen/mod.rs"]
mod formgen;

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
    assert!(s.problems().unwrap().is_empty());
    s.submission_data().unwrap();
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
    assert!(prepared.clone().problems().unwrap().is_empty());
    c.bench_function("validate/1000_fields_complete", |b| {
        b.iter_batched_ref(|| prepared.clone(), |s| black_box(s.problems().unwrap()), BatchSize::SmallInput)
    });
}

fn gen_form(fields: usize) -> Form {
    let c = engine::compile(&formgen::generate_form(fields));
    c.form.expect("the generated form compiles")
}

fn gen_answers(fields: usize) -> Vec<(String, Option<Input>)> {
    formgen::generate_answers(fields)
        .into_iter()
        .map(|(p, a)| {
            let input = match a {
                formgen::Answer::Text(t) => Input::Text(t),
                formgen::Answer::Bool(b) => Input::Bool(b),
                formgen::Answer::List(l) => Input::List(l),
            };
            (p, Some(input))
        })
        .collect()
}

fn scaling(c: &mut Criterion) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date");
    for fields in [100, 1_000, 10_000] {
        let form = gen_form(fields);
        let answers = gen_answers(fields);
        let load = || {
            let mut s = Session::new(&form, "de", today);
            s.set_answers(answers.clone()).expect("known fields");
            s
        };
        let prepared = load();
        assert!(prepared.clone().problems().unwrap().is_empty(), "the generated answers are valid");
        let scenarios = formgen::generate_scenarios(fields);
        let mut group = c.benchmark_group("generated");
        if fields == 10_000 {
            group.sample_size(10);
        }
        group.bench_function(format!("load/{fields}"), |b| b.iter(|| black_box(load())));
        group.bench_function(format!("validate/{fields}"), |b| {
            b.iter_batched_ref(|| prepared.clone(), |s| black_box(s.problems().unwrap()), BatchSize::SmallInput)
        });
        group.bench_function(format!("scenarios/{fields}"), |b| {
            b.iter(|| black_box(engine::scenario::run_scenarios(&form, &scenarios).expect("readable")))
        });
        group.finish();
    }
}

criterion_group!(benches, answer_change, validate, scaling);
criterion_main!(benches);
