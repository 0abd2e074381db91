//! The few words of the view that are not the author's: an entry's generic name and how to
//! write a date, in German and English (English for `en`, German otherwise, as the server's
//! interface texts).

/// "Eintrag"/"Entry": an entry of a repeated group, before its number.
pub fn entry(lang: &str) -> &'static str {
    if lang == "en" { "Entry" } else { "Eintrag" }
}

/// The hint of a date field without one of its own.
pub fn date_hint(lang: &str) -> &'static str {
    if lang == "en" { "For example 27/03/2026" } else { "Zum Beispiel 27.03.2026" }
}
