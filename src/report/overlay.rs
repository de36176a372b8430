//! Drawing on frames: the skeleton, the table reference line and angle arcs. Used by the overlay
//! video, the key-frame PNG and the reports.

use anyhow::Result;
use opencv::core::{Mat, Point, Scalar};
use opencv::imgproc;

use crate::pose::joint::*;
use crate::pose::{Landmark, BODY_LANDMARKS};

/// BlazePose body connections (shoulders, arms, trunk, legs, feet).
pub const SKELETON: [(usize, usize); 22] = [
    (LEFT_SHOULDER, RIGHT_SHOULDER),
    (LEFT_SHOULDER, LEFT_ELBOW),
    (LEFT_ELBOW, LEFT_WRIST),
    (RIGHT_SHOULDER, RIGHT_ELBOW),
    (RIGHT_ELBOW, RIGHT_WRIST),
    (LEFT_SHOULDER, LEFT_HIP),
    (RIGHT_SHOULDER, RIGHT_HIP),
    (LEFT_HIP, RIGHT_HIP),
    (LEFT_HIP, LEFT_KNEE),
    (LEFT_KNEE, LEFT_ANKLE),
    (LEFT_ANKLE, LEFT_HEEL),
    (LEFT_HEEL, LEFT_FOOT_INDEX),
    (LEFT_ANKLE, LEFT_FOOT_INDEX),
    (RIGHT_HIP, RIGHT_KNEE),
    (RIGHT_KNEE, RIGHT_ANKLE),
    (RIGHT_ANKLE, RIGHT_HEEL),
    (RIGHT_HEEL, RIGHT_FOOT_INDEX),
    (RIGHT_ANKLE, RIGHT_FOOT_INDEX),
    (NOSE, LEFT_SHOULDER),
    (NOSE, RIGHT_SHOULDER),
    (LEFT_EAR, NOSE),
    (RIGHT_EAR, NOSE),
];

/// Subject's left in orange, right in blue, centre lines in white (BGR).
fn side_colour(a: usize, b: usize) -> Scalar {
    // past the face, BlazePose numbers the subject's left odd and the right even
    let left = |i: usize| i >= FACE_LANDMARKS && i % 2 == 1;
    let right = |i: usize| i >= FACE_LANDMARKS && i.is_multiple_of(2);
    if left(a) && left(b) {
        Scalar::new(0.0, 140.0, 255.0, 0.0)
    } else if right(a) && right(b) {
        Scalar::new(255.0, 120.0, 0.0, 0.0)
    } else {
        Scalar::new(240.0, 240.0, 240.0, 0.0)
    }
}

fn pt(l: &Landmark, inv_scale: f32) -> Point {
    Point::new((l.x * inv_scale).round() as i32, (l.y * inv_scale).round() as i32)
}

/// Draws the skeleton. Landmarks are in displayed-frame pixels; `scale` is displayed pixels per
/// image pixel.
pub fn draw_skeleton(image: &mut Mat, landmarks: &[Landmark], scale: f64) -> Result<()> {
    let inv = (1.0 / scale) as f32;
    let thickness = ((image_long_side(image) as f64 / 400.0).round() as i32).max(2);
    for &(a, b) in SKELETON.iter() {
        let (Some(la), Some(lb)) = (landmarks.get(a), landmarks.get(b)) else { continue };
        imgproc::line(image, pt(la, inv), pt(lb, inv), side_colour(a, b), thickness, imgproc::LINE_AA, 0)?;
    }
    for l in landmarks.iter().take(BODY_LANDMARKS).skip(FACE_LANDMARKS) {
        imgproc::circle(
            image,
            pt(l, inv),
            thickness + 1,
            Scalar::new(20.0, 20.0, 20.0, 0.0),
            -1,
            imgproc::LINE_AA,
            0,
        )?;
    }
    Ok(())
}

fn image_long_side(image: &Mat) -> i32 {
    use opencv::prelude::MatTraitConst;
    image.cols().max(image.rows())
}

/// A BGR colour from RGB components (OpenCV stores blue first).
pub fn bgr(r: u8, g: u8, b: u8) -> Scalar {
    Scalar::new(b as f64, g as f64, r as f64, 0.0)
}

/// A line width that reads at the image's size (2 px on a 720p frame).
pub fn stroke_width(image: &Mat) -> i32 {
    ((image_long_side(image) as f64 / 600.0).round() as i32).max(2)
}

fn ipt(x: f64, y: f64) -> Point {
    Point::new(x.round() as i32, y.round() as i32)
}

/// Draws a dashed line from `a` to `b` (image pixels).
pub fn draw_dashed_line(
    image: &mut Mat,
    a: (f64, f64),
    b: (f64, f64),
    colour: Scalar,
    thickness: i32,
    dash: f64,
) -> Result<()> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length = (dx * dx + dy * dy).sqrt();
    if length < 1.0 {
        return Ok(());
    }
    let (ux, uy) = (dx / length, dy / length);
    let mut s = 0.0;
    while s < length {
        let e = (s + dash).min(length);
        let p = ipt(a.0 + ux * s, a.1 + uy * s);
        let q = ipt(a.0 + ux * e, a.1 + uy * e);
        imgproc::line(image, p, q, colour, thickness, imgproc::LINE_AA, 0)?;
        s += 2.0 * dash;
    }
    Ok(())
}

/// Draws the shorter circular arc around `centre` from direction `from_deg` to `to_deg`
/// (screen angles: 0 = image right, clockwise positive, as y points down).
pub fn draw_arc(
    image: &mut Mat,
    centre: (f64, f64),
    radius: f64,
    from_deg: f64,
    to_deg: f64,
    colour: Scalar,
    thickness: i32,
) -> Result<()> {
    let sweep = (to_deg - from_deg + 540.0).rem_euclid(360.0) - 180.0;
    let r = radius.round().max(2.0) as i32;
    imgproc::ellipse(
        image,
        ipt(centre.0, centre.1),
        opencv::core::Size::new(r, r),
        0.0,
        from_deg,
        from_deg + sweep,
        colour,
        thickness,
        imgproc::LINE_AA,
        0,
    )?;
    Ok(())
}

/// Writes text with the embedded DejaVu font, anti-aliased, its baseline starting at `origin`.
pub fn put_text(
    image: &mut Mat,
    text: &str,
    origin: (f64, f64),
    em: f32,
    colour: Scalar,
    weight: super::fonts::Weight,
) -> Result<()> {
    use ab_glyph::{Font, ScaleFont};
    use opencv::prelude::MatTraitConst;
    use opencv::prelude::MatTraitManual;
    if image.typ() != opencv::core::CV_8UC3 || !image.is_continuous() {
        anyhow::bail!("text can only be drawn on a continuous 8-bit BGR image");
    }
    let (cols, rows) = (image.cols() as i64, image.rows() as i64);
    let font = super::fonts::font(weight);
    let scale = super::fonts::px_scale(&font, em);
    let scaled = font.as_scaled(scale);
    let ink = [colour[0], colour[1], colour[2]];
    let data = image.data_bytes_mut()?;
    let mut x = origin.0 as f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        prev = Some(id);
        let glyph = id.with_scale_and_position(scale, ab_glyph::point(x, origin.1 as f32));
        x += scaled.h_advance(id);
        let Some(outline) = font.outline_glyph(glyph) else { continue };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i64 + gx as i64;
            let py = bounds.min.y as i64 + gy as i64;
            if px < 0 || py < 0 || px >= cols || py >= rows {
                return;
            }
            let a = coverage.clamp(0.0, 1.0) as f64;
            let i = ((py * cols + px) * 3) as usize;
            for (k, ink) in ink.iter().enumerate() {
                let old = data[i + k] as f64;
                data[i + k] = (old + a * (ink - old)).round() as u8;
            }
        });
    }
    Ok(())
}

/// Writes text on a dark box so it reads on any background. `at` is the box's top-left corner;
/// the box is kept inside the image. Returns the box as (x, y, width, height).
pub fn draw_label(
    image: &mut Mat,
    text: &str,
    at: (f64, f64),
    em: f32,
    colour: Scalar,
    weight: super::fonts::Weight,
) -> Result<(f64, f64, f64, f64)> {
    use opencv::prelude::MatTraitConst;
    let pad = (em as f64 * 0.35).round();
    let w = super::fonts::text_width(text, em, weight) as f64 + 2.0 * pad;
    let h = em as f64 * 1.25 + 2.0 * pad;
    let x = at.0.clamp(0.0, (image.cols() as f64 - w).max(0.0));
    let y = at.1.clamp(0.0, (image.rows() as f64 - h).max(0.0));
    let rect = opencv::core::Rect::new(x as i32, y as i32, w.ceil() as i32, h.ceil() as i32);
    imgproc::rectangle(image, rect, Scalar::new(25.0, 25.0, 25.0, 0.0), -1, imgproc::LINE_8, 0)?;
    let baseline = y + pad + super::fonts::ascent(em, weight) as f64;
    put_text(image, text, (x + pad, baseline), em, colour, weight)?;
    Ok((x, y, w, h))
}
