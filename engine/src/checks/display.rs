//! Values shown for reading in the session's language (docs/form-language.md#placeholders): German
//! `1.234,50` and `22.11.2026`, English `1,234.50` and `22 November 2026`. Languages
//! other than `de` display as `en`.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::date::iso_year;
use super::number::{canonical, canonical_money};

/// A number with all places of its value and no trailing zeros, thousands grouped.
pub fn display_number(d: &Decimal, lang: &str) -> String {
    localize(&canonical(d), lang)
}

/// An amount, always with two places (`1.234,50` / `1,234.50`), rounded half away from
/// zero like the `money` format.
pub fn display_money(d: &Decimal, lang: &str) -> String {
    localize(&canonical_money(d), lang)
}

/// An amount on its own, with the euro sign: `234,00 €` in German (a no-break space
/// before the sign, so that it never wraps away from the number), `€234.00` in English.
/// Placeholders in texts use [`display_money`]: there the author writes the currency.
pub fn display_euro(d: &Decimal, lang: &str) -> String {
    let n = display_money(d, lang);
    if lang == "de" {
        format!("{n}\u{a0}€")
    } else {
        match n.strip_prefix('-') {
            Some(abs) => format!("-€{abs}"),
            None => format!("€{n}"),
        }
    }
}

/// An IBAN for reading, in groups of four (`DE89 3704 0044 0532 0130 00`), as printed
/// on bank cards. The groups are returned separately so that a page can keep each one
/// whole when the line wraps (wrapping only between groups).
pub fn iban_groups(iban: &str) -> Vec<String> {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    compact.chunks(4).map(|g| g.iter().collect()).collect()
}

/// The months' names in English (chrono's `%B`).
const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// A date: `22.11.2026` in German, `22 November 2026` in English.
pub fn display_date(d: NaiveDate, lang: &str) -> String {
    // By hand, not with chrono's `format`: its format strings cost the browser module
    // several KB (docs/performance.md); the year as chrono's `%Y` writes it.
    let year = iso_year(d.year());
    if lang == "de" {
        format!("{:02}.{:02}.{year}", d.day(), d.month())
    } else {
        // Day first without a leading zero, as GOV.UK writes dates.
        format!("{} {} {year}", d.day(), MONTHS[d.month0() as usize])
    }
}

/// A yes/no answer: `Ja`/`Nein`, `Yes`/`No`.
pub fn display_bool(b: bool, lang: &str) -> String {
    let (yes, no) = if lang == "de" { ("Ja", "Nein") } else { ("Yes", "No") };
    if b { yes } else { no }.to_string()
}

/// Turns canonical text (`-1234.5`) into the language's grouping and decimal mark.
fn localize(canonical: &str, lang: &str) -> String {
    let (group, mark) = if lang == "de" { ('.', ',') } else { (',', '.') };
    let (sign, rest) = match canonical.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", canonical),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(mark);
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn numbers() {
        assert_eq!(display_number(&dec("1234.5"), "de"), "1.234,5");
        assert_eq!(display_number(&dec("1234.5"), "en"), "1,234.5");
        assert_eq!(display_number(&dec("1234.50"), "de"), "1.234,5");
        assert_eq!(display_number(&dec("-1234567.125"), "de"), "-1.234.567,125");
        assert_eq!(display_number(&dec("-1234567.125"), "en"), "-1,234,567.125");
        assert_eq!(display_number(&dec("999"), "de"), "999");
        assert_eq!(display_number(&dec("1000"), "de"), "1.000");
        assert_eq!(display_number(&dec("100000"), "en"), "100,000");
        assert_eq!(display_number(&dec("0.5"), "de"), "0,5");
        assert_eq!(display_number(&dec("0"), "de"), "0");
        assert_eq!(display_number(&dec("-0.0"), "en"), "0");
        assert_eq!(display_number(&dec("1234.5"), "fr"), "1,234.5");
    }

    #[test]
    fn money() {
        assert_eq!(display_money(&dec("1234.5"), "de"), "1.234,50");
        assert_eq!(display_money(&dec("1234.5"), "en"), "1,234.50");
        assert_eq!(display_money(&dec("228"), "de"), "228,00");
        assert_eq!(display_money(&dec("0.005"), "de"), "0,01");
        assert_eq!(display_money(&dec("-1000000"), "en"), "-1,000,000.00");
        assert_eq!(display_money(&dec("96"), "tr"), "96.00");
    }

    #[test]
    fn euros() {
        assert_eq!(display_euro(&dec("234"), "de"), "234,00\u{a0}€");
        assert_eq!(display_euro(&dec("1234.5"), "de"), "1.234,50\u{a0}€");
        assert_eq!(display_euro(&dec("234"), "en"), "€234.00");
        assert_eq!(display_euro(&dec("-5"), "en"), "-€5.00");
    }

    #[test]
    fn iban_in_groups_of_four() {
        assert_eq!(iban_groups("DE89370400440532013000"), ["DE89", "3704", "0044", "0532", "0130", "00"]);
        assert_eq!(iban_groups("DE89 3704 0044 0532 0130 00").join(" "), "DE89 3704 0044 0532 0130 00");
        assert!(iban_groups("").is_empty());
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(display_date(d, "de"), "22.11.2026");
        assert_eq!(display_date(d, "en"), "22 November 2026");
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(display_date(d, "de"), "01.03.2026");
        assert_eq!(display_date(d, "en"), "1 March 2026");
        assert_eq!(display_date(d, "uk"), "1 March 2026");
    }

    #[test]
    fn dates_as_chrono_formats_them() {
        for y in [-1, 0, 7, 2026, 10_000] {
            for m in 1..=12 {
                let d = NaiveDate::from_ymd_opt(y, m, 9).unwrap();
                assert_eq!(display_date(d, "de"), d.format("%d.%m.%Y").to_string());
                assert_eq!(display_date(d, "en"), format!("9 {}", d.format("%B %Y")));
            }
        }
    }

    #[test]
    fn booleans() {
        assert_eq!(display_bool(true, "de"), "Ja");
        assert_eq!(display_bool(false, "de"), "Nein");
        assert_eq!(display_bool(true, "en"), "Yes");
        assert_eq!(display_bool(false, "ar"), "No");
    }
}
