//! Upper and lower case of text (the expression functions `lower()` and `upper()`, an IBAN's
//! electronic format) by Unicode's full case mapping.
//!
//! With the feature `case-tables` (default) this is `str::to_lowercase`/`to_uppercase`.
//! Without it (the browser build) the engine carries none of Rust's case tables (about 35 KB
//! of the module, 15 KB gzip: docs/performance.md) and the embedding hands in its own mapping
//! with [`use_case_mapping`]: the browser module registers JavaScript's `toLowerCase` and
//! `toUpperCase`, the same full, locale-independent mapping, as the script already hands in
//! NFC text instead of normalisation tables. Until a mapping is registered only ASCII letters
//! change case.

#[cfg(not(feature = "case-tables"))]
use std::sync::OnceLock;

/// One direction of a case mapping.
#[cfg(not(feature = "case-tables"))]
type Mapping = fn(&str) -> String;

/// The embedding's case mapping (lower, upper), without `case-tables`.
#[cfg(not(feature = "case-tables"))]
static MAPPING: OnceLock<(Mapping, Mapping)> = OnceLock::new();

/// Registers the embedding's full case mapping: `lower` and `upper` must map as
/// `str::to_lowercase` and `str::to_uppercase` do. Only the first call counts. Without
/// the feature `case-tables` only; with it the engine's own tables are used.
#[cfg(not(feature = "case-tables"))]
pub fn use_case_mapping(lower: Mapping, upper: Mapping) {
    let _ = MAPPING.set((lower, upper));
}

/// `text` in lower case.
pub fn to_lower(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    #[cfg(feature = "case-tables")]
    return text.to_lowercase();
    #[cfg(not(feature = "case-tables"))]
    return MAPPING.get().map_or_else(|| text.to_ascii_lowercase(), |(lower, _)| lower(text));
}

/// `text` in upper case.
pub fn to_upper(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_uppercase();
    }
    #[cfg(feature = "case-tables")]
    return text.to_uppercase();
    #[cfg(not(feature = "case-tables"))]
    return MAPPING.get().map_or_else(|| text.to_ascii_uppercase(), |(_, upper)| upper(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_unicode() {
        assert_eq!(to_lower("Straße ÄÖÜ"), "straße äöü");
        assert_eq!(to_upper("Straße äöü"), "STRASSE ÄÖÜ");
        // A final sigma by its context.
        assert_eq!(to_lower("ΟΔΟΣ"), "\u{3bf}\u{3b4}\u{3bf}\u{3c2}");
        assert_eq!(to_upper("abc"), "ABC");
        assert_eq!(to_lower(""), "");
    }

    #[test]
    fn the_mapping_is_the_standard_library_s() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let s = format!("a{c}b{c}");
            assert_eq!(to_lower(&s), s.to_lowercase(), "{c:?}");
            assert_eq!(to_upper(&s), s.to_uppercase(), "{c:?}");
        }
    }

    #[test]
    fn only_ascii_letters_and_the_kelvin_sign_lower_to_an_ascii_letter() {
        let to_ascii: Vec<char> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| {
                let l: Vec<char> = c.to_lowercase().collect();
                l.len() == 1 && l[0].is_ascii_lowercase() && !c.is_ascii()
            })
            .collect();
        // So `to_ascii_lowercase` matches a word without `k` exactly as `to_lowercase`
        // would (the yes/no and consent words of fieldcheck.rs).
        assert_eq!(to_ascii, ['\u{212A}']);
    }
}
