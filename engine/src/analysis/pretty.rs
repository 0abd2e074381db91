//! Expressions and texts of a compiled form printed back as an author writes them, for
//! the route analysis ([`super::routes`]) and the command line's `graph` and `routes`. The compiled form keeps no source text, so this prints the
//! checked expression ([`CExpr`]): names come back from the form's field and value ids,
//! literal folding shows (`date("2026-01-31")`, `-5`), and parentheses are added where the
//! operators' precedence needs them (and around the operand of `not`, for readability).

use crate::expr::CExpr;
use crate::expr::ast::{BinOp, UnOp};
use crate::form::{Form, TPart, Text};
use crate::value::Value;

/// Binding strength, loosest first (docs/form-language.md#operators): `or`, `and`, `not`, comparisons, `+ -`, `* /`,
/// unary `-`, atoms.
fn prec(e: &CExpr) -> u8 {
    match e {
        CExpr::Binary(op, ..) => match op {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::In => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
        },
        CExpr::Unary(UnOp::Not, _) => 3,
        CExpr::Unary(UnOp::Neg, _) => 7,
        CExpr::Join(_) => 5,
        CExpr::Lit(Value::Number(n)) if n.is_sign_negative() => 7,
        _ => 8,
    }
}

/// The expression as source text.
pub fn expr(form: &Form, e: &CExpr) -> String {
    let mut out = String::new();
    write(form, e, &mut out);
    out
}

/// A text literal in double quotes, escaped as the expression grammar reads it.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn lit(v: &Value, out: &mut String) {
    match v {
        Value::Empty => out.push_str("\"\""),
        Value::Text(s) => out.push_str(&quote(s)),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Date(d) => out.push_str(&format!("date(\"{}\")", d.format("%Y-%m-%d"))),
        Value::List(items) => {
            out.push('[');
            out.push_str(&items.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "));
            out.push(']');
        }
        Value::File(f) => out.push_str(&quote(&f.name)),
    }
}

/// A literal value as source text.
pub fn expr_of_value(v: &Value) -> String {
    let mut out = String::new();
    lit(v, &mut out);
    out
}

/// Writes `e`, in parentheses when it binds looser than `min`.
fn operand(form: &Form, e: &CExpr, min: u8, out: &mut String) {
    if prec(e) < min {
        out.push('(');
        write(form, e, out);
        out.push(')');
    } else {
        write(form, e, out);
    }
}

fn args(form: &Form, name: &str, items: &[&CExpr], out: &mut String) {
    out.push_str(name);
    out.push('(');
    for (i, a) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write(form, a, out);
    }
    out.push(')');
}

fn field(form: &Form, id: crate::ids::FieldId) -> &str {
    &form.fields[id.ix()].id
}

fn write(form: &Form, e: &CExpr, out: &mut String) {
    match e {
        CExpr::Lit(v) => lit(v, out),
        CExpr::Field(id) | CExpr::Member(id) => out.push_str(field(form, *id)),
        CExpr::Value(id) => out.push_str(&form.values()[id.ix()].id),
        CExpr::Index => out.push_str("index"),
        CExpr::Unary(UnOp::Not, x) => {
            out.push_str("not ");
            if prec(x) < 8 {
                out.push('(');
                write(form, x, out);
                out.push(')');
            } else {
                write(form, x, out);
            }
        }
        CExpr::Unary(UnOp::Neg, x) => {
            out.push('-');
            operand(form, x, 8, out);
        }
        CExpr::Binary(op, a, b) => {
            let p = prec(e);
            // Left-associative: the right operand of an equal-precedence operator needs
            // parentheses (`a - (b - c)`); comparisons do not chain at all.
            let (lmin, rmin) = if p == 4 { (5, 5) } else { (p, p + 1) };
            operand(form, a, lmin, out);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            operand(form, b, rmin, out);
        }
        CExpr::Join(items) => {
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(" + ");
                }
                operand(form, x, if i == 0 { 5 } else { 6 }, out);
            }
        }
        CExpr::Call(f, a) => args(form, f.name(), &a.iter().collect::<Vec<_>>(), out),
        CExpr::Count { group, cond } => {
            out.push_str("count(");
            out.push_str(field(form, *group));
            if let Some(c) = cond {
                out.push_str(", ");
                write(form, c, out);
            }
            out.push(')');
        }
        CExpr::Sum { group, expr } => {
            out.push_str("sum(");
            out.push_str(field(form, *group));
            out.push_str(", ");
            write(form, expr, out);
            out.push(')');
        }
        CExpr::GroupFilled(id) | CExpr::MemberGroupFilled(id) => {
            out.push_str("filled(");
            out.push_str(field(form, *id));
            out.push(')');
        }
        CExpr::Matches(x, p) => {
            out.push_str("matches(");
            write(form, x, out);
            out.push_str(", ");
            out.push_str(&quote(p.source()));
            out.push(')');
        }
    }
}

/// A text in the form's default language, placeholders written as `{{ expression }}`.
pub fn text(form: &Form, t: &Text) -> String {
    let Some((_, parts)) = t.langs.first() else { return String::new() };
    let mut out = String::new();
    for p in parts {
        match p {
            TPart::Lit(s) => out.push_str(s),
            TPart::Expr(e, _) => {
                out.push_str("{{ ");
                out.push_str(&expr(form, e));
                out.push_str(" }}");
            }
        }
    }
    out
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;

    fn form(src: &str) -> Form {
        let c = crate::compile(src);
        assert!(!c.diagnostics.iter().any(|d| d.is_error()), "{:?}", c.diagnostics);
        c.form.unwrap()
    }

    #[test]
    fn conditions_round_trip() {
        let conds = [
            "not a",
            "not (b == \"x\")",
            "a and (b == \"x\" or c > 3)",
            "c - (c - 1) > -2",
            "(c + 1) * 2 >= c / 4",
            "b in [\"x\", \"y \\\"z\\\"\"]",
            "age(d) >= 18 and d > date(\"2026-01-31\")",
            "matches(b, \"^[0-9]+$\") or contains(lower(b), \"a\")",
        ];
        let mut src = String::from(
            "wegweiser: 1\nid: t\ntitle: T\nsteps:\n  - id: s\n    fields:\n      - { id: a, type: boolean }\n      - { id: b, type: text }\n      - { id: c, type: number }\n      - { id: d, type: date }\n",
        );
        for (i, c) in conds.iter().enumerate() {
            src.push_str(&format!(
                "      - id: i{i}\n        type: info\n        text: x\n        visible_if: '{}'\n",
                c.replace('\'', "''")
            ));
        }
        let f = form(&src);
        for (i, c) in conds.iter().enumerate() {
            let id = f.field_by_id(&format!("i{i}")).unwrap();
            assert_eq!(expr(&f, f.field(id).visible_if.as_ref().unwrap()), *c);
        }
    }
}
