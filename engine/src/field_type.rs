//! The field types (docs/form-language.md#field-types): one enum for the whole engine. The
//! key table (which keys apply to which type), the compiler, the checks, the session, the
//! schemas of the submission and the front ends all name a type by this enum, and its
//! [`FieldType::name`] is the one spelling of a type as written in a form.

use serde::{Deserialize, Serialize};

use crate::expr::Type;

/// The field types (docs/form-language.md#field-types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
// Exhaustive for the workspace's own front ends (`internals`), which must handle a new
// variant; non-exhaustive for embeddings, which must not break on one.
#[cfg_attr(not(feature = "internals"), non_exhaustive)]
pub enum FieldType {
    /// One line of text.
    #[default]
    Text,
    /// Several lines of text.
    Textarea,
    /// A decimal.
    Number,
    /// A whole number.
    Integer,
    /// An amount of money.
    Money,
    /// A date.
    Date,
    /// Yes/no.
    Boolean,
    /// A single checkbox.
    Consent,
    /// One of the options.
    Choice,
    /// Several of the options.
    MultiChoice,
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
    /// A German postcode.
    Plz,
    /// An IBAN.
    Iban,
    /// A German tax id.
    SteuerId,
    /// An upload.
    File,
    /// A calculated value.
    Computed,
    /// Members, possibly repeated.
    Group,
    /// A static text.
    Info,
}

impl FieldType {
    /// Every type, in the order of the reference's table.
    pub const ALL: [FieldType; 19] = {
        use FieldType::*;
        [
            Text,
            Textarea,
            Number,
            Integer,
            Money,
            Date,
            Boolean,
            Consent,
            Choice,
            MultiChoice,
            Email,
            Phone,
            Plz,
            Iban,
            SteuerId,
            File,
            Computed,
            Group,
            Info,
        ]
    };

    /// The type as written in a form (`multi_choice`): the only spelling of a type name in
    /// the engine; the serde name is the same (a test holds them together).
    pub const fn name(self) -> &'static str {
        use FieldType::*;
        match self {
            Text => "text",
            Textarea => "textarea",
            Number => "number",
            Integer => "integer",
            Money => "money",
            Date => "date",
            Boolean => "boolean",
            Consent => "consent",
            Choice => "choice",
            MultiChoice => "multi_choice",
            Email => "email",
            Phone => "phone",
            Plz => "plz",
            Iban => "iban",
            SteuerId => "steuer_id",
            File => "file",
            Computed => "computed",
            Group => "group",
            Info => "info",
        }
    }

    /// Reads a type name as written.
    pub fn parse(name: &str) -> Option<FieldType> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Every type name, for messages ("the field types are: …") and "did you mean".
    pub fn names() -> impl Iterator<Item = &'static str> {
        Self::ALL.into_iter().map(FieldType::name)
    }

    /// The type itself when the citizen answers it; `None` for `computed`, `group` and
    /// `info`, into which nobody types.
    pub fn input(self) -> Option<FieldType> {
        (!matches!(self, FieldType::Computed | FieldType::Group | FieldType::Info)).then_some(self)
    }

    /// True for types the citizen answers.
    pub fn is_input(self) -> bool {
        self.input().is_some()
    }

    /// The value type of an input field's answer.
    pub fn value_type(self) -> Option<Type> {
        use FieldType::*;
        Some(match self {
            Text | Textarea | Choice | Email | Phone | Plz | Iban | SteuerId => Type::Text,
            Number | Integer | Money => Type::Number,
            Date => Type::Date,
            Boolean | Consent => Type::Bool,
            MultiChoice => Type::List,
            File => Type::File,
            Group => Type::Group,
            Computed | Info => return None,
        })
    }
}

impl std::fmt::Display for FieldType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_match_the_serde_names() {
        for t in FieldType::ALL {
            assert_eq!(FieldType::parse(t.name()), Some(t));
            assert_eq!(serde_json::to_value(t).unwrap(), serde_json::Value::String(t.name().into()));
        }
        assert_eq!(FieldType::names().count(), 19);
        assert_eq!(FieldType::parse("multichoice"), None);
    }
}
