//! Lays out any document block on the PDF's pages: where each block's text, rules, pictures
//! and charts go, and how much room it takes. The blocks come from the document model; this is
//! the only place that knows the PDF's sizes and spacing.

use super::layout::{paragraph_height, Item, Layout, BOTTOM, MARGIN_X, TOP, WIDTH};
use crate::report::chart::{Anchor, Prim, Rgb, GREY, IMPROVEMENT, INK, WORSENING};
use crate::report::document::{
    Align, Block, Columns, Heading, Paragraph, Picture, Table, TableSize, TextSize, Tone,
};
use crate::report::fonts::{self, Weight};

const RED: Rgb = Rgb(165, 28, 28);
const AMBER: Rgb = Rgb(150, 90, 0);
const PLACEHOLDER: Rgb = Rgb(240, 240, 240);
/// Captions under pictures.
const CAPTION_EM: f32 = 6.8;

fn colour(t: Tone) -> Rgb {
    match t {
        Tone::Normal => INK,
        Tone::Muted => GREY,
        Tone::Alert => RED,
        Tone::Caution => AMBER,
        Tone::Positive => IMPROVEMENT,
        Tone::Negative => WORSENING,
        Tone::Series(c) => c,
    }
}

fn em(size: TextSize) -> f32 {
    match size {
        TextSize::Large => 11.0,
        TextSize::Normal => 9.0,
        TextSize::Small => 8.3,
        TextSize::Tiny => 7.3,
    }
}

fn weight(bold: bool) -> Weight {
    if bold {
        Weight::Bold
    } else {
        Weight::Regular
    }
}

/// Lays out a page's blocks across the text width.
pub fn page(l: &mut Layout, blocks: &[Block]) {
    for b in blocks {
        block(l, b, MARGIN_X, WIDTH);
    }
}

/// The height that blocks take at a width (with their spacing after them).
fn height(blocks: &[Block], x: f32, w: f32) -> f32 {
    let mut m = Layout::measuring();
    for b in blocks {
        block(&mut m, b, x, w);
    }
    m.y
}

/// Lays out one block in the column from `x`, `w` wide, at the cursor.
pub fn block(l: &mut Layout, b: &Block, x: f32, w: f32) {
    match b {
        Block::Title { text, clinic } => title(l, text, clinic.as_deref(), x, w),
        Block::KeyValues(fields) => key_values(l, fields, x, w),
        Block::Heading(h) => heading(l, h, x, w),
        Block::Label(text) => {
            l.need(14.0);
            l.text(x, l.y + 9.0, 8.0, Weight::Bold, GREY, Anchor::Start, text);
            l.y += 14.0;
        }
        Block::Paragraph(p) => paragraph(l, p, x, w),
        Block::Table(t) => table(l, t, x, w),
        Block::Picture(p) => picture(l, p, x, w),
        Block::Pictures { pictures: p, max_height } => pictures(l, p, *max_height, x, w),
        Block::Chart(c) => {
            let fig = &c.figure;
            l.need(fig.height);
            let top = l.y;
            // A chart drawn for the text width is centred in a narrower column.
            let dx = ((w - fig.width) / 2.0).max(0.0);
            l.figure(fig, x + dx, top);
            l.y = top + fig.height + 8.0;
        }
        Block::Warnings { heading, items, none } => warnings(l, heading, items, none, x, w),
        Block::Method(notes) => method(l, notes, x, w),
        Block::Columns(c) => columns(l, c, x, w),
        Block::Rule => {
            l.need(8.0);
            l.rule_at(x, x + w, l.y);
            l.y += 3.0;
        }
        Block::Together(blocks) => {
            let h = height(blocks, x, w);
            let lay_out = |l: &mut Layout| {
                for b in blocks {
                    block(l, b, x, w);
                }
            };
            if h <= BOTTOM - TOP {
                l.need(h);
                l.kept(lay_out);
            } else {
                // Taller than a page: it flows like any other blocks.
                lay_out(l);
            }
        }
    }
}

/// The title, with the clinic at the right (beside the title when both fit on the line, else
/// above it, wrapped over as many lines as it needs).
fn title(l: &mut Layout, text: &str, clinic: Option<&str>, x: f32, w: f32) {
    if let Some(clinic) = clinic {
        let both = fonts::text_width(text, 15.0, Weight::Bold)
            + 16.0
            + fonts::text_width(clinic, 10.0, Weight::Bold);
        if both > w {
            let h = l.paragraph(x, l.y - 2.0, w, 10.0, Weight::Bold, GREY, Anchor::End, clinic);
            l.y += h + 1.0;
        } else {
            l.text(x + w, l.y + 15.0, 10.0, Weight::Bold, GREY, Anchor::End, clinic);
        }
    }
    let h = l.paragraph(x, l.y, w, 15.0, Weight::Bold, INK, Anchor::Start, text);
    l.y += h + 3.5;
}

/// Label/value pairs in three columns between two rules. A value too long for its column takes
/// as many of the row's columns as it needs (starting a new row when the row has too few
/// left), and one too long for the whole width wraps under itself: nothing is cut.
fn key_values(l: &mut Layout, fields: &[(String, String)], x: f32, w: f32) {
    const LEAD: f32 = 13.0;
    l.rule_at(x, x + w, l.y);
    l.y += 4.0;
    let col_w = w / 3.0;
    let (mut col, mut row_lines) = (0usize, 0usize);
    for (label, value) in fields {
        let label_w = fonts::text_width(&format!("{label}: "), 8.5, Weight::Regular);
        let needed = label_w + fonts::text_width(value, 9.0, Weight::Bold) + 6.0;
        let span = ((needed / col_w).ceil() as usize).clamp(1, 3);
        if col + span > 3 {
            l.y += LEAD * row_lines.max(1) as f32;
            (col, row_lines) = (0, 0);
        }
        let cx = x + col as f32 * col_w;
        l.text(cx, l.y + 11.0, 8.5, Weight::Regular, GREY, Anchor::Start, &format!("{label}:"));
        let lines = fonts::wrap(value, 9.0, Weight::Bold, span as f32 * col_w - label_w - 6.0);
        for (i, line) in lines.iter().enumerate() {
            l.text(cx + label_w, l.y + 11.0 + i as f32 * LEAD, 9.0, Weight::Bold, INK, Anchor::Start, line);
        }
        row_lines = row_lines.max(lines.len());
        col += span;
    }
    l.y += LEAD * row_lines.max(1) as f32 + 11.0;
    l.rule_at(x, x + w, l.y - 6.0);
    l.y += 6.0;
}

fn heading(l: &mut Layout, h: &Heading, x: f32, w: f32) {
    let (em, baseline, advance) = if h.major { (11.5, 14.0, 22.0) } else { (9.5, 9.0, 15.0) };
    // The aside at the right of the heading's line when it fits there, else wrapped under it.
    let room = w - fonts::text_width(&h.text, em, Weight::Bold) - 16.0;
    let aside_under = h.aside.as_deref().filter(|a| fonts::text_width(a, 7.5, Weight::Regular) > room);
    let under_h = aside_under.map_or(0.0, |a| paragraph_height(a, 7.5, Weight::Regular, w) + 2.0);
    // Kept with the start of what follows it.
    l.need(advance + under_h + 40.0);
    if h.rule_above {
        l.rule_at(x, x + w, l.y);
    }
    let colour = colour(h.tone);
    let text_h = l.paragraph(x, l.y + baseline - em, w, em, Weight::Bold, colour, Anchor::Start, &h.text);
    let extra = (text_h - em * 1.3).max(0.0);
    match (&h.aside, aside_under) {
        (Some(aside), None) => {
            l.text(x + w, l.y + baseline, 7.5, Weight::Regular, GREY, Anchor::End, aside);
        }
        (Some(aside), Some(_)) => {
            l.paragraph(x, l.y + baseline + extra + 2.0, w, 7.5, Weight::Regular, GREY, Anchor::Start, aside);
        }
        (None, _) => {}
    }
    l.y += advance + extra + under_h;
}

fn paragraph(l: &mut Layout, p: &Paragraph, x: f32, w: f32) {
    let (em, weight) = (em(p.size), weight(p.bold));
    let h = paragraph_height(&p.text, em, weight, w);
    l.need(h);
    l.paragraph(x, l.y, w, em, weight, colour(p.tone), Anchor::Start, &p.text);
    l.y += h + if p.size == TextSize::Tiny { 3.0 } else { 4.0 };
}

/// Head in small grey bold over a rule, rows of cells (a value and a line under it), a rule
/// under the last row.
fn table(l: &mut Layout, t: &Table, x: f32, w: f32) {
    let (head_em, main_em, sub_em, pad) = match t.size {
        TableSize::Regular => (7.5, 9.5, 7.5, 5.0),
        TableSize::Compact => (7.0, 8.5, 6.3, 4.0),
    };
    let total: f32 = t.columns.iter().map(|c| c.weight).sum::<f32>().max(f32::EPSILON);
    let widths: Vec<f32> = t.columns.iter().map(|c| c.weight / total * w).collect();
    // Text keeps 4 points from the column's right edge, and ends there when aligned to the end.
    let anchor = |align: Align| match align {
        Align::Start => Anchor::Start,
        Align::End => Anchor::End,
    };
    let head_h = t
        .columns
        .iter()
        .zip(&widths)
        .map(|(c, cw)| paragraph_height(&c.head, head_em, Weight::Bold, cw - 4.0))
        .fold(0.0, f32::max);
    let row_h = |row: &[crate::report::document::Cell]| -> f32 {
        row.iter()
            .zip(&widths)
            .map(|(c, cw)| {
                paragraph_height(&c.main, main_em, weight(c.bold), cw - 4.0)
                    + c.sub.as_ref().map_or(0.0, |s| paragraph_height(s, sub_em, Weight::Regular, cw - 4.0))
            })
            .fold(0.0, f32::max)
            + pad
    };
    let first = t.rows.first().map_or(0.0, |r| row_h(r));
    l.need(head_h + 4.0 + first);
    let mut cx = x;
    for (c, cw) in t.columns.iter().zip(&widths) {
        l.paragraph(cx, l.y, cw - 4.0, head_em, Weight::Bold, GREY, anchor(c.align), &c.head);
        cx += cw;
    }
    l.y += head_h + 1.0;
    l.rule_at(x, x + w, l.y);
    l.y += 3.0;
    for row in &t.rows {
        let h = row_h(row);
        l.need(h);
        let mut cx = x;
        for ((c, cw), col) in row.iter().zip(&widths).zip(&t.columns) {
            let (tw, anchor) = (cw - 4.0, anchor(col.align));
            let mh = l.paragraph(cx, l.y, tw, main_em, weight(c.bold), colour(c.tone), anchor, &c.main);
            if let Some(sub) = &c.sub {
                l.paragraph(cx, l.y + mh - 1.0, tw, sub_em, Weight::Regular, GREY, anchor, sub);
            }
            cx += cw;
        }
        l.y += h;
    }
    l.rule_at(x, x + w, l.y - 2.0);
    l.y += 8.0;
}

/// The picture, or a grey placeholder, at its size (never wider than the column), its caption
/// under it.
fn picture(l: &mut Layout, p: &Picture, x: f32, w: f32) {
    let (pw, ph) = p.size();
    let s = if pw > w { w / pw } else { 1.0 };
    let (pw, ph) = (pw * s, ph * s);
    let cap_h = paragraph_height(&p.caption, CAPTION_EM, Weight::Regular, w);
    l.need(ph + 4.0 + cap_h);
    let top = l.y;
    draw_picture(l, p, x, top, pw, ph);
    l.paragraph(x, top + ph + 3.0, w, CAPTION_EM, Weight::Regular, GREY, Anchor::Start, &p.caption);
    l.y = top + ph + 4.0 + cap_h;
}

fn draw_picture(l: &mut Layout, p: &Picture, x: f32, y: f32, w: f32, h: f32) {
    match &p.image {
        Some(i) => l.push(Item::Image { x, y, w, h, jpeg: i.jpeg.clone() }),
        None => l.prim(Prim::Rect { x, y, w, h, fill: PLACEHOLDER }),
    }
}

/// Pictures side by side, each in a box of the same size (16:9, `max_height` high, never
/// wider than its share of the width), the image fitted and centred on a light grey ground:
/// every picture shows at the same size, whatever its shape.
fn pictures(l: &mut Layout, pictures: &[Picture], max_height: f32, x: f32, w: f32) {
    const GAP: f32 = 14.0;
    let n = pictures.len().max(1) as f32;
    let slot = (w - GAP * (n - 1.0)) / n;
    let (box_w, box_h) = picture_box(slot, max_height);
    let cap_h = pictures
        .iter()
        .map(|p| paragraph_height(&p.caption, CAPTION_EM, Weight::Regular, box_w))
        .fold(0.0, f32::max);
    l.need(box_h + 3.0 + cap_h + 10.0);
    let top = l.y;
    for (n, p) in pictures.iter().enumerate() {
        let px = x + n as f32 * (slot + GAP);
        l.prim(Prim::Rect { x: px, y: top, w: box_w, h: box_h, fill: PLACEHOLDER });
        if let Some(i) = p.image.as_ref().filter(|i| i.width > 0 && i.height > 0) {
            let s = (box_w / i.width as f32).min(box_h / i.height as f32);
            let (iw, ih) = (i.width as f32 * s, i.height as f32 * s);
            let (ix, iy) = (px + (box_w - iw) / 2.0, top + (box_h - ih) / 2.0);
            l.push(Item::Image { x: ix, y: iy, w: iw, h: ih, jpeg: i.jpeg.clone() });
        }
        l.paragraph(
            px,
            top + box_h + 3.0,
            box_w,
            CAPTION_EM,
            Weight::Regular,
            GREY,
            Anchor::Start,
            &p.caption,
        );
    }
    l.y = top + box_h + 3.0 + cap_h + 10.0;
}

/// The box every picture of a [`Block::Pictures`] is drawn in: 16:9 at `max_height`, narrower
/// (and lower) when the slot is narrower.
pub fn picture_box(slot: f32, max_height: f32) -> (f32, f32) {
    let w = (max_height * 16.0 / 9.0).min(slot);
    (w, w * 9.0 / 16.0)
}

fn warnings(l: &mut Layout, heading: &str, items: &[String], none: &str, x: f32, w: f32) {
    if items.is_empty() {
        l.need(14.0);
        l.text(x, l.y + 8.0, 8.5, Weight::Regular, GREY, Anchor::Start, none);
        l.y += 16.0;
        return;
    }
    l.need(30.0);
    l.text(x, l.y + 9.0, 9.5, Weight::Bold, AMBER, Anchor::Start, heading);
    l.y += 13.0;
    for item in items {
        let h = paragraph_height(item, 8.5, Weight::Regular, w - 10.0);
        l.need(h);
        l.text(x + 1.0, l.y + 8.5, 8.5, Weight::Regular, AMBER, Anchor::Start, "•");
        l.paragraph(x + 10.0, l.y, w - 10.0, 8.5, Weight::Regular, INK, Anchor::Start, item);
        l.y += h + 2.0;
    }
    l.y += 6.0;
}

/// The method, at the foot of the page when there is room.
fn method(l: &mut Layout, notes: &[String], x: f32, w: f32) {
    let h: f32 = 14.0 + notes.iter().map(|m| paragraph_height(m, 6.5, Weight::Regular, w) + 1.5).sum::<f32>();
    l.need(h);
    if !l.measuring {
        l.y = l.y.max(BOTTOM - h);
    }
    l.rule_at(x, x + w, l.y);
    l.text(x, l.y + 11.0, 7.5, Weight::Bold, GREY, Anchor::Start, "Method");
    l.y += 14.0;
    for m in notes {
        l.y += l.paragraph(x, l.y, w, 6.5, Weight::Regular, GREY, Anchor::Start, m) + 1.5;
    }
}

/// Two columns from the same top, kept on one page; the cursor goes on under the taller.
fn columns(l: &mut Layout, c: &Columns, x: f32, w: f32) {
    let left_w = c.left_width.min(w);
    let right_x = x + left_w + c.gap;
    let right_w = (w - left_w - c.gap).max(1.0);
    let h = height(&c.left, x, left_w).max(height(&c.right, right_x, right_w));
    l.need(h);
    let top = l.y;
    l.kept(|l| {
        for b in &c.left {
            block(l, b, x, left_w);
        }
        l.y = top;
        for b in &c.right {
            block(l, b, right_x, right_w);
        }
    });
    l.y = top + h + 8.0;
}
