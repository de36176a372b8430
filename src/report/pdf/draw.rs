//! Draws laid-out pages with krilla: shapes, text in the embedded DejaVu Sans, and JPEG images.

use anyhow::{anyhow, Result};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke, StrokeDash};
use krilla::text::{Font, TextDirection};
use krilla::Data;

use super::layout::Item;
use crate::report::chart::{Figure, Prim, Rgb};
use crate::report::fonts::Weight;

fn colour(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

pub(super) fn draw(
    surface: &mut krilla::surface::Surface,
    item: &Item,
    regular: &Font,
    bold: &Font,
) -> Result<()> {
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
