//! Default validation messages (docs/form-language.md#validation) in German and English, one for every check code.
//!
//! Authors may override them per field (`messages:`); these are what a citizen reads
//! otherwise, so they say what to do, plainly and politely, and name the bound
//! ("höchstens 60 Zeichen"), following GOV.UK and BFIT-Bund guidance. Languages other
//! than `de` get English.

use serde::{Deserialize, Serialize};

use crate::field_type::FieldType;

/// The stable code of a check (docs/form-language.md#check-order), in the order built-in checks are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
// Exhaustive for the workspace's own front ends (`internals`), which must handle a new
// variant; non-exhaustive for embeddings, which must not break on one.
#[cfg_attr(not(feature = "internals"), non_exhaustive)]
pub enum CheckCode {
    /// A blank field that must be answered (a consent that must be ticked).
    Required,
    /// Not a value of the field's type: no number, no real date.
    Type,
    /// Wrong syntax for `email`, `phone`, `plz`, `iban`, `steuer_id`.
    Format,
    /// A choice that is not among the options shown.
    Option,
    /// Below `min` (a value, a date, or how many items of a `multi_choice`).
    Min,
    /// Above `max`.
    Max,
    /// Fewer characters than `min_length`.
    MinLength,
    /// More characters than `max_length` (or the default limit).
    MaxLength,
    /// Does not match `pattern`.
    Pattern,
    /// Too many places after the decimal point.
    Decimals,
    /// Too few or too many entries of a repeated group.
    Count,
    /// A file whose content is not of an accepted type.
    FileType,
    /// A file larger than `max_size`.
    FileSize,
    /// An author's rule that does not hold.
    Rule,
}

impl CheckCode {
    /// Every code, in the order of docs/form-language.md#check-order.
    pub const ALL: [CheckCode; 14] = [
        CheckCode::Required,
        CheckCode::Type,
        CheckCode::Format,
        CheckCode::Option,
        CheckCode::Min,
        CheckCode::Max,
        CheckCode::MinLength,
        CheckCode::MaxLength,
        CheckCode::Pattern,
        CheckCode::Decimals,
        CheckCode::Count,
        CheckCode::FileType,
        CheckCode::FileSize,
        CheckCode::Rule,
    ];

    /// The code as written in problems, `messages:` keys and scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckCode::Required => "required",
            CheckCode::Type => "type",
            CheckCode::Format => "format",
            CheckCode::Option => "option",
            CheckCode::Min => "min",
            CheckCode::Max => "max",
            CheckCode::MinLength => "min_length",
            CheckCode::MaxLength => "max_length",
            CheckCode::Pattern => "pattern",
            CheckCode::Decimals => "decimals",
            CheckCode::Count => "count",
            CheckCode::FileType => "file_type",
            CheckCode::FileSize => "file_size",
            CheckCode::Rule => "rule",
        }
    }
}

/// Which bound of a repeated group's `repeat` failed, for `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountBound {
    /// Fewer non-empty entries than `repeat.min`.
    #[default]
    Min,
    /// More non-empty entries than `repeat.max`.
    Max,
}

/// What one entry of a repeated group is called, in the session's language
/// (`Hund`/`Hunde`), for `count` messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntryWord {
    /// Singular, used with the bound 1.
    pub one: String,
    /// Plural.
    pub many: String,
}

/// What a default message needs to be specific.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageCtx {
    /// The field's kind (a group's `count` ignores it).
    pub kind: FieldType,
    /// The failing bound, already displayed in the session's language (`60`, `1.000`,
    /// `22.11.2026`, `1.000,00`, `5 MB`): for `min`, `max`, `min_length`, `max_length`,
    /// `decimals`, `count` and `file_size`.
    pub bound: Option<String>,
    /// For `count`: whether too few or too many entries.
    pub count_bound: CountBound,
    /// For `count`: the group's word for an entry; default "Eintrag"/"entry".
    pub entry: Option<EntryWord>,
    /// For `file_type`: the field's `accept` list.
    pub accept: Vec<String>,
    /// For `type` on a date: written as a date, but there is no such day (`31.02.1980`).
    pub no_such_day: bool,
    /// The field's label as the citizen reads it, so that a message in the error summary
    /// says which field it is about ("Bitte geben Sie „Nachname“ an."). Long labels are
    /// shortened (see [`short_label`]); without one the message speaks of "this field".
    pub label: Option<Box<str>>,
}

impl MessageCtx {
    /// A context for a field of `kind` with nothing else.
    pub fn new(kind: FieldType) -> Self {
        MessageCtx { kind, ..MessageCtx::default() }
    }

    /// Adds the displayed bound.
    pub fn with_bound(mut self, bound: impl Into<String>) -> Self {
        self.bound = Some(bound.into());
        self
    }
}

/// The built-in message for `code` in language `lang` (`de`, otherwise English).
///
/// With a label in `ctx`, the message names the field, as GOV.UK asks of every error
/// message: the error summary lists messages away from their fields, and "Bitte füllen
/// Sie dieses Feld aus." there does not say which one.
pub fn default_message(code: CheckCode, ctx: &MessageCtx, lang: &str) -> String {
    let de = lang == "de";
    let Some(label) = ctx.label.as_deref().map(short_label).filter(|l| !l.is_empty()) else {
        return if de { german(code, ctx) } else { english(code, ctx) };
    };
    let quoted = if de { format!("„{label}“") } else { format!("“{label}”") };
    // Required has sentences of its own: "this field" becomes the field's name.
    if code == CheckCode::Required
        && let Some(m) = required_named(ctx.kind, &quoted, de)
    {
        return m;
    }
    if code == CheckCode::Pattern && !de {
        return format!("Enter {quoted} in the format asked for.");
    }
    let plain = if de { german(code, ctx) } else { english(code, ctx) };
    if de { name_german(&plain, &quoted) } else { name_english(&plain, &quoted) }
}

/// The longest label a message quotes whole (characters); a longer one (a consent's
/// whole declaration) is cut at a word and ends with "…".
const LABEL_CHARS: usize = 60;

/// A label short enough to quote in a message: whitespace collapsed, cut after
/// [`LABEL_CHARS`] characters at the last word boundary, a trailing colon dropped.
pub fn short_label(label: &str) -> String {
    let words: Vec<&str> = label.split_whitespace().collect();
    let mut out = String::new();
    for w in &words {
        let add = if out.is_empty() { w.chars().count() } else { w.chars().count() + 1 };
        if out.chars().count() + add > LABEL_CHARS {
            if out.is_empty() {
                out = w.chars().take(LABEL_CHARS).collect();
            }
            let cut = out.trim_end_matches([',', ';', ':', '.', ' ']).to_string();
            return format!("{cut} …");
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out.trim_end_matches(':').to_string()
}

/// `required` naming the field; `None` where the general rule reads well.
fn required_named(kind: FieldType, l: &str, de: bool) -> Option<String> {
    use FieldType as K;
    Some(match (kind, de) {
        (K::Text | K::Textarea, true) => format!("Bitte geben Sie {l} an."),
        (K::Text | K::Textarea, false) => format!("Enter {l}."),
        (K::Consent, true) => format!("Bitte bestätigen Sie {l} mit einem Häkchen."),
        (K::Consent, false) => format!("Tick the box to confirm {l}."),
        _ => return None,
    })
}

/// Puts the quoted label into a German default message: "Bitte geben Sie bei „Alter“
/// eine Zahl ein.", "Der Betrag bei „Gebühr“ muss …", "Sie können bei „Hunde“ höchstens
/// …"; any other sentence gets the label in front.
fn name_german(msg: &str, l: &str) -> String {
    // "Bitte <verb> Sie …" and "Sie können …": after the subject.
    for lead in ["Bitte geben Sie ", "Bitte wählen Sie ", "Bitte laden Sie ", "Bitte prüfen Sie ", "Bitte entfernen Sie ", "Sie können "]
    {
        if let Some(rest) = msg.strip_prefix(lead) {
            return format!("{lead}bei {l} {rest}");
        }
    }
    // "Der Betrag …", "Das Datum …", "Die Datei …": after the noun.
    for lead in ["Der Betrag ", "Das Datum ", "Der Wert ", "Die Angabe ", "Die Datei "] {
        if let Some(rest) = msg.strip_prefix(lead) {
            return format!("{lead}bei {l} {rest}");
        }
    }
    format!("{l}: {msg}")
}

/// Puts the quoted label into an English default message: "Enter a number for “Age”.",
/// "The amount for “Fee” must …"; any other sentence gets the label in front.
fn name_english(msg: &str, l: &str) -> String {
    for lead in ["The amount ", "The date ", "The number ", "The value ", "The answer ", "The file "] {
        if let Some(rest) = msg.strip_prefix(lead) {
            return format!("{lead}for {l} {rest}");
        }
    }
    let imperative = ["Enter ", "Select ", "Upload ", "Check ", "Add ", "Remove ", "Fill in ", "Tick "].iter().any(|v| msg.starts_with(v));
    // The first sentence ends at the first ". " or at the end.
    if imperative {
        // Before an example (", like name@example.com") rather than after it.
        let end = msg.find(", like ").or_else(|| msg.find(". ")).unwrap_or(msg.len() - usize::from(msg.ends_with('.')));
        return format!("{} for {l}{}", &msg[..end], &msg[end..]);
    }
    format!("{l}: {msg}")
}

fn german(code: CheckCode, ctx: &MessageCtx) -> String {
    use FieldType as K;
    let b = ctx.bound.as_deref();
    let one = b == Some("1");
    match code {
        CheckCode::Required => match ctx.kind {
            // A group (its `messages:`) reads like a text field, as nobody types into the others.
            K::Text | K::Textarea | K::Computed | K::Group | K::Info => "Bitte füllen Sie dieses Feld aus.",
            K::Number | K::Integer => "Bitte geben Sie eine Zahl ein.",
            K::Money => "Bitte geben Sie einen Betrag ein.",
            K::Date => "Bitte geben Sie ein Datum ein.",
            K::Boolean => "Bitte wählen Sie Ja oder Nein.",
            K::Consent => "Bitte bestätigen Sie dies mit einem Häkchen.",
            K::Choice => "Bitte wählen Sie eine Antwort aus.",
            K::MultiChoice => "Bitte wählen Sie mindestens eine Antwort aus.",
            K::Email => "Bitte geben Sie eine E-Mail-Adresse ein.",
            K::Phone => "Bitte geben Sie eine Telefonnummer ein.",
            K::Plz => "Bitte geben Sie eine Postleitzahl ein.",
            K::Iban => "Bitte geben Sie eine IBAN ein.",
            K::SteuerId => "Bitte geben Sie die Steuer-Identifikationsnummer ein.",
            K::File => "Bitte laden Sie eine Datei hoch.",
        }
        .into(),
        CheckCode::Type => match ctx.kind {
            K::Number => "Bitte geben Sie eine Zahl ein.",
            K::Integer => "Bitte geben Sie eine ganze Zahl ein.",
            K::Money => "Bitte geben Sie einen Betrag in Euro ein.",
            K::Date if ctx.no_such_day => "Bitte prüfen Sie das Datum: Diesen Tag gibt es nicht.",
            K::Date => "Bitte geben Sie ein gültiges Datum im Format TT.MM.JJJJ ein.",
            K::Boolean => "Bitte wählen Sie Ja oder Nein.",
            _ => "Bitte prüfen Sie Ihre Angabe.",
        }
        .into(),
        CheckCode::Format => match ctx.kind {
            K::Email => "Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@example.com.",
            K::Phone => "Bitte geben Sie eine gültige Telefonnummer ein. Erlaubt sind Ziffern, Leerzeichen und + / - ( ).",
            K::Plz => "Bitte geben Sie eine fünfstellige Postleitzahl ein.",
            K::Iban => "Bitte geben Sie eine gültige IBAN ein.",
            K::SteuerId => "Bitte geben Sie eine gültige Steuer-Identifikationsnummer (11 Ziffern) ein.",
            _ => "Bitte prüfen Sie die Schreibweise Ihrer Angabe.",
        }
        .into(),
        CheckCode::Option => match ctx.kind {
            K::MultiChoice => "Bitte wählen Sie nur aus den angezeigten Antworten aus.",
            _ => "Bitte wählen Sie eine der angezeigten Antworten aus.",
        }
        .into(),
        CheckCode::Min | CheckCode::Max => {
            let min = code == CheckCode::Min;
            let Some(b) = b else {
                return if min { "Der Wert ist zu klein." } else { "Der Wert ist zu groß." }.into();
            };
            match (ctx.kind, min) {
                (K::Money, true) => format!("Der Betrag muss mindestens {b} Euro sein."),
                (K::Money, false) => format!("Der Betrag darf höchstens {b} Euro sein."),
                (K::Date, true) => format!("Das Datum darf nicht vor dem {b} liegen."),
                (K::Date, false) => format!("Das Datum darf nicht nach dem {b} liegen."),
                (K::MultiChoice, true) => format!("Bitte wählen Sie mindestens {b} aus."),
                (K::MultiChoice, false) => format!("Bitte wählen Sie höchstens {b} aus."),
                (_, true) => format!("Der Wert muss mindestens {b} sein."),
                (_, false) => format!("Der Wert darf höchstens {b} sein."),
            }
        }
        CheckCode::MinLength => match b {
            Some(b) => format!("Bitte geben Sie mindestens {b} Zeichen ein."),
            None => "Die Angabe ist zu kurz.".into(),
        },
        CheckCode::MaxLength => match b {
            Some(b) => format!("Bitte geben Sie höchstens {b} Zeichen ein."),
            None => "Die Angabe ist zu lang.".into(),
        },
        CheckCode::Pattern => "Bitte geben Sie die Angabe im vorgesehenen Format ein.".into(),
        CheckCode::Decimals => {
            let places = match b {
                Some("0") => return "Bitte geben Sie eine Zahl ohne Nachkommastellen ein.".into(),
                Some(b) if one => format!("höchstens {b} Nachkommastelle"),
                Some(b) => format!("höchstens {b} Nachkommastellen"),
                None => "weniger Nachkommastellen".into(),
            };
            if ctx.kind == K::Money {
                format!("Bitte geben Sie den Betrag mit {places} ein.")
            } else {
                format!("Bitte geben Sie die Zahl mit {places} ein.")
            }
        }
        CheckCode::Count => {
            let word = match (&ctx.entry, one) {
                (Some(w), true) => w.one.as_str(),
                (Some(w), false) => w.many.as_str(),
                (None, true) => "Eintrag",
                (None, false) => "Einträge",
            };
            match (ctx.count_bound, b) {
                (CountBound::Min, Some(b)) => format!("Bitte geben Sie mindestens {b} {word} an."),
                (CountBound::Max, Some(b)) => format!("Sie können höchstens {b} {word} angeben."),
                (CountBound::Min, None) => "Bitte geben Sie weitere Einträge an.".into(),
                (CountBound::Max, None) => "Bitte entfernen Sie überzählige Einträge.".into(),
            }
        }
        CheckCode::FileType => match type_list(&ctx.accept, true) {
            Some(list) => format!("Bitte laden Sie die Datei als {list} hoch."),
            None => "Diese Art von Datei ist nicht erlaubt.".into(),
        },
        CheckCode::FileSize => match b {
            Some(b) => format!("Die Datei ist zu groß. Bitte laden Sie eine Datei mit höchstens {b} hoch."),
            None => "Die Datei ist zu groß.".into(),
        },
        CheckCode::Rule => "Die Angabe ist nicht zulässig.".into(),
    }
}

fn english(code: CheckCode, ctx: &MessageCtx) -> String {
    use FieldType as K;
    let b = ctx.bound.as_deref();
    let one = b == Some("1");
    match code {
        CheckCode::Required => match ctx.kind {
            K::Text | K::Textarea | K::Computed | K::Group | K::Info => "Fill in this field.",
            K::Number | K::Integer => "Enter a number.",
            K::Money => "Enter an amount.",
            K::Date => "Enter a date.",
            K::Boolean => "Select yes or no.",
            K::Consent => "Tick the box to confirm.",
            K::Choice => "Select an answer.",
            K::MultiChoice => "Select at least one answer.",
            K::Email => "Enter an email address.",
            K::Phone => "Enter a phone number.",
            K::Plz => "Enter a postcode.",
            K::Iban => "Enter an IBAN.",
            K::SteuerId => "Enter the tax identification number (Steuer-ID).",
            K::File => "Upload a file.",
        }
        .into(),
        CheckCode::Type => match ctx.kind {
            K::Number => "Enter a number.",
            K::Integer => "Enter a whole number.",
            K::Money => "Enter an amount in euros.",
            K::Date if ctx.no_such_day => "Check the date: there is no such day.",
            K::Date => "Enter a real date in the format DD.MM.YYYY.",
            K::Boolean => "Select yes or no.",
            _ => "Check your answer.",
        }
        .into(),
        CheckCode::Format => match ctx.kind {
            K::Email => "Enter an email address in the correct format, like name@example.com.",
            K::Phone => "Enter a valid phone number. Use only digits, spaces and + / - ( ).",
            K::Plz => "Enter a German postcode with 5 digits.",
            K::Iban => "Enter a valid IBAN.",
            K::SteuerId => "Enter a valid tax identification number (11 digits).",
            _ => "Check how your answer is written.",
        }
        .into(),
        CheckCode::Option => match ctx.kind {
            K::MultiChoice => "Select only from the answers shown.",
            _ => "Select one of the answers shown.",
        }
        .into(),
        CheckCode::Min | CheckCode::Max => {
            let min = code == CheckCode::Min;
            let Some(b) = b else {
                return if min { "The value is too small." } else { "The value is too large." }.into();
            };
            let answers = if one { "answer" } else { "answers" };
            match (ctx.kind, min) {
                (K::Money, true) => format!("The amount must be €{b} or more."),
                (K::Money, false) => format!("The amount must be €{b} or less."),
                (K::Date, true) => format!("The date must be on or after {b}."),
                (K::Date, false) => format!("The date must be on or before {b}."),
                (K::MultiChoice, true) => format!("Select at least {b} {answers}."),
                (K::MultiChoice, false) => format!("Select no more than {b} {answers}."),
                (_, true) => format!("The number must be {b} or more."),
                (_, false) => format!("The number must be {b} or less."),
            }
        }
        CheckCode::MinLength => match b {
            Some(b) if one => format!("Enter at least {b} character."),
            Some(b) => format!("Enter at least {b} characters."),
            None => "The answer is too short.".into(),
        },
        CheckCode::MaxLength => match b {
            Some(b) if one => format!("Enter no more than {b} character."),
            Some(b) => format!("Enter no more than {b} characters."),
            None => "The answer is too long.".into(),
        },
        CheckCode::Pattern => "Enter the answer in the format asked for.".into(),
        CheckCode::Decimals => {
            let places = match b {
                Some("0") => return "Enter a number without decimal places.".into(),
                Some(b) if one => format!("no more than {b} decimal place"),
                Some(b) => format!("no more than {b} decimal places"),
                None => "fewer decimal places".into(),
            };
            if ctx.kind == K::Money { format!("Enter the amount with {places}.") } else { format!("Enter the number with {places}.") }
        }
        CheckCode::Count => {
            let word = match (&ctx.entry, one) {
                (Some(w), true) => w.one.as_str(),
                (Some(w), false) => w.many.as_str(),
                (None, true) => "entry",
                (None, false) => "entries",
            };
            match (ctx.count_bound, b) {
                (CountBound::Min, Some(b)) => format!("Add at least {b} {word}."),
                (CountBound::Max, Some(b)) => format!("You can add no more than {b} {word}."),
                (CountBound::Min, None) => "Add more entries.".into(),
                (CountBound::Max, None) => "Remove the entries you do not need.".into(),
            }
        }
        CheckCode::FileType => match type_list(&ctx.accept, false) {
            Some(list) => format!("Upload the file as {list}."),
            None => "This type of file is not allowed.".into(),
        },
        CheckCode::FileSize => match b {
            Some(b) => format!("The file is too large. It must be {b} or smaller."),
            None => "The file is too large.".into(),
        },
        CheckCode::Rule => "This answer is not allowed.".into(),
    }
}

/// The accepted types as people know them, joined "A, B oder C"; `None` for an empty
/// list.
fn type_list(accept: &[String], german: bool) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    for mime in accept {
        let name = friendly_type(mime, german);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let (last, rest) = names.split_last()?;
    if rest.is_empty() {
        return Some(last.clone());
    }
    let and_or = if german { "oder" } else { "or" };
    Some(format!("{} {and_or} {last}", rest.join(", ")))
}

/// The name a citizen knows a file type by (`PDF`, not `application/pdf`).
fn friendly_type(mime: &str, german: bool) -> String {
    let essence = mime.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let name = match essence.as_str() {
        "application/pdf" => "PDF",
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "JPEG",
        "image/png" => "PNG",
        "image/gif" => "GIF",
        "image/webp" => "WebP",
        "image/tiff" => "TIFF",
        "image/heic" => "HEIC",
        "image/heif" => "HEIF",
        "image/avif" => "AVIF",
        "image/svg+xml" => "SVG",
        "application/zip" => "ZIP",
        "application/vnd.oasis.opendocument.text" => "ODT",
        "application/vnd.oasis.opendocument.spreadsheet" => "ODS",
        "application/vnd.oasis.opendocument.presentation" => "ODP",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "Word (DOCX)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "Excel (XLSX)",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "PowerPoint (PPTX)",
        "text/plain" if german => "Textdatei (TXT)",
        "text/plain" => "text file (TXT)",
        "image/*" if german => "Bild",
        "image/*" => "image",
        "text/*" if german => "Textdatei",
        "text/*" => "text file",
        "*/*" if german => "beliebige Datei",
        "*/*" => "any file",
        _ => return mime.trim().to_string(),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    fn msg(code: CheckCode, ctx: &MessageCtx, lang: &str) -> String {
        default_message(code, ctx, lang)
    }

    #[test]
    fn codes_round_trip() {
        for code in CheckCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: CheckCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, code);
        }
        assert_eq!(CheckCode::MinLength.as_str(), "min_length");
        assert_eq!(CheckCode::FileType.as_str(), "file_type");
        // ALL is in the order of docs/form-language.md#check-order and complete.
        let mut sorted = CheckCode::ALL;
        sorted.sort();
        assert_eq!(sorted, CheckCode::ALL);
    }

    #[test]
    fn every_code_has_german_and_english() {
        for code in CheckCode::ALL {
            let ctx = MessageCtx::new(FieldType::Number).with_bound("2");
            let de = msg(code, &ctx, "de");
            let en = msg(code, &ctx, "en");
            assert!(!de.is_empty() && !en.is_empty());
            assert_ne!(de, en, "{code:?}");
            assert!(de.ends_with('.') && en.ends_with('.'), "{de} / {en}");
        }
    }

    #[test]
    fn type_messages_name_the_kind() {
        let t = |k| msg(CheckCode::Type, &MessageCtx::new(k), "de");
        assert_eq!(t(FieldType::Number), "Bitte geben Sie eine Zahl ein.");
        assert!(t(FieldType::Date).contains("ein gültiges Datum im Format TT.MM.JJJJ"));
        assert!(t(FieldType::Money).contains("einen Betrag in Euro"));
        assert!(t(FieldType::Integer).contains("eine ganze Zahl"));
        assert_eq!(msg(CheckCode::Type, &MessageCtx::new(FieldType::Integer), "en"), "Enter a whole number.");
    }

    #[test]
    fn format_messages_name_the_format() {
        let f = |k| msg(CheckCode::Format, &MessageCtx::new(k), "de");
        assert!(f(FieldType::Iban).contains("eine gültige IBAN"));
        assert!(f(FieldType::Plz).contains("eine fünfstellige Postleitzahl"));
        assert!(f(FieldType::Email).contains("eine gültige E-Mail-Adresse"));
        assert!(f(FieldType::Phone).contains("eine gültige Telefonnummer"));
        assert!(f(FieldType::SteuerId).contains("eine gültige Steuer-Identifikationsnummer (11 Ziffern)"));
    }

    #[test]
    fn bounds_are_named() {
        let ctx = MessageCtx::new(FieldType::Text).with_bound("60");
        assert_eq!(msg(CheckCode::MaxLength, &ctx, "de"), "Bitte geben Sie höchstens 60 Zeichen ein.");
        assert_eq!(msg(CheckCode::MaxLength, &ctx, "en"), "Enter no more than 60 characters.");
        let ctx = MessageCtx::new(FieldType::Number).with_bound("1.000");
        assert_eq!(msg(CheckCode::Max, &ctx, "de"), "Der Wert darf höchstens 1.000 sein.");
        let ctx = MessageCtx::new(FieldType::Date).with_bound("22.11.2026");
        assert_eq!(msg(CheckCode::Max, &ctx, "de"), "Das Datum darf nicht nach dem 22.11.2026 liegen.");
        let ctx = MessageCtx::new(FieldType::Date).with_bound("22 November 2026");
        assert_eq!(msg(CheckCode::Min, &ctx, "en"), "The date must be on or after 22 November 2026.");
        let ctx = MessageCtx::new(FieldType::MultiChoice).with_bound("2");
        assert_eq!(msg(CheckCode::Min, &ctx, "de"), "Bitte wählen Sie mindestens 2 aus.");
        let ctx = MessageCtx::new(FieldType::Number).with_bound("2");
        assert!(msg(CheckCode::Decimals, &ctx, "de").contains("höchstens 2 Nachkommastellen"));
        let ctx = MessageCtx::new(FieldType::File).with_bound("5 MB");
        assert!(msg(CheckCode::FileSize, &ctx, "de").contains("höchstens 5 MB"));
    }

    #[test]
    fn count_uses_the_entry_word() {
        let min = MessageCtx::new(FieldType::Text).with_bound("1");
        assert!(msg(CheckCode::Count, &min, "de").contains("mindestens 1 Eintrag "));
        let max = MessageCtx { count_bound: CountBound::Max, ..MessageCtx::new(FieldType::Text).with_bound("5") };
        assert!(msg(CheckCode::Count, &max, "de").contains("höchstens 5 Einträge"));
        let dogs = MessageCtx {
            entry: Some(EntryWord { one: "Hund".into(), many: "Hunde".into() }),
            ..MessageCtx::new(FieldType::Text).with_bound("2")
        };
        assert_eq!(msg(CheckCode::Count, &dogs, "de"), "Bitte geben Sie mindestens 2 Hunde an.");
    }

    #[test]
    fn file_types_listed_in_a_friendly_way() {
        let ctx = MessageCtx {
            accept: vec!["application/pdf".into(), "image/jpeg".into(), "image/jpg".into(), "image/png".into()],
            ..MessageCtx::new(FieldType::File)
        };
        assert_eq!(msg(CheckCode::FileType, &ctx, "de"), "Bitte laden Sie die Datei als PDF, JPEG oder PNG hoch.");
        assert_eq!(msg(CheckCode::FileType, &ctx, "en"), "Upload the file as PDF, JPEG or PNG.");
        let one = MessageCtx { accept: vec!["application/pdf".into()], ..MessageCtx::new(FieldType::File) };
        assert_eq!(msg(CheckCode::FileType, &one, "de"), "Bitte laden Sie die Datei als PDF hoch.");
    }

    #[test]
    fn rule_has_a_generic_default_and_other_languages_get_english() {
        let ctx = MessageCtx::default();
        assert_eq!(msg(CheckCode::Rule, &ctx, "de"), "Die Angabe ist nicht zulässig.");
        assert_eq!(msg(CheckCode::Rule, &ctx, "en"), "This answer is not allowed.");
        assert_eq!(msg(CheckCode::Rule, &ctx, "fr"), "This answer is not allowed.");
        assert_eq!(msg(CheckCode::Required, &MessageCtx::new(FieldType::Email), "tr"), "Enter an email address.");
    }

    #[test]
    fn messages_name_their_field() {
        let named = |k, label: &str| MessageCtx { label: Some(label.into()), ..MessageCtx::new(k) };
        assert_eq!(msg(CheckCode::Required, &named(FieldType::Text, "Nachname"), "de"), "Bitte geben Sie „Nachname“ an.");
        assert_eq!(msg(CheckCode::Required, &named(FieldType::Text, "Last name"), "en"), "Enter “Last name”.");
        assert_eq!(
            msg(CheckCode::Required, &named(FieldType::Boolean, "Gilt als gefährlicher Hund"), "de"),
            "Bitte wählen Sie bei „Gilt als gefährlicher Hund“ Ja oder Nein."
        );
        assert_eq!(msg(CheckCode::Format, &named(FieldType::Iban, "IBAN"), "de"), "Bitte geben Sie bei „IBAN“ eine gültige IBAN ein.");
        assert_eq!(
            msg(CheckCode::Format, &named(FieldType::Phone, "Phone"), "en"),
            "Enter a valid phone number for “Phone”. Use only digits, spaces and + / - ( )."
        );
        let max = MessageCtx { label: Some("Gebühr".into()), ..MessageCtx::new(FieldType::Money).with_bound("100,00") };
        assert_eq!(msg(CheckCode::Max, &max, "de"), "Der Betrag bei „Gebühr“ darf höchstens 100,00 Euro sein.");
        // Without a label (or a blank one) the message stays general.
        assert_eq!(msg(CheckCode::Required, &named(FieldType::Text, "  "), "de"), "Bitte füllen Sie dieses Feld aus.");
        assert_eq!(msg(CheckCode::Required, &MessageCtx::new(FieldType::Text), "de"), "Bitte füllen Sie dieses Feld aus.");
    }

    #[test]
    fn long_labels_are_shortened_at_a_word() {
        let consent = "Ich bestätige, dass meine Angaben vollständig und richtig sind und ich die Hinweise zum Datenschutz gelesen habe.";
        let m = msg(CheckCode::Required, &MessageCtx { label: Some(consent.into()), ..MessageCtx::new(FieldType::Consent) }, "de");
        assert_eq!(m, "Bitte bestätigen Sie „Ich bestätige, dass meine Angaben vollständig und richtig …“ mit einem Häkchen.");
        assert_eq!(short_label("Name:"), "Name");
        assert_eq!(short_label("  Vor-   und Nachname "), "Vor- und Nachname");
        assert_eq!(short_label(&"x".repeat(80)).chars().count(), LABEL_CHARS + 2);
    }

    #[test]
    fn an_impossible_date_is_no_such_day_not_a_wrong_format() {
        let ctx = MessageCtx { no_such_day: true, ..MessageCtx::new(FieldType::Date) };
        assert_eq!(msg(CheckCode::Type, &ctx, "de"), "Bitte prüfen Sie das Datum: Diesen Tag gibt es nicht.");
        assert_eq!(msg(CheckCode::Type, &ctx, "en"), "Check the date: there is no such day.");
        assert!(msg(CheckCode::Type, &MessageCtx::new(FieldType::Date), "de").contains("im Format TT.MM.JJJJ"));
    }

    /// Every default message, as a citizen would read them, in both languages.
    #[test]
    fn all_default_messages() {
        // Every type that takes input (the others have no messages of their own).
        let kinds: Vec<FieldType> = FieldType::ALL.into_iter().filter(|t| t.is_input()).collect();
        let mut out = String::new();
        for lang in ["de", "en"] {
            writeln!(out, "## {lang}").unwrap();
            let de = lang == "de";
            for code in CheckCode::ALL {
                let mut cases: Vec<(String, MessageCtx)> = Vec::new();
                match code {
                    CheckCode::Required | CheckCode::Type | CheckCode::Format | CheckCode::Option => {
                        use FieldType as K;
                        // The kinds each code is reported for, and `Text` as the fallback.
                        let relevant: &[FieldType] = match code {
                            CheckCode::Required => &kinds,
                            CheckCode::Type => &[K::Number, K::Integer, K::Money, K::Date, K::Boolean, K::Text],
                            CheckCode::Format => &[K::Email, K::Phone, K::Plz, K::Iban, K::SteuerId, K::Text],
                            _ => &[K::Choice, K::MultiChoice],
                        };
                        for &k in relevant {
                            cases.push((format!("{k:?}"), MessageCtx::new(k)));
                        }
                        if code == CheckCode::Type {
                            cases.push(("Date, no such day".into(), MessageCtx { no_such_day: true, ..MessageCtx::new(K::Date) }));
                        }
                    }
                    CheckCode::Min | CheckCode::Max => {
                        let bounds = [
                            (FieldType::Number, if de { "1.000" } else { "1,000" }),
                            (FieldType::Integer, "18"),
                            (FieldType::Money, if de { "1.000,00" } else { "1,000.00" }),
                            (FieldType::Date, if de { "22.11.2026" } else { "22 November 2026" }),
                            (FieldType::MultiChoice, "1"),
                            (FieldType::MultiChoice, "2"),
                        ];
                        for (k, b) in bounds {
                            cases.push((format!("{k:?} {b}"), MessageCtx::new(k).with_bound(b)));
                        }
                        cases.push(("Number, no bound".into(), MessageCtx::new(FieldType::Number)));
                    }
                    CheckCode::MinLength | CheckCode::MaxLength => {
                        for b in ["1", "60"] {
                            cases.push((format!("Text {b}"), MessageCtx::new(FieldType::Text).with_bound(b)));
                        }
                    }
                    CheckCode::Decimals => {
                        for (k, b) in
                            [(FieldType::Number, "0"), (FieldType::Number, "1"), (FieldType::Number, "2"), (FieldType::Money, "2")]
                        {
                            cases.push((format!("{k:?} {b}"), MessageCtx::new(k).with_bound(b)));
                        }
                    }
                    CheckCode::Count => {
                        let dog = if de {
                            EntryWord { one: "Hund".into(), many: "Hunde".into() }
                        } else {
                            EntryWord { one: "dog".into(), many: "dogs".into() }
                        };
                        for (side, b, entry) in [
                            (CountBound::Min, "1", None),
                            (CountBound::Max, "5", None),
                            (CountBound::Min, "1", Some(dog.clone())),
                            (CountBound::Max, "3", Some(dog)),
                        ] {
                            let label = format!("{side:?} {b} {}", entry.as_ref().map_or("-", |e| e.many.as_str()));
                            let ctx = MessageCtx { count_bound: side, entry, ..MessageCtx::default().with_bound(b) };
                            cases.push((label, ctx));
                        }
                    }
                    CheckCode::FileType => {
                        for accept in [
                            vec!["application/pdf"],
                            vec!["application/pdf", "image/jpeg", "image/png"],
                            vec!["application/pdf", "image/*"],
                            vec![
                                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                "application/vnd.oasis.opendocument.text",
                                "text/plain",
                            ],
                            vec![],
                        ] {
                            let ctx =
                                MessageCtx { accept: accept.iter().map(|s| s.to_string()).collect(), ..MessageCtx::new(FieldType::File) };
                            cases.push((format!("{accept:?}"), ctx));
                        }
                    }
                    CheckCode::FileSize => {
                        cases.push(("5 MB".into(), MessageCtx::new(FieldType::File).with_bound("5 MB")));
                    }
                    CheckCode::Pattern | CheckCode::Rule => cases.push(("Text".into(), MessageCtx::new(FieldType::Text))),
                }
                for (label, ctx) in cases {
                    writeln!(out, "{} [{label}]: {}", code.as_str(), default_message(code, &ctx, lang)).unwrap();
                    // The same message naming its field, as the error summary shows it.
                    let named = MessageCtx { label: Some(if de { "Nachname" } else { "Last name" }.into()), ..ctx };
                    writeln!(out, "{} [{label}, named]: {}", code.as_str(), default_message(code, &named, lang)).unwrap();
                }
            }
        }
        insta::assert_snapshot!(out);
    }
}
