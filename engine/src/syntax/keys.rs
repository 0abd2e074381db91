//! The one table of the language's keys: which keys each kind of map accepts, what
//! shape their values have, and (for fields) which field types they apply to.
//!
//! The lowering checks unknown keys against it (with "did you mean"), the reference in
//! `docs/form-language.md` and the editor schema are generated from it, so the three
//! cannot drift apart. The keys of authority files (`authority.yaml`) are not the form
//! language's and live beside their reader, `crate::authority::keys`.

/// The shape of a key's value, as the editor schema describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A text: a string, or a map from language code to string.
    Text,
    /// An identifier.
    Id,
    /// A plain string.
    Str,
    /// A regular expression: a string whose characters keep their positions, so that an
    /// error in it points at the character.
    Regex,
    /// An expression (a string; a number, `true`/`false` and dates also parse as one).
    Expr,
    /// `true`, `false` or an expression.
    Cond,
    /// A whole number.
    UInt,
    /// `true` or `false`.
    Bool,
    /// A list of strings.
    StrList,
    /// Any YAML value (e.g. `default`, checked against the field).
    Any,
    /// A nested structure described by another table (`Nested(name)`).
    Nested(&'static str),
    /// A list of nested structures.
    ListOf(&'static str),
    /// A map from names to nested structures or expressions.
    MapOf(&'static str),
    /// A step id, or a list of `{ if, goto }` branches.
    Next,
    /// An option list name, or a list of options.
    Options,
    /// A size in bytes, or with a unit (`5MB`, `5MiB`).
    Size,
}

/// One key.
#[derive(Debug, Clone, Copy)]
pub struct KeyDef {
    /// The key as written.
    pub name: &'static str,
    /// Whether the map must have it.
    pub required: bool,
    /// The shape of its value.
    pub shape: Shape,
    /// For field keys: the field types it applies to (empty: every type).
    pub types: &'static [FieldType],
    /// One sentence for the reference and the editor.
    pub doc: &'static str,
}

const fn key(name: &'static str, shape: Shape, doc: &'static str) -> KeyDef {
    KeyDef { name, required: false, shape, types: &[], doc }
}
const fn req(name: &'static str, shape: Shape, doc: &'static str) -> KeyDef {
    KeyDef { name, required: true, shape, types: &[], doc }
}
const fn only(name: &'static str, shape: Shape, types: &'static [FieldType], doc: &'static str) -> KeyDef {
    KeyDef { name, required: false, shape, types, doc }
}

use crate::field_type::FieldType::{self, *};

/// Field types that take input from the citizen.
pub const INPUT_TYPES: &[FieldType] =
    &[Text, Textarea, Number, Integer, Money, Date, Boolean, Consent, Choice, MultiChoice, Email, Phone, Plz, Iban, SteuerId, File];
const DEFAULT_TYPES: &[FieldType] =
    &[Text, Textarea, Number, Integer, Money, Date, Boolean, Choice, MultiChoice, Email, Phone, Plz, Iban, SteuerId];
const MESSAGE_TYPES: &[FieldType] =
    &[Text, Textarea, Number, Integer, Money, Date, Boolean, Consent, Choice, MultiChoice, Email, Phone, Plz, Iban, SteuerId, File, Group];
const BOUND_TYPES: &[FieldType] = &[Number, Integer, Money, Date, MultiChoice];
const LENGTH_TYPES: &[FieldType] = &[Text, Textarea, Email, Phone];

/// Keys of the form (the file's top level).
pub const FORM: &[KeyDef] = &[
    req("wegweiser", Shape::UInt, "Language version; always `1`."),
    req("id", Shape::Id, "The form's id, unique per deployment: lower-case letters, digits and `-`."),
    key("version", Shape::Str, "Your own revision label, copied into every submission."),
    key("languages", Shape::StrList, "The languages of the form; the first is the default. Default: `[de]`."),
    req("title", Shape::Text, "The form's title."),
    key("description", Shape::Text, "A short description shown on the start page."),
    key("authority", Shape::Text, "The authority that receives the submissions."),
    key("lists", Shape::MapOf("options"), "Named option lists (\"Codelisten\") for choice fields."),
    key("values", Shape::MapOf("expr"), "Named calculations and constants, usable in every expression."),
    key(
        "parameters",
        Shape::MapOf("parameter"),
        "Values each authority sets for the form (rates, deadlines), usable in every expression like `values`.",
    ),
    req("steps", Shape::ListOf("step"), "The steps (pages), in their default order."),
    key("submission", Shape::Nested("submission"), "Reference numbers and delivery."),
    key("fim", Shape::Nested("fim_schema"), "The FIM Stammdatenschema this form was built from."),
    key(
        "login",
        Shape::Nested("login"),
        "Login with BundID / Servicekonto: `{ mode: none|optional|required, trust: basis|substantiell|hoch }`.",
    ),
];

/// Keys of a parameter declaration (`parameters: { name: { … } }`).
pub const PARAMETER: &[KeyDef] = &[
    req("type", Shape::Str, "`number`, `money`, `integer`, `text`, `date`, `boolean` or `choice`."),
    key("default", Shape::Any, "The value where an authority sets none; without it every authority must set one."),
    key("options", Shape::Options, "For `choice`: the allowed values, a list or the name of a list under `lists`."),
    key("label", Shape::Text, "What the parameter means, for the people who set it."),
    key("description", Shape::Text, "A longer explanation, e.g. where the value comes from."),
];

/// Keys of a step.
pub const STEP: &[KeyDef] = &[
    req("id", Shape::Id, "The step's id: lower-case letters, digits, `_` and `-`."),
    key("title", Shape::Text, "The page title."),
    key("text", Shape::Text, "A text shown below the title."),
    key("section", Shape::Text, "A section title; the summary and the progress indicator group steps by it."),
    key("kind", Shape::Str, "`question` (default) or `exit` (a terminal page without submission)."),
    key("when", Shape::Expr, "The step is on the citizen's path only while this holds."),
    key("fields", Shape::ListOf("field"), "The questions and texts of the page."),
    key("rules", Shape::ListOf("rule"), "Checks across fields of the step."),
    key("next", Shape::Next, "Where to go next: a step id or a list of `{ if, goto }` ending in a plain `{ goto }`."),
];

/// Keys of a field.
pub const FIELD: &[KeyDef] = &[
    req("id", Shape::Id, "The field's id, unique in the form: lower-case letters, digits and `_`."),
    req("type", Shape::Str, "The field type, e.g. `text`, `date`, `choice`, `group`."),
    key("label", Shape::Text, "The question or label."),
    key("hint", Shape::Text, "A hint below the label."),
    key("visible_if", Shape::Expr, "The field is shown (and counts) only while this holds."),
    key("display", Shape::Str, "How to render it: `radios`, `select`, `checkboxes`, `textarea`."),
    key("fim", Shape::Str, "The FIM id of the field or group (e.g. `F00000463`)."),
    only("required", Shape::Cond, INPUT_TYPES, "`true`, `false` (default) or a condition (\"required if\")."),
    only("default", Shape::Any, DEFAULT_TYPES, "The initial answer, written like a scenario answer."),
    only("rules", Shape::ListOf("rule"), INPUT_TYPES, "Checks of this field's answer."),
    only("autocomplete", Shape::Str, INPUT_TYPES, "The HTML autocomplete token, e.g. `given-name`."),
    only("messages", Shape::MapOf("text"), MESSAGE_TYPES, "Your own messages for built-in checks, e.g. `{ required: … }`."),
    only("min", Shape::Expr, BOUND_TYPES, "Smallest allowed value (for `multi_choice`: fewest items)."),
    only("max", Shape::Expr, BOUND_TYPES, "Largest allowed value (for `multi_choice`: most items)."),
    only("min_length", Shape::UInt, LENGTH_TYPES, "Fewest characters."),
    only("max_length", Shape::UInt, LENGTH_TYPES, "Most characters (default 500, `textarea` 5,000)."),
    only("pattern", Shape::Regex, LENGTH_TYPES, "A regular expression the whole answer must match."),
    only("options", Shape::Options, &[Choice, MultiChoice], "The options: a list, or the name of a list under `lists`."),
    only("value", Shape::Expr, &[Computed], "The calculation."),
    only("format", Shape::Str, &[Computed], "`money`, `integer` or `date`."),
    only("text", Shape::Text, &[Info], "The text shown."),
    only("fields", Shape::ListOf("field"), &[Group], "The members of the group."),
    only("repeat", Shape::Nested("repeat"), &[Group], "Makes the group a list of entries: `{ min, max, add_label }`."),
    only("accept", Shape::StrList, &[File], "Allowed MIME types, e.g. `[application/pdf, image/*]`."),
    only("max_size", Shape::Size, &[File], "Largest file: bytes or with a unit (`5MB`, `5MiB`)."),
    only("decimals", Shape::UInt, &[Number], "Places allowed after the decimal mark."),
    only("allow_test_ids", Shape::Bool, &[SteuerId], "Also accept ELSTER's test ids (first digit 0)."),
    only("prefill", Shape::Str, PREFILL_TYPES, "The account attribute that fills the field after a login, e.g. `given_name`."),
    only("locked", Shape::Bool, PREFILL_TYPES, "`true`: a value from the account cannot be changed (needs `prefill`)."),
];

/// Field types an account attribute can fill (`prefill:`, `locked:`).
const PREFILL_TYPES: &[FieldType] = &[Text, Textarea, Date, Email, Phone, Plz];

/// Keys of the form's `login`.
pub const LOGIN: &[KeyDef] = &[
    req("mode", Shape::Str, "`none` (default), `optional` (a login button on the start page) or `required`."),
    key("trust", Shape::Str, "The lowest trust level of the login: `basis`, `substantiell` or `hoch`."),
];

/// Keys of an option.
pub const OPTION: &[KeyDef] = &[
    req("value", Shape::Str, "The value submitted."),
    req("label", Shape::Text, "What the citizen reads."),
    key("hint", Shape::Text, "A hint below the option."),
    key("if", Shape::Expr, "The option is offered only while this holds."),
];

/// Keys of a rule.
pub const RULE: &[KeyDef] = &[
    req("check", Shape::Expr, "The condition that must hold."),
    req("message", Shape::Text, "The message shown when it does not."),
    key("when_empty", Shape::Bool, "Check the rule even while the fields it reads are empty."),
    key("field", Shape::Id, "For a step rule: the field the problem belongs to."),
];

/// Keys of a `next` branch.
pub const BRANCH: &[KeyDef] =
    &[key("if", Shape::Expr, "The branch is taken when this holds."), req("goto", Shape::Id, "The step to go to, or `summary`.")];

/// Keys of `repeat`.
pub const REPEAT: &[KeyDef] = &[
    key("min", Shape::UInt, "Fewest entries."),
    key("max", Shape::UInt, "Most entries."),
    key("add_label", Shape::Text, "The label of the button that adds an entry."),
];

/// Keys of `submission`.
pub const SUBMISSION: &[KeyDef] = &[
    key("reference", Shape::Str, "The pattern of reference numbers, e.g. `HST-{year}-{seq:6}`."),
    key("webhook", Shape::Nested("webhook"), "One webhook channel, `{ url, secret_env }` (short for `deliver: [webhook: …]`)."),
    key("deliver", Shape::ListOf("channel"), "The delivery channels, each one of `webhook:`, `email:`, `fitconnect:`; several at once."),
];

/// Keys of `submission.webhook` (and of a `webhook` channel).
pub const WEBHOOK: &[KeyDef] = &[
    req("url", Shape::Str, "The HTTPS address that receives each submission as a POST."),
    key("secret_env", Shape::Str, "The environment variable holding the HMAC-SHA256 secret."),
];

/// Keys of an entry of `submission.deliver`: exactly one of them, the channel.
pub const CHANNEL: &[KeyDef] = &[
    key("webhook", Shape::Nested("webhook"), "POST the submission document to an address, signed with HMAC-SHA256."),
    key("email", Shape::Nested("email"), "E-mail the PDF and the submission document to the authority over SMTP."),
    key("fitconnect", Shape::Nested("fitconnect"), "Send the submission to a FIT-Connect destination."),
];

/// Keys of an `email` channel (the SMTP server comes from the server's configuration).
pub const EMAIL: &[KeyDef] = &[
    req("to_env", Shape::Str, "The environment variable holding the authority's address(es), separated by commas."),
    key("confirmation_to", Shape::Id, "An `email` field whose answer gets a confirmation with the reference number (no answers)."),
];

/// Keys of a `fitconnect` channel (client id and secret come from the server's configuration).
pub const FITCONNECT: &[KeyDef] = &[
    req("destination_env", Shape::Str, "The environment variable holding the FIT-Connect destination id."),
    req("leika", Shape::Str, "The LeiKa key of the service: 14 digits."),
];

/// Keys of the form's `fim` map.
pub const FIM_SCHEMA: &[KeyDef] =
    &[req("schema", Shape::Str, "The FIM Stammdatenschema id, e.g. `S05000058`."), key("version", Shape::Str, "Its version.")];

/// All tables by name, for generated documentation and the editor schema.
pub const TABLES: &[(&str, &[KeyDef])] = &[
    ("form", FORM),
    ("parameter", PARAMETER),
    ("step", STEP),
    ("field", FIELD),
    ("option", OPTION),
    ("rule", RULE),
    ("branch", BRANCH),
    ("repeat", REPEAT),
    ("submission", SUBMISSION),
    ("webhook", WEBHOOK),
    ("channel", CHANNEL),
    ("email", EMAIL),
    ("fitconnect", FITCONNECT),
    ("fim_schema", FIM_SCHEMA),
    ("login", LOGIN),
];

impl KeyDef {
    /// Whether the key applies to a field of type `ty`.
    pub fn applies_to(&self, ty: FieldType) -> bool {
        self.types.is_empty() || self.types.contains(&ty)
    }

    /// The names of the types it applies to, for messages and the editor schema.
    pub fn type_names(&self) -> Vec<&'static str> {
        self.types.iter().map(|t| t.name()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table's list is a constant (the key table is static); it must say what
    /// `FieldType::is_input` says.
    #[test]
    fn input_types_are_the_types_that_take_input() {
        let expected: Vec<FieldType> = FieldType::ALL.into_iter().filter(|t| t.is_input()).collect();
        assert_eq!(INPUT_TYPES, expected.as_slice());
    }
}
