//! The submission document (docs/form-language.md#the-submission): only active fields with a value, in canonical form.

use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::{BudgetExhausted, Instance, Session};
use crate::checks::{canonical, canonical_money};
use crate::form::{Field, FieldType, Form, Format};
use crate::ids::FieldId;
use crate::value::{FileRef, Value};

/// The document a runtime delivers to the authority.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submission {
    /// The form's id.
    pub form: String,
    /// The form's version.
    pub version: Option<String>,
    /// The session's language.
    pub language: String,
    /// When it was submitted (RFC 3339, from the runtime).
    pub submitted_at: String,
    /// The reference number (from the runtime).
    pub reference: String,
    /// The answers.
    pub data: Json,
    /// The values of the form's parameters this session was evaluated with (the
    /// authority's rates, say), by name in canonical form; absent when the form declares
    /// none, so documents of forms without parameters are unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Json>,
    /// The login the form was filled in with, when there was one: its trust level and the
    /// answers that came from the account unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<SubmissionAccount>,
}

/// `account` of the submission document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubmissionAccount {
    /// The login's trust level (`basis`, `substantiell`, `hoch`), `null` when the identity
    /// provider named none.
    pub trust: Option<crate::account::TrustLevel>,
    /// The paths in `data` whose answers are the account's values.
    pub fields: Vec<String>,
}

/// A value in canonical submission form (docs/form-language.md#the-submission); `None` for a money field/format.
pub fn value_json(v: &Value, format: Option<Format>) -> Json {
    match v {
        Value::Empty => Json::Null,
        Value::Number(d) if format == Some(Format::Money) => Json::String(canonical_money(d)),
        Value::Number(d) => Json::String(canonical(d)),
        Value::Text(t) => Json::String(t.clone()),
        Value::Bool(b) => Json::Bool(*b),
        Value::Date(d) => Json::String(crate::checks::iso(*d)),
        Value::List(items) => Json::Array(items.iter().cloned().map(Json::String).collect()),
        Value::File(f) => serde_json::json!({ "name": f.name, "size": f.size, "type": f.mime }),
    }
}

/// A field's value in canonical form.
pub fn canonical_json(field: &Field, v: &Value) -> Json {
    let format = match field.ty {
        FieldType::Money => Some(Format::Money),
        FieldType::Computed => field.format,
        _ => None,
    };
    value_json(v, format)
}

impl Session<'_> {
    /// The `data` of the submission document for the current answers (also when the form
    /// is not submittable yet; a runtime submits only when [`Session::is_submittable`]); an
    /// error when the evaluation budget ran out ([`BudgetExhausted`]).
    pub fn submission_data(&self) -> Result<Json, BudgetExhausted> {
        let data = self.data();
        self.outcome(data)
    }

    /// [`Session::submission_data`] without the budget's word.
    fn data(&self) -> Json {
        let form = self.form;
        let mut data = Map::new();
        for s in &self.path {
            for f in &form.step(*s).fields {
                if let Some(v) = self.field_json(*f, None) {
                    data.insert(form.field(*f).id.clone(), v);
                }
            }
        }
        Json::Object(data)
    }

    /// The whole submission document; `submitted_at` and `reference` come from the runtime.
    /// An error when the evaluation budget ran out ([`BudgetExhausted`]).
    pub fn submission(&self, submitted_at: &str, reference: &str) -> Result<Submission, BudgetExhausted> {
        let submission = Submission {
            form: self.form.id.clone(),
            version: self.form.version.clone(),
            language: self.lang.to_string(),
            submitted_at: submitted_at.to_string(),
            reference: reference.to_string(),
            data: self.data(),
            parameters: (!self.form.parameters.is_empty()).then(|| self.parameters_json()),
            account: self.submission_account(),
        };
        self.outcome(submission)
    }

    fn submission_account(&self) -> Option<SubmissionAccount> {
        let trust = self.account.as_ref()?.trust;
        let mut fields = Vec::new();
        for path in self.account_paths() {
            if self.instance(&path).is_some_and(|i| self.is_active(i)) {
                fields.push(path);
            }
        }
        Some(SubmissionAccount { trust, fields })
    }

    /// The session's parameter values by name in canonical form (money with two places).
    pub fn parameters_json(&self) -> Json {
        let values = self.parameters();
        let mut out = Map::new();
        for p in &self.form.parameters {
            let format = (p.ty == crate::form::ParamType::Money).then_some(Format::Money);
            out.insert(p.id.clone(), value_json(values.get(&p.id).unwrap_or(&Value::Empty), format));
        }
        Json::Object(out)
    }

    /// The uploads the document carries: every active file answer with its path, as
    /// `data` has it. A runtime that keeps the files' contents beside the answers hands on
    /// exactly these (a file of a removed entry or of a field that became inactive is not
    /// among them). An error when the evaluation budget ran out ([`BudgetExhausted`]).
    pub fn submitted_files(&self) -> Result<Vec<(String, FileRef)>, BudgetExhausted> {
        let mut out = Vec::new();
        for (path, input) in &self.answers {
            let super::Input::File(_) = input else { continue };
            let Some(inst) = self.instance(path) else { continue };
            if !self.is_active(inst) {
                continue;
            }
            if let Value::File(f) = self.value(inst) {
                out.push((path.clone(), *f));
            }
        }
        self.outcome(out)
    }

    fn field_json(&self, f: FieldId, entry: Option<u32>) -> Option<Json> {
        let form: &Form = self.form;
        let field = form.field(f);
        if !self.is_active(Instance { field: f, entry }) {
            return None;
        }
        match field.ty {
            FieldType::Info => None,
            FieldType::Group if field.is_repeated() => {
                let entries: Vec<u32> = (0..self.entry_count(f))
                    .filter(|&e| self.is_active(Instance { field: field.members[0], entry: Some(e) }) || self.entry_has_active_member(f, e))
                    .collect();
                let mut list = Vec::new();
                for e in entries {
                    let obj = self.members_json(f, Some(e));
                    if !obj.is_empty() {
                        list.push(Json::Object(obj));
                    }
                }
                if list.is_empty() { None } else { Some(Json::Array(list)) }
            }
            FieldType::Group => {
                // A group that is not filled is left out, computed members included.
                let filled = super::descendants(form, f)
                    .into_iter()
                    .any(|m| form.field(m).ty.is_input() && !self.value(Instance { field: m, entry }).is_empty());
                if !filled {
                    return None;
                }
                let obj = self.members_json(f, entry);
                if obj.is_empty() { None } else { Some(Json::Object(obj)) }
            }
            _ => {
                let v = self.value(Instance { field: f, entry });
                if v.is_empty() { None } else { Some(canonical_json(field, &v)) }
            }
        }
    }

    fn entry_has_active_member(&self, g: FieldId, e: u32) -> bool {
        self.form.field(g).members.iter().any(|m| self.is_active(Instance { field: *m, entry: Some(e) }))
    }

    fn members_json(&self, g: FieldId, entry: Option<u32>) -> Map<String, Json> {
        let form = self.form;
        let mut obj = Map::new();
        for m in &form.field(g).members {
            if let Some(v) = self.field_json(*m, entry) {
                obj.insert(form.field(*m).id.clone(), v);
            }
        }
        obj
    }
}
