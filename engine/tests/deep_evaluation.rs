//! Deep evaluations do not overflow the stack. Found while adding the session budget: a
//! form whose computed fields each read the one before overflowed a 2 MiB thread (what a
//! tokio worker has) after a few hundred links in a debug build, and a single sum of 250
//! terms did so while being compiled. An overflow aborts the whole server, so these run
//! on threads with exactly 2 MiB of stack.

use chrono::NaiveDate;
use engine::session::{Input, Session};
use engine::value::Value;
use rust_decimal::Decimal;

/// `c0` is an integer; `c1` … `c{n-1}` each add `terms` times the one before.
fn chain(n: usize, terms: usize) -> String {
    let mut y = String::from("wegweiser: 1\nid: kette\ntitle: Kette\nsteps:\n  - id: s0\n    fields:\n      - { id: c0, type: integer }\n");
    for i in 1..n {
        let sum = vec![format!("c{}", i - 1); terms].join(" + ");
        y.push_str(&format!("      - {{ id: c{i}, type: computed, value: \"{sum}\" }}\n"));
    }
    y.push_str(&format!("      - {{ id: ende, type: text, visible_if: c{} > 0 }}\n", n - 1));
    y
}

/// Compiles the chain, answers `c0 = 1`, restores the session from its snapshot (so
/// nothing is cached) and asks for the last link's value first: the deepest recursion.
fn last_value(n: usize, terms: usize) -> (Value, bool) {
    let src = chain(n, terms);
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let c = engine::compile(&src);
            let form = c.form.unwrap_or_else(|| panic!("{:#?}", c.diagnostics));
            let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
            let mut s = Session::new(&form, "de", today);
            s.set_answer("c0", Some(Input::Text("1".into()))).unwrap();
            let (s, _) = Session::restore(&form, &s.snapshot(), today);
            let last = s.instance(&format!("c{}", n - 1)).unwrap();
            let ende = s.instance("ende").unwrap();
            let v = s.value(last);
            (v, s.is_active(ende))
        })
        .unwrap()
        .join()
        .expect("no stack overflow")
}

#[test]
fn a_chain_of_5000_calculations_evaluates_without_overflowing_the_stack() {
    assert_eq!(last_value(5000, 1), (Value::Number(Decimal::ONE), true));
}

#[test]
fn a_sum_of_250_terms_compiles_and_evaluates_without_overflowing_the_stack() {
    assert_eq!(last_value(2, 250), (Value::Number(Decimal::from(250)), true));
}

#[test]
fn forty_links_of_fifty_terms_each_evaluate_without_overflowing_the_stack() {
    // 50^40 is beyond 10^28, so the last links are empty (docs/form-language.md#numbers), and `ende` is hidden.
    assert_eq!(last_value(40, 50), (Value::Empty, false));
    assert_eq!(last_value(16, 50), (Value::Number(Decimal::from_i128_with_scale(50i128.pow(15), 0)), true));
}
