//! The table's horizontal. The Thomas test measures the thigh against the (level) table, and the
//! camera may be tilted, so the image's x axis is not the horizontal. We look for the table's long
//! straight edges under the supine trunk (Canny edges + probabilistic Hough lines in OpenCV) and
//! take the length-weighted median of their tilt; frames from the hold are combined by median.

use anyhow::Result;
use opencv::core::{Mat, Vec4i, Vector};
use opencv::prelude::*;
use opencv::{core, imgproc};

use super::geometry::Vec2;
use super::signal;

/// Segments steeper than this (degrees from the image's x axis) are not table edges.
pub const MAX_TABLE_TILT_DEG: f64 = 20.0;

/// The table line found in one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableLine {
    /// Tilt on screen in degrees (positive = clockwise, y down).
    pub tilt_deg: f64,
    /// Total length of the supporting segments, in multiples of the trunk length.
    pub support: f64,
}

/// The supine trunk in image pixels (hip centre and shoulder centre).
#[derive(Debug, Clone, Copy)]
pub struct Trunk {
    pub hip: Vec2,
    pub shoulder: Vec2,
}

impl Trunk {
    pub fn length(&self) -> f64 {
        self.hip.dist(self.shoulder)
    }

    /// Tilt of the trunk line on screen, degrees in (-90, 90].
    pub fn tilt_deg(&self) -> f64 {
        line_tilt_deg(self.hip, self.shoulder)
    }
}

/// Tilt of the line through a and b, degrees in (-90, 90].
pub fn line_tilt_deg(a: Vec2, b: Vec2) -> f64 {
    let mut d = (b.y - a.y).atan2(b.x - a.x).to_degrees();
    while d > 90.0 {
        d -= 180.0;
    }
    while d <= -90.0 {
        d += 180.0;
    }
    d
}

/// Looks for the table edge in one frame. `trunk` is in pixels of `image`.
pub fn find_table_line(image: &Mat, trunk: &Trunk) -> Result<Option<TableLine>> {
    let len = trunk.length();
    if !(len.is_finite() && len > 10.0) {
        return Ok(None);
    }
    let (w, h) = (image.cols() as f64, image.rows() as f64);
    // under the trunk, from the hip to beyond the shoulder (the table runs under the head)
    let head_dir = if trunk.shoulder.x >= trunk.hip.x { 1.0 } else { -1.0 };
    let xa = trunk.hip.x - 0.1 * len * head_dir;
    let xb = trunk.shoulder.x + 0.5 * len * head_dir;
    let x0 = xa.min(xb).clamp(0.0, w - 1.0);
    let x1 = xa.max(xb).clamp(0.0, w - 1.0);
    let y0 = (trunk.hip.y.min(trunk.shoulder.y) - 0.15 * len).clamp(0.0, h - 1.0);
    let y1 = (trunk.hip.y.max(trunk.shoulder.y) + 0.8 * len).clamp(0.0, h - 1.0);
    if x1 - x0 < 0.5 * len || y1 - y0 < 10.0 {
        return Ok(None);
    }
    let rect = core::Rect::new(x0 as i32, y0 as i32, (x1 - x0) as i32, (y1 - y0) as i32);
    let region = Mat::roi(image, rect)?;
    let mut gray = Mat::default();
    imgproc::cvt_color_def(&region, &mut gray, imgproc::COLOR_BGR2GRAY)?;
    let mut blurred = Mat::default();
    imgproc::gaussian_blur_def(&gray, &mut blurred, core::Size::new(5, 5), 1.2)?;
    let mut edges = Mat::default();
    imgproc::canny_def(&blurred, &mut edges, 40.0, 120.0)?;
    let mut lines = Vector::<Vec4i>::new();
    imgproc::hough_lines_p(
        &edges,
        &mut lines,
        1.0,
        std::f64::consts::PI / 720.0,
        (0.2 * len).max(20.0) as i32,
        0.35 * len,
        0.03 * len + 2.0,
    )?;
    let mut tilts = Vec::new();
    let mut weights = Vec::new();
    for l in lines.iter() {
        let a = Vec2::new(l[0] as f64, l[1] as f64);
        let b = Vec2::new(l[2] as f64, l[3] as f64);
        let tilt = line_tilt_deg(a, b);
        if tilt.abs() <= MAX_TABLE_TILT_DEG {
            tilts.push(tilt);
            weights.push(a.dist(b));
        }
    }
    let support: f64 = weights.iter().sum::<f64>() / len;
    Ok(weighted_median(&tilts, &weights).map(|tilt_deg| TableLine { tilt_deg, support }))
}

/// Median of values weighted by `weights`.
pub fn weighted_median(values: &[f64], weights: &[f64]) -> Option<f64> {
    let mut pairs: Vec<(f64, f64)> =
        values.iter().copied().zip(weights.iter().copied()).filter(|(_, w)| *w > 0.0).collect();
    if pairs.is_empty() {
        return None;
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut acc = 0.0;
    for (v, w) in &pairs {
        acc += w;
        if acc >= total / 2.0 {
            return Some(*v);
        }
    }
    pairs.last().map(|p| p.0)
}

/// Combines per-frame table lines: the median tilt and the spread (half the interquartile range)
/// across frames.
pub fn combine(lines: &[TableLine]) -> Option<(f64, f64)> {
    let tilts: Vec<f64> = lines.iter().map(|l| l.tilt_deg).collect();
    let m = signal::median(&tilts)?;
    let q1 = signal::quantile(&tilts, 0.25)?;
    let q3 = signal::quantile(&tilts, 0.75)?;
    Some((m, (q3 - q1) / 2.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opencv::core::{Point, Scalar, CV_8UC3};

    #[test]
    fn tilt_is_folded_into_a_half_turn() {
        assert!((line_tilt_deg(Vec2::new(0.0, 0.0), Vec2::new(10.0, 1.0)) - 5.71).abs() < 0.01);
        assert!((line_tilt_deg(Vec2::new(10.0, 1.0), Vec2::new(0.0, 0.0)) - 5.71).abs() < 0.01);
        assert!((line_tilt_deg(Vec2::new(0.0, 0.0), Vec2::new(10.0, -1.0)) + 5.71).abs() < 0.01);
    }

    #[test]
    fn weighted_median_follows_the_weight() {
        assert_eq!(weighted_median(&[1.0, 5.0, 9.0], &[1.0, 1.0, 10.0]), Some(9.0));
        assert_eq!(weighted_median(&[1.0, 5.0, 9.0], &[1.0, 1.0, 1.0]), Some(5.0));
        assert_eq!(weighted_median(&[], &[]), None);
    }

    #[test]
    fn a_drawn_tilted_table_is_found() {
        for tilt in [-7.0f64, 0.0, 4.0] {
            let mut img = Mat::new_rows_cols_with_default(480, 640, CV_8UC3, Scalar::all(200.0)).unwrap();
            // a dark slab, tilted about the image centre
            let (s, c) = tilt.to_radians().sin_cos();
            let p = |x: f64, y: f64| {
                let (dx, dy) = (x - 320.0, y - 240.0);
                Point::new((320.0 + dx * c - dy * s) as i32, (240.0 + dx * s + dy * c) as i32)
            };
            let poly = Vector::<Point>::from_iter([
                p(100.0, 260.0),
                p(600.0, 260.0),
                p(600.0, 300.0),
                p(100.0, 300.0),
            ]);
            let mut polys = Vector::<Vector<Point>>::new();
            polys.push(poly);
            imgproc::fill_poly_def(&mut img, &polys, Scalar::all(30.0)).unwrap();
            let trunk = Trunk { hip: Vec2::new(200.0, 240.0), shoulder: Vec2::new(420.0, 235.0) };
            let line = find_table_line(&img, &trunk).unwrap().expect("table found");
            assert!((line.tilt_deg - tilt).abs() < 0.6, "drawn {tilt}, found {}", line.tilt_deg);
        }
    }
}
