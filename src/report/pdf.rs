//! The PDF report (krilla): one A4 page per assessment, with the embedded DejaVu Sans font.
//!
//! Layout is done first, into pages of simple shapes (the chart's [`Prim`]s plus images), so that
//! content that does not fit flows onto a continuation page instead of being cut; krilla then
//! draws the shapes.

use anyhow::{anyhow, Result};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke, StrokeDash};
use krilla::text::{Font, TextDirection};
use krilla::{Data, Document};

use super::chart::{self, Anchor, Figure, Prim, Rgb, GREY, INK};
use super::content::{wording, Header, PageContent, ReportContent};
use super::fonts::{self, Weight};
use super::Exporter;

pub(super) const PAGE_W: f32 = 595.28;
pub(super) const PAGE_H: f32 = 841.89;
pub(super) const MARGIN_X: f32 = 40.0;
pub(super) const TOP: f32 = 36.0;
pub(super) const BOTTOM: f32 = PAGE_H - 30.0;
pub(super) const WIDTH: f32 = PAGE_W - 2.0 * MARGIN_X;
pub(super) const RED: Rgb = Rgb(165, 28, 28);
pub(super) const AMBER: Rgb = Rgb(150, 90, 0);
pub(super) const RULE: Rgb = Rgb(190, 190, 190);

pub struct PdfExporter;

pub(super) enum Item {
    Prim(Prim),
    Image { x: f32, y: f32, w: f32, h: f32, jpeg: Vec<u8> },
}

/// Pages being laid out, with a cursor going down the current page.
pub(super) struct Layout {
    pub(super) pages: Vec<Vec<Item>>,
    pub(super) y: f32,
}

impl Layout {
    pub(super) fn new() -> Self {
        Layout { pages: vec![Vec::new()], y: TOP }
    }

    pub(super) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` more fits on this one.
    pub(super) fn need(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    pub(super) fn push(&mut self, item: Item) {
        self.pages.last_mut().expect("a page").push(item);
    }

    pub(super) fn prim(&mut self, p: Prim) {
        self.push(Item::Prim(p));
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn text(
        &mut self,
        x: f32,
        baseline: f32,
        em: f32,
        weight: Weight,
        colour: Rgb,
        anchor: Anchor,
        text: &str,
    ) {
        self.prim(Prim::Text { x, y: baseline, em, anchor, colour, weight, text: text.to_string() });
    }

    pub(super) fn rule(&mut self, y: f32) {
        self.prim(Prim::Line {
            points: vec![(MARGIN_X, y), (MARGIN_X + WIDTH, y)],
            colour: RULE,
            width: 0.6,
            dash: None,
        });
    }

    /// A horizontal rule from x0 to x1.
    pub(super) fn rule_at(&mut self, x0: f32, x1: f32, y: f32) {
        self.prim(Prim::Line { points: vec![(x0, y), (x1, y)], colour: RULE, width: 0.6, dash: None });
    }

    /// Wrapped text at (x, top), returning its height. Does not move the cursor.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn paragraph(
        &mut self,
        x: f32,
        top: f32,
        width: f32,
        em: f32,
        weight: Weight,
        colour: Rgb,
        text: &str,
    ) -> f32 {
        let lead = em * 1.3;
        let lines = fonts::wrap(text, em, weight, width);
        for (i, line) in lines.iter().enumerate() {
            self.text(x, top + em + i as f32 * lead, em, weight, colour, Anchor::Start, line);
        }
        lines.len() as f32 * lead
    }

    /// A figure placed at (x, top).
    pub(super) fn figure(&mut self, fig: &Figure, x: f32, top: f32) {
        for p in &fig.prims {
            let moved = match p.clone() {
                Prim::Rect { x: rx, y, w, h, fill } => Prim::Rect { x: rx + x, y: y + top, w, h, fill },
                Prim::Line { points, colour, width, dash } => Prim::Line {
                    points: points.into_iter().map(|(px, py)| (px + x, py + top)).collect(),
                    colour,
                    width,
                    dash,
                },
                Prim::Dot { x: dx, y, r, fill, outline } => {
                    Prim::Dot { x: dx + x, y: y + top, r, fill, outline }
                }
                Prim::Text { x: tx, y, em, anchor, colour, weight, text } => {
                    Prim::Text { x: tx + x, y: y + top, em, anchor, colour, weight, text }
                }
            };
            self.prim(moved);
        }
    }
}

pub(super) fn paragraph_height(text: &str, em: f32, weight: Weight, width: f32) -> f32 {
    fonts::wrap(text, em, weight, width).len() as f32 * em * 1.3
}

impl Exporter for PdfExporter {
    fn serialize(&self, report: &ReportContent) -> Result<Vec<u8>> {
        let mut layout = Layout::new();
        for (i, page) in report.pages.iter().enumerate() {
            if i > 0 {
                layout.new_page();
            }
            lay_out_assessment(&mut layout, &report.header, page);
        }
        render(&layout, wording::TITLE, &report.header)
    }
}

/// Draws the laid-out pages into a PDF, with the page footer ("page n of m") and the document's
/// metadata (title with the client's code, the therapist as author).
pub(super) fn render(layout: &Layout, title: &str, header: &Header) -> Result<Vec<u8>> {
    let regular = Font::new(Data::from(fonts::SANS), 0).ok_or_else(|| anyhow!("the embedded font"))?;
    let bold = Font::new(Data::from(fonts::SANS_BOLD), 0).ok_or_else(|| anyhow!("the embedded font"))?;
    let mut doc = Document::new();
    let total = layout.pages.len();
    for (n, items) in layout.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| anyhow!("page size"))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        for item in items {
            draw(&mut surface, item, &regular, &bold)?;
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
        draw(&mut surface, &Item::Prim(p), &regular, &bold)?;
        surface.finish();
        page.finish();
    }
    let mut title = title.to_string();
    if let Some(c) = &header.client {
        title.push_str(&format!(" — client {c}"));
    }
    let mut meta = Metadata::new().title(title).creator(format!("romcam {}", env!("CARGO_PKG_VERSION")));
    if let Some(t) = &header.therapist {
        meta = meta.authors(vec![t.clone()]);
    }
    doc.set_metadata(meta);
    doc.finish().map_err(|e| anyhow!("the PDF could not be assembled: {e:?}"))
}

/// The top of a page: the title (the clinic at the right), then label/value pairs in three
/// columns between two rules.
pub(super) fn page_header(l: &mut Layout, title: &str, clinic: Option<&str>, fields: &[(&str, String)]) {
    if let Some(clinic) = clinic {
        // Beside the title when both fit on the line, else on a line of its own above it.
        let both = fonts::text_width(title, 15.0, Weight::Bold)
            + 16.0
            + fonts::text_width(clinic, 10.0, Weight::Bold);
        if both > WIDTH {
            let clinic = fit(clinic, 10.0, Weight::Bold, WIDTH);
            l.text(MARGIN_X + WIDTH, l.y + 8.0, 10.0, Weight::Bold, GREY, Anchor::End, &clinic);
            l.y += 14.0;
        } else {
            l.text(MARGIN_X + WIDTH, l.y + 15.0, 10.0, Weight::Bold, GREY, Anchor::End, clinic);
        }
    }
    l.text(MARGIN_X, l.y + 15.0, 15.0, Weight::Bold, INK, Anchor::Start, title);
    l.y += 23.0;
    l.rule(l.y);
    l.y += 4.0;
    let col_w = WIDTH / 3.0;
    for (i, (label, value)) in fields.iter().enumerate() {
        let (col, row) = (i % 3, i / 3);
        let x = MARGIN_X + col as f32 * col_w;
        let y = l.y + 11.0 + row as f32 * 13.0;
        l.text(x, y, 8.5, Weight::Regular, GREY, Anchor::Start, &format!("{label}:"));
        let lx = x + fonts::text_width(&format!("{label}: "), 8.5, Weight::Regular);
        let value = fit(value, 9.0, Weight::Bold, col_w - (lx - x) - 6.0);
        l.text(lx, y, 9.0, Weight::Bold, INK, Anchor::Start, &value);
    }
    l.y += 11.0 + 13.0 * fields.len().div_ceil(3) as f32;
    l.rule(l.y - 6.0);
    l.y += 6.0;
}

fn lay_out_assessment(l: &mut Layout, header: &Header, page: &PageContent) {
    let a = page.assessment;
    let withheld = a.withheld_reason.is_some();
    let fields = wording::header_fields(header, page);
    page_header(l, wording::TITLE, header.clinic.as_deref(), &fields);

    // Key frame, and the result in words beside it.
    let (img_w, img_h) = match &page.key_frame {
        Some(k) => {
            let s = (300.0 / k.width as f32).min(168.0 / k.height as f32);
            (k.width as f32 * s, k.height as f32 * s)
        }
        None => (300.0, 60.0),
    };
    let caption = wording::key_frame_caption(page);
    let cap_h = paragraph_height(&caption, 6.8, Weight::Regular, img_w.max(200.0));
    let right_x = MARGIN_X + img_w.max(200.0) + 16.0;
    let right_w = MARGIN_X + WIDTH - right_x;
    let verdict = wording::classification(a);
    let mut right_h = 14.0 + paragraph_height(&verdict, 11.0, Weight::Bold, right_w) + 4.0;
    for s in &a.findings.sentences {
        right_h += paragraph_height(s, 9.0, Weight::Regular, right_w) + 4.0;
    }
    let block_h = (img_h + 4.0 + cap_h).max(right_h);
    l.need(block_h);
    let top = l.y;
    match &page.key_frame {
        Some(k) => l.push(Item::Image { x: MARGIN_X, y: top, w: img_w, h: img_h, jpeg: k.jpeg.clone() }),
        None => l.prim(Prim::Rect { x: MARGIN_X, y: top, w: img_w, h: img_h, fill: Rgb(240, 240, 240) }),
    }
    l.paragraph(MARGIN_X, top + img_h + 3.0, img_w.max(200.0), 6.8, Weight::Regular, GREY, &caption);
    l.text(right_x, top + 9.0, 8.0, Weight::Bold, GREY, Anchor::Start, "RESULT");
    let mut y = top + 14.0;
    y += l.paragraph(right_x, y, right_w, 11.0, Weight::Bold, if withheld { RED } else { INK }, &verdict)
        + 4.0;
    for s in &a.findings.sentences {
        y += l.paragraph(right_x, y, right_w, 9.0, Weight::Regular, INK, s) + 4.0;
    }
    l.y = top + block_h + 12.0;

    // The figures beside the norms.
    let (head, rows) = wording::figure_table(a);
    let widths = [115.0, 135.0, 135.0, WIDTH - 385.0];
    let cell_h = |c: &wording::Cell, w: f32| -> f32 {
        paragraph_height(&c.main, 9.5, Weight::Bold, w - 8.0)
            + c.sub.as_ref().map(|s| paragraph_height(s, 7.5, Weight::Regular, w - 8.0)).unwrap_or(0.0)
    };
    let row_h = |row: &[wording::Cell; 4]| -> f32 {
        row.iter().zip(widths).map(|(c, w)| cell_h(c, w)).fold(0.0, f32::max) + 5.0
    };
    let head_h = head
        .iter()
        .zip(widths)
        .map(|(c, w)| paragraph_height(c, 7.5, Weight::Bold, w - 8.0))
        .fold(0.0, f32::max);
    let table_h = head_h + 4.0 + rows.iter().map(row_h).sum::<f32>() + 6.0;
    l.need(table_h);
    let mut y = l.y;
    let mut x = MARGIN_X;
    for (c, w) in head.iter().zip(widths) {
        l.paragraph(x, y, w - 8.0, 7.5, Weight::Bold, GREY, c);
        x += w;
    }
    y += head_h + 1.0;
    l.rule(y);
    y += 3.0;
    for row in &rows {
        let mut x = MARGIN_X;
        for (i, (c, w)) in row.iter().zip(widths).enumerate() {
            let (weight, colour) = match i {
                1 if c.main == "withheld" => (Weight::Bold, RED),
                0 | 1 => (Weight::Bold, INK),
                _ => (Weight::Regular, INK),
            };
            let h = l.paragraph(x, y, w - 8.0, 9.5, weight, colour, &c.main);
            if let Some(sub) = &c.sub {
                l.paragraph(x, y + h - 1.0, w - 8.0, 7.5, Weight::Regular, GREY, sub);
            }
            x += w;
        }
        y += row_h(row);
    }
    l.rule(y - 2.0);
    l.y = y + 10.0;

    // The angles over the clip.
    let fig = chart::angle_chart(a, page.key_frame.as_ref().and_then(|k| k.t), WIDTH);
    let note = if withheld {
        "Angles over the clip (per frame; for checking the recording only: the result is withheld)"
    } else {
        "Angles over the clip"
    };
    l.need(fig.height + 16.0);
    l.text(MARGIN_X, l.y + 9.0, 9.5, Weight::Bold, INK, Anchor::Start, note);
    l.y += 16.0;
    let top = l.y;
    l.figure(&fig, MARGIN_X, top);
    l.y = top + fig.height + 8.0;

    // Quality warnings.
    if a.warnings.is_empty() {
        l.need(14.0);
        l.text(
            MARGIN_X,
            l.y + 8.0,
            8.5,
            Weight::Regular,
            GREY,
            Anchor::Start,
            "Quality checks: no warnings.",
        );
        l.y += 16.0;
    } else {
        l.need(30.0);
        l.text(MARGIN_X, l.y + 9.0, 9.5, Weight::Bold, AMBER, Anchor::Start, "Quality warnings");
        l.y += 13.0;
        for w in &a.warnings {
            let h = paragraph_height(w, 8.5, Weight::Regular, WIDTH - 10.0);
            l.need(h);
            l.text(MARGIN_X + 1.0, l.y + 8.5, 8.5, Weight::Regular, AMBER, Anchor::Start, "•");
            l.paragraph(MARGIN_X + 10.0, l.y, WIDTH - 10.0, 8.5, Weight::Regular, INK, w);
            l.y += h + 2.0;
        }
        l.y += 6.0;
    }

    // Method, at the foot of the page when there is room.
    let method = wording::method(a);
    let method_h: f32 =
        14.0 + method.iter().map(|m| paragraph_height(m, 6.5, Weight::Regular, WIDTH) + 1.5).sum::<f32>();
    l.need(method_h);
    l.y = l.y.max(BOTTOM - method_h);
    l.rule(l.y);
    l.text(MARGIN_X, l.y + 11.0, 7.5, Weight::Bold, GREY, Anchor::Start, "Method");
    l.y += 14.0;
    for m in &method {
        l.y += l.paragraph(MARGIN_X, l.y, WIDTH, 6.5, Weight::Regular, GREY, m) + 1.5;
    }
}

/// Shortens a one-line value to fit, with an ellipsis.
pub(super) fn fit(text: &str, em: f32, weight: Weight, width: f32) -> String {
    if fonts::text_width(text, em, weight) <= width {
        return text.to_string();
    }
    let mut s: String = text.to_string();
    while !s.is_empty() && fonts::text_width(&format!("{s}…"), em, weight) > width {
        s.pop();
    }
    format!("{s}…")
}

fn colour(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

fn draw(surface: &mut krilla::surface::Surface, item: &Item, regular: &Font, bold: &Font) -> Result<()> {
    match item {
        Item::Image { x, y, w, h, jpeg } => {
            let image = Image::from_jpeg(Data::from(jpeg.clone()), true)
                .map_err(|e| anyhow!("the key frame could not be embedded: {e}"))?;
            let size = Size::from_wh(*w, *h).ok_or_else(|| anyhow!("key frame size"))?;
            surface.push_transform(&Transform::from_translate(*x, *y));
            surface.draw_image(image, size);
            surface.pop();
        }
        Item::Prim(Prim::Rect { x, y, w, h, fill }) => {
            let mut pb = PathBuilder::new();
            if let Some(r) = krilla::geom::Rect::from_xywh(*x, *y, *w, *h) {
                pb.push_rect(r);
            }
            if let Some(path) = pb.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(Fill {
                    paint: colour(*fill).into(),
                    opacity: NormalizedF32::ONE,
                    rule: Default::default(),
                }));
                surface.draw_path(&path);
            }
        }
        Item::Prim(Prim::Line { points, colour: c, width, dash }) => {
            let mut pb = PathBuilder::new();
            for (i, (px, py)) in points.iter().enumerate() {
                if i == 0 {
                    pb.move_to(*px, *py);
                } else {
                    pb.line_to(*px, *py);
                }
            }
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: colour(*c).into(),
                    width: *width,
                    line_cap: if dash.is_some() { LineCap::Butt } else { LineCap::Round },
                    line_join: LineJoin::Round,
                    dash: dash.map(|d| StrokeDash { array: vec![d, d], offset: 0.0 }),
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
            }
        }
        Item::Prim(Prim::Dot { x, y, r, fill, outline }) => {
            // A circle from four cubic Béziers.
            const K: f32 = 0.552_284_8;
            let (x, y, r) = (*x, *y, *r);
            let mut pb = PathBuilder::new();
            pb.move_to(x + r, y);
            pb.cubic_to(x + r, y + K * r, x + K * r, y + r, x, y + r);
            pb.cubic_to(x - K * r, y + r, x - r, y + K * r, x - r, y);
            pb.cubic_to(x - r, y - K * r, x - K * r, y - r, x, y - r);
            pb.cubic_to(x + K * r, y - r, x + r, y - K * r, x + r, y);
            pb.close();
            if let Some(path) = pb.finish() {
                surface.set_fill(Some(Fill {
                    paint: colour(*fill).into(),
                    opacity: NormalizedF32::ONE,
                    rule: Default::default(),
                }));
                surface.set_stroke(Some(Stroke {
                    paint: colour(*outline).into(),
                    width: 1.0,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
            }
        }
        Item::Prim(Prim::Text { x, y, em, anchor, colour: c, weight, text }) => {
            let font = match weight {
                Weight::Regular => regular.clone(),
                Weight::Bold => bold.clone(),
            };
            let left = Figure::text_left(*x, *em, *anchor, *weight, text);
            surface.set_stroke(None);
            surface.set_fill(Some(Fill {
                paint: colour(*c).into(),
                opacity: NormalizedF32::ONE,
                rule: Default::default(),
            }));
            surface.draw_text(Point::from_xy(left, *y), font, *em, text, false, TextDirection::Auto);
        }
    }
    Ok(())
}
