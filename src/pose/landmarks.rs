//! The BlazePose landmark model (`pose_landmark_full_noseg.onnx` or `_lite_noseg`): warps the
//! rotated ROI to 256x256 RGB in [0, 1], runs the model, applies a sigmoid to visibility and
//! presence, and maps the 39 landmarks (33 body points + 6 auxiliary) back to image pixels.

use std::path::Path;

use anyhow::{Context, Result};
use opencv::core::{Mat, MatTraitConst, Scalar, Size};
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
        let (width, height) = (image.cols() as f32, image.rows() as f32);
        let in_picture = |u: f32, v: f32| {
            let [x, y] = roi.crop_to_image(u, v);
            x >= 0.0 && y >= 0.0 && x <= width && y <= height
        };
        let (presence, mut points) = self.run(&crop, &in_picture)?;
        if self.mirror_average {
            let mut mirrored = Mat::default();
            core::flip(&crop, &mut mirrored, 1)?;
            let (_, flipped) = self.run(&mirrored, &|u, v| in_picture(1.0 - u, v))?;
            average_with_mirrored(&mut points, &flipped);
        }
        Ok(LandmarkEstimate { presence, landmarks: to_image(&points, roi) })
    }

    /// Runs the model on a 256x256 BGR crop: pose presence and heatmap-refined crop landmarks.
    /// `in_picture` tells whether a point of the crop (normalised) lies inside the picture.
    fn run(&mut self, crop: &Mat, in_picture: &dyn Fn(f32, f32) -> bool) -> Result<(f32, Vec<CropLandmark>)> {
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
            refine_from_heatmap(&mut points, heatmap, (h, w, c), in_picture);
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

/// Heatmap refinement, after MediaPipe's RefineLandmarksFromHeatmapCalculator (kernel 7, min
/// confidence 0.5): each landmark moves to the sigmoid-weighted mean position of its heatmap
/// channel in a 7x7 window around it, when the window's peak is confident enough.
///
/// MediaPipe takes that step once, from the regressed landmark. A window that is not centred on
/// the heatmap's blob cuts the blob unevenly, so one step stops part of the way, pulled towards
/// the regressed point. romcam repeats the step from where the last one ended until the window
/// no longer moves (mean shift), so the landmark is the centre of the heatmap's blob wherever
/// the regression started. No constant is involved: the window and the confidence are
/// MediaPipe's.
///
/// The heatmap only has evidence inside the picture: beyond its edge the crop repeats the edge's
/// pixels, and a landmark that lies outside the picture (the shoulders of a body cut off by the
/// picture's edge) has a heatmap blob on that edge. So the steps after MediaPipe's first are
/// taken only while the window lies wholly inside the picture (`in_picture`, normalised crop
/// coordinates); near and beyond the edge, the landmark is refined exactly as MediaPipe refines
/// it.
fn refine_from_heatmap(
    points: &mut [CropLandmark],
    heatmap: &[f32],
    (h, w, channels): (usize, usize, usize),
    in_picture: &dyn Fn(f32, f32) -> bool,
) {
    if heatmap.len() < h * w * channels {
        return;
    }
    let window_in_picture = |col: i64, row: i64| {
        let (u0, u1) = ((col - HALF_KERNEL) as f32 / w as f32, (col + HALF_KERNEL + 1) as f32 / w as f32);
        let (v0, v1) = ((row - HALF_KERNEL) as f32 / h as f32, (row + HALF_KERNEL + 1) as f32 / h as f32);
        [(u0, v0), (u1, v0), (u0, v1), (u1, v1)].iter().all(|&(u, v)| in_picture(u, v))
    };
    for (c, p) in points.iter_mut().enumerate().take(channels) {
        let (mut window, mut windows_in_picture) = (None, true);
        for step in 0..MAX_REFINE_STEPS {
            let col = (p.u * w as f32) as i64;
            let row = (p.v * h as f32) as i64;
            if p.u < 0.0 || p.v < 0.0 || col >= w as i64 || row >= h as i64 || window == Some((col, row)) {
                break;
            }
            // the first step is MediaPipe's; the refinement goes on only while every window so
            // far (the regressed one included) lies inside the picture
            windows_in_picture &= window_in_picture(col, row);
            if step >= 1 && !windows_in_picture {
                break;
            }
            window = Some((col, row));
            match heatmap_centre(heatmap, h, w, channels, c, col, row) {
                Some((u, v)) => (p.u, p.v) = (u, v),
                None => break,
            }
        }
    }
}

/// Half of MediaPipe's 7x7 refinement window (kernel 7), heatmap cells.
const HALF_KERNEL: i64 = 3;

/// Steps of [`refine_from_heatmap`] at most: a bound, not a setting (4 and 10 give the same
/// result on every sample clip: the window has stopped moving before).
const MAX_REFINE_STEPS: usize = 10;

/// The sigmoid-weighted mean position (normalised) of heatmap channel `c` in the 7x7 window
/// centred on (`col`, `row`), or None when the window's peak is below MediaPipe's confidence.
fn heatmap_centre(
    heatmap: &[f32],
    h: usize,
    w: usize,
    channels: usize,
    c: usize,
    col: i64,
    row: i64,
) -> Option<(f32, f32)> {
    const MIN_CONFIDENCE: f32 = 0.5;
    let (mut sum, mut wc, mut wr, mut peak) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for r in (row - HALF_KERNEL).max(0)..(row + HALF_KERNEL + 1).min(h as i64) {
        for k in (col - HALF_KERNEL).max(0)..(col + HALF_KERNEL + 1).min(w as i64) {
            let conf = sigmoid(heatmap[(r as usize * w + k as usize) * channels + c]);
            sum += conf;
            peak = peak.max(conf);
            wc += k as f32 * conf;
            wr += r as f32 * conf;
        }
    }
    (peak >= MIN_CONFIDENCE && sum > 0.0).then(|| (wc / w as f32 / sum, wr / h as f32 / sum))
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
    use super::{mirror_index, refine_from_heatmap, CropLandmark};

    /// A 64x64 one-channel heatmap (logits) with a round blob centred on (`cx`, `cy`) cells.
    fn blob(cx: f32, cy: f32) -> Vec<f32> {
        let mut h = vec![0.0f32; 64 * 64];
        for r in 0..64 {
            for k in 0..64 {
                let d2 = (k as f32 - cx).powi(2) + (r as f32 - cy).powi(2);
                // logit: +6 at the centre, falling to about -6 three cells away
                h[r * 64 + k] = 6.0 - 1.4 * d2;
            }
        }
        h
    }

    fn refined(start: (f32, f32), heatmap: &[f32]) -> (f32, f32) {
        let mut p =
            [CropLandmark { u: start.0 / 64.0, v: start.1 / 64.0, z: 0.0, visibility: 1.0, presence: 1.0 }];
        refine_from_heatmap(&mut p, heatmap, (64, 64, 1), &|_, _| true);
        (p[0].u * 64.0, p[0].v * 64.0)
    }

    #[test]
    fn heatmap_refinement_reaches_the_blob_centre_from_an_offset_start() {
        let heatmap = blob(30.0, 40.0);
        // a regressed point 3 cells off: one 7x7 step would stop short of the centre
        for start in [(33.2f32, 40.1f32), (27.0, 37.5), (30.0, 43.4)] {
            let (u, v) = refined(start, &heatmap);
            assert!((u - 30.0).abs() < 0.05 && (v - 40.0).abs() < 0.05, "from {start:?} to ({u}, {v})");
        }
        // a point whose window holds no confident cell stays where the regression put it
        let (u, v) = refined((5.0, 5.0), &heatmap);
        assert!((u - 5.0).abs() < 1e-6 && (v - 5.0).abs() < 1e-6);
    }

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
