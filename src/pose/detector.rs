//! The BlazePose person detector (`pose_detection.onnx`): letterbox to 224x224 in [-1, 1],
//! decode 2254 SSD anchors (box + 4 keypoints), sigmoid scores, weighted non-max suppression,
//! following MediaPipe's `pose_detection_cpu.pbtxt`.

use std::path::Path;

use anyhow::{Context, Result};
use opencv::core::{Mat, Scalar, Size};
use opencv::prelude::*;
use opencv::{core, imgproc};
use ort::session::Session;
use ort::value::TensorRef;

use super::anchors::{pose_detector_anchors, Anchor, INPUT_SIZE};
use super::tensor::{bgr_to_rgb_tensor, sigmoid};

/// MediaPipe's default `min_detection_confidence`.
pub const MIN_SCORE: f32 = 0.5;
const SCORE_CLIP: f32 = 100.0;
const NMS_IOU: f32 = 0.3;
/// A detection counts as lying when its body axis is within 60° of horizontal (cos 60° = 0.5).
pub const LYING_HORIZONTALNESS: f32 = 0.5;

/// One detected person, in image pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub score: f32,
    /// xmin, ymin, xmax, ymax
    pub bbox: [f32; 4],
    /// 0: hip centre, 1: full-body size/rotation point, 2: shoulder centre, 3: upper-body point.
    pub keypoints: [[f32; 2]; 4],
}

impl Detection {
    /// The same detection with every point moved by `f` (for example back from a turned image).
    pub fn mapped(&self, f: impl Fn([f32; 2]) -> [f32; 2]) -> Detection {
        let a = f([self.bbox[0], self.bbox[1]]);
        let b = f([self.bbox[2], self.bbox[3]]);
        Detection {
            score: self.score,
            bbox: [a[0].min(b[0]), a[1].min(b[1]), a[0].max(b[0]), a[1].max(b[1])],
            keypoints: self.keypoints.map(f),
        }
    }

    /// How close the body axis (hip centre to size point) is to horizontal: 1 lying, 0 upright.
    pub fn horizontalness(&self) -> f32 {
        let dx = self.keypoints[1][0] - self.keypoints[0][0];
        let dy = self.keypoints[1][1] - self.keypoints[0][1];
        let len = (dx * dx + dy * dy).sqrt();
        if len > 0.0 {
            dx.abs() / len
        } else {
            0.0
        }
    }
}

pub struct PersonDetector {
    session: Session,
    anchors: Vec<Anchor>,
}

/// Where the image sits inside the square letterboxed input.
struct Letterbox {
    scale: f32,
    pad_x: f32,
    pad_y: f32,
}

impl PersonDetector {
    pub fn open(model: &Path, threads: usize) -> Result<Self> {
        Ok(PersonDetector {
            session: crate::runtime::open_session(model, threads)?,
            anchors: pose_detector_anchors(),
        })
    }

    /// All people found in the image, also those lying down: the detector, trained mostly on
    /// upright people, runs on the image and on its two quarter turns, and the results are merged.
    pub fn detect_any_orientation(&mut self, image: &Mat) -> Result<Vec<Detection>> {
        let (w, h) = (image.cols() as f32, image.rows() as f32);
        let mut all = self.detect(image)?;
        let mut turned = Mat::default();
        core::rotate(image, &mut turned, core::ROTATE_90_CLOCKWISE)?;
        // a pixel (xr, yr) of the clockwise-turned image is (yr, h - 1 - xr) of the original
        all.extend(self.detect(&turned)?.into_iter().map(|d| d.mapped(|p| [p[1], h - 1.0 - p[0]])));
        core::rotate(image, &mut turned, core::ROTATE_90_COUNTERCLOCKWISE)?;
        all.extend(self.detect(&turned)?.into_iter().map(|d| d.mapped(|p| [w - 1.0 - p[1], p[0]])));
        Ok(weighted_nms(all))
    }

    /// People found in the image, searching harder for someone lying down: when nobody found
    /// is lying, the faces of those found are greyed out and the search runs again (up to two
    /// more rounds). A standing person in front can otherwise hide a lying one from the detector.
    pub fn detect_people(&mut self, image: &Mat) -> Result<Vec<Detection>> {
        let mut found = self.detect_any_orientation(image)?;
        let mut masked: Option<Mat> = None;
        for _ in 0..2 {
            if found.is_empty() || found.iter().any(|d| d.horizontalness() >= LYING_HORIZONTALNESS) {
                break;
            }
            let img = masked.get_or_insert(image.try_clone()?);
            for d in &found {
                grey_out(img, &d.bbox)?;
            }
            let more = self.detect_any_orientation(img)?;
            if more.is_empty() {
                break;
            }
            found.extend(more);
        }
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(found)
    }

    /// All people found in a BGR image, best first.
    pub fn detect(&mut self, image: &Mat) -> Result<Vec<Detection>> {
        let (input, letterbox) = letterbox(image)?;
        let tensor = bgr_to_rgb_tensor(&input, INPUT_SIZE, -1.0, 1.0)?;
        let outputs = self.session.run(ort::inputs!["input_1" => TensorRef::from_array_view(&tensor)?])?;
        let (_, regressors) = outputs["Identity"].try_extract_tensor::<f32>().context("detector boxes")?;
        let (_, logits) = outputs["Identity_1"].try_extract_tensor::<f32>().context("detector scores")?;
        let raw = decode(regressors, logits, &self.anchors);
        Ok(weighted_nms(raw).into_iter().map(|d| letterbox.unmap(d)).collect())
    }
}

fn grey_out(image: &mut Mat, bbox: &[f32; 4]) -> Result<()> {
    let (w, h) = (image.cols(), image.rows());
    let x0 = (bbox[0].max(0.0) as i32).min(w);
    let y0 = (bbox[1].max(0.0) as i32).min(h);
    let x1 = (bbox[2].max(0.0) as i32).min(w);
    let y1 = (bbox[3].max(0.0) as i32).min(h);
    if x1 > x0 && y1 > y0 {
        let r = core::Rect::new(x0, y0, x1 - x0, y1 - y0);
        imgproc::rectangle(image, r, Scalar::all(128.0), -1, imgproc::LINE_8, 0)?;
    }
    Ok(())
}

fn letterbox(image: &Mat) -> Result<(Mat, Letterbox)> {
    let (w, h) = (image.cols() as f32, image.rows() as f32);
    let scale = INPUT_SIZE as f32 / w.max(h);
    let (nw, nh) = (((w * scale).round() as i32).max(1), ((h * scale).round() as i32).max(1));
    let mut resized = Mat::default();
    imgproc::resize(image, &mut resized, Size::new(nw, nh), 0.0, 0.0, imgproc::INTER_AREA)?;
    let side = INPUT_SIZE as i32;
    let (left, top) = ((side - nw) / 2, (side - nh) / 2);
    let mut boxed = Mat::default();
    core::copy_make_border(
        &resized,
        &mut boxed,
        top,
        side - nh - top,
        left,
        side - nw - left,
        core::BORDER_CONSTANT,
        Scalar::all(0.0),
    )?;
    Ok((boxed, Letterbox { scale, pad_x: left as f32, pad_y: top as f32 }))
}

impl Letterbox {
    fn point(&self, p: [f32; 2]) -> [f32; 2] {
        [(p[0] - self.pad_x) / self.scale, (p[1] - self.pad_y) / self.scale]
    }

    /// From input-tensor pixels back to image pixels.
    fn unmap(&self, d: Detection) -> Detection {
        let a = self.point([d.bbox[0], d.bbox[1]]);
        let b = self.point([d.bbox[2], d.bbox[3]]);
        Detection {
            score: d.score,
            bbox: [a[0], a[1], b[0], b[1]],
            keypoints: d.keypoints.map(|k| self.point(k)),
        }
    }
}

/// Decodes raw regressors (x, y, w, h, then 4 keypoints) against the anchors, in input pixels.
fn decode(regressors: &[f32], logits: &[f32], anchors: &[Anchor]) -> Vec<Detection> {
    let s = INPUT_SIZE as f32;
    let mut out = Vec::new();
    for (i, anchor) in anchors.iter().enumerate() {
        let (Some(&logit), Some(r)) = (logits.get(i), regressors.get(i * 12..i * 12 + 12)) else {
            break;
        };
        let score = sigmoid(logit.clamp(-SCORE_CLIP, SCORE_CLIP));
        if score < MIN_SCORE {
            continue;
        }
        let cx = r[0] + anchor[0] * s;
        let cy = r[1] + anchor[1] * s;
        let (w, h) = (r[2], r[3]);
        let mut keypoints = [[0.0f32; 2]; 4];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            *kp = [r[4 + 2 * k] + anchor[0] * s, r[5 + 2 * k] + anchor[1] * s];
        }
        out.push(Detection {
            score,
            bbox: [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0],
            keypoints,
        });
    }
    out
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let ix = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let iy = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = ix * iy;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// MediaPipe's WEIGHTED non-max suppression: each kept detection is the score-weighted mean of
/// the detections overlapping the best remaining one by more than the IoU threshold.
pub fn weighted_nms(mut detections: Vec<Detection>) -> Vec<Detection> {
    detections.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    while let Some(top) = detections.first().cloned() {
        let (cluster, rest): (Vec<Detection>, Vec<Detection>) =
            detections.into_iter().partition(|d| iou(&top.bbox, &d.bbox) > NMS_IOU);
        let total: f32 = cluster.iter().map(|d| d.score).sum();
        let mut merged = Detection { score: top.score, bbox: [0.0; 4], keypoints: [[0.0; 2]; 4] };
        for d in &cluster {
            let w = d.score / total;
            for i in 0..4 {
                merged.bbox[i] += w * d.bbox[i];
                merged.keypoints[i][0] += w * d.keypoints[i][0];
                merged.keypoints[i][1] += w * d.keypoints[i][1];
            }
        }
        out.push(if cluster.is_empty() { top } else { merged });
        detections = rest;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(score: f32, x: f32) -> Detection {
        Detection { score, bbox: [x, 0.0, x + 10.0, 10.0], keypoints: [[x, 0.0]; 4] }
    }

    #[test]
    fn nms_merges_overlaps_and_keeps_separate_people() {
        let out = weighted_nms(vec![det(0.6, 1.0), det(0.9, 0.0), det(0.8, 50.0)]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        // weighted towards the stronger box
        assert!(out[0].bbox[0] > 0.0 && out[0].bbox[0] < 0.5);
        assert_eq!(out[1].bbox[0], 50.0);
    }

    #[test]
    fn horizontalness_tells_lying_from_standing() {
        let mut d = det(0.9, 0.0);
        d.keypoints[0] = [100.0, 100.0];
        d.keypoints[1] = [0.0, 110.0];
        assert!(d.horizontalness() > 0.9);
        d.keypoints[1] = [105.0, 0.0];
        assert!(d.horizontalness() < 0.1);
    }
}
