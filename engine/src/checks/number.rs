//! Numbers as people type them (docs/form-language.md#input-normalisation), as scenario
//! files write them (docs/form-language.md#scenario-tests), and in the canonical form of the
//! submission (docs/form-language.md#the-submission); plus the rounding of `money`/`integer`
//! (docs/form-language.md#numbers).
//!
//! Everything works on `rust_decimal::Decimal` and never on floating point, so fees
//! come out to the cent. Only non-panicking operations are used.

use std::borrow::Cow;

use rust_decimal::{Decimal, RoundingStrategy};

/// Most significant digits a number may have (docs/form-language.md#numbers).
const MAX_DIGITS: usize = 28;

/// Reads a number typed in the session's language `lang`, or `None` if it is not one
/// (a `type` problem).
///
/// In `de` `,` is the decimal mark and `.` may only group thousands in threes; in every
/// other language `.` is the decimal mark and `,` groups. `1.5` in German is `None`,
/// never 15 or 1.5: guessing would silently change an amount. A group mark after a lone
/// `0` (`0.125` in German, or `00.125`) is `None` too (docs/form-language.md#input-normalisation): no thousands stand before it,
/// but many write `0.125` meaning an eighth. Other leading zeros are digits like any
/// (`01.234` is 1234, as `007` is 7). The result has no trailing zeros (`12,50` gives
/// 12.5).
pub fn parse_number(input: &str, lang: &str) -> Option<Decimal> {
    let (mark, group) = if lang == "de" { (',', '.') } else { ('.', ',') };
    let (negative, body) = split_sign(input);
    let (int_part, frac_part) = match body.split_once(mark) {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let int_digits = read_grouped(int_part, group, frac_part.is_some())?;
    let frac_digits = match frac_part {
        // A mark must have digits after it (`5,` is no number).
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => f,
        Some(_) => return None,
        None => "",
    };
    from_digits(negative, &int_digits, frac_digits)
}

/// The digits of an integer part, with group separators checked and removed (borrowed
/// when there are none: every number field is read on each validation). Empty is allowed
/// only before a decimal mark (`,5`).
fn read_grouped(s: &str, sep: char, has_fraction: bool) -> Option<Cow<'_, str>> {
    if s.is_empty() {
        return has_fraction.then_some(Cow::Borrowed(""));
    }
    if !s.contains(sep) {
        return s.bytes().all(|b| b.is_ascii_digit()).then_some(Cow::Borrowed(s));
    }
    let mut groups = s.split(sep);
    let first = groups.next()?;
    let first_ok = (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit()) && first.bytes().any(|b| b != b'0');
    if !first_ok {
        return None;
    }
    let mut digits = first.to_string();
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push_str(g);
    }
    Some(Cow::Owned(digits))
}

fn split_sign(s: &str) -> (bool, &str) {
    if let Some(rest) = s.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = s.strip_prefix('+') {
        (false, rest)
    } else {
        (false, s)
    }
}

/// Builds the decimal from ASCII digit strings, `None` beyond 28 significant digits or
/// 28 places (what `Decimal` can hold exactly).
fn from_digits(negative: bool, int_digits: &str, frac_digits: &str) -> Option<Decimal> {
    let int_digits = int_digits.trim_start_matches('0');
    let frac_digits = frac_digits.trim_end_matches('0');
    // The significant digits are those of both parts from the first that is not 0; read
    // in place, without joining the parts into a new string.
    let significant = if int_digits.is_empty() { frac_digits.trim_start_matches('0').len() } else { int_digits.len() + frac_digits.len() };
    if significant > MAX_DIGITS || frac_digits.len() > MAX_DIGITS {
        return None;
    }
    let mut mantissa: i128 = 0;
    for c in int_digits.chars().chain(frac_digits.chars()) {
        // At most 28 digits: 10^28 is far within i128.
        mantissa = mantissa * 10 + i128::from(c.to_digit(10)?);
    }
    let mantissa = if negative { -mantissa } else { mantissa };
    let d = Decimal::try_from_i128_with_scale(mantissa, frac_digits.len() as u32).ok()?;
    Some(d.normalize())
}

/// Places after the decimal point, counted on the value: `12.50` has 1, `12.0` has 0.
pub fn decimals_of(d: &Decimal) -> u32 {
    d.normalize().scale()
}

/// True when the value has no fraction (`12.0` is an integer).
pub fn is_integer(d: &Decimal) -> bool {
    decimals_of(d) == 0
}

/// Reads a YAML number's source text that is a plain decimal (docs/form-language.md#scenario-tests): an optional sign,
/// digits, and optionally `.` and digits (`-12.5`, `007`, `1.234` = 1.234), in every
/// language. `.5` and `5.` are accepted because YAML reads them as numbers too and
/// their meaning is plain. Exponents, hex, octal, `.inf`, `.nan` and `_` are `None`.
pub fn parse_plain_decimal(src: &str) -> Option<Decimal> {
    let (negative, body) = split_sign(src);
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !digits_only(int_part) || !digits_only(frac_part) {
        return None;
    }
    from_digits(negative, int_part, frac_part)
}

/// The canonical text of a number in the submission (docs/form-language.md#the-submission): no exponent, no trailing
/// zeros, `-` for negatives, `0` for zero (`12.5`, `1235`, `-3`).
pub fn canonical(d: &Decimal) -> String {
    if d.is_zero() {
        // Never "-0": a sign on zero means nothing and would surprise a receiving system.
        return "0".to_string();
    }
    d.normalize().to_string()
}

/// The canonical text of an amount (docs/form-language.md#the-submission): rounded half away from zero to two places,
/// always with two places (`228.00`, `-0.50`).
pub fn canonical_money(d: &Decimal) -> String {
    // Padding the text instead of rescaling: `rescale` cannot add places to a value with
    // 28 digits and would quietly give fewer.
    let s = canonical(&round_money(d));
    match s.split_once('.') {
        Some((int, frac)) => format!("{int}.{frac:0<2}"),
        None => format!("{s}.00"),
    }
}

/// Rounds to two places, half away from zero (kaufmännisches Runden, docs/form-language.md#numbers).
pub fn round_money(d: &Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds to a whole number, half away from zero (docs/form-language.md#value-format, `format: integer`).
pub fn round_integer(d: &Decimal) -> Decimal {
    d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// The digits are counted and read in place: leading and trailing zeros are not
    /// significant, 28 significant digits or places are read and 29 are not.
    #[test]
    fn significant_digits_at_the_limit() {
        let de = |s: &str| parse_number(s, "de").map(|d| canonical(&d));
        assert_eq!(de("000,000").as_deref(), Some("0"));
        assert_eq!(de("0,0001200").as_deref(), Some("0.00012"));
        assert_eq!(de("-0,5").as_deref(), Some("-0.5"));
        let digits28 = "1234567890123456789012345678";
        assert_eq!(de(digits28).as_deref(), Some(digits28));
        assert_eq!(de(&format!("{digits28}9")), None);
        assert_eq!(de(&format!("000{digits28}")).as_deref(), Some(digits28));
        assert_eq!(de(&format!("0,{digits28}")).as_deref(), Some(format!("0.{digits28}").as_str()));
        assert_eq!(de(&format!("0,0{digits28}")), None);
        assert_eq!(de(&format!("1,{}", &digits28[1..])).as_deref(), Some(format!("1.{}", &digits28[1..]).as_str()));
        assert_eq!(de(&format!("12,{}", &digits28[1..])), None);
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn de(s: &str) -> Option<String> {
        parse_number(s, "de").map(|d| canonical(&d))
    }

    fn en(s: &str) -> Option<String> {
        parse_number(s, "en").map(|d| canonical(&d))
    }

    #[test]
    fn german_numbers() {
        assert_eq!(de("1.234,50").as_deref(), Some("1234.5"));
        assert_eq!(de("12.345.678,9").as_deref(), Some("12345678.9"));
        assert_eq!(de("1234,5").as_deref(), Some("1234.5"));
        assert_eq!(de("1.234").as_deref(), Some("1234"));
        assert_eq!(de("42").as_deref(), Some("42"));
        assert_eq!(de("007").as_deref(), Some("7"));
        assert_eq!(de(",5").as_deref(), Some("0.5"));
        assert_eq!(de("-,5").as_deref(), Some("-0.5"));
        assert_eq!(de("-3").as_deref(), Some("-3"));
        assert_eq!(de("+3,25").as_deref(), Some("3.25"));
        assert_eq!(de("0").as_deref(), Some("0"));
        assert_eq!(de("-0").as_deref(), Some("0"));
        // Leading zeros before a group mark are digits; only a lone `0` is no group (docs/form-language.md#input-normalisation).
        assert_eq!(de("01.234").as_deref(), Some("1234"));
        assert_eq!(de("001.234,5").as_deref(), Some("1234.5"));
    }

    #[test]
    fn german_rejects_ambiguous_and_malformed() {
        for bad in [
            "1.5",
            "1.23.456",
            "12.34",
            "1234.567,8",
            "5,",
            "1,2,3",
            "",
            "-",
            "+",
            ",",
            "abc",
            "1 234",
            "1.234.",
            ".234",
            "1..234",
            "0.500",
            "0.125",
            "-0.125",
            "00.125",
            "1,234.5",
            "--1",
            "+-1",
            "1e3",
            "١٢",
            "12,5€",
            "1.2345",
        ] {
            assert_eq!(de(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn english_numbers() {
        assert_eq!(en("1,234.50").as_deref(), Some("1234.5"));
        assert_eq!(en("12,345,678.9").as_deref(), Some("12345678.9"));
        assert_eq!(en(".5").as_deref(), Some("0.5"));
        assert_eq!(en("-1.5").as_deref(), Some("-1.5"));
        assert_eq!(en("1,234").as_deref(), Some("1234"));
        for bad in ["1,5", "5.", "1.234,5", "1,23,456", "1.2.3", "0,500"] {
            assert_eq!(en(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn other_languages_read_as_english() {
        assert_eq!(parse_number("1,234.5", "fr").map(|d| canonical(&d)).as_deref(), Some("1234.5"));
        assert_eq!(parse_number("1,5", "tr"), None);
    }

    #[test]
    fn at_most_28_significant_digits() {
        let ok = "1234567890123456789012345678";
        assert_eq!(de(ok).as_deref(), Some(ok));
        assert_eq!(de("12345678901234567890123456789"), None);
        // Leading and trailing zeros are not significant.
        assert_eq!(de("0001234567890123456789012345678,000").as_deref(), Some(ok));
        assert_eq!(de("0,1234567890123456789012345678").as_deref(), Some("0.1234567890123456789012345678"));
        // More than 28 places cannot be held exactly.
        assert_eq!(de("0,00000000000000000000000000001"), None);
    }

    #[test]
    fn decimals_counted_on_the_value() {
        assert_eq!(decimals_of(&parse_number("12,50", "de").unwrap()), 1);
        assert_eq!(decimals_of(&parse_number("12,0", "de").unwrap()), 0);
        assert_eq!(decimals_of(&dec("12.50")), 1);
        assert_eq!(decimals_of(&dec("12.00")), 0);
        assert_eq!(decimals_of(&dec("0.125")), 3);
        assert!(is_integer(&dec("12.0")));
        assert!(is_integer(&dec("-7")));
        assert!(!is_integer(&dec("12.01")));
    }

    #[test]
    fn plain_decimals_from_yaml() {
        let p = |s: &str| parse_plain_decimal(s).map(|d| canonical(&d));
        assert_eq!(p("-12.5").as_deref(), Some("-12.5"));
        assert_eq!(p("007").as_deref(), Some("7"));
        assert_eq!(p("1.234").as_deref(), Some("1.234"));
        assert_eq!(p("+3").as_deref(), Some("3"));
        assert_eq!(p(".5").as_deref(), Some("0.5"));
        assert_eq!(p("5.").as_deref(), Some("5"));
        for bad in ["1e3", "0x1F", "0o17", ".inf", "-.inf", ".nan", "1_000", "", ".", "-", "1,5", "1.2.3", " 1"] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn canonical_form() {
        assert_eq!(canonical(&dec("12.50")), "12.5");
        assert_eq!(canonical(&dec("1235")), "1235");
        assert_eq!(canonical(&dec("1235.000")), "1235");
        assert_eq!(canonical(&dec("-3")), "-3");
        assert_eq!(canonical(&dec("0.000")), "0");
        assert_eq!(canonical(&dec("-0.0")), "0");
        assert_eq!(canonical(&dec("1E+3")), "1000");
        assert_eq!(canonical(&dec("0.0000001")), "0.0000001");
        assert_eq!(canonical(&Decimal::MAX), "79228162514264337593543950335");
    }

    #[test]
    fn canonical_money_has_two_places() {
        assert_eq!(canonical_money(&dec("228")), "228.00");
        assert_eq!(canonical_money(&dec("96.5")), "96.50");
        assert_eq!(canonical_money(&dec("0.005")), "0.01");
        assert_eq!(canonical_money(&dec("-0.005")), "-0.01");
        assert_eq!(canonical_money(&dec("2.344")), "2.34");
        assert_eq!(canonical_money(&dec("-0.001")), "0.00");
        assert_eq!(canonical_money(&dec("0")), "0.00");
        assert_eq!(canonical_money(&Decimal::MAX), "79228162514264337593543950335.00");
    }

    #[test]
    fn rounding_half_away_from_zero() {
        assert_eq!(round_money(&dec("2.345")), dec("2.35"));
        assert_eq!(round_money(&dec("-2.345")), dec("-2.35"));
        assert_eq!(round_money(&dec("2.3449")), dec("2.34"));
        assert_eq!(round_integer(&dec("2.5")), dec("3"));
        assert_eq!(round_integer(&dec("-2.5")), dec("-3"));
        assert_eq!(round_integer(&dec("3.5")), dec("4"));
        assert_eq!(round_integer(&dec("2.49")), dec("2"));
    }
}
