//! Which way is down. A clip turned upside down in its pixels (rotated by 180°, or flipped
//! vertically, with no rotation tag saying so) would give hip extension the opposite sign, since
//! "below the hip's horizontal" is read in image coordinates. This module owns the check that
//! the frame is the right way up, from what gravity and the supine position fix in a real
//! clinic: the lower legs hang down from the knees (the test leg off the table end, the held
//! leg's foot towards the table), and the face of a supine client points up, away from the
//! table. The pose model is rotation-invariant (its region of interest is turned with the body),
//! so its landmarks show these relations whichever way up the picture is.
//!
//! A horizontal mirror is not a problem: it is the side view of a client lying the other way,
//! and it leaves up and down alone.

use crate::pose::{Landmark, PoseFrame};

/// The evidence about which way is down, over the clip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uprightness {
    /// Median over frames of the "down is down" score: about +1 for an upright clip, about -1
    /// for one turned upside down (in trunk lengths; see [`frame_score`]).
    pub score: f64,
    /// Frames that gave a score.
    pub frames: usize,
}

/// Below this median score the clip is upside down. The eight upright sample clips score +0.60
/// to +1.06 (mirrored copies the same), their 180°-turned and vertically flipped copies -0.73 to
/// -1.09 (tests/hostile_input.rs), so the margin is wide on both sides. Between -0.3 and 0 the
/// evidence is too weak to call the clip upside down, and it is measured.
pub const UPSIDE_DOWN_BELOW: f64 = -0.3;

/// One frame's score, in trunk lengths (hip centre to shoulder centre), positive when the
/// picture is upright: how far each ankle lies below its knee (the lower legs hang), plus how
/// far the nose lies above the shoulders (the face of a supine client points up). `None` when
/// the frame has no landmarks or no usable trunk.
pub fn frame_score(l: &[Landmark]) -> Option<f64> {
    let get = |i: usize| l.get(i).filter(|p| p.x.is_finite() && p.y.is_finite());
    let mid_y = |a: usize, b: usize| Some((get(a)?.y as f64 + get(b)?.y as f64) / 2.0);
    let mid_x = |a: usize, b: usize| Some((get(a)?.x as f64 + get(b)?.x as f64) / 2.0);
    let (hip_x, hip_y) = (mid_x(23, 24)?, mid_y(23, 24)?);
    let (sh_x, sh_y) = (mid_x(11, 12)?, mid_y(11, 12)?);
    let trunk = (sh_x - hip_x).hypot(sh_y - hip_y);
    if !(trunk.is_finite() && trunk > 1.0) {
        return None;
    }
    let hang = |knee: usize, ankle: usize| Some((get(ankle)?.y - get(knee)?.y) as f64);
    let legs = hang(25, 27)? + hang(26, 28)?;
    let face = sh_y - get(0)?.y as f64;
    Some((legs + face) / trunk)
}

/// The uprightness evidence of a clip's frames.
pub fn uprightness(frames: &[PoseFrame]) -> Uprightness {
    let mut scores: Vec<f64> =
        frames.iter().filter_map(|f| f.landmarks.as_deref()).filter_map(frame_score).collect();
    let frames = scores.len();
    scores.sort_by(f64::total_cmp);
    let score = match frames {
        0 => 0.0,
        n if n % 2 == 1 => scores[n / 2],
        n => (scores[n / 2 - 1] + scores[n / 2]) / 2.0,
    };
    Uprightness { score, frames }
}

/// Refuses a clip whose picture is upside down (exit 4), in one sentence.
pub fn check_upright(frames: &[PoseFrame]) -> Result<Uprightness, crate::error::RomcamError> {
    let u = uprightness(frames);
    log::debug!("uprightness score {:.2} over {} frames", u.score, u.frames);
    if u.frames > 0 && u.score < UPSIDE_DOWN_BELOW {
        return Err(crate::error::RomcamError::NotMeasurable(
            "the picture is upside down (the lower legs hang upwards and the face points down), so the angles would have the wrong sign: film the right way up, or turn the clip by 180° and assess it again".into(),
        ));
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lm(x: f32, y: f32) -> Landmark {
        Landmark { x, y, z: 0.0, visibility: 1.0, presence: 1.0 }
    }

    /// A supine client, head to the left, thigh off the table end to the right, shank hanging.
    fn supine() -> Vec<Landmark> {
        let mut l = vec![lm(0.0, 0.0); 33];
        l[0] = lm(90.0, 180.0); // nose, above the shoulders
        l[11] = lm(120.0, 200.0);
        l[12] = lm(120.0, 202.0);
        l[23] = lm(320.0, 200.0);
        l[24] = lm(320.0, 202.0);
        l[25] = lm(460.0, 215.0); // test knee, just below the hip's horizontal
        l[27] = lm(500.0, 340.0); // test ankle, hanging
        l[26] = lm(330.0, 90.0); // held knee, towards the chest
        l[28] = lm(400.0, 170.0); // held foot, below its knee
        l
    }

    fn frames(l: Vec<Landmark>) -> Vec<PoseFrame> {
        (0..5).map(|i| PoseFrame { t: i as f64, presence: 1.0, landmarks: Some(l.clone()) }).collect()
    }

    #[test]
    fn upright_and_mirrored_pass_upside_down_is_refused() {
        let up = supine();
        assert!(uprightness(&frames(up.clone())).score > 0.5);
        let mirrored: Vec<Landmark> = up.iter().map(|p| lm(640.0 - p.x, p.y)).collect();
        assert!(check_upright(&frames(mirrored)).is_ok());
        let turned: Vec<Landmark> = up.iter().map(|p| lm(640.0 - p.x, 480.0 - p.y)).collect();
        let err = check_upright(&frames(turned)).unwrap_err();
        assert_eq!(err.exit_code(), 4);
        assert!(err.to_string().contains("upside down"));
        let vflip: Vec<Landmark> = up.iter().map(|p| lm(p.x, 480.0 - p.y)).collect();
        assert!(check_upright(&frames(vflip)).is_err());
    }

    #[test]
    fn no_landmarks_gives_no_verdict() {
        let none = vec![PoseFrame { t: 0.0, presence: 0.0, landmarks: None }];
        assert_eq!(uprightness(&none).frames, 0);
        assert!(check_upright(&none).is_ok());
    }
}
