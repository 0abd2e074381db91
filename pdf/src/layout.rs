//! Lays an [`Application`] out on A4 pages: every text wrapped into lines (long words
//! broken), the lines placed page by page, and the document's logical structure (headings,
//! paragraphs, a table per block of answers) kept beside them, so that the writer can tag
//! each drawn line with its place in the structure.

use crate::fonts::{Face, Metrics};
use crate::{Application, Row};

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.28;
/// A4 in points.
pub const PAGE_HEIGHT: f32 = 841.89;
/// The page margin (2 cm).
const MARGIN: f32 = 56.7;
/// The room kept free at the bottom for the page number.
const FOOTER: f32 = 28.0;
/// Body text size.
pub const BODY: f32 = 10.5;
/// Line height as a multiple of the text size.
const LEADING: f32 = 1.4;
/// The question column's share of the text width.
const QUESTION_SHARE: f32 = 0.38;
/// The gap between the question and the answer column.
const GUTTER: f32 = 12.0;

/// One line of text on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The page (0-based).
    pub page: usize,
    /// Left edge.
    pub x: f32,
    /// Baseline, from the top of the page.
    pub y: f32,
    /// The face.
    pub face: Face,
    /// The size in points.
    pub size: f32,
    /// The text (a line broken at a space keeps the space: word boundaries stay in the
    /// extracted text).
    pub text: String,
}

/// A thin rule under a row of answers (drawn as an artifact).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// The page.
    pub page: usize,
    /// From the top of the page.
    pub y: f32,
}

/// The kind of a structure element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A heading of this level (1: the form's title, 2: a step, 3: an entry).
    H(u16),
    /// A paragraph.
    P,
    /// A table of answers.
    Table,
    /// A row.
    Tr,
    /// The question: a row header.
    Th,
    /// The answer.
    Td,
}

/// A structure element: its kind and its children in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// What it is.
    pub kind: Kind,
    /// Its text (for headings: the title the structure carries).
    pub title: Option<String>,
    /// Its children.
    pub children: Vec<Node>,
}

/// A child in the structure.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A nested element.
    Element(Element),
    /// A drawn line, by index into [`Doc::lines`].
    Line(usize),
}

/// The laid-out document.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// Every drawn line, page by page in reading order.
    pub lines: Vec<Line>,
    /// The rules under rows.
    pub rules: Vec<Rule>,
    /// The structure, in reading order.
    pub structure: Vec<Element>,
    /// The number of pages.
    pub pages: usize,
}

impl Doc {
    /// The text of the document in reading order, one line per drawn line (for tests and
    /// for a reader without a PDF tool).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for l in &self.lines {
            out.push_str(l.text.trim_end());
            out.push('\n');
        }
        out
    }
}

struct Layout {
    regular: Metrics<'static>,
    bold: Metrics<'static>,
    doc: Doc,
    /// The baseline of the next line's top edge, from the top of the current page.
    y: f32,
}

impl Layout {
    fn metrics(&self, face: Face) -> &Metrics<'static> {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    fn bottom() -> f32 {
        PAGE_HEIGHT - MARGIN - FOOTER
    }

    fn new_page(&mut self) {
        self.doc.pages += 1;
        self.y = MARGIN;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn need(&mut self, height: f32) {
        if self.y + height > Self::bottom() && self.y > MARGIN {
            self.new_page();
        }
    }

    fn page(&self) -> usize {
        self.doc.pages - 1
    }

    /// Places the lines of a text at `x`, each on its own line; returns the line nodes.
    fn block(&mut self, text: &str, face: Face, size: f32, x: f32, width: f32) -> Vec<Node> {
        let lines = wrap(&clean(text, self.metrics(face)), self.metrics(face), size, width);
        let lh = size * LEADING;
        let mut nodes = Vec::new();
        for l in lines {
            self.need(lh);
            self.y += lh;
            if let Some(n) = self.push(x, face, size, l) {
                nodes.push(n);
            }
        }
        nodes
    }

    /// Adds a line at the current baseline (blank lines only take room).
    fn push(&mut self, x: f32, face: Face, size: f32, text: String) -> Option<Node> {
        if text.trim().is_empty() {
            return None;
        }
        let page = self.page();
        self.doc.lines.push(Line { page, x, y: self.y - size * (LEADING - 1.0), face, size, text });
        Some(Node::Line(self.doc.lines.len() - 1))
    }

    fn heading(&mut self, level: u16, text: &str, size: f32, space_before: f32) {
        let lh = size * LEADING;
        // A heading is kept with the first line of what follows it.
        self.need(space_before + lh + 2.0 * BODY * LEADING);
        if self.y > MARGIN {
            self.y += space_before;
        }
        let children = self.block(text, Face::Bold, size, MARGIN, PAGE_WIDTH - 2.0 * MARGIN);
        self.doc.structure.push(Element { kind: Kind::H(level), title: Some(text.to_string()), children });
        self.y += size * 0.3;
    }

    fn paragraph(&mut self, text: &str) {
        let children = self.block(text, Face::Regular, BODY, MARGIN, PAGE_WIDTH - 2.0 * MARGIN);
        self.doc.structure.push(Element { kind: Kind::P, title: None, children });
    }

    fn table(&mut self, rows: &[Row]) {
        let width = PAGE_WIDTH - 2.0 * MARGIN;
        let qw = width * QUESTION_SHARE;
        let ax = MARGIN + qw + GUTTER;
        let aw = width - qw - GUTTER;
        let lh = BODY * LEADING;
        let mut trs = Vec::new();
        for row in rows {
            let q = wrap(&clean(&row.label, &self.bold), &self.bold, BODY, qw);
            let a = wrap(&clean(&row.value, &self.regular), &self.regular, BODY, aw);
            // A row starts where at least its first two lines fit.
            self.need(lh * q.len().max(a.len()).min(2) as f32 + 6.0);
            self.y += 4.0;
            let (mut th, mut td) = (Vec::new(), Vec::new());
            let mut q = q.into_iter();
            let mut a = a.into_iter();
            loop {
                let (ql, al) = (q.next(), a.next());
                if ql.is_none() && al.is_none() {
                    break;
                }
                self.need(lh);
                self.y += lh;
                if let Some(t) = ql
                    && let Some(n) = self.push(MARGIN, Face::Bold, BODY, t)
                {
                    th.push(n);
                }
                if let Some(t) = al
                    && let Some(n) = self.push(ax, Face::Regular, BODY, t)
                {
                    td.push(n);
                }
            }
            self.y += 4.0;
            self.doc.rules.push(Rule { page: self.page(), y: self.y });
            let cells = vec![
                Node::Element(Element { kind: Kind::Th, title: None, children: th }),
                Node::Element(Element { kind: Kind::Td, title: None, children: td }),
            ];
            trs.push(Node::Element(Element { kind: Kind::Tr, title: None, children: cells }));
        }
        self.doc.structure.push(Element { kind: Kind::Table, title: None, children: trs });
    }
}

/// Lays the application out.
pub fn layout(app: &Application) -> Doc {
    let mut l = Layout {
        regular: Metrics::of(Face::Regular),
        bold: Metrics::of(Face::Bold),
        doc: Doc { lines: Vec::new(), rules: Vec::new(), structure: Vec::new(), pages: 0 },
        y: MARGIN,
    };
    l.new_page();
    l.heading(1, &app.title, 18.0, 0.0);
    if let Some(a) = &app.authority {
        l.paragraph(&format!("{}: {a}", app.labels.authority));
    }
    l.paragraph(&format!("{}: {}", app.labels.reference, app.reference));
    l.paragraph(&format!("{}: {}", app.labels.submitted, app.submitted_shown));
    for s in &app.sections {
        l.heading(2, &s.title, 14.0, 14.0);
        for b in &s.blocks {
            if let Some(h) = &b.heading {
                l.heading(3, h, 12.0, 8.0);
            }
            l.table(&b.rows);
        }
    }
    l.doc
}

/// The text with control characters as spaces (line breaks kept) and characters the font
/// lacks as `?` (PDF/A forbids drawing the `.notdef` glyph).
fn clean(text: &str, m: &Metrics<'_>) -> String {
    text.chars()
        .filter(|c| *c != '\r')
        .map(|c| match c {
            '\n' => '\n',
            c if c.is_control() => ' ',
            // Soft hyphens and zero-width characters draw nothing.
            '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => '\u{200b}',
            c if m.has(c) => c,
            _ => '?',
        })
        .filter(|c| *c != '\u{200b}')
        .collect()
}

/// Breaks a text into lines no wider than `width` points: at spaces where it can, inside a
/// word where one word is wider than the line; every `\n` starts a new line.
pub fn wrap(text: &str, m: &Metrics<'_>, size: f32, width: f32) -> Vec<String> {
    let width = width / size;
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut cur = String::new();
        let mut w = 0.0f32;
        for word in para.split_inclusive(' ') {
            let full = m.width(word);
            let ink = m.width(word.trim_end_matches(' '));
            if w + ink <= width {
                cur.push_str(word);
                w += full;
                continue;
            }
            if !cur.trim().is_empty() {
                lines.push(std::mem::take(&mut cur));
                w = 0.0;
            }
            if ink <= width {
                cur.push_str(word);
                w = full;
                continue;
            }
            for c in word.chars() {
                let cw = m.advance(c);
                if w + cw > width && !cur.is_empty() && c != ' ' {
                    lines.push(std::mem::take(&mut cur));
                    w = 0.0;
                }
                cur.push(c);
                w += cw;
            }
        }
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_inside_long_words() {
        let m = Metrics::of(Face::Regular);
        let lines = wrap("ein zwei drei vier fünf sechs", &m, 10.0, 60.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.concat(), "ein zwei drei vier fünf sechs");
        for l in &lines {
            assert!(m.width(l.trim_end()) * 10.0 <= 60.0, "{l:?} too wide");
        }
        let long = "x".repeat(500);
        let lines = wrap(&long, &m, 10.0, 100.0);
        assert!(lines.len() > 10);
        assert_eq!(lines.concat(), long);
        assert!(lines.iter().all(|l| m.width(l) * 10.0 <= 100.0));
    }

    #[test]
    fn wrap_keeps_line_breaks_and_blank_lines() {
        let m = Metrics::of(Face::Regular);
        assert_eq!(wrap("a\n\nb", &m, 10.0, 100.0), vec!["a", "", "b"]);
    }

    #[test]
    fn clean_replaces_what_the_font_cannot_draw() {
        let m = Metrics::of(Face::Regular);
        assert_eq!(clean("Straße\tÄ\u{1}\r\n漢\u{ad}x", &m), "Straße Ä \n?x");
    }
}
