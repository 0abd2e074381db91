//! Reading one field's input: normalisation, the value expressions see, and the failed
//! built-in checks (§4 types table and normalisation, §6 "Empty", §9 order).
//!
//! This is the single place that turns what a citizen typed into a [`Value`], so the
//! rules "what is blank", "which failures empty the value" and "in which order problems
//! are reported" are decided once. It knows nothing of sessions, activity, `required`,
//! defaults or rules: the caller evaluates the bounds and option conditions, passes them
//! in, and decides `required` from [`Checked::blank`].

use rust_decimal::Decimal;

use crate::checks::{
    CheckCode, FieldKind, MessageCtx, char_len, decimals_of, default_message, display_date, display_money, display_number, is_integer,
    is_valid_email, is_valid_iban, is_valid_phone, is_valid_plz, is_valid_steuer_id, mime_matches, normalize_compact, normalize_iban,
    normalize_text, parse_date, parse_number,
};
use crate::form::{Field, FieldType};
use crate::session::Input;
use crate::value::{FileRef, Value};

/// Evaluated bounds of a field (Empty = not checked).
///
/// `Number` for `number`/`integer`/`money` and for the item count of a `multi_choice`,
/// `Date` for `date`; a bound of another type is not checked (the compiler's type
/// checker rules it out, so it can only come from a caller's mistake).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bounds {
    /// Inclusive lower bound.
    pub min: Value,
    /// Inclusive upper bound.
    pub max: Value,
}

/// One failed built-in check, with what its message needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The check's code (§9).
    pub code: CheckCode,
    /// The field's kind and the failing bound, displayed in the session's language.
    pub ctx: MessageCtx,
}

/// The outcome of reading one field's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The value expressions see: Empty when blank, or when the input fails `type`,
    /// `format`, `option` or `file_type` (§6); otherwise the value (also when it fails
    /// only min/max/length/pattern/decimals/file_size).
    pub value: Value,
    /// Blank (§9): no input, blank after trimming, no item ticked, consent unticked.
    /// (The caller handles defaults: it passes the default as the input while the
    /// citizen has not answered.)
    pub blank: bool,
    /// The failed built-in checks in §9 order (required is NOT decided here: the caller
    /// knows whether the field is required).
    pub failures: Vec<Failure>,
}

impl Checked {
    fn blank() -> Checked {
        Checked { value: Value::Empty, blank: true, failures: Vec::new() }
    }
}

/// Why an input has no value although it is not blank: the one failure §9 reports alone.
type Rejected = Failure;

/// Reads `input` for `field` in language `lang`: normalises it, decides whether it is
/// blank, and runs the built-in checks (§4) in §9 order.
///
/// `bounds` are the field's evaluated `min`/`max`; `shown(value)` tells whether the option
/// with that value is currently offered. `computed`, `group` and `info` fields have no
/// input: they come back blank and without failures.
pub fn check_input(field: &Field, input: Option<&Input>, lang: &str, bounds: &Bounds, shown: &dyn Fn(&str) -> bool) -> Checked {
    let Some(kind) = field.ty.kind() else {
        return Checked::blank();
    };
    let Some(input) = input else {
        return Checked::blank();
    };
    match read(field, kind, input, lang, shown) {
        Ok(None) => Checked::blank(),
        // A not-blank answer failing type/format/option/file_type has only that problem
        // and is empty in expressions (§6, §9).
        Err(rejected) => Checked { value: Value::Empty, blank: false, failures: vec![rejected] },
        Ok(Some(value)) => {
            let failures = soft_checks(field, kind, &value, lang, bounds);
            Checked { value, blank: false, failures }
        }
    }
}

/// The built-in default message of `failure` in language `lang`.
pub fn message_for(failure: &Failure, lang: &str) -> String {
    default_message(failure.code, &failure.ctx, lang)
}

/// The value of a not-blank input, `Ok(None)` for blank, or the exclusive failure.
fn read(field: &Field, kind: FieldKind, input: &Input, lang: &str, shown: &dyn Fn(&str) -> bool) -> Result<Option<Value>, Rejected> {
    let fail = |code| Failure { code, ctx: MessageCtx::new(kind) };
    // A blank text is blank for every type: a form post sends "" for an untouched input,
    // whatever the field's type.
    if let Input::Text(s) = input
        && normalize_text(s).is_empty()
    {
        return Ok(None);
    }
    match field.ty {
        FieldType::Text | FieldType::Textarea | FieldType::Email | FieldType::Phone | FieldType::Plz => {
            let s = normalize_text(as_text(input).ok_or_else(|| fail(CheckCode::Type))?);
            let well_formed = match field.ty {
                FieldType::Email => is_valid_email(&s),
                FieldType::Phone => is_valid_phone(&s),
                FieldType::Plz => is_valid_plz(&s),
                _ => true,
            };
            if !well_formed {
                return Err(fail(CheckCode::Format));
            }
            Ok(Some(Value::Text(s)))
        }
        FieldType::Iban => {
            // People copy IBANs in groups of four and in lower case; the value is the
            // compact upper-case form a bank system expects.
            let s = normalize_iban(as_text(input).ok_or_else(|| fail(CheckCode::Type))?);
            if !is_valid_iban(&s) {
                return Err(fail(CheckCode::Format));
            }
            Ok(Some(Value::Text(s)))
        }
        FieldType::SteuerId => {
            let s = normalize_compact(as_text(input).ok_or_else(|| fail(CheckCode::Type))?);
            if !is_valid_steuer_id(&s, field.allow_test_ids) {
                return Err(fail(CheckCode::Format));
            }
            Ok(Some(Value::Text(s)))
        }
        FieldType::Number | FieldType::Integer | FieldType::Money => {
            let s = normalize_text(as_text(input).ok_or_else(|| fail(CheckCode::Type))?);
            let d = parse_number(&s, lang).ok_or_else(|| fail(CheckCode::Type))?;
            // Counted on the value: `12,0` is the integer 12.
            if field.ty == FieldType::Integer && !is_integer(&d) {
                return Err(fail(CheckCode::Type));
            }
            Ok(Some(Value::Number(d)))
        }
        FieldType::Date => {
            let s = normalize_text(as_text(input).ok_or_else(|| fail(CheckCode::Type))?);
            let d = parse_date(&s).ok_or_else(|| fail(CheckCode::Type))?;
            Ok(Some(Value::Date(d)))
        }
        FieldType::Boolean => match input {
            Input::Bool(b) => Ok(Some(Value::Bool(*b))),
            Input::Text(s) => match yes_no(&normalize_text(s)) {
                // `false` ("Nein") is an answer, not blank (§4).
                Some(b) => Ok(Some(Value::Bool(b))),
                None => Err(fail(CheckCode::Type)),
            },
            _ => Err(fail(CheckCode::Type)),
        },
        FieldType::Consent => {
            let ticked = match input {
                Input::Bool(b) => *b,
                Input::Text(s) => {
                    let s = normalize_text(s).to_lowercase();
                    // "on" is what a checkbox without a `value` attribute posts.
                    match s.as_str() {
                        "true" | "on" | "ja" | "yes" => true,
                        "false" | "off" | "nein" | "no" => false,
                        _ => return Err(fail(CheckCode::Type)),
                    }
                }
                _ => return Err(fail(CheckCode::Type)),
            };
            // Unticked is empty, not `false`, so `required: true` means "must be ticked".
            Ok(ticked.then_some(Value::Bool(true)))
        }
        FieldType::Choice => {
            let s = normalize_text(as_text(input).ok_or_else(|| fail(CheckCode::Type))?);
            if !is_shown_option(field, &s, shown) {
                return Err(fail(CheckCode::Option));
            }
            Ok(Some(Value::Text(s)))
        }
        FieldType::MultiChoice => {
            let raw: Vec<&str> = match input {
                Input::List(items) => items.iter().map(String::as_str).collect(),
                // A form post with a single ticked box arrives as one text.
                Input::Text(s) => vec![s.as_str()],
                _ => return Err(fail(CheckCode::Type)),
            };
            let mut items: Vec<String> = Vec::new();
            for item in raw {
                let item = normalize_text(item);
                // Blank items come from empty hidden inputs; a repeated tick means nothing more.
                if !item.is_empty() && !items.contains(&item) {
                    items.push(item);
                }
            }
            if items.is_empty() {
                return Ok(None);
            }
            // One option that is not offered spoils the whole answer (§5).
            if !items.iter().all(|i| is_shown_option(field, i, shown)) {
                return Err(fail(CheckCode::Option));
            }
            Ok(Some(Value::List(items)))
        }
        FieldType::File => {
            let Input::File(file) = input else {
                return Err(fail(CheckCode::Type));
            };
            if !field.accept.is_empty() && !mime_matches(&field.accept, &file.mime) {
                return Err(Failure { code: CheckCode::FileType, ctx: MessageCtx { accept: field.accept.clone(), ..MessageCtx::new(kind) } });
            }
            Ok(Some(Value::File(FileRef::clone(file))))
        }
        // Not reached: `kind()` is `None` for these, handled by the caller of `read`.
        FieldType::Computed | FieldType::Group | FieldType::Info => Ok(None),
    }
}

/// The text of a text-shaped input; any other shape is a `type` problem.
fn as_text(input: &Input) -> Option<&str> {
    match input {
        Input::Text(s) => Some(s),
        _ => None,
    }
}

/// A yes/no answer as a form post or a scenario might write it.
fn yes_no(s: &str) -> Option<bool> {
    match s.to_lowercase().as_str() {
        "true" | "ja" | "yes" => Some(true),
        "false" | "nein" | "no" => Some(false),
        _ => None,
    }
}

/// True when `value` is one of the field's options and currently offered.
fn is_shown_option(field: &Field, value: &str, shown: &dyn Fn(&str) -> bool) -> bool {
    field.options.iter().any(|o| o.value == value) && shown(value)
}

/// The checks that keep the value (§6): in §9 order min, max, min_length, max_length,
/// pattern, decimals, file_size.
fn soft_checks(field: &Field, kind: FieldKind, value: &Value, lang: &str, bounds: &Bounds) -> Vec<Failure> {
    let mut out = Vec::new();
    let ctx = |bound: String| MessageCtx::new(kind).with_bound(bound);

    // min / max: the value, or how many items of a multi_choice.
    let ordered = match value {
        Value::Number(d) => Some(Ordered::Number(*d)),
        Value::Date(d) => Some(Ordered::Date(*d)),
        Value::List(items) => Some(Ordered::Number(Decimal::from(items.len()))),
        _ => None,
    };
    if let Some(v) = ordered {
        for (code, bound) in [(CheckCode::Min, &bounds.min), (CheckCode::Max, &bounds.max)] {
            let Some(b) = Ordered::of(bound) else { continue };
            let fails = match (&v, &b) {
                (Ordered::Number(x), Ordered::Number(b)) => (code == CheckCode::Min && x < b) || (code == CheckCode::Max && x > b),
                (Ordered::Date(x), Ordered::Date(b)) => (code == CheckCode::Min && x < b) || (code == CheckCode::Max && x > b),
                // A bound of another type is not a bound of this field.
                _ => false,
            };
            if fails {
                out.push(Failure { code, ctx: ctx(display_bound(&b, field.ty, lang)) });
            }
        }
    }

    if let Value::Text(s) = value {
        let len = char_len(s);
        if let Some(min) = field.min_length
            && len < min as usize
        {
            out.push(Failure { code: CheckCode::MinLength, ctx: ctx(min.to_string()) });
        }
        if let Some(max) = field.max_length
            && len > max as usize
        {
            out.push(Failure { code: CheckCode::MaxLength, ctx: ctx(max.to_string()) });
        }
        if let Some(p) = &field.pattern
            && !p.is_match_whole(s)
        {
            out.push(Failure { code: CheckCode::Pattern, ctx: MessageCtx::new(kind) });
        }
    }

    if let Value::Number(d) = value {
        // Counted on the value: `12,50` has one place.
        let allowed = match field.ty {
            FieldType::Money => Some(2),
            FieldType::Number => field.decimals,
            _ => None,
        };
        if let Some(allowed) = allowed
            && decimals_of(d) > allowed
        {
            out.push(Failure { code: CheckCode::Decimals, ctx: ctx(allowed.to_string()) });
        }
    }

    if let Value::File(f) = value
        && let Some(max) = field.max_size
        && f.size > max
    {
        out.push(Failure { code: CheckCode::FileSize, ctx: ctx(display_size(max, lang)) });
    }
    out
}

/// A value or bound that min/max compare.
enum Ordered {
    Number(Decimal),
    Date(chrono::NaiveDate),
}

impl Ordered {
    fn of(v: &Value) -> Option<Ordered> {
        match v {
            Value::Number(d) => Some(Ordered::Number(*d)),
            Value::Date(d) => Some(Ordered::Date(*d)),
            _ => None,
        }
    }
}

/// A bound as the message names it: amounts with two places, dates and numbers in the
/// session's language, item counts as plain numbers.
fn display_bound(b: &Ordered, ty: FieldType, lang: &str) -> String {
    match b {
        Ordered::Number(d) if ty == FieldType::Money => display_money(d, lang),
        Ordered::Number(d) => display_number(d, lang),
        Ordered::Date(d) => display_date(*d, lang),
    }
}

/// A file size limit as people read it, exact: the largest unit that divides it
/// (`5 MB` for 5,000,000, `10 MiB` for 10,485,760), decimal units before binary ones
/// as `max_size: 5MB` is what authors write; else bytes. Never rounded, since a limit
/// shown larger than it is would invite uploads that then fail.
fn display_size(bytes: u64, lang: &str) -> String {
    const UNITS: [(u64, &str); 6] =
        [(1_000_000_000, "GB"), (1 << 30, "GiB"), (1_000_000, "MB"), (1 << 20, "MiB"), (1_000, "kB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if bytes >= size && bytes % size == 0 {
            return format!("{} {unit}", display_number(&Decimal::from(bytes / size), lang));
        }
    }
    // A limit like 1,500,000 bytes reads better as 1,5 MB than as bytes.
    for (size, unit) in [(1_000_000_000u64, "GB"), (1_000_000, "MB"), (1_000, "kB")] {
        let Some(d) = Decimal::from(bytes).checked_div(Decimal::from(size)) else { continue };
        if bytes >= size && decimals_of(&d) <= 1 {
            return format!("{} {unit}", display_number(&d, lang));
        }
    }
    let word = match (lang == "de", bytes == 1) {
        (true, true) => "Byte",
        (true, false) => "Bytes",
        (false, true) => "byte",
        (false, false) => "bytes",
    };
    format!("{} {word}", display_number(&Decimal::from(bytes), lang))
}
