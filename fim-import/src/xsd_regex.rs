//! XML Schema regular expressions (the `pattern` of a Präzisierung) to the syntax of the Rust
//! `regex` crate that the form language uses.
//!
//! Both match the whole value: XSD patterns are implicitly anchored, and the engine anchors a
//! field's `pattern` itself, so no anchors are added. What differs: `^` and `$` are plain
//! characters in XSD; `.` excludes `\r` too; `\s`, `\w` and `\i`/`\c` have XSD meanings;
//! Unicode blocks are written `\p{IsBasicLatin}`; class subtraction is `[a-z-[aeiou]]`.

use regex::RegexBuilder;

/// XML 1.0 (5th ed.) NameStartChar, as the inside of a class.
const NAME_START: &str = r":A-Z_a-z\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2FF}\x{370}-\x{37D}\x{37F}-\x{1FFF}\x{200C}-\x{200D}\x{2070}-\x{218F}\x{2C00}-\x{2FEF}\x{3001}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFFD}\x{10000}-\x{EFFFF}";
/// NameChar minus NameStartChar.
const NAME_MORE: &str = r"\-.0-9\x{B7}\x{300}-\x{36F}\x{203F}-\x{2040}";

/// Unicode blocks XSD names with `\p{Is…}`.
const BLOCKS: &[(&str, u32, u32)] = &[
    ("BasicLatin", 0x0000, 0x007F),
    ("Latin-1Supplement", 0x0080, 0x00FF),
    ("LatinExtended-A", 0x0100, 0x017F),
    ("LatinExtended-B", 0x0180, 0x024F),
    ("IPAExtensions", 0x0250, 0x02AF),
    ("SpacingModifierLetters", 0x02B0, 0x02FF),
    ("CombiningDiacriticalMarks", 0x0300, 0x036F),
    ("Greek", 0x0370, 0x03FF),
    ("GreekandCoptic", 0x0370, 0x03FF),
    ("Cyrillic", 0x0400, 0x04FF),
    ("Armenian", 0x0530, 0x058F),
    ("Hebrew", 0x0590, 0x05FF),
    ("Arabic", 0x0600, 0x06FF),
    ("LatinExtendedAdditional", 0x1E00, 0x1EFF),
    ("GreekExtended", 0x1F00, 0x1FFF),
    ("GeneralPunctuation", 0x2000, 0x206F),
    ("SuperscriptsandSubscripts", 0x2070, 0x209F),
    ("CurrencySymbols", 0x20A0, 0x20CF),
    ("LetterlikeSymbols", 0x2100, 0x214F),
    ("NumberForms", 0x2150, 0x218F),
    ("Arrows", 0x2190, 0x21FF),
    ("MathematicalOperators", 0x2200, 0x22FF),
];

/// Converts an XSD pattern; `Err` says why it cannot be (unsupported syntax, or the result
/// does not compile).
pub fn convert(xsd: &str) -> Result<String, String> {
    let chars: Vec<char> = xsd.chars().collect();
    let mut p = Conv { c: &chars, i: 0, out: String::new() };
    p.top()?;
    let out = p.out;
    RegexBuilder::new(&format!("^(?:{out})$"))
        .size_limit(1 << 20)
        .nest_limit(64)
        .build()
        .map_err(|e| format!("the converted pattern `{out}` does not compile: {}", engine::pattern::describe_error(&e)))?;
    Ok(out)
}

struct Conv<'a> {
    c: &'a [char],
    i: usize,
    out: String,
}

impl Conv<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }

    fn top(&mut self) -> Result<(), String> {
        while let Some(ch) = self.peek() {
            self.i += 1;
            match ch {
                '\\' => {
                    let esc = self.escape(false)?;
                    self.out.push_str(&esc);
                }
                '[' => {
                    let class = self.class()?;
                    self.out.push_str(&class);
                }
                '.' => self.out.push_str(r"[^\n\r]"),
                '^' => self.out.push_str(r"\^"),
                '$' => self.out.push_str(r"\$"),
                '(' if self.peek() == Some('?') => return Err("`(?` is not XML Schema syntax".into()),
                _ => self.out.push(ch),
            }
        }
        Ok(())
    }

    /// After `[`: a whole class, returned with its brackets.
    fn class(&mut self) -> Result<String, String> {
        let mut s = String::from("[");
        if self.peek() == Some('^') {
            self.i += 1;
            s.push('^');
        }
        let mut first = true;
        loop {
            let Some(ch) = self.peek() else { return Err("a `[` class is not closed".into()) };
            self.i += 1;
            match ch {
                ']' if !first => break,
                '-' if self.peek() == Some('[') => {
                    // Subtraction: `[a-z-[aeiou]]`; the subtracted class ends this one.
                    self.i += 1;
                    let sub = self.class()?;
                    s.push_str("--");
                    s.push_str(&sub);
                    if self.peek() != Some(']') {
                        return Err("a class subtraction must end its class".into());
                    }
                    self.i += 1;
                    break;
                }
                '\\' => {
                    let e = self.escape(true)?;
                    s.push_str(&e);
                }
                '[' => return Err("an unescaped `[` inside a class".into()),
                '&' | '~' => {
                    s.push('\\');
                    s.push(ch);
                }
                '-' => s.push('-'),
                _ => s.push(ch),
            }
            first = false;
        }
        s.push(']');
        Ok(s)
    }

    /// After `\`: the escape in Rust syntax. `in_class`: the result is placed inside `[…]`.
    fn escape(&mut self, in_class: bool) -> Result<String, String> {
        let Some(ch) = self.peek() else { return Err("the pattern ends with `\\`".into()) };
        self.i += 1;
        let set = |inner: &str, neg: bool| -> String {
            if in_class && !neg { inner.to_string() } else { format!("[{}{inner}]", if neg { "^" } else { "" }) }
        };
        Ok(match ch {
            'n' | 'r' | 't' | 'd' | 'D' => format!("\\{ch}"),
            '\\' | '|' | '.' | '-' | '^' | '?' | '*' | '+' | '{' | '}' | '(' | ')' | '[' | ']' | '$' => format!("\\{ch}"),
            's' => set(r" \t\n\r", false),
            'S' => set(r" \t\n\r", true),
            'w' => r"[^\p{P}\p{Z}\p{C}]".to_string(),
            'W' => r"[\p{P}\p{Z}\p{C}]".to_string(),
            'i' => set(NAME_START, false),
            'I' => set(NAME_START, true),
            'c' => set(&format!("{NAME_START}{NAME_MORE}"), false),
            'C' => set(&format!("{NAME_START}{NAME_MORE}"), true),
            'p' | 'P' => {
                if self.peek() != Some('{') {
                    return Err(format!("`\\{ch}` must be followed by `{{…}}`"));
                }
                let start = self.i + 1;
                let end = (start..self.c.len()).find(|&j| self.c[j] == '}').ok_or("a `\\p{` is not closed")?;
                let name: String = self.c[start..end].iter().collect();
                self.i = end + 1;
                let neg = ch == 'P';
                if let Some(block) = name.strip_prefix("Is") {
                    let Some((_, a, b)) = BLOCKS.iter().find(|(n, _, _)| *n == block) else {
                        return Err(format!("the Unicode block `\\p{{{name}}}` is not supported"));
                    };
                    set(&format!("\\x{{{a:X}}}-\\x{{{b:X}}}"), neg)
                } else {
                    format!("\\{ch}{{{name}}}")
                }
            }
            other => return Err(format!("the escape `\\{other}` is not supported")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::convert;

    #[test]
    fn converts() {
        assert_eq!(convert("([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}").unwrap(), "([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}");
        assert_eq!(convert(r"[\p{L}0-9. ]*").unwrap(), r"[\p{L}0-9. ]*");
        assert_eq!(convert(r"\p{IsBasicLatin}+").unwrap(), r"[\x{0}-\x{7F}]+");
        assert_eq!(convert(r"[\p{IsBasicLatin}ä]+").unwrap(), r"[\x{0}-\x{7F}ä]+");
        assert_eq!(convert(r"[a-z-[aeiou]]").unwrap(), r"[a-z--[aeiou]]");
        assert_eq!(convert("a^b$").unwrap(), r"a\^b\$");
        assert_eq!(convert("a.b").unwrap(), r"a[^\n\r]b");
        assert!(convert(r"\i\c*").is_ok());
        assert!(convert(r"\p{IsKlingon}").is_err());
        assert!(convert(r"[a-").is_err());
        assert!(convert("Codeliste Regionalschlüssel").is_ok());
    }
}
