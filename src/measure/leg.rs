//! The legs: follows each leg's landmarks through the clip (catching left/right label swaps by
//! continuity), decides which leg is tested (the one whose thigh hangs off the table, while the
//! other knee is held to the chest), and which one is nearer the camera.

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::geometry::Vec2;
use super::signal;
use super::table::Trunk;
use crate::error::RomcamError;
use crate::pose::{joint, Landmark, PoseFrame};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }
    /// "left" or "right", as printed, stored and exported.
    pub fn from_name(name: &str) -> Option<Side> {
        match name {
            "left" => Some(Side::Left),
            "right" => Some(Side::Right),
            _ => None,
        }
    }
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
    /// The BlazePose landmarks of this side's shoulder, hip, knee and ankle.
    pub fn joints(self) -> joint::BodySide {
        match self {
            Side::Left => joint::LEFT,
            Side::Right => joint::RIGHT,
        }
    }
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One leg followed through the clip, whatever label the model gives it in each frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chain {
    A,
    B,
}

/// Per-frame label assignment of the two followed legs.
#[derive(Debug, Clone)]
pub struct LegChains {
    /// In frame i, chain A carries the model's "right" labels when swapped[i].
    pub swapped: Vec<bool>,
    pub swaps_caught: usize,
}

/// The chosen test leg.
#[derive(Debug, Clone)]
pub struct TestLeg {
    pub chain: Chain,
    pub side: Side,
    pub basis: String,
}

fn p(l: &Landmark) -> Vec2 {
    Vec2::new(l.x as f64, l.y as f64)
}

/// Hip centre and shoulder centre.
pub fn trunk(l: &[Landmark]) -> Option<Trunk> {
    let g = |i: usize| l.get(i).map(p);
    Some(Trunk {
        hip: g(joint::LEFT_HIP)?.mid(g(joint::RIGHT_HIP)?),
        shoulder: g(joint::LEFT_SHOULDER)?.mid(g(joint::RIGHT_SHOULDER)?),
    })
}

/// Frames with landmarks in the last `fraction` of the clip's duration.
pub fn late_frames(frames: &[PoseFrame], fraction: f64) -> Vec<usize> {
    let end = frames.last().map(|f| f.t).unwrap_or(0.0);
    let start = frames.first().map(|f| f.t).unwrap_or(0.0);
    let from = end - fraction * (end - start);
    frames.iter().enumerate().filter(|(_, f)| f.t >= from && f.landmarks.is_some()).map(|(i, _)| i).collect()
}

/// Whether the feet are towards the image's right (the head to the left).
pub fn feet_right(frames: &[PoseFrame]) -> bool {
    let dx: Vec<f64> = frames
        .iter()
        .filter_map(|f| f.landmarks.as_deref().and_then(trunk))
        .map(|t| t.hip.x - t.shoulder.x)
        .collect();
    signal::median(&dx).unwrap_or(0.0) > 0.0
}

impl LegChains {
    /// Follows the two legs by continuity of knee and ankle positions: a frame whose labels fit
    /// the previous frame much better crossed over is counted as a label swap.
    pub fn follow(frames: &[PoseFrame]) -> LegChains {
        let mut swapped = vec![false; frames.len()];
        let mut swaps_caught = 0;
        let mut prev: Option<([Vec2; 2], [Vec2; 2])> = None; // (chain A knee+ankle, chain B)
        for (i, f) in frames.iter().enumerate() {
            let Some(l) = f.landmarks.as_deref() else { continue };
            let (Some(lk), Some(la), Some(rk), Some(ra)) = (
                l.get(joint::LEFT_KNEE),
                l.get(joint::LEFT_ANKLE),
                l.get(joint::RIGHT_KNEE),
                l.get(joint::RIGHT_ANKLE),
            ) else {
                continue;
            };
            let left = [p(lk), p(la)];
            let right = [p(rk), p(ra)];
            if let Some((a, b)) = prev {
                let d = |x: [Vec2; 2], y: [Vec2; 2]| x[0].dist(y[0]) + x[1].dist(y[1]);
                let same = d(left, a) + d(right, b);
                let cross = d(right, a) + d(left, b);
                let scale = trunk(l).map(|t| t.length()).unwrap_or(100.0);
                if cross < 0.5 * same && same > 0.3 * scale {
                    swapped[i] = true;
                    swaps_caught += 1;
                }
            }
            prev = Some(if swapped[i] { (right, left) } else { (left, right) });
        }
        LegChains { swapped, swaps_caught }
    }

    /// The model's label of a chain in frame i.
    pub fn label(&self, i: usize, chain: Chain) -> Side {
        let a_is_left = !self.swapped.get(i).copied().unwrap_or(false);
        match (chain, a_is_left) {
            (Chain::A, true) | (Chain::B, false) => Side::Left,
            _ => Side::Right,
        }
    }

    /// Hip, knee and ankle of a chain in frame i, if all are visible enough.
    pub fn joints(
        &self,
        i: usize,
        chain: Chain,
        l: &[Landmark],
        min_visibility: f32,
    ) -> Option<(Landmark, Landmark, Landmark)> {
        let j = self.label(i, chain).joints();
        let (hip, knee, ankle) = (*l.get(j.hip)?, *l.get(j.knee)?, *l.get(j.ankle)?);
        [hip, knee, ankle].iter().all(|j| j.visibility >= min_visibility).then_some((hip, knee, ankle))
    }

    /// How much a chain's thigh points towards the head (+1) or away from it (-1), median over
    /// the given frames.
    fn thigh_towards_head(&self, frames: &[PoseFrame], which: &[usize], chain: Chain) -> Option<f64> {
        let v: Vec<f64> = which
            .iter()
            .filter_map(|&i| {
                let l = frames[i].landmarks.as_deref()?;
                let tr = trunk(l)?;
                let j = self.label(i, chain).joints();
                let thigh = p(l.get(j.knee)?).minus(p(l.get(j.hip)?));
                let head = tr.shoulder.minus(tr.hip);
                let n = thigh.norm() * head.norm();
                (n > 0.0).then(|| thigh.dot(head) / n)
            })
            .collect();
        signal::median(&v)
    }

    fn majority_label(&self, which: &[usize], chain: Chain) -> Side {
        let left = which.iter().filter(|&&i| self.label(i, chain) == Side::Left).count();
        if 2 * left >= which.len() {
            Side::Left
        } else {
            Side::Right
        }
    }

    /// The test leg: the thigh that points away from the head late in the clip (hanging off the
    /// table end), or the leg named by `forced`.
    pub fn choose_test_leg(
        &self,
        frames: &[PoseFrame],
        late: &[usize],
        forced: Option<Side>,
    ) -> Result<TestLeg> {
        if late.is_empty() {
            return Err(
                RomcamError::NotMeasurable("no person was found at the end of the clip".into()).into()
            );
        }
        if let Some(side) = forced {
            let chain = if self.majority_label(late, Chain::A) == side { Chain::A } else { Chain::B };
            return Ok(TestLeg { chain, side, basis: format!("set with --side {}", side.name()) });
        }
        let a = self.thigh_towards_head(frames, late, Chain::A).unwrap_or(0.0);
        let b = self.thigh_towards_head(frames, late, Chain::B).unwrap_or(0.0);
        let chain = if a <= b { Chain::A } else { Chain::B };
        let side = self.majority_label(late, chain);
        Ok(TestLeg {
            chain,
            side,
            basis: format!(
                "detected: the {} thigh hangs off the table while the other knee is held to the chest",
                side.name()
            ),
        })
    }

    /// Whether a chain is nearer the camera than the other (from the model's depth estimate),
    /// or None when the depths are too close to tell.
    pub fn near_camera(&self, frames: &[PoseFrame], late: &[usize], chain: Chain) -> Option<bool> {
        let other = if chain == Chain::A { Chain::B } else { Chain::A };
        let depth = |c: Chain| {
            let v: Vec<f64> = late
                .iter()
                .filter_map(|&i| {
                    let l = frames[i].landmarks.as_deref()?;
                    let j = self.label(i, c).joints();
                    Some((l.get(j.hip)?.z as f64 + l.get(j.knee)?.z as f64) / 2.0)
                })
                .collect();
            signal::median(&v)
        };
        let scale = late
            .iter()
            .filter_map(|&i| frames[i].landmarks.as_deref().and_then(trunk))
            .map(|t| t.length())
            .next()?;
        let (zt, zo) = (depth(chain)?, depth(other)?);
        ((zt - zo).abs() > 0.05 * scale).then_some(zt < zo)
    }
}
