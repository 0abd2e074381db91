//! Dates as people type them (§4): ISO `2026-01-31` or German `31.1.2026`, in every
//! language, and only real calendar dates.

use chrono::NaiveDate;

/// Reads `YYYY-MM-DD` or `D.M.YYYY` (day and month with one or two digits, four-digit
/// year), or `None` if it is no real calendar date (`2026-02-30`, `29.2.2025`).
///
/// Two-digit years are refused: `1.2.26` could be 1926 or 2026, and a birth date must
/// not be guessed. Year 0000 is refused too, as no form asks about it.
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let (y, m, d) = if let Some((y, rest)) = input.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (digits(y, 4, 4)?, digits(m, 2, 2)?, digits(d, 2, 2)?)
    } else {
        let mut parts = input.split('.');
        let d = digits(parts.next()?, 1, 2)?;
        let m = digits(parts.next()?, 1, 2)?;
        let y = digits(parts.next()?, 4, 4)?;
        if parts.next().is_some() {
            return None;
        }
        (y, m, d)
    };
    if y == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// The value of `min..=max` ASCII digits.
fn digits(s: &str, min: usize, max: usize) -> Option<u32> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn iso_and_german_forms() {
        assert_eq!(parse_date("2026-01-31"), ymd(2026, 1, 31));
        assert_eq!(parse_date("31.1.2026"), ymd(2026, 1, 31));
        assert_eq!(parse_date("31.01.2026"), ymd(2026, 1, 31));
        assert_eq!(parse_date("1.2.2026"), ymd(2026, 2, 1));
        assert_eq!(parse_date("29.02.2024"), ymd(2024, 2, 29));
        assert_eq!(parse_date("2024-02-29"), ymd(2024, 2, 29));
    }

    #[test]
    fn only_real_calendar_dates() {
        for bad in ["2026-02-30", "29.2.2025", "31.04.2026", "2026-13-01", "0.1.2026", "1.0.2026", "2026-00-10"] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn malformed_dates() {
        for bad in [
            "",
            "2026-1-31",
            "26-01-31",
            "31.1.26",
            "31.1.02026",
            "31/1/2026",
            "31.1.2026.",
            "31..2026",
            "2026-01-31T00:00",
            "+2026-01-31",
            "31.1 .2026",
            "001.1.2026",
            "0000-01-01",
            "heute",
            "2026-01-31-",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }
}
