//! Turns a `saphyr-parser` error into the diagnostic an author can act on (E0001).
//!
//! Two mistakes are common enough in form files to deserve their own words, and the
//! parser's own message and position do not help with them:
//!
//! - **A tab in the indentation.** For a tab at the start of a line after a plain scalar,
//!   the parser reports the *start of that scalar*, which is on an earlier line; we point
//!   at the tab itself instead.
//! - **An expression that starts with a text in quotes**, `visible_if: "x" == a`: YAML
//!   reads `"x"` as the whole value and stops at what follows. We say so, and show the
//!   value written in single quotes with its texts in double quotes.

use crate::diag::codes;
use crate::diag::{Diagnostic, LineIndex};

const GENERAL_HELP: &str =
    "check the indentation and that every `key: value` pair is on its own line; texts containing `: ` or `#` need quotes";

/// The diagnostic for a YAML error `info` that the parser reports at character `at`.
pub(super) fn yaml_error(chars: &[char], index: &LineIndex, at: u32, info: &str) -> Diagnostic {
    if let Some(tab) = tab_in_indentation(chars, at, info) {
        return Diagnostic::error(codes::E0001, index.span(tab, tab + 1), "this is not valid YAML: a tab in the indentation").with_help(
            "indent with spaces only: YAML does not allow tabs for indentation (let your editor insert spaces for the Tab key)",
        );
    }
    if info.contains("trailing content after")
        && info.contains("quoted scalar")
        && let Some(d) = quoted_start(chars, index, at)
    {
        return d;
    }
    Diagnostic::error(codes::E0001, index.span(at, at + 1), format!("this is not valid YAML: {info}")).with_help(GENERAL_HELP)
}

/// The character offsets `[start, end)` of the line holding `at`, without its line break.
fn line_of(chars: &[char], at: u32) -> (usize, usize) {
    let at = (at as usize).min(chars.len());
    let start = chars[..at].iter().rposition(|&c| c == '\n').map_or(0, |i| i + 1);
    let end = chars[at..].iter().position(|&c| c == '\n').map_or(chars.len(), |i| at + i);
    (start, end)
}

/// The offset of the tab an error is about: the first tab in the leading whitespace of a
/// line with content, from the line of `at` on. Only for errors about tabs, or errors on
/// a line that is indented with a tab.
fn tab_in_indentation(chars: &[char], at: u32, info: &str) -> Option<u32> {
    let (mut start, _) = line_of(chars, at);
    let about_tabs = info.contains("tab");
    // An error about tabs may be reported some lines before the tab (at the start of the
    // plain scalar the parser was reading); other errors only count on their own line.
    let lines = if about_tabs { usize::MAX } else { 1 };
    for _ in 0..lines {
        let (s, e) = line_of(chars, start as u32);
        let lead = chars[s..e].iter().take_while(|c| **c == ' ' || **c == '\t').count();
        let has_content = s + lead < e && chars[s + lead] != '#';
        if has_content && let Some(i) = chars[s..s + lead].iter().position(|&c| c == '\t') {
            return Some((s + i) as u32);
        }
        if e >= chars.len() {
            break;
        }
        start = e + 1;
    }
    None
}

/// An expression such as `"x" == a` written as a YAML value: the quoted scalar ends at
/// its closing quote just before `at`, and the rest of the line cannot be read.
fn quoted_start(chars: &[char], index: &LineIndex, at: u32) -> Option<Diagnostic> {
    let (line_start, line_end) = line_of(chars, at);
    let at = at as usize;
    // The closing quote: the last non-blank before `at`.
    let close = chars[line_start..at].iter().rposition(|c| !c.is_whitespace()).map(|i| line_start + i)?;
    let q = chars[close];
    if q != '"' && q != '\'' {
        return None;
    }
    // The opening quote: the value starts after `key: ` or `- ` (blank before the quote).
    let open = chars[line_start..close].iter().enumerate().rev().find_map(|(i, &c)| {
        let i = line_start + i;
        (c == q && (i == line_start || chars[i - 1].is_whitespace() || matches!(chars[i - 1], '[' | '{' | ','))).then_some(i)
    })?;
    // The value as meant: to the end of the line, without a comment, and in a flow map
    // without the closing `}` (an expression has no braces).
    let mut end = line_end;
    if let Some(hash) = (open..line_end).find(|&i| chars[i] == '#' && chars[i - 1].is_whitespace()) {
        end = hash;
    }
    let in_flow = chars[line_start..open].contains(&'{');
    let mut value: String = chars[open..end].iter().collect::<String>().trim_end().to_string();
    if in_flow {
        value = value.trim_end_matches(|c: char| c == '}' || c.is_whitespace()).trim_end_matches(',').trim_end().to_string();
    }
    let value_end = open + value.chars().count();
    let message = format!(
        "this is not valid YAML: the value starts with a text in quotes, so YAML ends it at the closing {q} and cannot read the rest"
    );
    let help = if value.contains('\\') {
        "put the whole expression in single quotes and write the texts inside it in double quotes".to_string()
    } else {
        // Texts in expressions may use either quote; inside single quotes, double ones.
        let how = if q == '"' { "keep the double quotes inside" } else { "write its texts in double quotes" };
        format!("put the whole expression in single quotes and {how}: write `'{}'`", value.replace('\'', "\""))
    };
    Some(Diagnostic::error(codes::E0001, index.span(open as u32, value_end as u32), message).with_help(help))
}

#[cfg(test)]
mod tests {
    use crate::source::parse_yaml;

    fn err(text: &str) -> crate::diag::Diagnostic {
        parse_yaml(text).unwrap_err().remove(0)
    }

    #[test]
    fn a_tab_is_reported_where_it_is() {
        // Issue #20, point 10: after a plain scalar the parser reports the line before.
        let e = err("a:\n  b: 1\n\tc: 2\n");
        assert_eq!((e.code, e.span.start.line, e.span.start.column), ("E0001", 3, 1));
        assert_eq!((e.span.start.offset, e.span.end.offset), (10, 11));
        assert_eq!(e.message, "this is not valid YAML: a tab in the indentation");
        let e = err("a:\n  b:\n    c: 1\n  \t  d: 2\n");
        assert_eq!((e.span.start.line, e.span.start.column), (4, 3));
        // A tab starting a block-indented line, and a tab in a block scalar's indentation.
        assert_eq!(err("steps:\n\t- id: s\n").span.start.line, 2);
        assert_eq!(err("steps:\n\t- id: s\n").span.start.column, 1);
        let e = err("a: |\n  x\n\ty\n");
        assert_eq!(
            (e.span.start.line, e.span.start.column, e.message.as_str()),
            (3, 1, "this is not valid YAML: a tab in the indentation")
        );
        // Tabs after the indentation and on empty lines are fine.
        assert!(parse_yaml("a: 1\t# c\nb:\n\t\n  c: 2\n").is_ok());
    }

    #[test]
    fn an_expression_starting_with_a_quote_gets_the_fix() {
        // Issue #20, point 10.
        let text = "x:\n  visible_if: \"ja\" == antwort   # c\n";
        let e = err(text);
        assert_eq!((e.span.start.line, e.span.start.column, e.span.end.column), (2, 15, 30));
        assert!(e.message.contains("starts with a text in quotes"), "{}", e.message);
        assert_eq!(
            e.help.as_deref(),
            Some("put the whole expression in single quotes and keep the double quotes inside: write `'\"ja\" == antwort'`")
        );
        // Single quotes first, in a flow map: the texts go into double quotes.
        let e = err("- { id: a, visible_if: 'x' != a and a != \"y\" }\n");
        assert_eq!(
            e.help.as_deref(),
            Some("put the whole expression in single quotes and write its texts in double quotes: write `'\"x\" != a and a != \"y\"'`")
        );
        assert_eq!(e.span.start.column, 24);
        assert_eq!(e.span.end.column, 45);
    }
}
