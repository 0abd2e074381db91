//! The memoised evaluator behind a session: the values and activity of field instances,
//! `values`, option conditions, and the walk that computes the path (docs/form-language.md#the-path, docs/form-language.md#visibility).

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::Session;
use super::cache::Slots;
use crate::expr::{CExpr, Env, eval};
use crate::form::{FieldType, Form, Format, StepKind, Target};
use crate::ids::{FieldId, StepId, ValueId};
use crate::value::Value;

/// Caches; everything here can be recomputed from the answers. Only [`Cache`] touches it.
#[derive(Debug, Clone)]
struct State {
    on_path: Vec<bool>,
    value: Slots<Value>,
    active: Slots<bool>,
    named: Vec<Option<Value>>,
    problems: HashMap<StepId, Vec<super::Problem>>,
    /// Problems per field, by entry.
    field_problems: Slots<Vec<super::Problem>>,
    /// The fields that may have something in `value`, `active` or `field_problems`, and
    /// the `values` entries in `named`, each listed once (`listed`): [`State::clear`]
    /// empties only these. The walk clears once per step on the path; emptying every field
    /// each time made it cost steps × fields, now it costs what was evaluated in between.
    filled: Vec<FieldId>,
    filled_named: Vec<ValueId>,
    listed: Vec<bool>,
    listed_named: Vec<bool>,
    evals: u64,
    /// Cache slots (a field's or a `values` entry's cached results) emptied so far; tests use
    /// it to prove that the walk's clearing grows with the evaluations, not steps × fields.
    cleared: u64,
    /// Evaluation steps left for this session until [`Session::set_step_budget`] renews
    /// them; shared by every expression, so a form cannot make one request slow by having
    /// many moderately expensive expressions.
    steps_left: u64,
    /// Whether `steps_left` ran out: some results were replaced by `Empty` and must not be
    /// trusted (the session's fallible queries answer [`super::BudgetExhausted`]).
    exhausted: bool,
}

impl State {
    fn new(form: &Form) -> Self {
        State {
            on_path: vec![false; form.steps.len()],
            value: Slots::new(form.fields.len()),
            active: Slots::new(form.fields.len()),
            named: vec![None; form.values.len()],
            problems: HashMap::new(),
            field_problems: Slots::new(form.fields.len()),
            filled: Vec::new(),
            filled_named: Vec::new(),
            listed: vec![false; form.fields.len()],
            listed_named: vec![false; form.values.len()],
            evals: 0,
            cleared: 0,
            steps_left: u64::MAX,
            exhausted: false,
        }
    }

    fn clear(&mut self) {
        self.cleared += (self.filled.len() + self.filled_named.len()) as u64;
        for f in self.filled.drain(..) {
            self.value.clear_field(f);
            self.active.clear_field(f);
            self.field_problems.clear_field(f);
            self.listed[f.ix()] = false;
        }
        for v in self.filled_named.drain(..) {
            self.named[v.ix()] = None;
            self.listed_named[v.ix()] = false;
        }
        self.problems.clear();
    }

    /// Lists `f` for [`State::clear`] before something is cached for it.
    fn list(&mut self, f: FieldId) {
        if !std::mem::replace(&mut self.listed[f.ix()], true) {
            self.filled.push(f);
        }
    }
}

/// The session's caches behind interior mutability, so that every read of a session takes
/// `&self` (a server shares a session between the parts of a page without a lock).
///
/// **No borrow outlives a method of this type**: each one borrows the cell, copies in or
/// out, and returns; none returns a reference into the cell or calls back into the session.
/// Evaluation, which re-enters the session freely (a value reads a
/// value reads an activity), therefore never meets a borrow it could collide with, and a
/// `RefCell` panic is impossible by construction. `RefCell` keeps the session `Send` (it is
/// moved into blocking tasks); it is not `Sync`, which no caller needs.
#[derive(Debug, Clone)]
pub(super) struct Cache(RefCell<State>);

impl Cache {
    pub fn new(form: &Form) -> Self {
        Cache(RefCell::new(State::new(form)))
    }

    /// Empties every cached result (the counters and the budget stay).
    pub fn clear(&self) {
        self.0.borrow_mut().clear();
    }

    /// Takes every step off the path (the walk puts them back).
    pub fn leave_path(&self) {
        self.0.borrow_mut().on_path.iter_mut().for_each(|o| *o = false);
    }

    pub fn put_on_path(&self, step: StepId) {
        self.0.borrow_mut().on_path[step.ix()] = true;
    }

    pub fn on_path(&self, step: StepId) -> bool {
        self.0.borrow().on_path[step.ix()]
    }

    pub fn count_eval(&self) {
        self.0.borrow_mut().evals += 1;
    }

    pub fn evals(&self) -> u64 {
        self.0.borrow().evals
    }

    #[cfg(test)]
    pub fn cleared(&self) -> u64 {
        self.0.borrow().cleared
    }

    /// Renews the budget and forgets an exhaustion; true when there was one (the caller
    /// then drops what was computed after it).
    pub fn renew_budget(&self, steps: u64) -> bool {
        let mut st = self.0.borrow_mut();
        st.steps_left = steps;
        std::mem::replace(&mut st.exhausted, false)
    }

    pub fn steps_left(&self) -> u64 {
        self.0.borrow().steps_left
    }

    pub fn exhausted(&self) -> bool {
        self.0.borrow().exhausted
    }

    /// Takes one step of the budget; false (and exhausted from now on) when none is left.
    fn spend_step(&self) -> bool {
        let mut st = self.0.borrow_mut();
        if st.steps_left == 0 {
            st.exhausted = true;
            return false;
        }
        st.steps_left -= 1;
        true
    }

    pub fn step_problems(&self, step: StepId) -> Option<Vec<super::Problem>> {
        self.0.borrow().problems.get(&step).cloned()
    }

    pub fn cache_step_problems(&self, step: StepId, problems: Vec<super::Problem>) {
        self.0.borrow_mut().problems.insert(step, problems);
    }

    pub fn field_problems(&self, f: FieldId, entry: Option<u32>) -> Option<Vec<super::Problem>> {
        self.0.borrow().field_problems.get(f, entry).cloned()
    }

    pub fn cache_field_problems(&self, f: FieldId, entry: Option<u32>, problems: Vec<super::Problem>) {
        let mut st = self.0.borrow_mut();
        st.list(f);
        st.field_problems.insert(f, entry, problems);
    }

    fn active(&self, f: FieldId, entry: Option<u32>) -> Option<bool> {
        self.0.borrow().active.get(f, entry).copied()
    }

    fn cache_active(&self, f: FieldId, entry: Option<u32>, active: bool) {
        let mut st = self.0.borrow_mut();
        st.list(f);
        st.active.insert(f, entry, active);
    }

    fn value(&self, f: FieldId, entry: Option<u32>) -> Option<Value> {
        self.0.borrow().value.get(f, entry).cloned()
    }

    /// Whether the cached value of an instance is not empty; `None` when none is cached.
    fn value_filled(&self, f: FieldId, entry: Option<u32>) -> Option<bool> {
        self.0.borrow().value.get(f, entry).map(|v| !v.is_empty())
    }

    fn cache_value(&self, f: FieldId, entry: Option<u32>, value: Value) {
        let mut st = self.0.borrow_mut();
        st.list(f);
        st.value.insert(f, entry, value);
    }

    fn named(&self, v: ValueId) -> Option<Value> {
        self.0.borrow().named[v.ix()].clone()
    }

    fn cache_named(&self, v: ValueId, value: Value) {
        let mut st = self.0.borrow_mut();
        if !std::mem::replace(&mut st.listed_named[v.ix()], true) {
            st.filled_named.push(v);
        }
        st.named[v.ix()] = Some(value);
    }

    pub fn invalidate_field_problems(&mut self, f: FieldId) {
        self.0.get_mut().field_problems.clear_field(f);
    }

    pub fn invalidate_field(&mut self, f: FieldId) {
        let st = self.0.get_mut();
        st.value.clear_field(f);
        st.active.clear_field(f);
    }

    pub fn invalidate_value(&mut self, v: ValueId) {
        self.0.get_mut().named[v.ix()] = None;
    }

    pub fn invalidate_problems(&mut self) {
        self.0.get_mut().problems.clear();
    }
}

/// A session seen as an expression environment.
pub(super) struct Ctx<'a, 'f> {
    pub s: &'a Session<'f>,
}

impl<'f> Ctx<'_, 'f> {
    fn eval(&mut self, e: &CExpr, entry: Option<u32>) -> Value {
        self.s.state.count_eval();
        // Beyond its own EVAL_BUDGET an expression is `Empty` (docs/form-language.md#decisions-beyond-the-contract); the session's budget
        // is spent step by step through `spend_step`, nested evaluations included.
        eval(e, self, entry)
    }

    fn holds(&mut self, e: &CExpr, entry: Option<u32>) -> bool {
        self.eval(e, entry).holds()
    }

    /// Walks the step graph (docs/form-language.md#the-step-graph): while deciding, only steps already on the path are active.
    ///
    /// Every cached result depends on which steps are on the path, so the caches are emptied
    /// when the walk starts and each time it adds a step; [`State::clear`] empties only what
    /// was cached since, so the walk costs what it evaluates, not steps × fields. What is
    /// cached after the last step was added was computed with the final path and stays.
    pub fn walk(&mut self) -> Vec<StepId> {
        let form = self.s.form;
        self.s.state.leave_path();
        self.s.state.clear();
        let mut path = Vec::new();
        let mut cur = if form.steps.is_empty() { None } else { Some(StepId(0)) };
        let mut guard = 0;
        while let Some(sid) = cur {
            guard += 1;
            if guard > form.steps.len() + 1 {
                break;
            }
            let step = form.step(sid);
            let shown = match &step.when {
                None => true,
                Some(w) => self.holds(w, None),
            };
            if shown {
                self.s.state.put_on_path(sid);
                path.push(sid);
                self.s.state.clear();
                if step.kind == StepKind::Exit {
                    break;
                }
            }
            let mut target = if step.next.is_empty() {
                // A skipped exit step has no `next`: continue with the following step.
                if sid.ix() + 1 < form.steps.len() { Target::Step(StepId(sid.0 + 1)) } else { Target::Summary }
            } else {
                Target::Summary
            };
            for b in &step.next {
                let take = match &b.cond {
                    None => true,
                    Some(c) => self.holds(c, None),
                };
                if take {
                    target = b.target;
                    break;
                }
            }
            cur = match target {
                Target::Step(t) => Some(t),
                Target::Summary => None,
            };
        }
        path
    }

    /// Whether a field instance is active (docs/form-language.md#visibility).
    pub fn active(&mut self, f: FieldId, entry: Option<u32>) -> bool {
        let form = self.s.form;
        let field = form.field(f);
        // Entries only matter below a repeated group; the group itself has none.
        let own_entry = if field.repeat_group.is_some() { entry } else { None };
        if let Some(a) = self.s.state.active(f, own_entry) {
            return a;
        }
        let mut a = self.s.state.on_path(field.step);
        if a && let Some(g) = field.repeat_group {
            let count = self.s.entry_count(g);
            a = matches!(own_entry, Some(e) if e < count) && self.active(g, None) && self.entry_nonempty(g, own_entry.unwrap_or(0));
        }
        if a && let Some(p) = field.parent {
            a = self.active(p, if form.field(p).is_repeated() { None } else { own_entry });
        }
        if a && let Some(v) = &field.visible_if {
            a = self.holds(v, own_entry);
        }
        self.s.state.cache_active(f, own_entry, a);
        a
    }

    /// Whether a field instance is shown to the citizen: like [`Ctx::active`], but a
    /// member of an empty entry counts as shown (a blank entry must offer its inputs, and
    /// its answers must be accepted, although its members are inactive until it has input).
    pub fn shown(&mut self, f: FieldId, entry: Option<u32>) -> bool {
        let form = self.s.form;
        let field = form.field(f);
        let own_entry = if field.repeat_group.is_some() { entry } else { None };
        if !self.s.state.on_path(field.step) {
            return false;
        }
        if let Some(g) = field.repeat_group
            && !(matches!(own_entry, Some(e) if e < self.s.entry_count(g)) && self.active(g, None))
        {
            return false;
        }
        if let Some(p) = field.parent
            && !form.field(p).is_repeated()
            && !self.shown(p, own_entry)
        {
            return false;
        }
        match &field.visible_if {
            None => true,
            Some(v) => self.holds(v, own_entry),
        }
    }

    /// An entry is empty when none of its input members has non-blank input other than
    /// its default (docs/form-language.md#groups-and-repeated-groups).
    fn entry_nonempty(&mut self, g: FieldId, e: u32) -> bool {
        let form = self.s.form;
        let members = super::descendants(form, g);
        members.into_iter().any(|m| {
            let field = form.field(m);
            if !field.ty.is_input() {
                return false;
            }
            let Some(answer) = self.s.by_inst.get(&super::Instance { field: m, entry: Some(e) }) else { return false };
            let given = &answer.read;
            if given.is_blank() {
                return false;
            }
            match &self.s.default_reads[m.ix()] {
                None => true,
                Some(def) => given.raw_value().is_empty() || given.raw_value() != def.raw_value(),
            }
        })
    }

    /// Whether option `i` of a choice is offered.
    pub fn option_shown(&mut self, f: FieldId, entry: Option<u32>, i: usize) -> bool {
        let form = self.s.form;
        match form.field(f).options.get(i).and_then(|o| o.cond.as_ref()) {
            None => form.field(f).options.get(i).is_some(),
            Some(c) => self.holds(c, entry),
        }
    }

    /// The value of an instance as expressions see it: Empty when inactive (docs/form-language.md#visibility).
    pub fn field_value(&mut self, f: FieldId, entry: Option<u32>) -> Value {
        let form = self.s.form;
        let field = form.field(f);
        let own_entry = if field.repeat_group.is_some() { entry } else { None };
        if let Some(v) = self.s.state.value(f, own_entry) {
            return v;
        }
        let v = self.compute_value(f, own_entry);
        self.s.state.cache_value(f, own_entry, v.clone());
        v
    }

    /// Computes the value of an instance (the callers cache it); `own_entry` is `None`
    /// outside repeated groups.
    fn compute_value(&mut self, f: FieldId, own_entry: Option<u32>) -> Value {
        let form = self.s.form;
        let field = form.field(f);
        if !self.active(f, own_entry) {
            Value::Empty
        } else {
            match field.ty {
                FieldType::Computed => {
                    let v = field.value.as_ref().map_or(Value::Empty, |e| self.eval(e, own_entry));
                    match (field.format, v) {
                        (Some(Format::Money), Value::Number(d)) => Value::Number(crate::checks::round_money(&d)),
                        (Some(Format::Integer), Value::Number(d)) => Value::Number(crate::checks::round_integer(&d)),
                        (_, v) => v,
                    }
                }
                FieldType::Group | FieldType::Info => Value::Empty,
                _ => match self.s.read(f, own_entry) {
                    None => Value::Empty,
                    // Read when it was set; only whether a chosen option is offered is asked now.
                    Some(read) if read.asks_offered(field) => read.value(field, &|v| self.s.offers(f, own_entry, v)),
                    Some(read) => read.value(field, &|_| true),
                },
            }
        }
    }

    /// A `values` entry.
    pub fn named(&mut self, v: ValueId) -> Value {
        if let Some(x) = self.s.state.named(v) {
            return x;
        }
        // A parameter is a constant of the session: no expression, nothing it depends on.
        if let Some(p) = self.s.parameter_value(v) {
            return p.clone();
        }
        let form = self.s.form;
        let x = self.eval(&form.values[v.ix()].expr, None);
        self.s.state.cache_named(v, x.clone());
        x
    }

    /// Evaluates an expression of the form in this session (a rule, a bound, a text).
    pub fn evaluate(&mut self, e: &CExpr, entry: Option<u32>) -> Value {
        self.eval(e, entry)
    }

    fn non_empty_entries(&mut self, g: FieldId) -> Vec<u32> {
        if !self.active(g, None) {
            return Vec::new();
        }
        (0..self.s.entry_count(g)).filter(|&e| self.entry_nonempty(g, e)).collect()
    }
}

impl Env for Ctx<'_, '_> {
    fn field(&mut self, id: FieldId, entry: Option<u32>) -> Value {
        self.field_value(id, entry)
    }

    fn field_filled(&mut self, id: FieldId, entry: Option<u32>) -> bool {
        let own_entry = if self.s.form.field(id).repeat_group.is_some() { entry } else { None };
        if let Some(filled) = self.s.state.value_filled(id, own_entry) {
            return filled;
        }
        let v = self.compute_value(id, own_entry);
        let filled = !v.is_empty();
        self.s.state.cache_value(id, own_entry, v);
        filled
    }

    fn value(&mut self, id: ValueId) -> Value {
        self.named(id)
    }

    fn entries(&mut self, group: FieldId) -> Vec<u32> {
        self.non_empty_entries(group)
    }

    fn group_filled(&mut self, group: FieldId, entry: Option<u32>) -> bool {
        let form = self.s.form;
        if form.field(group).is_repeated() {
            return !self.non_empty_entries(group).is_empty();
        }
        if !self.active(group, entry) {
            return false;
        }
        super::descendants(form, group).into_iter().any(|m| form.field(m).ty.is_input() && !self.field_value(m, entry).is_empty())
    }

    fn today(&self) -> NaiveDate {
        self.s.today
    }

    fn spend_step(&mut self) -> bool {
        self.s.state.spend_step()
    }
}
