//! Validation results (docs/form-language.md#validation) and the rendering of texts in the session's language.

use serde::{Deserialize, Serialize};

use super::env::Ctx;
use super::{BudgetExhausted, Instance, Session, paths};
use crate::checks::{
    CheckCode, CountBound, EntryWord, MessageCtx, display_bool, display_date, display_euro, display_money, display_number,
};
use crate::fieldcheck::{Bounds, Checked, message_for};
use crate::form::{Display, FieldType, Rule, StepKind, TPart, Text};
use crate::ids::{FieldId, StepId};
use crate::value::Value;

/// One problem with the answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The step's id.
    pub step: String,
    /// The field's path; absent for a rule of the step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The stable check code.
    pub check: CheckCode,
    /// The message in the session's language.
    pub message: String,
}

impl Session<'_> {
    /// Every problem on the path, in path order (docs/form-language.md#check-order); an
    /// error when the evaluation budget ran out ([`BudgetExhausted`]).
    pub fn problems(&self) -> Result<Vec<Problem>, BudgetExhausted> {
        let problems = self.path.iter().flat_map(|s| self.problems_of_step(*s)).collect();
        self.outcome(problems)
    }

    /// The problems of one step (none for a step that is not on the path); an error when
    /// the evaluation budget ran out ([`BudgetExhausted`]).
    pub fn step_problems(&self, step: StepId) -> Result<Vec<Problem>, BudgetExhausted> {
        let problems = self.problems_of_step(step);
        self.outcome(problems)
    }

    /// [`Session::step_problems`] without the budget's word, for the queries built on it.
    pub(super) fn problems_of_step(&self, step: StepId) -> Vec<Problem> {
        if let Some(p) = self.state.step_problems(step) {
            return p;
        }
        let mut out = Vec::new();
        if self.state.on_path(step) && self.form.step(step).kind == StepKind::Question {
            for_fields_in_order(self.form, step, &mut |f| {
                for e in self.instances_of(f) {
                    out.extend(self.field_problems(Instance { field: f, entry: e }));
                }
            });
            out.extend(self.step_rule_problems(step));
        }
        self.state.cache_step_problems(step, out.clone());
        out
    }

    /// True when the path ends at the summary and every step on it is valid
    /// (docs/form-language.md#validation); an error when the evaluation budget ran out
    /// ([`BudgetExhausted`]).
    pub fn is_submittable(&self) -> Result<bool, BudgetExhausted> {
        Ok(matches!(self.path_end()?, crate::form::Target::Summary) && self.problems()?.is_empty())
    }

    /// The problems of one field instance (inactive: none).
    pub(super) fn field_problems(&self, inst: Instance) -> Vec<Problem> {
        if let Some(p) = self.state.field_problems(inst.field, inst.entry) {
            return p;
        }
        let p = self.compute_field_problems(inst);
        self.state.cache_field_problems(inst.field, inst.entry, p.clone());
        p
    }

    fn compute_field_problems(&self, inst: Instance) -> Vec<Problem> {
        let form = self.form;
        let field = form.field(inst.field);
        if !self.is_active(inst) {
            return Vec::new();
        }
        let lang = self.lang;
        let mut out = Vec::new();
        // The path and step strings are built only when there is a problem to report.
        let mut push = |code: CheckCode, message: String| {
            out.push(Problem { step: form.step(field.step).id.clone(), field: Some(paths::path_of(form, inst)), check: code, message })
        };
        match field.ty {
            FieldType::Computed | FieldType::Info => return Vec::new(),
            FieldType::Group => {
                if let Some(r) = &field.repeat {
                    let n = Ctx { s: self }.entries_len(inst.field) as u32;
                    let (fail, bound, which) = if n < r.min {
                        (true, r.min, CountBound::Min)
                    } else if r.max.is_some_and(|m| n > m) {
                        (true, r.max.unwrap_or(0), CountBound::Max)
                    } else {
                        (false, 0, CountBound::Min)
                    };
                    if fail {
                        let mut ctx = MessageCtx::default().with_bound(bound.to_string());
                        ctx.count_bound = which;
                        ctx.entry = None::<EntryWord>;
                        let msg = match self.message(inst.field, CheckCode::Count, inst.entry) {
                            Some(m) => m,
                            None => {
                                ctx.label = self.label_of(inst).map(Into::into);
                                crate::checks::default_message(CheckCode::Count, &ctx, lang)
                            }
                        };
                        push(CheckCode::Count, msg);
                    }
                }
                return out;
            }
            _ => {}
        }
        let mut c = Ctx { s: self };
        let min = field.min.as_ref().map_or(Value::Empty, |e| c.evaluate(e, inst.entry));
        let max = field.max.as_ref().map_or(Value::Empty, |e| c.evaluate(e, inst.entry));
        let bounds = Bounds { min, max };
        let checked = self.checked(inst.field, inst.entry, &bounds);
        if checked.blank {
            let required = field.required.as_ref().is_some_and(|r| Ctx { s: self }.evaluate(r, inst.entry).holds());
            if required {
                let msg = match self.message(inst.field, CheckCode::Required, inst.entry) {
                    Some(m) => m,
                    None => {
                        let ctx = MessageCtx {
                            label: self.label_of(inst).map(Into::into),
                            ..MessageCtx::new(field.ty.input().unwrap_or_default())
                        };
                        crate::checks::default_message(CheckCode::Required, &ctx, lang)
                    }
                };
                push(CheckCode::Required, msg);
            }
        } else {
            for f in &checked.failures {
                let msg = match self.message(inst.field, f.code, inst.entry) {
                    Some(m) => m,
                    None => {
                        let mut f = f.clone();
                        f.ctx.label = self.label_of(inst).map(Into::into);
                        message_for(&f, lang)
                    }
                };
                push(f.code, msg);
            }
            if checked.failures.iter().any(|f| empties_value(f.code)) {
                return out;
            }
        }
        for rule in &field.rules {
            if checked.blank && !rule.when_empty {
                continue;
            }
            if let Some(msg) = self.failed_rule(rule, inst.entry) {
                push(CheckCode::Rule, msg);
            }
        }
        out
    }

    /// The problems of a step's rules, in their order.
    pub(super) fn step_rule_problems(&self, step: StepId) -> Vec<Problem> {
        let form = self.form;
        if !self.state.on_path(step) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for rule in &form.step(step).rules {
            if let Some(f) = rule.field
                && !self.admits_attached_rule(f, rule.when_empty)
            {
                continue;
            }
            if let Some(message) = self.failed_rule(rule, None) {
                let field = rule.field.map(|f| self.path_of(Instance { field: f, entry: None }));
                out.push(Problem { step: form.step(step).id.clone(), field, check: CheckCode::Rule, message });
            }
        }
        out
    }

    /// Whether a step rule attached to field `f` (`field: f`) is checked (docs/form-language.md#validation): its problem
    /// is one of the field's, and a blank field has only `required` and the rules checked
    /// while empty (`when_empty`), a field failing `type`/`format`/`option`/`file_type`
    /// only that failure. A group is blank while none of its input members is filled.
    /// The gate of a rule (docs/form-language.md#rules) does not cover this: the rule's `check` need not read `f` at all.
    fn admits_attached_rule(&self, f: FieldId, when_empty: bool) -> bool {
        let form = self.form;
        let field = form.field(f);
        match field.ty {
            FieldType::Group => when_empty || crate::expr::Env::group_filled(&mut Ctx { s: self }, f, None),
            // No input of their own: neither blank nor rejected.
            FieldType::Computed | FieldType::Info => true,
            _ => {
                let checked = self.checked(f, None, &Bounds::default());
                if checked.blank {
                    return when_empty;
                }
                !checked.failures.iter().any(|x| empties_value(x.code))
            }
        }
    }

    /// The answer of an instance checked with its `bounds` and the options offered now
    /// (without its value): the answer was read when it was set ([`super::Answer`]), so
    /// only what depends on other answers is left; the option conditions are evaluated only
    /// for a chosen option.
    fn checked(&self, f: FieldId, entry: Option<u32>, bounds: &Bounds) -> Checked {
        let field = self.form.field(f);
        match self.read(f, entry) {
            None => Checked { value: Value::Empty, blank: true, failures: Vec::new() },
            Some(read) if read.asks_offered(field) => read.check(field, self.lang, bounds, &|v| self.offers(f, entry, v)),
            Some(read) => read.check(field, self.lang, bounds, &|_| true),
        }
    }

    /// The rule's message if it is checked (docs/form-language.md#rules: every field it reads is filled, unless
    /// `when_empty`) and fails.
    fn failed_rule(&self, rule: &Rule, entry: Option<u32>) -> Option<String> {
        let mut c = Ctx { s: self };
        if !rule.when_empty && rule.gate.iter().any(|g| c.field_value(*g, entry).is_empty()) {
            return None;
        }
        if c.evaluate(&rule.check, entry).holds() {
            return None;
        }
        Some(self.render(&rule.message, entry))
    }

    /// The field's label as the citizen reads it (placeholders filled in), for default
    /// messages that name their field; only rendered when there is a problem to report.
    fn label_of(&self, inst: Instance) -> Option<String> {
        let label = self.form.field(inst.field).label.as_ref()?;
        Some(self.render(label, inst.entry)).filter(|l| !l.trim().is_empty())
    }

    /// The author's message for a check, if the field overrides it.
    fn message(&self, f: FieldId, code: CheckCode, entry: Option<u32>) -> Option<String> {
        let text = self.form.field(f).messages.iter().find(|(c, _)| *c == code).map(|(_, t)| t)?;
        Some(self.render(text, entry))
    }

    /// Renders a text in the session's language, placeholders filled in (docs/form-language.md#placeholders).
    pub fn render(&self, text: &Text, entry: Option<u32>) -> String {
        let lang = self.lang;
        let Some((_, template)) = text.langs.iter().find(|(l, _)| *l == lang).or_else(|| text.langs.first()) else { return String::new() };
        let mut out = String::new();
        for part in template {
            match part {
                TPart::Lit(s) => out.push_str(s),
                TPart::Expr(e, display) => {
                    let v = Ctx { s: self }.evaluate(e, entry);
                    out.push_str(&self.display(&v, *display, entry));
                }
            }
        }
        out
    }

    /// A value for reading, in the session's language (docs/form-language.md#placeholders).
    pub fn display(&self, v: &Value, how: Display, entry: Option<u32>) -> String {
        let lang = self.lang;
        match (v, how) {
            (Value::Empty, _) => String::new(),
            (Value::Number(d), Display::Money) => display_money(d, lang),
            (Value::Number(d), Display::Euro) => display_euro(d, lang),
            (Value::Number(d), _) => display_number(d, lang),
            (Value::Date(d), _) => display_date(*d, lang),
            (Value::Bool(b), _) => display_bool(*b, lang),
            (Value::Text(t), Display::Choice(f)) => self.option_label(f, t, entry),
            (Value::List(items), Display::Choice(f)) => items.iter().map(|i| self.option_label(f, i, entry)).collect::<Vec<_>>().join(", "),
            (Value::Text(t), _) => t.clone(),
            (Value::List(items), _) => items.join(", "),
            (Value::File(file), _) => file.name.clone(),
        }
    }

    fn option_label(&self, f: FieldId, value: &str, entry: Option<u32>) -> String {
        let form = self.form;
        match form.field(f).options.iter().find(|o| o.value == value) {
            Some(o) => self.render(&o.label, entry),
            None => value.to_string(),
        }
    }
}

impl Ctx<'_, '_> {
    fn entries_len(&mut self, g: FieldId) -> usize {
        crate::expr::Env::entries(self, g).len()
    }
}

/// The failures that leave an answer empty and are then its only problem
/// (docs/form-language.md#empty-values, docs/form-language.md#validation).
fn empties_value(code: CheckCode) -> bool {
    matches!(code, CheckCode::Type | CheckCode::Format | CheckCode::Option | CheckCode::FileType)
}

/// Calls `visit` with each field of a step in declaration order, members right after their
/// group (without making a list: validation visits every step).
fn for_fields_in_order(form: &crate::form::Form, step: StepId, visit: &mut dyn FnMut(FieldId)) {
    fn walk(form: &crate::form::Form, f: FieldId, visit: &mut dyn FnMut(FieldId)) {
        visit(f);
        for m in &form.field(f).members {
            walk(form, *m, visit);
        }
    }
    for f in &form.step(step).fields {
        walk(form, *f, visit);
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use crate::session::{Input, Session};

    /// A step rule attached to each kind of field; `check: false` always fails, so only
    /// the conditions of docs/form-language.md#validation decide whether its problem is
    /// reported.
    const ATTACHED: &str = r#"
wegweiser: 1
id: probe
title: Probe
steps:
  - id: a
    fields:
      - { id: zahl, type: number }
      - { id: plz, type: plz }
      - { id: wahl, type: choice, options: [{ value: x, label: X }] }
      - { id: name, type: text }
      - { id: voll, type: text, default: "da" }
      - id: adresse
        type: group
        fields:
          - { id: ort, type: text }
      - id: kind
        type: group
        repeat: { min: 0, max: 3 }
        fields:
          - { id: vorname, type: text }
    rules:
      - { check: false, field: zahl, message: Zahl }
      - { check: false, field: plz, message: PLZ }
      - { check: false, field: wahl, message: Wahl }
      - { check: false, field: name, message: Name }
      - { check: false, field: name, message: Name leer, when_empty: true }
      - { check: false, field: voll, message: Voll }
      - { check: false, field: adresse, message: Adresse }
      - { check: false, field: kind, message: Kind }
"#;

    fn rule_messages(s: &Session) -> Vec<String> {
        s.problems().unwrap().into_iter().filter(|p| p.check == crate::checks::CheckCode::Rule).map(|p| p.message).collect()
    }

    fn text(v: &str) -> Option<Input> {
        Some(Input::Text(v.into()))
    }

    #[test]
    fn a_step_rule_attached_to_a_blank_rejected_or_empty_field_is_not_checked() {
        let c = crate::compile(ATTACHED);
        assert!(!c.has_errors(), "{:#?}", c.diagnostics);
        let form = c.form.unwrap();
        let mut s = Session::new(&form, "de", NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
        // Blank fields and empty groups: only the rule checked while empty, and the one on
        // the field whose default stands in for an answer.
        assert_eq!(rule_messages(&s), ["Name leer", "Voll"]);
        // Input failing `type`, `format`, `option`: that failure is the field's only problem.
        s.set_answer("zahl", text("abc")).unwrap();
        s.set_answer("plz", text("00000")).unwrap();
        s.set_answer("wahl", text("y")).unwrap();
        assert_eq!(rule_messages(&s), ["Name leer", "Voll"]);
        // Valid input, a filled group, a non-empty entry: every rule is checked.
        for (path, v) in
            [("zahl", "12"), ("plz", "48653"), ("wahl", "x"), ("name", "Erika"), ("adresse.ort", "Coesfeld"), ("kind.0.vorname", "Max")]
        {
            s.set_answer(path, text(v)).unwrap();
        }
        assert_eq!(rule_messages(&s), ["Zahl", "PLZ", "Wahl", "Name", "Name leer", "Voll", "Adresse", "Kind"]);
        // Blanking the default: the field is blank again.
        s.set_answer("voll", text("")).unwrap();
        assert!(!rule_messages(&s).contains(&"Voll".to_string()));
    }
}
