//! Login and prefill: the trust levels a form can require (`login: { mode, trust }`), the
//! one vocabulary of account attributes a field can be prefilled from (`prefill:`), and the
//! values a runtime hands a session after a login ([`AccountValues`]).
//!
//! The engine knows nothing of OpenID Connect: the runtime maps its identity provider's
//! claims to these attribute names and its `acr` (or another claim) to a [`TrustLevel`];
//! each attribute names the OpenID Connect claim it comes from so that the mapping is
//! documented in one place (`docs/form-language.md#login-and-prefill`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::field_type::FieldType;

/// How far a login can be trusted to name the real person: the levels of assurance of
/// eIDAS, with the names BundID and the Servicekonten use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustLevel {
    /// `basis`: a registration with user name and password (eIDAS "low").
    Basis,
    /// `substantiell`: e.g. an ELSTER certificate (eIDAS "substantial").
    Substantiell,
    /// `hoch`: the online ID card (eID) or an eIDAS-notified eID (eIDAS "high").
    Hoch,
}

impl TrustLevel {
    /// Every level, lowest first.
    pub const ALL: [TrustLevel; 3] = [TrustLevel::Basis, TrustLevel::Substantiell, TrustLevel::Hoch];

    /// The name as written in a form (`basis`, `substantiell`, `hoch`).
    pub fn as_str(self) -> &'static str {
        match self {
            TrustLevel::Basis => "basis",
            TrustLevel::Substantiell => "substantiell",
            TrustLevel::Hoch => "hoch",
        }
    }

    /// The level named `s`, if any.
    pub fn parse(s: &str) -> Option<TrustLevel> {
        TrustLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// Whether a form offers login (`login.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoginMode {
    /// No login is offered (the default).
    #[default]
    None,
    /// The start page offers a login; the form can be filled in without one.
    Optional,
    /// The form can only be filled in after a login.
    Required,
}

impl LoginMode {
    /// Every mode as written.
    pub const NAMES: [&'static str; 3] = ["none", "optional", "required"];

    /// The mode named `s`, if any.
    pub fn parse(s: &str) -> Option<LoginMode> {
        match s {
            "none" => Some(LoginMode::None),
            "optional" => Some(LoginMode::Optional),
            "required" => Some(LoginMode::Required),
            _ => None,
        }
    }
}

/// A form's `login:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Login {
    /// Whether login is offered or required.
    pub mode: LoginMode,
    /// The lowest trust level a login must have to be used for this form (`None`: any).
    pub trust: Option<TrustLevel>,
}

/// One attribute of the vocabulary.
#[derive(Debug, Clone, Copy)]
pub struct Attribute {
    /// The name written after `prefill:`.
    pub name: &'static str,
    /// The OpenID Connect claim it is read from: a claim name, or `address.<member>` for a
    /// member of the standard `address` claim. Claims marked in [`Attribute::standard`] as
    /// not standard must be mapped by the identity provider (e.g. a Keycloak mapper).
    pub claim: &'static str,
    /// Whether `claim` is defined by OpenID Connect Core 1.0 (section 5.1) or the eKYC & Identity
    /// Assurance claims; otherwise it is this project's name for a claim the broker adds.
    pub standard: bool,
    /// The field types it may fill (the first is the natural one).
    pub types: &'static [FieldType],
    /// One sentence for the reference.
    pub doc: &'static str,
}

const TEXT: &[FieldType] = &[FieldType::Text, FieldType::Textarea];

/// The vocabulary of `prefill:`, in the order of the reference.
pub const ATTRIBUTES: &[Attribute] = &[
    Attribute { name: "given_name", claim: "given_name", standard: true, types: TEXT, doc: "Vorname(n)." },
    Attribute { name: "family_name", claim: "family_name", standard: true, types: TEXT, doc: "Familienname." },
    Attribute { name: "birth_name", claim: "birth_family_name", standard: true, types: TEXT, doc: "Geburtsname (eKYC-IDA claim)." },
    Attribute { name: "birth_date", claim: "birthdate", standard: true, types: &[FieldType::Date], doc: "Geburtsdatum (`YYYY-MM-DD`)." },
    Attribute {
        name: "birth_place",
        claim: "place_of_birth.locality",
        standard: true,
        types: TEXT,
        doc: "Geburtsort (eKYC-IDA `place_of_birth`, its `locality`).",
    },
    Attribute {
        name: "nationality",
        claim: "nationalities",
        standard: true,
        types: TEXT,
        doc: "Staatsangehörigkeit (eKYC-IDA `nationalities`, the first; ISO 3166-1 code).",
    },
    Attribute {
        name: "street_address",
        claim: "address.street_address",
        standard: true,
        types: &[FieldType::Text, FieldType::Textarea],
        doc: "Straße und Hausnummer in one line.",
    },
    Attribute { name: "street", claim: "street", standard: false, types: TEXT, doc: "Straße without the house number." },
    Attribute { name: "house_number", claim: "house_number", standard: false, types: TEXT, doc: "Hausnummer." },
    Attribute {
        name: "postal_code",
        claim: "address.postal_code",
        standard: true,
        types: &[FieldType::Plz, FieldType::Text],
        doc: "Postleitzahl.",
    },
    Attribute { name: "city", claim: "address.locality", standard: true, types: TEXT, doc: "Ort." },
    Attribute { name: "country", claim: "address.country", standard: true, types: TEXT, doc: "Staat of the address." },
    Attribute { name: "email", claim: "email", standard: true, types: &[FieldType::Email, FieldType::Text], doc: "E-Mail-Adresse." },
    Attribute { name: "phone", claim: "phone_number", standard: true, types: &[FieldType::Phone, FieldType::Text], doc: "Telefonnummer." },
];

/// The attribute named `name`.
pub fn attribute(name: &str) -> Option<&'static Attribute> {
    ATTRIBUTES.iter().find(|a| a.name == name)
}

/// What a runtime knows of the logged-in person: the trust level of the login and the
/// attributes of [`ATTRIBUTES`] it was given, by attribute name (values as text, dates as
/// `YYYY-MM-DD`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountValues {
    /// The login's trust level.
    pub trust: Option<TrustLevel>,
    /// Attribute name → value.
    pub values: BTreeMap<String, String>,
}

/// What a session keeps of a login: its trust level and the answers that came from the
/// account, by field path (the value as the account gave it). An answer counts as "from the
/// account" while it still equals that value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountMark {
    /// The login's trust level.
    pub trust: Option<TrustLevel>,
    /// Field path → the value the account gave.
    pub fields: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_named() {
        assert!(TrustLevel::Basis < TrustLevel::Substantiell && TrustLevel::Substantiell < TrustLevel::Hoch);
        for l in TrustLevel::ALL {
            assert_eq!(TrustLevel::parse(l.as_str()), Some(l));
        }
        assert_eq!(TrustLevel::parse("high"), None);
    }

    #[test]
    fn attribute_names_are_unique_and_have_types() {
        for (i, a) in ATTRIBUTES.iter().enumerate() {
            assert!(ATTRIBUTES[..i].iter().all(|b| b.name != a.name), "{} twice", a.name);
            assert!(!a.types.is_empty());
        }
        assert_eq!(attribute("birth_date").map(|a| a.claim), Some("birthdate"));
    }
}
