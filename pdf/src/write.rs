//! Writes a laid-out [`Doc`] with krilla: every line as a tagged span under its structure
//! element, rules and page numbers as artifacts, the title and language in the metadata, and
//! krilla's validators for PDF/UA-1 and PDF/A-2a switched on, so that a document breaking
//! either standard is an error instead of a file.

use std::num::NonZeroU16;
use std::sync::LazyLock;

use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag, Identifier, SpanTag, TableHeaderScope, Tag, TagGroup, TagKind, TagTree};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

use crate::fonts::Face;
use crate::layout::{self, Doc, Element, Kind, Node};
use crate::{Application, PdfError};

/// The fonts, parsed once per process.
static FONTS: LazyLock<Option<(Font, Font)>> =
    LazyLock::new(|| Some((Font::new(Face::Regular.bytes().into(), 0)?, Font::new(Face::Bold.bytes().into(), 0)?)));

/// Text colour: near black (GOV.UK's #0b0c0c).
fn ink() -> Fill {
    Fill { paint: rgb::Color::new(11, 12, 12).into(), ..Fill::default() }
}

/// Rules: mid grey (#b1b4b6).
fn rule_fill() -> Fill {
    Fill { paint: rgb::Color::new(177, 180, 182).into(), ..Fill::default() }
}

/// Writes the document.
pub fn write(app: &Application, doc: &Doc) -> Result<Vec<u8>, PdfError> {
    let Some((regular, bold)) = FONTS.as_ref() else {
        return Err(PdfError::Krilla("the shipped fonts do not parse".into()));
    };
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_A)
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| PdfError::Krilla(format!("{e:?}")))?;
    let settings = SerializeSettings { configuration, enable_tagging: true, ..SerializeSettings::default() };
    let mut document = Document::new_with(settings);
    let mut ids: Vec<Option<Identifier>> = Vec::with_capacity(doc.lines.len());
    let mut lines = doc.lines.iter().peekable();
    let mut rules = doc.rules.iter().peekable();
    for p in 0..doc.pages {
        let settings = PageSettings::from_wh(layout::PAGE_WIDTH, layout::PAGE_HEIGHT).expect("A4 is a valid page size");
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        surface.set_fill(Some(ink()));
        while let Some(line) = lines.next_if(|l| l.page == p) {
            let font = match line.face {
                Face::Regular => regular.clone(),
                Face::Bold => bold.clone(),
            };
            let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
            surface.draw_text(Point::from_xy(line.x, line.y), font, line.size, &line.text, false, TextDirection::Auto);
            surface.end_tagged();
            ids.push(Some(id));
        }
        surface.set_fill(Some(rule_fill()));
        while let Some(rule) = rules.next_if(|r| r.page == p) {
            artifact(&mut surface, ArtifactType::Layout, |s| {
                let mut pb = PathBuilder::new();
                if let Some(rect) = Rect::from_xywh(56.7, rule.y, layout::PAGE_WIDTH - 2.0 * 56.7, 0.5) {
                    pb.push_rect(rect);
                }
                if let Some(path) = pb.finish() {
                    s.draw_path(&path);
                }
            });
        }
        surface.set_fill(Some(ink()));
        let number = format!("{} {} {} {}", app.labels.page, p + 1, app.labels.of, doc.pages);
        artifact(&mut surface, ArtifactType::PageNumber, |s| {
            let x = layout::PAGE_WIDTH / 2.0 - 30.0;
            s.draw_text(Point::from_xy(x, layout::PAGE_HEIGHT - 40.0), regular.clone(), 9.0, &number, false, TextDirection::Auto);
        });
        surface.finish();
        page.finish();
    }
    let mut tree = TagTree::new().with_lang(Some(app.lang.clone()));
    for e in &doc.structure {
        if let Some(g) = group(e, &mut ids) {
            tree.push(g);
        }
    }
    document.set_tag_tree(tree);
    document.set_outline(outline(doc));
    document.set_metadata(metadata(app));
    document.finish().map_err(|e| PdfError::Krilla(format!("{e:?}")))
}

/// Draws content outside the logical structure.
fn artifact(surface: &mut Surface<'_>, kind: ArtifactType, draw: impl FnOnce(&mut Surface<'_>)) {
    surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)));
    draw(surface);
    surface.end_tagged();
}

/// The tag group of a structure element (none when nothing of it was drawn).
fn group(e: &Element, ids: &mut [Option<Identifier>]) -> Option<TagGroup> {
    let kind: TagKind = match e.kind {
        Kind::H(level) => Tag::Hn(NonZeroU16::new(level).unwrap_or(NonZeroU16::MIN), e.title.clone()).into(),
        Kind::P => Tag::P.into(),
        Kind::Table => Tag::Table.into(),
        Kind::Tr => Tag::TR.into(),
        Kind::Th => Tag::TH(TableHeaderScope::Row).into(),
        Kind::Td => Tag::TD.into(),
    };
    let mut g = TagGroup::new(kind);
    let mut any = false;
    for c in &e.children {
        match c {
            Node::Line(i) => {
                if let Some(id) = ids.get_mut(*i).and_then(Option::take) {
                    g.push(id);
                    any = true;
                }
            }
            Node::Element(child) => {
                if let Some(cg) = group(child, ids) {
                    g.push(cg);
                    any = true;
                }
            }
        }
    }
    any.then_some(g)
}

/// The bookmarks (PDF/UA-1 wants them): the form's title, each step, each entry under its
/// step.
fn outline(doc: &Doc) -> Outline {
    let mut outline = Outline::new();
    let mut current: Option<OutlineNode> = None;
    for e in &doc.structure {
        let (Kind::H(level), Some(title)) = (e.kind, &e.title) else { continue };
        let Some(Node::Line(first)) = e.children.first() else { continue };
        let line = &doc.lines[*first];
        let node = OutlineNode::new(title.clone(), XyzDestination::new(line.page, Point::from_xy(0.0, line.y - line.size * 1.2)));
        match (level, current.as_mut()) {
            (3, Some(parent)) => parent.push_child(node),
            _ => {
                if let Some(done) = current.replace(node) {
                    outline.push_child(done);
                }
            }
        }
    }
    if let Some(done) = current {
        outline.push_child(done);
    }
    outline
}

/// Title, language, date and producer.
fn metadata(app: &Application) -> Metadata {
    let s = app.submitted;
    let offset = s.offset_minutes;
    let mut date = DateTime::new(s.year).month(s.month).day(s.day).hour(s.hour).minute(s.minute).second(s.second);
    date = date.utc_offset_hour((offset / 60) as i8).utc_offset_minute((offset.abs() % 60) as u8);
    let title = format!("{} – {}", app.title, app.reference);
    Metadata::new()
        .title(title)
        .language(app.lang.clone())
        .creation_date(date)
        .creator("Wegweiser".into())
        .producer("Wegweiser (krilla)".into())
        .keywords(vec![app.reference.clone()])
}
