//! Dates as people type them (docs/form-language.md#input-normalisation): ISO `2026-01-31` or German `31.1.2026`, in every
//! language, and only real calendar dates.

use chrono::NaiveDate;

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
}
