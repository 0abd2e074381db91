//! The syntax tree of an expression as written, before names are resolved.
//!
//! Every node keeps its span (character offsets into the expression text) so that the type
//! checker can point at the offending part.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ESpan;

/// An expression node with its place in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it is written (without surrounding parentheses).
    pub span: ESpan,
}

/// The kinds of expression nodes.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number literal, read exactly.
    Number(Decimal),
    /// A text literal, escapes resolved, not trimmed.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// A list literal `[…]`.
    List(Vec<Expr>),
    /// A field, group or value id (resolved by the checker).
    Name(String),
    /// The keyword `index`.
    Index,
    /// A prefix operator.
    Unary(UnOp, Box<Expr>),
    /// An infix operator.
    Binary {
        /// The operator.
        op: BinOp,
        /// Where the operator is written.
        op_span: ESpan,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// A function call `name(args)`.
    Call {
        /// The function's name as written.
        name: String,
        /// Where the name is written.
        name_span: ESpan,
        /// The arguments.
        args: Vec<Expr>,
    },
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// True for `== != < <= > >= in`, which do not chain.
    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::In)
    }
}

impl Expr {
    /// Moves every span of the tree `by` characters to the right (for placeholders).
    pub fn shift(&mut self, by: u32) {
        self.span = (self.span.0 + by, self.span.1 + by);
        match &mut self.kind {
            ExprKind::Number(_) | ExprKind::Text(_) | ExprKind::Bool(_) | ExprKind::Name(_) | ExprKind::Index => {}
            ExprKind::List(items) => items.iter_mut().for_each(|e| e.shift(by)),
            ExprKind::Unary(_, e) => e.shift(by),
            ExprKind::Binary { op_span, lhs, rhs, .. } => {
                *op_span = (op_span.0 + by, op_span.1 + by);
                lhs.shift(by);
                rhs.shift(by);
            }
            ExprKind::Call { name_span, args, .. } => {
                *name_span = (name_span.0 + by, name_span.1 + by);
                args.iter_mut().for_each(|e| e.shift(by));
            }
        }
    }

    /// A compact S-expression of the tree, e.g. `(+ a (* 2 b))`; for tests and debugging.
    pub fn sexpr(&self) -> String {
        match &self.kind {
            ExprKind::Number(d) => d.to_string(),
            ExprKind::Text(s) => format!("{s:?}"),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::List(items) => {
                let inner: Vec<String> = items.iter().map(Expr::sexpr).collect();
                format!("[{}]", inner.join(" "))
            }
            ExprKind::Name(n) => n.clone(),
            ExprKind::Index => "index".into(),
            ExprKind::Unary(UnOp::Not, e) => format!("(not {})", e.sexpr()),
            ExprKind::Unary(UnOp::Neg, e) => format!("(neg {})", e.sexpr()),
            ExprKind::Binary { op, lhs, rhs, .. } => {
                format!("({} {} {})", op.symbol(), lhs.sexpr(), rhs.sexpr())
            }
            ExprKind::Call { name, args, .. } => {
                let mut s = format!("({name}");
                for a in args {
                    s.push(' ');
                    s.push_str(&a.sexpr());
                }
                s.push(')');
                s
            }
        }
    }
}
