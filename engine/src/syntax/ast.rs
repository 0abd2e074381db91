//! The form as the author wrote it: every value with its span, nothing resolved yet.

use crate::diag::Span;
use crate::source::{Node, Scalar};

/// A string value with its place in the file.
#[derive(Debug, Clone)]
pub struct Src {
    /// The value.
    pub value: String,
    /// Where it is written.
    pub span: Span,
}

/// A scalar that holds an expression or a text with placeholders; keeps the scalar so
/// spans inside it map back to the file.
#[derive(Debug, Clone)]
pub struct SrcScalar {
    /// The scalar (value, style, character offsets).
    pub scalar: Scalar,
    /// Where it is written.
    pub span: Span,
}

impl SrcScalar {
    /// The text of the scalar.
    pub fn text(&self) -> &str {
        &self.scalar.value
    }
}

/// A text: one string per language.
#[derive(Debug, Clone)]
pub struct TextAst {
    /// `(language, string)` in source order; a plain string has the language `""`
    /// (the default language).
    pub values: Vec<(Src, SrcScalar)>,
    /// The whole text.
    pub span: Span,
}

/// The whole form.
#[derive(Debug, Clone)]
pub struct FormAst {
    /// `wegweiser:`.
    pub wegweiser: Option<Src>,
    /// `id:`.
    pub id: Option<Src>,
    /// `version:`.
    pub version: Option<Src>,
    /// `languages:`.
    pub languages: Vec<Src>,
    /// `title:`.
    pub title: Option<TextAst>,
    /// `description:`.
    pub description: Option<TextAst>,
    /// `authority:`.
    pub authority: Option<TextAst>,
    /// `lists:`.
    pub lists: Vec<ListAst>,
    /// `values:`.
    pub values: Vec<(Src, SrcScalar)>,
    /// `parameters:`.
    pub parameters: Vec<ParameterAst>,
    /// `steps:`.
    pub steps: Vec<StepAst>,
    /// `submission:`.
    pub submission: Option<SubmissionAst>,
    /// `fim: { schema, version }`.
    pub fim: Option<(Src, Option<Src>)>,
    /// `login: { mode, trust }`.
    pub login: Option<LoginAst>,
    /// The whole file.
    pub span: Span,
}

/// One `parameters:` entry.
#[derive(Debug, Clone)]
pub struct ParameterAst {
    /// Its name.
    pub name: Src,
    /// `type:`.
    pub ty: Option<Src>,
    /// `default:` as written.
    pub default: Option<Node>,
    /// `options:`.
    pub options: Option<OptionsAst>,
    /// `label:`.
    pub label: Option<TextAst>,
    /// `description:`.
    pub description: Option<TextAst>,
    /// The whole declaration.
    pub span: Span,
}

/// A named option list.
#[derive(Debug, Clone)]
pub struct ListAst {
    /// Its name.
    pub name: Src,
    /// Its options.
    pub options: Vec<OptionAst>,
}

/// One option of a choice.
#[derive(Debug, Clone)]
pub struct OptionAst {
    /// The submitted value.
    pub value: Src,
    /// The label.
    pub label: Option<TextAst>,
    /// The hint.
    pub hint: Option<TextAst>,
    /// `if:`.
    pub cond: Option<SrcScalar>,
    /// The whole option.
    pub span: Span,
}

/// `options:` of a field.
#[derive(Debug, Clone)]
pub enum OptionsAst {
    /// The name of a list.
    Named(Src),
    /// Inline options.
    Inline(Vec<OptionAst>),
}

/// A step.
#[derive(Debug, Clone)]
pub struct StepAst {
    /// `id:`.
    pub id: Option<Src>,
    /// `title:`.
    pub title: Option<TextAst>,
    /// `text:`.
    pub text: Option<TextAst>,
    /// `section:`.
    pub section: Option<TextAst>,
    /// `kind:`.
    pub kind: Option<Src>,
    /// `when:`.
    pub when: Option<SrcScalar>,
    /// `fields:`.
    pub fields: Vec<FieldAst>,
    /// The span of the `fields:` key, if present.
    pub fields_key: Option<Span>,
    /// `rules:`.
    pub rules: Vec<RuleAst>,
    /// The span of the `rules:` key, if present.
    pub rules_key: Option<Span>,
    /// `next:`.
    pub next: Option<NextAst>,
    /// The span of the `next:` key.
    pub next_key: Option<Span>,
    /// The whole step.
    pub span: Span,
}

/// `next:`.
#[derive(Debug, Clone)]
pub enum NextAst {
    /// `next: step-id`.
    Goto(Src),
    /// A list of branches.
    Branches(Vec<BranchAst>),
}

/// One `{ if, goto }`.
#[derive(Debug, Clone)]
pub struct BranchAst {
    /// `if:`.
    pub cond: Option<SrcScalar>,
    /// `goto:`.
    pub goto: Option<Src>,
    /// The whole branch.
    pub span: Span,
}

/// A rule.
#[derive(Debug, Clone)]
pub struct RuleAst {
    /// `check:`.
    pub check: Option<SrcScalar>,
    /// `message:`.
    pub message: Option<TextAst>,
    /// `when_empty:`.
    pub when_empty: bool,
    /// `field:`.
    pub field: Option<Src>,
    /// The whole rule.
    pub span: Span,
}

/// `repeat:`.
#[derive(Debug, Clone)]
pub struct RepeatAst {
    /// `min:`.
    pub min: Option<(u32, Span)>,
    /// `max:`.
    pub max: Option<(u32, Span)>,
    /// `add_label:`.
    pub add_label: Option<TextAst>,
    /// The whole map.
    pub span: Span,
}

/// A field.
#[derive(Debug, Clone)]
pub struct FieldAst {
    /// `id:`.
    pub id: Option<Src>,
    /// `type:`.
    pub ty: Option<Src>,
    /// `label:`.
    pub label: Option<TextAst>,
    /// `hint:`.
    pub hint: Option<TextAst>,
    /// `required:`.
    pub required: Option<SrcScalar>,
    /// `visible_if:`.
    pub visible_if: Option<SrcScalar>,
    /// `min:`.
    pub min: Option<SrcScalar>,
    /// `max:`.
    pub max: Option<SrcScalar>,
    /// `min_length:`.
    pub min_length: Option<(u32, Span)>,
    /// `max_length:`.
    pub max_length: Option<(u32, Span)>,
    /// `pattern:`.
    pub pattern: Option<SrcScalar>,
    /// `options:`.
    pub options: Option<OptionsAst>,
    /// `display:`.
    pub display: Option<Src>,
    /// `default:` as written.
    pub default: Option<Node>,
    /// `value:`.
    pub value: Option<SrcScalar>,
    /// `rules:`.
    pub rules: Vec<RuleAst>,
    /// `messages:`.
    pub messages: Vec<(Src, TextAst)>,
    /// `autocomplete:`.
    pub autocomplete: Option<Src>,
    /// `fields:` (groups).
    pub fields: Vec<FieldAst>,
    /// `repeat:`.
    pub repeat: Option<RepeatAst>,
    /// `accept:`.
    pub accept: Vec<Src>,
    /// `max_size:`.
    pub max_size: Option<Src>,
    /// `decimals:`.
    pub decimals: Option<(u32, Span)>,
    /// `allow_test_ids:`.
    pub allow_test_ids: bool,
    /// `format:`.
    pub format: Option<Src>,
    /// `text:`.
    pub text: Option<TextAst>,
    /// `fim:`.
    pub fim: Option<Src>,
    /// `prefill:`.
    pub prefill: Option<Src>,
    /// `locked:` with the span of its key.
    pub locked: Option<(bool, Span)>,
    /// The whole field.
    pub span: Span,
}

/// `submission:`.
#[derive(Debug, Clone)]
pub struct SubmissionAst {
    /// `reference:`.
    pub reference: Option<Src>,
    /// `webhook: { url, secret_env }`.
    pub webhook: Option<(Src, Option<Src>)>,
    /// The key `webhook`, when written.
    pub webhook_key: Option<Span>,
    /// `deliver:`: the channels, and the key's span.
    pub deliver: Option<(Vec<ChannelAst>, Span)>,
}

/// An entry of `submission.deliver`.
#[derive(Debug, Clone)]
pub enum ChannelAst {
    /// `webhook: { url, secret_env }`.
    Webhook {
        /// `url:`.
        url: Src,
        /// `secret_env:`.
        secret_env: Option<Src>,
        /// The channel's key.
        key: Span,
    },
    /// `email: { to_env, confirmation_to }`.
    Email {
        /// `to_env:`.
        to_env: Src,
        /// `confirmation_to:`.
        confirmation_to: Option<Src>,
        /// The channel's key.
        key: Span,
    },
    /// `fitconnect: { destination_env, leika }`.
    FitConnect {
        /// `destination_env:`.
        destination_env: Src,
        /// `leika:`.
        leika: Src,
        /// The channel's key.
        key: Span,
    },
}

/// `login:`.
#[derive(Debug, Clone)]
pub struct LoginAst {
    /// `mode:`.
    pub mode: Option<Src>,
    /// `trust:`.
    pub trust: Option<Src>,
    /// The whole map.
    pub span: Span,
}
