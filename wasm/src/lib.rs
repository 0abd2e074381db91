//! # Wegweiser in the browser
//!
//! Thin [`wasm_bindgen`] bindings over [`engine::session::Session`]: the enhancement script
//! (`wasm/js/wegweiser.js`) creates one [`Guide`] per page from the compiled form's binary
//! encoding (`Form::from_bytes`, which the server serves as an asset), tells it what the citizen typed (raw values, blank included: the engine reads
//! them by the rule it reads a posted step with, [`Guide::set_typed`] and
//! [`Guide::answer_step`]), and shows what comes back (fields appearing and disappearing,
//! computed values, texts with `{{ }}`, problems). The server stays the authority: it
//! evaluates every post again with the same engine.
//!
//! Everything but the form crosses the boundary as JSON strings, so the same [`Guide`] runs natively
//! (the parity generator in `wasm/parity/` uses it as an ordinary Rust library) and in
//! WebAssembly, and the two can be compared answer by answer.
//!
//! No logic of its own: what is active, what a value reads like and which problems there
//! are is decided by the engine; a step is reported as the engine's view of it
//! (`engine::view::StepView`), the one the server renders its page from.
#![deny(missing_docs)]

use std::collections::BTreeMap;

use engine::Form;
use engine::answers::PostedStep;
use engine::form::{Display, FieldType, ParameterValues};
use engine::ids::StepId;
use engine::session::{BudgetExhausted, Input, Problem, Session, Snapshot};
use engine::view::StepView;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// One citizen's session in the browser: the compiled form and the answers.
///
/// A [`Session`] borrows its [`Form`]; the guide owns both ([`FormSession`], a self-referential
/// pair made safely by `self_cell`; `unsafe` is forbidden in this workspace), so that freeing
/// the guide (`.free()` in JavaScript) frees the form too.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Guide {
    cell: FormSession,
}

/// A session and the form it borrows.
type SessionOf<'a> = Session<'a>;

self_cell::self_cell!(
    /// The form (owner) and the session that borrows it (dependent).
    struct FormSession {
        owner: Form,
        #[covariant]
        dependent: SessionOf,
    }
    impl {Debug}
);

/// The whole session at a glance: what the first evaluation computes, and what the parity
/// test compares after every change.
#[derive(Debug, Serialize, PartialEq)]
pub struct State {
    /// Ids of the steps on the path, in order.
    pub path: Vec<String>,
    /// Where the path ends: `summary` or an exit step's id.
    pub end: String,
    /// Every active field instance of every step, in step and page order.
    pub active: Vec<String>,
    /// Every computed field (by path) and named value (by id), as shown.
    pub values: BTreeMap<String, String>,
    /// Every problem on the path, in path order.
    pub problems: Vec<Problem>,
}

/// JavaScript's case mapping for the engine's `lower()`, `upper()` and IBANs: the module is
/// built without Rust's case tables (engine feature `case-tables`, 35 KB), and
/// `toLowerCase`/`toUpperCase` are the same full, locale-independent Unicode mapping.
/// Registered when the module is instantiated, before any guide exists.
#[cfg(target_arch = "wasm32")]
mod case {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// A JavaScript string.
        #[wasm_bindgen(js_name = String)]
        type JsText;
        #[wasm_bindgen(method, js_class = "String", js_name = toLowerCase)]
        fn to_lower_case(this: &JsText) -> String;
        #[wasm_bindgen(method, js_class = "String", js_name = toUpperCase)]
        fn to_upper_case(this: &JsText) -> String;
    }

    fn lower(text: &str) -> String {
        JsValue::from_str(text).unchecked_into::<JsText>().to_lower_case()
    }

    fn upper(text: &str) -> String {
        JsValue::from_str(text).unchecked_into::<JsText>().to_upper_case()
    }

    #[wasm_bindgen(start)]
    fn start() {
        engine::checks::use_case_mapping(lower, upper);
    }
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serialises")
}

#[wasm_bindgen]
impl Guide {
    /// Makes a guide from the compiled form's binary encoding (`Form::to_bytes`, the asset
    /// the server serves; a `Uint8Array` in JavaScript), the session's snapshot (JSON, or empty
    /// for a new session), the language, today's date (`YYYY-MM-DD`, from the server) and
    /// the form's parameter values (the JSON of an `engine::form::ParameterValues`, as the
    /// server embeds them; empty: the form's defaults).
    #[wasm_bindgen(constructor)]
    pub fn new(form: &[u8], snapshot_json: &str, lang: &str, today_iso: &str, parameters_json: &str) -> Result<Guide, JsError> {
        Guide::create_with_parameters(form, snapshot_json, lang, today_iso, parameters_json).map_err(js_err)
    }

    /// Sets (value `null`: clears) the answer at a path; the value is the JSON of an
    /// `Input`: a string as typed, `true`/`false`, a list of ticked options, or a file
    /// object. Returns the JSON of the engine's `Changes`.
    pub fn set_answer(&mut self, path: &str, value_json: &str) -> Result<String, JsError> {
        self.set(path, value_json).map_err(js_err)
    }

    /// Sets many answers at once (JSON object `{path: value}`, values as in
    /// [`Guide::set_answer`]), re-evaluating once.
    pub fn set_answers(&mut self, answers_json: &str) -> Result<(), JsError> {
        self.set_many(answers_json).map_err(js_err)
    }

    /// Sets the answer at a path from what the citizen typed, as the browser has it: a JSON
    /// list of strings (a text as typed, blank included; the ticked options; `[]` for no
    /// choice). The engine reads it by the rule it reads a posted step with (a blank clears
    /// a default), so the page and the server agree. Returns the JSON of the engine's
    /// `Changes`; an error for a value that is none of a choice's options.
    pub fn set_typed(&mut self, path: &str, typed_json: &str) -> Result<String, JsError> {
        self.typed(path, typed_json).map_err(js_err)
    }

    /// Reads a step from the values the page shows, exactly as the server reads its post
    /// (`Session::answer_step`): the JSON of a `PostedStep`, `{"values": {path: [typed,
    /// …]}}`. Returns the JSON of the engine's `StepAnswer`. For the values the page shows
    /// when it loads (the browser may restore values typed before).
    pub fn answer_step(&mut self, step_id: &str, posted_json: &str) -> Result<String, JsError> {
        self.read_step(step_id, posted_json).map_err(js_err)
    }

    /// The JSON of a step's view: the engine's [`StepView`] (texts rendered, every field
    /// instance in page order, shown or not, with its value as shown, options and
    /// problems), which the script updates the page from.
    pub fn step_view(&self, step_id: &str) -> Result<String, JsError> {
        let step = self.session().form().step_by_id(step_id).ok_or_else(|| js_err(format!("there is no step `{step_id}`")))?;
        Ok(to_json(&self.step(step).map_err(js_err)?))
    }

    /// The first evaluation of the whole session: the JSON of [`State`]. (The browser's
    /// session has no evaluation budget, so the error of [`Guide::state`] does not come.)
    pub fn evaluate_all(&self) -> Result<String, JsError> {
        Ok(to_json(&self.state().map_err(js_err)?))
    }

    /// Every problem of the whole form, evaluated afresh: what was evaluated before is
    /// forgotten and the path walked again (`Session::evaluate_afresh`; what was read of each
    /// answer when it was set is kept), then the JSON list of the engine's `Problem`s in path
    /// order, nothing else. What a page asks before it lets the citizen send.
    pub fn validate(&mut self) -> Result<String, JsError> {
        Ok(to_json(&self.problems_afresh().map_err(js_err)?))
    }
}

impl Guide {
    /// The session's snapshot (JSON), as the server stores drafts. Not exported to
    /// JavaScript: the script does not save drafts (the server does, from the posts), and
    /// the snapshot's serialisation cost the module about 12 KB (docs/performance.md).
    pub fn snapshot(&self) -> String {
        to_json(&self.session().snapshot())
    }

    /// [`Guide::new`] with the form's default parameters and a plain error.
    pub fn create(form: &[u8], snapshot_json: &str, lang: &str, today_iso: &str) -> Result<Guide, String> {
        Guide::create_with_parameters(form, snapshot_json, lang, today_iso, "")
    }

    /// [`Guide::new`] with a plain error.
    pub fn create_with_parameters(
        form: &[u8],
        snapshot_json: &str,
        lang: &str,
        today_iso: &str,
        parameters_json: &str,
    ) -> Result<Guide, String> {
        let form = Form::from_bytes(form).map_err(|e| e.to_string())?;
        let today = engine::checks::read_iso(today_iso).ok_or_else(|| format!("`{today_iso}` is not a date (YYYY-MM-DD)"))?;
        let params: ParameterValues = if parameters_json.trim().is_empty() {
            ParameterValues::new()
        } else {
            serde_json::from_str(parameters_json).map_err(|e| format!("the parameter values are not readable: {e}"))?
        };
        let snap: Option<Snapshot> = if snapshot_json.trim().is_empty() {
            None
        } else {
            let mut snap: Snapshot = serde_json::from_str(snapshot_json).map_err(|e| format!("the snapshot is not readable: {e}"))?;
            snap.language = lang.to_string();
            Some(snap)
        };
        let cell = FormSession::try_new(form, |form| match &snap {
            None => Session::with_parameters(form, lang, today, &params).map_err(|e| e.to_string()),
            Some(snap) => Session::restore_with_parameters(form, snap, today, u64::MAX, &params).map(|r| r.0).map_err(|e| e.to_string()),
        })?;
        Ok(Guide { cell })
    }

    /// [`Guide::set_answer`] with a plain error.
    pub fn set(&mut self, path: &str, value_json: &str) -> Result<String, String> {
        let input: Option<Input> = serde_json::from_str(value_json).map_err(|e| format!("not an answer: {e}"))?;
        let changes = self.cell.with_dependent_mut(|_, s| s.set_answer(path, input)).map_err(|e| e.to_string())?;
        Ok(to_json(&changes))
    }

    /// [`Guide::set_answers`] with a plain error.
    pub fn set_many(&mut self, answers_json: &str) -> Result<(), String> {
        let answers: BTreeMap<String, Option<Input>> = serde_json::from_str(answers_json).map_err(|e| format!("not answers: {e}"))?;
        self.cell.with_dependent_mut(|_, s| s.set_answers(answers)).map_err(|e| e.to_string())
    }

    /// [`Guide::set_typed`] with a plain error.
    pub fn typed(&mut self, path: &str, typed_json: &str) -> Result<String, String> {
        let typed: Vec<String> = serde_json::from_str(typed_json).map_err(|e| format!("not a list of typed values: {e}"))?;
        let changes = self.cell.with_dependent_mut(|_, s| s.answer_typed(path, &typed)).map_err(|e| e.to_string())?;
        Ok(to_json(&changes))
    }

    /// [`Guide::answer_step`] with a plain error.
    pub fn read_step(&mut self, step_id: &str, posted_json: &str) -> Result<String, String> {
        let step = self.session().form().step_by_id(step_id).ok_or_else(|| format!("there is no step `{step_id}`"))?;
        let posted: PostedStep = serde_json::from_str(posted_json).map_err(|e| format!("not a posted step: {e}"))?;
        Ok(to_json(&self.cell.with_dependent_mut(|_, s| s.answer_step(step, &posted)).map_err(|e| e.to_string())?))
    }

    /// [`Guide::validate`] as data; an error when the evaluation budget ran out (the
    /// browser sets none).
    pub fn problems_afresh(&mut self) -> Result<Vec<Problem>, BudgetExhausted> {
        self.cell.with_dependent_mut(|_, s| {
            s.evaluate_afresh();
            s.problems()
        })
    }

    /// The session.
    pub fn session(&self) -> &Session<'_> {
        self.cell.borrow_dependent()
    }

    /// A step's view: the engine's, nothing added; an error when the evaluation budget ran
    /// out (the browser sets none).
    pub fn step(&self, step: StepId) -> Result<StepView, BudgetExhausted> {
        self.session().step_view(step)
    }

    /// The whole session's state; an error when the evaluation budget ran out (the browser
    /// sets none).
    pub fn state(&self) -> Result<State, BudgetExhausted> {
        let s = self.session();
        let form = s.form();
        let mut out = State {
            path: s.path()?.iter().map(|st| form.step(*st).id.clone()).collect(),
            end: match s.path_end()? {
                engine::form::Target::Step(st) => form.step(st).id.clone(),
                engine::form::Target::Summary => "summary".to_string(),
            },
            active: Vec::new(),
            values: BTreeMap::new(),
            problems: s.problems()?,
        };
        for step in 0..form.steps().len() {
            for inst in s.step_instances(StepId(step as u32)) {
                if !s.is_active(inst) {
                    continue;
                }
                if form.field(inst.field).ty == FieldType::Computed {
                    out.values.insert(s.path_of(inst), engine::view::computed_display(s, inst));
                }
                out.active.push(s.path_of(inst));
            }
        }
        for (i, v) in form.values().iter().enumerate() {
            let val = s.named_value(engine::ids::ValueId(i as u32));
            out.values.insert(v.id.clone(), s.display(&val, Display::Plain, None));
        }
        // The outcome of the reads above as well (a budget that ran out stays out).
        s.path()?;
        Ok(out)
    }
}
