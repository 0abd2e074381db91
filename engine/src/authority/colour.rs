//! Colours as authority files write them (`#rrggbb`) and their contrast ratio by WCAG 2.1
//! (relative luminance, <https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio>).
//!
//! Binary floating point is fine here: a contrast ratio is a check of a configuration,
//! never a value a citizen's answer is computed with.

/// The contrast WCAG 2.1 AA asks for between text and its background.
pub const AA_TEXT: f64 = 4.5;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Reads `#rrggbb` (either case).
    pub fn parse(s: &str) -> Option<Rgb> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let at = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb(at(0)?, at(2)?, at(4)?))
    }

    /// Relative luminance (0 for black, 1 for white).
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }
}

/// The contrast ratio of two colours, from 1 (same) to 21 (black on white).
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// A ratio for messages, rounded down to two places, so a ratio just under 4.5 never
/// reads as `4.50:1`.
pub fn shown(ratio: f64) -> String {
    format!("{:.2}:1", (ratio * 100.0).floor() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_reference_values() {
        let white = Rgb::parse("#FFFFFF").unwrap();
        let black = Rgb::parse("#000000").unwrap();
        assert_eq!(shown(contrast(black, white)), "21.00:1");
        assert_eq!(shown(contrast(white, white)), "1.00:1");
        // #767676 on white is the classic lightest grey that passes AA (4.54:1); #777777 fails.
        assert_eq!(shown(contrast(Rgb::parse("#767676").unwrap(), white)), "4.54:1");
        assert!(contrast(Rgb::parse("#777777").unwrap(), white) < AA_TEXT);
        assert_eq!(Rgb::parse("#06c"), None);
        assert_eq!(Rgb::parse("0066cc"), None);
        assert_eq!(Rgb::parse("#0066zz"), None);
    }
}
