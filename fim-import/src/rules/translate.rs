//! Translating a rule's [`ast`](super::ast) into the form language, resolved against the
//! builder's nodes: conditions become expressions ([`TExpr`]), consequences become
//! `required` conditions, `visible_if` conditions or step rules ([`Effect`]), and for each a
//! pair of answers — one under which it holds and one under which it does not — is found
//! by evaluating the condition the way the engine does (empty operands included) over a
//! few candidate answers per field. The generated scenarios use those answers.

use std::collections::HashMap;

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;

use super::ast::{Cond, Consequence, DateTerm, Op, Quant, Ref, RuleText, Sentence, State, Unit, Value};
use crate::build::Builder;
use crate::yaml::{Ans, quote};

/// A condition resolved against the form's nodes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TExpr {
    Or(Vec<TExpr>),
    And(Vec<TExpr>),
    Not(Box<TExpr>),
    Filled(usize),
    Empty(usize),
    Cmp {
        node: usize,
        op: Op,
        lit: Lit,
    },
    CmpNodes {
        a: usize,
        op: Op,
        b: usize,
    },
    /// `a op add(b, n unit)`; `None` is today.
    DateRel {
        a: Option<usize>,
        op: Op,
        b: Option<usize>,
        n: u32,
        unit: Unit,
    },
}

/// A literal of a comparison, typed by its field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    /// An option code of a `choice`.
    Code(String),
    /// An option code of a `multi_choice` (`"c" in x`).
    Tick(String),
    Bool(bool),
    Num(Decimal),
    Date(NaiveDate),
    Text(String),
}

/// A scenario answer, as the evaluation sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Text(String),
    List(Vec<String>),
    Bool(bool),
    Num(Decimal),
    Date(NaiveDate),
}

impl Val {
    pub(crate) fn ans(&self) -> Ans {
        match self {
            Val::Text(t) => Ans::Text(t.clone()),
            Val::List(l) => Ans::List(l.iter().map(|t| Ans::Text(t.clone())).collect()),
            Val::Bool(b) => Ans::Plain(b.to_string()),
            Val::Num(n) => Ans::Plain(n.normalize().to_string()),
            Val::Date(d) => Ans::Text(d.format("%Y-%m-%d").to_string()),
        }
    }
}

/// What a consequence became.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `required:` on the targets.
    Required,
    /// `visible_if: not (…)` on the targets.
    Hidden,
    /// `visible_if:` on the targets.
    Shown,
    /// A step rule.
    Check,
}

/// One translated consequence, with its scenarios' answers.
#[derive(Debug, Clone)]
pub(crate) struct Effect {
    pub kind: Kind,
    /// The condition (`Check`: the rule's `check`).
    pub expr: String,
    /// Nodes that get the condition (`Check`: the fields the rule names).
    pub targets: Vec<usize>,
    /// The node the scenarios look at.
    pub probe: usize,
    /// Answers under which the condition holds / does not.
    pub holds: HashMap<usize, Val>,
    pub fails: HashMap<usize, Val>,
    /// Fields the condition reads (left unanswered unless set).
    pub reads: Vec<usize>,
    /// `Check`: the message.
    pub message: String,
    /// Where the rule's comment goes: the first element the consequence names.
    pub anchor: usize,
    /// `Check`: answers under which the check holds, when answering the probe is not enough
    /// (the scenario "Regel erfüllt"; else it answers the probe on top of `holds`).
    pub satisfied: Option<HashMap<usize, Val>>,
}

/// Most answer combinations tried per condition.
const MAX_COMBINATIONS: usize = 20_000;

fn norm_label(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

impl Builder<'_> {
    /// The node a reference means: occurrences of its id near the rule's host, narrowed by
    /// the groups written before it. A label that matches neither the node's label nor its
    /// name is a warning.
    pub(crate) fn resolve_ref(&self, r: &Ref, host: Option<usize>, rule: &str, warnings: &mut Vec<String>) -> Result<usize, String> {
        let id = r.id();
        let mut occ = self.occurrences(id, host);
        // An XDatenfelder 3 schema whose rule still names an element by its short XDatenfelder 2
        // id (`G60000086` for `G60000000086`): the ids were lengthened by three zeros after the
        // number range, so the short one means exactly one long one.
        let long = if occ.is_empty() { long_id(id) } else { None };
        if let Some(l) = &long {
            occ = self.occurrences(l, host);
            if !occ.is_empty() {
                warnings.push(format!("{rule}: {id} is written with its short XDatenfelder 2 id; read as {l}"));
            }
        }
        if occ.len() > 1 && r.path.len() > 1 {
            let groups: Vec<String> = r.path[..r.path.len() - 1]
                .iter()
                .map(|g| if long.is_some() { long_id(g).unwrap_or_else(|| g.clone()) } else { g.clone() })
                .collect();
            occ.retain(|&i| groups.iter().all(|g| self.has_ancestor(i, g)));
        }
        let &[n] = occ.as_slice() else {
            return Err(if occ.is_empty() {
                format!("{id} is not in the schema")
            } else {
                format!("{id} occurs {} times; which one is meant is unclear", occ.len())
            });
        };
        if let Some(l) = &r.label {
            let node = &self.nodes[n];
            let w = norm_label(l);
            let ok = [&node.label, &node.title, &node.name].iter().any(|x| {
                let x = norm_label(x);
                !x.is_empty() && (x == w || x.contains(&w) || w.contains(&x))
            });
            if !ok && !w.is_empty() {
                warnings.push(format!("{rule}: {id} is written \"{l}\", but its label is \"{}\"", node.label));
            }
        }
        Ok(n)
    }

    fn has_ancestor(&self, i: usize, fim: &str) -> bool {
        let mut p = self.nodes[i].parent;
        while let Some(pi) = p {
            if self.nodes[pi].fim == fim {
                return true;
            }
            p = self.nodes[pi].parent;
        }
        false
    }

    /// A condition's expression.
    pub(crate) fn cond_expr(&self, c: &Cond, host: Option<usize>, rule: &str, warnings: &mut Vec<String>) -> Result<TExpr, String> {
        Ok(match c {
            Cond::Or(v) => TExpr::Or(v.iter().map(|x| self.cond_expr(x, host, rule, warnings)).collect::<Result<_, _>>()?),
            Cond::And(v) => TExpr::And(v.iter().map(|x| self.cond_expr(x, host, rule, warnings)).collect::<Result<_, _>>()?),
            Cond::Not(x) => TExpr::Not(Box::new(self.cond_expr(x, host, rule, warnings)?)),
            Cond::State { subject, state, negated } => {
                let n = self.resolve_ref(subject, host, rule, warnings)?;
                match state {
                    State::Filled | State::Empty => {
                        let filled = self.filled_expr(n)?;
                        if (*state == State::Empty) ^ *negated { negate_filled(filled) } else { filled }
                    }
                    State::Yes | State::No => {
                        if self.nodes[n].ty != "boolean" {
                            return Err(format!("\"bejaht\"/\"verneint\" on {}, which is no yes/no field", subject.id()));
                        }
                        let e = TExpr::Cmp { node: n, op: Op::Eq, lit: Lit::Bool(*state == State::Yes) };
                        if *negated { TExpr::Cmp { node: n, op: Op::Ne, lit: Lit::Bool(*state == State::Yes) } } else { e }
                    }
                }
            }
            Cond::Cmp { subject, op, value } => {
                let n = self.resolve_ref(subject, host, rule, warnings)?;
                self.compare(n, *op, value, subject.id())?
            }
            Cond::CmpFields { a, op, b } => {
                let x = self.resolve_ref(a, host, rule, warnings)?;
                let y = self.resolve_ref(b, host, rule, warnings)?;
                let (tx, ty) = (self.nodes[x].ty, self.nodes[y].ty);
                let numeric = |t: &str| matches!(t, "number" | "integer" | "money");
                if !((tx == "date" && ty == "date") || (numeric(tx) && numeric(ty)) || (*op == Op::Eq || *op == Op::Ne) && tx == ty) {
                    return Err(format!("{} and {} cannot be compared", a.id(), b.id()));
                }
                TExpr::CmpNodes { a: x, op: *op, b: y }
            }
            Cond::DateDiff { a, b, op, n, unit } => {
                if *n > 200 {
                    return Err(format!("{n} is too large a span"));
                }
                let mut side = |t: &DateTerm| -> Result<Option<usize>, String> {
                    match t {
                        DateTerm::Today => Ok(None),
                        DateTerm::Field(r) => {
                            let i = self.resolve_ref(r, host, rule, warnings)?;
                            if self.nodes[i].ty != "date" {
                                return Err(format!("{} is not a date field", r.id()));
                            }
                            Ok(Some(i))
                        }
                    }
                };
                let (a, b) = (side(a)?, side(b)?);
                if a.is_none() && b.is_none() {
                    return Err("a span between today and today".into());
                }
                TExpr::DateRel { a, op: *op, b, n: *n, unit: *unit }
            }
            Cond::Members { group, field, only, op, value } => {
                let g = self.resolve_ref(group, host, rule, warnings)?;
                let f = field.as_ref().map(|r| self.resolve_ref(r, host, rule, warnings)).transpose()?;
                let mut members = Vec::new();
                self.inputs_within(g, &mut members);
                let mut others = Vec::new();
                for &m in &members {
                    if Some(m) != f
                        && let Ok(e) = self.compare(m, *op, value, &self.nodes[m].fim)
                    {
                        others.push(e);
                    }
                }
                match (f, only) {
                    (None, _) => {
                        if others.is_empty() {
                            return Err(format!("no field of {} can be compared with the value", group.id()));
                        }
                        TExpr::Or(others)
                    }
                    (Some(f), true) => {
                        let mut all = vec![self.compare(f, *op, value, &self.nodes[f].fim)?];
                        all.extend(others.into_iter().map(|e| TExpr::Not(Box::new(e))));
                        TExpr::And(all)
                    }
                    (Some(_), false) => {
                        if others.is_empty() {
                            return Err(format!("no other field of {} can be compared with the value", group.id()));
                        }
                        TExpr::Or(others)
                    }
                }
            }
            Cond::Unsupported(w) => return Err(format!("the condition {w} is not translated")),
        })
    }

    /// Input fields inside `g`, outside repeated groups.
    fn inputs_within(&self, g: usize, out: &mut Vec<usize>) {
        for &c in &self.nodes[g].children {
            let n = &self.nodes[c];
            if n.repeat.is_some() {
                continue;
            }
            if n.ty == "group" {
                self.inputs_within(c, out);
            } else if n.is_input() {
                out.push(c);
            }
        }
    }

    /// `filled(x)`; for a group that became a step (it has no id), any of its members.
    fn filled_expr(&self, n: usize) -> Result<TExpr, String> {
        let node = &self.nodes[n];
        if node.repeat.is_some() || self.repeat_scope(n).is_some() {
            return Err(format!("{} is in a repeated group", node.fim));
        }
        if node.emitted() {
            if !node.is_input() && node.ty != "group" {
                return Err(format!("{} is not an input field", node.fim));
            }
            return Ok(TExpr::Filled(n));
        }
        let kids: Vec<TExpr> =
            node.children.iter().filter(|&&c| self.nodes[c].is_input() || self.nodes[c].ty == "group").map(|&c| TExpr::Filled(c)).collect();
        if kids.is_empty() {
            return Err(format!("{} has no fields", node.fim));
        }
        Ok(TExpr::Or(kids))
    }

    /// `node op value`, typed by the field.
    fn compare(&self, c: usize, op: Op, value: &Value, fim: &str) -> Result<TExpr, String> {
        let n = &self.nodes[c];
        if !n.is_input() || !n.emitted() {
            return Err(format!("{fim} is not an input field"));
        }
        if n.repeat.is_some() || self.repeat_scope(c).is_some() {
            return Err(format!("{fim} is in a repeated group"));
        }
        if n.lost_options {
            return Err(format!("the code list of {fim} is missing, so its values are unknown"));
        }
        let (text, label) = match value {
            Value::Quoted(t) => (engine::checks::normalize_text(t), None),
            Value::Code(c, l) => (c.clone(), l.clone()),
            Value::Bool(b) => ((if *b { "wahr" } else { "falsch" }).to_string(), None),
            Value::Date(d) => (d.format("%d.%m.%Y").to_string(), None),
            Value::Others => return Err(format!("\"alle anderen Ausprägungen\" of {fim}, but the rule names no value of it")),
        };
        let text = text.trim().to_string();
        if text.is_empty() {
            // `= ""`: empty; `<> ""`: filled.
            return Ok(match op {
                Op::Eq => TExpr::Empty(c),
                Op::Ne => TExpr::Filled(c),
                _ => return Err("an order comparison with an empty text".into()),
            });
        }
        let ordered = !matches!(op, Op::Eq | Op::Ne);
        let lit = match n.ty {
            "choice" | "multi_choice" => {
                if ordered {
                    return Err(format!("an order comparison on the selection {fim}"));
                }
                let opts = self.options_of(c);
                let v = text.trim_end_matches('.');
                let found = opts.iter().find(|(code, l)| {
                    let l = l.trim().trim_end_matches('.');
                    *code == text
                        || code == v
                        || v.strip_prefix(code.as_str()).is_some_and(|rest| rest.starts_with(' ') || rest.starts_with(':'))
                        || l.eq_ignore_ascii_case(v)
                        || label.as_deref().is_some_and(|x| {
                            l.eq_ignore_ascii_case(x.trim().trim_end_matches('.'))
                                && code.trim_start_matches('0') == v.trim_start_matches('0')
                        })
                });
                let Some((code, _)) = found else { return Err(format!("\"{text}\" is not among the options of {fim}")) };
                if n.ty == "multi_choice" { Lit::Tick(code.clone()) } else { Lit::Code(code.clone()) }
            }
            "boolean" => {
                if ordered {
                    return Err(format!("an order comparison on the yes/no field {fim}"));
                }
                Lit::Bool(match text.to_lowercase().trim_end_matches('.') {
                    "ja" | "true" | "wahr" | "yes" | "1" => true,
                    "nein" | "false" | "falsch" | "no" | "0" => false,
                    _ => return Err(format!("\"{text}\" is not a yes/no value for {fim}")),
                })
            }
            "number" | "integer" | "money" => {
                let v = text.replace(',', ".");
                if !crate::build::is_decimal(&v) || !crate::sample::is_number_of(n.ty, &v) {
                    return Err(format!("\"{text}\" is no valid answer for the {} field {fim}", n.ty));
                }
                Lit::Num(v.parse().map_err(|_| format!("\"{text}\" is not a number"))?)
            }
            "date" => {
                let d = match value {
                    Value::Date(d) => Some(*d),
                    _ => NaiveDate::parse_from_str(&text, "%d.%m.%Y").or_else(|_| NaiveDate::parse_from_str(&text, "%Y-%m-%d")).ok(),
                };
                Lit::Date(d.ok_or_else(|| format!("\"{text}\" is not a date"))?)
            }
            "text" => {
                if ordered {
                    return Err(format!("an order comparison on the text field {fim}"));
                }
                Lit::Text(text)
            }
            other => return Err(format!("comparing a {other} field is not translated")),
        };
        Ok(TExpr::Cmp { node: c, op, lit })
    }

    /// The expression's text.
    pub(crate) fn render(&self, e: &TExpr) -> String {
        let sub = |x: &TExpr| match x {
            TExpr::Or(_) | TExpr::And(_) => format!("({})", self.render(x)),
            _ => self.render(x),
        };
        match e {
            TExpr::Or(v) => v.iter().map(sub).collect::<Vec<_>>().join(" or "),
            TExpr::And(v) => v.iter().map(sub).collect::<Vec<_>>().join(" and "),
            TExpr::Not(x) => format!("not ({})", self.render(x)),
            TExpr::Filled(n) => format!("filled({})", self.nodes[*n].id),
            TExpr::Empty(n) => format!("empty({})", self.nodes[*n].id),
            TExpr::Cmp { node, op, lit } => {
                let id = &self.nodes[*node].id;
                match lit {
                    Lit::Tick(c) if *op == Op::Ne => format!("not ({} in {id})", quote(c)),
                    Lit::Tick(c) => format!("{} in {id}", quote(c)),
                    Lit::Code(c) | Lit::Text(c) => format!("{id} {} {}", op.as_str(), quote(c)),
                    Lit::Bool(b) => format!("{id} {} {b}", op.as_str()),
                    Lit::Num(d) => format!("{id} {} {}", op.as_str(), d.normalize()),
                    Lit::Date(d) => format!("{id} {} date(\"{}\")", op.as_str(), d.format("%Y-%m-%d")),
                }
            }
            TExpr::CmpNodes { a, op, b } => format!("{} {} {}", self.nodes[*a].id, op.as_str(), self.nodes[*b].id),
            TExpr::DateRel { a, op, b, n, unit } => {
                let side = |x: &Option<usize>| x.map(|i| self.nodes[i].id.clone()).unwrap_or_else(|| "today()".into());
                let (f, k) = match unit {
                    Unit::Years => ("add_years", *n),
                    Unit::Months => ("add_months", *n),
                    Unit::Weeks => ("add_days", n * 7),
                    Unit::Days => ("add_days", *n),
                };
                format!("{} {} {f}({}, {k})", side(a), op.as_str(), side(b))
            }
        }
    }

    /// Whether anything inside `g` (or `g` itself) is answered.
    fn any_within(&self, g: usize, vals: &HashMap<usize, Val>) -> bool {
        vals.keys().any(|&k| self.is_within(k, g))
    }

    /// Evaluates as the engine does: `None` is an empty result (counts as false).
    pub(crate) fn eval(&self, e: &TExpr, vals: &HashMap<usize, Val>, today: NaiveDate) -> Option<bool> {
        match e {
            TExpr::Or(v) => {
                let r: Vec<Option<bool>> = v.iter().map(|x| self.eval(x, vals, today)).collect();
                if r.contains(&Some(true)) {
                    Some(true)
                } else if r.contains(&None) {
                    None
                } else {
                    Some(false)
                }
            }
            TExpr::And(v) => {
                let r: Vec<Option<bool>> = v.iter().map(|x| self.eval(x, vals, today)).collect();
                if r.contains(&Some(false)) {
                    Some(false)
                } else if r.contains(&None) {
                    None
                } else {
                    Some(true)
                }
            }
            TExpr::Not(x) => self.eval(x, vals, today).map(|b| !b),
            TExpr::Filled(n) => Some(self.any_within(*n, vals)),
            TExpr::Empty(n) => Some(!self.any_within(*n, vals)),
            TExpr::Cmp { node, op, lit } => {
                let v = vals.get(node);
                Some(match (lit, v) {
                    (Lit::Tick(c), Some(Val::List(l))) => (*op == Op::Eq) == l.contains(c),
                    (Lit::Tick(_), _) => *op == Op::Ne,
                    (_, None) => false,
                    (Lit::Code(c) | Lit::Text(c), Some(Val::Text(t))) => match op {
                        Op::Eq => t == c,
                        Op::Ne => t != c,
                        _ => false,
                    },
                    (Lit::Bool(b), Some(Val::Bool(x))) => match op {
                        Op::Eq => x == b,
                        Op::Ne => x != b,
                        _ => false,
                    },
                    (Lit::Num(d), Some(Val::Num(x))) => order(*op, x.cmp(d)),
                    (Lit::Date(d), Some(Val::Date(x))) => order(*op, x.cmp(d)),
                    _ => false,
                })
            }
            TExpr::CmpNodes { a, op, b } => Some(match (vals.get(a), vals.get(b)) {
                (None, None) => *op == Op::Eq,
                (Some(Val::Num(x)), Some(Val::Num(y))) => order(*op, x.cmp(y)),
                (Some(Val::Date(x)), Some(Val::Date(y))) => order(*op, x.cmp(y)),
                (Some(x), Some(y)) => match op {
                    Op::Eq => x == y,
                    Op::Ne => x != y,
                    _ => false,
                },
                _ => false,
            }),
            TExpr::DateRel { a, op, b, n, unit } => {
                let date = |x: &Option<usize>| match x {
                    None => Some(today),
                    Some(i) => match vals.get(i) {
                        Some(Val::Date(d)) => Some(*d),
                        _ => None,
                    },
                };
                let (Some(x), Some(y)) = (date(a), date(b)) else { return Some(false) };
                let Some(y) = add(y, *n, *unit) else { return Some(false) };
                Some(order(*op, x.cmp(&y)))
            }
        }
    }

    fn leaves(&self, e: &TExpr, out: &mut Vec<usize>) {
        let mut push = |i: usize| {
            if !out.contains(&i) {
                out.push(i)
            }
        };
        match e {
            TExpr::Or(v) | TExpr::And(v) => v.iter().for_each(|x| self.leaves(x, out)),
            TExpr::Not(x) => self.leaves(x, out),
            TExpr::Filled(n) | TExpr::Empty(n) => {
                let rep = if self.nodes[*n].ty == "group" { self.first_input(*n) } else { Some(*n) };
                if let Some(r) = rep {
                    push(r)
                }
            }
            TExpr::Cmp { node, .. } => push(*node),
            TExpr::CmpNodes { a, b, .. } => {
                push(*a);
                push(*b)
            }
            TExpr::DateRel { a, b, .. } => {
                if let Some(a) = a {
                    push(*a)
                }
                if let Some(b) = b {
                    push(*b)
                }
            }
        }
    }

    /// Candidate answers of one field: the values the condition names and their neighbours.
    fn candidates(&self, i: usize, e: &TExpr, today: NaiveDate) -> Vec<Option<Val>> {
        let mut lits = Vec::new();
        let mut rel = Vec::new();
        collect(e, i, &mut lits, &mut rel);
        let n = &self.nodes[i];
        let mut out: Vec<Option<Val>> = vec![None];
        let mut push = |v: Val| {
            if !out.contains(&Some(v.clone())) {
                out.push(Some(v))
            }
        };
        match n.ty {
            "choice" | "multi_choice" => {
                let opts = self.options_of(i);
                let mut codes: Vec<String> = lits
                    .iter()
                    .filter_map(|l| match l {
                        Lit::Code(c) | Lit::Tick(c) => Some(c.clone()),
                        _ => None,
                    })
                    .collect();
                if let Some((o, _)) = opts.iter().find(|(o, _)| !codes.contains(o)) {
                    codes.push(o.clone());
                }
                for c in codes {
                    push(if n.ty == "multi_choice" { Val::List(vec![c]) } else { Val::Text(c) });
                }
            }
            "boolean" => {
                push(Val::Bool(true));
                push(Val::Bool(false));
            }
            "number" | "integer" | "money" => {
                for l in &lits {
                    if let Lit::Num(d) = l {
                        for x in [*d, *d + Decimal::ONE, *d - Decimal::ONE] {
                            if crate::sample::is_number_of(n.ty, &x.normalize().to_string()) {
                                push(Val::Num(x));
                            }
                        }
                    }
                }
                if let Some(s) = crate::sample::number(n.ty, n.min.as_deref(), n.max.as_deref()).and_then(|s| s.parse::<Decimal>().ok()) {
                    push(Val::Num(s));
                    push(Val::Num(s + Decimal::ONE));
                }
            }
            "date" => {
                for l in &lits {
                    if let Lit::Date(d) = l {
                        push(Val::Date(*d));
                        if let Some(x) = d.checked_add_days(Days::new(1)) {
                            push(Val::Date(x));
                        }
                        if let Some(x) = d.checked_sub_days(Days::new(1)) {
                            push(Val::Date(x));
                        }
                    }
                }
                for &(side_a, n_, unit) in &rel {
                    // `i - today op n` (i is a) or `today - i op n` (i is b).
                    let base = if side_a { add(today, n_, unit) } else { sub(today, n_, unit) };
                    if let Some(b) = base {
                        for k in [0i64, 1, -1, 40, -40] {
                            let d =
                                if k >= 0 { b.checked_add_days(Days::new(k as u64)) } else { b.checked_sub_days(Days::new((-k) as u64)) };
                            if let Some(d) = d {
                                push(Val::Date(d));
                            }
                        }
                    }
                }
                if let Ok(s) = NaiveDate::parse_from_str(&crate::sample::date(n.min.as_deref(), n.max.as_deref()), "%Y-%m-%d") {
                    push(Val::Date(s));
                    if let Some(x) = s.checked_add_days(Days::new(1)) {
                        push(Val::Date(x));
                    }
                }
            }
            _ => {
                for l in &lits {
                    if let Lit::Text(t) = l {
                        push(Val::Text(t.clone()));
                    }
                }
                if let Ans::Text(t) = self.sample(i, &[]) {
                    push(Val::Text(t));
                }
            }
        }
        out
    }

    /// Answers under which `e` holds and under which it does not (the fewest answered
    /// fields first), with the fields it reads.
    #[allow(clippy::type_complexity)]
    pub(crate) fn witnesses(&self, e: &TExpr, today: NaiveDate) -> Result<(HashMap<usize, Val>, HashMap<usize, Val>, Vec<usize>), String> {
        let mut vars = Vec::new();
        self.leaves(e, &mut vars);
        let cands: Vec<Vec<Option<Val>>> = vars.iter().map(|&v| self.candidates(v, e, today)).collect();
        let total = cands.iter().try_fold(1usize, |acc, c| acc.checked_mul(c.len().max(1)));
        if total.is_none_or(|t| t > MAX_COMBINATIONS) {
            return Err(format!("the condition reads {} fields, too many to find the scenarios' answers", vars.len()));
        }
        let mut holds: Option<HashMap<usize, Val>> = None;
        let mut fails: Option<HashMap<usize, Val>> = None;
        let mut idx = vec![0usize; vars.len()];
        // Every combination: the fewest answers that make it hold, the most that make it fail.
        loop {
            let vals: HashMap<usize, Val> =
                vars.iter().enumerate().filter_map(|(j, &v)| cands[j][idx[j]].clone().map(|x| (v, x))).collect();
            let r = self.eval(e, &vals, today);
            if r == Some(true) {
                if holds.as_ref().is_none_or(|h| h.len() > vals.len()) {
                    holds = Some(vals);
                }
            } else if fails.as_ref().is_none_or(|f| f.len() < vals.len()) {
                // (the most answered: "answered otherwise" shows more than "unanswered")
                fails = Some(vals);
            }
            // Next combination.
            let mut k = 0;
            loop {
                if k == idx.len() {
                    let always = fails.is_none();
                    let (Some(h), Some(f)) = (holds, fails) else {
                        return Err(if always { "the condition always holds".into() } else { "no answers make the condition hold".into() });
                    };
                    return Ok((h, f, vars));
                }
                idx[k] += 1;
                if idx[k] < cands[k].len() {
                    break;
                }
                idx[k] = 0;
                k += 1;
            }
        }
    }

    /// Translates one sentence into effects.
    pub(crate) fn sentence_effects(
        &self,
        s: &Sentence,
        host: Option<usize>,
        rule: &str,
        today: NaiveDate,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<Effect>, String> {
        if let Consequence::ValidDate(d, m, y) = &s.then {
            return Ok(vec![self.valid_date(s, [d, m, y], host, rule, warnings)?]);
        }
        let cond = match &s.cond {
            Some(c) => Some(self.cond_expr(c, host, rule, warnings)?),
            None => None,
        };
        let (refs, kind) = match &s.then {
            Consequence::Required(r) => (r, Kind::Required),
            Consequence::Empty(r) => (r, Kind::Hidden),
            Consequence::Shown(r) => (r, Kind::Shown),
            Consequence::Some(_, r) => (r, Kind::Check),
            Consequence::ValidDate(..) => unreachable!("translated above"),
        };
        let mut nodes = Vec::new();
        for r in refs {
            let n = self.resolve_ref(r, host, rule, warnings)?;
            let node = &self.nodes[n];
            if node.repeat.is_some() || self.repeat_scope(n).is_some() {
                return Err(format!("{} is in a repeated group or is one; its rules are not translated", r.id()));
            }
            if !node.is_input() && node.ty != "group" {
                return Err(format!("{} is not an input field", r.id()));
            }
            nodes.push(n);
        }
        if kind != Kind::Check && cond.is_none() {
            return Err("a consequence without a condition".into());
        }
        let (holds, fails, reads) = match &cond {
            Some(c) => self.witnesses(c, today)?,
            None => (HashMap::new(), HashMap::new(), Vec::new()),
        };
        // A condition on what it changes asks nothing (or decides itself, E0307).
        for &n in &nodes {
            if reads.iter().any(|&r| self.is_within(r, n)) {
                return Err(format!("the condition reads {}, which the rule itself changes", self.nodes[n].fim));
            }
        }
        let expr = cond.as_ref().map(|c| self.render(c)).unwrap_or_default();
        let mut out = Vec::new();
        match kind {
            Kind::Required => {
                let mut members = Vec::new();
                // A group none of whose members is required whenever it is (its members are
                // optional groups, as the street and the post-box address in "Anschrift
                // Inland"): "befüllt" means something in it is answered, a step rule.
                let mut checks = Vec::new();
                for &n in &nodes {
                    if self.nodes[n].ty == "group" {
                        let mut ms = Vec::new();
                        self.required_members(n, &mut ms);
                        if ms.is_empty() {
                            if !self.nodes[n].emitted() {
                                return Err(format!("{} has no required members and became a step", self.nodes[n].fim));
                            }
                            checks.push(n);
                        }
                        members.extend(ms);
                    } else {
                        members.push(n);
                    }
                }
                if !members.is_empty() {
                    // The scenario that the rule does not apply needs a target nothing else makes required.
                    let Some(&probe) = members.iter().find(|&&m| self.required(m).as_deref() != Some("true")) else {
                        // "aktiviere G UND mache sie zu einer Pflichtangabe" of a group required
                        // whenever it is shown: the second consequence adds nothing.
                        if s.also {
                            return Ok(out);
                        }
                        return Err("what it makes required is required anyway".into());
                    };
                    out.push(Effect {
                        kind,
                        expr: expr.clone(),
                        targets: members,
                        probe,
                        holds: holds.clone(),
                        fails: fails.clone(),
                        reads: reads.clone(),
                        message: String::new(),
                        anchor: nodes[0],
                        satisfied: None,
                    });
                }
                for g in checks {
                    out.push(Effect {
                        kind: Kind::Check,
                        expr: format!("not ({expr}) or filled({})", self.nodes[g].id),
                        targets: vec![g],
                        probe: g,
                        holds: holds.clone(),
                        fails: fails.clone(),
                        reads: reads.clone(),
                        message: s.text.clone(),
                        anchor: g,
                        satisfied: None,
                    });
                }
            }
            Kind::Hidden | Kind::Shown => {
                let mut targets = Vec::new();
                for &n in &nodes {
                    if self.nodes[n].emitted() {
                        targets.push(n);
                    } else {
                        targets.extend(self.nodes[n].children.iter().copied().filter(|&c| self.nodes[c].emitted()));
                    }
                }
                let Some(&probe) = targets.first() else { return Err("the group has no fields".into()) };
                let expr = if kind == Kind::Hidden { format!("not ({expr})") } else { expr };
                out.push(Effect {
                    kind,
                    expr,
                    targets,
                    probe,
                    holds,
                    fails,
                    reads,
                    message: String::new(),
                    anchor: nodes[0],
                    satisfied: None,
                });
            }
            Kind::Check => {
                let quant = match &s.then {
                    Consequence::Some(q, _) => *q,
                    _ => Quant::AtLeastOne,
                };
                let mut filled = Vec::new();
                for &n in &nodes {
                    if !self.nodes[n].emitted() {
                        return Err(format!("{} became a step, not a field", self.nodes[n].fim));
                    }
                    filled.push(format!("filled({})", self.nodes[n].id));
                }
                if nodes.len() < 2 {
                    return Err("\"mindestens eines\" of fewer than two fields".into());
                }
                // A rule of an optional group applies only when the group is given. "Mindestens
                // eines" of the group's own fields then holds whenever it applies (FIM: "make the
                // group optional if no contact need be given"); required anyway it would ask
                // more than the schema does.
                if let Some(h) = host
                    && s.cond.is_none()
                    && self.nodes[h].ty == "group"
                    && self.in_optional_group(Some(h))
                    && nodes.iter().all(|&n| self.is_within(n, h))
                {
                    return Err(format!(
                        "the rule asks nothing here: its group {} is optional, and what it asks of the group's own fields holds whenever the group is given",
                        self.nodes[h].fim
                    ));
                }
                let body = match quant {
                    Quant::AtLeastOne => filled.join(" or "),
                    Quant::ExactlyOne => {
                        format!("{} == 1", filled.iter().map(|f| format!("if({f}, 1, 0)")).collect::<Vec<_>>().join(" + "))
                    }
                };
                let check = if expr.is_empty() { body } else { format!("not ({expr}) or ({body})") };
                let probe = nodes[0];
                out.push(Effect {
                    kind,
                    expr: check,
                    targets: nodes.clone(),
                    probe,
                    holds,
                    fails,
                    reads,
                    message: s.text.clone(),
                    anchor: nodes[0],
                    satisfied: None,
                });
            }
        }
        Ok(out)
    }
}

impl Builder<'_> {
    /// Day, month and year fields that must make a real calendar date once all three are
    /// answered: a step rule on the day field, with a date that does not exist (30 February in
    /// a common year) and one that does as the scenarios' answers, both within the fields'
    /// bounds.
    fn valid_date(
        &self,
        s: &Sentence,
        refs: [&Ref; 3],
        host: Option<usize>,
        rule: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Effect, String> {
        let mut n = [0usize; 3];
        for (k, r) in refs.iter().enumerate() {
            let i = self.resolve_ref(r, host, rule, warnings)?;
            let node = &self.nodes[i];
            if node.ty != "integer" {
                return Err(format!("{} is no whole-number field", r.id()));
            }
            if node.repeat.is_some() || self.repeat_scope(i).is_some() {
                return Err(format!("{} is in a repeated group", r.id()));
            }
            n[k] = i;
        }
        let [d, m, y] = n;
        let bound = |v: &Option<String>| v.as_deref().and_then(engine::checks::parse_plain_decimal);
        let fits = |i: usize, v: i64| {
            let x = Decimal::from(v);
            bound(&self.nodes[i].min).is_none_or(|lo| lo <= x) && bound(&self.nodes[i].max).is_none_or(|hi| x <= hi)
        };
        let leap = |v: i64| v % 4 == 0 && (v % 100 != 0 || v % 400 == 0);
        let Some(year) = [2019, 2021, 2023, 1999].into_iter().chain(1..=9999).find(|&v| !leap(v) && fits(y, v)) else {
            return Err(format!("{} takes no common year", refs[2].id()));
        };
        let Some((bd, bm)) = [(30, 2), (31, 4), (29, 2), (31, 6), (31, 9), (31, 11)].into_iter().find(|&(a, b)| fits(d, a) && fits(m, b))
        else {
            return Err("the day and month fields take no date that does not exist".into());
        };
        let Some((gd, gm)) = [(28, 2), (1, 1), (15, 6), (30, 4)].into_iter().find(|&(a, b)| fits(d, a) && fits(m, b)) else {
            return Err("the day and month fields take no real date".into());
        };
        let num = |v: i64| Val::Num(Decimal::from(v));
        let holds = HashMap::from([(d, num(bd)), (m, num(bm)), (y, num(year))]);
        let satisfied = HashMap::from([(d, num(gd)), (m, num(gm)), (y, num(year))]);
        let [di, mi, yi] = [d, m, y].map(|i| self.nodes[i].id.clone());
        let leap_expr = format!("floor({yi} / 4) * 4 == {yi} and (floor({yi} / 100) * 100 != {yi} or floor({yi} / 400) * 400 == {yi})");
        let days = format!("if({mi} == 2, if({leap_expr}, 29, 28), if({mi} == 4 or {mi} == 6 or {mi} == 9 or {mi} == 11, 30, 31))");
        Ok(Effect {
            kind: Kind::Check,
            expr: format!("not (filled({di}) and filled({mi}) and filled({yi})) or {di} <= {days}"),
            targets: vec![d, m, y],
            probe: d,
            holds,
            fails: satisfied.clone(),
            reads: vec![d, m, y],
            message: s.text.clone(),
            anchor: d,
            satisfied: Some(satisfied),
        })
    }
}

/// "F = alle anderen möglichen Ausprägungen der Codeliste" means F is answered with none of the
/// values the rule's other sentences compare F with (`=`): each such comparison becomes
/// `F <> v1 UND F <> v2 …` (and `<>` of them `F = v1 ODER …`). A field the rule names no value
/// of is left as it is (and reported when translated).
pub(crate) fn resolve_others(text: &mut RuleText) {
    fn named(c: &Cond, out: &mut Vec<(String, Value)>) {
        match c {
            Cond::Or(v) | Cond::And(v) => v.iter().for_each(|x| named(x, out)),
            Cond::Not(x) => named(x, out),
            Cond::Cmp { subject, op: Op::Eq, value } if *value != Value::Others => out.push((subject.id().to_string(), value.clone())),
            _ => {}
        }
    }
    fn replace(c: &mut Cond, values: &[(String, Value)]) {
        match c {
            Cond::Or(v) | Cond::And(v) => v.iter_mut().for_each(|x| replace(x, values)),
            Cond::Not(x) => replace(x, values),
            Cond::Cmp { subject, op: op @ (Op::Eq | Op::Ne), value: Value::Others } => {
                let mine: Vec<Value> = values.iter().filter(|(id, _)| id == subject.id()).map(|(_, v)| v.clone()).collect();
                if mine.is_empty() {
                    return;
                }
                let (each, join): (Op, fn(Vec<Cond>) -> Cond) = if *op == Op::Eq { (Op::Ne, Cond::And) } else { (Op::Eq, Cond::Or) };
                *c = join(mine.into_iter().map(|value| Cond::Cmp { subject: subject.clone(), op: each, value }).collect());
            }
            _ => {}
        }
    }
    let mut values = Vec::new();
    for s in &text.sentences {
        if let Some(c) = &s.cond {
            named(c, &mut values);
        }
    }
    for s in &mut text.sentences {
        if let Some(c) = &mut s.cond {
            replace(c, &values);
        }
    }
}

/// The XDatenfelder 3 form of a short XDatenfelder 2 id: `G60000086` → `G60000000086` (the
/// letter and the two digits of the number range, then the number widened by three zeros).
pub(crate) fn long_id(id: &str) -> Option<String> {
    let b = id.as_bytes();
    let short = b.len() == 9 && matches!(b[0], b'F' | b'G') && b[1..].iter().all(u8::is_ascii_digit);
    short.then(|| format!("{}000{}", &id[..3], &id[3..]))
}

fn negate_filled(e: TExpr) -> TExpr {
    match e {
        TExpr::Filled(n) => TExpr::Empty(n),
        TExpr::Or(v) => TExpr::And(v.into_iter().map(negate_filled).collect()),
        other => TExpr::Not(Box::new(other)),
    }
}

fn order(op: Op, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Eq => o == Equal,
        Op::Ne => o != Equal,
        Op::Lt => o == Less,
        Op::Le => o != Greater,
        Op::Gt => o == Greater,
        Op::Ge => o != Less,
    }
}

/// `d` plus `n` units, clamped to the month's end as the engine's `add_years`/`add_months`.
pub(crate) fn add(d: NaiveDate, n: u32, unit: Unit) -> Option<NaiveDate> {
    match unit {
        Unit::Years => d.checked_add_months(Months::new(n.checked_mul(12)?)),
        Unit::Months => d.checked_add_months(Months::new(n)),
        Unit::Weeks => d.checked_add_days(Days::new(u64::from(n) * 7)),
        Unit::Days => d.checked_add_days(Days::new(u64::from(n))),
    }
}

fn sub(d: NaiveDate, n: u32, unit: Unit) -> Option<NaiveDate> {
    match unit {
        Unit::Years => d.checked_sub_months(Months::new(n.checked_mul(12)?)),
        Unit::Months => d.checked_sub_months(Months::new(n)),
        Unit::Weeks => d.checked_sub_days(Days::new(u64::from(n) * 7)),
        Unit::Days => d.checked_sub_days(Days::new(u64::from(n))),
    }
}

/// The literals compared with node `i`, and the date spans it takes part in
/// (`true`: `i` is the minuend).
fn collect(e: &TExpr, i: usize, lits: &mut Vec<Lit>, rel: &mut Vec<(bool, u32, Unit)>) {
    match e {
        TExpr::Or(v) | TExpr::And(v) => v.iter().for_each(|x| collect(x, i, lits, rel)),
        TExpr::Not(x) => collect(x, i, lits, rel),
        TExpr::Cmp { node, lit, .. } if *node == i => lits.push(lit.clone()),
        TExpr::DateRel { a, b, n, unit, .. } => {
            if *a == Some(i) && b.is_none() {
                rel.push((true, *n, *unit));
            }
            if *b == Some(i) && a.is_none() {
                rel.push((false, *n, *unit));
            }
        }
        _ => {}
    }
}
