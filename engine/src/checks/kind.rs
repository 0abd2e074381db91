//! The kinds of input field whose answers the built-in checks understand (the types table,
//! docs/form-language.md#field-types), as the session maps them for checks and messages.

use serde::{Deserialize, Serialize};

/// An input field's type, as far as the built-in checks and default messages care.
///
/// `computed`, `group` and `info` are not here: nobody types an answer into them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One-line text.
    #[default]
    Text,
    /// Multi-line text.
    Textarea,
    /// Exact decimal.
    Number,
    /// Decimal without fraction.
    Integer,
    /// Amount in euros, two places.
    Money,
    /// Calendar date.
    Date,
    /// Yes/no question.
    Boolean,
    /// A single checkbox that must be ticked to count.
    Consent,
    /// One of the options.
    Choice,
    /// Several of the options.
    MultiChoice,
    /// E-mail address.
    Email,
    /// Phone number.
    Phone,
    /// German postcode.
    Plz,
    /// International bank account number.
    Iban,
    /// German tax identification number.
    SteuerId,
    /// Uploaded file.
    File,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names_are_the_yaml_type_names() {
        assert_eq!(serde_json::to_string(&FieldKind::MultiChoice).unwrap(), "\"multi_choice\"");
        assert_eq!(serde_json::to_string(&FieldKind::SteuerId).unwrap(), "\"steuer_id\"");
        let k: FieldKind = serde_json::from_str("\"plz\"").unwrap();
        assert_eq!(k, FieldKind::Plz);
        assert_eq!(FieldKind::default(), FieldKind::Text);
    }
}
