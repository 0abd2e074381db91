//! File sizes as authors write them in `max_size` (docs/form-language.md#accept-max-size): `5000000`, `5MB`, `5 MiB`.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Reads a size in bytes: an integer, or a number with a unit `KB`/`MB`/`GB` (powers of
/// 1000) or `KiB`/`MiB`/`GiB` (powers of 1024), with an optional space before the unit.
///
/// Units are case-sensitive as written: `mb` or `Mb` could mean megabits and is refused
/// rather than guessed. A fraction is allowed only with a unit and only if the result is
/// a whole number of bytes (`1.5MB` = 1,500,000; `1.5` alone is `None`). `B` alone is
/// read as bytes.
pub fn parse_size(s: &str) -> Option<u64> {
    const UNITS: &[(&str, u64)] =
        &[("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1)];
    let (number, factor) =
        UNITS.iter().find_map(|(unit, f)| s.strip_suffix(unit).map(|n| (n.strip_suffix(' ').unwrap_or(n), *f))).unwrap_or((s, 1));
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (number.contains('.') && frac.is_empty()) {
        return None;
    }
    let value = Decimal::from_str(number).ok()?.checked_mul(Decimal::from(factor))?;
    if !value.fract().is_zero() {
        return None;
    }
    u64::try_from(value.trunc()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_and_without_units() {
        assert_eq!(parse_size("5000000"), Some(5_000_000));
        assert_eq!(parse_size("5MB"), Some(5_000_000));
        assert_eq!(parse_size("5 MB"), Some(5_000_000));
        assert_eq!(parse_size("5MiB"), Some(5_242_880));
        assert_eq!(parse_size("5 MiB"), Some(5_242_880));
        assert_eq!(parse_size("1.5MB"), Some(1_500_000));
        assert_eq!(parse_size("200KB"), Some(200_000));
        assert_eq!(parse_size("200KiB"), Some(204_800));
        assert_eq!(parse_size("2GB"), Some(2_000_000_000));
        assert_eq!(parse_size("1GiB"), Some(1_073_741_824));
        assert_eq!(parse_size("0.5KiB"), Some(512));
        assert_eq!(parse_size("512B"), Some(512));
        assert_eq!(parse_size("0"), Some(0));
    }

    #[test]
    fn refused_sizes() {
        for bad in [
            "",
            "MB",
            "5mb",
            "5Mb",
            "5 mib",
            "5  MB",
            "5TB",
            "1.5",
            "1.0000001KB",
            "-5MB",
            "+5MB",
            "5,5MB",
            "5.MB",
            ".5MB",
            "5 ",
            " 5",
            "1e6",
            "99999999999999999999",
            "5 MB ",
            "fünf MB",
        ] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
    }
}
