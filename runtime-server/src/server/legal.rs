//! The pages every authority's service must have, linked in every page's footer:
//! Impressum (§ 5 DDG), Datenschutzerklärung (Art. 13 DSGVO) and the
//! Erklärung zur Barrierefreiheit (§ 12b BGG, BITV 2.0).
//!
//! Their content is the operator's, from the deployment's configuration: for each page
//! either a URL (the route answers with a redirect to it) or a text file. A text file is
//! plain text, never HTML: paragraphs are separated by blank lines and a line starting
//! with `# ` is a heading; everything is escaped by the template, so an operator's file
//! cannot put markup or script on the page. The accessibility statement has a built-in
//! default in the structure of the EU model statement (Durchführungsbeschluss (EU)
//! 2018/1523, as BITV 2.0 asks): Stand der Vereinbarkeit, nicht barrierefreie Inhalte,
//! Erstellung der Erklärung, Feedback und Kontakt, Schlichtungsverfahren — filled from
//! the configuration. With `--production` the server refuses to start without an
//! Impressum and a Datenschutzerklärung, and without either an accessibility statement
//! of the operator's or a contact for the built-in one.

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

/// Where a page's content comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An address elsewhere (the authority's own page); the route redirects there.
    Url(String),
    /// Text read at start-up, as blocks.
    Text(Vec<Block>),
}

/// One block of a text page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    /// A heading (`# ` line) rather than a paragraph.
    pub heading: bool,
    /// The text, lines of a paragraph kept as lines.
    pub lines: Vec<String>,
}

/// What the accessibility statement is built from when the operator gives no page of
/// their own.
#[derive(Debug, Clone, Default)]
pub struct Accessibility {
    /// Who runs the service ("Stadt Bitburg"); the statement speaks of them.
    pub operator: Option<String>,
    /// Where to report barriers: an e-mail address or a postal/phone contact.
    pub contact: Option<String>,
    /// The day the statement was written (or last reviewed).
    pub date: Option<NaiveDate>,
    /// Content known not to be accessible, one item each; none known: the service is
    /// stated as fully compatible ("vollständig vereinbar").
    pub known_issues: Vec<String>,
    /// The conciliation body to name (name and address); the federal
    /// Schlichtungsstelle nach § 16 BGG when not set.
    pub conciliation: Option<String>,
}

/// The three pages of a deployment.
#[derive(Debug, Clone, Default)]
pub struct Legal {
    /// `/impressum`.
    pub impressum: Option<Source>,
    /// `/datenschutz`.
    pub datenschutz: Option<Source>,
    /// `/barrierefreiheit`: the operator's own statement; the built-in one otherwise.
    pub barrierefreiheit: Option<Source>,
    /// What the built-in accessibility statement says.
    pub accessibility: Accessibility,
}

/// A page could not be configured.
#[derive(Debug, thiserror::Error)]
pub enum LegalError {
    /// The file cannot be read.
    #[error("cannot read `{path}` for {page}: {source}")]
    Read {
        /// The page.
        page: &'static str,
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file has no text.
    #[error("`{path}` for {page} is empty")]
    Empty {
        /// The page.
        page: &'static str,
        /// The file.
        path: String,
    },
    /// Production mode without a page the law requires.
    #[error("--production needs {0}: give a text file or an https:// address (see `wegweiser serve --help`)")]
    Missing(&'static str),
}

impl Source {
    /// A flag's value: an `https://` or `http://` address, or a text file.
    pub fn from_arg(page: &'static str, arg: &str) -> Result<Source, LegalError> {
        if arg.starts_with("https://") || arg.starts_with("http://") {
            return Ok(Source::Url(arg.to_string()));
        }
        let text = std::fs::read_to_string(Path::new(arg)).map_err(|source| LegalError::Read { page, path: arg.into(), source })?;
        let blocks = blocks(&text);
        if blocks.is_empty() {
            return Err(LegalError::Empty { page, path: arg.into() });
        }
        Ok(Source::Text(blocks))
    }
}

/// Plain text as blocks: paragraphs between blank lines, `# ` lines as headings.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<String> = Vec::new();
    let flush = |para: &mut Vec<String>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block { heading: false, lines: std::mem::take(para) });
        }
    };
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            flush(&mut para, &mut out);
        } else if let Some(h) = line.strip_prefix("# ") {
            flush(&mut para, &mut out);
            out.push(Block { heading: true, lines: vec![h.trim().to_string()] });
        } else {
            para.push(line.trim().to_string());
        }
    }
    flush(&mut para, &mut out);
    out
}

impl Legal {
    /// In production mode, every page the law requires must be there.
    pub fn check_production(&self) -> Result<(), LegalError> {
        if self.impressum.is_none() {
            return Err(LegalError::Missing("an Impressum (--impressum)"));
        }
        if self.datenschutz.is_none() {
            return Err(LegalError::Missing("a Datenschutzerklärung (--datenschutz)"));
        }
        if self.barrierefreiheit.is_none() && self.accessibility.contact.is_none() {
            return Err(LegalError::Missing(
                "an accessibility statement (--barrierefreiheit) or a contact for the built-in one (--accessibility-contact)",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_becomes_paragraphs_and_headings() {
        let b = blocks("# Anbieter\nStadt Bitburg\n  Rathausplatz 1\n\n\nTelefon 06561 6001\n# Vertreten durch");
        assert_eq!(
            b,
            vec![
                Block { heading: true, lines: vec!["Anbieter".into()] },
                Block { heading: false, lines: vec!["Stadt Bitburg".into(), "Rathausplatz 1".into()] },
                Block { heading: false, lines: vec!["Telefon 06561 6001".into()] },
                Block { heading: true, lines: vec!["Vertreten durch".into()] },
            ]
        );
        assert!(blocks(" \n\n").is_empty());
    }

    #[test]
    fn production_needs_every_page() {
        let url = || Some(Source::Url("https://example.org".into()));
        let mut l = Legal::default();
        assert!(matches!(l.check_production(), Err(LegalError::Missing(m)) if m.contains("Impressum")));
        l.impressum = url();
        assert!(matches!(l.check_production(), Err(LegalError::Missing(m)) if m.contains("Datenschutz")));
        l.datenschutz = url();
        assert!(l.check_production().is_err(), "the built-in statement needs a contact");
        l.accessibility.contact = Some("barrierefrei@example.org".into());
        assert!(l.check_production().is_ok());
        l.accessibility.contact = None;
        l.barrierefreiheit = url();
        assert!(l.check_production().is_ok());
    }
}
