//! Drawing on frames: the skeleton, the table reference line and angle arcs. Used by the overlay
//! video, the key-frame PNG and the reports.

use anyhow::Result;
use opencv::core::{Mat, Point, Scalar};
use opencv::imgproc;

use crate::pose::Landmark;

/// BlazePose body connections (shoulders, arms, trunk, legs, feet).
pub const SKELETON: [(usize, usize); 22] = [
    (11, 12),
    (11, 13),
    (13, 15),
    (12, 14),
    (14, 16),
    (11, 23),
    (12, 24),
    (23, 24),
    (23, 25),
    (25, 27),
    (27, 29),
    (29, 31),
    (27, 31),
    (24, 26),
    (26, 28),
    (28, 30),
    (30, 32),
    (28, 32),
    (0, 11),
    (0, 12),
    (7, 0),
    (8, 0),
];

/// Subject's left in orange, right in blue, centre lines in white (BGR).
fn side_colour(a: usize, b: usize) -> Scalar {
    let left = |i: usize| i > 10 && i % 2 == 1;
    let right = |i: usize| i > 10 && i.is_multiple_of(2);
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
    for l in landmarks.iter().skip(11).take(22) {
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
