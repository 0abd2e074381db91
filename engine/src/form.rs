//! The compiled form: immutable and serde-serialisable. It is what a session evaluates
//! and what the server ships to the browser (in the binary encoding of `form/binary.rs`,
//! without the YAML front end); its JSON is for people and tools.

use serde::{Deserialize, Serialize};

pub(crate) mod binary;
mod invariants;
mod sizes;

pub use invariants::FormError;

use crate::checks::CheckCode;
use crate::expr::{CExpr, Type};
use crate::ids::{FieldId, StepId, ValueId};
use crate::pattern::Pattern;
use crate::value::Value;

/// A compiled form.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Form {
    /// The form's id.
    pub(crate) id: String,
    /// The author's revision label.
    pub(crate) version: Option<String>,
    /// Languages; the first is the default.
    pub(crate) languages: Vec<String>,
    /// Title.
    pub(crate) title: Text,
    /// Description.
    pub(crate) description: Option<Text>,
    /// The receiving authority.
    pub(crate) authority: Option<Text>,
    /// Steps in declaration order; `StepId` indexes this.
    pub(crate) steps: Vec<Step>,
    /// Every field (members too) in declaration order; `FieldId` indexes this.
    pub(crate) fields: Vec<Field>,
    /// Named calculations; `ValueId` indexes this. The form's parameters come last,
    /// one entry each (their expression is their default), so that every expression reads
    /// a parameter exactly like a `values` entry.
    pub(crate) values: Vec<NamedValue>,
    /// `parameters:`: the values each deployment (an authority) sets, in declaration order.
    #[serde(default, skip_serializing_if = "binary::json_omits_empty")]
    pub(crate) parameters: Vec<Parameter>,
    /// Reference pattern and delivery.
    pub(crate) submission: SubmissionConfig,
    /// The FIM schema the form was built from.
    pub(crate) fim: Option<FimSchema>,
    /// Whether a login is offered or required, and its lowest trust level.
    #[serde(default, skip_serializing_if = "binary::json_omits_default")]
    pub(crate) login: crate::account::Login,
    /// Who reads what: the dependency graph for incremental evaluation.
    pub(crate) deps: DepGraph,
    /// Every field, ordered by its id, for [`Form::field_by_id`]; built on first use (not
    /// serialised: derived). Ids, not a map from copies of the ids' text: four bytes a field.
    #[serde(skip)]
    pub(crate) field_index: std::sync::OnceLock<Vec<FieldId>>,
}

/// `fim: { schema, version }`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FimSchema {
    /// The Stammdatenschema id.
    pub schema: String,
    /// Its version.
    pub version: Option<String>,
}

/// A text in several languages, each possibly with placeholders.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Text {
    /// `(language, template)`; the first entry is the default language.
    pub langs: Vec<(String, Template)>,
}

/// A text with `{{ }}` placeholders.
pub type Template = Vec<TPart>;

/// One part of a [`Template`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum TPart {
    /// Literal text.
    Lit(String),
    /// A placeholder: the expression and how to display its value.
    Expr(CExpr, Display),
}

/// How a placeholder's value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Display {
    /// As its type says (numbers with their places, dates, Ja/Nein, text).
    Plain,
    /// Two decimal places.
    Money,
    /// Two decimal places and the euro sign (`234,00 €`): an amount shown on its own
    /// (a computed field, the summary). Placeholders never use it: there the author
    /// writes the currency.
    Euro,
    /// The label of the option of this choice field.
    Choice(FieldId),
}

/// A step (page).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Step {
    /// Id.
    pub id: String,
    /// Title.
    pub title: Option<Text>,
    /// Text under the title.
    pub text: Option<Text>,
    /// Section title.
    pub section: Option<Text>,
    /// Question or exit page.
    pub kind: StepKind,
    /// On the path only while this holds.
    pub when: Option<Box<CExpr>>,
    /// Top-level fields, in order.
    pub fields: Vec<FieldId>,
    /// Cross-field rules.
    pub rules: Vec<Rule>,
    /// Outgoing branches; the last has no condition.
    pub next: Vec<Branch>,
}

/// The kind of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
// Exhaustive for the workspace's own front ends (`internals`), which must handle a new
// variant; non-exhaustive for embeddings, which must not break on one.
#[cfg_attr(not(feature = "internals"), non_exhaustive)]
pub enum StepKind {
    /// A page with questions.
    Question,
    /// A terminal page without submission.
    Exit,
}

/// One `next` branch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Branch {
    /// Taken when this holds (always, when absent).
    pub cond: Option<Box<CExpr>>,
    /// Where to.
    pub target: Target,
}

/// A branch target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
// Exhaustive for the workspace's own front ends (`internals`), which must handle a new
// variant; non-exhaustive for embeddings, which must not break on one.
#[cfg_attr(not(feature = "internals"), non_exhaustive)]
pub enum Target {
    /// Another step.
    Step(StepId),
    /// The summary ("check your answers").
    Summary,
}

pub use crate::field_type::FieldType;

/// `format:` of a computed field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Rounded to two places.
    Money,
    /// Rounded to a whole number.
    Integer,
    /// A date.
    Date,
}

/// A field.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Field {
    /// Id (unique in the form).
    pub id: String,
    /// Type.
    pub ty: FieldType,
    /// The value type seen by expressions (for computed fields: the type of `value`).
    pub value_type: Option<Type>,
    /// The step it is on.
    pub step: StepId,
    /// The group it is a member of.
    pub parent: Option<FieldId>,
    /// The repeated group it belongs to (itself excluded), if any.
    pub repeat_group: Option<FieldId>,
    /// Members of a group.
    pub members: Vec<FieldId>,
    /// Label.
    pub label: Option<Text>,
    /// Hint.
    pub hint: Option<Text>,
    /// Required: `None` is not required; a literal `true` is `Some(Lit(true))`.
    pub required: Option<Box<CExpr>>,
    /// Shown only while this holds.
    pub visible_if: Option<Box<CExpr>>,
    /// Lower bound.
    pub min: Option<Box<CExpr>>,
    /// Upper bound.
    pub max: Option<Box<CExpr>>,
    /// Fewest characters.
    pub min_length: Option<u32>,
    /// Most characters (the type's default applied).
    pub max_length: Option<u32>,
    /// Whole-value pattern.
    pub pattern: Option<Box<Pattern>>,
    /// Options of a choice.
    pub options: Vec<ChoiceOption>,
    /// Renderer hint.
    pub display: Option<String>,
    /// Default answer.
    pub default: Option<Box<crate::answers::Input>>,
    /// The calculation of a computed field.
    pub value: Option<Box<CExpr>>,
    /// Precision of a computed field.
    pub format: Option<Format>,
    /// Field rules.
    pub rules: Vec<Rule>,
    /// Message overrides.
    pub messages: Vec<(CheckCode, Text)>,
    /// HTML autocomplete token.
    pub autocomplete: Option<String>,
    /// Repetition of a group.
    pub repeat: Option<Box<Repeat>>,
    /// Allowed MIME types of a file.
    pub accept: Vec<String>,
    /// Largest file in bytes.
    pub max_size: Option<u64>,
    /// Places allowed after the decimal mark.
    pub decimals: Option<u32>,
    /// Accept ELSTER test ids.
    pub allow_test_ids: bool,
    /// The text of an info field.
    pub text: Option<Text>,
    /// The FIM id.
    pub fim: Option<String>,
    /// The account attribute that fills it after a login (`prefill:`, one of
    /// [`crate::account::ATTRIBUTES`]).
    #[serde(default, skip_serializing_if = "binary::json_omits_none")]
    pub prefill: Option<String>,
    /// A value from the account cannot be changed (`locked: true`).
    #[serde(default, skip_serializing_if = "binary::json_omits_false")]
    pub locked: bool,
}


impl Field {
    /// True for a `repeat:` group.
    pub fn is_repeated(&self) -> bool {
        self.repeat.is_some()
    }
}

/// One option of a choice.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChoiceOption {
    /// The submitted value.
    pub value: String,
    /// The label.
    pub label: Text,
    /// A hint.
    pub hint: Option<Text>,
    /// Offered only while this holds.
    pub cond: Option<Box<CExpr>>,
}

/// `repeat: { min, max, add_label }`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Repeat {
    /// Fewest non-empty entries.
    pub min: u32,
    /// Most non-empty entries.
    pub max: Option<u32>,
    /// Label of the add button.
    pub add_label: Option<Text>,
}

/// A rule (docs/form-language.md#rules).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    /// The condition that must hold.
    pub check: CExpr,
    /// The message when it does not.
    pub message: Text,
    /// Check even while the fields it reads are empty.
    pub when_empty: bool,
    /// For a step rule: the field the problem belongs to.
    pub field: Option<FieldId>,
    /// The fields that must be filled for the rule to be checked (docs/form-language.md#rules).
    pub gate: Vec<FieldId>,
}

/// A `values` entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedValue {
    /// Id.
    pub id: String,
    /// The calculation.
    pub expr: CExpr,
    /// Its type.
    pub ty: Type,
}

/// The type of a parameter (`parameters: { name: { type } }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// Any exact decimal.
    Number,
    /// An amount of euros: a decimal with at most two places.
    Money,
    /// A whole number.
    Integer,
    /// A text.
    Text,
    /// A calendar date.
    Date,
    /// Yes or no.
    Boolean,
    /// One of the declared options.
    Choice,
}

impl ParamType {
    /// Every type as written in a form, for messages and the editor schema.
    pub const NAMES: &'static [&'static str] = &["number", "money", "integer", "text", "date", "boolean", "choice"];

    /// The type as written (`money`).
    pub fn name(self) -> &'static str {
        match self {
            ParamType::Number => "number",
            ParamType::Money => "money",
            ParamType::Integer => "integer",
            ParamType::Text => "text",
            ParamType::Date => "date",
            ParamType::Boolean => "boolean",
            ParamType::Choice => "choice",
        }
    }

    /// Parses the type as written.
    pub fn parse(s: &str) -> Option<ParamType> {
        Self::NAMES.iter().position(|n| *n == s).map(|i| {
            [
                ParamType::Number,
                ParamType::Money,
                ParamType::Integer,
                ParamType::Text,
                ParamType::Date,
                ParamType::Boolean,
                ParamType::Choice,
            ][i]
        })
    }

    /// The expression type of its value.
    pub fn value_type(self) -> Type {
        match self {
            ParamType::Number | ParamType::Money | ParamType::Integer => Type::Number,
            ParamType::Text | ParamType::Choice => Type::Text,
            ParamType::Date => Type::Date,
            ParamType::Boolean => Type::Bool,
        }
    }
}

/// One declared parameter of a form.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Parameter {
    /// Its name, readable in expressions like a `values` entry.
    pub id: String,
    /// The `values` entry that carries it.
    pub value: ValueId,
    /// Its type.
    pub ty: ParamType,
    /// The value used where a deployment sets none; without one the parameter is required.
    pub default: Option<Value>,
    /// For `choice`: the allowed values.
    #[serde(default, skip_serializing_if = "binary::json_omits_empty")]
    pub options: Vec<String>,
    /// What it means, for the people who set it.
    pub label: Option<Text>,
    /// A longer explanation.
    pub description: Option<Text>,
}

impl Parameter {
    /// Why `v` is no value of this parameter, or `None` when it is one. An empty value
    /// never is: a parameter is set or it has its default.
    pub fn refuses(&self, v: &Value) -> Option<String> {
        let ok = match (self.ty, v) {
            (ParamType::Number, Value::Number(_)) => true,
            (ParamType::Money, Value::Number(d)) => d.normalize().scale() <= 2,
            (ParamType::Integer, Value::Number(d)) => d.fract().is_zero(),
            (ParamType::Text, Value::Text(_)) => true,
            (ParamType::Date, Value::Date(_)) => true,
            (ParamType::Boolean, Value::Bool(_)) => true,
            (ParamType::Choice, Value::Text(t)) => {
                return (!self.options.contains(t)).then(|| {
                    format!(
                        "`{t}` is not one of its options ({})",
                        self.options.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ")
                    )
                });
            }
            _ => false,
        };
        (!ok).then(|| match self.ty {
            ParamType::Number => "it needs a number, e.g. `90` or `12.5`".to_string(),
            ParamType::Money => "it needs an amount with at most two decimal places, e.g. `90` or `7.50`".to_string(),
            ParamType::Integer => "it needs a whole number, e.g. `3`".to_string(),
            ParamType::Text => "it needs a text".to_string(),
            ParamType::Date => "it needs a date like `2026-01-01`".to_string(),
            ParamType::Boolean => "it needs `true` or `false`".to_string(),
            ParamType::Choice => "it needs one of its options".to_string(),
        })
    }
}

/// Values of a form's parameters by name, as a deployment (an authority, a scenario) sets
/// them; parameters it leaves out have their default.
pub type ParameterValues = std::collections::BTreeMap<String, Value>;

/// `submission:`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SubmissionConfig {
    /// Pattern of reference numbers.
    pub reference: String,
    /// How each submission is delivered (`deliver:`, or the one channel of `webhook:`); at
    /// most one channel of each kind. Empty: stored only (the admin API reads it).
    pub channels: Vec<Channel>,
}

impl SubmissionConfig {
    /// The webhook channel, if the form has one.
    pub fn webhook(&self) -> Option<&Webhook> {
        self.channels.iter().find_map(|c| match c {
            Channel::Webhook(w) => Some(w),
            _ => None,
        })
    }
}

/// A delivery channel of `submission.deliver`. The form names the channel and the
/// environment variables; endpoints and secrets come from the server's configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub enum Channel {
    /// POST the submission document to a URL.
    Webhook(Webhook),
    /// E-mail to the authority over SMTP.
    Email(EmailChannel),
    /// Send to a FIT-Connect destination.
    FitConnect(FitConnectChannel),
}

impl Channel {
    /// The channel's name as the form writes it (`webhook`, `email`, `fitconnect`).
    pub fn kind(&self) -> &'static str {
        match self {
            Channel::Webhook(_) => "webhook",
            Channel::Email(_) => "email",
            Channel::FitConnect(_) => "fitconnect",
        }
    }
}

/// An `email` channel.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EmailChannel {
    /// The environment variable with the authority's address(es), comma-separated.
    pub to_env: String,
    /// The `email` field (not in a repeated group) whose answer gets a confirmation.
    pub confirmation_to: Option<FieldId>,
}

/// A `fitconnect` channel.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FitConnectChannel {
    /// The environment variable with the destination id.
    pub destination_env: String,
    /// The LeiKa key of the service (14 digits).
    pub leika: String,
}

/// `submission.webhook`, or a `webhook` channel.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Webhook {
    /// Target URL.
    pub url: String,
    /// Environment variable with the HMAC secret.
    pub secret_env: Option<String>,
}

/// A place where an expression is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Site {
    /// A field's `visible_if`.
    Visible(FieldId),
    /// A field's `required`.
    Required(FieldId),
    /// A field's `min`.
    Min(FieldId),
    /// A field's `max`.
    Max(FieldId),
    /// A computed field's `value`.
    Computed(FieldId),
    /// The `if` of option `n` of a field.
    OptionIf(FieldId, u32),
    /// Rule `n` of a field.
    FieldRule(FieldId, u32),
    /// Rule `n` of a step.
    StepRule(StepId, u32),
    /// A `values` entry.
    Value(ValueId),
    /// A step's `when`.
    When(StepId),
    /// Branch `n` of a step's `next`.
    Next(StepId, u32),
}

impl Site {
    /// Where the site is, in words an author recognises (`step `halter`: when`).
    pub fn describe(&self, form: &Form) -> String {
        let f = |id: &FieldId| form.fields[id.ix()].id.clone();
        let s = |id: &StepId| form.steps[id.ix()].id.clone();
        match self {
            Site::Visible(x) => format!("field `{}`: visible_if", f(x)),
            Site::Required(x) => format!("field `{}`: required", f(x)),
            Site::Min(x) => format!("field `{}`: min", f(x)),
            Site::Max(x) => format!("field `{}`: max", f(x)),
            Site::Computed(x) => format!("field `{}`: value", f(x)),
            Site::OptionIf(x, n) => {
                format!("field `{}`: option `{}` if", f(x), form.fields[x.ix()].options.get(*n as usize).map_or("", |o| o.value.as_str()))
            }
            Site::FieldRule(x, n) => format!("field `{}`: rule {}", f(x), n + 1),
            Site::StepRule(x, n) => format!("step `{}`: rule {}", s(x), n + 1),
            Site::Value(v) => format!("value `{}`", form.values[v.ix()].id),
            Site::When(x) => format!("step `{}`: when", s(x)),
            Site::Next(x, n) => format!("step `{}`: next branch {}", s(x), n + 1),
        }
    }
}

/// Who reads what.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DepGraph {
    /// For each field: the sites whose expressions read it directly.
    pub field_readers: Vec<Vec<Site>>,
    /// For each value: the sites whose expressions read it directly.
    pub value_readers: Vec<Vec<Site>>,
    /// Sites that read today's date.
    pub today_readers: Vec<Site>,
}

impl Form {
    /// The field with this id.
    pub fn field_by_id(&self, id: &str) -> Option<FieldId> {
        let index = self.field_index.get_or_init(|| {
            let mut ids: Vec<FieldId> = (0..self.fields.len() as u32).map(FieldId).collect();
            ids.sort_unstable_by(|a, b| self.fields[a.ix()].id.cmp(&self.fields[b.ix()].id));
            ids
        });
        index.binary_search_by(|f| self.fields[f.ix()].id.as_str().cmp(id)).ok().map(|i| index[i])
    }

    /// The step with this id.
    pub fn step_by_id(&self, id: &str) -> Option<StepId> {
        self.steps.iter().position(|s| s.id == id).map(|i| StepId(i as u32))
    }

    /// The field.
    pub fn field(&self, id: FieldId) -> &Field {
        &self.fields[id.ix()]
    }

    /// The step.
    pub fn step(&self, id: StepId) -> &Step {
        &self.steps[id.ix()]
    }

    /// Every place where the form evaluates an expression, with the expression.
    pub fn sites(&self) -> Vec<(Site, &CExpr)> {
        let form = self;
        let mut out = Vec::new();
        for (i, f) in form.fields.iter().enumerate() {
            let id = FieldId(i as u32);
            if let Some(e) = f.visible_if.as_deref() {
                out.push((Site::Visible(id), e));
            }
            if let Some(e) = f.required.as_deref() {
                out.push((Site::Required(id), e));
            }
            if let Some(e) = f.min.as_deref() {
                out.push((Site::Min(id), e));
            }
            if let Some(e) = f.max.as_deref() {
                out.push((Site::Max(id), e));
            }
            if let Some(e) = f.value.as_deref() {
                out.push((Site::Computed(id), e));
            }
            for (n, o) in f.options.iter().enumerate() {
                if let Some(e) = o.cond.as_deref() {
                    out.push((Site::OptionIf(id, n as u32), e));
                }
            }
            for (n, r) in f.rules.iter().enumerate() {
                out.push((Site::FieldRule(id, n as u32), &r.check));
            }
        }
        for (i, v) in form.values.iter().enumerate() {
            out.push((Site::Value(ValueId(i as u32)), &v.expr));
        }
        for (i, s) in form.steps.iter().enumerate() {
            let id = StepId(i as u32);
            if let Some(e) = s.when.as_deref() {
                out.push((Site::When(id), e));
            }
            for (n, b) in s.next.iter().enumerate() {
                if let Some(e) = b.cond.as_deref() {
                    out.push((Site::Next(id, n as u32), e));
                }
            }
            for (n, r) in s.rules.iter().enumerate() {
                out.push((Site::StepRule(id, n as u32), &r.check));
            }
        }
        out
    }

    /// The parameter carried by the `values` entry `v`, if it is one.
    pub fn parameter_of(&self, v: ValueId) -> Option<&Parameter> {
        let first = self.values.len().checked_sub(self.parameters.len())?;
        v.ix().checked_sub(first).and_then(|i| self.parameters.get(i)).filter(|p| p.value == v)
    }

    /// The declared parameter called `name`.
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.id == name)
    }

    /// The default language.
    pub fn default_language(&self) -> &str {
        self.languages.first().map_or("de", String::as_str)
    }

    /// The form's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The author's revision label.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The languages; the first is the default.
    pub fn languages(&self) -> &[String] {
        &self.languages
    }

    /// The title.
    pub fn title(&self) -> &Text {
        &self.title
    }

    /// The description.
    pub fn description(&self) -> Option<&Text> {
        self.description.as_ref()
    }

    /// The receiving authority as the form names it.
    pub fn authority(&self) -> Option<&Text> {
        self.authority.as_ref()
    }

    /// The steps in declaration order; a [`StepId`] indexes them.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Every field (members too) in declaration order; a [`FieldId`] indexes them.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The named calculations (`values:`), the parameters last.
    pub fn values(&self) -> &[NamedValue] {
        &self.values
    }

    /// `parameters:`: what each deployment sets, in declaration order.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The reference pattern and the delivery channels.
    pub fn submission(&self) -> &SubmissionConfig {
        &self.submission
    }

    /// The FIM schema the form was built from.
    pub fn fim(&self) -> Option<&FimSchema> {
        self.fim.as_ref()
    }

    /// Whether a login is offered or required, and its lowest trust level.
    pub fn login(&self) -> &crate::account::Login {
        &self.login
    }

    /// Who reads what: the dependency graph of incremental evaluation.
    pub fn deps(&self) -> &DepGraph {
        &self.deps
    }

    /// The form with other delivery channels (a test's receiver, an operator's redirect):
    /// the channels name no field or step, so no invariant of the form depends on them.
    pub fn with_channels(mut self, channels: Vec<Channel>) -> Form {
        self.submission.channels = channels;
        self
    }
}
