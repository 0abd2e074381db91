//! What a step shows ([`StepView`]): its texts, whether it is on the path, its field
//! instances in page order with their problems ([`Session::step_view`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::field::{FieldView, field_view, text};
use crate::form::StepKind;
use crate::ids::StepId;
use crate::session::{BudgetExhausted, Problem, Session};

/// One step as a citizen sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    /// The step's id.
    pub step: String,
    /// Its title, rendered (empty without one).
    pub title: String,
    /// The text under the title, rendered.
    pub text: Option<String>,
    /// The section title above it, rendered.
    pub section: Option<String>,
    /// An exit page (no questions, no submission).
    pub exit: bool,
    /// On the citizen's path now.
    pub on_path: bool,
    /// Its top-level fields in page order, each with the fields below it; hidden ones
    /// included ([`FieldView::shown`]).
    pub fields: Vec<FieldView>,
    /// The step's problems in page order: each field's, and the step's rules (those without
    /// a field too). None for a step that is not on the path.
    pub problems: Vec<Problem>,
}

/// A question a post revealed: named in the notice above the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewQuestion {
    /// The field's path.
    pub path: String,
    /// Its label (its id without one).
    pub label: String,
}

impl StepView {
    /// Every field instance, in page order (groups before their members, entries in order).
    pub fn instances(&self) -> Vec<&FieldView> {
        let mut out = Vec::new();
        for f in &self.fields {
            f.walk_into(&mut out);
        }
        out
    }

    /// The paths of the shown field instances, in page order.
    pub fn shown_paths(&self) -> Vec<&str> {
        self.instances().into_iter().filter(|f| f.shown).map(|f| f.path.as_str()).collect()
    }

    /// The input fields whose path is in `revealed` (paths a post showed), in page order.
    pub fn new_questions(&self, revealed: &BTreeSet<&str>) -> Vec<NewQuestion> {
        self.instances()
            .into_iter()
            .filter(|f| f.kind.is_input() && revealed.contains(f.path.as_str()))
            .map(|f| NewQuestion { path: f.path.clone(), label: if f.label.is_empty() { f.id.clone() } else { f.label.clone() } })
            .collect()
    }
}

impl Session<'_> {
    /// What step `step` shows now: texts rendered in the session's language, every field
    /// instance in page order with its value as shown, options, problems and entry
    /// controls.
    ///
    /// `Err` when the evaluation budget ran out while the view was made (or before): its
    /// values and visibility could not be trusted.
    pub fn step_view(&self, step: StepId) -> Result<StepView, BudgetExhausted> {
        let form = self.form();
        let st = form.step(step);
        let problems = self.step_problems(step)?;
        let fields = st.fields.iter().map(|f| field_view(self, *f, None, &problems)).collect();
        // Asked after every read above, so that its outcome covers them.
        let on_path = self.path()?.contains(&step);
        Ok(StepView {
            step: st.id.clone(),
            title: st.title.as_ref().map(|t| self.render(t, None)).unwrap_or_default(),
            text: text(self, &st.text, None),
            section: text(self, &st.section, None),
            exit: st.kind == StepKind::Exit,
            on_path,
            fields,
            problems,
        })
    }
}
