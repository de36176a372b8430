//! The framing gate: whether the clip shows what the Thomas test needs, judged from the
//! landmarks and pictures of the hold. A clip that cuts off the trunk (or leaves the head no
//! room beyond the shoulders) or the test leg, shows the
//! person too small or too dark, is filmed from the side of the other leg, or whose table edge
//! does not agree with itself or with the trunk, is not measured: the number is withheld with a
//! sentence that tells the therapist how to film again. These are the framings in which the
//! landmark model or the horizontal is known to go wrong without saying so.

use super::geometry::Vec2;
use super::leg::{Chain, LegChains, Side};
use super::{HorizontalReference, ReferenceKind};
use crate::pose::{joint, Landmark, PoseFrame};

/// An adult's supine trunk (hip centre to shoulder centre) is about as long as a thigh (hip to
/// knee): 0.9 to 1.2 times it in every sample clip, seen from the side. When the trunk spans less
/// than half the longer thigh in most frames, the camera looks along the body (from the foot or
/// the head end): the landmarks of a body seen end-on cannot show the angles, nor which way is
/// down. A 60° turn of the camera away from the side still leaves the trunk at half its length.
pub const MIN_SIDE_VIEW_TRUNK_TO_THIGH: f64 = 0.5;

/// Landmark `i` as a point, when it is there and finite.
fn point(l: &[Landmark], i: usize) -> Option<Vec2> {
    l.get(i).filter(|p| p.x.is_finite() && p.y.is_finite()).map(|p| Vec2::new(p.x as f64, p.y as f64))
}

/// The hips' midpoint and the shoulders' midpoint in one frame's landmarks.
fn trunk_ends(l: &[Landmark]) -> Option<(Vec2, Vec2)> {
    let hips = point(l, joint::LEFT_HIP)?.mid(point(l, joint::RIGHT_HIP)?);
    let shoulders = point(l, joint::LEFT_SHOULDER)?.mid(point(l, joint::RIGHT_SHOULDER)?);
    Some((hips, shoulders))
}

/// How far apart landmarks `a` and `b` lie across the trunk line (hips' midpoint to shoulders'
/// midpoint), in trunk lengths; None when a landmark is missing or the trunk has no length.
pub fn across_trunk(l: &[Landmark], a: usize, b: usize) -> Option<f64> {
    let (hips, shoulders) = trunk_ends(l)?;
    let trunk = shoulders.minus(hips);
    let length = trunk.norm();
    if length <= 0.0 {
        return None;
    }
    let across = Vec2::new(-trunk.y / length, trunk.x / length);
    Some(point(l, a)?.minus(point(l, b)?).dot(across).abs() / length)
}

/// The hips' midpoint, the shoulders' midpoint and the longer thigh's length (hip to knee) in
/// one frame's landmarks, when the thigh is longer than a pixel.
fn trunk_and_thigh(l: &[Landmark]) -> Option<(Vec2, Vec2, f64)> {
    let (hips, shoulders) = trunk_ends(l)?;
    let thigh = (point(l, joint::LEFT_KNEE)?.minus(point(l, joint::LEFT_HIP)?).norm())
        .max(point(l, joint::RIGHT_KNEE)?.minus(point(l, joint::RIGHT_HIP)?).norm());
    (thigh > 1.0).then_some((hips, shoulders, thigh))
}

/// The trunk's length over the longer thigh's, in one frame's landmarks.
fn trunk_to_thigh(l: &[Landmark]) -> Option<f64> {
    let (hips, shoulders, thigh) = trunk_and_thigh(l)?;
    Some(shoulders.minus(hips).norm() / thigh)
}

/// Refuses a clip in which the body is seen end-on rather than from the side (exit 4), before
/// anything else is read from its landmarks.
pub fn check_side_view(frames: &[PoseFrame]) -> Result<(), crate::error::RomcamError> {
    let mut ratios: Vec<f64> =
        frames.iter().filter_map(|f| f.landmarks.as_deref()).filter_map(trunk_to_thigh).collect();
    if ratios.is_empty() {
        return Ok(());
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    log::debug!("trunk/thigh {median:.2} over {} frames", ratios.len());
    if median < MIN_SIDE_VIEW_TRUNK_TO_THIGH {
        return Err(crate::error::RomcamError::NotMeasurable(format!(
            "the body is not filmed from the side: the trunk looks {median:.1} times as long as the thigh (about 1 from the side), so the camera looks along the body; {FILM_AGAIN}"
        )));
    }
    Ok(())
}

/// Limits of the framing gate.
#[derive(Debug, Clone)]
pub struct FramingLimits {
    /// A joint counts as out of view when it lies within this fraction of the frame's shorter
    /// side from the border (or beyond it), or the model's visibility is below 0.5.
    pub border_fraction: f64,
    /// A part is cut off when it is out of view in more than this fraction of the frames used.
    pub max_out_of_view_fraction: f64,
    /// The person must span at least this fraction of the frame's width.
    pub min_person_width_fraction: f64,
    /// Mean brightness (0–255) of the kept frames below this: too dark to measure.
    pub min_brightness: f64,
    /// The table edge may vary by at most this (half the interquartile range between frames,
    /// degrees) before it is refused rather than averaged.
    pub max_table_edge_spread_deg: f64,
    /// The table edge and the supine trunk line may disagree by at most this (degrees)...
    pub max_edge_trunk_disagreement_deg: f64,
    /// ...and a warning asks to check the reference line above this.
    pub warn_edge_trunk_disagreement_deg: f64,
}

impl Default for FramingLimits {
    fn default() -> Self {
        FramingLimits {
            border_fraction: 0.005,
            max_out_of_view_fraction: 0.5,
            min_person_width_fraction: 0.25,
            min_brightness: 40.0,
            max_table_edge_spread_deg: 2.0,
            max_edge_trunk_disagreement_deg: 20.0,
            warn_edge_trunk_disagreement_deg: 12.0,
        }
    }
}

/// What the framing gate looks at.
pub struct FramingEvidence<'a> {
    pub frames: &'a [PoseFrame],
    /// The frames judged: those of the hold, or the late frames when there is no hold.
    pub judged: &'a [usize],
    pub chains: &'a LegChains,
    pub test_chain: Chain,
    /// Upright, displayed frame size in pixels.
    pub frame_width: u32,
    pub frame_height: u32,
    /// Mean brightness (0–255) of the kept frames, if known.
    pub brightness: Option<f64>,
    pub test_leg_near_camera: Option<bool>,
    pub reference: &'a HorizontalReference,
}

/// How to film again: ends the first reason given.
const FILM_AGAIN: &str = "film again from the side of the test leg, with the whole body and the table in view and the camera at about hip height";

/// The shoulders, and per side hip, knee, ankle, heel and foot tip.
pub const SHOULDERS: [usize; 2] = [joint::LEFT_SHOULDER, joint::RIGHT_SHOULDER];
pub fn leg_indices(side: Side) -> [usize; 5] {
    match side {
        Side::Left => {
            [joint::LEFT_HIP, joint::LEFT_KNEE, joint::LEFT_ANKLE, joint::LEFT_HEEL, joint::LEFT_FOOT_INDEX]
        }
        Side::Right => [
            joint::RIGHT_HIP,
            joint::RIGHT_KNEE,
            joint::RIGHT_ANKLE,
            joint::RIGHT_HEEL,
            joint::RIGHT_FOOT_INDEX,
        ],
    }
}

/// What the framing gate found: reasons to withhold the result, most important first (the
/// first one ends with how to film again), and warnings that do not withhold it.
#[derive(Debug, Default)]
pub struct FramingFindings {
    pub withhold: Vec<String>,
    pub warnings: Vec<String>,
}

/// Whether one landmark is in view in a `frame_width` x `frame_height` picture: the model sees
/// it (visibility at least 0.5) and it lies inside the picture, off its border. The framing gate
/// judges each frame of the hold with this, and `romcam record`'s live checklist each live pose.
pub fn in_view(l: &Landmark, frame_width: f64, frame_height: f64, limits: &FramingLimits) -> bool {
    let margin = limits.border_fraction * frame_width.min(frame_height);
    l.visibility >= 0.5
        && (l.x as f64) >= margin
        && (l.x as f64) <= frame_width - margin
        && (l.y as f64) >= margin
        && (l.y as f64) <= frame_height - margin
}

/// From the shoulder joints to the top of the head is about three quarters of a thigh's length
/// (hip to knee) in adults: 0.18 against 0.245 of the body's height in Drillis and Contini's
/// segment proportions (1966, as tabled in Winter, *Biomechanics and Motor Control of Human
/// Movement*). The head lies beyond the shoulders along the trunk line, so when the whole body is
/// in view, the point half a thigh's length beyond the shoulders (a margin under the anatomy, for
/// a head bent on a pillow) lies inside the picture too.
pub const HEAD_BEYOND_SHOULDERS_THIGHS: f64 = 0.5;

/// Whether the head has room in the picture: the points [`HEAD_BEYOND_SHOULDERS_THIGHS`] of the
/// longer thigh beyond the shoulders' midpoint, along the trunk (from the hips' midpoint) and
/// along the picture's horizontal towards the head's side (the person lies on a table that is
/// about level in the picture), both lie inside the `frame_width` x `frame_height` picture. When
/// the picture cuts the body between hip and shoulder, the landmark model still places the
/// shoulders and the head, crammed just inside the edge (within 0.4 thigh lengths of it on such
/// a cut of dev01, sometimes with the trunk turned upright; on every sample the shoulders lie at
/// least 1.4 thigh lengths inside every edge), so the shoulders alone can look in view.
/// The framing gate counts the trunk as cut off in a frame without this room, and `romcam
/// record`'s "whole body in view" asks for it as well.
pub fn head_room_in_view(l: &[Landmark], frame_width: f64, frame_height: f64) -> bool {
    let inside = |p: Vec2| p.x >= 0.0 && p.x <= frame_width && p.y >= 0.0 && p.y <= frame_height;
    let Some((hips, shoulders, thigh)) = trunk_and_thigh(l) else { return false };
    let trunk = shoulders.minus(hips);
    let (length, head) = (trunk.norm(), HEAD_BEYOND_SHOULDERS_THIGHS * thigh);
    if length <= 0.0 {
        return false;
    }
    let along_trunk = shoulders.plus(trunk.scale(head / length));
    let along_table = shoulders.plus(Vec2::new(head.copysign(trunk.x), 0.0));
    inside(along_trunk) && inside(along_table)
}

/// Limits of [`is_lying_side_view`], from adult proportions (Drillis and Contini 1966, as tabled
/// in Winter, *Biomechanics and Motor Control of Human Movement*; fractions of body height H):
/// - the trunk, hip joints to shoulder joints (0.818 − 0.530 = 0.29 H), is about 1.2 times the
///   thigh (0.245 H). In the Thomas test both lie along the table, so turning the camera shortens
///   them alike; 0.7 leaves room for a trunk 40% shorter against the thigh than the average's.
pub const MIN_LYING_TRUNK_TO_THIGH: f64 = 0.7;
/// - the hip joint centres lie about 0.35 trunk lengths apart and the shoulder joints about 0.7,
///   so seen from any direction the hips cannot lie further apart across the trunk line than 0.5
///   trunk lengths, and the shoulders only from a camera more than 45° above the table.
pub const MAX_ACROSS_TRUNK: f64 = 0.5;
/// - the person lies on a table that is about level in the picture: the trunk line is within
///   this many degrees of the picture's horizontal.
pub const MAX_TRUNK_TILT_DEG: f64 = 20.0;

/// Whether one frame's landmarks can be an adult lying on the table, seen from the side: the
/// trunk at least [`MIN_LYING_TRUNK_TO_THIGH`] of the longer thigh, the two hips and the two
/// shoulders each at most [`MAX_ACROSS_TRUNK`] trunk lengths apart across the trunk line, and the
/// trunk within [`MAX_TRUNK_TILT_DEG`] of the picture's horizontal.
///
/// When the picture ends between hip and shoulder, the landmark model does not stop at the edge:
/// in the first poses after it finds the person it often draws a whole, smaller body inside the
/// picture, with the trunk short, tilted up to upright, and the shoulders or hips spread across
/// it. Such a pose shows the shoulders "in view" although they are not. On the 18 sample clips
/// every live pose passes (trunk 0.94–1.46 thighs, across the trunk at most 0.21, tilt at most 9°);
/// `romcam record`'s "whole body in view" asks for this as well.
pub fn is_lying_side_view(l: &[Landmark]) -> bool {
    let Some((hips, shoulders, thigh)) = trunk_and_thigh(l) else { return false };
    let trunk = shoulders.minus(hips);
    let length = trunk.norm();
    if length <= 0.0 || length < MIN_LYING_TRUNK_TO_THIGH * thigh {
        return false;
    }
    let narrow = |a: usize, b: usize| across_trunk(l, a, b).is_some_and(|d| d <= MAX_ACROSS_TRUNK);
    let tilt_deg = trunk.y.abs().atan2(trunk.x.abs()).to_degrees();
    narrow(joint::LEFT_HIP, joint::RIGHT_HIP)
        && narrow(joint::LEFT_SHOULDER, joint::RIGHT_SHOULDER)
        && tilt_deg <= MAX_TRUNK_TILT_DEG
}

/// The fraction of the picture's width that the person's visible landmarks span in one frame
/// (None when fewer than two are visible).
pub fn person_width_fraction(landmarks: &[Landmark], frame_width: f64) -> Option<f64> {
    let xs = landmarks.iter().filter(|p| p.visibility >= 0.5).map(|p| p.x as f64);
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    (hi > lo && frame_width > 0.0).then(|| (hi.min(frame_width) - lo.max(0.0)) / frame_width)
}

/// Judges the framing.
pub fn check(e: &FramingEvidence, limits: &FramingLimits) -> FramingFindings {
    let mut found = FramingFindings { withhold: problems(e, limits), warnings: Vec::new() };
    if let Some(first) = found.withhold.first_mut() {
        // "problem: film again ..." or "problem: what to do, then film again ..."
        first.push_str(if first.contains(": ") { ", then " } else { ": " });
        first.push_str(FILM_AGAIN);
    }
    if e.reference.kind == ReferenceKind::TableEdge {
        if let (Some(edge), Some(trunk)) = (e.reference.table_edge_tilt_deg, e.reference.trunk_tilt_deg) {
            let gap = (edge - trunk).abs();
            if gap > limits.warn_edge_trunk_disagreement_deg && gap <= limits.max_edge_trunk_disagreement_deg
            {
                found.warnings.push(format!(
                    "the table edge ({edge:+.1}°) and the trunk line ({trunk:+.1}°) disagree by {gap:.1}°: check the reference line on the key frame"
                ));
            }
        }
    }
    found
}

/// The problems that withhold the result, each with what to do about it where that is more
/// than filming again.
fn problems(e: &FramingEvidence, limits: &FramingLimits) -> Vec<String> {
    let mut reasons = Vec::new();
    let (w, h) = (e.frame_width as f64, e.frame_height as f64);
    let in_view = |l: &Landmark| in_view(l, w, h, limits);
    let judged: Vec<(usize, &[Landmark])> =
        e.judged.iter().filter_map(|&i| e.frames.get(i)?.landmarks.as_deref().map(|l| (i, l))).collect();
    if judged.is_empty() || w <= 0.0 || h <= 0.0 {
        return reasons;
    }
    // the joints of a part in frame i: the shoulders, or positions in `leg_indices` of the
    // test leg (0 hip, 1 knee, 2 ankle, 3 heel, 4 foot tip)
    let joints_of = |part: Option<&[usize]>, i: usize| -> Vec<usize> {
        match part {
            None => SHOULDERS.to_vec(),
            Some(positions) => {
                let leg = leg_indices(e.chains.label(i, e.test_chain));
                positions.iter().map(|&p| leg[p]).collect()
            }
        }
    };
    let parts: [(&str, Option<&[usize]>); 4] = [
        ("the trunk (a shoulder or the head is outside the picture)", None),
        ("the test leg's hip", Some(&[0])),
        ("the test leg at the knee or shin", Some(&[1, 2])),
        ("the test leg's foot", Some(&[3, 4])),
    ];
    for (name, part) in parts {
        // the trunk also counts as cut off where the head has no room beyond the shoulders: a
        // picture cut near the shoulders gets them crammed in just inside its edge
        let out = judged
            .iter()
            .filter(|(i, l)| {
                joints_of(part, *i).iter().any(|&j| l.get(j).is_none_or(|p| !in_view(p)))
                    || (part.is_none() && !head_room_in_view(l, w, h))
            })
            .count();
        if out as f64 / judged.len() as f64 > limits.max_out_of_view_fraction {
            reasons.push(format!("{name} is cut off at the edge of the picture"));
            break;
        }
    }
    let widths: Vec<f64> = judged.iter().filter_map(|(_, l)| person_width_fraction(l, w)).collect();
    if let Some(width) = super::signal::median(&widths) {
        if width < limits.min_person_width_fraction {
            reasons.push(format!(
                "the person fills only {:.0}% of the picture's width, too small to place the hip and knee: move the camera closer so that the body fills most of the width",
                100.0 * width
            ));
        }
    }
    if let Some(b) = e.brightness {
        if b < limits.min_brightness {
            reasons.push(format!(
                "the picture is too dark to place the joints reliably (mean brightness {b:.0} of 255): turn on more light"
            ));
        }
    }
    if e.test_leg_near_camera == Some(false) {
        reasons.push(
            "the test leg is the one farther from the camera, where the pelvis hides its hip: put the camera on the other side of the table".into(),
        );
    }
    if e.reference.kind == ReferenceKind::TableEdge {
        if e.reference.spread_deg > limits.max_table_edge_spread_deg {
            reasons.push(format!(
                "the table edge is not steady between frames (it varies by ±{:.1}°), so the horizontal cannot be trusted: hold the camera still (a tripod helps)",
                e.reference.spread_deg
            ));
        }
        if let (Some(edge), Some(trunk)) = (e.reference.table_edge_tilt_deg, e.reference.trunk_tilt_deg) {
            let gap = (edge - trunk).abs();
            if gap > limits.max_edge_trunk_disagreement_deg {
                reasons.push(format!(
                    "the table edge ({edge:+.1}°) and the trunk line ({trunk:+.1}°) disagree by {gap:.0}°, so either the table or the person is not where romcam looks"
                ));
            }
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_seen_end_on_is_refused_and_one_seen_from_the_side_is_not() {
        // side view: trunk 200 px along x, thighs 180 px (one hanging, one pulled up)
        let side = side_view(100.0);
        // the same body squeezed to a fifth of its width: the camera looks along it
        let mut end_on = side.clone();
        for p in end_on.iter_mut() {
            p.x *= 0.2;
        }
        let frames =
            |l: &Vec<Landmark>| vec![PoseFrame { t: 0.0, presence: 0.99, landmarks: Some(l.clone()) }; 5];
        assert!(check_side_view(&frames(&side)).is_ok());
        let refused = check_side_view(&frames(&end_on)).expect_err("end-on view refused");
        assert!(refused.to_string().contains("not filmed from the side"), "{refused}");
    }

    #[test]
    fn the_head_needs_room_beyond_the_shoulders() {
        // head towards -x: shoulders at x = 300, hips at 500 (trunk 200 px), thighs 180 px, so
        // the head's room reaches half a thigh (90 px) beyond the shoulders, to x = 210
        let l = side_view(300.0);
        assert!(head_room_in_view(&l, 1280.0, 720.0));
        // the picture starts at x = 220 (shift the body 220 px left): the shoulders at x = 80
        // are inside, the head's room is not
        let cut: Vec<Landmark> = l.iter().map(|p| Landmark { x: p.x - 220.0, ..*p }).collect();
        assert!(cut[joint::LEFT_SHOULDER].x > 0.0);
        assert!(!head_room_in_view(&cut, 1060.0, 720.0));
        // 200 px shift: room to spare by 10 px
        let tight: Vec<Landmark> = l.iter().map(|p| Landmark { x: p.x - 200.0, ..*p }).collect();
        assert!(head_room_in_view(&tight, 1080.0, 720.0));
        // the model turns the trunk of a cut body nearly upright: shoulders at (60, 200), hips
        // at (120, 300); along the trunk the head's room ends at (14, 123), inside; along the
        // table at x = -30, outside
        let mut upright = tight.clone();
        for i in [joint::LEFT_SHOULDER, joint::RIGHT_SHOULDER] {
            upright[i].x = 60.0;
            upright[i].y = 200.0;
        }
        for i in [joint::LEFT_HIP, joint::RIGHT_HIP] {
            upright[i].x = 120.0;
        }
        // the thighs keep their 180 px
        upright[joint::LEFT_KNEE].x = 297.0;
        upright[joint::RIGHT_KNEE].x = 150.0;
        let trunk_room = Vec2::new(60.0, 200.0).plus(Vec2::new(-60.0, -100.0).scale(90.0 / 116.62));
        assert!(trunk_room.x > 0.0 && trunk_room.y > 0.0, "{trunk_room:?}");
        assert!(!head_room_in_view(&upright, 1080.0, 720.0));
        // no landmarks for the thighs: no room can be judged, so not in view
        assert!(!head_room_in_view(&l[..20], 1280.0, 720.0));
    }

    #[test]
    fn a_crammed_pose_is_not_an_adult_lying_seen_from_the_side() {
        // side view: shoulders at x = 300, hips at x = 500 (trunk 200 px), thighs 180 px; the
        // right shoulder and hip 10 and 15 px off the line, as the model draws them
        let mut l = side_view(300.0);
        place(&mut l, &[(joint::RIGHT_SHOULDER, 300.0, 310.0), (joint::RIGHT_HIP, 500.0, 315.0)]);
        assert!(is_lying_side_view(&l));
        // the trunk shortened to 120 px (0.67 of the thigh)
        let mut short = l.clone();
        place(&mut short, &[(joint::LEFT_SHOULDER, 380.0, 300.0), (joint::RIGHT_SHOULDER, 380.0, 310.0)]);
        assert!(!is_lying_side_view(&short));
        // 140 px (0.78 of the thigh) is still a trunk
        place(&mut short, &[(joint::LEFT_SHOULDER, 360.0, 300.0), (joint::RIGHT_SHOULDER, 360.0, 310.0)]);
        assert!(is_lying_side_view(&short));
        // the shoulders 110 px apart across a 200 px trunk: seen from above 45° at least
        let mut spread = l.clone();
        place(&mut spread, &[(joint::RIGHT_SHOULDER, 300.0, 410.0)]);
        assert!(!is_lying_side_view(&spread));
        // the hips likewise
        let mut hips = l.clone();
        place(&mut hips, &[(joint::RIGHT_HIP, 500.0, 410.0)]);
        assert!(!is_lying_side_view(&hips));
        // the trunk tilted 30° in the picture
        let mut tilted = l.clone();
        for i in [joint::LEFT_SHOULDER, joint::RIGHT_SHOULDER] {
            tilted[i].x = 500.0 - 173.0;
            tilted[i].y = 300.0 - 100.0;
        }
        assert!(!is_lying_side_view(&tilted));
        // no knees: nothing to judge the trunk by
        assert!(!is_lying_side_view(&l[..25]));
    }

    /// A person lying along x at y = 300, seen from the side, head towards -x: shoulders at
    /// `shoulder_x`, hips 200 px further (the trunk), the left knee hanging off the table and the
    /// right knee pulled up, each thigh 180 px.
    fn side_view(shoulder_x: f32) -> Vec<Landmark> {
        let mut l = lying_person(0.0, 100.0);
        let (s, h) = (shoulder_x, shoulder_x + 200.0);
        place(
            &mut l,
            &[
                (joint::LEFT_SHOULDER, s, 300.0),
                (joint::RIGHT_SHOULDER, s, 300.0),
                (joint::LEFT_HIP, h, 300.0),
                (joint::RIGHT_HIP, h, 300.0),
                (joint::LEFT_KNEE, h + 177.0, 331.0),
                (joint::RIGHT_KNEE, h + 30.0, 122.0),
            ],
        );
        l
    }

    /// Moves landmarks to the given (index, x, y).
    fn place(l: &mut [Landmark], points: &[(usize, f32, f32)]) {
        for &(i, x, y) in points {
            l[i].x = x;
            l[i].y = y;
        }
    }

    fn lying_person(x0: f32, scale: f32) -> Vec<Landmark> {
        // a person lying along x, head at x0, feet towards +x, at y = 300
        (0..33)
            .map(|i| Landmark {
                x: x0 + scale * (i as f32 / 32.0),
                y: 300.0 + (i % 3) as f32,
                z: 0.0,
                visibility: 0.99,
                presence: 0.99,
            })
            .collect()
    }

    fn reference() -> HorizontalReference {
        HorizontalReference {
            kind: ReferenceKind::TableEdge,
            tilt_deg: 0.0,
            spread_deg: 0.2,
            table_edge_tilt_deg: Some(0.0),
            trunk_tilt_deg: Some(2.0),
            frames_with_edge: 10,
            frames_searched: 10,
        }
    }

    fn judge(
        frames: &[PoseFrame],
        reference: &HorizontalReference,
        near: Option<bool>,
        b: f64,
    ) -> Vec<String> {
        let found = judge_all(frames, reference, near, b);
        assert!(found.withhold.iter().skip(1).all(|r| !r.contains("film again")), "{found:?}");
        found.withhold
    }

    fn judge_all(
        frames: &[PoseFrame],
        reference: &HorizontalReference,
        near: Option<bool>,
        b: f64,
    ) -> FramingFindings {
        let judged: Vec<usize> = (0..frames.len()).collect();
        let chains = LegChains { swapped: vec![false; frames.len()], swaps_caught: 0 };
        check(
            &FramingEvidence {
                frames,
                judged: &judged,
                chains: &chains,
                test_chain: Chain::A,
                frame_width: 1280,
                frame_height: 720,
                brightness: Some(b),
                test_leg_near_camera: near,
                reference,
            },
            &FramingLimits::default(),
        )
    }

    fn frames(l: Vec<Landmark>) -> Vec<PoseFrame> {
        (0..10).map(|i| PoseFrame { t: i as f64 * 0.1, presence: 1.0, landmarks: Some(l.clone()) }).collect()
    }

    #[test]
    fn a_well_framed_person_passes() {
        let f = frames(lying_person(100.0, 1000.0));
        assert!(judge(&f, &reference(), Some(true), 150.0).is_empty());
    }

    #[test]
    fn a_cut_off_foot_a_small_person_darkness_and_the_far_side_are_withheld() {
        let mut l = lying_person(100.0, 1000.0);
        l[29].x = 1285.0; // left heel beyond the right border
        let r = judge(&frames(l), &reference(), Some(true), 150.0);
        assert!(r.len() == 1 && r[0].contains("foot is cut off"), "{r:?}");
        let r = judge(&frames(lying_person(500.0, 250.0)), &reference(), Some(true), 150.0);
        assert!(r.len() == 1 && r[0].contains("fills only 20%"), "{r:?}");
        let r = judge(&frames(lying_person(100.0, 1000.0)), &reference(), Some(true), 20.0);
        assert!(r.len() == 1 && r[0].contains("too dark"), "{r:?}");
        let r = judge(&frames(lying_person(100.0, 1000.0)), &reference(), Some(false), 150.0);
        assert!(r.len() == 1 && r[0].contains("farther from the camera"), "{r:?}");
        assert_eq!(r[0].matches("film again").count(), 1, "{r:?}");
    }

    #[test]
    fn an_unsteady_or_contradicted_table_edge_is_refused() {
        let f = frames(lying_person(100.0, 1000.0));
        let shaky = HorizontalReference { spread_deg: 4.6, ..reference() };
        let r = judge(&f, &shaky, Some(true), 150.0);
        assert!(r.len() == 1 && r[0].contains("not steady"), "{r:?}");
        let crossed = HorizontalReference { trunk_tilt_deg: Some(47.0), ..reference() };
        let r = judge(&f, &crossed, Some(true), 150.0);
        assert!(r.len() == 1 && r[0].contains("disagree by 47°") && r[0].contains("film again"), "{r:?}");
        let askew = HorizontalReference { trunk_tilt_deg: Some(15.0), ..reference() };
        let found = judge_all(&f, &askew, Some(true), 150.0);
        assert!(found.withhold.is_empty(), "{found:?}");
        assert!(found.warnings.len() == 1 && found.warnings[0].contains("disagree by 15.0°"), "{found:?}");
    }
}
