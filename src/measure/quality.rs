//! The quality gate: checks that decide whether the result can be trusted, and the warnings the
//! user sees. A withheld figure is reported as null with its reason, never as a number.

use serde::{Deserialize, Serialize};

use super::leg::{Chain, LegChains};
use super::{AngleSample, HoldWindow, HorizontalReference, ReferenceKind};
use crate::pose::{joint, PoseFrame};

/// Limits of the quality gate (all configurable).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QualityLimits {
    /// Shorter clips get a warning, seconds.
    pub min_clip_s: f64,
    /// Mean pose presence below this is low confidence.
    pub min_mean_presence: f64,
    /// Warn when less than this fraction of the hold's frames has the hip, knee and ankle visible.
    pub min_usable_fraction: f64,
    /// Thigh length over shin length below this means a foreshortened thigh (camera not side-on).
    pub min_thigh_to_shin_ratio: f64,
    /// Withhold the result below this ratio.
    pub withhold_thigh_to_shin_ratio: f64,
    /// Shin length over thigh length below this means a foreshortened shin: the camera looks
    /// down (or up) along the hanging shin, from well above (or below) the hip. A warning.
    pub min_shin_to_thigh_ratio: f64,
    /// Withhold the result below this ratio.
    pub withhold_shin_to_thigh_ratio: f64,
    /// Distance between the two hips over thigh length above this: the camera sees the pelvis
    /// from the front, not the side.
    pub max_hip_separation_ratio: f64,
}

impl Default for QualityLimits {
    fn default() -> Self {
        QualityLimits {
            min_clip_s: 3.0,
            min_mean_presence: 0.8,
            min_usable_fraction: 0.6,
            min_thigh_to_shin_ratio: 0.75,
            withhold_thigh_to_shin_ratio: 0.55,
            // knee to ankle is about as long as hip to knee in adults (0.246 and 0.245 of body
            // height in Drillis and Contini's proportions, as tabled by Winter); seen from the
            // side both lie in the picture's plane, so the ratio stays near 1 however the leg
            // hangs (0.90-1.04 in the landmarks of the 18 samples, filmed up to 15 degrees above
            // the hip). A camera well above or below sees the hanging shin along its length. The
            // landmark model shortens it less than geometry would: about 0.85 at 37 degrees and
            // 0.75 at 53 (dev01 squeezed in height), where the knee already reads 10 and 21
            // degrees too low
            min_shin_to_thigh_ratio: 0.85,
            withhold_shin_to_thigh_ratio: 0.8,
            max_hip_separation_ratio: 0.45,
        }
    }
}

/// Warnings, and the reason the result is withheld (if it is).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Quality {
    pub warnings: Vec<String>,
    pub withheld_reason: Option<String>,
    pub thigh_to_shin_ratio: Option<f64>,
    pub hip_separation_ratio: Option<f64>,
    pub mean_presence: f64,
}

impl Quality {
    /// Adds what the framing gate found. Its reasons explain the other failures (a leg cut off
    /// by the picture's edge also never seems to settle), so the first of them becomes the
    /// headline reason, and all of them lead the warnings.
    pub fn add_framing(&mut self, found: super::framing::FramingFindings) {
        if let Some(first) = found.withhold.first() {
            self.withheld_reason = Some(first.clone());
        }
        self.warnings.splice(0..0, found.withhold);
        self.warnings.extend(found.warnings);
    }
}

/// What the gate looks at.
pub struct Evidence<'a> {
    pub frames: &'a [PoseFrame],
    pub samples: &'a [AngleSample],
    pub chains: &'a LegChains,
    pub test_chain: Chain,
    pub hold: Option<HoldWindow>,
    pub reference: &'a HorizontalReference,
    pub clip_duration_s: f64,
    pub late: &'a [usize],
}

fn median_ratio(e: &Evidence, f: impl Fn(usize, &[crate::pose::Landmark]) -> Option<f64>) -> Option<f64> {
    let v: Vec<f64> =
        e.late.iter().filter_map(|&i| e.frames[i].landmarks.as_deref().and_then(|l| f(i, l))).collect();
    super::signal::median(&v)
}

pub fn check(e: &Evidence, limits: &QualityLimits) -> Quality {
    let mut q = Quality::default();
    let withhold = |q: &mut Quality, reason: String| {
        if q.withheld_reason.is_none() {
            q.withheld_reason = Some(reason.clone());
        }
        q.warnings.push(reason);
    };
    let presences: Vec<f64> = e.frames.iter().map(|f| f.presence as f64).collect();
    q.mean_presence = presences.iter().sum::<f64>() / presences.len().max(1) as f64;
    if e.clip_duration_s < limits.min_clip_s {
        q.warnings.push(format!(
            "the clip is short ({:.1} s); film at least {:.0} s so the leg can settle",
            e.clip_duration_s, limits.min_clip_s
        ));
    }
    if q.mean_presence < limits.min_mean_presence {
        q.warnings.push(format!("the pose model's confidence is low (mean presence {:.2})", q.mean_presence));
    }
    match e.hold {
        None => withhold(
            &mut q,
            "the leg never settles: no still period of at least 1 s was found at the end of the clip: film again and let the test leg hang still for at least 3 s before you stop".into(),
        ),
        Some(h) => {
            let span = &e.samples[h.start_frame..=h.end_frame];
            let usable = span.iter().filter(|s| s.hip_extension_deg.is_some()).count();
            let fraction = usable as f64 / span.len().max(1) as f64;
            if fraction < 0.3 {
                withhold(&mut q, "the test hip, knee or ankle is hidden during the hold: film again with the whole test leg in the picture and nothing between it and the camera".into());
            } else if fraction < limits.min_usable_fraction {
                q.warnings.push(format!(
                    "the test hip, knee or ankle is hidden in {:.0}% of the hold",
                    100.0 * (1.0 - fraction)
                ));
            }
        }
    }
    let leg = |i: usize, l: &[crate::pose::Landmark]| -> Option<(f64, f64, f64)> {
        let j = e.chains.label(i, e.test_chain).joints();
        let (h, k, a) = (j.hip, j.knee, j.ankle);
        let d = |x: usize, y: usize| -> Option<f64> {
            let (p, r) = (l.get(x)?, l.get(y)?);
            Some((((p.x - r.x).powi(2) + (p.y - r.y).powi(2)) as f64).sqrt())
        };
        Some((d(h, k)?, d(k, a)?, d(joint::LEFT_HIP, joint::RIGHT_HIP)?))
    };
    q.thigh_to_shin_ratio = median_ratio(e, |i, l| leg(i, l).and_then(|(t, s, _)| (s > 0.0).then(|| t / s)));
    q.hip_separation_ratio = median_ratio(e, |i, l| leg(i, l).and_then(|(t, _, h)| (t > 0.0).then(|| h / t)));
    if let Some(r) = q.thigh_to_shin_ratio {
        if r < limits.withhold_thigh_to_shin_ratio {
            withhold(&mut q, format!("the thigh looks strongly foreshortened (thigh/shin {r:.2}): film from the side, square to the body"));
        } else if r < limits.min_thigh_to_shin_ratio {
            q.warnings.push(format!(
                "the thigh looks foreshortened (thigh/shin {r:.2}): the camera may not be square to the body"
            ));
        }
    }
    if let Some(r) = q.thigh_to_shin_ratio.filter(|r| *r > 0.0).map(|r| 1.0 / r) {
        if r < limits.withhold_shin_to_thigh_ratio {
            withhold(&mut q, format!("the shin looks strongly foreshortened ({r:.2} of the thigh's length, about 1 seen from the side): the camera looks down or up along the hanging leg; film again from the side of the test leg, with the camera at about hip height"));
        } else if r < limits.min_shin_to_thigh_ratio {
            q.warnings.push(format!(
                "the shin looks foreshortened ({r:.2} of the thigh's length): if the camera was well above or below the hip, the knee angle reads too low; film at about hip height"
            ));
        }
    }
    if let Some(r) = q.hip_separation_ratio {
        if r > limits.max_hip_separation_ratio {
            withhold(
                &mut q,
                "the camera sees the pelvis from the front or at a steep angle, not from the side: film again from the side of the test leg, with the camera at about hip height".into(),
            );
        }
    }
    match e.reference.kind {
        ReferenceKind::ImageHorizontal => q.warnings.push(
            "no table edge was found: the image's horizontal was used, so a tilted camera tilts the hip angle by the same amount".into(),
        ),
        ReferenceKind::TableEdge => {
            if e.reference.spread_deg > 1.0 {
                q.warnings.push(format!("the table edge varies by ±{:.1}° between frames", e.reference.spread_deg));
            }
        }
    }
    if e.chains.swaps_caught > 0 {
        q.warnings
            .push(format!("{} left/right landmark swaps were caught and corrected", e.chains.swaps_caught));
    }
    q
}
