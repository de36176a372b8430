//! The PDF's page layout: pages of simple shapes (the chart's [`Prim`]s plus images) with a
//! cursor going down the current page, so that content that does not fit flows onto a
//! continuation page instead of being cut. A layout can also only measure (no page breaks),
//! to know a block's height before placing it.

use crate::report::chart::{Anchor, Figure, Prim, Rgb};
use crate::report::fonts::{self, Weight};

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN_X: f32 = 40.0;
pub const TOP: f32 = 36.0;
pub const BOTTOM: f32 = PAGE_H - 30.0;
pub const WIDTH: f32 = crate::report::document::CONTENT_WIDTH;
pub const RULE: Rgb = Rgb(190, 190, 190);

pub enum Item {
    Prim(Prim),
    Image { x: f32, y: f32, w: f32, h: f32, jpeg: Vec<u8> },
}

/// Pages being laid out, with a cursor going down the current page.
pub struct Layout {
    pub pages: Vec<Vec<Item>>,
    pub y: f32,
    /// Above zero, [`Layout::need`] never breaks the page: the content is being measured, or is
    /// kept together on the page it was given room on.
    keep: usize,
    /// Only measuring: nothing is drawn from these pages.
    pub measuring: bool,
}

impl Layout {
    pub fn new() -> Self {
        Layout { pages: vec![Vec::new()], y: TOP, keep: 0, measuring: false }
    }

    /// A layout that only measures: it never breaks the page; its `y` grows from 0.
    pub fn measuring() -> Self {
        Layout { pages: vec![Vec::new()], y: 0.0, keep: 1, measuring: true }
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` more fits on this one.
    pub fn need(&mut self, height: f32) {
        if self.keep == 0 && self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    /// Runs `f` with page breaks held off (for content given its room already).
    pub fn kept<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.keep += 1;
        let out = f(self);
        self.keep -= 1;
        out
    }

    pub fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.push(item);
        }
    }

    pub fn prim(&mut self, p: Prim) {
        self.push(Item::Prim(p));
    }

    #[allow(clippy::too_many_arguments)]
    pub fn text(
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

    /// A horizontal rule from x0 to x1.
    pub fn rule_at(&mut self, x0: f32, x1: f32, y: f32) {
        self.prim(Prim::Line { points: vec![(x0, y), (x1, y)], colour: RULE, width: 0.6, dash: None });
    }

    /// Wrapped text at (x, top), returning its height. Does not move the cursor. With
    /// `Anchor::End`, each line ends at `x + width`.
    #[allow(clippy::too_many_arguments)]
    pub fn paragraph(
        &mut self,
        x: f32,
        top: f32,
        width: f32,
        em: f32,
        weight: Weight,
        colour: Rgb,
        anchor: Anchor,
        text: &str,
    ) -> f32 {
        let lead = em * 1.3;
        let lines = fonts::wrap(text, em, weight, width);
        let ax = if anchor == Anchor::End { x + width } else { x };
        for (i, line) in lines.iter().enumerate() {
            self.text(ax, top + em + i as f32 * lead, em, weight, colour, anchor, line);
        }
        lines.len() as f32 * lead
    }

    /// A figure placed at (x, top).
    pub fn figure(&mut self, fig: &Figure, x: f32, top: f32) {
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

impl Default for Layout {
    fn default() -> Self {
        Self::new()
    }
}

pub fn paragraph_height(text: &str, em: f32, weight: Weight, width: f32) -> f32 {
    fonts::wrap(text, em, weight, width).len() as f32 * em * 1.3
}
