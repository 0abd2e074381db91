//! German postcode check (docs/form-language.md#field-types, `plz`).

/// True for five ASCII digits in the range of German postcodes, 01001 to 99998.
///
/// Below `01001` is refused: no German postcode starts with `00` (`00000` is the typical
/// placeholder typed to get past a form), and the range of the contract (docs/form-language.md#field-types, `plz`) starts
/// at `01001`. Leading zeros matter (`01067` is Dresden), so the value stays text.
pub fn is_valid_plz(s: &str) -> bool {
    s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()) && ("01001"..="99998").contains(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_postcodes() {
        for ok in ["01067", "48653", "10115", "80331", "99998", "01001"] {
            assert!(is_valid_plz(ok), "{ok}");
        }
    }

    #[test]
    fn invalid_postcodes() {
        for bad in ["1067", "010670", "00000", "00123", "99999", "4865a", "48 653", "", "D-48653", "４８６５３", "01000", "00999"] {
            assert!(!is_valid_plz(bad), "{bad}");
        }
    }
}
