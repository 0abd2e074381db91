//! Renders the engine's diagnostics for people and for tools.
//!
//! The engine produces diagnostics as data ([`Diagnostic`]); this module is where they
//! become text: pure strings, no I/O, so the command line and the server's authors'
//! preview render them alike. [`render_text`] draws them the way rustc does — a header with the code,
//! an arrow to `file:line:column`, the offending source line with carets under the exact
//! characters, secondary labels underlined with `-`, and the help text — because form
//! authors get one consistent, well-tried layout and editors already know how to read it.
//! [`render_json`] gives the same information to tools (editor plug-ins, CI annotations).
//! [`render_summary`] is the one-line verdict per file, worded for non-programmers.
//!
//! Positions in a [`Diagnostic`] are 1-based lines and columns counted in characters.
//! On screen a character is not always one cell wide, so the renderer measures what it
//! draws: a tab is drawn as 4 spaces, combining marks take no cell, East Asian wide
//! characters and most emoji take two; control characters are drawn as `�`. Spans that
//! point past the end of a line or of the file are clamped, never a panic.

use std::fmt::Write as _;

use super::{Diagnostic, Pos, Severity};
use serde_json::{Value, json};

/// ANSI styles, used only when colour is on.
mod ansi {
    pub const RESET: &str = "\x1b[0m";
    pub const BOLD: &str = "\x1b[1m";
    pub const ERROR: &str = "\x1b[1;31m";
    pub const WARNING: &str = "\x1b[1;33m";
    pub const GUTTER: &str = "\x1b[1;34m";
    pub const OK: &str = "\x1b[1;32m";
}

/// Wraps `text` in an ANSI style when `color` is on.
fn paint(text: &str, style: &str, color: bool) -> String {
    if color && !text.is_empty() { format!("{style}{text}{}", ansi::RESET) } else { text.to_string() }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn severity_style(s: Severity) -> &'static str {
    match s {
        Severity::Error => ansi::ERROR,
        Severity::Warning => ansi::WARNING,
    }
}

/// Screen cells taken by one character of a source line.
fn char_width(c: char) -> usize {
    let u = c as u32;
    if c == '\t' {
        4
    } else if is_zero_width(u) {
        0
    } else if is_wide(u) {
        2
    } else {
        1
    }
}

/// Combining marks, zero-width joiners and variation selectors.
fn is_zero_width(u: u32) -> bool {
    matches!(u, 0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200B..=0x200F | 0x20D0..=0x20FF | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F)
}

/// East Asian wide and full-width characters and the common emoji blocks.
fn is_wide(u: u32) -> bool {
    matches!(
        u,
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF
            | 0x20000..=0x3FFFD
    )
}

/// One source line, prepared for drawing.
struct Line {
    /// The characters as they are in the file (without the line break).
    chars: Vec<char>,
}

impl Line {
    fn new(text: &str) -> Self {
        Line { chars: text.strip_suffix('\r').unwrap_or(text).chars().collect() }
    }

    fn len(&self) -> usize {
        self.chars.len()
    }

    /// Cells taken by character `i`; positions past the end (the line break) take one.
    fn width_at(&self, i: usize) -> usize {
        self.chars.get(i).map_or(1, |&c| char_width(c))
    }

    /// The screen column (0-based) at which character `i` starts.
    fn col(&self, i: usize) -> usize {
        (0..i).map(|k| self.width_at(k)).sum()
    }

    /// Cells under the characters `[start, end)`; at least one.
    fn cells(&self, start: usize, end: usize) -> usize {
        (start..end).map(|k| self.width_at(k)).sum::<usize>().max(1)
    }

    /// The line as drawn: tabs as spaces, control characters visible.
    fn display(&self) -> String {
        let mut s = String::new();
        for &c in &self.chars {
            match c {
                '\t' => s.push_str("    "),
                c if c.is_control() => s.push('\u{FFFD}'),
                c => s.push(c),
            }
        }
        s
    }
}

/// The source split into lines, with positions clamped into it.
struct Source {
    lines: Vec<Line>,
}

impl Source {
    fn new(text: &str) -> Self {
        Source { lines: text.split('\n').map(Line::new).collect() }
    }

    fn line(&self, n: usize) -> &Line {
        &self.lines[n - 1]
    }

    /// `(line, char index)` of a position, clamped into the text: a line past the end of the
    /// file becomes the end of the last line, a column past the end of a line its end.
    fn clamp(&self, p: Pos) -> (usize, usize) {
        let last = self.lines.len();
        let line = p.line as usize;
        if line == 0 {
            (1, 0)
        } else if line > last {
            (last, self.line(last).len())
        } else {
            (line, (p.column.max(1) as usize - 1).min(self.line(line).len()))
        }
    }
}

/// An underline on one line: characters `[start, end)`.
struct Mark<'a> {
    line: usize,
    start: usize,
    end: usize,
    primary: bool,
    message: Option<&'a str>,
}

/// The primary span when it covers several lines: drawn rustc-style with `_^` and `|_^`.
struct Multi {
    start_line: usize,
    start: usize,
    end_line: usize,
    /// Index of the last character of the span on `end_line`.
    last: usize,
}

/// A span `(start, end)` resolved against the source: either one line or several.
enum Resolved {
    One { line: usize, start: usize, end: usize },
    Many(Multi),
}

fn resolve(src: &Source, start: Pos, end: Pos) -> Resolved {
    let (sl, sc) = src.clamp(start);
    let (mut el, mut ec) = src.clamp(end);
    if (el, ec) < (sl, sc) {
        (el, ec) = (sl, sc);
    }
    // A span ending right after a line break ends on the line before, with the break.
    if el > sl && ec == 0 {
        el -= 1;
        ec = src.line(el).len() + 1;
    }
    if el == sl {
        Resolved::One { line: sl, start: sc, end: ec.max(sc) }
    } else {
        Resolved::Many(Multi { start_line: sl, start: sc, end_line: el, last: ec - 1 })
    }
}

/// The pieces of an annotation row: `(cell, text, style)`.
type Row = Vec<(usize, String, &'static str)>;

/// Renders one diagnostic like rustc, e.g.
///
/// ```text
/// error[E0202]: unknown field `vornme`
///   --> forms/hund.yaml:12:25
///    |
/// 12 |         visible_if: vornme == "x"
///    |                     ^^^^^^
///    |
///    = help: did you mean `vorname`?
/// ```
///
/// `file` is shown as given; `source` is the file's text (the same text the diagnostic was
/// computed from). ANSI colours only when `color` is true. Every line ends with `\n`.
pub fn render_text(d: &Diagnostic, file: &str, source: &str, color: bool) -> String {
    let src = Source::new(source);
    let sev = severity_style(d.severity);
    let mut out = String::new();

    // Header.
    let head = format!("{}[{}]", severity_word(d.severity), d.code);
    let _ = writeln!(out, "{}{}", paint(&head, sev, color), paint(&format!(": {}", d.message), ansi::BOLD, color));

    // What to draw.
    let mut marks: Vec<Mark> = Vec::new();
    let mut multi: Option<Multi> = None;
    match resolve(&src, d.span.start, d.span.end) {
        Resolved::One { line, start, end } => marks.push(Mark { line, start, end, primary: true, message: None }),
        Resolved::Many(m) => multi = Some(m),
    }
    for label in &d.labels {
        let msg = Some(label.message.as_str()).filter(|m| !m.is_empty());
        match resolve(&src, label.span.start, label.span.end) {
            Resolved::One { line, start, end } => marks.push(Mark { line, start, end, primary: false, message: msg }),
            // A secondary span over several lines: underline its first line to the end.
            Resolved::Many(m) => {
                let end = src.line(m.start_line).len().max(m.start + 1);
                marks.push(Mark { line: m.start_line, start: m.start, end, primary: false, message: msg })
            }
        }
    }

    let mut shown: Vec<usize> = marks.iter().map(|m| m.line).collect();
    if let Some(m) = &multi {
        if m.end_line - m.start_line <= 5 {
            shown.extend(m.start_line..=m.end_line);
        } else {
            shown.extend([m.start_line, m.start_line + 1, m.end_line - 1, m.end_line]);
        }
    }
    shown.sort_unstable();
    shown.dedup();
    // A gap of a single line is cheaper to show than to elide.
    let mut lines: Vec<Option<usize>> = Vec::new();
    for (i, &n) in shown.iter().enumerate() {
        if i > 0 {
            let prev = shown[i - 1];
            if n == prev + 2 {
                lines.push(Some(prev + 1));
            } else if n > prev + 2 {
                lines.push(None);
            }
        }
        lines.push(Some(n));
    }

    // Location and gutter.
    let (loc_line, loc_col) = {
        let (l, c) = src.clamp(d.span.start);
        (l, c + 1)
    };
    let width = shown.last().copied().unwrap_or(loc_line).to_string().len();
    let pad = " ".repeat(width);
    let bar = paint("|", ansi::GUTTER, color);
    let empty_gutter = format!("{pad} {bar}");
    let _ = writeln!(out, "{pad}{} {file}:{loc_line}:{loc_col}", paint("-->", ansi::GUTTER, color));
    let _ = writeln!(out, "{empty_gutter}");

    let margin_width = if multi.is_some() { 2 } else { 0 };
    for entry in lines {
        let Some(n) = entry else {
            let _ = writeln!(out, "{}", paint("...", ansi::GUTTER, color));
            continue;
        };
        let line = src.line(n);
        let inside = multi.as_ref().is_some_and(|m| m.start_line < n && n <= m.end_line);
        let margin = match (&multi, inside) {
            (None, _) => String::new(),
            (Some(_), true) => format!("{} ", paint("|", sev, color)),
            (Some(_), false) => "  ".to_string(),
        };
        let text = format!("{margin}{}", line.display());
        let num = paint(&format!("{n:>width$} |"), ansi::GUTTER, color);
        let _ = writeln!(out, "{}", format!("{num} {text}").trim_end());

        // Underlines of this line, right of the margin; inside a multi-line span the bar continues.
        for mut row in annotation_rows(line, marks.iter().filter(|m| m.line == n).collect(), sev) {
            for p in &mut row {
                p.0 += margin_width;
            }
            if inside {
                row.insert(0, (0, "|".into(), sev));
            }
            let _ = writeln!(out, "{empty_gutter} {}", draw_row(&row, color).trim_end());
        }
        // The multi-line span's start (` _^`) and end (`|_^`), drawn through the margin.
        if let Some(m) = &multi {
            let mut rows: Vec<Row> = Vec::new();
            if n == m.start_line {
                let col = line.col(m.start);
                rows.push(vec![(1, "_".repeat(col + 1), sev), (col + margin_width, "^".into(), sev)]);
            }
            if n == m.end_line {
                let col = line.col(m.last);
                rows.push(vec![(0, "|".into(), sev), (1, "_".repeat(col + 1), sev), (col + margin_width, "^".into(), sev)]);
            }
            for row in rows {
                let _ = writeln!(out, "{empty_gutter} {}", draw_row(&row, color).trim_end());
            }
        }
    }

    if let Some(help) = &d.help {
        let _ = writeln!(out, "{empty_gutter}");
        let mut help_lines = help.lines();
        let first = help_lines.next().unwrap_or("");
        let _ = writeln!(out, "{pad} {} {}: {first}", paint("=", ansi::GUTTER, color), paint("help", ansi::BOLD, color));
        for more in help_lines {
            let _ = writeln!(out, "{pad}         {more}");
        }
    }
    out
}

/// Underlines (and label messages) for the marks on one line, as rows of pieces.
fn annotation_rows(line: &Line, mut marks: Vec<&Mark>, sev: &'static str) -> Vec<Row> {
    if marks.is_empty() {
        return Vec::new();
    }
    marks.sort_by_key(|m| (m.start, !m.primary));
    // The underline row: labels first, the primary span drawn over them.
    let mut cells: Vec<Option<(char, &'static str)>> = Vec::new();
    for m in marks.iter().filter(|m| !m.primary).chain(marks.iter().filter(|m| m.primary)) {
        let (from, n) = (line.col(m.start), line.cells(m.start, m.end));
        if cells.len() < from + n {
            cells.resize(from + n, None);
        }
        let glyph = if m.primary { ('^', sev) } else { ('-', ansi::GUTTER) };
        cells[from..from + n].iter_mut().for_each(|c| *c = Some(glyph));
    }
    let mut underline: Row = Vec::new();
    for (i, c) in cells.iter().enumerate() {
        if let Some((ch, style)) = c {
            match underline.last_mut() {
                Some((at, s, st)) if *st == *style && *at + s.chars().count() == i => s.push(*ch),
                _ => underline.push((i, ch.to_string(), style)),
            }
        }
    }
    let mut rows = vec![underline];

    // Messages: the rightmost one inline if nothing reaches past it, the others below
    // with `|` connectors, right to left.
    let mut labelled: Vec<(usize, usize, &str)> = marks
        .iter()
        .filter_map(|m| m.message.map(|msg| (line.col(m.start), line.col(m.start) + line.cells(m.start, m.end), msg)))
        .collect();
    if let Some(&(_, end, msg)) = labelled.last()
        && end == cells.len()
    {
        rows[0].push((end + 1, msg.to_string(), ansi::GUTTER));
        labelled.pop();
    }
    let mut labelled: Vec<(usize, &str)> = labelled.into_iter().map(|(c, _, m)| (c, m)).collect();
    while let Some((col, msg)) = labelled.pop() {
        let connectors = |upto: usize| -> Row { labelled[..upto].iter().map(|&(c, _)| (c, "|".to_string(), ansi::GUTTER)).collect() };
        let mut r = connectors(labelled.len());
        r.push((col, "|".into(), ansi::GUTTER));
        rows.push(r);
        let mut r = connectors(labelled.len());
        r.push((col, msg.to_string(), ansi::GUTTER));
        rows.push(r);
    }
    rows
}

/// Lays out the pieces of a row at their cells.
fn draw_row(row: &Row, color: bool) -> String {
    let mut pieces: Vec<&(usize, String, &str)> = row.iter().collect();
    pieces.sort_by_key(|p| p.0);
    let mut out = String::new();
    let mut at = 0;
    for (col, text, style) in pieces {
        if *col < at {
            continue;
        }
        out.push_str(&" ".repeat(col - at));
        out.push_str(&paint(text, style, color));
        at = col + text.chars().map(char_width).sum::<usize>();
    }
    out
}

/// The diagnostics of several files as one JSON array, for tools:
/// `[{severity, code, message, help, file, line, column, end_line, end_column, labels}]`.
/// Lines and columns are 1-based and counted in characters; the end is exclusive; `help`
/// is `null` when absent; `labels` lists secondary places as `{message, line, column,
/// end_line, end_column}`.
pub fn render_json(items: &[(String, Diagnostic)]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|(file, d)| {
                json!({
                    "severity": severity_word(d.severity),
                    "code": d.code,
                    "message": d.message,
                    "help": d.help,
                    "file": file,
                    "line": d.span.start.line,
                    "column": d.span.start.column,
                    "end_line": d.span.end.line,
                    "end_column": d.span.end.column,
                    "labels": d.labels.iter().map(|l| json!({
                        "message": l.message,
                        "line": l.span.start.line,
                        "column": l.span.start.column,
                        "end_line": l.span.end.line,
                        "end_column": l.span.end.column,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The one-line verdict for a file: `hund.yaml: ok`, `hund.yaml: 2 errors, 1 warning`.
pub fn render_summary(file: &str, errors: usize, warnings: usize, color: bool) -> String {
    fn count(n: usize, word: &str) -> String {
        if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
    }
    let mut parts = Vec::new();
    if errors > 0 {
        parts.push(paint(&count(errors, "error"), ansi::ERROR, color));
    }
    if warnings > 0 {
        parts.push(paint(&count(warnings, "warning"), ansi::WARNING, color));
    }
    if parts.is_empty() {
        parts.push(paint("ok", ansi::OK, color));
    }
    format!("{}: {}", paint(file, ansi::BOLD, color), parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::LineIndex;

    /// The character range of the `n`-th occurrence (0-based) of `needle` in `src`.
    fn find(src: &str, needle: &str, n: usize) -> (u32, u32) {
        let byte = src.match_indices(needle).nth(n).expect("needle in source").0;
        let start = src[..byte].chars().count() as u32;
        (start, start + needle.chars().count() as u32)
    }

    fn error_at(src: &str, needle: &str, message: &str) -> Diagnostic {
        let (s, e) = find(src, needle, 0);
        Diagnostic::error("E0202", LineIndex::new(src).span(s, e), message)
    }

    #[test]
    fn one_line_span() {
        let src = "wegweiser: 1\nsteps:\n  - id: start\n    fields:\n      - id: vorname\n        visible_if: vornme == \"x\"\n";
        let d = error_at(src, "vornme", "unknown field `vornme`").with_help("did you mean `vorname`?");
        insta::assert_snapshot!(render_text(&d, "forms/hund.yaml", src, false));
    }

    #[test]
    fn umlauts_before_the_span_count_as_one_column() {
        let src = "titel: Hundesteuer für Größe und Gewicht: viel\n";
        let d = error_at(src, "Gewicht", "this text contains `: `");
        let text = render_text(&d, "hund.yaml", src, false);
        assert!(text.contains("hund.yaml:1:34"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn tab_indentation_shifts_the_carets() {
        let src = "steps:\n\t- id: a\n\t\ttitle: x\n";
        let d = error_at(src, "title", "a tab is not allowed for indentation");
        insta::assert_snapshot!(render_text(&d, "tabs.yaml", src, false));
    }

    #[test]
    fn wide_and_combining_characters() {
        let src = "titel: \"日本 Cafe\u{301} \" x\n";
        let d = error_at(src, "x", "unexpected text after the quoted title");
        insta::assert_snapshot!(render_text(&d, "wide.yaml", src, false));
    }

    #[test]
    fn multi_line_span() {
        let src = "wegweiser: 1\ntitle: \"Hunde\n  steuer\n  anmelden\n  jetzt\"\nsteps: []\n";
        let (s, _) = find(src, "\"Hunde", 0);
        let (_, e) = find(src, "jetzt\"", 0);
        let d = Diagnostic::error("E0101", LineIndex::new(src).span(s, e), "a title must fit on one line")
            .with_help("write the title on one line");
        insta::assert_snapshot!(render_text(&d, "hund.yaml", src, false));
    }

    #[test]
    fn long_multi_line_span_elides_the_middle() {
        let src = "a: |\n  1\n  2\n  3\n  4\n  5\n  6\n  7\nb: 2\n";
        let (s, _) = find(src, "|", 0);
        let (_, e) = find(src, "7", 0);
        let d = Diagnostic::error("E0102", LineIndex::new(src).span(s, e), "this text is too long");
        insta::assert_snapshot!(render_text(&d, "long.yaml", src, false));
    }

    #[test]
    fn empty_span_at_end_of_file() {
        let src = "wegweiser: 1\nsteps:";
        let n = src.chars().count() as u32;
        let d = Diagnostic::error("E0001", LineIndex::new(src).span(n, n), "the list of steps is missing")
            .with_help("add at least one step under `steps:`");
        insta::assert_snapshot!(render_text(&d, "hund.yaml", src, false));
    }

    #[test]
    fn span_past_the_end_of_the_file_points_at_the_last_line() {
        let src = "wegweiser: 1\nsteps:";
        let mut span = LineIndex::new(src).span(0, 1);
        span.start.line = 9;
        span.end.line = 9;
        let d = Diagnostic::error("E0001", span, "something is missing at the end");
        let text = render_text(&d, "hund.yaml", src, false);
        assert!(text.contains("hund.yaml:2:7"), "{text}");
        assert!(text.contains("2 | steps:\n  |       ^"), "{text}");
    }

    #[test]
    fn warning_with_help() {
        let src = "steps:\n  - id: alt\n    title: Alt\n";
        let d = Diagnostic::warning("W0402", error_at(src, "alt", "").span, "the step `alt` can never be reached")
            .with_help("add a `next:` pointing to it, or remove it\nsteps without a way in are never shown");
        insta::assert_snapshot!(render_text(&d, "hund.yaml", src, false));
    }

    #[test]
    fn secondary_label_on_another_line() {
        let src = "steps:\n  - id: halter\n    title: Halter\n  - id: hund\n  - id: halter\n";
        let idx = LineIndex::new(src);
        let (s1, e1) = find(src, "halter", 0);
        let (s2, e2) = find(src, "halter", 1);
        let d = Diagnostic::error("E0301", idx.span(s2, e2), "the id `halter` is used twice")
            .with_label(idx.span(s1, e1), "first used here")
            .with_help("give each step its own id");
        insta::assert_snapshot!(render_text(&d, "hund.yaml", src, false));
    }

    #[test]
    fn labels_on_the_same_line() {
        let src = "visible_if: alter > 18 and alter < \"x\"\n";
        let idx = LineIndex::new(src);
        let (s, e) = find(src, "<", 0);
        let (ls, le) = find(src, "alter", 1);
        let (rs, re) = find(src, "\"x\"", 0);
        let d = Diagnostic::error("E0501", idx.span(s, e), "cannot compare a number with a text")
            .with_label(idx.span(ls, le), "this is a number")
            .with_label(idx.span(rs, re), "this is a text");
        insta::assert_snapshot!(render_text(&d, "hund.yaml", src, false));
    }

    #[test]
    fn three_digit_line_number_widens_the_gutter() {
        let src: String = (1..=120).map(|i| format!("feld_{i}: {i}\n")).collect();
        let d = error_at(&src, "feld_105", "unknown key `feld_105`");
        insta::assert_snapshot!(render_text(&d, "lang.yaml", &src, false));
    }

    #[test]
    fn color_only_when_asked() {
        let src = "a: b\n";
        let d = error_at(src, "b", "bad").with_help("fix it");
        assert!(!render_text(&d, "f.yaml", src, false).contains('\x1b'));
        let colored = render_text(&d, "f.yaml", src, true);
        assert!(colored.contains("\x1b[1;31merror[E0202]\x1b[0m"), "{colored:?}");
        assert!(colored.contains("\x1b[1;34m|\x1b[0m"), "{colored:?}");
        assert!(render_summary("f.yaml", 1, 0, true).contains("\x1b[1;31m1 error\x1b[0m"));
    }

    #[test]
    fn odd_input_never_panics() {
        let mut d = Diagnostic::error("E0001", Default::default(), "x");
        for src in ["", "\n", "a\r\nb\r\n", "\u{0}\u{7}", "ä"] {
            for (sl, sc, el, ec) in [(0, 0, 0, 0), (1, 99, 1, 1), (5, 1, 2, 1), (1, 1, 99, 99), (2, 1, 1, 1)] {
                d.span.start.line = sl;
                d.span.start.column = sc;
                d.span.end.line = el;
                d.span.end.column = ec;
                d.labels = vec![crate::diag::Label { span: d.span, message: String::new() }];
                let _ = render_text(&d, "f.yaml", src, true);
            }
        }
    }

    #[test]
    fn summary_wording() {
        assert_eq!(render_summary("hund.yaml", 0, 0, false), "hund.yaml: ok");
        assert_eq!(render_summary("hund.yaml", 2, 1, false), "hund.yaml: 2 errors, 1 warning");
        assert_eq!(render_summary("hund.yaml", 0, 3, false), "hund.yaml: 3 warnings");
    }

    #[test]
    fn json_shape() {
        let src = "a: b\nc: d\n";
        let idx = LineIndex::new(src);
        let d = Diagnostic::warning("W0001", idx.span(5, 6), "w").with_label(idx.span(0, 1), "here");
        let e = Diagnostic::error("E0001", idx.span(3, 4), "e").with_help("h");
        let v = render_json(&[("x.yaml".into(), d), ("y.yaml".into(), e)]);
        insta::assert_snapshot!(serde_json::to_string_pretty(&v).unwrap());
    }
}
