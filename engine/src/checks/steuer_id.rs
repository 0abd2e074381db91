//! German tax identification number check (docs/form-language.md#field-types, `steuer_id`, § 139b AO): structure of
//! the first ten digits and the ISO/IEC 7064 MOD 11,10 check digit.

/// True for a valid Steuer-Identifikationsnummer, already without spaces.
///
/// Rules: 11 ASCII digits; the first is not `0` unless `allow_test_ids` (ELSTER's test
/// ids start with `0`); among the first ten digits exactly one digit occurs more than
/// once, and that one twice or three times (three since 2016), all others at most once;
/// a digit occurring three times never stands three times in a row; the eleventh digit
/// is the MOD 11,10 check digit of the first ten.
pub fn is_valid_steuer_id(normalized: &str, allow_test_ids: bool) -> bool {
    let b = normalized.as_bytes();
    if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    if b[0] == b'0' && !allow_test_ids {
        return false;
    }
    let digits: Vec<u32> = b.iter().map(|c| u32::from(c - b'0')).collect();
    let first_ten = &digits[..10];
    let mut counts = [0u8; 10];
    for &d in first_ten {
        counts[d as usize] += 1;
    }
    let repeated: Vec<usize> = (0..10).filter(|&d| counts[d] > 1).collect();
    let [rep] = repeated[..] else {
        return false;
    };
    match counts[rep] {
        2 => {}
        3 => {
            let three_in_a_row = first_ten.windows(3).any(|w| w.iter().all(|&d| d as usize == rep));
            if three_in_a_row {
                return false;
            }
        }
        _ => return false,
    }
    check_digit(first_ten) == digits[10]
}

/// ISO/IEC 7064 MOD 11,10 (hybrid system) check digit.
fn check_digit(digits: &[u32]) -> u32 {
    let mut product = 10;
    for &d in digits {
        let mut sum = (d + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    (11 - product) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    // Sources: python-stdnum `stdnum/de/idnr.py` and `tests/test_de_idnr.doctest`
    // (arthurdejong/python-stdnum); the examples of the Bundeszentralamt für Steuern as
    // quoted in Apache Commons Validator's `TidDECheckDigitTest`; idnumbers'
    // `DEU.TaxID` tests.
    const VALID: &[(&str, &str)] = &[
        ("36574261809", "stdnum: 6 twice"),
        ("11234567890", "stdnum: 1 twice, adjacent"),
        ("86095742719", "BZSt: 7 twice"),
        ("47036892816", "BZSt: 8 twice"),
        ("65929970489", "BZSt: 9 three times, two of them adjacent"),
        ("57549285017", "BZSt: 5 three times"),
        ("25768131411", "BZSt: 1 three times"),
        ("26954371827", "idnumbers: 2 twice"),
    ];

    #[test]
    fn valid_ids() {
        for (id, why) in VALID {
            assert!(is_valid_steuer_id(id, false), "{id} ({why})");
            assert!(is_valid_steuer_id(id, true), "{id} ({why})");
        }
    }

    #[test]
    fn test_ids_only_when_allowed() {
        // ELSTER test id from the BZSt examples: first digit 0, 2 twice.
        assert!(!is_valid_steuer_id("02476291358", false));
        assert!(is_valid_steuer_id("02476291358", true));
    }

    #[test]
    fn invalid_ids() {
        let cases: &[(&str, &str)] = &[
            ("36574261890", "check digit (stdnum)"),
            ("12345678928", "check digit"),
            ("65299970480", "check digit (idnumbers)"),
            ("26954371820", "check digit (idnumbers)"),
            ("86095742718", "check digit off by one"),
            ("02476291358", "first digit 0 without allow_test_ids"),
            ("11123456786", "1 three times in a row (stdnum accepts it: it predates the rule)"),
            ("12345678903", "no digit repeated (stdnum)"),
            ("11223456785", "two digits repeated (stdnum: 1122345678 5)"),
            ("36554266806", "more digits repeated (stdnum)"),
            ("11112345678", "one digit four times (stdnum: 1111234567 8)"),
            ("116574261809", "too long (stdnum)"),
            ("3657426180", "too short"),
            ("A6574261809", "letter (stdnum)"),
            ("3657426180X", "letter as check digit"),
            ("36 574 261 809", "spaces: not normalised"),
            ("", "empty"),
            ("３６５７４２６１８０９", "full-width digits are not ASCII"),
        ];
        for (id, why) in cases {
            assert!(!is_valid_steuer_id(id, false), "{id} should fail: {why}");
        }
        // A test id must still pass every other rule.
        assert!(!is_valid_steuer_id("01234567896", true), "first digit 0 and no digit repeated");
        assert!(!is_valid_steuer_id("02476291359", true), "test id with a wrong check digit");
    }

    #[test]
    fn check_digit_matches_published_ids() {
        let d: Vec<u32> = "8609574271".bytes().map(|b| u32::from(b - b'0')).collect();
        assert_eq!(check_digit(&d), 9);
    }
}
