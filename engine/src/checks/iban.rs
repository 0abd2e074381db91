//! IBAN check (docs/form-language.md#field-types, `iban`): ISO 13616 structure, the country's length and BBAN format,
//! and the mod 97 check digits, all as the `iban_validate` crate knows them from the
//! SWIFT IBAN registry.

use iban::Iban;

/// True for a valid IBAN in electronic format (no spaces, upper case; see
/// [`super::normalize_iban`]).
pub fn is_valid_iban(normalized: &str) -> bool {
    // The crate also reads the print format with spaces; we only hand it the electronic
    // one so that `DE89 3704…` and `DE893704…` cannot be judged differently.
    !normalized.contains(' ') && normalized.parse::<Iban>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::normalize_iban;

    // Source: python-stdnum, tests/test_iban.doctest (arthurdejong/python-stdnum),
    // which takes the valid ones from the SWIFT IBAN registry's samples.
    const VALID: &[&str] = &[
        "AD12 0001 2030 2003 5910 0100",
        "AT61 1904 3002 3457 3201",
        "CH93 0076 2011 6238 5295 7",
        "DE89 3704 0044 0532 0130 00",
        "DK50 0040 0440 1162 43",
        "ES91 2100 0418 4502 0005 1332",
        "FI21 1234 5600 0007 85",
        "FR14 2004 1010 0505 0001 3M02 606",
        "GB29 NWBK 6016 1331 9268 19",
        "IT60 X054 2811 1010 0000 0123 456",
        "LI21 0881 0000 2324 013A A",
        "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
        "NL91 ABNA 0417 1643 00",
        "PL61 1090 1014 0000 0712 1981 2874",
        "MC1112739000700011111000h79",
    ];

    #[test]
    fn valid_ibans_from_several_countries() {
        for iban in VALID {
            assert!(is_valid_iban(&normalize_iban(iban)), "{iban}");
        }
    }

    #[test]
    fn invalid_ibans() {
        // Each with its reason; the first groups are from the same stdnum test file.
        let cases: &[(&str, &str)] = &[
            ("AL48212110090000000235698741", "check digits"),
            ("AD1210012030200359100100", "check digits"),
            ("AT611804300234573201", "check digits"),
            ("BA391290709401028494", "digits swapped"),
            ("BG80BNBG99611020345678", "check digits"),
            ("CZ6508000000129000145399", "digits swapped"),
            ("DK5000400440116342", "digits swapped"),
            ("AD48 0001 2030 2003 5910 01", "wrong length for AD"),
            ("BE68530907547034", "digits swapped"),
            ("AT93 1904 3002 3457 3201 99", "wrong length for AT"),
            ("BE36 5390 0754 7034 1234", "wrong length for BE"),
            ("BG93 BNBG 9661 1A20 3456 78", "letter where the BG BBAN has digits"),
            ("NL56 3003 0A17 1643 00", "letter where the NL BBAN has digits"),
            ("QQ93 1234 5678", "unknown country"),
            ("DE89370400440532013001", "check digits (last digit changed)"),
            ("DE8937040044053201300", "one digit too few"),
            ("", "empty"),
            ("DE89 3704 0044 0532 0130 00", "spaces: not normalised"),
            ("de89370400440532013000", "lower case: not normalised"),
        ];
        for (iban, why) in cases {
            let input = if why.contains("not normalised") { iban.to_string() } else { normalize_iban(iban) };
            assert!(!is_valid_iban(&input), "{iban} should fail: {why}");
        }
    }
}
