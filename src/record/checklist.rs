//! The live framing checklist of `romcam record`, judged on the live poses with the framing
//! gate's own per-frame checks ([`crate::measure::framing`]; "whole body in view" also asks for
//! room for the head beyond the shoulders and for a pose that can be an adult lying seen from the
//! side), the test-leg choice of
//! [`crate::measure::leg`], the table search and the angle geometry of `measure`; and the hold
//! timer (the leg still, as `measure` defines still, for 3 s).

use std::collections::VecDeque;

use super::live::LiveResult;
use crate::measure::framing::{self, FramingLimits};
use crate::measure::geometry::{self, Horizontal, Vec2};
use crate::measure::leg::{self, LegChains, Side};
use crate::measure::{signal, MeasureOptions};
use crate::pose::{joint, tracker, Landmark, PoseFrame};

/// One item of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    WholeBody,
    FromTheSide,
    Lying,
    TableEdge,
    Light,
    HipHeight,
}

impl Item {
    pub const ALL: [Item; 6] =
        [Item::WholeBody, Item::FromTheSide, Item::Lying, Item::TableEdge, Item::Light, Item::HipHeight];

    /// The words shown in the preview and on the terminal.
    pub fn label(self) -> &'static str {
        match self {
            Item::WholeBody => "whole body in view",
            Item::FromTheSide => "filmed from the side",
            Item::Lying => "person lying on the table",
            Item::TableEdge => "table edge found",
            Item::Light => "enough light",
            Item::HipHeight => "camera at about hip height",
        }
    }
}

/// Which items are green.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checklist {
    pub green: [bool; 6],
}

impl Checklist {
    pub fn all_green(&self) -> bool {
        self.green.iter().all(|&g| g)
    }

    pub fn items(&self) -> impl Iterator<Item = (Item, bool)> + '_ {
        Item::ALL.iter().copied().zip(self.green.iter().copied())
    }

    /// The labels of the red items.
    pub fn red(&self) -> Vec<&'static str> {
        self.items().filter(|(_, g)| !g).map(|(i, _)| i.label()).collect()
    }
}

/// Seconds of live poses kept to choose the test leg and judge stillness.
const HISTORY_S: f64 = 3.0;
/// An item is green when it passed on at least [`VOTE_SHARE`] of the live results of the last
/// [`VOTE_SPAN_S`] (or of the last [`MIN_VOTES`], when the worker is slower than that), and red
/// until the results cover that span: a few odd poses neither turn an item green nor make the
/// list flicker. The landmark model can draw a whole, plausible body inside a picture that cuts
/// the trunk for a few poses in a row, when it first finds the person; replayed at every worker
/// rate on six such clips, it never does so for 80% of a second (`tests/record_checklist.rs`).
const VOTE_SPAN_S: f64 = 1.0;
const MIN_VOTES: usize = 5;
const VOTE_SHARE: f64 = 0.8;
/// The window over which the leg must stay still, seconds.
const STILL_WINDOW_S: f64 = 0.5;
/// How long the leg must stay still for the hold, seconds.
pub const HOLD_S: f64 = 3.0;
/// "Camera at about hip height": the model's two hip landmarks lie less than this fraction of
/// the trunk's length apart across the trunk. Seen from the side, the two hip joints nearly
/// overlap; seen from above or below, the pelvis's width shows. The landmark model spreads the
/// hips apart on its own, though: on the sample clips, filmed 3–14° above the hip, the landmarks
/// lie 0.11–0.19 apart (median over each clip; the clips' true hip joints lie 0.03–0.11 apart), and
/// the figure follows the camera's height only loosely. So this is a coarse check that catches
/// a camera well above or below the hip; the height at which it turns red is not measured (no
/// sample is filmed from higher than 14°).
const MAX_HIP_OFFSET_TRUNKS: f64 = 0.2;

/// The live state: recent poses, the checklist's votes, the angles and the hold timer.
#[derive(Default)]
pub struct LiveState {
    history: VecDeque<PoseFrame>,
    /// (time, items passed) of the recent live results, and the time of the first one.
    votes: VecDeque<(f64, [bool; 6])>,
    first_result_t: Option<f64>,
    tilts: VecDeque<f64>,
    still_since: Option<f64>,
    pub checklist: Checklist,
    /// The test leg once known (its thigh hangs away from the head), and its model label in
    /// the latest pose.
    pub test_leg: Option<Side>,
    pub test_label: Option<Side>,
    pub hip_extension_deg: Option<f64>,
    pub knee_flexion_deg: Option<f64>,
    /// The table's tilt on screen (median of the recent edges), degrees.
    pub table_tilt_deg: Option<f64>,
    pub latest: Option<LiveResult>,
    /// (t, hip, knee) of the test leg, recent.
    angles: VecDeque<(f64, f64, f64)>,
}

impl LiveState {
    /// Takes a new live result for a picture of `width` x `height` pixels.
    pub fn update(&mut self, r: LiveResult, width: f64, height: f64) {
        let limits = FramingLimits::default();
        self.history.push_back(PoseFrame {
            t: r.t,
            presence: if r.landmarks.is_some() { 1.0 } else { 0.0 },
            landmarks: r.landmarks.clone(),
        });
        while self.history.front().is_some_and(|f| f.t < r.t - HISTORY_S) {
            self.history.pop_front();
        }
        if let Some(line) = r.table {
            self.tilts.push_back(line.tilt_deg);
            if self.tilts.len() > 9 {
                self.tilts.pop_front();
            }
        }
        self.table_tilt_deg = signal::median(&self.tilts.iter().copied().collect::<Vec<_>>());
        self.choose_test_leg();
        let mut green = [false; 6];
        if let Some(l) = r.landmarks.as_deref() {
            let in_view = |j: usize| l.get(j).is_some_and(|p| framing::in_view(p, width, height, &limits));
            let leg_in_view = |s: Side| framing::leg_indices(s).iter().all(|&j| in_view(j));
            let legs_ok = match self.test_label {
                Some(s) => leg_in_view(s),
                None => leg_in_view(Side::Left) || leg_in_view(Side::Right),
            };
            green[0] = framing::SHOULDERS.iter().all(|&j| in_view(j))
                && framing::head_room_in_view(l, width, height)
                && framing::is_lying_side_view(l)
                && legs_ok;
            let wide = framing::person_width_fraction(l, width)
                .is_some_and(|w| w >= limits.min_person_width_fraction);
            green[1] = wide && self.test_leg_near_camera() != Some(false);
            green[2] = tracker::is_lying(l);
            green[3] = r.table.is_some();
            green[5] = framing::across_trunk(l, joint::LEFT_HIP, joint::RIGHT_HIP)
                .is_some_and(|o| o < MAX_HIP_OFFSET_TRUNKS);
        }
        green[4] = r.brightness >= limits.min_brightness;
        self.votes.push_back((r.t, green));
        while self.votes.len() > MIN_VOTES && self.votes.front().is_some_and(|v| v.0 <= r.t - VOTE_SPAN_S) {
            self.votes.pop_front();
        }
        let since = *self.first_result_t.get_or_insert(r.t);
        let covered = r.t - since >= VOTE_SPAN_S && self.votes.len() >= MIN_VOTES;
        let needed = VOTE_SHARE * self.votes.len() as f64;
        for (k, g) in self.checklist.green.iter_mut().enumerate() {
            *g = covered && self.votes.iter().filter(|v| v.1[k]).count() as f64 >= needed;
        }
        self.measure_angles(&r);
        self.latest = Some(r);
    }

    /// The test leg from the recent poses (`measure`'s choice), once its thigh points away from
    /// the head.
    fn choose_test_leg(&mut self) {
        let frames: Vec<PoseFrame> = self.history.iter().cloned().collect();
        let with_pose: Vec<usize> = (0..frames.len()).filter(|&i| frames[i].landmarks.is_some()).collect();
        let last = frames.len().checked_sub(1);
        let (Some(last), false) = (last, with_pose.is_empty()) else {
            self.test_leg = None;
            self.test_label = None;
            return;
        };
        let chains = LegChains::follow(&frames);
        let Ok(test) = chains.choose_test_leg(&frames, &with_pose, None) else { return };
        let label = chains.label(last, test.chain);
        let hangs = frames[last].landmarks.as_deref().and_then(|l| thigh_towards_head(l, label));
        if hangs.is_some_and(|c| c < 0.0) {
            self.test_leg = Some(test.side);
            self.test_label = Some(label);
        } else if self.test_leg.is_none() {
            self.test_label = None;
        } else {
            self.test_label = Some(label);
        }
    }

    fn test_leg_near_camera(&self) -> Option<bool> {
        self.test_leg?;
        let frames: Vec<PoseFrame> = self.history.iter().cloned().collect();
        let with_pose: Vec<usize> = (0..frames.len()).filter(|&i| frames[i].landmarks.is_some()).collect();
        let chains = LegChains::follow(&frames);
        let test = chains.choose_test_leg(&frames, &with_pose, self.test_leg).ok()?;
        chains.near_camera(&frames, &with_pose, test.chain)
    }

    /// The test leg's hip extension (against the table's horizontal, or the picture's when no
    /// edge is found, as `measure` does) and knee flexion in the latest pose.
    fn measure_angles(&mut self, r: &LiveResult) {
        self.hip_extension_deg = None;
        self.knee_flexion_deg = None;
        let (Some(side), Some(l)) = (self.test_label, r.landmarks.as_deref()) else {
            self.angles.clear();
            self.still_since = None;
            return;
        };
        let frames: Vec<PoseFrame> = self.history.iter().cloned().collect();
        let horizontal = Horizontal::from_tilt(self.table_tilt_deg.unwrap_or(0.0), leg::feet_right(&frames));
        let j = side.joints();
        let p = |i: usize| l.get(i).map(|q| Vec2::new(q.x as f64, q.y as f64));
        let (Some(hip), Some(knee), Some(ankle)) = (p(j.hip), p(j.knee), p(j.ankle)) else { return };
        let (Some(h), Some(k)) = (
            geometry::hip_extension_deg(hip, knee, &horizontal),
            geometry::knee_flexion_deg(hip, knee, ankle),
        ) else {
            return;
        };
        self.hip_extension_deg = Some(h);
        self.knee_flexion_deg = Some(k);
        self.angles.push_back((r.t, h, k));
        while self.angles.front().is_some_and(|a| a.0 < r.t - STILL_WINDOW_S) {
            self.angles.pop_front();
        }
        let o = MeasureOptions::default();
        let span = |f: fn(&(f64, f64, f64)) -> f64| {
            let v: Vec<f64> = self.angles.iter().map(f).collect();
            v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                - v.iter().copied().fold(f64::INFINITY, f64::min)
        };
        let covered = self.angles.len() >= 2 && r.t - self.angles[0].0 >= 0.6 * STILL_WINDOW_S;
        let still = covered
            && span(|a| a.1) <= o.still_hip_deg_per_s * STILL_WINDOW_S
            && span(|a| a.2) <= o.still_knee_deg_per_s * STILL_WINDOW_S;
        if still {
            self.still_since.get_or_insert(self.angles[0].0);
        } else {
            self.still_since = None;
        }
    }

    /// How long the leg has been still at `t`, seconds (None while it moves).
    pub fn hold_s(&self, t: f64) -> Option<f64> {
        self.still_since.map(|s| (t - s).max(0.0))
    }
}

/// The cosine between the thigh (hip to knee) and the trunk towards the head: below 0 the
/// thigh hangs away from the head.
fn thigh_towards_head(l: &[Landmark], side: Side) -> Option<f64> {
    let tr = leg::trunk(l)?;
    let j = side.joints();
    let (hip, knee) = (l.get(j.hip)?, l.get(j.knee)?);
    let thigh = Vec2::new((knee.x - hip.x) as f64, (knee.y - hip.y) as f64);
    let head = tr.shoulder.minus(tr.hip);
    let n = thigh.norm() * head.norm();
    (n > 0.0).then(|| thigh.dot(head) / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checklist's "camera at about hip height" figure.
    fn hip_offset_trunks(l: &[Landmark]) -> Option<f64> {
        framing::across_trunk(l, joint::LEFT_HIP, joint::RIGHT_HIP)
    }

    fn lm(x: f32, y: f32) -> Landmark {
        Landmark { x, y, z: 0.0, visibility: 0.99, presence: 0.99 }
    }

    #[test]
    fn hips_seen_from_the_side_overlap_and_from_above_do_not() {
        let mut l = vec![lm(0.0, 0.0); 33];
        l[joint::LEFT_SHOULDER] = lm(300.0, 300.0);
        l[joint::RIGHT_SHOULDER] = lm(300.0, 305.0);
        l[joint::LEFT_HIP] = lm(600.0, 300.0);
        l[joint::RIGHT_HIP] = lm(600.0, 310.0);
        assert!(hip_offset_trunks(&l).unwrap() < 0.05);
        l[joint::RIGHT_HIP] = lm(600.0, 400.0);
        assert!(hip_offset_trunks(&l).unwrap() > 0.3);
    }
}
