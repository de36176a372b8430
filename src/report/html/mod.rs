//! The HTML renderer: draws any [`Document`] as one self-contained file (pictures as data URIs,
//! charts as inline SVG, the style inline), laid out for A4 when printed. It is written with
//! maud, which escapes every piece of text and every attribute value by default: a clinic's,
//! therapist's or client's name cannot put markup into a file that leaves the clinic.

mod svg;

use anyhow::Result;
use base64::Engine;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::content::ReportContent;
use super::document::{
    Align, Block, Cell, Columns, Document, Heading, Paragraph, Picture, Table, TableSize, TextSize, Tone,
    CONTENT_WIDTH,
};
use super::{assessment, Exporter, Renderer};

pub use svg::svg;

/// The one stylesheet of every report (romcam's own text, not escaped).
const STYLE: &str = include_str!("style.css");

/// Draws any document as HTML.
pub struct HtmlRenderer;

impl Renderer for HtmlRenderer {
    fn render(&self, doc: &Document) -> Result<Vec<u8>> {
        Ok(render(doc).into_bytes())
    }
}

/// The assessment page as HTML: one section per assessment.
pub struct HtmlExporter;

impl Exporter for HtmlExporter {
    fn serialize(&self, report: &ReportContent) -> Result<Vec<u8>> {
        Ok(render(&assessment::document(report)).into_bytes())
    }
}

/// The whole file: the title (with the client's code), the style and one section per page.
pub fn render(doc: &Document) -> String {
    let title = match &doc.client {
        Some(c) => format!("{} — client {c}", doc.title),
        None => doc.title.clone(),
    };
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="generator" content={ "romcam " (env!("CARGO_PKG_VERSION")) };
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                @for p in &doc.pages {
                    section.page { (blocks(&p.blocks)) }
                }
            }
        }
    };
    let mut s = page.into_string();
    s.push('\n');
    s
}

fn blocks(blocks: &[Block]) -> Markup {
    html! { @for b in blocks { (block(b)) } }
}

fn tone_class(t: Tone) -> Option<&'static str> {
    match t {
        Tone::Normal | Tone::Series(_) => None,
        Tone::Muted => Some("muted"),
        Tone::Alert => Some("alert"),
        Tone::Caution => Some("caution"),
        Tone::Positive => Some("positive"),
        Tone::Negative => Some("negative"),
    }
}

fn tone_style(t: Tone) -> Option<String> {
    match t {
        Tone::Series(c) => Some(format!("color: {}", c.hex())),
        _ => None,
    }
}

/// A header value whose short hyphenated words never break inside (a browser would break a
/// date such as 2026-12-01 at its hyphens); the value still wraps between words, a word too
/// long for a line may break anywhere, and words without a hyphen stay plain text.
fn unbroken_words(value: &str) -> Markup {
    html! {
        @for (i, word) in value.split(' ').enumerate() {
            @if i > 0 { " " }
            @if word.contains('-') && word.chars().count() <= 24 { span.nobr { (word) } } @else { (word) }
        }
    }
}

/// The classes of a piece of text, space-separated (None when it has none).
fn classes(parts: &[Option<&str>]) -> Option<String> {
    let v: Vec<&str> = parts.iter().flatten().copied().collect();
    (!v.is_empty()).then(|| v.join(" "))
}

fn block(b: &Block) -> Markup {
    match b {
        Block::Title { text, clinic } => html! {
            header {
                h1 { (text) }
                @if let Some(c) = clinic { div.clinic { (c) } }
            }
        },
        Block::KeyValues(fields) => html! {
            div.fields {
                @for (label, value) in fields {
                    // a long value takes the whole row, as in the PDF
                    div class=[(value.chars().count() > 40).then_some("wide")] {
                        span.key { (label) ":" } " " b { (unbroken_words(value)) }
                    }
                }
            }
        },
        Block::Heading(h) => heading(h),
        Block::Label(text) => html! { div.label { (text) } },
        Block::Paragraph(p) => paragraph(p),
        Block::Table(t) => table(t),
        Block::Picture(p) => picture(p),
        Block::Pictures { pictures, .. } => html! {
            div.frames { @for p in pictures { (boxed_picture(p)) } }
        },
        Block::Chart(c) => svg(&c.figure, &c.label),
        Block::Warnings { heading, items, none } => html! {
            @if items.is_empty() {
                p.muted { (none) }
            } @else {
                h2.warn { (heading) }
                ul.warnings { @for w in items { li { (w) } } }
            }
        },
        Block::Method(notes) => html! {
            footer.method {
                h3 { "Method" }
                @for m in notes { p { (m) } }
            }
        },
        Block::Columns(c) => columns(c),
        Block::Rule => html! { hr; },
        Block::Together(inner) => html! { div.keep { (blocks(inner)) } },
    }
}

fn heading(h: &Heading) -> Markup {
    let class = classes(&[h.major.then_some("major"), h.rule_above.then_some("ruled"), tone_class(h.tone)]);
    html! {
        h2 class=[class] style=[tone_style(h.tone)] {
            (h.text)
            @if let Some(aside) = &h.aside { " " small { (aside) } }
        }
    }
}

fn paragraph(p: &Paragraph) -> Markup {
    let size = match p.size {
        TextSize::Large => Some("large"),
        TextSize::Normal => None,
        TextSize::Small => Some("small"),
        TextSize::Tiny => Some("tiny"),
    };
    let class = classes(&[size, p.bold.then_some("strong"), tone_class(p.tone)]);
    html! { p class=[class] style=[tone_style(p.tone)] { (p.text) } }
}

fn table(t: &Table) -> Markup {
    let end = |a: Align| (a == Align::End).then_some("end");
    let size = match t.size {
        TableSize::Regular => "regular",
        TableSize::Compact => "compact",
    };
    let cell = |c: &Cell, align: Align| {
        let class = classes(&[end(align), c.bold.then_some("strong"), tone_class(c.tone)]);
        html! {
            td class=[class] style=[tone_style(c.tone)] {
                (c.main)
                @if let Some(sub) = &c.sub { small { (sub) } }
            }
        }
    };
    let total: f32 = t.columns.iter().map(|c| c.weight).sum::<f32>().max(f32::EPSILON);
    html! {
        table class=(size) aria-label=[t.label.as_deref()] {
            colgroup {
                @for c in &t.columns { col style={ "width: " (format!("{:.0}", 100.0 * c.weight / total)) "%" }; }
            }
            thead { tr { @for c in &t.columns { th class=[end(c.align)] { (c.head) } } } }
            tbody {
                @for row in &t.rows {
                    tr { @for (c, col) in row.iter().zip(&t.columns) { (cell(c, col.align)) } }
                }
            }
        }
    }
}

fn picture(p: &Picture) -> Markup {
    html! {
        figure {
            @if let Some(i) = &p.image {
                img src={ "data:image/jpeg;base64," (base64::engine::general_purpose::STANDARD.encode(&i.jpeg)) }
                    width=(i.width) height=(i.height) alt=(i.alt);
            }
            figcaption { (p.caption) }
        }
    }
}

/// A picture in a 16:9 box of the same size as its neighbours, the image fitted in it.
fn boxed_picture(p: &Picture) -> Markup {
    html! {
        figure {
            div.box {
                @if let Some(i) = &p.image {
                    img src={ "data:image/jpeg;base64," (base64::engine::general_purpose::STANDARD.encode(&i.jpeg)) }
                        width=(i.width) height=(i.height) alt=(i.alt);
                }
            }
            figcaption { (p.caption) }
        }
    }
}

/// The left column at its share of the page's width, the right one taking the rest.
fn columns(c: &Columns) -> Markup {
    let share = format!("flex: 0 0 {:.0}%", 100.0 * c.left_width / CONTENT_WIDTH);
    html! {
        div.row {
            div style=(share) { (blocks(&c.left)) }
            div { (blocks(&c.right)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::document::Page;

    #[test]
    fn every_string_of_the_document_is_escaped() {
        let hostile = "<script>alert('x')</script> & \"quoted\"";
        let doc = Document {
            title: "T".into(),
            client: Some(hostile.into()),
            author: None,
            pages: vec![Page {
                blocks: vec![
                    Block::Title { text: "T".into(), clinic: Some(hostile.into()) },
                    Block::KeyValues(vec![("Therapist".into(), hostile.into())]),
                    Paragraph::new(hostile).into(),
                    Block::Table(Table {
                        columns: vec![super::super::document::Column {
                            head: hostile.into(),
                            weight: 1.0,
                            align: Align::End,
                        }],
                        rows: vec![vec![Cell::new(hostile).with_sub(Some(hostile.into()))]],
                        size: TableSize::Compact,
                        label: Some(hostile.into()),
                    }),
                ],
            }],
        };
        let html = render(&doc);
        assert!(!html.contains("<script>"), "{html}");
        assert_eq!(html.matches("&lt;script&gt;").count(), 8, "{html}");
        assert!(html.contains("&quot;quoted&quot;"));
    }
}
