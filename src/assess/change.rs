//! The verdict on a change between two assessments of one leg: whether it exceeds romcam's
//! minimal detectable change (MDC95) and, if it does, whether it is an improvement or a
//! worsening (more hip extension and more knee flexion are better), and the words that say so.
//! Within the MDC95 no direction is claimed. The store computes the changes; the decision and
//! its words are made here, for the hip and the knee alike.
//!
//! MDC95 = 1.96 × √2 × SEM. romcam's own repeatability was measured with
//! `scripts/measure-repeatability`: each sample clip re-encoded at lower quality, re-framed left
//! and right (8% crops, a small camera shift) and scaled to 75%, plus the difference between the
//! two halves of each hold. On the 8 sample clips that SEM is small (hip 0.23°, knee 0.59°:
//! 0.12°/0.30° across variants and 0.20°/0.50° between hold halves), because synthetic variants of one recording
//! cannot vary what a real re-test varies: the client's position on the table, the camera's
//! place, the leg's relaxation. So the SEM used is the larger of the measured value and the
//! published SEM of 1.0° for scoring this test from photographs (the same kind of 2D measure),
//! which gives MDC95 = 2.8°. The published MDC95 for the knee angle in this test is 2.4–4.2°.

use serde::{Deserialize, Serialize};

use crate::measure::leg::Side;

/// Published SEM for scoring the modified Thomas test from photographs, degrees: the floor.
pub const PUBLISHED_PHOTO_SEM_DEG: f64 = 1.0;
/// romcam's measured repeatability on the sample clips (scripts/measure-repeatability), degrees.
pub const MEASURED_SEM_HIP_DEG: f64 = 0.23;
pub const MEASURED_SEM_KNEE_DEG: f64 = 0.59;
/// The SEM used for hip extension: the larger of measured and published (see the module docs).
pub const SEM_HIP_DEG: f64 = if MEASURED_SEM_HIP_DEG > PUBLISHED_PHOTO_SEM_DEG {
    MEASURED_SEM_HIP_DEG
} else {
    PUBLISHED_PHOTO_SEM_DEG
};
pub const SEM_KNEE_DEG: f64 = if MEASURED_SEM_KNEE_DEG > PUBLISHED_PHOTO_SEM_DEG {
    MEASURED_SEM_KNEE_DEG
} else {
    PUBLISHED_PHOTO_SEM_DEG
};

pub fn mdc95(sem: f64) -> f64 {
    1.96 * std::f64::consts::SQRT_2 * sem
}

/// How the minimal detectable change was found, in one sentence (printed with every comparison).
pub fn mdc_method() -> String {
    format!(
        "MDC95 = 1.96 x sqrt(2) x SEM; SEM = max(romcam's measured repeatability on the sample clips, hip {MEASURED_SEM_HIP_DEG}° / knee {MEASURED_SEM_KNEE_DEG}°, and the published {PUBLISHED_PHOTO_SEM_DEG}° for photo-based scoring)"
    )
}

/// The angle a change is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Angle {
    HipExtension,
    KneeFlexion,
}

impl Angle {
    pub fn name(self) -> &'static str {
        match self {
            Angle::HipExtension => "hip extension",
            Angle::KneeFlexion => "knee flexion",
        }
    }

    /// Whether a rise of this angle is an improvement. In the modified Thomas test both are:
    /// more hip extension (the thigh hangs lower) reads as longer one-joint hip flexors, more
    /// knee flexion (the shin hangs back further) as a longer rectus femoris.
    pub fn higher_is_better(self) -> bool {
        match self {
            Angle::HipExtension | Angle::KneeFlexion => true,
        }
    }

    /// The direction of a change in words ("more hip extension"), for real changes only.
    pub fn direction_words(self, change_deg: f64) -> &'static str {
        match (self, change_deg > 0.0) {
            (Angle::HipExtension, true) => "more hip extension",
            (Angle::HipExtension, false) => "less hip extension",
            (Angle::KneeFlexion, true) => "more knee flexion",
            (Angle::KneeFlexion, false) => "less knee flexion",
        }
    }
}

/// The verdict on a change between two assessments of one leg: a real improvement, a real
/// worsening (both beyond the MDC95), or within measurement error (no direction is claimed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeVerdict {
    /// More than the MDC95, in the better direction of the angle.
    RealImprovement,
    /// More than the MDC95, in the worse direction of the angle.
    RealWorsening,
    /// Within the MDC95: not distinguishable from measurement error.
    WithinMeasurementError,
}

impl ChangeVerdict {
    /// The verdict on a change of `angle` (later minus earlier, degrees) against an MDC95
    /// (degrees), both as printed (rounded).
    pub fn judge(angle: Angle, change_deg: f64, mdc95_deg: f64) -> ChangeVerdict {
        if change_deg.abs() <= mdc95_deg || !change_deg.is_finite() {
            ChangeVerdict::WithinMeasurementError
        } else if (change_deg > 0.0) == angle.higher_is_better() {
            ChangeVerdict::RealImprovement
        } else {
            ChangeVerdict::RealWorsening
        }
    }

    pub fn is_real(self) -> bool {
        self != ChangeVerdict::WithinMeasurementError
    }

    /// The verdict in a few words: "real improvement", "real worsening" or "within
    /// measurement error".
    pub fn words(self) -> &'static str {
        match self {
            ChangeVerdict::RealImprovement => "real improvement",
            ChangeVerdict::RealWorsening => "real worsening",
            ChangeVerdict::WithinMeasurementError => "within measurement error",
        }
    }

    /// The direction of the change in words ("more hip extension") for a real change; none
    /// within measurement error, where no direction can be claimed.
    pub fn direction(self, angle: Angle, change_deg: f64) -> Option<&'static str> {
        self.is_real().then(|| angle.direction_words(change_deg))
    }

    /// The verdict in one sentence, e.g. "The left hip extension changed by +8.1°, more than
    /// romcam's minimal detectable change of 2.8°: a real improvement (more hip extension)."
    pub fn sentence(self, side: Side, angle: Angle, change_deg: f64, mdc95_deg: f64) -> String {
        let what = angle.name();
        match self.direction(angle, change_deg) {
            Some(direction) => format!(
                "The {side} {what} changed by {change_deg:+.1}°, more than romcam's minimal detectable change of {mdc95_deg:.1}°: a {} ({direction}).",
                self.words()
            ),
            None => format!(
                "The {side} {what} changed by {change_deg:+.1}°, within romcam's minimal detectable change of {mdc95_deg:.1}°: within measurement error, not a real change."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mdc_formula() {
        assert!((mdc95(1.0) - 2.772).abs() < 1e-3);
    }

    #[test]
    fn a_change_is_real_only_beyond_the_mdc_and_its_direction_decides_the_verdict() {
        use ChangeVerdict::*;
        for angle in [Angle::HipExtension, Angle::KneeFlexion] {
            assert_eq!(ChangeVerdict::judge(angle, 2.8, 2.8), WithinMeasurementError);
            assert_eq!(ChangeVerdict::judge(angle, -2.8, 2.8), WithinMeasurementError);
            assert_eq!(ChangeVerdict::judge(angle, 0.0, 2.8), WithinMeasurementError);
            assert_eq!(ChangeVerdict::judge(angle, 2.9, 2.8), RealImprovement);
            assert_eq!(ChangeVerdict::judge(angle, -2.9, 2.8), RealWorsening);
            assert_eq!(ChangeVerdict::judge(angle, f64::NAN, 2.8), WithinMeasurementError);
        }
        assert!(RealWorsening.is_real() && RealImprovement.is_real() && !WithinMeasurementError.is_real());
        assert_eq!(RealImprovement.words(), "real improvement");
        assert_eq!(RealWorsening.words(), "real worsening");
        assert_eq!(WithinMeasurementError.words(), "within measurement error");
    }

    #[test]
    fn sentences_name_the_direction_only_of_a_real_change() {
        let s = ChangeVerdict::RealImprovement.sentence(Side::Left, Angle::KneeFlexion, 10.0, 2.8);
        assert_eq!(
            s,
            "The left knee flexion changed by +10.0°, more than romcam's minimal detectable change of 2.8°: a real improvement (more knee flexion)."
        );
        let s = ChangeVerdict::judge(Angle::HipExtension, -6.2, 2.8).sentence(
            Side::Right,
            Angle::HipExtension,
            -6.2,
            2.8,
        );
        assert!(s.ends_with("a real worsening (less hip extension)."), "{s}");
        for change in [1.5, -1.5] {
            let v = ChangeVerdict::judge(Angle::HipExtension, change, 2.8);
            assert_eq!(v.direction(Angle::HipExtension, change), None);
            let s = v.sentence(Side::Left, Angle::HipExtension, change, 2.8);
            assert!(s.ends_with("within measurement error, not a real change."), "{s}");
            for word in ["more", "less", "improv", "worse"] {
                assert!(!s.replace("more than", "").contains(word), "{word} in {s}");
            }
        }
    }
}
