//! The annotated MP4: the clip with the skeleton drawn on every frame, as H.264 at the clip's
//! own size up to 1080p ([`crate::video::encode`]). For `assess --report FILE.mp4`, every frame
//! also shows what the key frame shows ([`burn_in`]): the test leg, the table's horizontal
//! through the hip, the hip and knee angles of that moment, and the hold, marked with a frame
//! and the result over it. A figure the quality gate withheld is never drawn as a number.

use std::path::Path;

use anyhow::Result;
use opencv::core::Mat;
use opencv::prelude::*;

use crate::assess::Assessment;
use crate::error::RomcamError;
use crate::measure::AngleSample;
use crate::pose::{Landmark, PoseFrame};
use crate::progress::FrameProgress;
use crate::video::encode::H264Writer;
use crate::video::VideoReader;

use super::face::{blur_face, face_box, face_boxes, FaceBox, HeadFinder};
use super::fonts::Weight;
use super::keyframe::{self, AngleLabels};
use super::overlay::{self, bgr, draw_skeleton};

/// What the MP4 is drawn from: the clip, its poses, and the assessment whose figures are
/// burned in (None: the skeleton only, as `romcam pose --overlay` draws it).
pub struct VideoSource<'a> {
    pub clip: &'a Path,
    pub frames: &'a [PoseFrame],
    pub assessment: Option<&'a Assessment>,
    pub blur_faces: bool,
    /// No progress bar.
    pub quiet: bool,
}

/// Re-decodes the clip and writes every frame of it with the pose drawn on, to a temporary
/// file renamed to `out`. The poses are matched to the frames by time: `assess` finds them on 5
/// to 10 frames a second, and a frame between two of them gets the landmarks interpolated
/// between the two (see [`pose_at`]). With `blur_faces`, every face is blurred first: the
/// client's located from the pose landmarks (a frame without a pose borrows the nearest pose's
/// face box), anyone else's by the person detector, run on every [`HEAD_SEARCH_EVERY`]th frame
/// (the boxes of the last two searches are blurred, so that a face never shows between them).
pub fn write_overlay_video(source: &VideoSource, out: &Path, force: bool) -> Result<()> {
    if out.exists() && !force {
        return Err(
            RomcamError::Output(format!("{} exists (use --force to replace it)", out.display())).into()
        );
    }
    let tmp = crate::fsutil::temp_file_beside(out, ".mp4")?;
    render_overlay_video(source, tmp.path(), out)?;
    tmp.persist(out)
        .map_err(|e| RomcamError::Output(format!("cannot write {}: {}", out.display(), e.error)))?;
    Ok(())
}

/// Re-decodes the clip and encodes it with the poses (and the assessment) drawn on into `tmp`
/// (replaced), as [`write_overlay_video`] describes, with a progress bar that names `target`,
/// the file the video is for.
pub fn render_overlay_video(source: &VideoSource, tmp: &Path, target: &Path) -> Result<()> {
    let VideoSource { clip, frames, assessment, blur_faces, quiet } = *source;
    let mut reader = VideoReader::open(clip, MAX_VIDEO_SIDE)?;
    let fps = reader.info().fps;
    let expected = reader.info().frame_count;
    let bar = FrameProgress::new(
        &format!("writing {}", crate::fsutil::file_name_only(&target.to_string_lossy())),
        quiet,
    );
    let faces = if blur_faces { face_boxes(frames) } else { Vec::new() };
    let mut head_finder = if blur_faces { Some(HeadFinder::open()?) } else { None };
    let (mut heads, mut earlier_heads): (Vec<FaceBox>, Vec<FaceBox>) = (Vec::new(), Vec::new());
    let mut writer: Option<H264Writer> = None;
    let mut index = 0;
    while let Some(mut frame) = reader.next_frame()? {
        crate::interrupt::check()?;
        let landmarks = pose_at(frames, frame.t);
        let nearest = nearest_pose(frames, frame.t);
        if let Some(finder) = head_finder.as_mut() {
            let client = landmarks.as_deref().and_then(face_box);
            let nearest = nearest.and_then(|i| faces.get(i).copied().flatten());
            if index % HEAD_SEARCH_EVERY == 0 {
                let found = finder.heads(&frame.image, frame.scale, client.or(nearest).as_ref(), false)?;
                earlier_heads = std::mem::replace(&mut heads, found);
            }
            // the nearest pose's box only where it is not the frame's own (the same pose)
            let nearest = nearest.filter(|n| Some(*n) != client);
            for b in heads.iter().chain(&earlier_heads).chain(&client).chain(&nearest) {
                blur_face(&mut frame.image, b, frame.scale)?;
            }
        }
        index += 1;
        if let Some(l) = &landmarks {
            draw_skeleton(&mut frame.image, l, frame.scale)?;
        }
        if let Some(a) = assessment {
            let pose = landmarks.as_deref().zip(nearest);
            burn_in(&mut frame.image, a, pose, frame.t, frame.scale)?;
        }
        let w = match writer.as_mut() {
            Some(w) => w,
            None => writer.insert(H264Writer::create(tmp, frame.image.cols(), frame.image.rows(), fps)?),
        };
        w.write(&frame.image)?;
        bar.update(index, expected);
    }
    let done = match writer {
        Some(w) => w.finish(),
        None => Err(RomcamError::Input(format!("{} has no frames to draw on", clip.display())).into()),
    };
    bar.finish();
    done
}

/// Draws on one frame (at time `t`) what the key frame shows: the test leg in yellow, the
/// table's horizontal through its hip, the hip and knee arcs labelled with the angles of this
/// moment, a legend line at the top, and, during the hold, a yellow frame and a banner with
/// the hold's times and the result over it. `pose` is the frame's landmarks with the index of
/// the nearest measured frame (whose left/right label the test leg follows). A figure the
/// quality gate withheld is labelled "withheld", never given as a number.
pub fn burn_in(
    image: &mut Mat,
    a: &Assessment,
    pose: Option<(&[Landmark], usize)>,
    t: f64,
    scale: f64,
) -> Result<()> {
    let em = (image.cols().min(image.rows()) as f32 / 26.0).max(16.0);
    let width = overlay::stroke_width(image);
    let samples = &a.measurement.samples;
    if let Some([hip, knee, ankle]) = pose.and_then(|(l, i)| keyframe::test_leg(a, i, l)) {
        let k = 1.0 / scale;
        let live = |figure: Option<f64>, value: fn(&AngleSample) -> Option<f64>| match figure {
            Some(_) => Live::Value(series_at(samples, t, value)),
            None => Live::Withheld,
        };
        let labels = AngleLabels {
            hip: live(a.hip_extension_deg, |s| s.hip_extension_deg).text("hip", |d| format!("{d:+.1}°")),
            knee: live(a.knee_flexion_deg, |s| s.knee_flexion_deg).text("knee", |d| format!("{d:.1}°")),
        };
        keyframe::annotate_leg(image, a, [hip.scale(k), knee.scale(k), ankle.scale(k)], &labels, em, width)?;
    }

    let (cols, rows) = (image.cols() as f64, image.rows() as f64);
    let in_hold = a.hold.as_ref().filter(|h| t >= h.start_s - HALF_FRAME_S && t <= h.end_s + HALF_FRAME_S);
    if in_hold.is_some() {
        let border = (em as f64 * 0.35).round().max(3.0) as i32;
        let rect = opencv::core::Rect::new(0, 0, cols as i32, rows as i32);
        let yellow = bgr(keyframe::TEST_LEG_RGB.0, keyframe::TEST_LEG_RGB.1, keyframe::TEST_LEG_RGB.2);
        opencv::imgproc::rectangle(image, rect, yellow, 2 * border, opencv::imgproc::LINE_8, 0)?;
    }
    let legend = format!(
        "{} leg tested · t = {t:.2} s · dashed: table horizontal",
        keyframe::capitalised(a.test_side.name())
    );
    draw_fitted_label(image, &legend, (0.0, 0.0), em * 0.8, bgr(235, 235, 235), Weight::Regular)?;
    let banner = match (in_hold, a.withheld_reason.is_some()) {
        (Some(h), false) => Some(format!(
            "HOLD {:.1}–{:.1} s · result over the hold: {}, {}",
            h.start_s,
            h.end_s,
            a.hip_extension_deg.map_or("hip withheld".into(), |d| format!("hip {d:+.1}°")),
            a.knee_flexion_deg.map_or("knee withheld".into(), |d| format!("knee {d:.1}°")),
        )),
        (Some(h), true) => Some(format!("HOLD {:.1}–{:.1} s · result withheld", h.start_s, h.end_s)),
        (None, true) => Some("Result withheld: no angles are given (the report says why)".into()),
        (None, false) => None,
    };
    if let Some(text) = banner {
        let colour = if in_hold.is_some() { bgr(250, 240, 120) } else { bgr(255, 190, 170) };
        draw_fitted_label(image, &text, (0.0, rows), em * 0.9, colour, Weight::Bold)?;
    }
    Ok(())
}

/// A live figure: the value at this moment (None between frames too far apart), or withheld.
enum Live {
    Value(Option<f64>),
    Withheld,
}

impl Live {
    fn text(self, name: &str, number: impl Fn(f64) -> String) -> Option<String> {
        match self {
            Live::Value(v) => v.map(|d| format!("{name} {}", number(d))),
            Live::Withheld => Some(format!("{name} withheld")),
        }
    }
}

/// A label at `at` (its box kept inside the image), its text made smaller where it would not
/// fit the image's width.
fn draw_fitted_label(
    image: &mut Mat,
    text: &str,
    at: (f64, f64),
    em: f32,
    colour: opencv::core::Scalar,
    weight: Weight,
) -> Result<()> {
    let natural = super::fonts::text_width(text, em, weight) as f64 + em as f64 * 0.7;
    let em = (em * ((image.cols() as f64 - 2.0) / natural).min(1.0) as f32).max(6.0);
    overlay::draw_label(image, text, at, em, colour, weight)?;
    Ok(())
}

/// A frame this close to the hold's first or last measured frame belongs to the hold.
const HALF_FRAME_S: f64 = 0.02;

/// The per-frame angle `value` of the assessment at time `t`: the measured frame's own value,
/// or, between two measured frames at most [`MAX_INTERPOLATION_GAP_S`] apart, interpolated
/// linearly between their values (as [`pose_at`] interpolates the skeleton). None where a
/// neighbour has no value, before the first and after the last measured frame.
pub fn series_at(samples: &[AngleSample], t: f64, value: fn(&AngleSample) -> Option<f64>) -> Option<f64> {
    let after = samples.partition_point(|s| s.t < t - SAME_FRAME_S);
    let next = samples.get(after)?;
    if (next.t - t).abs() <= SAME_FRAME_S {
        return value(next);
    }
    let before = samples.get(after.checked_sub(1)?)?;
    let span = next.t - before.t;
    if span > MAX_INTERPOLATION_GAP_S || span <= 0.0 {
        return None;
    }
    let (p, q) = (value(before)?, value(next)?);
    Some(p + (q - p) * (t - before.t) / span)
}

/// The video report keeps the clip's size up to 1080p (its longer side at most this).
const MAX_VIDEO_SIDE: u32 = 1920;

/// The person detector looks for heads to blur on every this many frames.
const HEAD_SEARCH_EVERY: usize = 3;

/// Poses further apart than this are not interpolated between (the leg may have moved in
/// between): the frames there get no skeleton.
const MAX_INTERPOLATION_GAP_S: f64 = 0.35;
/// A pose this close in time to a frame is that frame's pose.
const SAME_FRAME_S: f64 = 1e-3;

/// The landmarks to draw on the frame at `t`: those of the pose found at `t`, or between two
/// poses at most [`MAX_INTERPOLATION_GAP_S`] apart, each landmark interpolated linearly between
/// them. None before the first pose, after the last, across a longer gap, or next to a frame
/// where nobody was found.
pub fn pose_at(frames: &[PoseFrame], t: f64) -> Option<Vec<Landmark>> {
    let after = frames.partition_point(|f| f.t < t - SAME_FRAME_S);
    let next = frames.get(after)?;
    if (next.t - t).abs() <= SAME_FRAME_S {
        return next.landmarks.clone();
    }
    let before = frames.get(after.checked_sub(1)?)?;
    let span = next.t - before.t;
    if span > MAX_INTERPOLATION_GAP_S || span <= 0.0 {
        return None;
    }
    let (a, b) = (before.landmarks.as_deref()?, next.landmarks.as_deref()?);
    let w = ((t - before.t) / span) as f32;
    let mix = |p: f32, q: f32| p + (q - p) * w;
    Some(
        a.iter()
            .zip(b)
            .map(|(p, q)| Landmark {
                x: mix(p.x, q.x),
                y: mix(p.y, q.y),
                z: mix(p.z, q.z),
                visibility: mix(p.visibility, q.visibility),
                presence: mix(p.presence, q.presence),
            })
            .collect(),
    )
}

/// Index of the pose nearest in time to `t`.
pub fn nearest_pose(frames: &[PoseFrame], t: f64) -> Option<usize> {
    let after = frames.partition_point(|f| f.t < t);
    [after.checked_sub(1), Some(after)]
        .into_iter()
        .flatten()
        .filter(|&i| i < frames.len())
        .min_by(|&i, &j| (frames[i].t - t).abs().total_cmp(&(frames[j].t - t).abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pose(t: f64, x: Option<f32>) -> PoseFrame {
        let l = |x: f32| Landmark { x, y: 2.0 * x, z: 0.0, visibility: 1.0, presence: 1.0 };
        PoseFrame { t, presence: 1.0, landmarks: x.map(|x| vec![l(x); 33]) }
    }

    #[test]
    fn a_frame_with_a_pose_gets_exactly_that_pose() {
        let frames = [pose(0.0, Some(10.0)), pose(0.1, Some(20.0))];
        assert_eq!(pose_at(&frames, 0.1).unwrap()[0].x, 20.0);
        assert_eq!(pose_at(&frames, 0.0).unwrap()[0].x, 10.0);
    }

    #[test]
    fn a_frame_between_two_poses_gets_them_interpolated_by_time() {
        let frames = [pose(1.0, Some(10.0)), pose(1.2, Some(20.0))];
        let l = pose_at(&frames, 1.05).unwrap();
        assert!((l[0].x - 12.5).abs() < 1e-4 && (l[0].y - 25.0).abs() < 1e-4, "{:?}", l[0]);
    }

    #[test]
    fn no_pose_outside_the_poses_across_a_long_gap_or_next_to_nobody() {
        let frames = [pose(1.0, Some(10.0)), pose(1.2, None), pose(2.0, Some(30.0))];
        assert!(pose_at(&frames, 0.5).is_none(), "before the first");
        assert!(pose_at(&frames, 2.5).is_none(), "after the last");
        assert!(pose_at(&frames, 1.1).is_none(), "next to a frame without a person");
        assert!(pose_at(&frames, 1.6).is_none(), "across a 0.8 s gap");
        assert!(pose_at(&[], 1.0).is_none());
    }

    #[test]
    fn the_angle_between_two_measured_frames_is_interpolated_and_none_across_gaps() {
        let s = |t: f64, hip: Option<f64>| AngleSample {
            t,
            hip_extension_deg: hip,
            knee_flexion_deg: None,
            thigh_to_trunk_deg: None,
            hip_extension_smoothed_deg: None,
            knee_flexion_smoothed_deg: None,
        };
        let samples = [s(1.0, Some(-10.0)), s(1.2, Some(-6.0)), s(1.4, None), s(2.0, Some(0.0))];
        let hip = |t: f64| series_at(&samples, t, |s| s.hip_extension_deg);
        assert_eq!(hip(1.0), Some(-10.0));
        assert!((hip(1.05).unwrap() + 9.0).abs() < 1e-9);
        assert_eq!(hip(1.3), None, "next to a frame without the angle");
        assert_eq!(hip(1.7), None, "across a 0.6 s gap");
        assert_eq!(hip(0.5), None);
        assert_eq!(hip(2.5), None);
    }

    #[test]
    fn the_nearest_pose_is_found_on_either_side() {
        let frames = [pose(0.0, None), pose(0.2, None), pose(0.4, None)];
        assert_eq!(nearest_pose(&frames, 0.25), Some(1));
        assert_eq!(nearest_pose(&frames, 0.35), Some(2));
        assert_eq!(nearest_pose(&frames, 9.0), Some(2));
        assert_eq!(nearest_pose(&frames, -1.0), Some(0));
        assert_eq!(nearest_pose(&[], 0.0), None);
    }
}
