//! The PDF renderer (krilla): draws any [`Document`] on A4 pages with the embedded DejaVu Sans,
//! a footer ("page n of m") on each page, and the document's metadata (the title with the
//! client's code, the therapist as author).
//!
//! [`blocks`] lays the blocks out into pages of simple shapes ([`layout`]), so that content that
//! does not fit flows onto a continuation page instead of being cut; [`draw`] draws the shapes.

mod blocks;
mod draw;
pub mod layout;

use anyhow::{anyhow, Result};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::text::Font;
use krilla::Data;

use self::layout::{Item, Layout, MARGIN_X, PAGE_H, PAGE_W, WIDTH};
use super::chart::{Anchor, Prim, GREY};
use super::content::ReportContent;
use super::document::Document;
use super::fonts::{self, Weight};
use super::{assessment, Exporter, Renderer};

/// Draws any document as a PDF.
pub struct PdfRenderer;

impl Renderer for PdfRenderer {
    fn render(&self, doc: &Document) -> Result<Vec<u8>> {
        render(doc)
    }
}

/// The assessment page as a PDF: one A4 page per assessment.
pub struct PdfExporter;

impl Exporter for PdfExporter {
    fn serialize(&self, report: &ReportContent) -> Result<Vec<u8>> {
        render(&assessment::document(report))
    }
}

/// Lays out every page of the document (each on a new page) and draws them.
pub fn render(doc: &Document) -> Result<Vec<u8>> {
    let mut l = Layout::new();
    for (i, page) in doc.pages.iter().enumerate() {
        if i > 0 {
            l.new_page();
        }
        blocks::page(&mut l, &page.blocks);
    }
    write(&l, doc)
}

/// Draws the laid-out pages into a PDF, with the page footer and the document's metadata.
fn write(layout: &Layout, doc: &Document) -> Result<Vec<u8>> {
    let regular = Font::new(Data::from(fonts::SANS), 0).ok_or_else(|| anyhow!("the embedded font"))?;
    let bold = Font::new(Data::from(fonts::SANS_BOLD), 0).ok_or_else(|| anyhow!("the embedded font"))?;
    let mut pdf = krilla::Document::new();
    let total = layout.pages.len();
    for (n, items) in layout.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| anyhow!("page size"))?;
        let mut page = pdf.start_page_with(settings);
        let mut surface = page.surface();
        for item in items {
            draw::draw(&mut surface, item, &regular, &bold)?;
        }
        let footer = format!("romcam {} · page {} of {}", env!("CARGO_PKG_VERSION"), n + 1, total);
        let p = Prim::Text {
            x: MARGIN_X + WIDTH,
            y: PAGE_H - 16.0,
            em: 7.0,
            anchor: Anchor::End,
            colour: GREY,
            weight: Weight::Regular,
            text: footer,
        };
        draw::draw(&mut surface, &Item::Prim(p), &regular, &bold)?;
        surface.finish();
        page.finish();
    }
    let mut title = doc.title.clone();
    if let Some(c) = &doc.client {
        title.push_str(&format!(" — client {c}"));
    }
    let mut meta = Metadata::new().title(title).creator(format!("romcam {}", env!("CARGO_PKG_VERSION")));
    if let Some(t) = &doc.author {
        meta = meta.authors(vec![t.clone()]);
    }
    pdf.set_metadata(meta);
    pdf.finish().map_err(|e| anyhow!("the PDF could not be assembled: {e:?}"))
}
