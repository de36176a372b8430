//! Damaged video in the quality gate. FFmpeg conceals a frame it cannot decode cleanly (it
//! fills the broken blocks from their neighbours), and such a frame can move the landmarks by
//! many degrees, so romcam counts the frames that decoded with errors (`video::decode_errors`)
//! and: warns when there are any; withholds the result when they touch the hold (the frames
//! the result is the median of) or exceed [`MAX_DAMAGED_SHARE`] of the clip; and, when no hold
//! was found at all, adds the damage to the reason, since it may be why.
//!
//! A damaged frame touches every frame after it up to the next key frame, since those are
//! predicted from it (on sample clips with five flipped bytes, damage 2 s before the hold moved
//! the hip by 9.6°). OpenCV does not tell where the key frames are, so a damaged frame anywhere
//! before the end of the hold counts as touching it.

use super::quality::Quality;
use super::HoldWindow;

/// The largest share of a clip's frames that may have decoded with errors before the result is
/// withheld, even when none touches the hold.
pub const MAX_DAMAGED_SHARE: f64 = 0.05;

/// With threaded decoding FFmpeg may report an error a few frames after the frame it concerns:
/// an error reported this long after the end of the hold still counts as touching it (seconds).
pub const REPORTED_LATE_S: f64 = 0.25;

/// Adds the warning, or the reason to withhold, for the frames that decoded with errors.
pub fn check(damaged: &[f64], frames_decoded: usize, hold: Option<HoldWindow>, quality: &mut Quality) {
    if damaged.is_empty() {
        return;
    }
    let n = damaged.len();
    let share = n as f64 / frames_decoded.max(1) as f64;
    let what = format!("{n} of {frames_decoded} frames could not be decoded cleanly (the file is damaged)");
    let Some(hold) = hold else {
        // No hold was found, and the frames the search ran over include damaged ones: the
        // damage may be why (a concealed frame moves the landmarks), so the reason says so.
        let note = format!("{what}, which can move the landmarks so that no hold is found");
        match quality.withheld_reason.as_mut() {
            Some(reason) => {
                reason.push_str("; ");
                reason.push_str(&note);
            }
            None => quality.withheld_reason = Some(note),
        }
        return;
    };
    let in_hold = damaged.iter().any(|&t| t <= hold.end_s + REPORTED_LATE_S);
    let why = if in_hold {
        Some(format!("{what}, and the hold that the result is taken from is decoded from them"))
    } else if share > MAX_DAMAGED_SHARE {
        Some(format!("{what}: more than {:.0}% of the clip", MAX_DAMAGED_SHARE * 100.0))
    } else {
        None
    };
    match why {
        Some(reason) if quality.withheld_reason.is_none() => quality.withheld_reason = Some(reason),
        Some(_) => quality.warnings.push(what),
        None => quality.warnings.push(format!("{what}, all after the hold the result is taken from")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold() -> Option<HoldWindow> {
        Some(HoldWindow { start_s: 4.0, end_s: 6.0, start_frame: 40, end_frame: 60 })
    }

    #[test]
    fn a_clean_clip_gets_nothing() {
        let mut q = Quality::default();
        check(&[], 200, hold(), &mut q);
        assert!(q.warnings.is_empty() && q.withheld_reason.is_none());
    }

    #[test]
    fn damage_outside_the_hold_warns_inside_withholds() {
        let mut q = Quality::default();
        check(&[6.5], 200, hold(), &mut q);
        assert_eq!(q.warnings.len(), 1);
        assert!(q.withheld_reason.is_none());
        for before_or_in in [1.0, 3.7, 5.0, 6.1] {
            let mut q = Quality::default();
            check(&[before_or_in], 200, hold(), &mut q);
            assert!(q.withheld_reason.as_deref().unwrap().contains("hold"), "{before_or_in}");
        }
        let mut q = Quality::default();
        let many: Vec<f64> = (0..11).map(|i| 6.5 + i as f64 * 0.1).collect();
        check(&many, 200, hold(), &mut q);
        assert!(q.withheld_reason.as_deref().unwrap().contains("5%"));
    }

    #[test]
    fn without_a_hold_the_reason_names_the_damage_too() {
        let mut q = Quality { withheld_reason: Some("the leg never settles".into()), ..Quality::default() };
        check(&[1.0], 200, None, &mut q);
        let reason = q.withheld_reason.unwrap();
        assert!(
            reason.starts_with("the leg never settles; 1 of 200 frames could not be decoded cleanly"),
            "{reason}"
        );
        assert!(reason.contains("no hold is found"), "{reason}");
        // a clean clip without a hold keeps its reason as it was
        let mut q = Quality { withheld_reason: Some("the leg never settles".into()), ..Quality::default() };
        check(&[], 200, None, &mut q);
        assert_eq!(q.withheld_reason.as_deref(), Some("the leg never settles"));
    }
}
