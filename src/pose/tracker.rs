//! Follows one person from frame to frame: the detector finds them, the landmark model refines
//! them, and the next frame's ROI comes from this frame's auxiliary alignment landmarks (33, 34),
//! as in MediaPipe's pose graph. The detector runs again only when tracking is lost.
//!
//! Several people in view: the person followed is the one lying down, i.e. the detection whose
//! body axis (hip centre to the size/rotation point) is closest to horizontal, among those within
//! 60° of horizontal; if nobody is lying, the highest-scoring person. A standing therapist beside
//! the table is therefore not picked while the client lies on it.

use anyhow::Result;
use opencv::core::Mat;
use opencv::prelude::*;

use super::detector::{Detection, PersonDetector};
use super::landmarks::{LandmarkEstimate, LandmarkModel};
use super::roi::BodyRoi;

/// MediaPipe's default `min_tracking_confidence`: below it the pose counts as lost.
pub const MIN_PRESENCE: f32 = 0.5;
/// A detection counts as lying when its body axis is within 60° of horizontal (cos 60° = 0.5).
const MIN_HORIZONTALNESS: f32 = 0.5;

pub struct PoseTracker {
    detector: PersonDetector,
    landmarks: LandmarkModel,
    roi: Option<BodyRoi>,
    pub detector_runs: usize,
}

/// Chooses the person to follow among the detections (see the module docs).
pub fn choose_person(detections: &[Detection]) -> Option<&Detection> {
    let lying = detections
        .iter()
        .filter(|d| d.horizontalness() >= MIN_HORIZONTALNESS)
        .max_by(|a, b| (a.horizontalness() * a.score).total_cmp(&(b.horizontalness() * b.score)));
    lying.or_else(|| detections.iter().max_by(|a, b| a.score.total_cmp(&b.score)))
}

impl PoseTracker {
    pub fn new(detector: PersonDetector, landmarks: LandmarkModel) -> Self {
        PoseTracker {
            detector,
            landmarks,
            roi: None,
            detector_runs: 0,
        }
    }

    /// Landmarks of the followed person in this frame, or None when nobody is found.
    pub fn track(&mut self, image: &Mat) -> Result<Option<LandmarkEstimate>> {
        if let Some(roi) = self.roi {
            let estimate = self.landmarks.estimate(image, &roi)?;
            if estimate.presence >= MIN_PRESENCE {
                self.follow(&estimate, image);
                return Ok(Some(estimate));
            }
            self.roi = None;
        }
        self.detector_runs += 1;
        let detections = self.detector.detect(image)?;
        let Some(person) = choose_person(&detections) else {
            return Ok(None);
        };
        let roi = BodyRoi::from_alignment_points(person.keypoints[0], person.keypoints[1]);
        let estimate = self.landmarks.estimate(image, &roi)?;
        if estimate.presence < MIN_PRESENCE {
            return Ok(None);
        }
        self.follow(&estimate, image);
        Ok(Some(estimate))
    }

    fn follow(&mut self, estimate: &LandmarkEstimate, image: &Mat) {
        let (Some(a), Some(b)) = (estimate.landmarks.get(33), estimate.landmarks.get(34)) else {
            self.roi = None;
            return;
        };
        let roi = BodyRoi::from_alignment_points([a.x, a.y], [b.x, b.y]);
        self.roi = roi
            .is_plausible(image.cols() as f32, image.rows() as f32)
            .then_some(roi);
    }
}
