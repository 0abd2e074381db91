//! Reading one field's input: normalisation, the value expressions see, and the failed
//! built-in checks (the types table, docs/form-language.md#field-types, and
//! docs/form-language.md#input-normalisation; docs/form-language.md#empty-values; the order of
//! docs/form-language.md#check-order).
//!
//! This is the single place that turns what a citizen typed into a [`Value`], so the
//! rules "what is blank", "which failures empty the value" and "in which order problems
//! are reported" are decided once. It knows nothing of sessions, activity, `required`,
//! defaults or rules: the caller evaluates the bounds and option conditions, passes them
//! in, and decides `required` from [`Checked::blank`].

use rust_decimal::Decimal;

use crate::answers::Input;
use crate::checks::{
    CheckCode, DateError, MessageCtx, char_len, decimals_of, default_message, display_date, display_money, display_number, is_blank_text,
    is_integer, is_valid_email, is_valid_iban, is_valid_phone, is_valid_plz, is_valid_steuer_id, mime_matches, normalize_compact,
    normalize_iban, normalize_text, normalized, parse_number, read_date,
};
use crate::form::{Field, FieldType};
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
    /// The check's code (docs/form-language.md#validation).
    pub code: CheckCode,
    /// The field's kind and the failing bound, displayed in the session's language.
    pub ctx: MessageCtx,
}

/// The outcome of reading one field's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The value expressions see: Empty when blank, or when the input fails `type`,
    /// `format`, `option` or `file_type` (docs/form-language.md#empty-values); otherwise the value (also when it fails
    /// only min/max/length/pattern/decimals/file_size).
    pub value: Value,
    /// Blank (docs/form-language.md#validation): no input, blank after trimming, no item ticked, consent unticked.
    /// (The caller handles defaults: it passes the default as the input while the
    /// citizen has not answered.)
    pub blank: bool,
    /// The failed built-in checks in the order of docs/form-language.md#check-order (required is NOT decided here: the caller
    /// knows whether the field is required).
    pub failures: Vec<Failure>,
}

impl Checked {
    fn blank() -> Checked {
        Checked { value: Value::Empty, blank: true, failures: Vec::new() }
    }
}

/// Why an input has no value although it is not blank: the one failure reported alone
/// (docs/form-language.md#check-order).
// Boxed: a failure carries its message context (a label, an accept list), and the
// common path (an accepted answer) should not pay for its size.
type Rejected = Box<Failure>;

/// Reads `input` for `field` in language `lang`: normalises it, decides whether it is
/// blank, and runs the built-in checks (docs/form-language.md#field-types) in the order of docs/form-language.md#check-order.
///
/// `bounds` are the field's evaluated `min`/`max`; `shown(value)` tells whether the option
/// with that value is currently offered. `computed`, `group` and `info` fields have no
/// input: they come back blank and without failures. The same as [`read_answer`] followed
/// by [`Read::into_checked`].
pub fn check_input(field: &Field, input: Option<&Input>, lang: &str, bounds: &Bounds, shown: &dyn Fn(&str) -> bool) -> Checked {
    match input {
        None => Checked::blank(),
        Some(input) => read_answer(field, input, lang).into_checked(field, lang, bounds, shown),
    }
}

/// What reading one answer gives, before anything that depends on other answers, the path
/// or today: the value or why there is none, and the failures of the checks on the value
/// alone (`min_length`, `max_length`, `pattern`, `decimals`, `file_size`). A session keeps
/// it beside the answer, so validating does not read every answer again; `min`/`max`
/// (evaluated bounds) and whether a chosen option is still offered are checked by
/// [`Read::check`] each time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    outcome: Outcome,
    /// Failures of the checks on the value alone, in the order of docs/form-language.md#check-order.
    own: Vec<Failure>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Blank,
    /// Not blank, but no value: the one failure reported alone.
    Rejected(Rejected),
    /// A value; a choice's option may still turn out not to be offered.
    Accepted(Value),
}

/// Reads one answer of `field` in language `lang`: everything [`check_input`] does that
/// depends on the answer alone (options count as offered if the field has them).
pub fn read_answer(field: &Field, input: &Input, lang: &str) -> Read {
    let Some(kind) = field.ty.input() else {
        return Read { outcome: Outcome::Blank, own: Vec::new() };
    };
    match read(field, kind, input, lang) {
        Ok(None) => Read { outcome: Outcome::Blank, own: Vec::new() },
        Err(rejected) => Read { outcome: Outcome::Rejected(rejected), own: Vec::new() },
        Ok(Some(value)) => {
            let own = own_checks(field, kind, &value, lang);
            Read { outcome: Outcome::Accepted(value), own }
        }
    }
}

/// What a read answer is once its bounds and offered options are known.
enum Verdict {
    Blank,
    Rejected(Failure),
    Accepted(Vec<Failure>),
}

static EMPTY: Value = Value::Empty;

impl Read {
    /// Blank (docs/form-language.md#validation).
    pub fn is_blank(&self) -> bool {
        matches!(self.outcome, Outcome::Blank)
    }

    /// The value as read, options counting as offered (Empty when blank or rejected).
    pub fn raw_value(&self) -> &Value {
        match &self.outcome {
            Outcome::Accepted(v) => v,
            _ => &EMPTY,
        }
    }

    /// Whether [`Read::value`] and [`Read::check`] call their `shown`: a choice's value
    /// whose options must still be offered.
    pub fn asks_offered(&self, field: &Field) -> bool {
        matches!(self.outcome, Outcome::Accepted(_)) && matches!(field.ty, FieldType::Choice | FieldType::MultiChoice)
    }

    /// The value expressions see, `shown` telling which options are offered now.
    pub fn value(&self, field: &Field, shown: &dyn Fn(&str) -> bool) -> Value {
        match &self.outcome {
            Outcome::Accepted(v) if self.offered(field, shown) => v.clone(),
            _ => Value::Empty,
        }
    }

    /// The failures of the read answer with its `bounds` and the options offered now, as
    /// [`check_input`] gives them, but without the value (`Empty`): a caller that only
    /// reports problems copies nothing.
    pub fn check(&self, field: &Field, lang: &str, bounds: &Bounds, shown: &dyn Fn(&str) -> bool) -> Checked {
        match self.verdict(field, lang, bounds, shown) {
            Verdict::Blank => Checked::blank(),
            Verdict::Rejected(f) => Checked { value: Value::Empty, blank: false, failures: vec![f] },
            Verdict::Accepted(failures) => Checked { value: Value::Empty, blank: false, failures },
        }
    }

    /// [`Read::check`] with the value.
    pub fn into_checked(self, field: &Field, lang: &str, bounds: &Bounds, shown: &dyn Fn(&str) -> bool) -> Checked {
        match self.verdict(field, lang, bounds, shown) {
            Verdict::Blank => Checked::blank(),
            // A not-blank answer failing type/format/option/file_type has only that problem
            // and is empty in expressions (docs/form-language.md#empty-values, docs/form-language.md#validation).
            Verdict::Rejected(f) => Checked { value: Value::Empty, blank: false, failures: vec![f] },
            Verdict::Accepted(failures) => {
                let Outcome::Accepted(value) = self.outcome else { unreachable!("an accepted verdict has a value") };
                Checked { value, blank: false, failures }
            }
        }
    }

    fn verdict(&self, field: &Field, lang: &str, bounds: &Bounds, shown: &dyn Fn(&str) -> bool) -> Verdict {
        match &self.outcome {
            Outcome::Blank => Verdict::Blank,
            Outcome::Rejected(f) => Verdict::Rejected(Failure::clone(f)),
            Outcome::Accepted(v) => {
                let Some(kind) = field.ty.input() else { return Verdict::Blank };
                if !self.offered(field, shown) {
                    return Verdict::Rejected(Failure { code: CheckCode::Option, ctx: MessageCtx::new(kind) });
                }
                let mut failures = bound_checks(field, kind, v, lang, bounds);
                failures.extend(self.own.iter().cloned());
                Verdict::Accepted(failures)
            }
        }
    }

    /// Whether the chosen option(s) are offered now (one that is not spoils the whole
    /// answer, docs/form-language.md#option-lists); `read` checked that they are options.
    fn offered(&self, field: &Field, shown: &dyn Fn(&str) -> bool) -> bool {
        match (&self.outcome, field.ty) {
            (Outcome::Accepted(Value::Text(s)), FieldType::Choice) => shown(s),
            (Outcome::Accepted(Value::List(items)), FieldType::MultiChoice) => items.iter().all(|i| shown(i)),
            _ => true,
        }
    }
}

/// The built-in default message of `failure` in language `lang`.
pub fn message_for(failure: &Failure, lang: &str) -> String {
    default_message(failure.code, &failure.ctx, lang)
}

/// The value of a not-blank input, `Ok(None)` for blank, or the exclusive failure.
/// Options count as offered here ([`Read::check`] asks which are).
fn read(field: &Field, kind: FieldType, input: &Input, lang: &str) -> Result<Option<Value>, Rejected> {
    let fail = |code| Box::new(Failure { code, ctx: MessageCtx::new(kind) });
    // A blank text is blank for every type: a form post sends "" for an untouched input,
    // whatever the field's type.
    if let Input::Text(s) = input
        && is_blank_text(s)
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
            let s = normalized(as_text(input).ok_or_else(|| fail(CheckCode::Type))?);
            let d = parse_number(&s, lang).ok_or_else(|| fail(CheckCode::Type))?;
            // Counted on the value: `12,0` is the integer 12.
            if field.ty == FieldType::Integer && !is_integer(&d) {
                return Err(fail(CheckCode::Type));
            }
            Ok(Some(Value::Number(d)))
        }
        FieldType::Date => {
            let s = normalized(as_text(input).ok_or_else(|| fail(CheckCode::Type))?);
            let d = read_date(&s).map_err(|e| {
                Box::new(Failure {
                    code: CheckCode::Type,
                    ctx: MessageCtx { no_such_day: e == DateError::NoSuchDay, ..MessageCtx::new(kind) },
                })
            })?;
            Ok(Some(Value::Date(d)))
        }
        FieldType::Boolean => match input {
            Input::Bool(b) => Ok(Some(Value::Bool(*b))),
            Input::Text(s) => match yes_no(&normalize_text(s)) {
                // `false` ("Nein") is an answer, not blank (docs/form-language.md#field-types).
                Some(b) => Ok(Some(Value::Bool(b))),
                None => Err(fail(CheckCode::Type)),
            },
            _ => Err(fail(CheckCode::Type)),
        },
        FieldType::Consent => {
            let ticked = match input {
                Input::Bool(b) => *b,
                Input::Text(s) => {
                    // ASCII words: `to_ascii_lowercase` matches them exactly as `to_lowercase`
                    // would, without case tables (checks/case.rs, the test of the Kelvin sign).
                    let s = normalize_text(s).to_ascii_lowercase();
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
            if !is_option(field, &s) {
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
            // One option that is not offered spoils the whole answer (docs/form-language.md#option-lists).
            if !items.iter().all(|i| is_option(field, i)) {
                return Err(fail(CheckCode::Option));
            }
            Ok(Some(Value::List(items)))
        }
        FieldType::File => {
            let Input::File(file) = input else {
                return Err(fail(CheckCode::Type));
            };
            if !field.accept.is_empty() && !mime_matches(&field.accept, &file.mime) {
                return Err(Box::new(Failure {
                    code: CheckCode::FileType,
                    ctx: MessageCtx { accept: field.accept.clone(), ..MessageCtx::new(kind) },
                }));
            }
            Ok(Some(Value::File(Box::new(FileRef::clone(file)))))
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
    // As for consent above: ASCII words, so no case tables.
    match s.to_ascii_lowercase().as_str() {
        "true" | "ja" | "yes" => Some(true),
        "false" | "nein" | "no" => Some(false),
        _ => None,
    }
}

/// True when `value` is one of the field's options (whether it is offered now is
/// [`Read::check`]'s question).
fn is_option(field: &Field, value: &str) -> bool {
    field.options.iter().any(|o| o.value == value)
}

/// The checks that keep the value (docs/form-language.md#empty-values) and read the
/// evaluated bounds: min and max, the first in the order of docs/form-language.md#check-order.
fn bound_checks(field: &Field, kind: FieldType, value: &Value, lang: &str, bounds: &Bounds) -> Vec<Failure> {
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

    out
}

/// The checks that keep the value and depend on it alone, in the order of
/// docs/form-language.md#check-order after min and max: min_length, max_length, pattern,
/// decimals, file_size.
fn own_checks(field: &Field, kind: FieldType, value: &Value, lang: &str) -> Vec<Failure> {
    let mut out = Vec::new();
    let ctx = |bound: String| MessageCtx::new(kind).with_bound(bound);
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
            // `None` (no DFA in the browser) is no error here: the server decides.
            && p.is_match_whole(s) == Some(false)
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

/// A file size limit as people read it, exact: the largest unit in which it is a whole
/// number (`5 MB` for 5,000,000, `10 MiB` for 10,485,760; decimal units before binary
/// ones, as `max_size: 5MB` is what authors write) or a decimal unit with one place
/// (`1,5 MB`); else bytes. Never rounded, since a limit shown larger than it is would
/// invite uploads that then fail.
fn display_size(bytes: u64, lang: &str) -> String {
    const LEVELS: [(u64, &str, u64, &str); 3] =
        [(1_000_000_000, "GB", 1 << 30, "GiB"), (1_000_000, "MB", 1 << 20, "MiB"), (1_000, "kB", 1 << 10, "KiB")];
    for (dec_size, dec_unit, bin_size, bin_unit) in LEVELS {
        for (size, unit) in [(dec_size, dec_unit), (bin_size, bin_unit)] {
            if bytes >= size && bytes.is_multiple_of(size) {
                return format!("{} {unit}", display_number(&Decimal::from(bytes / size), lang));
            }
        }
        // A limit like 1,500,000 bytes reads better as 1,5 MB than as 1.500 kB.
        if bytes >= dec_size
            && bytes.is_multiple_of(dec_size / 10)
            && let Some(d) = Decimal::from(bytes).checked_div(Decimal::from(dec_size))
        {
            return format!("{} {dec_unit}", display_number(&d, lang));
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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::NaiveDate;

    use super::*;
    use crate::form::{ChoiceOption, Text};
    use crate::ids::StepId;
    use crate::pattern::Pattern;

    /// A field of type `ty` with every other key at its default (text limits as the
    /// compiler applies them).
    fn field(ty: FieldType) -> Field {
        let max_length = match ty {
            FieldType::Text | FieldType::Email | FieldType::Phone => Some(500),
            FieldType::Textarea => Some(5000),
            _ => None,
        };
        Field {
            id: "f".into(),
            ty,
            value_type: ty.value_type(),
            step: StepId(0),
            parent: None,
            repeat_group: None,
            members: Vec::new(),
            label: None,
            hint: None,
            required: None,
            visible_if: None,
            min: None,
            max: None,
            min_length: None,
            max_length,
            pattern: None,
            options: Vec::new(),
            display: None,
            default: None,
            value: None,
            format: None,
            rules: Vec::new(),
            messages: Vec::new(),
            autocomplete: None,
            repeat: None,
            accept: Vec::new(),
            max_size: None,
            decimals: None,
            allow_test_ids: false,
            text: None,
            fim: None,
            prefill: None,
            locked: false,
        }
    }

    fn with_options(ty: FieldType, values: &[&str]) -> Field {
        let mut f = field(ty);
        f.options = values.iter().map(|v| ChoiceOption { value: v.to_string(), label: Text::default(), hint: None, cond: None }).collect();
        f
    }

    fn text(s: &str) -> Input {
        Input::Text(s.into())
    }

    fn list(items: &[&str]) -> Input {
        Input::List(items.iter().map(|s| s.to_string()).collect())
    }

    fn file(size: u64, mime: &str) -> Input {
        Input::File(Box::new(FileRef { name: "nachweis.pdf".into(), size, mime: mime.into() }))
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn num(s: &str) -> Value {
        Value::Number(dec(s))
    }

    fn date(y: i32, m: u32, d: u32) -> Value {
        Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn all_shown(_: &str) -> bool {
        true
    }

    fn no_bounds() -> Bounds {
        Bounds::default()
    }

    fn bounds(min: Value, max: Value) -> Bounds {
        Bounds { min, max }
    }

    /// Checks in German with no bounds and every option shown.
    fn check(f: &Field, input: &Input) -> Checked {
        check_input(f, Some(input), "de", &no_bounds(), &all_shown)
    }

    fn codes(c: &Checked) -> Vec<CheckCode> {
        c.failures.iter().map(|f| f.code).collect()
    }

    /// The German messages of all failures.
    fn messages(c: &Checked) -> Vec<String> {
        c.failures.iter().map(|f| message_for(f, "de")).collect()
    }

    /// Asserts a valid, not blank answer with this value.
    fn ok(c: Checked, value: Value) {
        assert_eq!(c, Checked { value, blank: false, failures: Vec::new() });
    }

    /// Asserts a not-blank answer that failed exactly `code` and is empty.
    fn rejected(c: Checked, code: CheckCode) {
        assert!(!c.blank, "{c:?}");
        assert_eq!(c.value, Value::Empty, "{c:?}");
        assert_eq!(codes(&c), vec![code], "{c:?}");
    }

    fn is_blank(c: Checked) {
        assert_eq!(c, Checked { value: Value::Empty, blank: true, failures: Vec::new() });
    }

    fn input_types() -> impl Iterator<Item = FieldType> {
        FieldType::ALL.into_iter().filter(|t| t.is_input())
    }

    #[test]
    fn no_input_and_blank_text_are_blank_for_every_type() {
        for ty in input_types() {
            let f = with_options(ty, &["a"]);
            assert!(check_input(&f, None, "de", &no_bounds(), &all_shown).blank, "{ty:?}");
            for blank in ["", "   ", "\t\n"] {
                let c = check(&f, &text(blank));
                assert!(c.blank && c.value.is_empty() && c.failures.is_empty(), "{ty:?} {blank:?}: {c:?}");
            }
        }
    }

    #[test]
    fn fields_without_input_are_blank_and_do_not_panic() {
        for ty in [FieldType::Computed, FieldType::Group, FieldType::Info] {
            is_blank(check(&field(ty), &text("x")));
            is_blank(check_input(&field(ty), None, "de", &no_bounds(), &all_shown));
        }
    }

    #[test]
    fn text_is_nfc_and_trimmed() {
        ok(check(&field(FieldType::Text), &text("  Re\u{301}ne \n")), Value::Text("R\u{e9}ne".into()));
        ok(check(&field(FieldType::Textarea), &text("Zeile 1\nZeile 2\n")), Value::Text("Zeile 1\nZeile 2".into()));
    }

    #[test]
    fn lengths_name_the_bound_and_keep_the_value() {
        let mut f = field(FieldType::Text);
        f.min_length = Some(3);
        f.max_length = Some(60);
        let c = check(&f, &text(&"x".repeat(61)));
        assert_eq!(c.value, Value::Text("x".repeat(61)));
        assert_eq!(codes(&c), vec![CheckCode::MaxLength]);
        assert!(messages(&c)[0].contains("höchstens 60 Zeichen"), "{:?}", messages(&c));
        // 60 characters after NFC: the combining accent does not count twice.
        ok(check(&f, &text(&format!("{}e\u{301}", "x".repeat(59)))), Value::Text(format!("{}\u{e9}", "x".repeat(59))));
        let c = check(&f, &text("ab"));
        assert_eq!(codes(&c), vec![CheckCode::MinLength]);
        assert_eq!(messages(&c), vec!["Bitte geben Sie mindestens 3 Zeichen ein."]);
        // The compiler's default limit applies like any other.
        let c = check(&field(FieldType::Text), &text(&"y".repeat(501)));
        assert!(messages(&c)[0].contains("höchstens 500 Zeichen"));
        assert!(!c.value.is_empty());
    }

    #[test]
    fn pattern_must_match_the_whole_value_and_comes_after_lengths() {
        let mut f = field(FieldType::Text);
        f.pattern = Some(Box::new(Pattern::new("[A-Z]{2}[0-9]{3}").unwrap()));
        ok(check(&f, &text(" AB123 ")), Value::Text("AB123".into()));
        let c = check(&f, &text("xAB123"));
        assert_eq!(codes(&c), vec![CheckCode::Pattern]);
        assert_eq!(c.value, Value::Text("xAB123".into()));
        assert_eq!(message_for(&c.failures[0], "de"), "Bitte geben Sie die Angabe im vorgesehenen Format ein.");
        f.max_length = Some(4);
        assert_eq!(codes(&check(&f, &text("ABCDEF"))), vec![CheckCode::MaxLength, CheckCode::Pattern]);
    }

    #[test]
    fn email_format() {
        let f = field(FieldType::Email);
        ok(check(&f, &text(" erika@example.com ")), Value::Text("erika@example.com".into()));
        let c = check(&f, &text("erika.example.com"));
        rejected(c.clone(), CheckCode::Format);
        assert!(messages(&c)[0].contains("gültige E-Mail-Adresse"));
    }

    #[test]
    fn format_failure_is_the_only_problem() {
        // Too long and malformed: only the format is reported (docs/form-language.md#check-order).
        let mut f = field(FieldType::Email);
        f.max_length = Some(5);
        rejected(check(&f, &text("not an address")), CheckCode::Format);
        assert_eq!(codes(&check(&f, &text("a@example.com"))), vec![CheckCode::MaxLength]);
    }

    #[test]
    fn phone_format() {
        let f = field(FieldType::Phone);
        ok(check(&f, &text("+49 (0)30 1234567-89")), Value::Text("+49 (0)30 1234567-89".into()));
        rejected(check(&f, &text("030 CALL-NOW")), CheckCode::Format);
    }

    #[test]
    fn plz_format() {
        let f = field(FieldType::Plz);
        ok(check(&f, &text(" 10115 ")), Value::Text("10115".into()));
        rejected(check(&f, &text("1011")), CheckCode::Format);
        rejected(check(&f, &text("A-1010")), CheckCode::Format);
    }

    #[test]
    fn iban_is_compact_upper_case() {
        let f = field(FieldType::Iban);
        ok(check(&f, &text(" de89 3704 0044 0532 0130 00 ")), Value::Text("DE89370400440532013000".into()));
        // Wrong check digits.
        let c = check(&f, &text("DE88 3704 0044 0532 0130 00"));
        rejected(c.clone(), CheckCode::Format);
        assert_eq!(messages(&c), vec!["Bitte geben Sie eine gültige IBAN ein."]);
    }

    #[test]
    fn steuer_id_without_spaces_and_test_ids_only_when_allowed() {
        let mut f = field(FieldType::SteuerId);
        ok(check(&f, &text("36 574 261 809")), Value::Text("36574261809".into()));
        rejected(check(&f, &text("36574261808")), CheckCode::Format);
        rejected(check(&f, &text("02476291358")), CheckCode::Format);
        f.allow_test_ids = true;
        ok(check(&f, &text("02476291358")), Value::Text("02476291358".into()));
    }

    #[test]
    fn numbers_in_german() {
        let f = field(FieldType::Number);
        ok(check(&f, &text("1.234,50")), num("1234.5"));
        ok(check(&f, &text("-,5")), num("-0.5"));
        ok(check(&f, &text("+12")), num("12"));
        // Never silently 15 or 1.5.
        for bad in ["1.5", "5,", "abc", "1 234", "12a"] {
            let c = check(&f, &text(bad));
            rejected(c.clone(), CheckCode::Type);
            assert_eq!(messages(&c), vec!["Bitte geben Sie eine Zahl ein."], "{bad}");
        }
    }

    #[test]
    fn numbers_in_english_and_other_languages() {
        let f = field(FieldType::Number);
        let en = |s: &str, lang: &str| check_input(&f, Some(&text(s)), lang, &no_bounds(), &all_shown);
        ok(en("1,234.50", "en"), num("1234.5"));
        ok(en("1.5", "en"), num("1.5"));
        ok(en("1.5", "fr"), num("1.5"));
        rejected(en("1,5", "en"), CheckCode::Type);
        assert_eq!(message_for(&en("x", "en").failures[0], "en"), "Enter a number.");
    }

    #[test]
    fn too_many_digits_is_a_type_problem() {
        rejected(check(&field(FieldType::Number), &text(&"9".repeat(29))), CheckCode::Type);
    }

    #[test]
    fn only_ascii_digits_are_digits() {
        // Every digit is an ASCII digit 0-9 (docs/form-language.md#input-normalisation); full-width and Arabic-Indic
        // digits are none.
        let cases: [(FieldType, &str, CheckCode); 8] = [
            (FieldType::Number, "１２", CheckCode::Type),
            (FieldType::Integer, "٤٢", CheckCode::Type),
            (FieldType::Money, "1.２34,50", CheckCode::Type),
            (FieldType::Date, "３1.1.2026", CheckCode::Type),
            (FieldType::Plz, "４８６５３", CheckCode::Format),
            (FieldType::Phone, "030 １２３４５６", CheckCode::Format),
            (FieldType::SteuerId, "3657426180９", CheckCode::Format),
            (FieldType::Iban, "DE89 3704 0044 0532 0130 0０", CheckCode::Format),
        ];
        for (ty, input, code) in cases {
            rejected(check(&field(ty), &text(input)), code);
        }
    }

    #[test]
    fn integer_is_counted_on_the_value() {
        let f = field(FieldType::Integer);
        ok(check(&f, &text("12,0")), num("12"));
        ok(check(&f, &text("1.000")), num("1000"));
        let c = check(&f, &text("12,5"));
        rejected(c.clone(), CheckCode::Type);
        assert_eq!(messages(&c), vec!["Bitte geben Sie eine ganze Zahl ein."]);
    }

    #[test]
    fn money_with_too_many_places_keeps_its_value() {
        let f = field(FieldType::Money);
        ok(check(&f, &text("12,50")), num("12.5"));
        ok(check(&f, &text("12,340")), num("12.34"));
        let c = check(&f, &text("12,345"));
        assert!(!c.blank);
        assert_eq!(c.value, num("12.345"));
        assert_eq!(codes(&c), vec![CheckCode::Decimals]);
        assert_eq!(messages(&c), vec!["Bitte geben Sie den Betrag mit höchstens 2 Nachkommastellen ein."]);
    }

    #[test]
    fn number_decimals_only_when_set() {
        let mut f = field(FieldType::Number);
        ok(check(&f, &text("1,23456")), num("1.23456"));
        f.decimals = Some(1);
        ok(check(&f, &text("12,50")), num("12.5"));
        let c = check(&f, &text("12,55"));
        assert_eq!((c.value.clone(), codes(&c)), (num("12.55"), vec![CheckCode::Decimals]));
        assert_eq!(messages(&c), vec!["Bitte geben Sie die Zahl mit höchstens 1 Nachkommastelle ein."]);
        f.decimals = Some(0);
        assert_eq!(messages(&check(&f, &text("1,5"))), vec!["Bitte geben Sie eine Zahl ohne Nachkommastellen ein."]);
    }

    #[test]
    fn number_bounds_are_inclusive_and_displayed() {
        let f = field(FieldType::Number);
        let b = bounds(num("1000"), num("1234.5"));
        let run = |s: &str, lang: &str| check_input(&f, Some(&text(s)), lang, &b, &all_shown);
        ok(run("1.000", "de"), num("1000"));
        ok(run("1.234,5", "de"), num("1234.5"));
        let c = run("999", "de");
        assert_eq!((c.value.clone(), codes(&c)), (num("999"), vec![CheckCode::Min]));
        assert_eq!(messages(&c), vec!["Der Wert muss mindestens 1.000 sein."]);
        let c = run("2000", "en");
        assert_eq!(codes(&c), vec![CheckCode::Max]);
        assert_eq!(message_for(&c.failures[0], "en"), "The number must be 1,234.5 or less.");
    }

    #[test]
    fn money_bounds_show_two_places_and_come_before_decimals() {
        let f = field(FieldType::Money);
        let b = bounds(Value::Empty, num("1000"));
        let c = check_input(&f, Some(&text("1.500,125")), "de", &b, &all_shown);
        assert_eq!(codes(&c), vec![CheckCode::Max, CheckCode::Decimals]);
        assert_eq!(messages(&c)[0], "Der Betrag darf höchstens 1.000,00 Euro sein.");
        assert_eq!(c.value, num("1500.125"));
    }

    #[test]
    fn a_bound_of_another_type_or_empty_is_not_checked() {
        let f = field(FieldType::Number);
        let b = bounds(date(2026, 1, 1), Value::Empty);
        ok(check_input(&f, Some(&text("-5")), "de", &b, &all_shown), num("-5"));
    }

    #[test]
    fn dates() {
        let f = field(FieldType::Date);
        ok(check(&f, &text("31.1.2026")), date(2026, 1, 31));
        ok(check(&f, &text(" 2026-01-31 ")), date(2026, 1, 31));
        for bad in ["1.2.26", "morgen", "2026/01/31"] {
            let c = check(&f, &text(bad));
            rejected(c.clone(), CheckCode::Type);
            assert!(messages(&c)[0].contains("TT.MM.JJJJ"));
        }
        // Written as a date, but no such day: the same code (docs/form-language.md#field-types: a real calendar date is
        // `type`), a message of its own.
        for impossible in ["2026-02-30", "29.2.2025", "31.02.1980", "1.13.2026"] {
            let c = check(&f, &text(impossible));
            rejected(c.clone(), CheckCode::Type);
            assert_eq!(messages(&c), ["Bitte prüfen Sie das Datum: Diesen Tag gibt es nicht."]);
        }
    }

    #[test]
    fn date_bounds_name_the_formatted_date() {
        let f = field(FieldType::Date);
        let b = bounds(date(2026, 1, 1), date(2026, 11, 22));
        let run = |s: &str, lang: &str| check_input(&f, Some(&text(s)), lang, &b, &all_shown);
        ok(run("22.11.2026", "de"), date(2026, 11, 22));
        let c = run("23.11.2026", "de");
        assert_eq!((c.value.clone(), codes(&c)), (date(2026, 11, 23), vec![CheckCode::Max]));
        assert!(messages(&c)[0].contains("22.11.2026"), "{:?}", messages(&c));
        let c = run("2025-12-31", "en");
        assert_eq!(codes(&c), vec![CheckCode::Min]);
        assert_eq!(message_for(&c.failures[0], "en"), "The date must be on or after 1 January 2026.");
    }

    #[test]
    fn boolean_false_is_an_answer() {
        let f = field(FieldType::Boolean);
        ok(check(&f, &Input::Bool(false)), Value::Bool(false));
        ok(check(&f, &Input::Bool(true)), Value::Bool(true));
        for (s, b) in [("true", true), ("false", false), ("Ja", true), ("NEIN", false), ("yes", true), (" no ", false)] {
            ok(check(&f, &text(s)), Value::Bool(b));
        }
        let c = check(&f, &text("vielleicht"));
        rejected(c.clone(), CheckCode::Type);
        assert_eq!(messages(&c), vec!["Bitte wählen Sie Ja oder Nein."]);
    }

    #[test]
    fn consent_unticked_is_blank() {
        let f = field(FieldType::Consent);
        ok(check(&f, &Input::Bool(true)), Value::Bool(true));
        for s in ["true", "on", "ja", "Yes"] {
            ok(check(&f, &text(s)), Value::Bool(true));
        }
        is_blank(check(&f, &Input::Bool(false)));
        for s in ["false", "off", "nein", "no"] {
            is_blank(check(&f, &text(s)));
        }
        rejected(check(&f, &text("vielleicht")), CheckCode::Type);
    }

    #[test]
    fn choice_must_be_a_shown_option() {
        let f = with_options(FieldType::Choice, &["hund", "katze", "pferd"]);
        ok(check(&f, &text(" hund ")), Value::Text("hund".into()));
        let c = check(&f, &text("maus"));
        rejected(c.clone(), CheckCode::Option);
        assert_eq!(messages(&c), vec!["Bitte wählen Sie eine der angezeigten Antworten aus."]);
        // An option whose `if` does not hold is not offered.
        let hide_pferd = |v: &str| v != "pferd";
        rejected(check_input(&f, Some(&text("pferd")), "de", &no_bounds(), &hide_pferd), CheckCode::Option);
        ok(check_input(&f, Some(&text("katze")), "de", &no_bounds(), &hide_pferd), Value::Text("katze".into()));
    }

    #[test]
    fn multi_choice_items() {
        let f = with_options(FieldType::MultiChoice, &["a", "b", "c"]);
        let l = |items: &[&str]| Value::List(items.iter().map(|s| s.to_string()).collect());
        ok(check(&f, &list(&["c", " a", "c", "", "a"])), l(&["c", "a"]));
        // A single ticked box posted as text.
        ok(check(&f, &text("b")), l(&["b"]));
        is_blank(check(&f, &list(&[])));
        is_blank(check(&f, &list(&["", "  "])));
        // One unknown or hidden item spoils the whole answer.
        let c = check(&f, &list(&["a", "x"]));
        rejected(c.clone(), CheckCode::Option);
        assert_eq!(messages(&c), vec!["Bitte wählen Sie nur aus den angezeigten Antworten aus."]);
        let hide_c = |v: &str| v != "c";
        rejected(check_input(&f, Some(&list(&["a", "c"])), "de", &no_bounds(), &hide_c), CheckCode::Option);
    }

    #[test]
    fn multi_choice_bounds_count_items() {
        let f = with_options(FieldType::MultiChoice, &["a", "b", "c", "d"]);
        let b = bounds(num("2"), num("3"));
        let run = |items: &[&str], lang: &str| check_input(&f, Some(&list(items)), lang, &b, &all_shown);
        assert!(run(&["a", "b"], "de").failures.is_empty());
        assert!(run(&["a", "b", "c"], "de").failures.is_empty());
        let c = run(&["a", "a"], "de");
        assert_eq!(codes(&c), vec![CheckCode::Min]);
        assert_eq!(c.value, Value::List(vec!["a".into()]));
        assert_eq!(messages(&c), vec!["Bitte wählen Sie mindestens 2 aus."]);
        let c = run(&["a", "b", "c", "d"], "en");
        assert_eq!(codes(&c), vec![CheckCode::Max]);
        assert_eq!(message_for(&c.failures[0], "en"), "Select no more than 3 answers.");
    }

    #[test]
    fn file_type_and_size() {
        let mut f = field(FieldType::File);
        f.accept = vec!["application/pdf".into(), "image/*".into()];
        f.max_size = Some(5_000_000);
        let pdf = file(5_000_000, "application/pdf");
        ok(check(&f, &pdf), Value::File(Box::new(FileRef { name: "nachweis.pdf".into(), size: 5_000_000, mime: "application/pdf".into() })));
        ok(check(&f, &file(10, "image/png")), Value::File(Box::new(FileRef { name: "nachweis.pdf".into(), size: 10, mime: "image/png".into() })));
        // Too large: the value stays.
        let c = check(&f, &file(5_000_001, "application/pdf"));
        assert_eq!(codes(&c), vec![CheckCode::FileSize]);
        assert!(matches!(&c.value, Value::File(r) if r.size == 5_000_001));
        assert!(messages(&c)[0].contains("höchstens 5 MB"), "{:?}", messages(&c));
        // Wrong type: only that problem, even when also too large; the value is empty.
        let c = check(&f, &file(9_000_000, "application/zip"));
        rejected(c.clone(), CheckCode::FileType);
        assert_eq!(c.failures[0].ctx.accept, f.accept);
        assert!(messages(&c)[0].starts_with("Bitte laden Sie die Datei als PDF"), "{:?}", messages(&c));
        // No `accept`: any type.
        ok(
            check(&field(FieldType::File), &file(1, "application/zip")),
            Value::File(Box::new(FileRef { name: "nachweis.pdf".into(), size: 1, mime: "application/zip".into() })),
        );
    }

    #[test]
    fn file_sizes_read_exactly() {
        assert_eq!(display_size(5_000_000, "de"), "5 MB");
        assert_eq!(display_size(10 << 20, "de"), "10 MiB");
        assert_eq!(display_size(1 << 30, "en"), "1 GiB");
        assert_eq!(display_size(2_000_000_000, "en"), "2 GB");
        assert_eq!(display_size(1_500_000, "de"), "1,5 MB");
        assert_eq!(display_size(1_500_000, "en"), "1.5 MB");
        assert_eq!(display_size(512 * 1024, "de"), "512 KiB");
        assert_eq!(display_size(250_000, "de"), "250 kB");
        assert_eq!(display_size(1_234_567, "de"), "1.234.567 Bytes");
        assert_eq!(display_size(1, "en"), "1 byte");
        let mut f = field(FieldType::File);
        f.max_size = Some(10 << 20);
        let c = check_input(&f, Some(&file(11 << 20, "application/pdf")), "en", &no_bounds(), &all_shown);
        assert_eq!(message_for(&c.failures[0], "en"), "The file is too large. It must be 10 MiB or smaller.");
    }

    #[test]
    fn wrong_input_shape_is_a_type_problem() {
        let cases: Vec<(FieldType, Input)> = vec![
            (FieldType::Text, list(&["a"])),
            (FieldType::Text, Input::Bool(true)),
            (FieldType::Email, file(1, "text/plain")),
            (FieldType::Iban, Input::Bool(true)),
            (FieldType::SteuerId, list(&["36574261809"])),
            (FieldType::Number, file(1, "text/plain")),
            (FieldType::Money, Input::Bool(true)),
            (FieldType::Date, Input::Bool(true)),
            (FieldType::Boolean, list(&["true"])),
            (FieldType::Consent, file(1, "text/plain")),
            (FieldType::Choice, list(&["a"])),
            (FieldType::MultiChoice, Input::Bool(true)),
            (FieldType::File, text("nachweis.pdf")),
            (FieldType::File, Input::Bool(true)),
        ];
        for (ty, input) in cases {
            let f = with_options(ty, &["a"]);
            let c = check(&f, &input);
            assert!(!c.blank && c.value.is_empty() && codes(&c) == vec![CheckCode::Type], "{ty:?} {input:?}: {c:?}");
            assert_eq!(c.failures[0].ctx.kind, ty.input().unwrap());
        }
    }

    #[test]
    fn failures_carry_the_field_kind() {
        let mut f = field(FieldType::Textarea);
        f.max_length = Some(3);
        let c = check(&f, &text("abcd"));
        assert_eq!(c.failures, vec![Failure { code: CheckCode::MaxLength, ctx: MessageCtx::new(FieldType::Textarea).with_bound("3") }]);
    }
}
