//! A citizen's answers and everything a front end asks about them: the path through the
//! step graph, which fields are active, computed values, problems, rendered texts and the
//! submission document. Evaluation is lazy and memoised; a change invalidates only what
//! depends on it, through the form's dependency graph.

mod account;
mod answer_step;
mod cache;
mod env;

mod paths;
mod problems;
mod submission;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::fieldcheck::{Read, read_answer};
use crate::form::{Form, Site, StepKind, Target};
use crate::ids::{FieldId, StepId, ValueId};
use crate::value::Value;

pub use crate::answers::Input;
pub use answer_step::MAX_ROUNDS;
pub use paths::{Instance, Renumbered};
pub use problems::Problem;
pub use submission::{Submission, SubmissionAccount, canonical_json, value_json};

/// An answer as given and what reading it gave ([`read_answer`]: the value or why there is
/// none, and the failures that depend on the answer alone). Read when it is set (and again
/// when the language changes), so a validation reads no answer again; kept with the input
/// in one entry, so the two cannot disagree.
#[derive(Debug, Clone)]
struct Answer {
    input: Input,
    read: Read,
}

/// One citizen's session with one form.
#[derive(Debug, Clone)]
pub struct Session<'f> {
    form: &'f Form,
    /// One of the form's languages (borrowed from the form: reading an answer needs it for
    /// every field, and a copy per field was an allocation per field).
    lang: &'f str,
    today: NaiveDate,
    /// Raw answers by field path (`vorname`, `hund.0.name`, `adresse.strasse`).
    answers: BTreeMap<String, Input>,
    /// The same answers by field instance, for lookups on the hot path, each with what
    /// reading it gave (`Answer`).
    by_inst: HashMap<Instance, Answer, cache::BuildIdHasher>,
    /// What reading each field's `default` gave, by field (`None`: no default), in the
    /// session's language.
    default_reads: Vec<Option<Read>>,
    /// Entries shown per repeated group (empty entries included).
    entries: HashMap<FieldId, u32>,
    /// The value of each of the form's parameters (`Form::parameters`, same order): the
    /// values the session was created with, else the defaults. Constants for evaluation.
    params: Vec<Value>,
    /// The login this session was filled in with, and the answers that came from it.
    account: Option<crate::account::AccountMark>,
    /// The path (docs/form-language.md#the-path), walked again whenever it may change.
    path: Vec<StepId>,
    /// The memoised results, behind interior mutability so that reads take `&self`.
    state: env::Cache,
}

/// The evaluation budget of [`Session::set_step_budget`] ran out: some values, conditions
/// and problems were computed as if an expression were empty, so the session's answers to
/// a front end's questions cannot be trusted (a server refuses the request and acts on
/// nothing of it).
///
/// It is the outcome of the query that ran out, and of every later one until the budget is
/// renewed: a query that returns `Result<_, BudgetExhausted>` reports an exhaustion during
/// the call *or earlier since the budget was set*. So a front end that builds a page from
/// the infallible low-level reads ([`Session::is_active`], [`Session::value`],
/// [`Session::render`], …), which answer as if an expression were empty once the budget is
/// gone, gets their outcome from the fallible query it asks after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the evaluation budget of this session ran out")]
pub struct BudgetExhausted;

/// Why a session could not be created with the parameter values given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
// Exhaustive for the workspace's own front ends (`internals`), which must handle a new
// variant; non-exhaustive for embeddings, which must not break on one.
#[cfg_attr(not(feature = "internals"), non_exhaustive)]
pub enum ParameterError {
    /// A value for a parameter the form does not declare.
    #[error("the form has no parameter `{0}`")]
    Unknown(String),
    /// A parameter without a default and without a value.
    #[error("the parameter `{0}` has no default and no value was given")]
    Missing(String),
    /// A value that does not fit the declaration.
    #[error("the value of the parameter `{0}` does not fit: {1}")]
    Mismatch(String, String),
}

/// Where a session stands: the answers, tagged with the form they were given for. A server
/// stores this as the draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The form's id.
    pub form: String,
    /// The form's version when the snapshot was taken.
    pub version: Option<String>,
    /// The session's language.
    pub language: String,
    /// Raw answers by field path.
    pub answers: BTreeMap<String, Input>,
    /// Entries shown per repeated group, by group id.
    pub entries: BTreeMap<String, u32>,
    /// The login the draft was filled in with and the answers from the account
    /// ([`Session::prefill`]); absent without a login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<crate::account::AccountMark>,
}

/// What a change did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Changes {
    /// Field paths that became active.
    pub activated: Vec<String>,
    /// Field paths that became inactive.
    pub deactivated: Vec<String>,
    /// Computed fields and values whose value changed, with the new value in canonical form
    /// (`null` for empty).
    pub values: Vec<(String, serde_json::Value)>,
    /// Problems that appeared.
    pub problems_added: Vec<Problem>,
    /// Problems that cleared.
    pub problems_cleared: Vec<Problem>,
    /// Whether the path changed.
    pub path_changed: bool,
}

/// Why an answer could not be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
// Exhaustive for the workspace's own front ends (`internals`), which must handle a new
// variant; non-exhaustive for embeddings, which must not break on one.
#[cfg_attr(not(feature = "internals"), non_exhaustive)]
pub enum AnswerError {
    /// The path names no input field.
    #[error("there is no input field `{0}`")]
    UnknownField(String),
    /// An entry index beyond the safety limit `MAX_ENTRIES`.
    #[error("the entry number in `{0}` is out of range")]
    EntryOutOfRange(String),
    /// An input of a kind the field cannot hold (a yes/no for a text field, a list for a
    /// single choice, a file for a number). [`Session::restore`] drops such an answer, so
    /// accepting it here would make a session and its restored draft differ.
    #[error("`{0}` cannot hold this kind of answer")]
    WrongKind(String),
    /// The field is locked to the value from the citizen's account (`locked: true`).
    #[error("`{0}` holds the value from the account and cannot be changed")]
    Locked(String),
    /// What was typed for the field is refused by the rule of [`Session::answer_typed`]
    /// (a value that is none of a choice's options); its earlier answer stays.
    #[error("the answer to `{0}` is refused ({code})", code = .1.code())]
    Refused(String, crate::answers::Refusal),
}

/// Whether a field of type `ty` can hold an input of this kind (text fits every field but a
/// file; what the text says is the checks' business).
fn kind_fits(ty: crate::form::FieldType, input: &Input) -> bool {
    use crate::form::FieldType;
    match input {
        Input::List(_) => ty == FieldType::MultiChoice,
        Input::File(_) => ty == FieldType::File,
        Input::Bool(_) => matches!(ty, FieldType::Boolean | FieldType::Consent),
        Input::Text(_) => ty != FieldType::File,
    }
}

/// A budget for [`Session::set_step_budget`] that one request of a server may use: some
/// seconds of evaluation in the worst case, while a complete pass over a bundled form
/// (every value, condition and check) takes 71 to 119 steps.
pub const REQUEST_STEP_BUDGET: u64 = 10_000_000;

pub use crate::answers::MAX_ENTRIES;

impl<'f> Session<'f> {
    /// A new, empty session. `lang` falls back to the form's default language when the
    /// form does not offer it; `today` comes from the caller (the engine has no clock).
    /// The form's parameters have their defaults (one without a default is empty: use
    /// [`Session::with_parameters`] for a form that has such parameters).
    pub fn new(form: &'f Form, lang: &str, today: NaiveDate) -> Self {
        let params = form.parameters.iter().map(|p| p.default.clone().unwrap_or_default()).collect();
        Self::create(form, lang, today, params)
    }

    /// A new, empty session with the parameter values of a deployment (an authority, a
    /// scenario); parameters it leaves out have their default. A value for an unknown
    /// parameter, a value that does not fit, or a parameter without default and without
    /// value is an error.
    pub fn with_parameters(
        form: &'f Form,
        lang: &str,
        today: NaiveDate,
        values: &crate::form::ParameterValues,
    ) -> Result<Self, ParameterError> {
        Ok(Self::create(form, lang, today, Self::parameter_list(form, values)?))
    }

    /// The values of every parameter of `form`, in its order, from `values` and the defaults.
    fn parameter_list(form: &Form, values: &crate::form::ParameterValues) -> Result<Vec<Value>, ParameterError> {
        if let Some(name) = values.keys().find(|k| form.parameter(k).is_none()) {
            return Err(ParameterError::Unknown(name.clone()));
        }
        form.parameters
            .iter()
            .map(|p| match values.get(&p.id).or(p.default.as_ref()) {
                None => Err(ParameterError::Missing(p.id.clone())),
                Some(v) => match p.refuses(v) {
                    Some(why) => Err(ParameterError::Mismatch(p.id.clone(), why)),
                    None => Ok(v.clone()),
                },
            })
            .collect()
    }

    fn create(form: &'f Form, lang: &str, today: NaiveDate, params: Vec<Value>) -> Self {
        let lang = form.languages.iter().find(|l| *l == lang).map_or(form.default_language(), String::as_str);
        let mut s = Session {
            form,
            lang,
            today,
            answers: BTreeMap::new(),
            by_inst: HashMap::default(),
            default_reads: Vec::new(),
            entries: HashMap::new(),
            params,
            account: None,
            path: Vec::new(),
            state: env::Cache::new(form),
        };
        for (i, f) in form.fields.iter().enumerate() {
            if let Some(r) = &f.repeat {
                s.entries.insert(FieldId(i as u32), r.min.max(1));
            }
        }
        s.read_defaults();
        s.recompute_path();
        s
    }

    /// The form.
    pub fn form(&self) -> &'f Form {
        self.form
    }

    /// The session's language.
    pub fn language(&self) -> &str {
        self.lang
    }

    /// The parameter values of this session by name (defaults included), as the submission
    /// records them.
    pub fn parameters(&self) -> crate::form::ParameterValues {
        self.form.parameters.iter().zip(&self.params).map(|(p, v)| (p.id.clone(), v.clone())).collect()
    }

    /// The value of the parameter carried by the `values` entry `v`, if `v` carries one.
    pub(crate) fn parameter_value(&self, v: ValueId) -> Option<&Value> {
        let first = self.form.values.len().checked_sub(self.params.len())?;
        self.params.get(v.ix().checked_sub(first)?)
    }

    /// Today's date as given by the caller.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// Switches the language (numbers typed so far are re-read in the new language).
    pub fn set_language(&mut self, lang: &str) {
        if let Some(l) = self.form.languages.iter().find(|l| *l == lang)
            && l != self.lang
        {
            self.lang = l;
            // Numbers and dates are read in the session's language.
            self.read_defaults();
            let (form, lang) = (self.form, self.lang);
            for (inst, answer) in &mut self.by_inst {
                answer.read = read_answer(form.field(inst.field), &answer.input, lang);
            }
            self.state.clear();
            self.recompute_path();
        }
    }

    /// The raw answer at a path.
    pub fn answer(&self, path: &str) -> Option<&Input> {
        self.answers.get(path)
    }

    /// All raw answers.
    pub fn answers(&self) -> &BTreeMap<String, Input> {
        &self.answers
    }

    /// What reading the input of an instance gave (its answer, or its field's default while
    /// unanswered); `None` without either (blank).
    fn read(&self, f: FieldId, entry: Option<u32>) -> Option<&Read> {
        match self.by_inst.get(&Instance { field: f, entry }) {
            Some(a) => Some(&a.read),
            None => self.default_reads.get(f.ix())?.as_ref(),
        }
    }

    /// Whether the option of choice `f` with value `v` is offered now: only that option's
    /// condition is evaluated (a chosen option is checked against the offered ones each
    /// time; listing every offered option evaluated every condition and made a list).
    fn offers(&self, f: FieldId, entry: Option<u32>, v: &str) -> bool {
        self.form.field(f).options.iter().enumerate().any(|(i, o)| o.value == v && self.option_shown(f, entry, i))
    }

    /// Reads every field's `default` in the session's language.
    fn read_defaults(&mut self) {
        let (form, lang) = (self.form, self.lang);
        self.default_reads = form.fields.iter().map(|f| f.default.as_ref().map(|d| read_answer(f, d, lang))).collect();
    }

    /// Number of entries shown for a repeated group (empty ones included).
    pub fn entry_count(&self, group: FieldId) -> u32 {
        self.entries.get(&group).copied().unwrap_or(0)
    }

    /// Sets (or, with `None`, clears) the answer at `path` and reports what changed. A
    /// field locked to the account's value ([`Session::is_locked`]) refuses any change.
    pub fn set_answer(&mut self, path: &str, input: Option<Input>) -> Result<Changes, AnswerError> {
        let inst = self.answerable_instance(path, input.as_ref())?;
        let grows = self.entry_growth(inst);
        if !grows && self.by_inst.get(&inst).map(|a| &a.input) == input.as_ref() {
            return Ok(Changes::default());
        }
        let affected = self.affected_by(inst.field);
        let before = self.observe(&affected);
        self.store(inst, input);
        Ok(self.apply(&affected, before))
    }

    /// Sets many answers at once (e.g. a posted step), re-evaluating once. An answer in
    /// error is left out and the others are set; the first error is returned.
    pub fn set_answers(&mut self, answers: impl IntoIterator<Item = (String, Option<Input>)>) -> Result<(), AnswerError> {
        let mut result = Ok(());
        for (path, input) in answers {
            match self.answerable_instance(&path, input.as_ref()) {
                Ok(inst) => self.store(inst, input),
                Err(e) if result.is_ok() => result = Err(e),
                Err(_) => {}
            }
        }
        self.evaluate_afresh();
        result
    }

    /// Forgets every evaluated result (values, activity, problems; the answers stay read)
    /// and walks the path again: the next queries evaluate from cold, as on a session just
    /// loaded. For a front end that re-checks the whole form after changes it did not
    /// report one by one, and for measuring a cold validation.
    pub fn evaluate_afresh(&mut self) {
        self.state.clear();
        self.recompute_path();
    }

    /// The error [`Session::set_answer`] would give for this answer, without setting it: a
    /// caller that collects answers for one [`Session::set_answers`] (a scenario) reports each
    /// refused one on its own.
    pub fn check_answer(&self, path: &str, input: Option<&Input>) -> Result<(), AnswerError> {
        self.answerable_instance(path, input).map(|_| ())
    }

    /// [`Session::input_instance`], and [`AnswerError::WrongKind`] when its field cannot
    /// hold `input`.
    fn answerable_instance(&self, path: &str, input: Option<&Input>) -> Result<Instance, AnswerError> {
        let inst = self.input_instance(path)?;
        if self.is_locked(path) {
            return Err(AnswerError::Locked(path.to_string()));
        }
        match input {
            Some(i) if !kind_fits(self.form.field(inst.field).ty, i) => Err(AnswerError::WrongKind(path.to_string())),
            _ => Ok(inst),
        }
    }

    /// The input field instance a path names.
    fn input_instance(&self, path: &str) -> Result<Instance, AnswerError> {
        let inst = paths::parse_path(self.form, path).ok_or_else(|| AnswerError::UnknownField(path.to_string()))?;
        if !self.form.field(inst.field).ty.is_input() {
            return Err(AnswerError::UnknownField(path.to_string()));
        }
        // Beyond `repeat.max` is allowed so that the `count` check can report it (a post or
        // a scenario may send more entries than the add button allows), but not without bound.
        if inst.entry.is_some_and(|e| e >= MAX_ENTRIES) {
            return Err(AnswerError::EntryOutOfRange(path.to_string()));
        }
        Ok(inst)
    }

    /// Whether answering `inst` adds entries to its repeated group.
    fn entry_growth(&self, inst: Instance) -> bool {
        match (inst.entry, self.form.field(inst.field).repeat_group) {
            (Some(e), Some(g)) => self.entry_count(g) < e + 1,
            _ => false,
        }
    }

    /// Stores an answer (and makes room for its entry).
    fn store(&mut self, inst: Instance, input: Option<Input>) {
        if let (Some(e), Some(g)) = (inst.entry, self.form.field(inst.field).repeat_group) {
            let count = self.entries.entry(g).or_insert(0);
            *count = (*count).max(e + 1);
        }
        let path = paths::path_of(self.form, inst);
        match input {
            Some(i) => {
                let read = read_answer(self.form.field(inst.field), &i, self.lang);
                self.by_inst.insert(inst, Answer { input: i.clone(), read });
                self.answers.insert(path, i);
            }
            None => {
                self.by_inst.remove(&inst);
                self.answers.remove(&path);
            }
        }
    }

    /// Adds an empty entry to a repeated group; false when the group is at its `max`.
    pub fn add_entry(&mut self, group: FieldId) -> bool {
        if !self.grow(group) {
            return false;
        }
        self.state.clear();
        self.recompute_path();
        true
    }

    /// Adds empty entries to repeated groups until each has the number given, stopping at
    /// its `max` (as [`Session::add_entry`] called until then), and walks the path once:
    /// for a caller that sets many groups' entries at once (a scenario).
    pub fn add_entries(&mut self, groups: impl IntoIterator<Item = (FieldId, u32)>) {
        let mut grown = false;
        for (group, n) in groups {
            while self.entry_count(group) < n && self.grow(group) {
                grown = true;
            }
        }
        if grown {
            self.state.clear();
            self.recompute_path();
        }
    }

    /// One more entry for a repeated group, without re-evaluating; false at its `max`.
    fn grow(&mut self, group: FieldId) -> bool {
        let Some(r) = &self.form.field(group).repeat else { return false };
        let max = r.max.unwrap_or(MAX_ENTRIES).min(MAX_ENTRIES);
        let count = self.entries.entry(group).or_insert(0);
        if *count >= max {
            return false;
        }
        *count += 1;
        true
    }

    /// Removes entry `index` of a repeated group; later entries move up.
    pub fn remove_entry(&mut self, group: FieldId, index: u32) {
        let count = self.entry_count(group);
        if index >= count {
            return;
        }
        let form = self.form;
        let old = std::mem::take(&mut self.answers);
        for (path, input) in old {
            match paths::renumbered(form, group, index, &path) {
                Renumbered::Same => {
                    self.answers.insert(path, input);
                }
                Renumbered::Removed => {}
                Renumbered::Moved(to) => {
                    self.answers.insert(to, input);
                }
            }
        }
        self.entries.insert(group, count - 1);
        self.reindex();
        self.state.clear();
        self.recompute_path();
    }

    /// Where an answer at `path` goes when entry `index` of `group` is removed
    /// ([`Session::remove_entry`] follows the same rule): for what a front end keeps
    /// beside the answers under their paths, such as stored uploads.
    pub fn renumbered(&self, group: FieldId, index: u32, path: &str) -> Renumbered {
        paths::renumbered(self.form, group, index, path)
    }

    /// The path: the steps the citizen goes through (docs/form-language.md#the-path),
    /// summary not included. The walk that decides it evaluates `when` and `next`
    /// conditions, so it is an error when the evaluation budget ran out ([`BudgetExhausted`]).
    pub fn path(&self) -> Result<&[StepId], BudgetExhausted> {
        self.outcome(&self.path)
    }

    /// Where the path ends: the summary, or an exit step; an error when the evaluation
    /// budget ran out ([`BudgetExhausted`]).
    pub fn path_end(&self) -> Result<Target, BudgetExhausted> {
        let end = match self.path.last() {
            Some(s) if self.form.step(*s).kind == StepKind::Exit => Target::Step(*s),
            _ => Target::Summary,
        };
        self.outcome(end)
    }

    /// The step after `step` on the path (the summary after the last; `None` for a step not
    /// on the path); an error when the evaluation budget ran out ([`BudgetExhausted`]).
    pub fn next_step(&self, step: StepId) -> Result<Option<Target>, BudgetExhausted> {
        let next = self.path.iter().position(|s| *s == step).map(|i| self.path.get(i + 1).map_or(Target::Summary, |s| Target::Step(*s)));
        self.outcome(next)
    }

    /// The step before `step` on the path; an error when the evaluation budget ran out
    /// ([`BudgetExhausted`]).
    pub fn previous_step(&self, step: StepId) -> Result<Option<StepId>, BudgetExhausted> {
        let previous = self.path.iter().position(|s| *s == step).and_then(|i| i.checked_sub(1)).map(|j| self.path[j]);
        self.outcome(previous)
    }

    /// The first step on the path that has problems, if any; an error when the evaluation
    /// budget ran out ([`BudgetExhausted`]).
    pub fn first_incomplete_step(&self) -> Result<Option<StepId>, BudgetExhausted> {
        let first = self.path.iter().copied().find(|s| !self.problems_of_step(*s).is_empty());
        self.outcome(first)
    }

    /// `result`, unless the budget of [`Session::set_step_budget`] ran out (while computing
    /// it or earlier): the one place where a query's answer becomes [`BudgetExhausted`].
    fn outcome<T>(&self, result: T) -> Result<T, BudgetExhausted> {
        if self.state.exhausted() { Err(BudgetExhausted) } else { Ok(result) }
    }

    /// Number of evaluations of expressions since the session was created; tests use it
    /// to prove that a change re-evaluates only what depends on it.
    pub fn evaluations(&self) -> u64 {
        self.state.evals()
    }

    /// Limits the evaluation steps (expression nodes visited, summed over all expressions)
    /// from now on. A server sets this per request, so a costly form cannot tie up a worker;
    /// without a call the session has no overall limit (each expression still has its own
    /// `expr::EVAL_BUDGET`). When the earlier budget had run out, what was computed
    /// after that is dropped and the path walked again with the new budget, so the queries'
    /// answers are trustworthy again (or [`BudgetExhausted`] once more).
    pub fn set_step_budget(&mut self, steps: u64) {
        if self.state.renew_budget(steps) {
            self.state.clear();
            self.recompute_path();
        }
    }

    /// Evaluation steps left of the budget of [`Session::set_step_budget`].
    pub fn steps_left(&self) -> u64 {
        self.state.steps_left()
    }

    /// Whether a field instance is active (docs/form-language.md#visibility). A low-level
    /// read: once the evaluation budget has run out it answers as if the conditions it
    /// still had to evaluate were empty (inactive); the fallible queries report that.
    pub fn is_active(&self, inst: Instance) -> bool {
        env::Ctx { s: self }.active(inst.field, inst.entry)
    }

    /// Whether a field instance is shown on its step: active, or a member of an entry that
    /// is still empty (docs/form-language.md#groups-and-repeated-groups: its members count as inactive until it has input, but the
    /// citizen must see and may answer them). Once the evaluation budget has run out, a
    /// condition still to evaluate counts as empty (hidden), as for [`Session::is_active`].
    pub fn is_shown(&self, inst: Instance) -> bool {
        env::Ctx { s: self }.shown(inst.field, inst.entry)
    }

    /// The value a field instance has in expressions (Empty when inactive). Once the
    /// evaluation budget has run out, a value still to compute is Empty.
    pub fn value(&self, inst: Instance) -> Value {
        env::Ctx { s: self }.field_value(inst.field, inst.entry)
    }

    /// The value of a `values` entry. Once the evaluation budget has run out, a value still
    /// to compute is Empty.
    pub fn named_value(&self, id: ValueId) -> Value {
        env::Ctx { s: self }.named(id)
    }

    /// The field instance at a path.
    pub fn instance(&self, path: &str) -> Option<Instance> {
        paths::parse_path(self.form, path)
    }

    /// The path of a field instance.
    pub fn path_of(&self, inst: Instance) -> String {
        paths::path_of(self.form, inst)
    }

    /// Whether an option of a choice field is offered now. Once the evaluation budget has
    /// run out, an option condition still to evaluate counts as empty (not offered).
    pub fn option_shown(&self, field: FieldId, entry: Option<u32>, option: usize) -> bool {
        env::Ctx { s: self }.option_shown(field, entry, option)
    }

    /// The session's answers as a snapshot for storage.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            form: self.form.id.clone(),
            version: self.form.version.clone(),
            language: self.lang.to_string(),
            answers: self.answers.clone(),
            entries: self.entries.iter().map(|(g, n)| (self.form.field(*g).id.clone(), *n)).collect(),
            account: self.account.clone(),
        }
    }

    /// Restores a snapshot, possibly taken with another version of the form: answers whose
    /// path still names an input field of the same kind are kept; the others are dropped
    /// and their paths returned.
    pub fn restore(form: &'f Form, snapshot: &Snapshot, today: NaiveDate) -> (Session<'f>, Vec<String>) {
        Self::restore_with_budget(form, snapshot, today, u64::MAX)
    }

    /// [`Session::restore`] with the evaluation budget of [`Session::set_step_budget`]
    /// already in force while the restored answers are first evaluated.
    pub fn restore_with_budget(form: &'f Form, snapshot: &Snapshot, today: NaiveDate, steps: u64) -> (Session<'f>, Vec<String>) {
        Self::restore_into(Session::new(form, &snapshot.language, today), snapshot, steps)
    }

    /// [`Session::restore_with_budget`] with the parameter values of a deployment, checked
    /// as [`Session::with_parameters`] checks them.
    pub fn restore_with_parameters(
        form: &'f Form,
        snapshot: &Snapshot,
        today: NaiveDate,
        steps: u64,
        values: &crate::form::ParameterValues,
    ) -> Result<(Session<'f>, Vec<String>), ParameterError> {
        Ok(Self::restore_into(Session::with_parameters(form, &snapshot.language, today, values)?, snapshot, steps))
    }

    fn restore_into(mut s: Session<'f>, snapshot: &Snapshot, steps: u64) -> (Session<'f>, Vec<String>) {
        let form = s.form;
        s.set_step_budget(steps);
        let mut dropped = Vec::new();
        for (g, n) in &snapshot.entries {
            if let Some(id) = form.field_by_id(g).filter(|id| form.field(*id).is_repeated()) {
                s.entries.insert(id, (*n).min(MAX_ENTRIES));
            }
        }
        for (path, input) in &snapshot.answers {
            let fits = paths::parse_path(form, path).is_some_and(|inst| {
                let f = form.field(inst.field);
                f.ty.is_input() && kind_fits(f.ty, input)
            });
            if fits {
                let inst = paths::parse_path(form, path).expect("checked above");
                if let Some(e) = inst.entry {
                    let g = form.field(inst.field).repeat_group.expect("entry implies group");
                    let c = s.entries.entry(g).or_insert(0);
                    *c = (*c).max(e + 1).min(MAX_ENTRIES);
                }
                s.answers.insert(path.clone(), input.clone());
            } else {
                dropped.push(path.clone());
            }
        }
        // Only marks of answers that are still there: an answer from the account is one.
        s.account = snapshot.account.clone().map(|mut a| {
            a.fields.retain(|p, _| s.answers.contains_key(p));
            a
        });
        s.reindex();
        s.state.clear();
        s.recompute_path();
        (s, dropped)
    }

    /// Rebuilds the instance index from the answers by path.
    fn reindex(&mut self) {
        let (form, lang) = (self.form, self.lang);
        self.by_inst = self
            .answers
            .iter()
            .filter_map(|(p, i)| {
                let inst = paths::parse_path(form, p)?;
                Some((inst, Answer { input: i.clone(), read: read_answer(form.field(inst.field), i, lang) }))
            })
            .collect();
    }

    fn recompute_path(&mut self) -> bool {
        let path = env::Ctx { s: self }.walk();
        let changed = path != self.path;
        self.path = path;
        changed
    }

    /// The fields and values whose value or activity may change when `field`'s answer
    /// changes, following the dependency graph; and whether the path may change.
    fn affected_by(&self, field: FieldId) -> Affected {
        let form = self.form;
        let mut a = Affected::default();
        let mut queue: Vec<Dep> = vec![Dep::F(field)];
        // An answer in a repeated group can make its entry (non-)empty, which changes the
        // activity of every member of the entry and what `count`/`filled` see.
        if let Some(g) = form.field(field).repeat_group {
            queue.push(Dep::F(g));
            queue.extend(descendants(form, g).into_iter().map(Dep::F));
        }
        let mut p = form.field(field).parent;
        while let Some(g) = p {
            queue.push(Dep::F(g));
            p = form.field(g).parent;
        }
        while let Some(d) = queue.pop() {
            let readers = match d {
                Dep::F(f) => {
                    if !a.fields.insert(f) {
                        continue;
                    }
                    &form.deps.field_readers[f.ix()]
                }
                Dep::V(v) => {
                    if !a.values.insert(v) {
                        continue;
                    }
                    &form.deps.value_readers[v.ix()]
                }
            };
            for site in readers {
                match *site {
                    Site::Visible(g) => {
                        queue.push(Dep::F(g));
                        queue.extend(descendants(form, g).into_iter().map(Dep::F));
                    }
                    Site::Computed(g) | Site::OptionIf(g, _) => queue.push(Dep::F(g)),
                    Site::Value(v) => queue.push(Dep::V(v)),
                    Site::When(_) | Site::Next(..) => a.path = true,
                    Site::Required(g) | Site::Min(g) | Site::Max(g) | Site::FieldRule(g, _) => {
                        a.validate.insert(g);
                    }
                    Site::StepRule(s, _) => {
                        a.steps.insert(s);
                    }
                }
            }
        }
        a.validate.extend(a.fields.iter().copied());
        a
    }

    fn observe(&self, a: &Affected) -> Observed {
        let mut o = Observed::default();
        let mut fields: Vec<FieldId> = a.fields.iter().copied().collect();
        fields.sort();
        // Fields in id order, each field's instances in entry order (`None` alone, or
        // `Some(0..)`): sorted by `Instance` as they are pushed.
        for f in fields {
            for e in self.instances_of(f) {
                let inst = Instance { field: f, entry: e };
                let active = self.is_active(inst);
                let value = if self.form.field(f).ty == crate::form::FieldType::Computed { Some(self.value(inst)) } else { None };
                o.fields.push((inst, (active, value)));
            }
        }
        debug_assert!(o.fields.windows(2).all(|w| w[0].0 < w[1].0), "observed fields out of order");
        let mut values: Vec<ValueId> = a.values.iter().copied().collect();
        values.sort();
        for v in values {
            o.values.push((v, self.named_value(v)));
        }
        let mut problems = Vec::new();
        let mut validate: Vec<FieldId> = a.validate.iter().copied().collect();
        validate.sort();
        for f in validate {
            for e in self.instances_of(f) {
                problems.extend(self.field_problems(Instance { field: f, entry: e }));
            }
        }
        for s in &a.steps {
            problems.extend(self.step_rule_problems(*s));
        }
        o.problems = problems;
        o
    }

    fn apply(&mut self, a: &Affected, before: Observed) -> Changes {
        for f in &a.fields {
            self.state.invalidate_field(*f);
        }
        for v in &a.values {
            self.state.invalidate_value(*v);
        }
        for f in &a.validate {
            self.state.invalidate_field_problems(*f);
        }
        self.state.invalidate_problems();
        let mut changes = Changes::default();
        if a.path && self.recompute_path() {
            changes.path_changed = true;
            self.state.clear();
        }
        let after = self.observe(a);
        for (inst, (was, old)) in &before.fields {
            let (now, new) = after.field(inst).cloned().unwrap_or((false, None));
            if *was != now {
                let p = self.path_of(*inst);
                if now { changes.activated.push(p) } else { changes.deactivated.push(p) }
            }
            if old != &new
                && let Some(v) = &new
            {
                changes.values.push((self.path_of(*inst), submission::canonical_json(self.form.field(inst.field), v)));
            }
        }
        for (inst, (now, new)) in &after.fields {
            if before.field(inst).is_none() {
                if *now {
                    changes.activated.push(self.path_of(*inst));
                }
                if let Some(v) = new {
                    changes.values.push((self.path_of(*inst), submission::canonical_json(self.form.field(inst.field), v)));
                }
            }
        }
        for (v, old) in &before.values {
            let new = after.value(*v).cloned().unwrap_or_default();
            if *old != new {
                changes.values.push((self.form.values[v.ix()].id.clone(), submission::value_json(&new, None)));
            }
        }
        changes.problems_added = after.problems.iter().filter(|p| !before.problems.contains(p)).cloned().collect();
        changes.problems_cleared = before.problems.iter().filter(|p| !after.problems.contains(p)).cloned().collect();
        changes
    }

    /// The entries a field has instances for: `[None]` outside repeated groups. (An
    /// iterator, not a list: validation asks once per field.)
    fn instances_of(&self, f: FieldId) -> Instances {
        let (plain, count) = match self.form.field(f).repeat_group {
            None => (Some(None), 0),
            Some(g) => (None, self.entry_count(g)),
        };
        plain.into_iter().chain((0..count).map(Some as fn(u32) -> Option<u32>))
    }
}

/// What [`Session::instances_of`] gives.
type Instances = std::iter::Chain<std::option::IntoIter<Option<u32>>, std::iter::Map<std::ops::Range<u32>, fn(u32) -> Option<u32>>>;

#[derive(Clone, Copy)]
enum Dep {
    F(FieldId),
    V(ValueId),
}

#[derive(Default)]
struct Affected {
    fields: HashSet<FieldId>,
    values: HashSet<ValueId>,
    validate: HashSet<FieldId>,
    steps: HashSet<StepId>,
    path: bool,
}

/// What a change may affect, seen before and after it. Sorted `Vec`s, not maps: they are built
/// in key order and only searched, and each B-tree map type is a copy of the B-tree's code in
/// the browser module (docs/performance.md, "Bundle").
#[derive(Default)]
struct Observed {
    /// Activity and, for computed fields, the value, by instance (sorted, each once).
    fields: Vec<(Instance, (bool, Option<Value>))>,
    /// Named values by id (sorted, each once).
    values: Vec<(ValueId, Value)>,
    problems: Vec<Problem>,
}

impl Observed {
    fn field(&self, inst: &Instance) -> Option<&(bool, Option<Value>)> {
        self.fields.binary_search_by(|(i, _)| i.cmp(inst)).ok().map(|i| &self.fields[i].1)
    }

    fn value(&self, v: ValueId) -> Option<&Value> {
        self.values.binary_search_by(|(i, _)| i.cmp(&v)).ok().map(|i| &self.values[i].1)
    }
}

/// Every member of a group, recursively.
fn descendants(form: &Form, g: FieldId) -> Vec<FieldId> {
    let mut out = Vec::new();
    let mut todo = form.field(g).members.clone();
    while let Some(f) = todo.pop() {
        out.push(f);
        todo.extend(form.field(f).members.iter().copied());
    }
    out
}

#[cfg(all(test, feature = "yaml"))]
mod tests;

impl Session<'_> {
    /// Every condition of the form (`when`, `next` branches, `visible_if`, `required`,
    /// option `if`, rules) with whether it holds now, per entry in repeated groups. Used by
    /// `wegweiser test --coverage` to find branches no scenario covers. An error when the
    /// evaluation budget ran out ([`BudgetExhausted`]).
    pub fn condition_outcomes(&self) -> Result<Vec<(Site, bool)>, BudgetExhausted> {
        let form = self.form;
        let mut out = Vec::new();
        for (site, e) in form.sites() {
            let entries = match site {
                Site::Min(_) | Site::Max(_) | Site::Computed(_) | Site::Value(_) => continue,
                Site::Visible(f) | Site::Required(f) | Site::OptionIf(f, _) | Site::FieldRule(f, _) => self.instances_of(f).collect(),
                Site::StepRule(..) | Site::When(_) | Site::Next(..) => vec![None],
            };
            for entry in entries {
                let holds = env::Ctx { s: self }.evaluate(e, entry).holds();
                out.push((site, holds));
            }
        }
        self.outcome(out)
    }
}
