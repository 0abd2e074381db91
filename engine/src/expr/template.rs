//! `{{ expression }}` placeholders in texts (labels, hints, messages, `info` texts).
//!
//! A text is split into literal parts and parsed placeholder expressions. Spans inside a
//! placeholder are shifted to count from the start of the whole text, so the compiler only
//! adds the text's own position in the file.

use super::ast::Expr;
use super::error::{self, ExprError};
use super::parse::parse;

/// A piece of a text with placeholders.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    /// Literal text, shown as written.
    Text(String),
    /// A placeholder; its spans count characters from the start of the whole text.
    Expr {
        /// The parsed expression.
        expr: Expr,
        /// Character offset of the placeholder's `{{` in the text.
        offset: u32,
    },
}

/// Splits `text` into literal parts and `{{ expression }}` placeholders. A text without
/// `{{` is a single [`TemplatePart::Text`]; an unclosed `{{` is an error (E0201).
pub fn parse_template(text: &str) -> Result<Vec<TemplatePart>, ExprError> {
    // Most texts (labels, hints) have no placeholder: no walk char by char.
    if !text.contains("{{") {
        return Ok(vec![TemplatePart::Text(text.to_string())]);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '{' && chars.get(i + 1) == Some(&'{') {
            let open = i;
            let start = i + 2;
            let end = closing(&chars, start).ok_or_else(|| {
                ExprError::new(error::SYNTAX, (open as u32, start as u32), "unclosed placeholder: add `}}`")
                    .with_help("a placeholder is written {{ expression }}")
            })?;
            if !literal.is_empty() {
                parts.push(TemplatePart::Text(std::mem::take(&mut literal)));
            }
            let src: String = chars[start..end].iter().collect();
            let mut expr = parse(&src).map_err(|e| e.shifted(start as u32))?;
            expr.shift(start as u32);
            parts.push(TemplatePart::Expr { expr, offset: open as u32 });
            i = end + 2;
        } else {
            literal.push(chars[i]);
            i += 1;
        }
    }
    if !literal.is_empty() || parts.is_empty() {
        parts.push(TemplatePart::Text(literal));
    }
    Ok(parts)
}

/// The index of the `}}` closing a placeholder whose expression starts at `from`; `}}`
/// inside quoted texts does not count.
fn closing(chars: &[char], from: usize) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut i = from;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == '\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '}' && chars.get(i + 1) == Some(&'}') => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(parts: &[TemplatePart]) -> Vec<String> {
        parts
            .iter()
            .map(|p| match p {
                TemplatePart::Text(t) => format!("T:{t}"),
                TemplatePart::Expr { expr, offset } => format!("E@{offset}:{}", expr.sexpr()),
            })
            .collect()
    }

    #[test]
    fn splits_text_and_placeholders() {
        let p = parse_template("Hund {{ index }} von {{count(hund)}}").unwrap();
        assert_eq!(shape(&p), vec!["T:Hund ", "E@5:index", "T: von ", "E@21:(count hund)"]);
        assert_eq!(shape(&parse_template("Nur Text }}").unwrap()), vec!["T:Nur Text }}"]);
        assert_eq!(shape(&parse_template("").unwrap()), vec!["T:"]);
        assert_eq!(shape(&parse_template("{{ '}}' }}!").unwrap()), vec!["E@0:\"}}\"", "T:!"]);
    }

    #[test]
    fn spans_are_relative_to_the_whole_text() {
        let p = parse_template("Größe: {{ größe + 1 }}").unwrap();
        let TemplatePart::Expr { expr, offset } = &p[1] else { panic!() };
        assert_eq!(*offset, 7);
        assert_eq!(expr.span, (10, 19));
        let e = parse_template("Ä {{ a + }}").unwrap_err();
        assert_eq!((e.code, e.span), ("E0201", (9, 9)));
    }

    #[test]
    fn unclosed_placeholder() {
        let e = parse_template("Hallo {{ vorname").unwrap_err();
        assert_eq!((e.code, e.span), ("E0201", (6, 8)));
        assert_eq!(e.message, "unclosed placeholder: add `}}`");
    }
}
