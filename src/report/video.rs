//! The annotated MP4: the clip with the skeleton drawn on every frame, as H.264 at the clip's
//! own size up to 1080p ([`crate::video::encode`]).

use std::path::Path;

use anyhow::Result;
use opencv::prelude::*;

use crate::error::RomcamError;
use crate::pose::{Landmark, PoseFrame};
use crate::video::encode::H264Writer;
use crate::video::VideoReader;

use super::face::{blur_face, face_box, face_boxes, FaceBox, HeadFinder};
use super::overlay::draw_skeleton;

/// Re-decodes `clip` and writes every frame of it with the pose drawn on, to a temporary file
/// renamed to `out`. The poses are matched to the frames by time: `assess` finds them on 5 to
/// 10 frames a second, and a frame between two of them gets the landmarks interpolated between
/// the two (see [`pose_at`]). With `blur_faces`, every face is blurred first: the client's
/// located from the pose landmarks (a frame without a pose borrows the nearest pose's face
/// box), anyone else's by the person detector, run on every [`HEAD_SEARCH_EVERY`]th frame
/// (the boxes of the last two searches are blurred, so that a face never shows between them).
pub fn write_overlay_video(
    clip: &Path,
    frames: &[PoseFrame],
    out: &Path,
    force: bool,
    blur_faces: bool,
) -> Result<()> {
    if out.exists() && !force {
        return Err(
            RomcamError::Output(format!("{} exists (use --force to replace it)", out.display())).into()
        );
    }
    let tmp = crate::fsutil::temp_file_beside(out, ".mp4")?;
    render_overlay_video(clip, frames, tmp.path(), blur_faces)?;
    tmp.persist(out)
        .map_err(|e| RomcamError::Output(format!("cannot write {}: {}", out.display(), e.error)))?;
    Ok(())
}

/// Re-decodes `clip` and encodes it with the poses drawn on into `tmp` (replaced), as
/// [`write_overlay_video`] describes.
pub fn render_overlay_video(clip: &Path, frames: &[PoseFrame], tmp: &Path, blur_faces: bool) -> Result<()> {
    let mut reader = VideoReader::open(clip, MAX_VIDEO_SIDE)?;
    let fps = reader.info().fps;
    let faces = if blur_faces { face_boxes(frames) } else { Vec::new() };
    let mut head_finder = if blur_faces { Some(HeadFinder::open()?) } else { None };
    let (mut heads, mut earlier_heads): (Vec<FaceBox>, Vec<FaceBox>) = (Vec::new(), Vec::new());
    let mut writer: Option<H264Writer> = None;
    let mut index = 0;
    while let Some(mut frame) = reader.next_frame()? {
        crate::interrupt::check()?;
        let landmarks = pose_at(frames, frame.t);
        if let Some(finder) = head_finder.as_mut() {
            let client = landmarks.as_deref().and_then(face_box);
            let nearest = nearest_pose(frames, frame.t).and_then(|i| faces.get(i).copied().flatten());
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
        let w = match writer.as_mut() {
            Some(w) => w,
            None => writer.insert(H264Writer::create(tmp, frame.image.cols(), frame.image.rows(), fps)?),
        };
        w.write(&frame.image)?;
    }
    match writer {
        Some(w) => w.finish(),
        None => Err(RomcamError::Input(format!("{} has no frames to draw on", clip.display())).into()),
    }
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
fn nearest_pose(frames: &[PoseFrame], t: f64) -> Option<usize> {
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
    fn the_nearest_pose_is_found_on_either_side() {
        let frames = [pose(0.0, None), pose(0.2, None), pose(0.4, None)];
        assert_eq!(nearest_pose(&frames, 0.25), Some(1));
        assert_eq!(nearest_pose(&frames, 0.35), Some(2));
        assert_eq!(nearest_pose(&frames, 9.0), Some(2));
        assert_eq!(nearest_pose(&frames, -1.0), Some(0));
        assert_eq!(nearest_pose(&[], 0.0), None);
    }
}
