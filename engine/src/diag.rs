//! Diagnostics are data: a severity, a stable code, a span in the form file, a
//! message and a help text. This file renders nothing; [`render`] turns them into
//! rustc-like text and JSON (pure strings, for the command line and the authors'
//! preview), and the server's HTML and the browser module's JSON are their own.

pub mod codes;
pub mod render;

use serde::{Deserialize, Serialize};

/// A position in a source file: 1-based line and column, counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Pos {
    /// Character offset from the start of the file (0-based).
    pub offset: u32,
    /// Line, 1-based.
    pub line: u32,
    /// Column, 1-based, in characters.
    pub column: u32,
}

/// A range `[start, end)` in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Span {
    /// First character.
    pub start: Pos,
    /// One past the last character.
    pub end: Pos,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
// Exhaustive for the workspace's own front ends (`internals`), which must handle a new
// variant; non-exhaustive for embeddings, which must not break on one.
#[cfg_attr(not(feature = "internals"), non_exhaustive)]
pub enum Severity {
    /// The form cannot be used.
    Error,
    /// The form works, but probably not as the author meant.
    Warning,
}

/// One finding of the compiler about a form file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code, e.g. `E0101`: one of the registry `diag::codes`, documented in `docs/diagnostics.md`.
    pub code: &'static str,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where it is wrong: the offending part, not the whole key.
    pub span: Span,
    /// What to do about it.
    pub help: Option<String>,
    /// Secondary places that explain the problem (e.g. the first definition of a duplicate id).
    pub labels: Vec<Label>,
}

/// A secondary place mentioned by a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// Why it is mentioned.
    pub message: String,
}

impl Diagnostic {
    /// A new error.
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, code, message: message.into(), span, help: None, labels: Vec::new() }
    }

    /// A new warning.
    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, code, message: message.into(), span, help: None, labels: Vec::new() }
    }

    /// Adds a help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a help text if there is one.
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Maps character offsets of a source text to lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Character offset at which each line starts.
    line_starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        let mut n = 0u32;
        for c in text.chars() {
            n += 1;
            if c == '\n' {
                line_starts.push(n);
            }
        }
        LineIndex { line_starts, len: n }
    }

    /// The position of character offset `offset` (clamped to the end of the text).
    pub fn pos(&self, offset: u32) -> Pos {
        let offset = offset.min(self.len);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        Pos { offset, line: line as u32 + 1, column: offset - self.line_starts[line] + 1 }
    }

    /// The span `[start, end)` of character offsets.
    pub fn span(&self, start: u32, end: u32) -> Span {
        Span { start: self.pos(start), end: self.pos(end.max(start)) }
    }

    /// [`LineIndex::span`] for a caller that asks in (mostly) increasing order, such as the
    /// YAML reader: `line` is the line (from 0) of the previous answer, tried before a
    /// search, and is updated. The same result as `span`.
    pub fn span_near(&self, start: u32, end: u32, line: &mut usize) -> Span {
        Span { start: self.pos_near(start, line), end: self.pos_near(end.max(start), line) }
    }

    fn pos_near(&self, offset: u32, line: &mut usize) -> Pos {
        let offset = offset.min(self.len);
        let on = |l: usize| self.line_starts[l] <= offset && self.line_starts.get(l + 1).is_none_or(|&next| offset < next);
        let l = if *line < self.line_starts.len() && on(*line) {
            *line
        } else if *line + 1 < self.line_starts.len() && on(*line + 1) {
            *line + 1
        } else {
            match self.line_starts.binary_search(&offset) {
                Ok(i) => i,
                Err(i) => i - 1,
            }
        };
        *line = l;
        Pos { offset, line: l as u32 + 1, column: offset - self.line_starts[l] + 1 }
    }
}

/// Suggests the candidate closest to `name` (Damerau-Levenshtein), if one is close enough
/// to be what the author meant.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = match name.chars().count() {
        0..=3 => 1,
        4..=7 => 2,
        _ => 3,
    };
    let lower = name.to_lowercase();
    let lower_len = lower.chars().count();
    candidates
        .into_iter()
        .filter_map(|c| {
            // Cheap refusals first (a form with many unknown names asks this once per name
            // against every name of the form): the distance is at least the difference in
            // length, and an ASCII candidate without capitals is its own lower case.
            if c.is_ascii() && c.len().abs_diff(lower_len) > limit {
                return None;
            }
            let d = if c.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
                if lower.is_ascii() && letters_apart(&lower, c) > limit {
                    return None;
                }
                strsim::damerau_levenshtein(&lower, c)
            } else {
                strsim::damerau_levenshtein(&lower, &c.to_lowercase())
            };
            (d <= limit).then_some((d, c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

/// A lower bound of the Damerau-Levenshtein distance of two ASCII texts, from the letters
/// alone: inserting, deleting or replacing a character changes the surplus of letters on
/// either side by at most one, swapping two changes none.
fn letters_apart(a: &str, b: &str) -> usize {
    let mut count = [0i32; 128];
    for x in a.bytes() {
        count[usize::from(x & 0x7F)] += 1;
    }
    for x in b.bytes() {
        count[usize::from(x & 0x7F)] -= 1;
    }
    // The surplus of each side, visiting only the letters written (not all 128).
    let (mut more, mut fewer) = (0, 0);
    for x in a.bytes() {
        let n = &mut count[usize::from(x & 0x7F)];
        if *n > 0 {
            more += 1;
            *n -= 1;
        }
    }
    for x in b.bytes() {
        let n = &mut count[usize::from(x & 0x7F)];
        if *n < 0 {
            fewer += 1;
            *n += 1;
        }
    }
    more.max(fewer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_characters() {
        let idx = LineIndex::new("äb\ncd\n");
        assert_eq!(idx.pos(0), Pos { offset: 0, line: 1, column: 1 });
        assert_eq!(idx.pos(1), Pos { offset: 1, line: 1, column: 2 });
        assert_eq!(idx.pos(3), Pos { offset: 3, line: 2, column: 1 });
        assert_eq!(idx.pos(6), Pos { offset: 6, line: 3, column: 1 });
    }

    #[test]
    fn span_near_is_span_in_any_order() {
        let text = "äb\ncd\n\nü€x\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.len as usize, text.chars().count());
        let n = idx.len + 2;
        let mut line = 0;
        // Forwards, backwards and jumping, past the end too.
        let order: Vec<u32> = (0..n).chain((0..n).rev()).chain((0..n).map(|i| (i * 7) % n)).collect();
        for w in order.windows(2) {
            let (a, b) = (w[0], w[1]);
            assert_eq!(idx.span_near(a, b, &mut line), idx.span(a, b), "{a}..{b}");
        }
    }

    /// The suggestion as it was computed before the cheap refusals: every candidate measured.
    fn did_you_mean_by_measuring_all<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
        let limit = match name.chars().count() {
            0..=3 => 1,
            4..=7 => 2,
            _ => 3,
        };
        let lower = name.to_lowercase();
        candidates
            .into_iter()
            .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
            .filter(|(d, _)| *d <= limit)
            .min_by_key(|(d, _)| *d)
            .map(|(_, c)| c.to_string())
    }

    #[test]
    fn suggestions_are_those_of_measuring_every_candidate() {
        let candidates = [
            "a", "ab", "abc", "abcd", "abcde", "Abcd", "ABCDE", "geburtsdatum", "Geburtsdatum", "gebursdatum", "größe", "GRÖSSE",
            "groesse", "f1", "f12", "f123", "g1", "x_1", "required", "label", "İx", "ix", "",
        ];
        let names = ["a", "b", "abd", "abcdf", "acbd", "geburtsdatm", "GeburtsDatum", "grösse", "größe", "f1", "f1234", "g12", "ix", "İx", "x"];
        for name in names {
            assert_eq!(did_you_mean(name, candidates), did_you_mean_by_measuring_all(name, candidates), "{name}");
            let rev: Vec<&str> = candidates.iter().rev().copied().collect();
            assert_eq!(did_you_mean(name, rev.clone()), did_you_mean_by_measuring_all(name, rev), "{name}");
        }
    }

    proptest::proptest! {
        /// Random names over a few letters, so that many are close: the cheap refusals never
        /// refuse the suggestion that measuring gives.
        #[test]
        fn suggestions_by_refusing_are_those_by_measuring(
            name in "[abcA_1]{0,9}",
            candidates in proptest::collection::vec("[abcB_1ä]{0,10}", 0..30),
        ) {
            let c: Vec<&str> = candidates.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(did_you_mean(&name, c.clone()), did_you_mean_by_measuring_all(&name, c));
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("requird", ["required", "label"]), Some("required".into()));
        assert_eq!(did_you_mean("xyz", ["required", "label"]), None);
    }
}
