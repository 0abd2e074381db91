//! A small YAML writer: block maps and lists in a fixed key order, texts always in double
//! quotes with escapes, comments where they help. Only what the importer writes.

/// A YAML text in double quotes: `\` and `"` escaped, control and line-break characters as
/// escapes, so any text survives.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A comment of one or more lines at an indentation, wrapped near 100 characters.
pub fn comment(out: &mut String, indent: usize, text: &str) {
    let pad = " ".repeat(indent);
    for para in text.split('\n') {
        let mut line = String::new();
        for w in para.split_whitespace() {
            if !line.is_empty() && line.len() + w.len() + 1 > 100 {
                out.push_str(&format!("{pad}# {line}\n"));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(w);
        }
        out.push_str(&format!("{pad}#{}{line}\n", if line.is_empty() { "" } else { " " }));
    }
}

/// An answer value for a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub enum Ans {
    /// Written as is (a number, `true`).
    Plain(String),
    /// Written in quotes.
    Text(String),
    /// A map in flow style.
    Map(Vec<(String, Ans)>),
    /// A list in flow style.
    List(Vec<Ans>),
}

impl Ans {
    /// Flow style: `{ a: "x", b: [ { … } ] }`.
    pub fn flow(&self) -> String {
        match self {
            Ans::Plain(s) => s.clone(),
            Ans::Text(s) => quote(s),
            Ans::Map(m) => format!("{{ {} }}", m.iter().map(|(k, v)| format!("{k}: {}", v.flow())).collect::<Vec<_>>().join(", ")),
            Ans::List(l) => format!("[{}]", l.iter().map(Ans::flow).collect::<Vec<_>>().join(", ")),
        }
    }

    /// Block style at an indentation (for the top-level `answers:` map), one key a line.
    pub fn block(map: &[(String, Ans)], indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        if map.is_empty() {
            return;
        }
        for (k, v) in map {
            match v {
                Ans::Map(m) if !m.is_empty() => {
                    out.push_str(&format!("{pad}{k}:\n"));
                    Ans::block(m, indent + 2, out);
                }
                _ => out.push_str(&format!("{pad}{k}: {}\n", v.flow())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("a \"b\" \\ c\nd"), r#""a \"b\" \\ c\nd""#);
        assert_eq!(quote("#: {x}"), "\"#: {x}\"");
        assert_eq!(quote("\u{1}"), "\"\\x01\"");
    }
}
