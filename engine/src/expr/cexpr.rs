//! The checked expression: names resolved to ids, types known, ready to evaluate.
//!
//! It is part of the compiled form, which is shipped to browsers as JSON, so the shape is
//! kept small: literals are folded (`date("…")`, list literals, negative numbers), and
//! the group forms of `count`, `sum`, `filled` and `matches` get their own nodes.

use std::cell::Cell;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ast::{BinOp, UnOp};
use super::functions::Func;
use crate::ids::{FieldId, ValueId};
use crate::pattern::Pattern;
use crate::value::Value;

/// A type-checked expression.
// `remote = "Self"`: the derived code becomes `CExpr::serialize`/`CExpr::deserialize`, which the
// trait impls below wrap, so that reading counts the nesting (see `MAX_DECODE_DEPTH`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub enum CExpr {
    /// A literal. Text literals are kept untrimmed so that joins keep their spaces; a
    /// list literal is a `Value::List`.
    Lit(Value),
    /// A field outside any repeated group (or a non-repeated group's member).
    Field(FieldId),
    /// A member of a repeated group, in the current entry.
    Member(FieldId),
    /// A `values` entry.
    Value(ValueId),
    /// `index`: the current entry's number counting from 1.
    Index,
    /// `not x` or `-x`.
    Unary(UnOp, Box<CExpr>),
    /// Arithmetic on numbers, comparisons, `in`, `and`, `or` (`+` of texts is [`CExpr::Join`]).
    Binary(BinOp, Box<CExpr>, Box<CExpr>),
    /// A chain of text joins `a + b + c`, trimmed as a whole.
    Join(Vec<CExpr>),
    /// A built-in function other than `count`, `sum` and `matches`.
    Call(Func, Vec<CExpr>),
    /// `count(group)` or `count(group, cond)`.
    Count {
        /// The repeated group.
        group: FieldId,
        /// The condition, evaluated per entry.
        #[serde(default, skip_serializing_if = "crate::form::binary::json_omits_none")]
        cond: Option<Box<CExpr>>,
    },
    /// `sum(group, expr)`.
    Sum {
        /// The repeated group.
        group: FieldId,
        /// The summand, evaluated per entry.
        expr: Box<CExpr>,
    },
    /// `filled(group)` for a group outside any repeated group, or a repeated group.
    GroupFilled(FieldId),
    /// `filled(group)` for a non-repeated group inside a repeated group, in the current entry.
    MemberGroupFilled(FieldId),
    /// `matches(text, "regex")` (the pattern boxed: it is the largest part, and rare).
    Matches(Box<CExpr>, Box<Pattern>),
}

/// The deepest expression read from outside (a form's JSON or its binary encoding). The
/// parser accepts syntax trees up to 256 deep (`expr/parse.rs`) and compiling never deepens
/// one; the limit keeps a reader's recursion (postcard has no limit of its own) off the end of
/// the stack, which in WebAssembly is 1 MiB.
pub const MAX_DECODE_DEPTH: u32 = 320;

thread_local! {
    /// How deep the expression being read on this thread is nested.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// One level of [`DEPTH`], given back when dropped (also when reading fails).
struct Level;

impl Drop for Level {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get() - 1));
    }
}

impl Serialize for CExpr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        CExpr::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for CExpr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let depth = DEPTH.with(|c| {
            let n = c.get() + 1;
            c.set(n);
            n
        });
        let _level = Level;
        if depth > MAX_DECODE_DEPTH {
            return Err(serde::de::Error::custom(format_args!("an expression nested deeper than {MAX_DECODE_DEPTH}")));
        }
        CExpr::deserialize(d)
    }
}

/// Something an expression reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dep {
    /// A field, a group or a member.
    Field(FieldId),
    /// A `values` entry.
    Value(ValueId),
    /// Today's date (`today()`, `age()`).
    Today,
}

impl CExpr {
    /// Lists every field (members included, also inside `count`/`sum`), group and value
    /// the expression reads, and [`Dep::Today`] when it uses today's date. No duplicates.
    pub fn deps(&self, out: &mut Vec<Dep>) {
        let push = |d: Dep, out: &mut Vec<Dep>| {
            if !out.contains(&d) {
                out.push(d);
            }
        };
        match self {
            CExpr::Lit(_) | CExpr::Index => {}
            CExpr::Field(id) | CExpr::Member(id) | CExpr::GroupFilled(id) | CExpr::MemberGroupFilled(id) => push(Dep::Field(*id), out),
            CExpr::Value(id) => push(Dep::Value(*id), out),
            CExpr::Unary(_, e) | CExpr::Matches(e, _) => e.deps(out),
            CExpr::Binary(_, a, b) => {
                a.deps(out);
                b.deps(out);
            }
            CExpr::Join(items) => items.iter().for_each(|e| e.deps(out)),
            CExpr::Call(f, args) => {
                if matches!(f, Func::Today | Func::Age) {
                    push(Dep::Today, out);
                }
                args.iter().for_each(|e| e.deps(out));
            }
            CExpr::Count { group, cond } => {
                push(Dep::Field(*group), out);
                if let Some(c) = cond {
                    c.deps(out);
                }
            }
            CExpr::Sum { group, expr } => {
                push(Dep::Field(*group), out);
                expr.deps(out);
            }
        }
    }

    /// The fields that gate a rule (docs/form-language.md#rules): every field or computed field named in the
    /// expression, arguments of `filled`/`empty` included; not groups, not members inside
    /// `count`/`sum`, not values. No duplicates.
    pub fn gate_fields(&self, out: &mut Vec<FieldId>) {
        self.gate(out, false);
    }

    fn gate(&self, out: &mut Vec<FieldId>, in_aggregate: bool) {
        match self {
            CExpr::Lit(_) | CExpr::Index | CExpr::Value(_) | CExpr::GroupFilled(_) | CExpr::MemberGroupFilled(_) => {}
            CExpr::Field(id) => {
                if !out.contains(id) {
                    out.push(*id);
                }
            }
            CExpr::Member(id) => {
                if !in_aggregate && !out.contains(id) {
                    out.push(*id);
                }
            }
            CExpr::Unary(_, e) | CExpr::Matches(e, _) => e.gate(out, in_aggregate),
            CExpr::Binary(_, a, b) => {
                a.gate(out, in_aggregate);
                b.gate(out, in_aggregate);
            }
            CExpr::Join(items) | CExpr::Call(_, items) => items.iter().for_each(|e| e.gate(out, in_aggregate)),
            CExpr::Count { cond, .. } => {
                if let Some(c) = cond {
                    c.gate(out, true);
                }
            }
            CExpr::Sum { expr, .. } => expr.gate(out, true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(e: CExpr) -> Box<CExpr> {
        Box::new(e)
    }

    #[test]
    fn deps_and_gates() {
        // filled(a) and count(g, m > x) > v and age(d) > 0 and index > 0, inside entry of h
        let e = CExpr::Binary(
            BinOp::And,
            b(CExpr::Call(Func::Filled, vec![CExpr::Field(FieldId(1))])),
            b(CExpr::Binary(
                BinOp::And,
                b(CExpr::Binary(
                    BinOp::Gt,
                    b(CExpr::Count {
                        group: FieldId(2),
                        cond: Some(b(CExpr::Binary(BinOp::Gt, b(CExpr::Member(FieldId(3))), b(CExpr::Field(FieldId(4)))))),
                    }),
                    b(CExpr::Value(ValueId(0))),
                )),
                b(CExpr::Binary(BinOp::And, b(CExpr::Call(Func::Age, vec![CExpr::Member(FieldId(5))])), b(CExpr::GroupFilled(FieldId(6))))),
            )),
        );
        let mut deps = Vec::new();
        e.deps(&mut deps);
        assert_eq!(
            deps,
            vec![
                Dep::Field(FieldId(1)),
                Dep::Field(FieldId(2)),
                Dep::Field(FieldId(3)),
                Dep::Field(FieldId(4)),
                Dep::Value(ValueId(0)),
                Dep::Today,
                Dep::Field(FieldId(5)),
                Dep::Field(FieldId(6)),
            ]
        );
        let mut gates = Vec::new();
        e.gate_fields(&mut gates);
        assert_eq!(gates, vec![FieldId(1), FieldId(4), FieldId(5)]);
    }

    #[test]
    fn json_is_compact() {
        let e = CExpr::Count { group: FieldId(2), cond: None };
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"Count":{"group":2}}"#);
        let e = CExpr::Matches(b(CExpr::Field(FieldId(1))), Box::new(Pattern::new("^a").unwrap()));
        let json = serde_json::to_string(&e).unwrap();
        // The pattern travels with its DFA (crate::pattern).
        assert!(json.starts_with(r#"{"Matches":[{"Field":1},{"source":"^a","dfa":""#), "{json}");
        let back: CExpr = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
        let e = CExpr::Binary(BinOp::Add, b(CExpr::Lit(Value::Bool(true))), b(CExpr::Index));
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"Binary":["add",{"Lit":{"t":"bool","v":true}},"Index"]}"#);
    }
}
