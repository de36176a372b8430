//! The clinical reading of a measurement: the Thomas-test result against published norms and
//! thresholds, in numbers and in words ([`Finding`] per muscle group, the [`Classification`],
//! the sentences), and, in [`change`], the verdict on a change between two assessments against the
//! minimal detectable change (real improvement, real worsening, within measurement error). Sources are cited here and in every output.
//!
//! Criteria (all configurable in [`Criteria`]):
//! - Iliopsoas (one-joint hip flexors): the test is positive when the test thigh stays above the
//!   table's horizontal, i.e. hip extension < 0° (Kendall FP et al., Muscles: Testing and
//!   Function, 5th ed., 2005; Harvey D, Br J Sports Med 1998;32:68-70).
//! - Rectus femoris (two-joint hip flexor): shortening is suspected when the hanging knee flexes
//!   less than 80° (Kendall's teaching: the knee flexes to about 80° when the rectus femoris has
//!   normal length). A 2021 review in BMC Sports Science, Medicine and Rehabilitation reports a
//!   stricter cut-off (below 67°); the threshold is a setting so that a clinic can choose.
//! - Normative means shown beside the client's figures: Harvey 1998, 117 elite athletes: thigh
//!   11.9° below horizontal (hip extension +11.9°), knee flexion 52.5°.

pub mod change;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::measure::leg::Side;
use crate::measure::{HoldStatistic, Measurement, ReferenceKind};

pub const HARVEY_1998: &str = "Harvey D. Assessment of the flexibility of elite athletes using the modified Thomas test. Br J Sports Med 1998;32:68-70";
pub const KENDALL_2005: &str = "Kendall FP, McCreary EK, Provance PG et al. Muscles: Testing and Function with Posture and Pain, 5th ed. 2005";

/// Who a normative mean describes, in the words every output uses beside it (Harvey's figures
/// are means of 117 elite athletes, not a norm for the general public).
pub fn reference_population(norm_source: &str) -> &'static str {
    if norm_source == HARVEY_1998 {
        "mean of 117 elite athletes"
    } else {
        "published mean"
    }
}

/// What the sources say about the knee, and where they disagree: said in every method section
/// rather than hidden.
pub const KNEE_CRITERIA_NOTE: &str = "Sources disagree on the knee: Kendall's 80° assumes a level thigh, Harvey's athletes' thighs hung lower (a lower thigh lets the knee bend less), and a 2021 protocol (BMC Sports Sci Med Rehabil) uses 67°.";

/// Thresholds and norms used for the reading.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Criteria {
    /// Hip extension below this (degrees) reads as iliopsoas shortening.
    pub hip_extension_threshold_deg: f64,
    /// Knee flexion below this (degrees) reads as rectus femoris shortening.
    pub knee_flexion_threshold_deg: f64,
    pub hip_extension_norm_deg: f64,
    pub knee_flexion_norm_deg: f64,
    pub hip_source: String,
    pub knee_source: String,
    pub norm_source: String,
}

impl Default for Criteria {
    fn default() -> Self {
        Criteria {
            hip_extension_threshold_deg: 0.0,
            knee_flexion_threshold_deg: 80.0,
            hip_extension_norm_deg: 11.9,
            knee_flexion_norm_deg: 52.5,
            hip_source: KENDALL_2005.into(),
            knee_source: KENDALL_2005.into(),
            norm_source: HARVEY_1998.into(),
        }
    }
}

/// Uncertainty of romcam's angles beyond the hold's own spread and the horizontal (degrees),
/// from the validation on the 18 sample clips (ground truth from the rendered body's joint
/// centres): the root-mean-square error of the hip angle is 2.2° (the horizontal's 1.0°
/// included, so 2.0° remain for the landmarks and the camera), of the knee angle 2.9°. Both
/// errors lean one way: the landmark model places the hip about 3% of the thigh length in
/// front of the joint centre, and a camera above the hip sees a thigh that drifts sideways
/// towards it as lower than it is, so the knee comes out low (hip too positive, knee too
/// little flexed). romcam does not subtract that lean (it is measured on rendered bodies, not
/// on people); it is part of the uncertainty it states.
///
/// Since the heatmap refinement runs to convergence (`pose::landmarks`), the root-mean-square
/// errors on the sample clips are 2.0° (hip, horizontal included) and 2.1° (knee). The terms
/// stay at the earlier, larger values: clips romcam had never seen were measured worse than the
/// samples (worst 6.1° against 4.2°), so the samples' own figures would understate the error on
/// a new clip.
const MODEL_UNCERTAINTY_HIP_DEG: f64 = 2.0;
const MODEL_UNCERTAINTY_KNEE_DEG: f64 = 2.9;
/// Extra uncertainty of the horizontal: a found table edge, or an assumed level camera.
const TABLE_EDGE_UNCERTAINTY_DEG: f64 = 1.0;
const LEVEL_CAMERA_UNCERTAINTY_DEG: f64 = 3.0;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hold {
    pub start_s: f64,
    pub end_s: f64,
    pub frames: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reference {
    pub kind: ReferenceKind,
    pub description: String,
    pub tilt_deg: f64,
    pub table_edge_tilt_deg: Option<f64>,
    pub trunk_tilt_deg: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Norms {
    pub hip_extension_deg: f64,
    pub knee_flexion_deg: f64,
    pub source: String,
}

/// The reading of one muscle group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Finding {
    #[serde(rename = "shortened")]
    Shortened,
    #[serde(rename = "not shortened")]
    NotShortened,
    #[serde(rename = "withheld")]
    Withheld,
}

impl Finding {
    pub fn name(self) -> &'static str {
        match self {
            Finding::Shortened => "shortened",
            Finding::NotShortened => "not shortened",
            Finding::Withheld => "withheld",
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The test's result as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Classification {
    #[serde(rename = "negative")]
    Negative,
    #[serde(rename = "positive: iliopsoas shortening")]
    PositiveIliopsoas,
    #[serde(rename = "positive: rectus femoris shortening")]
    PositiveRectusFemoris,
    #[serde(rename = "positive: iliopsoas and rectus femoris shortening")]
    PositiveBoth,
    #[serde(rename = "withheld")]
    Withheld,
}

impl Classification {
    /// The classification of two findings, or withheld when the quality gate withheld the result.
    pub fn of(withheld: bool, iliopsoas: Finding, rectus_femoris: Finding) -> Classification {
        use Finding::Shortened;
        match (withheld, iliopsoas, rectus_femoris) {
            (true, _, _) => Classification::Withheld,
            (false, Shortened, Shortened) => Classification::PositiveBoth,
            (false, Shortened, _) => Classification::PositiveIliopsoas,
            (false, _, Shortened) => Classification::PositiveRectusFemoris,
            _ => Classification::Negative,
        }
    }

    /// As printed and stored, e.g. "positive: iliopsoas shortening".
    pub fn name(self) -> &'static str {
        match self {
            Classification::Negative => "negative",
            Classification::PositiveIliopsoas => "positive: iliopsoas shortening",
            Classification::PositiveRectusFemoris => "positive: rectus femoris shortening",
            Classification::PositiveBoth => "positive: iliopsoas and rectus femoris shortening",
            Classification::Withheld => "withheld",
        }
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Findings {
    /// One-joint hip flexors (iliopsoas).
    pub iliopsoas: Finding,
    /// Two-joint hip flexor (rectus femoris).
    pub rectus_femoris: Finding,
    /// The reading in plain words.
    pub sentences: Vec<String>,
}

/// The Thomas-test result: what `assess --json` prints and the store keeps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Assessment {
    pub romcam_version: String,
    pub model: String,
    pub video: String,
    pub test_side: Side,
    pub test_leg_near_camera: Option<bool>,
    pub side_basis: String,
    pub hip_extension_deg: Option<f64>,
    /// The hip figure in words, e.g. "12° above horizontal".
    pub hip_extension_words: Option<String>,
    pub knee_flexion_deg: Option<f64>,
    pub thigh_to_trunk_deg: Option<f64>,
    /// Uncertainty of hip_extension_deg (degrees, about one standard deviation).
    pub uncertainty_deg: Option<f64>,
    pub knee_uncertainty_deg: Option<f64>,
    pub hold: Option<Hold>,
    pub reference: Reference,
    pub warnings: Vec<String>,
    pub withheld_reason: Option<String>,
    pub classification: Classification,
    pub findings: Findings,
    pub norms: Norms,
    pub criteria: Criteria,
    pub measurement: Measurement,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The hip criterion in the words of the result: "the thigh stays above horizontal" for the
/// usual 0°, otherwise with the angle ("the thigh hangs less than 5° below horizontal").
pub fn hip_criterion_words(threshold_deg: f64) -> String {
    if threshold_deg.abs() < 0.05 {
        "the thigh stays above horizontal".into()
    } else if threshold_deg > 0.0 {
        format!("the thigh hangs less than {threshold_deg:.0}° below horizontal")
    } else {
        format!("the thigh stays more than {:.0}° above horizontal", -threshold_deg)
    }
}

/// A thigh position given as hip extension, in words: "thigh 11.9° below horizontal".
pub fn thigh_position_words(hip_extension_deg: f64) -> String {
    if hip_extension_deg.abs() < 0.05 {
        "thigh level with horizontal".into()
    } else if hip_extension_deg > 0.0 {
        format!("thigh {hip_extension_deg:.1}° below horizontal")
    } else {
        format!("thigh {:.1}° above horizontal", -hip_extension_deg)
    }
}

/// "12° above horizontal" / "5° below horizontal" / "level with the horizontal".
pub fn hip_in_words(deg: f64) -> String {
    let r = deg.abs().round();
    if r < 1.0 {
        "level with the horizontal".into()
    } else if deg < 0.0 {
        format!("{r:.0}° above horizontal")
    } else {
        format!("{r:.0}° below horizontal")
    }
}

fn reference_description(m: &Measurement) -> String {
    match m.reference.kind {
        ReferenceKind::TableEdge => format!(
            "table edge found in the image (tilt {:+.1}° on screen, from {} of {} frames searched)",
            m.reference.tilt_deg, m.reference.frames_with_edge, m.reference.frames_searched
        ),
        ReferenceKind::ImageHorizontal => {
            "the image's horizontal (no table edge found; the camera is assumed level)".into()
        }
    }
}

fn uncertainty(stat: &HoldStatistic, reference_deg: f64, model_deg: f64) -> f64 {
    round1((stat.std_dev_deg.powi(2) + reference_deg.powi(2) + model_deg.powi(2)).sqrt())
}

/// Reads a measurement against the criteria.
pub fn assess(m: Measurement, criteria: &Criteria, video: &str, model: &str) -> Assessment {
    let withheld = m.quality.withheld_reason.clone();
    let ok = withheld.is_none();
    let hip = m.hip_extension.filter(|_| ok);
    let knee = m.knee_flexion.filter(|_| ok);
    let trunk = m.thigh_to_trunk.filter(|_| ok);
    let ref_deg = match m.reference.kind {
        ReferenceKind::TableEdge => {
            (TABLE_EDGE_UNCERTAINTY_DEG.powi(2) + m.reference.spread_deg.powi(2)).sqrt()
        }
        ReferenceKind::ImageHorizontal => LEVEL_CAMERA_UNCERTAINTY_DEG,
    };
    let side = m.test_side.name();
    let mut sentences = Vec::new();
    let iliopsoas = match hip {
        None => Finding::Withheld,
        Some(h) if h.median_deg < criteria.hip_extension_threshold_deg => {
            sentences.push(format!(
                "{} thigh rests {}: consistent with shortened iliopsoas (one-joint hip flexors).",
                capitalised(side),
                hip_in_words(h.median_deg)
            ));
            Finding::Shortened
        }
        Some(h) => {
            sentences.push(format!(
                "{} thigh rests {}: no sign of iliopsoas shortening.",
                capitalised(side),
                hip_in_words(h.median_deg)
            ));
            Finding::NotShortened
        }
    };
    let rectus_femoris = match knee {
        None => Finding::Withheld,
        Some(k) if k.median_deg < criteria.knee_flexion_threshold_deg => {
            sentences.push(format!(
                "Knee flexion {:.0}° is below {:.0}°: consistent with a shortened rectus femoris.",
                k.median_deg, criteria.knee_flexion_threshold_deg
            ));
            Finding::Shortened
        }
        Some(k) => {
            sentences.push(format!(
                "Knee flexion {:.0}° reaches {:.0}°: no sign of rectus femoris shortening.",
                k.median_deg, criteria.knee_flexion_threshold_deg
            ));
            Finding::NotShortened
        }
    };
    let classification = Classification::of(withheld.is_some(), iliopsoas, rectus_femoris);
    if let Some(reason) = &withheld {
        sentences.push(format!("No result is given because {reason}."));
    }
    Assessment {
        romcam_version: env!("CARGO_PKG_VERSION").into(),
        model: model.into(),
        video: video.into(),
        test_side: m.test_side,
        test_leg_near_camera: m.test_leg_near_camera,
        side_basis: m.side_basis.clone(),
        hip_extension_deg: hip.map(|h| round1(h.median_deg)),
        hip_extension_words: hip.map(|h| hip_in_words(h.median_deg)),
        knee_flexion_deg: knee.map(|k| round1(k.median_deg)),
        thigh_to_trunk_deg: trunk.map(|t| round1(t.median_deg)),
        uncertainty_deg: hip.map(|h| uncertainty(&h, ref_deg, MODEL_UNCERTAINTY_HIP_DEG)),
        knee_uncertainty_deg: knee.map(|k| uncertainty(&k, 0.0, MODEL_UNCERTAINTY_KNEE_DEG)),
        hold: m.hold.map(|h| Hold {
            start_s: round2(h.start_s),
            end_s: round2(h.end_s),
            frames: h.end_frame + 1 - h.start_frame,
        }),
        reference: Reference {
            kind: m.reference.kind,
            description: reference_description(&m),
            tilt_deg: round1(m.reference.tilt_deg),
            table_edge_tilt_deg: m.reference.table_edge_tilt_deg.map(round1),
            trunk_tilt_deg: m.reference.trunk_tilt_deg.map(round1),
        },
        warnings: m.quality.warnings.clone(),
        withheld_reason: withheld,
        classification,
        findings: Findings { iliopsoas, rectus_femoris, sentences },
        norms: Norms {
            hip_extension_deg: criteria.hip_extension_norm_deg,
            knee_flexion_deg: criteria.knee_flexion_norm_deg,
            source: criteria.norm_source.clone(),
        },
        criteria: criteria.clone(),
        measurement: m,
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hip_angle_in_words() {
        assert_eq!(hip_in_words(-8.2), "8° above horizontal");
        assert_eq!(hip_in_words(11.9), "12° below horizontal");
        assert_eq!(hip_criterion_words(0.0), "the thigh stays above horizontal");
        assert_eq!(hip_criterion_words(5.0), "the thigh hangs less than 5° below horizontal");
        assert_eq!(thigh_position_words(11.9), "thigh 11.9° below horizontal");
        assert_eq!(hip_in_words(0.3), "level with the horizontal");
    }

    #[test]
    fn classification_from_the_findings_keeps_its_words() {
        use Finding::*;
        assert_eq!(
            Classification::of(false, Shortened, Shortened).name(),
            "positive: iliopsoas and rectus femoris shortening"
        );
        assert_eq!(Classification::of(false, Shortened, NotShortened), Classification::PositiveIliopsoas);
        assert_eq!(Classification::of(false, NotShortened, Shortened), Classification::PositiveRectusFemoris);
        assert_eq!(Classification::of(false, NotShortened, NotShortened), Classification::Negative);
        assert_eq!(Classification::of(true, Shortened, Shortened), Classification::Withheld);
        for c in [Classification::Negative, Classification::PositiveBoth, Classification::Withheld] {
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(c.name()));
        }
        for f in [Shortened, NotShortened, Withheld] {
            assert_eq!(serde_json::to_value(f).unwrap(), serde_json::json!(f.name()));
        }
    }
}
