//! Normalisation of raw input before any check (docs/form-language.md#input-normalisation): what the
//! citizen typed is compared and stored in one canonical spelling.

use std::borrow::Cow;

#[cfg(feature = "nfc")]
use unicode_normalization::UnicodeNormalization;

/// The characters of `raw` in NFC. Without the `nfc` feature (the browser build) the caller
/// has normalised already: the script hands every text through `String.prototype.normalize`
/// before it reaches the engine, which saves the module the Unicode composition tables.
#[cfg(feature = "nfc")]
fn nfc(raw: &str) -> impl Iterator<Item = char> + '_ {
    raw.nfc()
}

#[cfg(not(feature = "nfc"))]
fn nfc(raw: &str) -> impl Iterator<Item = char> + '_ {
    raw.chars()
}

/// Whether `raw` is certainly in NFC already (ASCII always is; otherwise the quick check of
/// Unicode's NFC_Quick_Check property, "maybe" counting as no), so it need not go through
/// the composition char by char: that was the largest part of validating a form.
#[cfg(feature = "nfc")]
fn is_nfc(raw: &str) -> bool {
    raw.is_ascii() || unicode_normalization::is_nfc_quick(raw.chars()) == unicode_normalization::IsNormalized::Yes
}

#[cfg(not(feature = "nfc"))]
fn is_nfc(_: &str) -> bool {
    true
}

/// Unicode NFC, trimmed: the form every text answer is checked and stored in.
///
/// NFC first, so that a decomposed "é" typed on one system equals the composed one
/// typed on another, and length limits count what a person sees as one character.
pub fn normalize_text(raw: &str) -> String {
    normalized(raw).into_owned()
}

/// [`normalize_text`], borrowed from `raw` when that is in NFC already: for a reader that
/// only parses the text (a number, a date) and keeps nothing of it.
pub fn normalized(raw: &str) -> Cow<'_, str> {
    if is_nfc(raw) {
        return Cow::Borrowed(raw.trim());
    }
    Cow::Owned(nfc(raw).collect::<String>().trim().to_string())
}

/// Whether [`normalize_text`] of `raw` is empty, without building it when `raw` is in NFC.
pub fn is_blank_text(raw: &str) -> bool {
    if is_nfc(raw) {
        return raw.trim().is_empty();
    }
    normalize_text(raw).is_empty()
}

/// [`normalize_text`] without any whitespace at all: for identifiers people type in
/// blocks (`DE89 3704 0044 …`, `36 574 261 809`).
pub fn normalize_compact(raw: &str) -> String {
    nfc(raw).filter(|c| !c.is_whitespace()).collect()
}

/// [`normalize_compact`] in upper case: the IBAN's electronic format (ISO 13616).
pub fn normalize_iban(raw: &str) -> String {
    super::case::to_upper(&normalize_compact(raw))
}

/// Length in Unicode code points after NFC: what `min_length`/`max_length` and `len()`
/// count (docs/form-language.md#input-normalisation).
pub fn char_len(s: &str) -> usize {
    if is_nfc(s) {
        return s.chars().count();
    }
    nfc(s).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_nfc_and_trimmed() {
        // "e" + combining acute becomes one code point.
        assert_eq!(normalize_text("  Re\u{301}ne \n"), "R\u{e9}ne");
        assert_eq!(normalize_text("a  b"), "a  b");
        assert_eq!(normalize_text(" \t "), "");
    }

    /// The shortcut for text already in NFC gives what the composition gives: ASCII,
    /// composed and decomposed umlauts, a character whose quick check says "maybe", and
    /// blanks of every kind.
    #[test]
    fn text_already_in_nfc_is_taken_as_it_is() {
        for raw in ["Straße 1", " Müller ", "Mu\u{308}ller", "\u{1100}\u{1161}", "a\u{301}", "\u{a0}\u{2003}", "", " x\u{300} "] {
            let composed: String = nfc(raw).collect::<String>().trim().to_string();
            assert_eq!(normalize_text(raw), composed, "{raw:?}");
            assert_eq!(normalized(raw), composed, "{raw:?}");
            assert_eq!(is_blank_text(raw), composed.is_empty(), "{raw:?}");
            assert_eq!(char_len(raw), nfc(raw).count(), "{raw:?}");
        }
    }

    #[test]
    fn compact_removes_all_whitespace() {
        assert_eq!(normalize_compact(" 36 574 261\u{a0}809 "), "36574261809");
        assert_eq!(normalize_compact("a\tb\nc"), "abc");
    }

    #[test]
    fn iban_is_compact_upper_case() {
        assert_eq!(normalize_iban(" de89 3704 0044 0532 0130 00"), "DE89370400440532013000");
    }

    #[test]
    fn length_counts_code_points_after_nfc() {
        assert_eq!(char_len("Re\u{301}ne"), 4);
        assert_eq!(char_len("Straße"), 6);
        assert_eq!(char_len(""), 0);
    }
}
