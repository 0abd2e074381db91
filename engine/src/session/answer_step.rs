//! Reading what a citizen typed: a posted step ([`Session::answer_step`]) or one field as
//! the browser has it ([`Session::answer_typed`]), by one rule, so that the server and the
//! browser module cannot read the same input two ways (`docs/form-language.md#blank-versus-default`).
//!
//! The rule: a blank value answers blank (it clears a `default`, which does not come back),
//! except for a field that has no default, where blank and unanswered are the same and the
//! answer is removed; a field the post does not name at all is unanswered. A `choice` or
//! `multi_choice` value that is none of the field's options, or a typed value over the
//! post's length limit, refuses that field's answer: its earlier answer stays. Only the
//! step's shown input fields are read, again after each round until no more fields appear.


use crate::answers::{Input, PostedStep, Refusal, StepAnswer};
use crate::checks::normalize_text;
use crate::form::{Field, FieldType};
use crate::ids::{FieldId, StepId};
use crate::value::FileRef;

use super::{AnswerError, BudgetExhausted, Changes, Instance, Session};

/// Rounds of [`Session::answer_step`]: each answered round may show fields that the next
/// round reads. Eight is more than any chain of revealed questions on one page needs, and
/// bounds the work a hostile post can cause.
pub const MAX_ROUNDS: usize = 8;

/// What the rule makes of one field's typed values.
#[derive(Debug, Clone, PartialEq)]
enum Read {
    /// The new answer (`None`: unanswered, the default applies again).
    Answer(Option<Input>),
    /// Nothing posted that changes the answer (a file field without a new upload).
    Keep,
    /// Refused: the earlier answer stays.
    Refused(Refusal),
}

/// One field's answer from the values typed for it (in the order posted; none when the
/// post did not name the field) and its upload.
fn read_typed(field: &Field, typed: &[String], file: Option<&FileRef>, max_chars: Option<usize>) -> Read {
    // Answering blank clears a default (docs/form-language.md#blank-versus-default): the blank answer is kept, or the default would
    // stand in again. Without a default, blank and unanswered are the same.
    let blank = || Read::Answer(field.default.as_ref().map(|_| Input::Text(String::new())));
    match field.ty {
        FieldType::MultiChoice => match offered(field, typed) {
            Some(items) if items.is_empty() => Read::Answer(None),
            Some(items) => Read::Answer(Some(Input::List(items))),
            None => Read::Refused(Refusal::NotAnOption),
        },
        FieldType::Choice => match typed.first() {
            None => Read::Answer(None),
            Some(v) => match offered(field, std::slice::from_ref(v)) {
                Some(items) => match items.into_iter().next() {
                    Some(v) => Read::Answer(Some(Input::Text(v))),
                    None => blank(),
                },
                None => Read::Refused(Refusal::NotAnOption),
            },
        },
        FieldType::File => match file {
            Some(f) => Read::Answer(Some(Input::File(Box::new(f.clone())))),
            None => Read::Keep,
        },
        FieldType::Computed | FieldType::Group | FieldType::Info => Read::Keep,
        _ => match typed.first() {
            None => Read::Answer(None),
            Some(v) if max_chars.is_some_and(|max| v.chars().count() > max) => {
                Read::Refused(Refusal::AnswerTooLong { max: max_chars.unwrap_or_default() })
            }
            Some(v) if v.trim().is_empty() => blank(),
            // As typed: the checks normalise (trim, NFC, number and date spelling).
            Some(v) => Read::Answer(Some(Input::Text(v.clone()))),
        },
    }
}

/// The posted values of a choice that are options of the field (trimmed and in NFC as the
/// checks read them, blanks dropped, each once), or `None` when one is not an option. All
/// options count, whatever their `if`: an option not offered now is the checks' `option`
/// problem, not a forged post.
fn offered(field: &Field, typed: &[String]) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for v in typed {
        let v = normalize_text(v);
        if v.is_empty() || out.contains(&v) {
            continue;
        }
        if !field.options.iter().any(|o| o.value == v) {
            return None;
        }
        out.push(v);
    }
    Some(out)
}

impl Session<'_> {
    /// Reads a posted step: the step's shown input fields take their answers from `posted`
    /// by the rule of this module, round after round while the answers show more fields
    /// (at most `MAX_ROUNDS`); inactive fields, computed fields and fields of other steps
    /// are never read. Re-evaluates once per round.
    ///
    /// When the evaluation budget ([`Session::set_step_budget`]) runs out on the way (or had
    /// run out before), which fields were shown, and so read, cannot be trusted: the answers
    /// read so far stay set, and the outcome is [`BudgetExhausted`].
    pub fn answer_step(&mut self, step: StepId, posted: &PostedStep) -> Result<StepAnswer, BudgetExhausted> {
        let form = self.form;
        let mut before = Vec::new();
        for inst in self.shown_instances(step) {
            insert_sorted(&mut before, inst);
        }
        let mut out = StepAnswer::default();
        let mut done = Vec::new();
        for _ in 0..MAX_ROUNDS {
            let mut batch = Vec::new();
            for inst in self.step_instances(step) {
                let field = form.field(inst.field);
                if !field.ty.is_input() || !self.is_shown(inst) {
                    continue;
                }
                let path = self.path_of(inst);
                // A field locked to the account's value is not read: a forged post to it
                // changes nothing.
                if !insert_sorted(&mut done, inst) || self.is_locked(&path) {
                    continue;
                }
                match read_typed(field, posted.values(&path), posted.files.get(&path), posted.max_chars) {
                    Read::Answer(input) => {
                        out.read.push(path.clone());
                        batch.push((path, input));
                    }
                    Read::Keep => {}
                    Read::Refused(r) => {
                        out.refused.insert(path, r);
                    }
                }
            }
            if batch.is_empty() {
                break;
            }
            // Cannot fail: every path names a shown input field of the step (entries below
            // the limit), with an input of its field's kind.
            let _ = self.set_answers(batch);
        }
        out.revealed = self.shown_instances(step).into_iter().filter(|i| before.binary_search(i).is_err()).map(|i| self.path_of(i)).collect();
        self.outcome(out)
    }

    /// Sets one field's answer from the values as the citizen typed them (the browser's
    /// view of one field: a text as typed, blank included; the ticked options), by the same
    /// rule as [`Session::answer_step`], without a length limit. Reports what changed.
    pub fn answer_typed(&mut self, path: &str, typed: &[String]) -> Result<Changes, AnswerError> {
        let inst = self.input_instance(path)?;
        match read_typed(self.form.field(inst.field), typed, None, None) {
            Read::Answer(input) => self.set_answer(path, input),
            Read::Keep => Ok(Changes::default()),
            Read::Refused(r) => Err(AnswerError::Refused(path.to_string(), r)),
        }
    }

    /// Every field instance of a step (groups, computed and info fields included), in page
    /// order: each repeated group's entries as many as the session shows.
    pub fn step_instances(&self, step: StepId) -> Vec<Instance> {
        fn walk(s: &Session<'_>, f: FieldId, entry: Option<u32>, out: &mut Vec<Instance>) {
            let field = s.form.field(f);
            out.push(Instance { field: f, entry });
            let entries: Vec<Option<u32>> = if field.is_repeated() { (0..s.entry_count(f)).map(Some).collect() } else { vec![entry] };
            for e in entries {
                for m in &field.members {
                    walk(s, *m, e, out);
                }
            }
        }
        let mut out = Vec::new();
        for f in &self.form.step(step).fields {
            walk(self, *f, None, &mut out);
        }
        out
    }

    /// The paths of a step's shown field instances, in page order.
    fn shown_instances(&self, step: StepId) -> Vec<Instance> {
        let mut out = self.step_instances(step);
        out.retain(|inst| self.is_shown(*inst));
        out
    }
}

/// Inserts `inst` into the sorted `set`; false when it was there already. (A sorted `Vec`
/// of instances rather than a `BTreeSet` of paths: each B-tree type is a copy of the
/// B-tree's code in the browser module, docs/performance.md, "Bundle".)
fn insert_sorted(set: &mut Vec<Instance>, inst: Instance) -> bool {
    match set.binary_search(&inst) {
        Ok(_) => false,
        Err(at) => {
            set.insert(at, inst);
            true
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests;
