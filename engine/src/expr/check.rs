//! The static type checker and name resolver: turns an [`ast::Expr`] into a [`CExpr`]
//! with its [`Type`], or reports every problem it finds (docs/form-language.md#type-checking).
//!
//! Names are resolved through the compiler's [`Scope`]. Where an expression is written
//! decides what a group member means: inside a repeated group (its label, its members'
//! texts and expressions, [`CheckCtx::group`]) a member is the member of the same entry;
//! elsewhere only the second argument of `count`/`sum` over that group may name it.

use super::ast::{BinOp, Expr, ExprKind, UnOp};
use super::cexpr::CExpr;
use super::error::{self, ExprError};
use super::eval::iso_date;
use super::functions::{self, FUNCTIONS, Func};
use super::{ESpan, Resolved, Scope, Type};
use crate::diag::did_you_mean;
use crate::ids::FieldId;
use crate::pattern::{self, Pattern};
use crate::value::Value;

/// Where an expression is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckCtx {
    /// The repeated group the expression belongs to (its label, its members' texts and
    /// expressions), if any: there, members mean the current entry's and `index` is defined.
    pub group: Option<FieldId>,
}

/// Type-checks `expr` and resolves its names. Returns every error found.
pub fn check(expr: &Expr, scope: &dyn Scope, ctx: &CheckCtx) -> Result<(CExpr, Type), Vec<ExprError>> {
    let mut c = Checker { scope, errors: Vec::new(), group: ctx.group };
    let out = c.expr(expr);
    match out {
        Some(ok) if c.errors.is_empty() => Ok(ok),
        _ => Err(c.errors),
    }
}

/// Like [`check`], for a place where a condition is needed (`when`, `visible_if`,
/// `required`, `check`, …): the expression must be yes/no (E0206).
pub fn check_condition(expr: &Expr, scope: &dyn Scope, ctx: &CheckCtx) -> Result<CExpr, Vec<ExprError>> {
    let (c, ty) = check(expr, scope, ctx)?;
    if ty != Type::Bool {
        return Err(vec![not_bool(expr.span, "this condition", ty)]);
    }
    Ok(c)
}

/// The names an expression mentions, in order, with where they are written (function
/// names and `index` excluded). The compiler uses them to order computed fields and
/// values before checking them.
pub fn refs(expr: &Expr) -> Vec<(String, ESpan)> {
    fn walk(e: &Expr, out: &mut Vec<(String, ESpan)>) {
        match &e.kind {
            ExprKind::Name(n) => out.push((n.clone(), e.span)),
            ExprKind::Number(_) | ExprKind::Text(_) | ExprKind::Bool(_) | ExprKind::Index => {}
            ExprKind::List(items) | ExprKind::Call { args: items, .. } => items.iter().for_each(|i| walk(i, out)),
            ExprKind::Unary(_, x) => walk(x, out),
            ExprKind::Binary { lhs, rhs, .. } => {
                walk(lhs, out);
                walk(rhs, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(expr, &mut out);
    out
}

/// A type as the author reads it.
pub fn type_name(t: Type) -> &'static str {
    match t {
        Type::Text => "a text",
        Type::Number => "a number",
        Type::Bool => "yes or no (bool)",
        Type::Date => "a date",
        Type::List => "a list",
        Type::Group => "a group",
        Type::File => "a file",
    }
}

fn not_bool(span: ESpan, what: &str, ty: Type) -> ExprError {
    ExprError::new(error::NOT_BOOL, span, format!("{what} must be yes or no (bool), but it is {}", type_name(ty)))
        .with_help("compare the value, e.g. `x > 0` or `x == \"ja\"`, or test it with `filled(x)`")
}

fn ordinal(i: usize) -> String {
    match i {
        0 => "first".into(),
        1 => "second".into(),
        2 => "third".into(),
        n => format!("argument {}", n + 1),
    }
}

type Checked = Option<(CExpr, Type)>;

struct Checker<'a> {
    scope: &'a dyn Scope,
    errors: Vec<ExprError>,
    /// The repeated group whose entry is current (from the context, or inside `count`/`sum`).
    group: Option<FieldId>,
}

impl Checker<'_> {
    fn err(&mut self, e: ExprError) {
        self.errors.push(e);
    }

    fn expr(&mut self, e: &Expr) -> Checked {
        crate::stack::guarded(|| self.expr_node(e))
    }

    fn expr_node(&mut self, e: &Expr) -> Checked {
        match &e.kind {
            ExprKind::Number(d) => Some((CExpr::Lit(Value::Number(*d)), Type::Number)),
            ExprKind::Text(s) => Some((CExpr::Lit(Value::Text(s.clone())), Type::Text)),
            ExprKind::Bool(b) => Some((CExpr::Lit(Value::Bool(*b)), Type::Bool)),
            ExprKind::List(items) => {
                let mut out = Vec::new();
                let mut ok = true;
                for item in items {
                    match &item.kind {
                        ExprKind::Text(s) => out.push(s.clone()),
                        _ => {
                            ok = false;
                            self.err(
                                ExprError::new(error::TYPE_MISMATCH, item.span, "a list may only hold texts written in quotes")
                                    .with_help("write the items as texts, e.g. [\"a\", \"b\"]"),
                            );
                        }
                    }
                }
                ok.then_some((CExpr::Lit(Value::List(out)), Type::List))
            }
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::Index => {
                if self.group.is_some() {
                    Some((CExpr::Index, Type::Number))
                } else {
                    self.err(ExprError::new(error::GROUP_MISUSE, e.span, "`index` can only be used inside a repeated group").with_help(
                        "`index` is the number of an entry: use it in a repeated group's label, its members' \
                                 texts and expressions, or in the second argument of count/sum",
                    ));
                    None
                }
            }
            ExprKind::Unary(op, x) => {
                let (c, t) = self.expr(x)?;
                match op {
                    UnOp::Not if t == Type::Bool => Some((CExpr::Unary(UnOp::Not, Box::new(c)), Type::Bool)),
                    UnOp::Not => {
                        self.err(ExprError::new(
                            error::TYPE_MISMATCH,
                            x.span,
                            format!("`not` needs yes or no (bool), but this is {}", type_name(t)),
                        ));
                        None
                    }
                    UnOp::Neg if t == Type::Number => match c {
                        // Fold negative literals: smaller JSON, and `-5` reads as a number.
                        CExpr::Lit(Value::Number(d)) => Some((CExpr::Lit(Value::Number(-d)), Type::Number)),
                        c => Some((CExpr::Unary(UnOp::Neg, Box::new(c)), Type::Number)),
                    },
                    UnOp::Neg => {
                        self.err(ExprError::new(error::TYPE_MISMATCH, x.span, format!("`-` needs a number, but this is {}", type_name(t))));
                        None
                    }
                }
            }
            ExprKind::Binary { op, op_span, lhs, rhs } => self.binary(*op, *op_span, lhs, rhs, e.span),
            ExprKind::Call { name, name_span, args } => self.call(name, *name_span, args, e.span),
        }
    }

    fn group_name(&self, id: FieldId) -> String {
        self.scope
            .names()
            .into_iter()
            .find(|n| matches!(self.scope.resolve(n), Resolved::Group { id: g, .. } if g == id))
            .unwrap_or("its group")
            .to_string()
    }

    fn member_outside(&mut self, name: &str, span: ESpan, group: FieldId) {
        let g = self.group_name(group);
        self.err(
            ExprError::new(
                error::GROUP_MISUSE,
                span,
                format!("`{name}` belongs to the repeated group `{g}` and can only be used inside it"),
            )
            .with_help(format!(
                "each entry of `{g}` has its own `{name}`; outside the group, look at the entries with \
                 count({g}, …) or sum({g}, …), e.g. count({g}, filled({name}))"
            )),
        );
    }

    fn name(&mut self, name: &str, span: ESpan) -> Checked {
        match self.scope.resolve(name) {
            Resolved::Field { id, ty, repeat_group: None } => Some((CExpr::Field(id), ty)),
            Resolved::Field { id, ty, repeat_group: Some(g) } => {
                if self.group == Some(g) {
                    Some((CExpr::Member(id), ty))
                } else {
                    self.member_outside(name, span, g);
                    None
                }
            }
            Resolved::Value { id, ty } => Some((CExpr::Value(id), ty)),
            Resolved::Group { repeated, .. } => {
                let help = if repeated {
                    format!(
                        "a repeated group is a list of entries: use it only in count({name}), sum({name}, …), \
                         filled({name}) or empty({name})"
                    )
                } else {
                    format!("use a group only in filled({name}) or empty({name}); otherwise name one of its fields")
                };
                self.err(
                    ExprError::new(error::GROUP_MISUSE, span, format!("the group `{name}` cannot be used as a value")).with_help(help),
                );
                None
            }
            Resolved::Unknown => {
                let help = if functions::lookup(name).is_some() {
                    Some(format!("`{name}` is a function: write `{name}(…)`"))
                } else {
                    did_you_mean(name, self.scope.names()).map(|s| format!("did you mean `{s}`?"))
                };
                self.err(ExprError::new(error::UNKNOWN_NAME, span, format!("unknown field or value `{name}`")).with_help_opt(help));
                None
            }
        }
    }

    fn binary(&mut self, op: BinOp, op_span: ESpan, lhs: &Expr, rhs: &Expr, span: ESpan) -> Checked {
        let l = self.expr(lhs);
        let r = self.expr(rhs);
        let ((lc, lt), (rc, rt)) = (l?, r?);
        let sym = op.symbol();
        let bin = |t: Type| Some((CExpr::Binary(op, Box::new(lc.clone()), Box::new(rc.clone())), t));
        use Type::*;
        match op {
            BinOp::And | BinOp::Or => {
                let mut ok = true;
                for (t, e) in [(lt, lhs), (rt, rhs)] {
                    if t != Bool {
                        ok = false;
                        self.err(
                            ExprError::new(
                                error::TYPE_MISMATCH,
                                e.span,
                                format!("`{sym}` joins conditions (yes or no), but this is {}", type_name(t)),
                            )
                            .with_help("compare the value, e.g. `x > 0`, or test it with `filled(x)`"),
                        );
                    }
                }
                if ok { bin(Bool) } else { None }
            }
            BinOp::Eq | BinOp::Ne => {
                if lt == rt && matches!(lt, Number | Text | Bool | Date | List) {
                    // `anliegen == "x"`, `"x" != anliegen`, `arten == ["a"]`.
                    let known = self.option_literals(lhs, &lc, rhs) & self.option_literals(rhs, &rc, lhs);
                    if known { bin(Bool) } else { None }
                } else {
                    let help = date_text_help(lt, rt, lhs, rhs);
                    self.mismatch(span, lt, rt, format!("cannot compare {} with {}", type_name(lt), type_name(rt)), help);
                    None
                }
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => match (lt, rt) {
                (Number, Number) | (Date, Date) => bin(Bool),
                (Text, Text) => {
                    self.err(
                        ExprError::new(error::TYPE_MISMATCH, op_span, format!("texts cannot be ordered with `{sym}`"))
                            .with_help("compare texts only with `==` or `!=`; use number(x) to read a text as a number"),
                    );
                    None
                }
                _ => {
                    let help = date_text_help(lt, rt, lhs, rhs)
                        .or_else(|| (lt == Text || rt == Text).then(|| "use number(x) to read a text as a number".to_string()));
                    self.mismatch(span, lt, rt, format!("cannot compare {} with {} using `{sym}`", type_name(lt), type_name(rt)), help);
                    None
                }
            },
            BinOp::In => {
                let mut ok = true;
                if rt != List {
                    ok = false;
                    self.err(
                        ExprError::new(
                            error::TYPE_MISMATCH,
                            rhs.span,
                            format!("`in` needs a list on its right, but this is {}", type_name(rt)),
                        )
                        .with_help("write a list such as [\"a\", \"b\"] or name a multiple-choice field"),
                    );
                }
                if lt != Text {
                    ok = false;
                    self.err(ExprError::new(
                        error::TYPE_MISMATCH,
                        lhs.span,
                        format!("`in` looks for a text in a list, but this is {}", type_name(lt)),
                    ));
                }
                // `"x" in arten` (a multiple-choice field), `anliegen in ["a", "b"]`.
                ok &= self.option_literals(rhs, &rc, lhs) & self.option_literals(lhs, &lc, rhs);
                if ok { bin(Bool) } else { None }
            }
            BinOp::Add => match (lt, rt) {
                (Number, Number) => bin(Number),
                (Text, Text) => {
                    // A chain of joins is one node, trimmed once as a whole (docs/form-language.md#operators).
                    let mut parts = Vec::new();
                    for c in [lc, rc] {
                        match c {
                            CExpr::Join(v) => parts.extend(v),
                            c => parts.push(c),
                        }
                    }
                    Some((CExpr::Join(parts), Text))
                }
                (Date, Number) | (Number, Date) => {
                    self.mismatch(
                        span,
                        lt,
                        rt,
                        "cannot add a number to a date".into(),
                        Some("use add_days(date, n), add_months(date, n) or add_years(date, n)".into()),
                    );
                    None
                }
                _ => {
                    self.mismatch(
                        span,
                        lt,
                        rt,
                        format!("cannot add {} and {}", type_name(lt), type_name(rt)),
                        Some("`+` adds two numbers or joins two texts".into()),
                    );
                    None
                }
            },
            BinOp::Sub | BinOp::Mul | BinOp::Div => match (lt, rt) {
                (Number, Number) => bin(Number),
                (Date, Date) if op == BinOp::Sub => {
                    self.mismatch(
                        span,
                        lt,
                        rt,
                        "a date cannot be subtracted from a date".into(),
                        Some("use days_between(a, b) (or months_between, years_between)".into()),
                    );
                    None
                }
                (Date, Number) if op == BinOp::Sub => {
                    self.mismatch(
                        span,
                        lt,
                        rt,
                        "cannot subtract a number from a date".into(),
                        Some("use add_days(date, -n), add_months(date, -n) or add_years(date, -n)".into()),
                    );
                    None
                }
                _ => {
                    self.mismatch(
                        span,
                        lt,
                        rt,
                        format!("`{sym}` needs two numbers, but here are {} and {}", type_name(lt), type_name(rt)),
                        None,
                    );
                    None
                }
            },
        }
    }

    /// E0212: when `field` is a choice or multiple-choice field and `other` a text in
    /// quotes or a list of them, each text must be one of the field's option values: a
    /// typo would otherwise make the condition silently never hold. `false` if one is not.
    fn option_literals(&mut self, field: &Expr, field_c: &CExpr, other: &Expr) -> bool {
        let (CExpr::Field(id) | CExpr::Member(id)) = field_c else { return true };
        let Some(options) = self.scope.options(*id) else { return true };
        let texts: Vec<(&str, ESpan)> = match &other.kind {
            ExprKind::Text(t) => vec![(t.as_str(), other.span)],
            ExprKind::List(items) => items
                .iter()
                .filter_map(|i| match &i.kind {
                    ExprKind::Text(t) => Some((t.as_str(), i.span)),
                    _ => None,
                })
                .collect(),
            _ => return true,
        };
        let name = arg_text(field);
        let mut ok = true;
        for (text, span) in texts {
            // A literal is compared trimmed, and `""` is the empty value (`x == ""` asks
            // whether nothing was chosen), so only a non-blank text must be an option.
            let Value::Text(t) = Value::text(text) else { continue };
            if options.contains(&t) {
                continue;
            }
            ok = false;
            let help = match did_you_mean(&t, options.iter().map(String::as_str)) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!("compare with an option's `value` (not its label): {}", option_list(options)),
            };
            self.err(ExprError::new(error::UNKNOWN_OPTION, span, format!("\"{t}\" is not an option of `{name}`")).with_help(help));
        }
        ok
    }

    fn mismatch(&mut self, span: ESpan, _lt: Type, _rt: Type, message: String, help: Option<String>) {
        self.err(ExprError::new(error::TYPE_MISMATCH, span, message).with_help_opt(help));
    }

    /// Checks an argument against the type a function wants.
    fn want(&mut self, f: Func, i: usize, arg: &Expr, want: &[Type]) -> Option<(CExpr, Type)> {
        let (c, t) = self.expr(arg)?;
        if want.contains(&t) {
            return Some((c, t));
        }
        let names: Vec<&str> = want.iter().map(|t| type_name(*t)).collect();
        self.err(
            ExprError::new(
                error::TYPE_MISMATCH,
                arg.span,
                format!("the {} argument of `{}` must be {}, but it is {}", ordinal(i), f.name(), names.join(" or "), type_name(t)),
            )
            .with_help(format!("write it as {}", f.info().usage)),
        );
        None
    }

    /// The group a `count`/`sum`/`filled`/`empty` argument names, if it names one.
    fn group_arg(&self, arg: &Expr) -> Option<(FieldId, bool, Option<FieldId>)> {
        match &arg.kind {
            ExprKind::Name(n) => match self.scope.resolve(n) {
                Resolved::Group { id, repeated, repeat_group } => Some((id, repeated, repeat_group)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The repeated group that is the first argument of `count`/`sum`.
    fn repeated_group_arg(&mut self, f: Func, arg: &Expr) -> Option<FieldId> {
        match self.group_arg(arg) {
            Some((id, true, _)) => Some(id),
            Some((_, false, _)) => {
                self.err(
                    ExprError::new(
                        error::GROUP_MISUSE,
                        arg.span,
                        format!("`{}` is not a repeated group, so `{}` cannot go through its entries", arg_text(arg), f.name()),
                    )
                    .with_help("count and sum work on groups with `repeat:`; for a plain group use filled(…) or empty(…)"),
                );
                None
            }
            None => {
                let (_, t) = self.expr(arg)?;
                self.err(
                    ExprError::new(
                        error::TYPE_MISMATCH,
                        arg.span,
                        format!("the first argument of `{}` must be a repeated group, but it is {}", f.name(), type_name(t)),
                    )
                    .with_help(format!("write it as {}", f.info().usage)),
                );
                None
            }
        }
    }

    /// Checks `e` with the entries of `group` in scope (second argument of `count`/`sum`).
    fn in_group(&mut self, group: FieldId, e: &Expr) -> Checked {
        let outer = self.group.replace(group);
        let out = self.expr(e);
        self.group = outer;
        out
    }

    fn call(&mut self, name: &str, name_span: ESpan, args: &[Expr], span: ESpan) -> Checked {
        let Some(info) = functions::lookup(name) else {
            let help = did_you_mean(name, FUNCTIONS.iter().map(|i| i.name)).map(|s| format!("did you mean `{s}`?"));
            self.err(ExprError::new(error::UNKNOWN_FUNCTION, name_span, format!("unknown function `{name}`")).with_help_opt(help));
            return None;
        };
        let f = info.func;
        let n = args.len();
        if n < info.min_args || info.max_args.is_some_and(|m| n > m) {
            let takes = match info.max_args {
                Some(m) if m == info.min_args => {
                    format!("{m} argument{}", if m == 1 { "" } else { "s" })
                }
                Some(m) => format!("{} or {m} arguments", info.min_args),
                None => format!("at least {} arguments", info.min_args),
            };
            self.err(
                ExprError::new(
                    error::ARITY,
                    span,
                    format!("`{name}` takes {takes}, but {n} {} given", if n == 1 { "was" } else { "were" }),
                )
                .with_help(format!("write it as {}", info.usage)),
            );
            return None;
        }
        use Type::*;
        let call = |args: Vec<CExpr>, t: Type| Some((CExpr::Call(f, args), t));
        match f {
            Func::Filled | Func::Empty => {
                let a = &args[0];
                if let Some((id, repeated, repeat_group)) = self.group_arg(a) {
                    let node = match repeat_group {
                        Some(g) if !repeated => {
                            if self.group == Some(g) {
                                CExpr::MemberGroupFilled(id)
                            } else {
                                self.member_outside(&arg_text(a), a.span, g);
                                return None;
                            }
                        }
                        _ => CExpr::GroupFilled(id),
                    };
                    let node = if f == Func::Empty { CExpr::Unary(UnOp::Not, Box::new(node)) } else { node };
                    return Some((node, Bool));
                }
                let (c, _) = self.expr(a)?;
                call(vec![c], Bool)
            }
            Func::Count => {
                let g = self.repeated_group_arg(f, &args[0]);
                let cond = match args.get(1) {
                    None => None,
                    Some(c) => {
                        let (cc, t) = self.in_group(g?, c)?;
                        if t != Bool {
                            self.err(not_bool(c.span, "the condition of `count`", t));
                            return None;
                        }
                        Some(Box::new(cc))
                    }
                };
                Some((CExpr::Count { group: g?, cond }, Number))
            }
            Func::Sum => {
                let g = self.repeated_group_arg(f, &args[0])?;
                let (c, t) = self.in_group(g, &args[1])?;
                if t != Number {
                    self.err(
                        ExprError::new(error::TYPE_MISMATCH, args[1].span, format!("`sum` adds numbers, but this is {}", type_name(t)))
                            .with_help("write it as sum(group, number), e.g. sum(hund, steuer)"),
                    );
                    return None;
                }
                Some((CExpr::Sum { group: g, expr: Box::new(c) }, Number))
            }
            Func::Matches => {
                let t = self.want(f, 0, &args[0], &[Text]);
                let r = &args[1];
                let pattern = match &r.kind {
                    ExprKind::Text(src) => {
                        match Pattern::new(src) {
                            Ok(p) => Some(p),
                            Err(e) => {
                                self.err(
                                ExprError::new(
                                    error::INVALID_REGEX,
                                    r.span,
                                    format!("invalid regular expression: {}", pattern::describe_error(&e)),
                                )
                                .with_help("the syntax is that of the Rust regex crate; escape special characters such as `.` or `(` with `\\\\`"),
                            );
                                None
                            }
                        }
                    }
                    _ => {
                        self.err(
                            ExprError::new(
                                error::INVALID_REGEX,
                                r.span,
                                "the regular expression of `matches` must be written as a text in quotes",
                            )
                            .with_help("write it as matches(text, \"^[0-9]+$\")"),
                        );
                        None
                    }
                };
                Some((CExpr::Matches(Box::new(t?.0), Box::new(pattern?)), Bool))
            }
            Func::Date => {
                let a = &args[0];
                if let ExprKind::Text(s) = &a.kind {
                    return match iso_date(s) {
                        Some(d) => Some((CExpr::Lit(Value::Date(d)), Date)),
                        None => {
                            self.err(
                                ExprError::new(error::INVALID_DATE, a.span, format!("`{s}` is not a valid date"))
                                    .with_help("write a calendar date as date(\"YYYY-MM-DD\"), e.g. date(\"2026-01-31\")"),
                            );
                            None
                        }
                    };
                }
                let (c, _) = self.want(f, 0, a, &[Text])?;
                call(vec![c], Date)
            }
            Func::If => {
                let c = self.expr(&args[0]);
                let a = self.expr(&args[1]);
                let b = self.expr(&args[2]);
                let (c, ct) = c?;
                if ct != Bool {
                    self.err(not_bool(args[0].span, "the condition of `if`", ct));
                    return None;
                }
                let ((a, at), (b, bt)) = (a?, b?);
                if at != bt {
                    self.err(ExprError::new(
                        error::TYPE_MISMATCH,
                        span,
                        format!(
                            "both results of `if` must be of one type, but the first is {} and the second {}",
                            type_name(at),
                            type_name(bt)
                        ),
                    ));
                    return None;
                }
                call(vec![c, a, b], at)
            }
            Func::IfEmpty => {
                let a = self.expr(&args[0]);
                let b = self.expr(&args[1]);
                let ((a, at), (b, bt)) = (a?, b?);
                if at != bt {
                    self.err(ExprError::new(
                        error::TYPE_MISMATCH,
                        span,
                        format!(
                            "the value and the fallback of `if_empty` must be of one type, but the first is {} and the second {}",
                            type_name(at),
                            type_name(bt)
                        ),
                    ));
                    return None;
                }
                call(vec![a, b], at)
            }
            Func::Min | Func::Max => {
                let checked: Vec<Checked> = args.iter().map(|a| self.want(f, 0, a, &[Number, Date])).collect();
                let checked: Vec<(CExpr, Type)> = checked.into_iter().collect::<Option<_>>()?;
                let t = checked[0].1;
                if checked.iter().any(|(_, u)| *u != t) {
                    self.err(ExprError::new(
                        error::TYPE_MISMATCH,
                        span,
                        format!("`{name}` compares numbers or dates, but not both at once"),
                    ));
                    return None;
                }
                call(checked.into_iter().map(|(c, _)| c).collect(), t)
            }
            _ => {
                let (params, result): (&[&[Type]], Type) = match f {
                    Func::Len => (&[&[Text, List]], Number),
                    Func::Today => (&[], Date),
                    Func::Age => (&[&[Date]], Number),
                    Func::YearsBetween | Func::MonthsBetween | Func::DaysBetween => (&[&[Date], &[Date]], Number),
                    Func::AddDays | Func::AddMonths | Func::AddYears => (&[&[Date], &[Number]], Date),
                    Func::Floor | Func::Ceil => (&[&[Number]], Number),
                    Func::Round => (&[&[Number], &[Number]], Number),
                    Func::Contains => (&[&[Text], &[Text]], Bool),
                    Func::Lower | Func::Upper => (&[&[Text]], Text),
                    Func::Number => (&[&[Text]], Number),
                    _ => unreachable!("handled above"),
                };
                let checked: Vec<Checked> = args.iter().zip(params).enumerate().map(|(i, (a, p))| self.want(f, i, a, p)).collect();
                let args: Vec<CExpr> = checked.into_iter().map(|c| c.map(|c| c.0)).collect::<Option<_>>()?;
                call(args, result)
            }
        }
    }
}

/// The option values for a message: the first few, quoted.
fn option_list(options: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut s = options.iter().take(SHOWN).map(|o| format!("\"{o}\"")).collect::<Vec<_>>().join(", ");
    if options.len() > SHOWN {
        s.push_str(&format!(" and {} more", options.len() - SHOWN));
    }
    s
}

/// Help for a date compared with a text: a date is written `date("YYYY-MM-DD")`, with
/// the text itself when it is a literal (`geburtsdatum < "2008-01-01"`).
fn date_text_help(lt: Type, rt: Type, lhs: &Expr, rhs: &Expr) -> Option<String> {
    let text = match (lt, rt) {
        (Type::Date, Type::Text) => rhs,
        (Type::Text, Type::Date) => lhs,
        _ => return None,
    };
    Some(match &text.kind {
        ExprKind::Text(t) if iso_date(t.trim()).is_some() => format!("write the date as date(\"{}\")", t.trim()),
        _ => "write a date as date(\"YYYY-MM-DD\"), e.g. date(\"2026-01-31\"); a text field cannot be compared with a date".into(),
    })
}

/// A name argument as written, for messages.
fn arg_text(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        _ => "this".into(),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::HashMap;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::*;
    use crate::ids::ValueId;

    /// A scope with a small form: personal data, a repeated group `hund` with a nested
    /// group `impfung`, a plain group `adresse` and a value `gebuehr`.
    pub(in crate::expr) struct FakeScope(pub HashMap<&'static str, Resolved>);

    pub(in crate::expr) const HUND: FieldId = FieldId(5);

    impl FakeScope {
        pub(in crate::expr) fn new() -> Self {
            let field = |id, ty| Resolved::Field { id: FieldId(id), ty, repeat_group: None };
            let member = |id, ty| Resolved::Field { id: FieldId(id), ty, repeat_group: Some(HUND) };
            let mut m = HashMap::new();
            m.insert("vorname", field(0, Type::Text));
            m.insert("nachname", field(1, Type::Text));
            m.insert("alter", field(2, Type::Number));
            m.insert("geburtsdatum", field(3, Type::Date));
            m.insert("tiere", field(4, Type::List));
            m.insert("hund", Resolved::Group { id: HUND, repeated: true, repeat_group: None });
            m.insert("hund_name", member(6, Type::Text));
            m.insert("hund_alter", member(7, Type::Number));
            m.insert("adresse", Resolved::Group { id: FieldId(8), repeated: false, repeat_group: None });
            m.insert("strasse", field(9, Type::Text));
            m.insert("impfung", Resolved::Group { id: FieldId(10), repeated: false, repeat_group: Some(HUND) });
            m.insert("geimpft_am", member(11, Type::Date));
            m.insert("zustimmung", field(12, Type::Bool));
            m.insert("nachweis", field(13, Type::File));
            m.insert("größe", field(14, Type::Number));
            m.insert("gebuehr", Resolved::Value { id: ValueId(0), ty: Type::Number });
            m.insert("anrede", field(15, Type::Text));
            m.insert("rasse", member(16, Type::Text));
            m.insert("arten", field(17, Type::List));
            FakeScope(m)
        }
    }

    /// The options of `arten` (multiple choice), `anrede` (choice) and the member `rasse`
    /// (`tiere` is a list without options, as a computed list would be).
    fn fake_options() -> HashMap<FieldId, Vec<String>> {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        HashMap::from([
            (FieldId(17), strings(&["hund", "katze", "vogel"])),
            (FieldId(15), strings(&["frau", "herr", "divers"])),
            (FieldId(16), strings(&["labrador", "pitbull"])),
        ])
    }

    impl Scope for FakeScope {
        fn resolve(&self, name: &str) -> Resolved {
            self.0.get(name).cloned().unwrap_or(Resolved::Unknown)
        }
        fn options(&self, field: FieldId) -> Option<&[String]> {
            static OPTIONS: std::sync::LazyLock<HashMap<FieldId, Vec<String>>> = std::sync::LazyLock::new(fake_options);
            OPTIONS.get(&field).map(Vec::as_slice)
        }
        fn names(&self) -> Vec<&str> {
            let mut v: Vec<&str> = self.0.keys().copied().collect();
            v.sort();
            v
        }
    }

    const TOP: CheckCtx = CheckCtx { group: None };
    const IN_HUND: CheckCtx = CheckCtx { group: Some(HUND) };

    fn ok_in(src: &str, ctx: &CheckCtx) -> (CExpr, Type) {
        let e = crate::expr::parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        check(&e, &FakeScope::new(), ctx).unwrap_or_else(|e| panic!("{src}: {e:?}"))
    }

    fn ty(src: &str) -> Type {
        ok_in(src, &TOP).1
    }

    fn errs_in(src: &str, ctx: &CheckCtx) -> Vec<ExprError> {
        let e = crate::expr::parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        check(&e, &FakeScope::new(), ctx).expect_err(src)
    }

    fn err(src: &str) -> ExprError {
        let mut v = errs_in(src, &TOP);
        assert_eq!(v.len(), 1, "{v:?}");
        v.remove(0)
    }

    #[test]
    fn types() {
        assert_eq!(ty("alter + 1 * 2 - -3 / 4"), Type::Number);
        assert_eq!(ty("vorname + \" \" + nachname"), Type::Text);
        assert_eq!(ty("alter >= 18 and not zustimmung or vorname == 'x'"), Type::Bool);
        assert_eq!(ty("geburtsdatum < today()"), Type::Bool);
        assert_eq!(ty("\"hund\" in tiere and 'a' in ['a', 'b'] and 'a' in []"), Type::Bool);
        assert_eq!(ty("tiere == []"), Type::Bool);
        assert_eq!(ty("if(zustimmung, 1, 2)"), Type::Number);
        assert_eq!(ty("if_empty(vorname, 'unbekannt')"), Type::Text);
        assert_eq!(ty("max(1, alter, gebuehr)"), Type::Number);
        assert_eq!(ty("min(today(), geburtsdatum)"), Type::Date);
        assert_eq!(ty("add_months(date('2026-01-31'), 1)"), Type::Date);
        assert_eq!(ty("len(tiere) + len(vorname) + age(geburtsdatum) + days_between(geburtsdatum, today())"), Type::Number);
        assert_eq!(ty("round(floor(1.5) + ceil(2.5), 2) + number('12.50')"), Type::Number);
        assert_eq!(ty("contains(lower(vorname), upper('a')) and matches(vorname, '^[A-Z]')"), Type::Bool);
        assert_eq!(ty("filled(nachweis) and empty(adresse) and filled(hund) and filled(vorname)"), Type::Bool);
        assert_eq!(ty("count(hund) + count(hund, hund_alter > 3 and index > 1) + sum(hund, hund_alter)"), Type::Number);
        assert_eq!(ty("count(hund, filled(impfung))"), Type::Number);
    }

    #[test]
    fn resolution_and_shapes() {
        let (c, _) = ok_in("hund_name + ' ' + vorname + (' ' + strasse)", &IN_HUND);
        assert_eq!(
            c,
            CExpr::Join(vec![
                CExpr::Member(FieldId(6)),
                CExpr::Lit(Value::Text(" ".into())),
                CExpr::Field(FieldId(0)),
                CExpr::Lit(Value::Text(" ".into())),
                CExpr::Field(FieldId(9)),
            ])
        );
        assert_eq!(ok_in("index", &IN_HUND).0, CExpr::Index);
        assert_eq!(ok_in("filled(impfung)", &IN_HUND).0, CExpr::MemberGroupFilled(FieldId(10)));
        assert_eq!(ok_in("empty(adresse)", &TOP).0, CExpr::Unary(UnOp::Not, Box::new(CExpr::GroupFilled(FieldId(8)))));
        assert_eq!(ok_in("-5", &TOP).0, CExpr::Lit(Value::Number(Decimal::new(-5, 0))));
        assert_eq!(ok_in("date(\"2024-02-29\")", &TOP).0, CExpr::Lit(Value::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())));
        assert_eq!(ok_in("['a', 'b']", &TOP).0, CExpr::Lit(Value::List(vec!["a".into(), "b".into()])));
        assert_eq!(
            ok_in("count(hund, hund_alter > 2)", &TOP).0,
            CExpr::Count {
                group: HUND,
                cond: Some(Box::new(CExpr::Binary(
                    BinOp::Gt,
                    Box::new(CExpr::Member(FieldId(7))),
                    Box::new(CExpr::Lit(Value::Number(Decimal::new(2, 0)))),
                ))),
            }
        );
        assert_eq!(ok_in("gebuehr", &TOP).0, CExpr::Value(ValueId(0)));
        assert_eq!(ok_in("größe > 3", &TOP).1, Type::Bool);
    }

    #[test]
    fn e0201_syntax_errors_come_from_parse() {
        assert_eq!(crate::expr::parse("a +").unwrap_err().code, "E0201");
    }

    #[test]
    fn e0202_unknown_name_at_its_columns() {
        let e = err("alter > 3 and vornme == 'x'");
        assert_eq!((e.code, e.span), ("E0202", (14, 20)));
        assert_eq!(e.message, "unknown field or value `vornme`");
        assert_eq!(e.help.as_deref(), Some("did you mean `vorname`?"));
        let e = err("Vorname == 'x'");
        assert_eq!(e.help.as_deref(), Some("did you mean `vorname`?"));
        let e = err("today < geburtsdatum");
        assert_eq!(e.help.as_deref(), Some("`today` is a function: write `today(…)`"));
        // Every error of the expression is reported.
        let v = errs_in("foo + bar", &TOP);
        assert_eq!(v.iter().map(|e| e.span).collect::<Vec<_>>(), vec![(0, 3), (6, 9)]);
    }

    #[test]
    fn e0203_unknown_function() {
        let e = err("uper(vorname) == 'X'");
        assert_eq!((e.code, e.span), ("E0203", (0, 4)));
        assert_eq!(e.message, "unknown function `uper`");
        assert_eq!(e.help.as_deref(), Some("did you mean `upper`?"));
    }

    #[test]
    fn e0204_arity() {
        let e = err("age(geburtsdatum, today())");
        assert_eq!((e.code, e.span), ("E0204", (0, 26)));
        assert_eq!(e.message, "`age` takes 1 argument, but 2 were given");
        assert_eq!(e.help.as_deref(), Some("write it as age(date)"));
        assert_eq!(err("max(1)").message, "`max` takes at least 2 arguments, but 1 was given");
        assert_eq!(err("count()").message, "`count` takes 1 or 2 arguments, but 0 were given");
    }

    #[test]
    fn e0205_type_mismatch() {
        let e = err("'a' < 3");
        assert_eq!((e.code, e.span), ("E0205", (0, 7)));
        assert_eq!(e.message, "cannot compare a text with a number using `<`");
        let e = err("vorname < nachname");
        assert_eq!((e.code, e.span), ("E0205", (8, 9)));
        let e = err("today() - geburtsdatum > 3");
        assert_eq!((e.code, e.span), ("E0205", (0, 22)));
        assert_eq!(e.help.as_deref(), Some("use days_between(a, b) (or months_between, years_between)"));
        let e = err("add_days(geburtsdatum, '3')");
        assert_eq!((e.code, e.span), ("E0205", (23, 26)));
        assert_eq!(e.message, "the second argument of `add_days` must be a number, but it is a text");
        assert_eq!(err("alter + 'x'").code, "E0205");
        assert_eq!(err("alter in tiere").span, (0, 5));
        assert_eq!(err("['a', 1]").span, (6, 7));
        assert_eq!(err("if(zustimmung, 1, 'a')").code, "E0205");
        assert_eq!(err("nachweis == nachweis").code, "E0205");
        assert_eq!(err("alter and zustimmung").span, (0, 5));
        assert_eq!(err("sum(hund, hund_name)").span, (10, 19));
        assert_eq!(err("count(alter)").code, "E0205");
        assert_eq!(err("min(1, today())").code, "E0205");
        assert_eq!(err("geburtsdatum + 1").help.as_deref(), Some("use add_days(date, n), add_months(date, n) or add_years(date, n)"));
    }

    #[test]
    fn e0206_condition_not_bool() {
        let e = crate::expr::parse("alter + 1").unwrap();
        let v = check_condition(&e, &FakeScope::new(), &TOP).unwrap_err();
        assert_eq!((v[0].code, v[0].span), ("E0206", (0, 9)));
        assert_eq!(v[0].message, "this condition must be yes or no (bool), but it is a number");
        let e = crate::expr::parse("alter > 1").unwrap();
        assert!(check_condition(&e, &FakeScope::new(), &TOP).is_ok());
        let e = err("if(vorname, 1, 2)");
        assert_eq!((e.code, e.span), ("E0206", (3, 10)));
        assert_eq!(err("count(hund, hund_alter)").code, "E0206");
    }

    #[test]
    fn e0207_chained_comparison_comes_from_parse() {
        assert_eq!(crate::expr::parse("1 < alter < 3").unwrap_err().code, "E0207");
    }

    #[test]
    fn e0208_groups_and_members() {
        let e = err("hund_name == 'Bello'");
        assert_eq!((e.code, e.span), ("E0208", (0, 9)));
        assert_eq!(e.message, "`hund_name` belongs to the repeated group `hund` and can only be used inside it");
        assert!(e.help.as_deref().unwrap().contains("count(hund, filled(hund_name))"));
        let e = err("hund > 1");
        assert_eq!((e.code, e.span), ("E0208", (0, 4)));
        assert!(e.help.as_deref().unwrap().contains("count(hund)"));
        assert_eq!(err("adresse == 'x'").code, "E0208");
        assert_eq!(err("count(adresse)").code, "E0208");
        assert_eq!(err("filled(impfung)").code, "E0208");
        assert_eq!(err("age(geimpft_am) > 1").code, "E0208");
        let e = err("index > 1");
        assert_eq!((e.code, e.span), ("E0208", (0, 5)));
        // Inside count/sum over the group, and inside the group itself, members are fine.
        ok_in("count(hund, hund_name == 'Bello' and filled(geimpft_am))", &TOP);
        ok_in("hund_name == 'Bello' and index == count(hund)", &IN_HUND);
        assert_eq!(errs_in("len(hund)", &IN_HUND)[0].code, "E0208");
    }

    #[test]
    fn e0209_invalid_regex() {
        let e = err("matches(vorname, '(abc')");
        assert_eq!((e.code, e.span), ("E0209", (17, 23)));
        assert_eq!(e.message, "invalid regular expression: unclosed group");
        let e = err("matches(vorname, nachname)");
        assert_eq!((e.code, e.span), ("E0209", (17, 25)));
    }

    #[test]
    fn e0210_invalid_date() {
        let e = err("geburtsdatum < date('2026-02-30')");
        assert_eq!((e.code, e.span), ("E0210", (20, 32)));
        assert_eq!(e.message, "`2026-02-30` is not a valid date");
        assert_eq!(err("date('31.1.2026') > today()").code, "E0210");
        assert_eq!(err("date('2026-1-31') > today()").code, "E0210");
        assert_eq!(ty("date(vorname)"), Type::Date);
    }

    #[test]
    fn e0211_too_long_comes_from_parse() {
        assert_eq!(crate::expr::parse(&"a+".repeat(2001)).unwrap_err().code, "E0211");
    }

    #[test]
    fn e0212_text_that_is_not_an_option() {
        // Issue #20, point 9: a typo in an option value made the condition never hold.
        let e = err("anrede == 'her'");
        assert_eq!((e.code, e.span), ("E0212", (10, 15)));
        assert_eq!(e.message, "\"her\" is not an option of `anrede`");
        assert_eq!(e.help.as_deref(), Some("did you mean \"herr\"?"));
        // Either side, `!=`, `in` on a multiple choice, the items of a list literal.
        assert_eq!(err("'Frau' != anrede").span, (0, 6));
        let e = err("'elefant' in arten");
        assert_eq!((e.code, e.span), ("E0212", (0, 9)));
        assert_eq!(e.help.as_deref(), Some("compare with an option's `value` (not its label): \"hund\", \"katze\", \"vogel\""));
        let v = errs_in("anrede in ['frau', 'hrr', 'x'] or arten == ['kaze']", &TOP);
        assert_eq!(
            v.iter().map(|e| (e.code, e.span)).collect::<Vec<_>>(),
            vec![("E0212", (19, 24)), ("E0212", (26, 29)), ("E0212", (44, 50))]
        );
        // A member of a repeated group, inside count and inside the group.
        assert_eq!(err("count(hund, rasse == 'pitbul') > 0").span, (21, 29));
        assert_eq!(errs_in("rasse != 'labradr'", &IN_HUND)[0].code, "E0212");
        // Options, the empty text, texts compared with other fields, and names are fine.
        assert_eq!(ty("anrede == 'herr' and ' frau ' != anrede and 'hund' in arten and anrede in ['frau', 'divers']"), Type::Bool);
        assert_eq!(ty("anrede == '' and arten == [] and vorname == 'hrr' and anrede == vorname and 'x' in ['y']"), Type::Bool);
        // A list without options (`tiere`) takes any text.
        assert_eq!(ty("'elefant' in tiere"), Type::Bool);
        assert_eq!(ty("count(hund, rasse == 'pitbull') > 0"), Type::Bool);
    }

    #[test]
    fn a_date_compared_with_a_text_suggests_date() {
        // Issue #20, point 10: the help said number(x).
        let e = err("geburtsdatum < '2008-01-01'");
        assert_eq!(e.code, "E0205");
        assert_eq!(e.help.as_deref(), Some("write the date as date(\"2008-01-01\")"));
        let e = err("'2008-01-01' == geburtsdatum");
        assert_eq!(e.help.as_deref(), Some("write the date as date(\"2008-01-01\")"));
        let e = err("geburtsdatum >= vorname");
        assert!(e.help.as_deref().unwrap().starts_with("write a date as date(\"YYYY-MM-DD\")"), "{e:?}");
        // A number and a text still suggest number(x).
        assert_eq!(err("alter < vorname").help.as_deref(), Some("use number(x) to read a text as a number"));
    }

    #[test]
    fn refs_lists_names() {
        let e = crate::expr::parse("count(hund, hund_alter > x) + len(vorname) + index").unwrap();
        assert_eq!(
            refs(&e),
            vec![("hund".into(), (6, 10)), ("hund_alter".into(), (12, 22)), ("x".into(), (25, 26)), ("vorname".into(), (34, 41))]
        );
    }

    #[test]
    fn strict_iso_dates() {
        assert!(iso_date("2024-02-29").is_some());
        assert!(iso_date("2025-02-29").is_none());
        assert!(iso_date("2025-2-28").is_none());
        assert!(iso_date("+2025-02-2").is_none());
    }
}
