//! The submitted application as an accessible PDF: tagged (PDF/UA-1) and archivable
//! (PDF/A-2a), with the shipped Liberation Sans embedded as subsets (`fonts/`).
//!
//! The input is a plain model of what the citizen saw on the summary page ([`Application`]):
//! the server builds it from the same summary rows, with the answers already as shown
//! (option labels, German dates and amounts). This crate derives nothing from answers and
//! knows nothing of forms or sessions; it lays the text out on A4 pages ([`layout`]) and
//! writes them with krilla ([`write`]), which refuses to write a file that breaks either
//! standard.
//!
//! Bounds: the whole text may hold at most [`MAX_CHARS`] characters; the layout keeps one
//! small record per line, so memory grows with the text, not with anything else.

mod fonts;
pub mod layout;
mod write;

/// The most characters (labels and answers together) one application may hold: far over
/// what a form's limits let a citizen enter (200 entries, 100,000-character answers), and a
/// bound on the memory and time one rendering takes.
pub const MAX_CHARS: usize = 4_000_000;

/// An application as the citizen saw it on the summary page.
#[derive(Debug, Clone, PartialEq)]
pub struct Application {
    /// The document's language (`de`, `en`): the PDF's language and the interface texts.
    pub lang: String,
    /// The form's title.
    pub title: String,
    /// The authority that receives it.
    pub authority: Option<String>,
    /// The reference number.
    pub reference: String,
    /// When it was submitted, for the document's metadata.
    pub submitted: Stamp,
    /// When it was submitted, as the citizen reads it ("27.03.2026, 14:05 Uhr").
    pub submitted_shown: String,
    /// The interface texts in the document's language.
    pub labels: Labels,
    /// The answers, one section per step on the path.
    pub sections: Vec<Section>,
}

/// A point in time with its offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Offset from UTC in minutes (east positive).
    pub offset_minutes: i32,
}

/// The interface texts a document needs, in its language.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// "Vorgangsnummer".
    pub reference: String,
    /// "Eingegangen am".
    pub submitted: String,
    /// "Behörde".
    pub authority: String,
    /// "Seite" in "Seite 2 von 5".
    pub page: String,
    /// "von" in "Seite 2 von 5".
    pub of: String,
}

/// The answers of one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The step's title.
    pub title: String,
    /// Its answers in the order of the step.
    pub blocks: Vec<Block>,
}

/// Answers shown together: a step's plain fields, or one entry of a repeated group.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The entry's heading ("Hund 2"); none for plain fields.
    pub heading: Option<String>,
    /// Its answers.
    pub rows: Vec<Row>,
}

/// One answered question.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The question.
    pub label: String,
    /// The answer as shown (a file field: the file's name).
    pub value: String,
}

/// Why no PDF was written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The text is over [`MAX_CHARS`].
    #[error("the application has {0} characters, more than a PDF may hold ({MAX_CHARS})")]
    TooLarge(usize),
    /// krilla refused the document (a validation error of PDF/UA-1 or PDF/A-2a, a font).
    #[error("the PDF could not be written: {0}")]
    Krilla(String),
}

/// A written PDF.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The file.
    pub bytes: Vec<u8>,
    /// Its number of pages.
    pub pages: usize,
}

impl Application {
    /// The number of characters of all texts (the measure of [`MAX_CHARS`]).
    pub fn chars(&self) -> usize {
        let rows: usize = self
            .sections
            .iter()
            .flat_map(|s| s.blocks.iter())
            .map(|b| {
                b.heading.as_ref().map_or(0, |h| h.chars().count())
                    + b.rows.iter().map(|r| r.label.chars().count() + r.value.chars().count()).sum::<usize>()
            })
            .sum();
        let sections: usize = self.sections.iter().map(|s| s.title.chars().count()).sum();
        rows + sections
            + self.title.chars().count()
            + self.authority.as_ref().map_or(0, |a| a.chars().count())
            + self.reference.chars().count()
    }
}

/// Lays the application out and writes it as a PDF/UA-1 and PDF/A-2a file.
pub fn render(app: &Application) -> Result<Rendered, PdfError> {
    let n = app.chars();
    if n > MAX_CHARS {
        return Err(PdfError::TooLarge(n));
    }
    let doc = layout::layout(app);
    let pages = doc.pages;
    let bytes = write::write(app, &doc)?;
    Ok(Rendered { bytes, pages })
}
