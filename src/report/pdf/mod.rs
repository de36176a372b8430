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

    /// Issue 14: a long header value, a heading's aside and a clinic's name wrap; no text is
    /// cut, and every line stays within the text width.
    #[test]
    fn long_header_values_asides_and_clinics_wrap_and_keep_every_word() {
        use crate::report::document::Heading;
        use crate::report::fonts;
        let compared = "first before-treatment assessment → latest: left: 2025-02-03 before → 2025-03-03 after; right: 2025-01-20 before → 2025-02-27 after";
        let aside = "session 2025-02-03, before treatment → after treatment, and a long tail of words that cannot fit beside the heading";
        let clinic = "Physiotherapie am Stadtpark, Praxisgemeinschaft für Orthopädie und Sportmedizin Dr. med. Mustermann";
        let doc = Document {
            pages: vec![Page {
                blocks: vec![
                    Block::Title {
                        text: "Modified Thomas test: comparison of two assessments".into(),
                        clinic: Some(clinic.into()),
                    },
                    Block::KeyValues(vec![
                        ("Client".into(), "0042".into()),
                        ("Therapist".into(), "A. Therapist".into()),
                        ("Report made".into(), "2025-03-04".into()),
                        ("Compared".into(), compared.into()),
                    ]),
                    Heading { aside: Some(aside.into()), ..Heading::new("Left leg", true) }.into(),
                ],
            }],
            ..Document::default()
        };
        let l = lay_out(&doc).unwrap();
        let mut words = String::new();
        for item in &l.pages[0] {
            if let Item::Prim(Prim::Text { x, em, weight, anchor, text, .. }) = item {
                let w = fonts::text_width(text, *em, *weight);
                let (x0, x1) = match anchor {
                    crate::report::chart::Anchor::Start => (*x, x + w),
                    crate::report::chart::Anchor::End => (x - w, *x),
                    crate::report::chart::Anchor::Middle => (x - w / 2.0, x + w / 2.0),
                };
                let (left, right) = (layout::MARGIN_X, layout::MARGIN_X + layout::WIDTH);
                assert!(x0 >= left - 0.5 && x1 <= right + 0.5, "{text:?} from {x0} to {x1}");
                assert!(!text.contains('…'), "cut: {text:?}");
                words.push_str(text);
                words.push(' ');
            }
        }
        let words: String = words.split_whitespace().collect::<Vec<_>>().join(" ");
        for whole in [compared, aside, clinic] {
            assert!(words.contains(whole), "{whole:?} whole in {words:?}");
        }
    }

    /// Issue 15.7: the pictures of a row show at one size, whatever each image's shape.
    #[test]
    fn pictures_side_by_side_show_at_one_size() {
        use crate::report::document::{Image, Picture};
        let picture = |width, height| Picture {
            image: Some(Image { jpeg: vec![0xff, 0xd8], width, height, alt: String::new() }),
            caption: "caption".into(),
            max_width: 500.0,
            max_height: 90.0,
            placeholder_height: 90.0,
        };
        let row = vec![picture(1280, 720), picture(720, 1280), Picture { image: None, ..picture(1, 1) }];
        let doc = Document {
            pages: vec![Page { blocks: vec![Block::Pictures { pictures: row, max_height: 90.0 }] }],
            ..Document::default()
        };
        let l = lay_out(&doc).unwrap();
        let boxes: Vec<(f32, f32)> = l.pages[0]
            .iter()
            .filter_map(|i| match i {
                Item::Prim(Prim::Rect { w, h, .. }) => Some((*w, *h)),
                _ => None,
            })
            .collect();
        assert_eq!(boxes.len(), 3, "a box for each picture, the missing one too");
        assert!(boxes.iter().all(|b| *b == boxes[0]), "{boxes:?}");
        assert!((boxes[0].1 - 90.0).abs() < 0.01 && (boxes[0].0 - 160.0).abs() < 0.01, "{boxes:?}");
        let images: Vec<(f32, f32)> = l.pages[0]
            .iter()
            .filter_map(|i| match i {
                Item::Image { w, h, .. } => Some((*w, *h)),
                _ => None,
            })
            .collect();
        assert_eq!(images.len(), 2);
        assert!((images[0].0 - 160.0).abs() < 0.01, "the landscape frame fills its box: {images:?}");
        assert!(
            (images[1].1 - 90.0).abs() < 0.01 && images[1].0 < 60.0,
            "the portrait one fits in it: {images:?}"
        );
    }
}
