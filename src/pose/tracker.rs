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

use super::detector::{Detection, PersonDetector, LYING_HORIZONTALNESS};
use super::joint;
use super::landmarks::{LandmarkEstimate, LandmarkModel};
use super::roi::BodyRoi;

/// MediaPipe's default `min_tracking_confidence`: below it the pose counts as lost.
pub const MIN_PRESENCE: f32 = 0.5;
/// While following someone who is not lying down, look again for a lying person this often.
const RESEARCH_EVERY_FRAMES: usize = 10;

pub struct PoseTracker {
    detector: PersonDetector,
    landmarks: LandmarkModel,
    roi: Option<BodyRoi>,
    frames_since_search: usize,
    pub detector_runs: usize,
}

/// Whether the landmarks' trunk (hip centre to shoulder centre) is within 60° of horizontal.
pub fn is_lying(landmarks: &[crate::pose::Landmark]) -> bool {
    let (Some(ls), Some(rs), Some(lh), Some(rh)) = (
        landmarks.get(joint::LEFT_SHOULDER),
        landmarks.get(joint::RIGHT_SHOULDER),
        landmarks.get(joint::LEFT_HIP),
        landmarks.get(joint::RIGHT_HIP),
    ) else {
        return false;
    };
    let dx = (ls.x + rs.x - lh.x - rh.x) / 2.0;
    let dy = (ls.y + rs.y - lh.y - rh.y) / 2.0;
    let len = (dx * dx + dy * dy).sqrt();
    len > 0.0 && dx.abs() / len >= LYING_HORIZONTALNESS
}

/// Chooses the person to follow among the detections (see the module docs).
pub fn choose_person(detections: &[Detection]) -> Option<&Detection> {
    let lying = detections
        .iter()
        .filter(|d| d.horizontalness() >= LYING_HORIZONTALNESS)
        .max_by(|a, b| (a.horizontalness() * a.score).total_cmp(&(b.horizontalness() * b.score)));
    lying.or_else(|| detections.iter().max_by(|a, b| a.score.total_cmp(&b.score)))
}

impl PoseTracker {
    pub fn new(detector: PersonDetector, landmarks: LandmarkModel) -> Self {
        PoseTracker { detector, landmarks, roi: None, frames_since_search: 0, detector_runs: 0 }
    }

    /// Landmarks of the followed person in this frame, or None when nobody is found.
    pub fn track(&mut self, image: &Mat, mirror: bool) -> Result<Option<LandmarkEstimate>> {
        self.landmarks.mirror_average = mirror;
        self.frames_since_search += 1;
        if let Some(roi) = self.roi {
            let estimate = self.landmarks.estimate(image, &roi)?;
            if estimate.presence >= MIN_PRESENCE {
                let lying = is_lying(&estimate.landmarks);
                if !lying && self.frames_since_search >= RESEARCH_EVERY_FRAMES {
                    // following someone upright: look for a lying person, else keep this one
                    if let Some(found) = self.search(image)? {
                        return Ok(Some(found));
                    }
                }
                self.follow(&estimate, image);
                return Ok(Some(estimate));
            }
            self.roi = None;
        }
        self.search(image)
    }

    /// Runs the detector and starts following the chosen person.
    fn search(&mut self, image: &Mat) -> Result<Option<LandmarkEstimate>> {
        self.detector_runs += 1;
        self.frames_since_search = 0;
        let detections = self.detector.detect_people(image)?;
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
        let (Some(a), Some(b)) =
            (estimate.landmarks.get(joint::ALIGN_CENTRE), estimate.landmarks.get(joint::ALIGN_SIZE))
        else {
            self.roi = None;
            return;
        };
        let roi = BodyRoi::from_alignment_points([a.x, a.y], [b.x, b.y]);
        self.roi = roi.is_plausible(image.cols() as f32, image.rows() as f32).then_some(roi);
    }
}
