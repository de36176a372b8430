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
    write(&lay_out(doc)?, doc)
}

/// Lays out the pages; Ctrl-C stops it between pages.
fn lay_out(doc: &Document) -> Result<Layout> {
    let mut l = Layout::new();
    for (i, page) in doc.pages.iter().enumerate() {
        crate::interrupt::check()?;
        if i > 0 {
            l.new_page();
        }
        blocks::page(&mut l, &page.blocks);
    }
    Ok(l)
}

/// Draws the laid-out pages into a PDF, with the page footer and the document's metadata.
fn write(layout: &Layout, doc: &Document) -> Result<Vec<u8>> {
    let regular = Font::new(Data::from(fonts::SANS), 0).ok_or_else(|| anyhow!("the embedded font"))?;
    let bold = Font::new(Data::from(fonts::SANS_BOLD), 0).ok_or_else(|| anyhow!("the embedded font"))?;
    let mut pdf = krilla::Document::new();
    let total = layout.pages.len();
    for (n, items) in layout.pages.iter().enumerate() {
        crate::interrupt::check()?;
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

#[cfg(test)]
mod tests {
    use super::layout::{BOTTOM, TOP};
    use super::*;
    use crate::report::document::{Align, Block, Cell, Column, Page, Paragraph, Table, TableSize};

    /// The text drawn on each laid-out page, with its baseline.
    fn texts(l: &Layout) -> Vec<Vec<(f32, String)>> {
        l.pages
            .iter()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| match i {
                        Item::Prim(Prim::Text { y, text, .. }) => Some((*y, text.clone())),
                        _ => None,
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_long_table_flows_onto_more_pages_and_the_method_goes_to_the_foot() {
        let column = |head: &str| Column { head: head.into(), weight: 1.0, align: Align::Start };
        let rows = (0..120).map(|i| vec![Cell::new(format!("row {i}")), Cell::new("2026-11-20")]).collect();
        let doc = Document {
            pages: vec![Page {
                blocks: vec![
                    Block::Title { text: "T".into(), clinic: None },
                    Block::Table(Table {
                        columns: vec![column("Id"), column("Session")],
                        rows,
                        size: TableSize::Compact,
                        label: None,
                    }),
                    Block::Method(vec!["How it was measured.".into()]),
                ],
            }],
            ..Document::default()
        };
        let pages = texts(&lay_out(&doc).unwrap());
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for (n, page) in pages.iter().enumerate() {
            for (y, text) in page {
                assert!(*y > TOP && *y <= BOTTOM, "{text:?} at {y} on page {}", n + 1);
            }
        }
        let all: Vec<&str> = pages.iter().flatten().map(|(_, t)| t.as_str()).collect();
        for i in 0..120 {
            assert_eq!(all.iter().filter(|t| **t == format!("row {i}")).count(), 1, "row {i} once");
        }
        let last = pages.last().unwrap();
        let (method_y, _) = last.iter().find(|(_, t)| t == "Method").expect("the method on the last page");
        assert!(*method_y > BOTTOM - 40.0, "the method at the foot: {method_y}");
    }

    #[test]
    fn blocks_kept_together_move_to_the_next_page_whole() {
        // 48 lines leave room for one more line on the first page, not two.
        let filler: Vec<Block> = (0..48).map(|i| Paragraph::new(format!("filler line {i}")).into()).collect();
        let mut blocks = filler;
        blocks.push(Block::Together(vec![
            Paragraph::new("first of a pair").into(),
            Paragraph::new("second of a pair").into(),
        ]));
        let doc = Document { pages: vec![Page { blocks }], ..Document::default() };
        let pages = texts(&lay_out(&doc).unwrap());
        let page_of = |text: &str| pages.iter().position(|p| p.iter().any(|(_, t)| t == text)).unwrap();
        assert_eq!(page_of("filler line 47"), 0);
        assert_eq!(page_of("first of a pair"), 1, "moved to the next page");
        assert_eq!(page_of("second of a pair"), 1);
        let render = render(&doc).unwrap();
        assert!(render.starts_with(b"%PDF"));
    }
}
