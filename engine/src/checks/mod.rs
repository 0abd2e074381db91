//! Built-in checks of answers (docs/form-language.md#field-types, docs/form-language.md#validation), input normalisation and the
//! locale-aware reading and display of numbers and dates.
//!
//! Every check is a pure function of already-normalised input, so the session code
//! decides the order of checks (docs/form-language.md#check-order) and this module only answers "is this well-formed?".

mod case;
mod date;
mod display;
mod email;
mod iban;
mod messages;
mod mime;
mod normalize;
mod number;
mod phone;
mod plz;
mod size;
mod steuer_id;

#[cfg(not(feature = "case-tables"))]
pub use case::use_case_mapping;
pub use case::{to_lower, to_upper};
pub use date::{DateError, iso, iso_year, parse_date, read_date, read_iso};
pub use display::{display_bool, display_date, display_euro, display_money, display_number, iban_groups};
pub use email::is_valid_email;
pub use iban::is_valid_iban;
pub use messages::{CheckCode, CountBound, EntryWord, MessageCtx, default_message};
pub use mime::{mime_matches, sniff_mime};
pub use normalize::{char_len, is_blank_text, normalize_compact, normalize_iban, normalize_text, normalized};
pub use number::{canonical, canonical_money, decimals_of, is_integer, parse_number, parse_plain_decimal, round_integer, round_money};
pub use phone::is_valid_phone;
pub use plz::is_valid_plz;
pub use size::parse_size;
pub use steuer_id::is_valid_steuer_id;
