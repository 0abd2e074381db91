//! A driver for profiling the session on the benchmark's generated workload under
//! `valgrind --tool=callgrind` (instruction counts are stable on a shared machine, unlike
//! times): `cargo build --release -p wegweiser-engine --example profile_session`, then
//! `valgrind --tool=callgrind target/release/examples/profile_session validate 1000`.
//! What it runs: `load` (a new session given every answer), `validate` (`problems()` of
//! a loaded session, ten times on fresh clones; `clones` makes the clones alone, to subtract)
//! or `scenarios` (the workload's scenario
//! file); `write N DIR` writes the workload and its scenarios as `DIR/workload.yaml` and
//! `DIR/workload.test.yaml`, for `wegweiser test DIR`.

#[path = "../benches/gen/mod.rs"]
mod formgen;

use chrono::NaiveDate;
use engine::session::{Input, Session};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("validate", String::as_str);
    let fields: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1000);
    if what == "write" {
        let dir = std::path::Path::new(args.get(3).map_or(".", String::as_str));
        std::fs::write(dir.join("workload.yaml"), formgen::generate_form(fields)).expect("writable");
        std::fs::write(dir.join("workload.test.yaml"), formgen::generate_scenarios(fields)).expect("writable");
        return;
    }
    let form = engine::compile(&formgen::generate_form(fields)).form.expect("the generated form compiles");
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date");
    let answers: Vec<(String, Option<Input>)> = formgen::generate_answers(fields)
        .into_iter()
        .map(|(p, a)| {
            let input = match a {
                formgen::Answer::Text(t) => Input::Text(t),
                formgen::Answer::Bool(b) => Input::Bool(b),
                formgen::Answer::List(l) => Input::List(l),
            };
            (p, Some(input))
        })
        .collect();
    let load = || {
        let mut s = Session::new(&form, "de", today);
        s.set_answers(answers.clone()).expect("known fields");
        s
    };
    match what {
        "load" => {
            std::hint::black_box(load());
        }
        "validate" => {
            let loaded = load();
            for _ in 0..10 {
                let problems = loaded.clone().problems().unwrap();
                assert!(problems.is_empty(), "{problems:?}");
            }
        }
        // The ten clones of `validate` alone: subtracted from its totals (instructions,
        // allocations under `valgrind --tool=dhat`) to leave ten validations.
        "clones" => {
            let loaded = load();
            for _ in 0..10 {
                std::hint::black_box(loaded.clone());
            }
        }
        "scenarios" => {
            let outcomes = engine::scenario::run_scenarios(&form, &formgen::generate_scenarios(fields)).expect("readable");
            assert!(outcomes.iter().all(|o| o.failures.is_empty()));
        }
        // Compiling and preparing the answers only: subtracted from the others' totals.
        "none" => {}
        other => eprintln!("unknown: {other} (none, load, validate, clones, scenarios or write)"),
    }
}
