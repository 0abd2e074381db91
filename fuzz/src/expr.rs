//! Target `expr`: any text → expression parser, type checker and evaluator.
//!
//! The text is parsed as an expression and as a text with `{{ }}` placeholders. A parsed
//! expression is type-checked against a fixed scope with a name of every type (fields,
//! a repeated group and its members, a plain group, values), outside and inside the
//! repeated group; what checks is evaluated against answers that are all empty and
//! against answers that are all filled. Checks: no panic, error spans inside the text,
//! the checker's type agrees with the type of the value evaluated, and evaluation ends
//! within its step budget or reports that it ran out.

use chrono::NaiveDate;
use engine::expr::{self, CheckCtx, Env, ExprError, Resolved, Scope, Type};
use engine::ids::{FieldId, ValueId};
use engine::value::{FileRef, Value};
use rust_decimal::Decimal;

/// Names the scope knows: `(name, meaning)`.
fn names() -> Vec<(&'static str, Resolved)> {
    let f = |id: u32, ty: Type| Resolved::Field { id: FieldId(id), ty, repeat_group: None };
    let member = |id: u32, ty: Type| Resolved::Field { id: FieldId(id), ty, repeat_group: Some(FieldId(6)) };
    vec![
        ("name", f(0, Type::Text)),
        ("alter", f(1, Type::Number)),
        ("geburtsdatum", f(2, Type::Date)),
        ("zustimmung", f(3, Type::Bool)),
        ("sprachen", f(4, Type::List)),
        ("nachweis", f(5, Type::File)),
        ("hund", Resolved::Group { id: FieldId(6), repeated: true, repeat_group: None }),
        ("hundename", member(7, Type::Text)),
        ("gewicht", member(8, Type::Number)),
        ("adresse", Resolved::Group { id: FieldId(9), repeated: false, repeat_group: None }),
        ("plz", f(10, Type::Text)),
        ("gebuehr", Resolved::Value { id: ValueId(0), ty: Type::Number }),
        ("stichtag", Resolved::Value { id: ValueId(1), ty: Type::Date }),
        ("ermaessigt", Resolved::Value { id: ValueId(2), ty: Type::Bool }),
    ]
}

struct FixedScope(Vec<(&'static str, Resolved)>);

impl Scope for FixedScope {
    fn resolve(&self, name: &str) -> Resolved {
        self.0.iter().find(|(n, _)| *n == name).map_or(Resolved::Unknown, |(_, r)| r.clone())
    }
    fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(n, _)| *n).collect()
    }
}

/// Answers: all empty, or one filled value of the right type for every field.
struct FixedEnv {
    filled: bool,
}

fn today() -> NaiveDate {
    crate::forms::today()
}

impl Env for FixedEnv {
    fn field(&mut self, id: FieldId, entry: Option<u32>) -> Value {
        if !self.filled {
            return Value::Empty;
        }
        let n = entry.unwrap_or(0);
        match id.0 {
            0 => Value::text("Erika Mustermann"),
            1 => Value::Number(Decimal::from(42)),
            2 => Value::Date(NaiveDate::from_ymd_opt(1984, 2, 29).expect("a leap day")),
            3 => Value::Bool(true),
            4 => Value::List(vec!["de".into(), "en".into()]),
            5 => Value::File(Box::new(FileRef { name: "a.pdf".into(), size: 1000, mime: "application/pdf".into() })),
            7 => Value::text(format!("Bello {n}")),
            8 => Value::Number(Decimal::new(125 + i64::from(n), 1)),
            10 => Value::text("01067"),
            _ => Value::Empty,
        }
    }
    fn value(&mut self, id: ValueId) -> Value {
        if !self.filled {
            return Value::Empty;
        }
        match id.0 {
            0 => Value::Number(Decimal::new(9999, 2)),
            1 => Value::Date(today()),
            _ => Value::Bool(false),
        }
    }
    fn entries(&mut self, _group: FieldId) -> Vec<u32> {
        if self.filled { vec![0, 1, 2] } else { Vec::new() }
    }
    fn group_filled(&mut self, _group: FieldId, _entry: Option<u32>) -> bool {
        self.filled
    }
    fn today(&self) -> NaiveDate {
        today()
    }
}

fn spans_inside(errors: &[ExprError], chars: u32, what: &str) {
    for e in errors {
        assert!(e.span.0 <= e.span.1 && e.span.1 <= chars, "{what}: error span {:?} outside the {chars} characters: {e:?}", e.span);
    }
}

/// The type a value has, if it is not empty.
fn type_of(v: &Value) -> Option<Type> {
    Some(match v {
        Value::Empty => return None,
        Value::Text(_) => Type::Text,
        Value::Number(_) => Type::Number,
        Value::Bool(_) => Type::Bool,
        Value::Date(_) => Type::Date,
        Value::List(_) => Type::List,
        Value::File(_) => Type::File,
    })
}

/// Runs the check on one input.
pub fn check(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let chars = src.chars().count() as u32;
    if let Err(e) = expr::parse_template(src) {
        spans_inside(&[e], chars, "template");
    }
    let parsed = match expr::parse(src) {
        Ok(p) => p,
        Err(e) => {
            spans_inside(&[e], chars, "parse");
            return;
        }
    };
    let _ = expr::refs(&parsed);
    let scope = FixedScope(names());
    for ctx in [CheckCtx { group: None }, CheckCtx { group: Some(FieldId(6)) }] {
        let _ = expr::check_condition(&parsed, &scope, &ctx).map_err(|e| spans_inside(&e, chars, "check_condition"));
        match expr::check(&parsed, &scope, &ctx) {
            Err(errors) => {
                assert!(!errors.is_empty(), "a failed check reports at least one error");
                spans_inside(&errors, chars, "check");
            }
            Ok((c, ty)) => {
                // The checked expression is what the browser receives: it must round-trip.
                let json = serde_json::to_string(&c).expect("a checked expression serialises");
                let back: engine::expr::CExpr = serde_json::from_str(&json).expect("and deserialises");
                assert_eq!(back, c, "JSON round trip of the checked expression");
                let entry = ctx.group.map(|_| 1);
                for filled in [false, true] {
                    let mut budget = expr::EVAL_BUDGET;
                    if let Ok(v) = expr::eval_with_budget(&c, &mut FixedEnv { filled }, entry, &mut budget)
                        && let Some(vt) = type_of(&v)
                    {
                        assert!(
                            vt == ty || (ty == Type::Group),
                            "the checker said {ty:?} but the value is {vt:?} ({v:?}) for {src:?}, filled: {filled}"
                        );
                    }
                }
            }
        }
    }
}
