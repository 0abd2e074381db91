//! Every distinct route through the step graph (docs/form-language.md#the-step-graph) from
//! the first step to the summary or an exit step, and which of them are impossible (behind
//! `wegweiser routes`, which prints them).
//!
//! A route is a sequence of `next` branches, one per step it passes (two branches of a step
//! that lead to the same step are two routes: they are selected by different conditions).
//! For each step on a route the listing shows the condition of the branch taken — for the
//! plain `goto` after conditional branches, `otherwise:` and the negation of those
//! branches — and a step with `when` is marked optional (`step?`, `(if …)`): the walk
//! passes it either way, showing it only while its `when` holds. The total is counted over the graph (a DAG) by dynamic
//! programming, so it is exact even when enumerating would never end (saturating at
//! `u128::MAX`).
//!
//! # Impossible routes and unreachable questions
//!
//! A route is *impossible* when the conditions it needs cannot hold together. The analysis
//! is deliberately simple and only ever claims impossibility when it is certain. From each
//! condition it takes the facts about single fields that the condition implies, looking
//! through `and` (when it must hold), `or` (when it must fail), `not`, `values` entries and
//! (when a condition must hold) computed fields:
//! `x == "a"`, `x != "a"` (which also needs an answer), `not (x == "a")`, `x in [...]`,
//! a yes/no field being `true`/`false`, `filled(x)`, `empty(x)`. Facts contradict when
//! one field must equal two different values, must equal and differ from the same value,
//! must be filled and empty, or has no value left among its options (a `boolean`: yes and
//! no; a `consent`: yes; a `choice`: its options). A condition that needs an answer of a
//! field whose step is not on the route before the decision cannot hold either: during
//! the walk only the fields of steps already on the path are active (docs/form-language.md#the-path).
//!
//! Limits: it knows nothing about `<`, `>`, arithmetic, dates, text functions, counts or
//! members of repeated groups, and nothing about an `or` that must hold; such conditions
//! add no facts, so a route that needs, say, `alter < 18` and `alter >= 65` is not flagged.
//! Routes beyond 20,000 are not analysed (the report says so).
//!
//! *Questions no route reaches*: input fields whose step is on no possible route, or
//! whose `visible_if` (with its groups' and its step's `when`) contradicts every possible
//! route that passes the step, by the same analysis.

use crate::expr::ast::{BinOp, UnOp};
use crate::expr::{CExpr, Func};
use crate::form::{FieldType, Form, StepKind, Target};
use crate::ids::FieldId;
use crate::value::Value;

use super::pretty;

/// Routes beyond this many are neither analysed nor used for unreachable questions.
pub const ANALYSIS_LIMIT: usize = 20_000;

/// One route: the branch taken at each step (`(step, branch)`) and, when it ends at an
/// exit step, that step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `(step index, index of the branch taken)` for each question step passed.
    pub taken: Vec<(usize, usize)>,
    /// The exit step it ends at; `None`: it ends at the summary.
    pub exit: Option<usize>,
}

impl Route {
    /// The step indices on the route, in order.
    pub fn steps(&self) -> Vec<usize> {
        self.taken.iter().map(|&(s, _)| s).chain(self.exit).collect()
    }
}

/// The number of routes from each step to the end (saturating).
pub fn count_routes(form: &Form) -> u128 {
    fn count(form: &Form, s: usize, memo: &mut Vec<Option<u128>>, on_stack: &mut Vec<bool>) -> u128 {
        if let Some(n) = memo[s] {
            return n;
        }
        if on_stack[s] {
            return 0; // a cycle; the compiler rejects them
        }
        on_stack[s] = true;
        let step = &form.steps[s];
        let n = if step.kind == StepKind::Exit {
            1
        } else {
            step.next.iter().fold(0u128, |acc, b| {
                acc.saturating_add(match b.target {
                    Target::Summary => 1,
                    Target::Step(t) => count(form, t.ix(), memo, on_stack),
                })
            })
        };
        on_stack[s] = false;
        memo[s] = Some(n);
        n
    }
    if form.steps.is_empty() {
        return 0;
    }
    count(form, 0, &mut vec![None; form.steps.len()], &mut vec![false; form.steps.len()])
}

/// Calls `visit` with every route in depth-first order (branches in their order) until it
/// returns `false`.
pub fn each_route(form: &Form, mut visit: impl FnMut(&Route) -> bool) {
    fn walk(form: &Form, s: usize, route: &mut Route, visit: &mut dyn FnMut(&Route) -> bool, depth: usize) -> bool {
        if depth > form.steps.len() {
            return true; // a cycle; the compiler rejects them
        }
        let step = &form.steps[s];
        if step.kind == StepKind::Exit {
            route.exit = Some(s);
            let go_on = visit(route);
            route.exit = None;
            return go_on;
        }
        for (n, b) in step.next.iter().enumerate() {
            route.taken.push((s, n));
            let go_on = match b.target {
                Target::Summary => visit(route),
                Target::Step(t) => walk(form, t.ix(), route, visit, depth + 1),
            };
            route.taken.pop();
            if !go_on {
                return false;
            }
        }
        true
    }
    if !form.steps.is_empty() {
        walk(form, 0, &mut Route { taken: Vec::new(), exit: None }, &mut visit, 0);
    }
}

/// What a condition says about one field.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// Equals this value (so it is answered).
    Eq(Value),
    /// Differs from this value (or is empty).
    Ne(Value),
    /// Is one of these (so it is answered).
    In(Vec<Value>),
    /// Is none of these (or empty).
    NotIn(Vec<Value>),
    /// Is answered.
    Filled,
    /// Is empty.
    Empty,
}

impl Kind {
    /// Needs an answer.
    fn positive(&self) -> bool {
        matches!(self, Kind::Eq(_) | Kind::In(_) | Kind::Filled)
    }
}

/// A fact with where it comes from.
#[derive(Debug, Clone)]
struct Fact {
    field: FieldId,
    kind: Kind,
    /// The fact as text, e.g. `art == "a"`.
    what: String,
    /// Where it comes from, e.g. "at step `antrag`".
    origin: String,
    /// Whether the field's step is on the route where the condition is decided.
    asked: bool,
}

fn lit_text(v: &Value) -> String {
    let mut s = String::new();
    match v {
        Value::Text(t) => s.push_str(&pretty::quote(t)),
        Value::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => s.push_str(&n.to_string()),
        other => s.push_str(&pretty::expr_of_value(other)),
    }
    s
}

fn describe(form: &Form, f: FieldId, k: &Kind) -> String {
    let name = &form.fields[f.ix()].id;
    let list = |vs: &[Value]| vs.iter().map(lit_text).collect::<Vec<_>>().join(", ");
    match k {
        Kind::Eq(v) => format!("{name} == {}", lit_text(v)),
        Kind::Ne(v) => format!("not ({name} == {})", lit_text(v)),
        Kind::In(vs) => format!("{name} in [{}]", list(vs)),
        Kind::NotIn(vs) => format!("not ({name} in [{}])", list(vs)),
        Kind::Filled => format!("filled({name})"),
        Kind::Empty => format!("empty({name})"),
    }
}

/// Collects facts from conditions.
struct Facts<'a> {
    form: &'a Form,
    out: Vec<(FieldId, Kind)>,
}

impl Facts<'_> {
    fn is_bool_field(&self, e: &CExpr) -> Option<FieldId> {
        match e {
            CExpr::Field(f) if matches!(self.form.fields[f.ix()].ty, FieldType::Boolean | FieldType::Consent) => Some(*f),
            _ => None,
        }
    }

    fn computed(&self, e: &CExpr) -> Option<&CExpr> {
        match e {
            CExpr::Field(f) if self.form.fields[f.ix()].ty == FieldType::Computed => self.form.fields[f.ix()].value.as_deref(),
            _ => None,
        }
    }

    /// `e` never evaluates to empty.
    fn never_empty(&self, e: &CExpr) -> bool {
        match e {
            CExpr::Lit(Value::Bool(_)) => true,
            CExpr::Binary(op, a, b) => {
                op.is_comparison() || (matches!(op, BinOp::And | BinOp::Or) && self.never_empty(a) && self.never_empty(b))
            }
            CExpr::Unary(UnOp::Not, x) => self.never_empty(x),
            CExpr::Call(Func::Filled | Func::Empty, _) | CExpr::GroupFilled(_) => true,
            CExpr::Value(v) => self.never_empty(&self.form.values[v.ix()].expr),
            _ => false,
        }
    }

    /// A field compared with a literal: `(field, literal)`.
    fn field_lit<'e>(a: &'e CExpr, b: &'e CExpr) -> Option<(FieldId, &'e Value)> {
        match (a, b) {
            (CExpr::Field(f), CExpr::Lit(v)) | (CExpr::Lit(v), CExpr::Field(f)) if !v.is_empty() => Some((*f, v)),
            _ => None,
        }
    }

    fn filled_arg(e: &CExpr) -> Option<FieldId> {
        match e {
            CExpr::Call(_, args) => match args.as_slice() {
                [CExpr::Field(f)] => Some(*f),
                _ => None,
            },
            CExpr::GroupFilled(g) => Some(*g),
            _ => None,
        }
    }

    fn push(&mut self, f: FieldId, k: Kind) {
        self.out.push((f, k));
    }

    /// Facts implied by `e` holding (being `true`).
    fn holds(&mut self, e: &CExpr) {
        match e {
            CExpr::Binary(BinOp::And, a, b) => {
                self.holds(a);
                self.holds(b);
            }
            CExpr::Unary(UnOp::Not, x) => self.is_false(x),
            CExpr::Value(v) => self.holds(&self.form.values[v.ix()].expr.clone()),
            _ if self.computed(e).is_some() => {
                let c = self.computed(e).cloned();
                self.holds(&c.expect("checked"));
            }
            _ if self.is_bool_field(e).is_some() => {
                let f = self.is_bool_field(e).expect("checked");
                self.push(f, Kind::Eq(Value::Bool(true)));
            }
            CExpr::Binary(BinOp::Eq, a, b) => {
                if let Some((f, v)) = Self::field_lit(a, b) {
                    self.push(f, Kind::Eq(v.clone()));
                }
            }
            CExpr::Binary(BinOp::Ne, a, b) => {
                if let Some((f, v)) = Self::field_lit(a, b) {
                    self.push(f, Kind::Ne(v.clone()));
                    self.push(f, Kind::Filled);
                }
            }
            CExpr::Binary(BinOp::In, a, b) => {
                if let (CExpr::Field(f), CExpr::Lit(Value::List(items))) = (&**a, &**b) {
                    self.push(*f, Kind::In(items.iter().map(|s| Value::Text(s.clone())).collect()));
                }
            }
            CExpr::Call(Func::Filled, _) | CExpr::GroupFilled(_) => {
                if let Some(f) = Self::filled_arg(e) {
                    self.push(f, Kind::Filled);
                }
            }
            CExpr::Call(Func::Empty, _) => {
                if let Some(f) = Self::filled_arg(e) {
                    self.push(f, Kind::Empty);
                }
            }
            _ => {}
        }
    }

    /// Facts implied by `e` being `false` (not empty).
    fn is_false(&mut self, e: &CExpr) {
        match e {
            CExpr::Binary(BinOp::Or, a, b) => {
                self.is_false(a);
                self.is_false(b);
            }
            CExpr::Unary(UnOp::Not, x) => self.holds(x),
            CExpr::Value(v) => self.is_false(&self.form.values[v.ix()].expr.clone()),
            _ if self.computed(e).is_some() => {
                let c = self.computed(e).cloned();
                self.is_false(&c.expect("checked"));
            }
            _ if self.is_bool_field(e).is_some() => {
                let f = self.is_bool_field(e).expect("checked");
                self.push(f, Kind::Eq(Value::Bool(false)));
            }
            _ => self.fails(e),
        }
    }

    /// Facts implied by `e` not holding (`false` or empty).
    fn fails(&mut self, e: &CExpr) {
        match e {
            CExpr::Binary(BinOp::Or, a, b) => {
                self.fails(a);
                self.fails(b);
            }
            CExpr::Unary(UnOp::Not, x) => {
                if self.never_empty(x) {
                    self.holds(x);
                } else if let Some(f) = self.is_bool_field(x) {
                    self.push(f, Kind::Ne(Value::Bool(false)));
                }
            }
            CExpr::Value(v) => self.fails(&self.form.values[v.ix()].expr.clone()),
            _ if self.is_bool_field(e).is_some() => {
                let f = self.is_bool_field(e).expect("checked");
                self.push(f, Kind::Ne(Value::Bool(true)));
            }
            CExpr::Binary(BinOp::Eq, a, b) => {
                if let Some((f, v)) = Self::field_lit(a, b) {
                    self.push(f, Kind::Ne(v.clone()));
                }
            }
            CExpr::Binary(BinOp::In, a, b) => {
                if let (CExpr::Field(f), CExpr::Lit(Value::List(items))) = (&**a, &**b) {
                    self.push(*f, Kind::NotIn(items.iter().map(|s| Value::Text(s.clone())).collect()));
                }
            }
            CExpr::Call(Func::Filled, _) | CExpr::GroupFilled(_) => {
                if let Some(f) = Self::filled_arg(e) {
                    self.push(f, Kind::Empty);
                }
            }
            CExpr::Call(Func::Empty, _) => {
                if let Some(f) = Self::filled_arg(e) {
                    self.push(f, Kind::Filled);
                }
            }
            _ => {}
        }
    }
}

/// The facts a route (and possibly more conditions) needs, checked for contradictions.
struct Analysis<'a> {
    form: &'a Form,
    facts: Vec<Fact>,
}

impl<'a> Analysis<'a> {
    fn new(form: &'a Form) -> Self {
        Analysis { form, facts: Vec::new() }
    }

    /// Adds the facts of `e` holding (`holds = true`) or failing, decided while `asked`
    /// steps are on the path.
    fn add(&mut self, e: &CExpr, holds: bool, origin: &str, asked: &[usize]) {
        let mut f = Facts { form: self.form, out: Vec::new() };
        if holds {
            f.holds(e)
        } else {
            f.fails(e)
        }
        for (field, kind) in f.out {
            let step = self.form.fields[field.ix()].step.ix();
            self.facts.push(Fact {
                field,
                what: describe(self.form, field, &kind),
                kind,
                origin: origin.to_string(),
                asked: asked.contains(&step),
            });
        }
    }

    /// The facts of a route: branch conditions (and the failed earlier branches).
    fn route(form: &'a Form, route: &Route) -> Self {
        let mut a = Analysis::new(form);
        let steps = route.steps();
        for (k, &(s, n)) in route.taken.iter().enumerate() {
            let step = &form.steps[s];
            let origin = format!("at step `{}`", step.id);
            for (i, b) in step.next.iter().enumerate().take(n + 1) {
                if let Some(c) = &b.cond {
                    a.add(c, i == n, &origin, &steps[..=k]);
                }
            }
        }
        a
    }

    /// The first contradiction, in words.
    fn contradiction(&self) -> Option<String> {
        for f in &self.facts {
            if f.kind.positive() && !f.asked {
                let field = &self.form.fields[f.field.ix()];
                return Some(format!(
                    "`{}` ({}) needs an answer to `{}`, which is asked on step `{}`, not on this route before that point",
                    f.what,
                    f.origin,
                    field.id,
                    self.form.steps[field.step.ix()].id
                ));
            }
        }
        for (i, a) in self.facts.iter().enumerate() {
            for b in &self.facts[i + 1..] {
                if a.field == b.field && clash(&a.kind, &b.kind) {
                    return Some(format!("`{}` ({}) contradicts `{}` ({})", a.what, a.origin, b.what, b.origin));
                }
            }
        }
        // A field with a known set of values that the facts leave empty.
        let mut seen = Vec::new();
        for a in &self.facts {
            if seen.contains(&a.field) {
                continue;
            }
            seen.push(a.field);
            let Some(domain) = domain(self.form, a.field) else { continue };
            let mine: Vec<&Fact> = self.facts.iter().filter(|f| f.field == a.field).collect();
            if !mine.iter().any(|f| f.kind.positive()) {
                continue;
            }
            let left = domain.iter().filter(|v| mine.iter().all(|f| allows(&f.kind, v))).count();
            if left == 0 {
                let list = mine.iter().map(|f| format!("`{}` ({})", f.what, f.origin)).collect::<Vec<_>>().join(", ");
                return Some(format!("{list} leave `{}` no possible answer", self.form.fields[a.field.ix()].id));
            }
        }
        None
    }
}

/// The answers a field can have, when there are few: yes/no, a consent, a choice's options.
fn domain(form: &Form, f: FieldId) -> Option<Vec<Value>> {
    let field = &form.fields[f.ix()];
    match field.ty {
        FieldType::Boolean => Some(vec![Value::Bool(true), Value::Bool(false)]),
        FieldType::Consent => Some(vec![Value::Bool(true)]),
        FieldType::Choice => Some(field.options.iter().map(|o| Value::Text(o.value.clone())).collect()),
        _ => None,
    }
}

/// Whether an answer `v` is compatible with the fact.
fn allows(k: &Kind, v: &Value) -> bool {
    match k {
        Kind::Eq(x) => x == v,
        Kind::Ne(x) => x != v,
        Kind::In(xs) => xs.contains(v),
        Kind::NotIn(xs) => !xs.contains(v),
        Kind::Filled => true,
        Kind::Empty => false,
    }
}

/// Two facts about one field that cannot hold together.
fn clash(a: &Kind, b: &Kind) -> bool {
    use Kind::*;
    match (a, b) {
        (Eq(x), Eq(y)) => x != y,
        (Eq(x), Ne(y)) | (Ne(y), Eq(x)) => x == y,
        (Eq(x), In(ys)) | (In(ys), Eq(x)) => !ys.contains(x),
        (Eq(x), NotIn(ys)) | (NotIn(ys), Eq(x)) => ys.contains(x),
        (In(xs), In(ys)) => !xs.iter().any(|x| ys.contains(x)),
        (In(xs), NotIn(ys)) | (NotIn(ys), In(xs)) => xs.iter().all(|x| ys.contains(x)),
        (Empty, k) | (k, Empty) => k.positive(),
        _ => false,
    }
}

/// A question no possible route reaches, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreached {
    /// The field's id.
    pub field: String,
    /// Its step's id.
    pub step: String,
    /// Why.
    pub why: String,
}

/// What `routes` finds.
#[derive(Debug, Clone)]
pub struct Findings {
    /// All routes (counted).
    pub total: u128,
    /// The routes analysed (at most [`ANALYSIS_LIMIT`]), each with its contradiction.
    pub routes: Vec<(Route, Option<String>)>,
    /// Whether every route was analysed.
    pub complete: bool,
    /// Questions no possible route reaches.
    pub unreached: Vec<Unreached>,
}

/// Enumerates and analyses the routes of a form.
pub fn analyse(form: &Form) -> Findings {
    let total = count_routes(form);
    let mut routes = Vec::new();
    each_route(form, |r| {
        if routes.len() >= ANALYSIS_LIMIT {
            return false;
        }
        let why = Analysis::route(form, r).contradiction();
        routes.push((r.clone(), why));
        true
    });
    let complete = routes.len() as u128 == total;
    let mut unreached = Vec::new();
    for (i, field) in form.fields.iter().enumerate() {
        if !field.ty.is_input() {
            continue;
        }
        let s = field.step.ix();
        let step = &form.steps[s];
        let mut on_possible = false;
        let mut example = None;
        let mut reached = false;
        for (r, why) in &routes {
            if why.is_some() {
                continue;
            }
            let steps = r.steps();
            let Some(k) = steps.iter().position(|&x| x == s) else { continue };
            on_possible = true;
            let mut a = Analysis::route(form, r);
            if let Some(w) = &step.when {
                a.add(w, true, &format!("`when` of step `{}`", step.id), &steps[..k]);
            }
            let mut f = Some(FieldId(i as u32));
            while let Some(id) = f {
                let fd = &form.fields[id.ix()];
                if let Some(v) = &fd.visible_if {
                    a.add(v, true, &format!("`visible_if` of `{}`", fd.id), &steps);
                }
                f = fd.parent;
            }
            match a.contradiction() {
                None => {
                    reached = true;
                    break;
                }
                Some(why) => {
                    if example.is_none() {
                        example = Some(why);
                    }
                }
            }
        }
        if reached || !complete {
            continue;
        }
        let why = if on_possible {
            format!("every possible route through step `{}` contradicts it, e.g. {}", step.id, example.unwrap_or_default())
        } else {
            format!("its step `{}` is on no possible route", step.id)
        };
        unreached.push(Unreached { field: field.id.clone(), step: step.id.clone(), why });
    }
    Findings { total, routes, complete, unreached }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;

    fn form(src: &str) -> Form {
        let c = crate::compile(src);
        assert!(!c.diagnostics.iter().any(|d| d.is_error()), "{:?}", c.diagnostics);
        c.form.expect("a form")
    }

    fn step_ids(form: &Form, r: &Route) -> Vec<String> {
        r.steps().into_iter().map(|s| form.steps[s].id.clone()).collect()
    }

    /// A branch that needs an answer from a step the route does not pass cannot hold:
    /// during the walk only the fields of steps already on the path are active.
    #[test]
    fn a_branch_needing_an_answer_from_another_branch_is_impossible() {
        let f = form(
            r#"
wegweiser: 1
id: anderer-zweig
title: Anderer Zweig
steps:
  - id: eins
    fields:
      - { id: a, type: boolean, label: A }
    next:
      - if: a
        goto: zwei
      - goto: drei
  - id: zwei
    fields:
      - { id: b, type: text, label: B }
    next: vier
  - id: drei
    when: filled(a)
    fields:
      - { id: c, type: text, label: C }
  - id: vier
    next:
      - if: b == "ja"
        goto: fuenf
      - goto: summary
  - id: fuenf
    fields:
      - { id: d, type: text, label: D }
"#,
        );
        let found = analyse(&f);
        assert_eq!((found.total, found.routes.len(), found.complete), (4, 4, true));
        let impossible: Vec<_> = found.routes.iter().filter_map(|(r, why)| Some((step_ids(&f, r), why.clone()?))).collect();
        assert_eq!(impossible.len(), 1, "{impossible:?}");
        assert_eq!(impossible[0].0, ["eins", "drei", "vier", "fuenf"]);
        assert!(impossible[0].1.contains("needs an answer to `b`, which is asked on step `zwei`"), "{}", impossible[0].1);
        assert!(found.unreached.is_empty(), "{:?}", found.unreached);
    }

    /// The same field compared with two values, and a question only that route reaches.
    #[test]
    fn contradicting_comparisons_make_a_route_and_its_question_unreachable() {
        let f = form(
            r#"
wegweiser: 1
id: widerspruch
title: Widerspruch
steps:
  - id: start
    fields:
      - id: art
        type: choice
        label: Art
        options:
          - { value: x, label: X }
          - { value: y, label: Y }
    next:
      - if: art == "x"
        goto: mitte
      - goto: summary
  - id: mitte
    fields:
      - { id: notiz, type: text, label: Notiz }
    next:
      - if: art == "y"
        goto: tot
      - goto: summary
  - id: tot
    fields:
      - { id: nie, type: text, label: Nie }
"#,
        );
        let found = analyse(&f);
        assert_eq!((found.total, found.complete), (3, true));
        let impossible: Vec<_> = found.routes.iter().filter_map(|(r, why)| Some((step_ids(&f, r), why.clone()?))).collect();
        assert_eq!(impossible.len(), 1, "{impossible:?}");
        assert_eq!(impossible[0].0, ["start", "mitte", "tot"]);
        let why = &impossible[0].1;
        assert!(why.contains(r#"`art == "x"` (at step `start`) contradicts `art == "y"` (at step `mitte`)"#), "{why}");
        assert_eq!(found.unreached.len(), 1, "{:?}", found.unreached);
        let u = &found.unreached[0];
        assert_eq!((u.field.as_str(), u.step.as_str(), u.why.as_str()), ("nie", "tot", "its step `tot` is on no possible route"));
    }

    /// `n` steps, each with two ways on: 2^n routes.
    fn chain(n: usize) -> Form {
        let mut src = String::from("wegweiser: 1\nid: viele\ntitle: Viele\nsteps:\n");
        for i in 0..n {
            src.push_str(&format!(
                "  - id: s{i}\n    fields:\n      - {{ id: f{i}, type: boolean, label: F }}\n    next:\n      - if: f{i}\n        goto: {next}\n      - goto: {next}\n",
                next = if i + 1 == n { "summary".to_string() } else { format!("s{}", i + 1) }
            ));
        }
        form(&src)
    }

    /// 2^100 routes are counted exactly, without enumerating them.
    #[test]
    fn routes_are_counted_without_enumerating_them() {
        assert_eq!(count_routes(&chain(100)), 1u128 << 100);
    }

    /// Of 2^16 routes only the first ANALYSIS_LIMIT are analysed, and then no question is
    /// called unreached.
    #[test]
    fn the_analysis_stops_at_its_limit() {
        let found = analyse(&chain(16));
        assert_eq!((found.total, found.routes.len(), found.complete), (1 << 16, ANALYSIS_LIMIT, false));
        assert!(found.routes.iter().all(|(_, why)| why.is_none()));
        assert!(found.unreached.is_empty());
    }
}
