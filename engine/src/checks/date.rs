//! Dates as people type them (docs/form-language.md#input-normalisation): ISO `2026-01-31` or German `31.1.2026`, in every
//! language, and only real calendar dates.

use chrono::{Datelike, NaiveDate};

/// Reads `YYYY-MM-DD` or `D.M.YYYY` (day and month with one or two digits, four-digit
/// year), or `None` if it is no real calendar date (`2026-02-30`, `29.2.2025`).
///
/// Two-digit years are refused: `1.2.26` could be 1926 or 2026, and a birth date must
/// not be guessed. Year 0000 is refused too, as no form asks about it.
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    read_date(input).ok()
}

/// Why a text is not a date: the citizen needs to hear different things for `31.02.1980`
/// (written right, but there is no such day) and `1980/02/31` (not written as a date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// Not written as `YYYY-MM-DD` or `D.M.YYYY`.
    Shape,
    /// Written right, but no day of the calendar: 31 February, month 13, year 0000.
    NoSuchDay,
}

/// [`parse_date`] that says why it refused.
pub fn read_date(input: &str) -> Result<NaiveDate, DateError> {
    let shape = || DateError::Shape;
    let (y, m, d) = if let Some((y, rest)) = input.split_once('-') {
        let (m, d) = rest.split_once('-').ok_or_else(shape)?;
        (digits(y, 4, 4).ok_or_else(shape)?, digits(m, 2, 2).ok_or_else(shape)?, digits(d, 2, 2).ok_or_else(shape)?)
    } else {
        let mut parts = input.split('.');
        let d = parts.next().and_then(|p| digits(p, 1, 2)).ok_or_else(shape)?;
        let m = parts.next().and_then(|p| digits(p, 1, 2)).ok_or_else(shape)?;
        let y = parts.next().and_then(|p| digits(p, 4, 4)).ok_or_else(shape)?;
        if parts.next().is_some() {
            return Err(DateError::Shape);
        }
        (y, m, d)
    };
    if y == 0 {
        return Err(DateError::NoSuchDay);
    }
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(DateError::NoSuchDay)
}

/// A year as chrono's `%Y` writes it: four digits for 0 to 9999, otherwise signed with at
/// least four digits (ISO 8601's expanded years), so that a date of any year reads back.
pub fn iso_year(year: i32) -> String {
    if (0..=9999).contains(&year) { format!("{year:04}") } else { format!("{year:+05}") }
}

/// `YYYY-MM-DD`: a date in submissions, snapshots and the compiled form, as chrono's
/// `%Y-%m-%d` and its serde form write it. Written here rather than by chrono's `format`,
/// whose format-string machinery the browser module would otherwise carry (docs/performance.md).
pub fn iso(d: NaiveDate) -> String {
    format!("{}-{:02}-{:02}", iso_year(d.year()), d.month(), d.day())
}

/// Reads what [`iso`] writes (and chrono's serde form): `YYYY-MM-DD`, a year outside 0 to
/// 9999 with its sign; `None` for anything else or no calendar date. Unlike [`read_date`]
/// it takes the years people do not type (0000, expanded years) and no German form.
pub fn read_iso(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let n = b.len();
    if n < 10 || b[n - 6] != b'-' || b[n - 3] != b'-' {
        return None;
    }
    let year = &s[..n - 6];
    let unsigned = year.strip_prefix(['+', '-']);
    // A sign only on an expanded year, never on 0000..=9999 without it, as `iso_year` writes.
    let ok_year = match unsigned {
        Some(d) => d.len() >= 4 && d.bytes().all(|c| c.is_ascii_digit()),
        None => year.len() == 4 && year.bytes().all(|c| c.is_ascii_digit()),
    };
    if !ok_year {
        return None;
    }
    let y: i32 = year.parse().ok()?;
    if unsigned.is_some() && (0..=9999).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, digits(&s[n - 5..n - 3], 2, 2)?, digits(&s[n - 2..], 2, 2)?)
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
    fn says_why_a_text_is_no_date() {
        assert_eq!(read_date("31.02.1980"), Err(DateError::NoSuchDay));
        assert_eq!(read_date("2025-02-29"), Err(DateError::NoSuchDay));
        assert_eq!(read_date("1.13.2026"), Err(DateError::NoSuchDay));
        assert_eq!(read_date("1.1.0000"), Err(DateError::NoSuchDay));
        assert_eq!(read_date("1980/02/31"), Err(DateError::Shape));
        assert_eq!(read_date("31.02.80"), Err(DateError::Shape));
        assert_eq!(read_date("gestern"), Err(DateError::Shape));
        assert_eq!(read_date("29.02.2024"), Ok(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()));
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

    #[test]
    fn iso_writes_and_reads_as_chrono_does() {
        // Every day of a few years, and years at and beyond the four-digit range.
        let mut days = Vec::new();
        for y in [-10_000, -1, 0, 1, 999, 1980, 2024, 2026, 9999, 10_000, 123_456] {
            let mut d = NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
            while d.year() == y {
                days.push(d);
                d = d.succ_opt().unwrap();
            }
        }
        days.extend([NaiveDate::MIN, NaiveDate::MAX]);
        for d in days {
            let written = iso(d);
            assert_eq!(written, d.format("%Y-%m-%d").to_string(), "{d:?}");
            assert_eq!(format!("\"{written}\""), serde_json::to_string(&d).unwrap(), "chrono's serde form");
            assert_eq!(read_iso(&written), Some(d), "{written}");
        }
    }

    #[test]
    fn iso_refuses_what_it_does_not_write() {
        for bad in ["", "2026-1-31", "2026-01-1", "26-01-31", "+2026-01-31", "02026-01-31", "-026-01-31", "2026-02-30", "2026-13-01",
            "2026/01/31", "2026-01-31T00:00", " 2026-01-31", "x2026-01-31", "+-2026-01-31", "2026-0a-01", "-0000-01-01"]
        {
            assert_eq!(read_iso(bad), None, "{bad:?}");
        }
        assert_eq!(read_iso("0000-01-01"), ymd(0, 1, 1));
        assert_eq!(read_iso("-0001-12-31"), ymd(-1, 12, 31));
        assert_eq!(read_iso("+10000-01-01"), ymd(10_000, 1, 1));
    }
}
