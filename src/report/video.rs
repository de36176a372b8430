//! The annotated MP4: the clip with the skeleton drawn on every frame.

use std::path::Path;

use anyhow::Result;
use opencv::core::Size;
use opencv::prelude::*;
use opencv::videoio;

use crate::error::RomcamError;
use crate::pose::PoseFrame;
use crate::video::VideoReader;

use super::face::{blur_face, face_boxes};
use super::overlay::draw_skeleton;

/// Re-decodes `clip` and writes it with the pose drawn on, to a temporary file renamed to `out`.
/// With `blur_faces`, every frame's face is blurred first (located from the pose landmarks; a
/// frame without a pose borrows the nearest frame's face box).
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
    let mut reader = VideoReader::open(clip, 1280)?;
    let fps = reader.info().fps;
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".romcam-")
        .suffix(".mp4")
        .tempfile_in(dir)
        .map_err(|e| RomcamError::Output(format!("cannot write {}: {e}", out.display())))?;
    let tmp_name = tmp
        .path()
        .to_str()
        .ok_or_else(|| RomcamError::Output("output path is not UTF-8".into()))?
        .to_string();
    let faces = if blur_faces { face_boxes(frames) } else { Vec::new() };
    let mut writer: Option<videoio::VideoWriter> = None;
    for (i, pose) in frames.iter().enumerate() {
        crate::interrupt::check()?;
        let Some(mut frame) = reader.next_frame()? else { break };
        if let Some(Some(b)) = faces.get(i) {
            blur_face(&mut frame.image, b, frame.scale)?;
        }
        if let Some(l) = &pose.landmarks {
            draw_skeleton(&mut frame.image, l, frame.scale)?;
        }
        if writer.is_none() {
            let fourcc = videoio::VideoWriter::fourcc('m', 'p', '4', 'v')?;
            let size = Size::new(frame.image.cols(), frame.image.rows());
            let w = videoio::VideoWriter::new(&tmp_name, fourcc, fps, size, true)?;
            if !w.is_opened()? {
                return Err(RomcamError::Output(format!("cannot encode video to {}", out.display())).into());
            }
            writer = Some(w);
        }
        if let Some(w) = writer.as_mut() {
            w.write(&frame.image)?;
        }
    }
    if let Some(mut w) = writer {
        w.release()?;
    }
    tmp.persist(out)
        .map_err(|e| RomcamError::Output(format!("cannot write {}: {}", out.display(), e.error)))?;
    Ok(())
}
