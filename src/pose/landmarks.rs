//! The BlazePose landmark model (`pose_landmark_full.onnx` or `_lite`): warps the rotated ROI to
//! 256x256 RGB in [0, 1], runs the model, applies a sigmoid to visibility and presence, and maps
//! the 39 landmarks (33 body points + 6 auxiliary) back to image pixels.

use std::path::Path;

use anyhow::{Context, Result};
use opencv::core::{Mat, Scalar, Size};
use opencv::{core, imgproc};
use ort::session::Session;
use ort::value::TensorRef;

use super::roi::BodyRoi;
use super::tensor::{bgr_to_rgb_tensor, sigmoid};
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
}

impl LandmarkModel {
    pub fn open(model: &Path, threads: usize) -> Result<Self> {
        Ok(LandmarkModel { session: crate::runtime::open_session(model, threads)? })
    }

    pub fn estimate(&mut self, image: &Mat, roi: &BodyRoi) -> Result<LandmarkEstimate> {
        let crop = warp_roi(image, roi)?;
        let tensor = bgr_to_rgb_tensor(&crop, CROP_SIZE, 0.0, 1.0)?;
        let outputs = self.session.run(ort::inputs!["input_1" => TensorRef::from_array_view(&tensor)?])?;
        let (_, raw) = outputs["Identity"].try_extract_tensor::<f32>().context("landmark output")?;
        let (_, flag) = outputs["Identity_1"].try_extract_tensor::<f32>().context("pose flag output")?;
        let presence = flag.first().copied().unwrap_or(0.0);
        Ok(LandmarkEstimate { presence, landmarks: decode_landmarks(raw, roi) })
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

fn decode_landmarks(raw: &[f32], roi: &BodyRoi) -> Vec<Landmark> {
    raw.chunks_exact(VALUES_PER_LANDMARK)
        .take(MODEL_LANDMARKS)
        .map(|v| {
            let p = roi.crop_to_image(v[0] / CROP_SIZE as f32, v[1] / CROP_SIZE as f32);
            Landmark {
                x: p[0],
                y: p[1],
                z: v[2] / CROP_SIZE as f32 * roi.size,
                visibility: sigmoid(v[3]),
                presence: sigmoid(v[4]),
            }
        })
        .collect()
}
