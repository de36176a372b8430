//! The body region of interest: a rotated square in image pixels, built from two alignment points
//! (the hip centre and a point that encodes body size and direction), as MediaPipe's
//! AlignmentPointsRectsCalculator (target angle 90°) and RectTransformationCalculator
//! (square_long, scale 1.25) do. A person lying on a table gives a ROI turned by about 90°.

use std::f32::consts::PI;

/// A rotated square ROI in image pixels. `angle` is in radians; the crop's "up" points along the
/// body axis from the hip centre towards the head.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BodyRoi {
    pub cx: f32,
    pub cy: f32,
    pub size: f32,
    pub angle: f32,
}

/// MediaPipe scales the alignment square by 1.25 on both axes.
const ROI_SCALE: f32 = 1.25;

fn normalize_radians(a: f32) -> f32 {
    a - 2.0 * PI * ((a + PI) / (2.0 * PI)).floor()
}

impl BodyRoi {
    /// From the hip centre and the size/rotation point, both in image pixels.
    pub fn from_alignment_points(center: [f32; 2], scale_point: [f32; 2]) -> BodyRoi {
        let (dx, dy) = (scale_point[0] - center[0], scale_point[1] - center[1]);
        let box_size = 2.0 * (dx * dx + dy * dy).sqrt();
        let angle = normalize_radians(PI / 2.0 - (-dy).atan2(dx));
        BodyRoi { cx: center[0], cy: center[1], size: box_size * ROI_SCALE, angle }
    }

    /// Maps a point of the crop, in normalised crop coordinates (0..1, y down), to image pixels.
    pub fn crop_to_image(&self, u: f32, v: f32) -> [f32; 2] {
        let (x, y) = (u - 0.5, v - 0.5);
        let (s, c) = self.angle.sin_cos();
        [self.cx + self.size * (c * x - s * y), self.cy + self.size * (s * x + c * y)]
    }

    /// The 2x3 affine matrix mapping crop pixels (0..crop_px) to image pixels, for warpAffine
    /// with WARP_INVERSE_MAP.
    pub fn crop_to_image_affine(&self, crop_px: usize) -> [[f64; 3]; 2] {
        let k = self.size as f64 / crop_px as f64;
        let (s, c) = (self.angle as f64).sin_cos();
        let o = self.crop_to_image(0.0, 0.0);
        [[k * c, -k * s, o[0] as f64], [k * s, k * c, o[1] as f64]]
    }

    /// Whether the ROI's centre lies within the image (with a margin of half its size).
    pub fn is_plausible(&self, width: f32, height: f32) -> bool {
        self.size.is_finite()
            && self.size > 8.0
            && self.cx > -self.size / 2.0
            && self.cy > -self.size / 2.0
            && self.cx < width + self.size / 2.0
            && self.cy < height + self.size / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upright_body_gives_no_rotation() {
        let r = BodyRoi::from_alignment_points([100.0, 200.0], [100.0, 100.0]);
        assert!(r.angle.abs() < 1e-6);
        assert!((r.size - 250.0).abs() < 1e-3);
        // crop top centre lies towards the head
        let top = r.crop_to_image(0.5, 0.0);
        assert!((top[0] - 100.0).abs() < 1e-3 && (top[1] - 75.0).abs() < 1e-3);
    }

    #[test]
    fn lying_body_with_head_left_turns_by_minus_90() {
        let r = BodyRoi::from_alignment_points([300.0, 200.0], [200.0, 200.0]);
        assert!((r.angle + PI / 2.0).abs() < 1e-5, "{}", r.angle);
        let top = r.crop_to_image(0.5, 0.0);
        assert!(top[0] < 300.0 - 100.0, "crop top must point at the head: {top:?}");
    }

    #[test]
    fn affine_matches_point_mapping() {
        let r = BodyRoi { cx: 320.0, cy: 180.0, size: 400.0, angle: 0.7 };
        let m = r.crop_to_image_affine(256);
        for (u, v) in [(0.0f64, 0.0f64), (256.0, 0.0), (100.0, 200.0)] {
            let p = r.crop_to_image((u / 256.0) as f32, (v / 256.0) as f32);
            let x = m[0][0] * u + m[0][1] * v + m[0][2];
            let y = m[1][0] * u + m[1][1] * v + m[1][2];
            assert!((x - p[0] as f64).abs() < 1e-2 && (y - p[1] as f64).abs() < 1e-2);
        }
    }
}
