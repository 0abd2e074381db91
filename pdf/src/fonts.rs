//! The shipped fonts (Liberation Sans, SIL OFL 1.1, `fonts/LICENSE.txt`) and their glyph
//! advances, which the line breaking measures text with.

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// Liberation Sans Regular.
pub const REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
/// Liberation Sans Bold.
pub const BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// The two faces the document uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// Body text and answers.
    Regular,
    /// Headings and questions.
    Bold,
}

impl Face {
    /// The font file.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Face::Regular => REGULAR,
            Face::Bold => BOLD,
        }
    }
}

/// Measures text in one face: advance widths in em.
pub struct Metrics<'a> {
    charmap: skrifa::charmap::Charmap<'a>,
    glyphs: skrifa::metrics::GlyphMetrics<'a>,
}

impl Metrics<'static> {
    /// The metrics of a shipped face.
    pub fn of(face: Face) -> Metrics<'static> {
        // The shipped files are valid fonts (the tests render with them).
        let font = FontRef::new(face.bytes()).expect("a shipped font parses");
        let glyphs = font.glyph_metrics(Size::new(1.0), LocationRef::default());
        Metrics { charmap: font.charmap(), glyphs }
    }
}

impl Metrics<'_> {
    /// Whether the font has a glyph for the character (a missing one would be drawn as
    /// `.notdef`, which PDF/A forbids).
    pub fn has(&self, c: char) -> bool {
        self.charmap.map(c).is_some_and(|g| g.to_u32() != 0)
    }

    /// The advance of a character in em (0 for characters the font lacks: they are
    /// replaced before layout).
    pub fn advance(&self, c: char) -> f32 {
        self.charmap.map(c).and_then(|g| self.glyphs.advance_width(g)).unwrap_or(0.0)
    }

    /// The width of a text in em.
    pub fn width(&self, s: &str) -> f32 {
        s.chars().map(|c| self.advance(c)).sum()
    }
}
