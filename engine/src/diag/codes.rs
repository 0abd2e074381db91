//! The registry of diagnostic codes: every code the engine raises, once, with its
//! severity and a one-line title.
//!
//! Raise sites name the constants (`codes::E0202`), never a literal, so a code exists in
//! exactly one place; `engine/tests/diagnostic_codes.rs` checks that
//! `docs/diagnostics.md` documents exactly these codes, with these titles in its table,
//! and that no raise site spells a code as a literal. The code stays a `&'static str` in
//! [`Diagnostic`](super::Diagnostic) so that rendered and JSON output do not change.

use super::Severity;

/// One registered code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The stable code, e.g. `E0202`.
    pub code: &'static str,
    /// Errors (`E…`) make a form unusable; warnings (`W…`) do not.
    pub severity: Severity,
    /// What the code means, in one line (the table of `docs/diagnostics.md`).
    pub title: &'static str,
}

/// Looks a code up in [`ALL`].
pub fn lookup(code: &str) -> Option<&'static Code> {
    ALL.iter().find(|c| c.code == code)
}

macro_rules! registry {
    ($($code:ident $sev:ident $title:literal;)*) => {
        $(
            #[doc = concat!("`", stringify!($code), "`: ", $title, ".")]
            pub const $code: &str = stringify!($code);
        )*
        /// Every code, in the order of `docs/diagnostics.md`.
        pub const ALL: &[Code] = &[$(Code { code: $code, severity: Severity::$sev, title: $title }),*];
    };
}

registry! {
    E0001 Error "not readable YAML, empty file, several documents";
    E0002 Error "YAML feature or size not allowed (alias, tag, limits)";
    E0101 Error "unknown key";
    E0102 Error "missing key";
    E0103 Error "a value of the wrong shape";
    E0104 Error "a key that does not apply here";
    E0105 Error "an invalid id or name";
    E0106 Error "something defined twice";
    E0107 Error "a reserved word used as an id";
    E0108 Error "an unknown value for a key with fixed values";
    E0109 Error "a text without the default language";
    E0201 Error "an expression or placeholder that cannot be read";
    E0202 Error "unknown field or value";
    E0203 Error "unknown function";
    E0204 Error "wrong number of arguments";
    E0205 Error "a value of the wrong type";
    E0206 Error "a condition that is not yes/no";
    E0207 Error "chained comparison";
    E0208 Error "a group or group member used where it may not be";
    E0209 Error "invalid regular expression";
    E0210 Error "not a real calendar date";
    E0211 Error "expression too long or too deeply nested";
    E0212 Error "a text compared with a choice field that is not one of its options";
    E0301 Error "`goto` to an unknown step";
    E0302 Error "the steps form a cycle";
    E0303 Error "`next` list without a final plain `goto` (or with one too early)";
    E0304 Error "an exit step with `fields`, `rules` or `next`";
    E0305 Error "unknown option list";
    E0306 Error "a calculation that depends on itself";
    E0307 Error "conditions that decide each other in a circle";
    E0308 Error "a lower bound above the upper bound";
    E0309 Error "a `default` that does not fit the field";
    E0310 Error "a repeated group inside a repeated group";
    E0311 Error "more steps, fields, entries or answer length than a form may have";
    E0312 Error "a parameter `default` that does not fit its type";
    W0401 Warning "a step no path reaches";
    W0402 Warning "a text without a translation";
    W0403 Warning "an option list nobody uses";
    W0404 Warning "a condition reads a field that is asked only later";
    W0405 Warning "a field of a FIM form whose answers are left out of the FIM data";
    W0406 Warning "two fields with one FIM id in one object of the FIM data";
    E0501 Error "a scenario file that cannot be read";
    E0601 Error "a parameter value for a parameter the form does not declare";
    E0602 Error "a required parameter without a value";
    E0603 Error "a parameter value that does not fit its declaration";
    E0701 Error "an authority offers a form that does not exist";
    E0702 Error "a colour that is not written `#rrggbb`";
    E0703 Error "colours with too little contrast (WCAG AA, 4.5:1)";
    E0704 Error "a file the authority names that does not exist";
    E0801 Error "an unknown account attribute in `prefill`";
    E0802 Error "an account attribute that cannot fill this field";
    E0803 Error "`locked` without `prefill`";
    W0804 Warning "`prefill` in a form that offers no login";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_their_letter_is_their_severity() {
        for (i, c) in ALL.iter().enumerate() {
            assert!(ALL[..i].iter().all(|d| d.code != c.code), "{} twice", c.code);
            let letter = match c.severity {
                Severity::Error => 'E',
                Severity::Warning => 'W',
            };
            assert!(c.code.starts_with(letter) && c.code.len() == 5, "{c:?}");
            assert!(!c.title.is_empty() && !c.title.contains('\n'), "{c:?}");
        }
        assert_eq!(lookup("E0202").map(|c| c.title), Some("unknown field or value"));
        assert_eq!(lookup("E9999"), None);
    }
}
