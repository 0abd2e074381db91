//! Evaluating a checked expression against a citizen's answers (the semantics of
//! docs/form-language.md#expressions and docs/form-language.md#empty-values).
//!
//! Every operation knows what to do with `Empty`; numbers are exact decimals with 28
//! significant digits (too large → `Empty`, division by zero → `Empty`); dates use
//! calendar arithmetic. Evaluation counts its steps against a budget, so a pathological
//! form cannot make a request slow, and the result does not depend on the machine.

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use super::Env;
use super::ast::{BinOp, UnOp};
use super::cexpr::CExpr;
use super::exact;
use super::functions::Func;
use crate::value::Value;

/// Evaluation steps allowed for one expression by [`eval`].
pub const EVAL_BUDGET: u64 = 1_000_000;

/// The evaluation budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the expression needed more evaluation steps than allowed")]
pub struct BudgetExceeded;

/// Evaluates `e`. `entry` is the current repeated-group entry (from 0) for member
/// expressions. An exhausted [`EVAL_BUDGET`] gives `Empty`; use [`eval_with_budget`] to
/// tell that apart.
pub fn eval(e: &CExpr, env: &mut dyn Env, entry: Option<u32>) -> Value {
    let mut budget = EVAL_BUDGET;
    eval_with_budget(e, env, entry, &mut budget).unwrap_or(Value::Empty)
}

/// Evaluates `e`, taking one step from `budget` per node visited (per entry inside
/// `count`/`sum`). Fails when the budget runs out.
pub fn eval_with_budget(e: &CExpr, env: &mut dyn Env, entry: Option<u32>, budget: &mut u64) -> Result<Value, BudgetExceeded> {
    let mut ev = Evaluator { env, budget };
    if let CExpr::Lit(v @ (Value::Number(_) | Value::Bool(_) | Value::Date(_))) = e {
        // A constant (`min: 0`, `required: true`): its one step, without the stack check.
        ev.step()?;
        return Ok(v.clone());
    }
    ev.eval(e, entry)
}

/// 10^28: numbers of this magnitude or more are `Empty` (docs/form-language.md#numbers).
fn limit() -> Decimal {
    Decimal::from_i128_with_scale(10_000_000_000_000_000_000_000_000_000, 0)
}

/// Keeps a result within 28 significant digits (rounding half to even) and below 10^28.
fn num(d: Option<Decimal>) -> Value {
    let Some(d) = d else { return Value::Empty };
    if d.abs() >= limit() {
        return Value::Empty;
    }
    let digits = d.mantissa().unsigned_abs().checked_ilog10().map_or(1, |l| l + 1);
    let d = if digits > 28 && d.scale() > 0 {
        let drop = (digits - 28).min(d.scale());
        d.round_dp_with_strategy(d.scale() - drop, RoundingStrategy::MidpointNearestEven)
    } else {
        d
    };
    Value::Number(d)
}

/// A whole number in a range date arithmetic can use; `None` for fractions and huge values.
fn whole(d: Decimal) -> Option<i64> {
    if !d.fract().is_zero() {
        return None;
    }
    d.to_i64().filter(|n| n.unsigned_abs() <= 10_000_000)
}

/// Adds months, clamping the day to the end of the month. Also says whether it clamped.
fn add_months(d: NaiveDate, n: i64) -> Option<(NaiveDate, bool)> {
    let total = i64::from(d.year()) * 12 + i64::from(d.month0()) + n;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = total.rem_euclid(12) as u32 + 1;
    let last = last_day(year, month)?;
    let day = d.day().min(last);
    Some((NaiveDate::from_ymd_opt(year, month, day)?, day != d.day()))
}

fn last_day(year: i32, month: u32) -> Option<u32> {
    let first_next =
        if month == 12 { NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)? } else { NaiveDate::from_ymd_opt(year, month + 1, 1)? };
    Some(first_next.pred_opt()?.day())
}

/// Whole periods of `step` months from `a` to `b` (docs/form-language.md#functions, §§ 187(2), 188 BGB): the largest
/// n whose anniversary is on or before `b`, the anniversary being the day after a clamped
/// date; negative when `b` is before `a`.
fn periods_between(a: NaiveDate, b: NaiveDate, step: i64) -> Option<i64> {
    if b < a {
        return periods_between(b, a, step).map(|n| -n);
    }
    let months = (i64::from(b.year()) - i64::from(a.year())) * 12 + i64::from(b.month()) - i64::from(a.month());
    let mut n = months / step;
    loop {
        if n <= 0 {
            return Some(0);
        }
        let (d, clamped) = add_months(a, n * step)?;
        let anniversary = if clamped { d.succ_opt()? } else { d };
        if anniversary <= b {
            return Some(n);
        }
        n -= 1;
    }
}

/// `number(text)`: digits, an optional leading `-`, `.` with digits on both sides.
fn read_number(s: &str) -> Value {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Value::Empty;
    }
    let significant = body.replace('.', "").trim_start_matches('0').len();
    if significant > 28 {
        return Value::Empty;
    }
    num(Decimal::from_str_exact(s).ok())
}

/// Equality of two non-empty values of one type; lists compare as sets of items.
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            let (mut x, mut y) = (x.clone(), y.clone());
            x.sort();
            x.dedup();
            y.sort();
            y.dedup();
            x == y
        }
        _ => a == b,
    }
}

struct Evaluator<'a, 'b> {
    env: &'a mut dyn Env,
    budget: &'b mut u64,
}

impl Evaluator<'_, '_> {
    fn step(&mut self) -> Result<(), BudgetExceeded> {
        if *self.budget == 0 || !self.env.spend_step() {
            return Err(BudgetExceeded);
        }
        *self.budget -= 1;
        Ok(())
    }

    fn eval(&mut self, e: &CExpr, entry: Option<u32>) -> Result<Value, BudgetExceeded> {
        crate::stack::guarded(|| self.eval_node(e, entry))
    }

    fn eval_node(&mut self, e: &CExpr, entry: Option<u32>) -> Result<Value, BudgetExceeded> {
        self.step()?;
        Ok(match e {
            CExpr::Lit(v) => match v {
                // Literals are stored as written; as a value, a text is trimmed and `[]` is empty.
                Value::Text(s) => Value::text(s.as_str()),
                Value::List(items) if items.is_empty() => Value::Empty,
                v => v.clone(),
            },
            CExpr::Field(id) => self.env.field(*id, None),
            CExpr::Member(id) => self.env.field(*id, entry),
            CExpr::Value(id) => self.env.value(*id),
            CExpr::Index => entry.map_or(Value::Empty, |i| Value::Number(Decimal::from(i) + Decimal::ONE)),
            CExpr::Unary(UnOp::Not, x) => match self.eval(x, entry)? {
                Value::Bool(b) => Value::Bool(!b),
                _ => Value::Empty,
            },
            CExpr::Unary(UnOp::Neg, x) => match self.eval(x, entry)? {
                Value::Number(d) => Value::Number(-d),
                _ => Value::Empty,
            },
            CExpr::Binary(op, a, b) => self.binary(*op, a, b, entry)?,
            CExpr::Join(parts) => {
                let mut s = String::new();
                for p in parts {
                    match p {
                        // The literal's own spaces count: only the whole join is trimmed.
                        CExpr::Lit(Value::Text(t)) => s.push_str(t),
                        p => {
                            if let Value::Text(t) = self.eval(p, entry)? {
                                s.push_str(&t);
                            }
                        }
                    }
                }
                Value::text(s)
            }
            CExpr::Call(f, args) => self.call(*f, args, entry)?,
            CExpr::Count { group, cond } => {
                let mut n = 0u32;
                for i in self.env.entries(*group) {
                    self.step()?;
                    let holds = match cond {
                        None => true,
                        Some(c) => self.eval(c, Some(i))?.holds(),
                    };
                    n += u32::from(holds);
                }
                Value::Number(Decimal::from(n))
            }
            CExpr::Sum { group, expr } => {
                let mut terms = Vec::new();
                for i in self.env.entries(*group) {
                    self.step()?;
                    if let Value::Number(d) = self.eval(expr, Some(i))? {
                        terms.push(d);
                    }
                }
                // One result, rounded once (docs/form-language.md#numbers), however many entries it adds.
                num(exact::sum(terms))
            }
            CExpr::GroupFilled(g) => Value::Bool(self.env.group_filled(*g, None)),
            CExpr::MemberGroupFilled(g) => Value::Bool(self.env.group_filled(*g, entry)),
            CExpr::Matches(t, p) => match self.eval(t, entry)? {
                // `None`: the browser has no DFA for this pattern; the server decides.
                Value::Text(s) => p.is_match_part(&s).map_or(Value::Empty, Value::Bool),
                _ => Value::Empty,
            },
        })
    }

    fn binary(&mut self, op: BinOp, a: &CExpr, b: &CExpr, entry: Option<u32>) -> Result<Value, BudgetExceeded> {
        use Value::{Bool, Date, Empty, Number};
        // `false and …` is false and `true or …` is true whatever the other side is.
        let l = self.eval(a, entry)?;
        match (op, &l) {
            (BinOp::And, Bool(false)) => return Ok(Bool(false)),
            (BinOp::Or, Bool(true)) => return Ok(Bool(true)),
            _ => {}
        }
        let r = self.eval(b, entry)?;
        Ok(match op {
            BinOp::And => match (l, r) {
                (_, Bool(false)) => Bool(false),
                (Bool(true), Bool(true)) => Bool(true),
                _ => Empty,
            },
            BinOp::Or => match (l, r) {
                (_, Bool(true)) => Bool(true),
                (Bool(false), Bool(false)) => Bool(false),
                _ => Empty,
            },
            BinOp::Eq => Bool(match (l.is_empty(), r.is_empty()) {
                (true, true) => true,
                (false, false) => equal(&l, &r),
                _ => false,
            }),
            BinOp::Ne => Bool(!l.is_empty() && !r.is_empty() && !equal(&l, &r)),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let ord = match (&l, &r) {
                    (Number(x), Number(y)) => x.cmp(y),
                    (Date(x), Date(y)) => x.cmp(y),
                    _ => return Ok(Bool(false)),
                };
                Bool(match op {
                    BinOp::Lt => ord.is_lt(),
                    BinOp::Le => ord.is_le(),
                    BinOp::Gt => ord.is_gt(),
                    _ => ord.is_ge(),
                })
            }
            BinOp::In => match (&l, &r) {
                (Value::Text(t), Value::List(items)) => Bool(items.contains(t)),
                _ => Bool(false),
            },
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => match (l, r) {
                (Number(x), Number(y)) => num(match op {
                    // Exact, then rounded once (docs/form-language.md#numbers); None for 10^28 and more and for a
                    // zero divisor.
                    BinOp::Add => exact::add(x, y),
                    BinOp::Sub => exact::sub(x, y),
                    BinOp::Mul => exact::mul(x, y),
                    _ => exact::div(x, y),
                }),
                _ => Empty,
            },
        })
    }

    fn call(&mut self, f: Func, args: &[CExpr], entry: Option<u32>) -> Result<Value, BudgetExceeded> {
        use Value::{Bool, Date, Empty, Number, Text};
        // The functions that look at emptiness, or evaluate lazily.
        match f {
            Func::Filled | Func::Empty => {
                let filled = match &args[0] {
                    // The field's node takes its step as if it were evaluated; its value is
                    // not copied out only to be tested.
                    CExpr::Field(id) => {
                        self.step()?;
                        self.env.field_filled(*id, None)
                    }
                    CExpr::Member(id) => {
                        self.step()?;
                        self.env.field_filled(*id, entry)
                    }
                    a => !self.eval(a, entry)?.is_empty(),
                };
                return Ok(Bool(filled == (f == Func::Filled)));
            }
            Func::If => {
                let c = self.eval(&args[0], entry)?.holds();
                return self.eval(&args[if c { 1 } else { 2 }], entry);
            }
            Func::IfEmpty => {
                let v = self.eval(&args[0], entry)?;
                return if v.is_empty() { self.eval(&args[1], entry) } else { Ok(v) };
            }
            Func::Len => {
                return Ok(Number(Decimal::from(match self.eval(&args[0], entry)? {
                    Text(s) => s.chars().count(),
                    Value::List(items) => items.len(),
                    _ => 0,
                })));
            }
            Func::Today => return Ok(Date(self.env.today())),
            _ => {}
        }
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            let v = self.eval(a, entry)?;
            if v.is_empty() {
                return Ok(Empty);
            }
            vals.push(v);
        }
        let today = self.env.today();
        Ok(match (f, vals.as_slice()) {
            (Func::Date, [Text(s)]) => iso_date(s).map_or(Empty, Date),
            (Func::Age, [Date(d)]) => periods_between(*d, today, 12).map_or(Empty, |n| Number(n.into())),
            (Func::YearsBetween, [Date(a), Date(b)]) => periods_between(*a, *b, 12).map_or(Empty, |n| Number(n.into())),
            (Func::MonthsBetween, [Date(a), Date(b)]) => periods_between(*a, *b, 1).map_or(Empty, |n| Number(n.into())),
            (Func::DaysBetween, [Date(a), Date(b)]) => Number((*b - *a).num_days().into()),
            (Func::AddDays, [Date(d), Number(n)]) => match whole(*n) {
                Some(n) if n >= 0 => d.checked_add_days(Days::new(n as u64)).map_or(Empty, Date),
                Some(n) => d.checked_sub_days(Days::new(n.unsigned_abs())).map_or(Empty, Date),
                None => Empty,
            },
            (Func::AddMonths, [Date(d), Number(n)]) => whole(*n).and_then(|n| add_months(*d, n)).map_or(Empty, |(d, _)| Date(d)),
            (Func::AddYears, [Date(d), Number(n)]) => whole(*n).and_then(|n| add_months(*d, n * 12)).map_or(Empty, |(d, _)| Date(d)),
            (Func::Floor, [Number(x)]) => Number(x.floor()),
            (Func::Ceil, [Number(x)]) => Number(x.ceil()),
            (Func::Round, [Number(x), Number(n)]) => match whole(*n) {
                Some(n @ 0..=28) => Number(x.round_dp_with_strategy(n as u32, RoundingStrategy::MidpointAwayFromZero)),
                _ => Empty,
            },
            (Func::Min | Func::Max, vals) => {
                let pick = |a: &Value, b: &Value| -> bool {
                    // true when b replaces a
                    let ord = match (a, b) {
                        (Number(x), Number(y)) => y.cmp(x),
                        (Date(x), Date(y)) => y.cmp(x),
                        _ => return false,
                    };
                    if f == Func::Min { ord.is_lt() } else { ord.is_gt() }
                };
                let mut best = vals[0].clone();
                for v in &vals[1..] {
                    if pick(&best, v) {
                        best = v.clone();
                    }
                }
                best
            }
            (Func::Contains, [Text(t), Text(p)]) => Bool(t.contains(p.as_str())),
            (Func::Lower, [Text(t)]) => Value::text(crate::checks::to_lower(t)),
            (Func::Upper, [Text(t)]) => Value::text(crate::checks::to_upper(t)),
            (Func::Number, [Text(t)]) => read_number(t),
            // Types are checked at compile time; anything else is a value of an unexpected type.
            _ => Empty,
        })
    }
}

/// Reads `YYYY-MM-DD` strictly (four-digit year, two-digit month and day).
pub(crate) fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let digits = [0, 1, 2, 3, 5, 6, 8, 9];
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits.iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(s[0..4].parse().ok()?, s[5..7].parse().ok()?, s[8..10].parse().ok()?)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::expr::check::tests::{FakeScope, HUND};
    use crate::expr::{CheckCtx, check, parse};
    use crate::ids::{FieldId, ValueId};

    /// Answers by field id and entry.
    #[derive(Default)]
    struct FakeEnv {
        fields: HashMap<(u32, Option<u32>), Value>,
        values: HashMap<u32, Value>,
        entries: HashMap<u32, Vec<u32>>,
    }

    impl Env for FakeEnv {
        fn field(&mut self, id: FieldId, entry: Option<u32>) -> Value {
            self.fields.get(&(id.0, entry)).cloned().unwrap_or_default()
        }
        fn value(&mut self, id: ValueId) -> Value {
            self.values.get(&id.0).cloned().unwrap_or_default()
        }
        fn entries(&mut self, group: FieldId) -> Vec<u32> {
            self.entries.get(&group.0).cloned().unwrap_or_default()
        }
        fn group_filled(&mut self, group: FieldId, entry: Option<u32>) -> bool {
            match group.0 {
                5 => !self.entries(group).is_empty(),
                // adresse: strasse (9); impfung: geimpft_am (11) of the entry
                8 => !self.field(FieldId(9), None).is_empty(),
                10 => !self.field(FieldId(11), entry).is_empty(),
                _ => false,
            }
        }
        fn today(&self) -> NaiveDate {
            d("2026-03-15")
        }
    }

    fn d(s: &str) -> NaiveDate {
        iso_date(s).unwrap()
    }

    fn n(s: &str) -> Value {
        Value::Number(Decimal::from_str_exact(s).unwrap())
    }

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn set(env: &mut FakeEnv, name: &str, v: Value) {
        let Resolved::Field { id, .. } = FakeScope::new().resolve(name) else { panic!("{name}") };
        env.fields.insert((id.0, None), v);
    }

    use crate::expr::{Resolved, Scope};

    fn ev_in(src: &str, env: &mut FakeEnv, ctx: CheckCtx, entry: Option<u32>) -> Value {
        let e = parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        let (c, _) = check(&e, &FakeScope::new(), &ctx).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        eval(&c, env, entry)
    }

    fn ev(src: &str, env: &mut FakeEnv) -> Value {
        ev_in(src, env, CheckCtx::default(), None)
    }

    fn ev0(src: &str) -> Value {
        ev(src, &mut FakeEnv::default())
    }

    #[test]
    fn joins_trim_the_whole_chain() {
        let mut env = FakeEnv::default();
        assert_eq!(ev("vorname + \" \" + nachname", &mut env), Value::Empty);
        set(&mut env, "vorname", t("Erika"));
        assert_eq!(ev("vorname + \" \" + nachname", &mut env), t("Erika"));
        set(&mut env, "nachname", t("Mustermann"));
        assert_eq!(ev("vorname + \" \" + nachname", &mut env), t("Erika Mustermann"));
        assert_eq!(ev0("\"a\" + \" \" + \"b\""), t("a b"));
        assert_eq!(ev0("\" a \""), t("a"));
        assert_eq!(ev0("\"  \" == \"\""), Value::Bool(true));
    }

    #[test]
    fn empty_in_comparisons_and_logic() {
        let mut env = FakeEnv::default();
        // x unanswered: neither x == "DE" nor x != "DE", but not (x == "DE").
        assert_eq!(ev("vorname == \"DE\"", &mut env), Value::Bool(false));
        assert_eq!(ev("vorname != \"DE\"", &mut env), Value::Bool(false));
        assert_eq!(ev("not (vorname == \"DE\")", &mut env), Value::Bool(true));
        assert_eq!(ev("vorname == nachname", &mut env), Value::Bool(true));
        assert_eq!(ev("vorname != nachname", &mut env), Value::Bool(false));
        assert_eq!(ev("alter < 3", &mut env), Value::Bool(false));
        assert_eq!(ev("alter >= 3", &mut env), Value::Bool(false));
        assert_eq!(ev("'a' in tiere", &mut env), Value::Bool(false));
        assert_eq!(ev("vorname in ['a']", &mut env), Value::Bool(false));
        assert_eq!(ev("tiere == []", &mut env), Value::Bool(true));
        assert_eq!(ev("not zustimmung", &mut env), Value::Empty);
        assert_eq!(ev("zustimmung and true", &mut env), Value::Empty);
        assert_eq!(ev("zustimmung and false", &mut env), Value::Bool(false));
        assert_eq!(ev("false and zustimmung", &mut env), Value::Bool(false));
        assert_eq!(ev("zustimmung or true", &mut env), Value::Bool(true));
        assert_eq!(ev("zustimmung or false", &mut env), Value::Empty);
        assert_eq!(ev("true or zustimmung", &mut env), Value::Bool(true));
        assert_eq!(ev0("true and true or false"), Value::Bool(true));
        assert_eq!(ev0("1 < 2 and 2 <= 2 and 3 > 2 and 2 >= 3"), Value::Bool(false));
        set(&mut env, "tiere", Value::List(vec!["katze".into(), "hund".into()]));
        assert_eq!(ev("\"hund\" in tiere", &mut env), Value::Bool(true));
        assert_eq!(ev("tiere == ['hund', 'katze']", &mut env), Value::Bool(true));
        assert_eq!(ev("'maus' in tiere", &mut env), Value::Bool(false));
    }

    #[test]
    fn arithmetic() {
        let mut env = FakeEnv::default();
        assert_eq!(ev("alter + 1", &mut env), Value::Empty);
        assert_eq!(ev("-alter", &mut env), Value::Empty);
        assert_eq!(ev0("0.1 + 0.2 == 0.3"), Value::Bool(true));
        assert_eq!(ev0("3.50 + 1"), n("4.50"));
        assert_eq!(ev0("2 * 3 - 10 / 4"), n("3.5"));
        assert_eq!(ev0("1 / 0"), Value::Empty);
        assert_eq!(ev0("5 / (2 - 2)"), Value::Empty);
        // 10^28 and more is empty; just below is fine.
        assert_eq!(ev0("9999999999999999999999999999 + 1"), Value::Empty);
        assert_eq!(ev0("-9999999999999999999999999999 - 1"), Value::Empty);
        assert_eq!(ev0("5000000000000000000000000000 * 2"), Value::Empty);
        assert_eq!(ev0("9999999999999999999999999998 + 1"), n("9999999999999999999999999999"));
        // More than 28 significant digits: rounded half to even.
        assert_eq!(ev0("1 / 3"), n("0.3333333333333333333333333333"));
        assert_eq!(ev0("2 / 3"), n("0.6666666666666666666666666667"));
        assert_eq!(ev0("20 / 3"), n("6.666666666666666666666666667"));
        assert_eq!(ev0("1000000000000000000000000000 + 0.5"), n("1000000000000000000000000000"));
        assert_eq!(ev0("1000000000000000000000000001 + 0.5"), n("1000000000000000000000000002"));
        assert_eq!(ev0("0.1000000000000000000000000005 * 1"), n("0.1000000000000000000000000005"));
        // Rounded once, from the exact result: …001.49 is …001, never …001.5 and then …002.
        assert_eq!(ev0("1000000000000000000000000001 + 0.49"), n("1000000000000000000000000001"));
        assert_eq!(ev0("1000000000000000000000000001 - 0.51"), n("1000000000000000000000000000"));
    }

    #[test]
    fn functions_with_empty_arguments() {
        let mut env = FakeEnv::default();
        assert_eq!(ev("filled(vorname)", &mut env), Value::Bool(false));
        assert_eq!(ev("empty(vorname)", &mut env), Value::Bool(true));
        assert_eq!(ev("len(vorname)", &mut env), n("0"));
        assert_eq!(ev("len(tiere)", &mut env), n("0"));
        assert_eq!(ev("if(zustimmung, 1, 2)", &mut env), n("2"));
        assert_eq!(ev("if_empty(alter, 7)", &mut env), n("7"));
        assert_eq!(ev("count(hund)", &mut env), n("0"));
        assert_eq!(ev("sum(hund, hund_alter)", &mut env), n("0"));
        assert_eq!(ev("upper(vorname)", &mut env), Value::Empty);
        assert_eq!(ev("age(geburtsdatum)", &mut env), Value::Empty);
        assert_eq!(ev("max(alter, 3)", &mut env), Value::Empty);
        assert_eq!(ev("matches(vorname, 'a')", &mut env), Value::Empty);
        assert_eq!(ev("round(alter, 2)", &mut env), Value::Empty);
        set(&mut env, "vorname", t("Jürgen"));
        set(&mut env, "alter", n("12"));
        assert_eq!(ev("filled(vorname)", &mut env), Value::Bool(true));
        assert_eq!(ev("len(vorname)", &mut env), n("6"));
        assert_eq!(ev("if_empty(alter, 7)", &mut env), n("12"));
        assert_eq!(ev("upper(vorname) + lower('ÄB')", &mut env), t("JÜRGENäb"));
        assert_eq!(ev("contains(vorname, 'ürg')", &mut env), Value::Bool(true));
        assert_eq!(ev("matches(vorname, '^J')", &mut env), Value::Bool(true));
        assert_eq!(ev("matches(vorname, 'gen$') and not matches(vorname, '^gen')", &mut env), Value::Bool(true));
        assert_eq!(ev0("len(['a', 'b'])"), n("2"));
    }

    #[test]
    fn numbers_and_rounding() {
        assert_eq!(ev0("round(2.345, 2)"), n("2.35"));
        assert_eq!(ev0("round(-2.345, 2)"), n("-2.35"));
        assert_eq!(ev0("round(2.5, 0)"), n("3"));
        assert_eq!(ev0("round(2.5, 0.5)"), Value::Empty);
        assert_eq!(ev0("floor(2.7) + ceil(2.1)"), n("5"));
        assert_eq!(ev0("floor(-2.5)"), n("-3"));
        assert_eq!(ev0("min(3, 1, 2)"), n("1"));
        assert_eq!(ev0("max(3, 1, 2)"), n("3"));
        assert_eq!(ev0("max(date('2026-01-01'), date('2025-01-01'))"), Value::Date(d("2026-01-01")));
        assert_eq!(ev0("number('12.50')"), n("12.50"));
        assert_eq!(ev0("number('007')"), n("7"));
        assert_eq!(ev0("number('-3')"), n("-3"));
        for bad in ["12.", ".5", "1,5", "+1", "1e3", "abc", "- 1", "1.2.3"] {
            assert_eq!(ev0(&format!("number('{bad}')")), Value::Empty, "{bad}");
        }
    }

    #[test]
    fn dates() {
        let v = |s: &str| Value::Date(d(s));
        assert_eq!(ev0("add_years(date(\"2024-02-29\"), 1)"), v("2025-02-28"));
        assert_eq!(ev0("add_years(date(\"2024-02-29\"), 4)"), v("2028-02-29"));
        assert_eq!(ev0("add_months(date(\"2026-01-31\"), 1)"), v("2026-02-28"));
        assert_eq!(ev0("add_months(date(\"2026-03-31\"), -1)"), v("2026-02-28"));
        assert_eq!(ev0("add_months(date(\"2026-01-15\"), -13)"), v("2024-12-15"));
        assert_eq!(ev0("add_months(date(\"2026-01-15\"), 1.5)"), Value::Empty);
        assert_eq!(ev0("add_days(date(\"2026-02-28\"), 1)"), v("2026-03-01"));
        assert_eq!(ev0("add_days(date(\"2026-03-01\"), -1)"), v("2026-02-28"));
        assert_eq!(ev0("days_between(date(\"2026-01-01\"), date(\"2026-03-01\"))"), n("59"));
        assert_eq!(ev0("days_between(date(\"2026-03-01\"), date(\"2026-01-01\"))"), n("-59"));
        // Born on 29 February: a year completes on 1 March in a common year.
        assert_eq!(ev0("years_between(date(\"2024-02-29\"), date(\"2025-02-28\"))"), n("0"));
        assert_eq!(ev0("years_between(date(\"2024-02-29\"), date(\"2025-03-01\"))"), n("1"));
        assert_eq!(ev0("years_between(date(\"2024-02-29\"), date(\"2028-02-29\"))"), n("4"));
        assert_eq!(ev0("years_between(date(\"2025-03-01\"), date(\"2024-02-29\"))"), n("-1"));
        assert_eq!(ev0("years_between(date(\"2000-06-15\"), date(\"2026-06-14\"))"), n("25"));
        assert_eq!(ev0("years_between(date(\"2000-06-15\"), date(\"2026-06-15\"))"), n("26"));
        assert_eq!(ev0("months_between(date(\"2026-01-31\"), date(\"2026-02-28\"))"), n("0"));
        assert_eq!(ev0("months_between(date(\"2026-01-31\"), date(\"2026-03-01\"))"), n("1"));
        assert_eq!(ev0("months_between(date(\"2026-01-15\"), date(\"2026-03-14\"))"), n("1"));
        assert_eq!(ev0("months_between(date(\"2026-03-14\"), date(\"2026-01-15\"))"), n("-1"));
        // today() is 2026-03-15 in the fake environment.
        let mut env = FakeEnv::default();
        set(&mut env, "geburtsdatum", v("2008-03-15"));
        assert_eq!(ev("age(geburtsdatum)", &mut env), n("18"));
        set(&mut env, "geburtsdatum", v("2008-03-16"));
        assert_eq!(ev("age(geburtsdatum) >= 18", &mut env), Value::Bool(false));
        assert_eq!(ev0("today()"), v("2026-03-15"));
        assert_eq!(ev("date(vorname)", &mut env), Value::Empty);
        set(&mut env, "vorname", t("2026-02-30"));
        assert_eq!(ev("date(vorname)", &mut env), Value::Empty);
        set(&mut env, "vorname", t("2026-02-03"));
        assert_eq!(ev("date(vorname)", &mut env), v("2026-02-03"));
    }

    fn dogs() -> FakeEnv {
        let mut env = FakeEnv::default();
        // Entries 0, 2 and 3 are non-empty (1 is a blank entry).
        env.entries.insert(HUND.0, vec![0, 2, 3]);
        env.fields.insert((6, Some(0)), t("Bello"));
        env.fields.insert((7, Some(0)), n("3"));
        env.fields.insert((6, Some(2)), t("Rex"));
        env.fields.insert((6, Some(3)), t("Wuff"));
        env.fields.insert((7, Some(3)), n("10.5"));
        env.fields.insert((11, Some(3)), Value::Date(d("2025-01-01")));
        env
    }

    #[test]
    fn groups() {
        let mut env = dogs();
        assert_eq!(ev("count(hund)", &mut env), n("3"));
        assert_eq!(ev("count(hund, hund_alter > 2)", &mut env), n("2"));
        assert_eq!(ev("count(hund, hund_alter > 5)", &mut env), n("1"));
        assert_eq!(ev("count(hund, index > 1)", &mut env), n("2"));
        assert_eq!(ev("sum(hund, hund_alter)", &mut env), n("13.5"));
        assert_eq!(ev("sum(hund, index)", &mut env), n("8"));
        assert_eq!(ev("count(hund, filled(impfung))", &mut env), n("1"));
        assert_eq!(ev("filled(hund) and empty(adresse)", &mut env), Value::Bool(true));
        let in_hund = CheckCtx { group: Some(HUND) };
        assert_eq!(ev_in("index", &mut env, in_hund, Some(2)), n("3"));
        assert_eq!(ev_in("hund_name", &mut env, in_hund, Some(3)), t("Wuff"));
        assert_eq!(ev_in("filled(impfung)", &mut env, in_hund, Some(3)), Value::Bool(true));
        assert_eq!(ev_in("filled(impfung)", &mut env, in_hund, Some(0)), Value::Bool(false));
        assert_eq!(ev("if(count(hund) > 2, 'viele', 'wenige')", &mut env), t("viele"));
        // An inactive group has no entries.
        env.entries.clear();
        assert_eq!(ev("count(hund) + sum(hund, hund_alter)", &mut env), n("0"));
    }

    #[test]
    fn values_and_budget() {
        let mut env = FakeEnv::default();
        env.values.insert(0, n("25"));
        assert_eq!(ev("gebuehr * 2", &mut env), n("50"));
        let e = parse("sum(hund, hund_alter) + 1").unwrap();
        let (c, _) = check(&e, &FakeScope::new(), &CheckCtx::default()).unwrap();
        let mut env = dogs();
        let mut budget = 3;
        assert_eq!(eval_with_budget(&c, &mut env, None, &mut budget), Err(BudgetExceeded));
        let mut budget = 100;
        assert_eq!(eval_with_budget(&c, &mut env, None, &mut budget), Ok(n("14.5")));
        assert!(budget < 100);
        let used = 100 - budget;
        let mut budget = used;
        assert!(eval_with_budget(&c, &mut env, None, &mut budget).is_ok(), "deterministic step count");
    }
}
