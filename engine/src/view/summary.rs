//! What the summary page shows ([`SummaryView`]): every active answer and computed value
//! on the path, as shown, by step; each entry of a repeated group as a block of its own.

use serde::{Deserialize, Serialize};

use super::field::{entry_legend, text};
use crate::form::{Display, FieldType, Format};
use crate::ids::{FieldId, StepId};
use crate::session::{BudgetExhausted, Instance, Session};

/// The summary: the steps on the path that have answers to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryView {
    /// The steps, in path order.
    pub steps: Vec<SummaryStep>,
}

/// One step on the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryStep {
    /// The step's id (where its answers are changed).
    pub step: String,
    /// Its title (its id without one).
    pub title: String,
    /// Its answers, in the order of the step.
    pub blocks: Vec<SummaryBlock>,
}

/// Answers shown together: plain fields of a step, or one entry of a repeated group with
/// its own heading (GOV.UK "Check your answers" with a card per entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryBlock {
    /// The entry's heading (its legend on the step page); none for plain fields.
    pub heading: Option<String>,
    /// The entry's path (`hund.0`); none for plain fields.
    pub path: Option<String>,
    /// Its answers.
    pub rows: Vec<SummaryRow>,
}

/// One answer on the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// The field instance's path.
    pub path: String,
    /// The question (the field's id without a label).
    pub label: String,
    /// The answer as shown (an option's label, money with the euro sign, a date as written
    /// in the language).
    pub value: String,
    /// An IBAN's groups of four, each to be kept whole when the line wraps.
    pub groups: Option<Vec<String>>,
    /// The citizen can change it (not a computed value, not locked to the account).
    pub changeable: bool,
    /// The answer came from the citizen's account.
    pub from_account: bool,
}

impl Session<'_> {
    /// The summary: every active field with a value, by step on the path.
    ///
    /// `Err` when the evaluation budget ran out while the view was made (or before).
    pub fn summary_view(&self) -> Result<SummaryView, BudgetExhausted> {
        let path: Vec<StepId> = self.path()?.to_vec();
        let mut steps = Vec::new();
        for step in path {
            let st = self.form().step(step);
            let title = text(self, &st.title, None).unwrap_or_else(|| st.id.clone());
            let mut blocks = Vec::new();
            let mut plain = Vec::new();
            for f in &st.fields {
                summary_field(self, *f, None, &mut plain, &mut blocks);
            }
            if !plain.is_empty() {
                blocks.push(SummaryBlock { heading: None, path: None, rows: plain });
            }
            if !blocks.is_empty() {
                steps.push(SummaryStep { step: st.id.clone(), title, blocks });
            }
        }
        // Asked after every read above, so that its outcome covers them.
        self.path()?;
        Ok(SummaryView { steps })
    }
}

/// Adds a field (and its members) to the summary: rows to `plain`, each non-empty entry of
/// a repeated group as a block of its own (the plain rows before it closed into a block
/// first, so the order of the step is kept).
fn summary_field(s: &Session<'_>, f: FieldId, entry: Option<u32>, plain: &mut Vec<SummaryRow>, blocks: &mut Vec<SummaryBlock>) {
    let field = s.form().field(f);
    if field.is_repeated() {
        for e in 0..s.entry_count(f) {
            let mut rows = Vec::new();
            for m in &field.members {
                summary_field(s, *m, Some(e), &mut rows, blocks);
            }
            if rows.is_empty() {
                continue;
            }
            if !plain.is_empty() {
                blocks.push(SummaryBlock { heading: None, path: None, rows: std::mem::take(plain) });
            }
            let heading = entry_legend(s, f, e);
            let path = format!("{}.{e}", s.path_of(Instance { field: f, entry: None }));
            blocks.push(SummaryBlock { heading: Some(heading), path: Some(path), rows });
        }
        return;
    }
    if field.ty == FieldType::Group {
        for m in &field.members {
            summary_field(s, *m, entry, plain, blocks);
        }
        return;
    }
    let inst = Instance { field: f, entry };
    if !(field.ty.is_input() || field.ty == FieldType::Computed) || !s.is_active(inst) {
        return;
    }
    let val = s.value(inst);
    if val.is_empty() {
        return;
    }
    let how = match field.ty {
        FieldType::Choice | FieldType::MultiChoice => Display::Choice(f),
        FieldType::Money => Display::Euro,
        FieldType::Computed if field.format == Some(Format::Money) => Display::Euro,
        _ => Display::Plain,
    };
    let value = s.display(&val, how, entry);
    let groups = (field.ty == FieldType::Iban).then(|| crate::checks::iban_groups(&value));
    let label = text(s, &field.label, entry).unwrap_or_else(|| field.id.clone());
    let path = s.path_of(inst);
    // Computed values cannot be changed by the citizen, locked answers are the account's.
    let changeable = field.ty != FieldType::Computed && !s.is_locked(&path);
    let from_account = s.from_account(&path);
    plain.push(SummaryRow { path, label, value, groups, changeable, from_account });
}
