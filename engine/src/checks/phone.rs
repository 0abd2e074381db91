//! Phone number check (docs/form-language.md#field-types, `phone`): the characters people use to write numbers and a
//! plausible count of digits; no lookup of real number ranges.

/// Fewest digits accepted: shorter is a typo or an extension alone; the shortest
/// German numbers with area code have about six digits, foreign short numbers five.
const MIN_DIGITS: usize = 5;
/// Most digits accepted: E.164 allows 15, plus room for `00` instead of `+`, a `(0)`
/// trunk prefix and a short extension (`+49 (0)30 1234567-89`).
const MAX_DIGITS: usize = 20;

/// True for a phone number written with digits, spaces, `/`, `-`, parentheses and at
/// most one `+` at the start, with 5 to 20 digits and balanced, unnested parentheses.
pub fn is_valid_phone(s: &str) -> bool {
    let mut digits = 0;
    let mut open = false;
    for (i, c) in s.chars().enumerate() {
        match c {
            '0'..='9' => digits += 1,
            '+' if i == 0 => {}
            ' ' | '/' | '-' => {}
            '(' if !open => open = true,
            ')' if open => open = false,
            _ => return false,
        }
    }
    !open && (MIN_DIGITS..=MAX_DIGITS).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers() {
        for ok in [
            "02541 18-0",
            "+49 2541 180",
            "+49 (0)30 1234567-89",
            "0049 30 123456",
            "030/1234567",
            "(030) 123 456",
            "0171-1234567",
            "12345",
            "+1 202 555 0142",
        ] {
            assert!(is_valid_phone(ok), "{ok}");
        }
    }

    #[test]
    fn invalid_numbers() {
        for bad in [
            "1234",
            "110",
            "123456789012345678901",
            "49+ 30 123456",
            "++49 30 123456",
            "030 123456 ext. 5",
            "030.123456",
            "(030 123456",
            "030) 123456",
            "((030)) 123456",
            "030 １２３４５６",
            "",
            "+",
            "keine",
        ] {
            assert!(!is_valid_phone(bad), "{bad}");
        }
    }
}
