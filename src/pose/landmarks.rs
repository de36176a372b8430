//! The BlazePose landmark model (`pose_landmark_full_noseg.onnx` or `_lite_noseg`): warps the
//! rotated ROI to 256x256 RGB in [0, 1], runs the model, applies a sigmoid to visibility and
//! presence, and maps the 39 landmarks (33 body points + 6 auxiliary) back to image pixels.

use std::path::Path;

use anyhow::{Context, Result};
use opencv::core::{Mat, Scalar, Size};
use opencv::{core, imgproc};

use ort::session::Session;
use ort::value::TensorRef;

use super::roi::BodyRoi;
use super::tensor::{fill_rgb_tensor, sigmoid};
use super::Landmark;

pub const CROP_SIZE: usize = 256;
/// 33 body landmarks plus 6 auxiliary ones (33, 34: alignment points for the next ROI).
pub const MODEL_LANDMARKS: usize = 39;
const VALUES_PER_LANDMARK: usize = 5;

/// What the landmark model says about one ROI.
#[derive(Debug, Clone)]
pub struct LandmarkEstimate {
    /// Pose presence score (0..1).
    pub presence: f32,
    /// All 39 landmarks in image pixels.
    pub landmarks: Vec<Landmark>,
}

pub struct LandmarkModel {
    session: Session,
    /// Also run the mirrored crop and average (slower, steadier landmarks).
    pub mirror_average: bool,
    /// The model's input, reused from call to call.
    input: ndarray::Array4<f32>,
}

impl LandmarkModel {
    pub fn open(model: &Path, threads: usize) -> Result<Self> {
        Ok(LandmarkModel {
            session: crate::runtime::open_session(model, threads)?,
            mirror_average: true,
            input: ndarray::Array4::zeros((1, CROP_SIZE, CROP_SIZE, 3)),
        })
    }

    pub fn estimate(&mut self, image: &Mat, roi: &BodyRoi) -> Result<LandmarkEstimate> {
        let crop = warp_roi(image, roi)?;
        let (presence, mut points) = self.run(&crop)?;
        if self.mirror_average {
            let mut mirrored = Mat::default();
            core::flip(&crop, &mut mirrored, 1)?;
            let (_, flipped) = self.run(&mirrored)?;
            average_with_mirrored(&mut points, &flipped);
        }
        Ok(LandmarkEstimate { presence, landmarks: to_image(&points, roi) })
    }

    /// Runs the model on a 256x256 BGR crop: pose presence and heatmap-refined crop landmarks.
    fn run(&mut self, crop: &Mat) -> Result<(f32, Vec<CropLandmark>)> {
        fill_rgb_tensor(crop, 0.0, 1.0, &mut self.input)?;
        let outputs =
            self.session.run(ort::inputs!["input_1" => TensorRef::from_array_view(&self.input)?])?;
        let (_, raw) = outputs["Identity"].try_extract_tensor::<f32>().context("landmark output")?;
        let (_, flag) = outputs["Identity_1"].try_extract_tensor::<f32>().context("pose flag output")?;
        let presence = flag.first().copied().unwrap_or(0.0);
        let (shape, heatmap) = outputs["Identity_3"].try_extract_tensor::<f32>().context("heatmap output")?;
        let dims: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
        let mut points = crop_landmarks(raw);
        if let [1, h, w, c] = dims[..] {
            refine_from_heatmap(&mut points, heatmap, h, w, c);
        }
        Ok((presence, points))
    }
}

/// The landmark that a left-right mirror image turns landmark `i` into (BlazePose order).
fn mirror_index(i: usize) -> usize {
    match i {
        1..=3 => i + 3,
        4..=6 => i - 3,
        7..=32 if i % 2 == 1 => i + 1,
        7..=32 => i - 1,
        _ => i,
    }
}

/// Averages landmarks with those found on the mirrored crop (test-time augmentation): the
/// mirror's left hip is this crop's left hip seen mirrored, so positions are flipped back and
/// labels swapped before averaging. Auxiliary landmarks are kept as they are.
fn average_with_mirrored(points: &mut [CropLandmark], mirrored: &[CropLandmark]) {
    for (i, p) in points.iter_mut().enumerate().take(33) {
        let Some(m) = mirrored.get(mirror_index(i)) else { continue };
        p.u = (p.u + (1.0 - m.u)) / 2.0;
        p.v = (p.v + m.v) / 2.0;
        p.z = (p.z + m.z) / 2.0;
        p.visibility = (p.visibility + m.visibility) / 2.0;
        p.presence = (p.presence + m.presence) / 2.0;
    }
}

/// Cuts the rotated square ROI out of the image into a 256x256 crop (edges replicated, as
/// MediaPipe's ImageToTensorCalculator does by default).
pub fn warp_roi(image: &Mat, roi: &BodyRoi) -> Result<Mat> {
    let m = roi.crop_to_image_affine(CROP_SIZE);
    let affine = Mat::from_slice_2d(&m)?;
    let mut crop = Mat::default();
    imgproc::warp_affine(
        image,
        &mut crop,
        &affine,
        Size::new(CROP_SIZE as i32, CROP_SIZE as i32),
        imgproc::INTER_LINEAR | imgproc::WARP_INVERSE_MAP,
        core::BORDER_REPLICATE,
        Scalar::all(0.0),
    )?;
    Ok(crop)
}

/// A landmark in normalised crop coordinates with its raw model values.
#[derive(Debug, Clone, Copy)]
struct CropLandmark {
    u: f32,
    v: f32,
    z: f32,
    visibility: f32,
    presence: f32,
}

fn crop_landmarks(raw: &[f32]) -> Vec<CropLandmark> {
    let s = CROP_SIZE as f32;
    raw.chunks_exact(VALUES_PER_LANDMARK)
        .take(MODEL_LANDMARKS)
        .map(|v| CropLandmark {
            u: v[0] / s,
            v: v[1] / s,
            z: v[2] / s,
            visibility: sigmoid(v[3]),
            presence: sigmoid(v[4]),
        })
        .collect()
}

/// MediaPipe's RefineLandmarksFromHeatmapCalculator (kernel 7, min confidence 0.5): each
/// landmark moves to the sigmoid-weighted mean position of its heatmap channel in a 7x7 window
/// around it, when the window's peak is confident enough.
fn refine_from_heatmap(points: &mut [CropLandmark], heatmap: &[f32], h: usize, w: usize, channels: usize) {
    const KERNEL: i64 = 7;
    const MIN_CONFIDENCE: f32 = 0.5;
    if heatmap.len() < h * w * channels {
        return;
    }
    let off = (KERNEL - 1) / 2;
    for (c, p) in points.iter_mut().enumerate().take(channels) {
        let col = (p.u * w as f32) as i64;
        let row = (p.v * h as f32) as i64;
        if p.u < 0.0 || p.v < 0.0 || col >= w as i64 || row >= h as i64 {
            continue;
        }
        let (mut sum, mut wc, mut wr, mut peak) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for r in (row - off).max(0)..(row + off + 1).min(h as i64) {
            for k in (col - off).max(0)..(col + off + 1).min(w as i64) {
                let conf = sigmoid(heatmap[(r as usize * w + k as usize) * channels + c]);
                sum += conf;
                peak = peak.max(conf);
                wc += k as f32 * conf;
                wr += r as f32 * conf;
            }
        }
        if peak >= MIN_CONFIDENCE && sum > 0.0 {
            p.u = wc / w as f32 / sum;
            p.v = wr / h as f32 / sum;
        }
    }
}

fn to_image(points: &[CropLandmark], roi: &BodyRoi) -> Vec<Landmark> {
    points
        .iter()
        .map(|c| {
            let p = roi.crop_to_image(c.u, c.v);
            Landmark { x: p[0], y: p[1], z: c.z * roi.size, visibility: c.visibility, presence: c.presence }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::mirror_index;

    #[test]
    fn mirroring_exchanges_left_and_right_and_keeps_the_middle() {
        // nose and the auxiliary alignment points stay; eyes, ears, shoulders, hips, knees swap
        for i in [0, 33, 34] {
            assert_eq!(mirror_index(i), i);
        }
        for (l, r) in
            [(1, 4), (2, 5), (3, 6), (7, 8), (9, 10), (11, 12), (23, 24), (25, 26), (27, 28), (31, 32)]
        {
            assert_eq!((mirror_index(l), mirror_index(r)), (r, l));
        }
        // an involution on the 33 body landmarks
        for i in 0..33 {
            assert_eq!(mirror_index(mirror_index(i)), i);
            assert!(mirror_index(i) < 33);
        }
    }
}
