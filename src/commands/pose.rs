//! `romcam pose`: the BlazePose landmarks of every frame as JSON, and optionally the clip with
//! the skeleton drawn on.

use std::path::PathBuf;

use anyhow::Result;

use super::PoseChoice;
use crate::error::{RomcamError, EXIT_OK};
use crate::pose::{self, PoseDocument};
use crate::progress::FrameProgress;

/// Everything `romcam pose` was asked to do.
#[derive(Debug, Clone)]
pub struct PoseJob {
    pub video: PathBuf,
    pub json: PathBuf,
    pub overlay: Option<PathBuf>,
    pub force: bool,
    pub blur_faces: bool,
    pub pose: PoseChoice,
    pub quiet: bool,
}

/// Runs `romcam pose` and returns its exit code.
pub fn run(job: &PoseJob) -> Result<i32> {
    // every output is checked before the work, not after it
    for out in std::iter::once(&job.json).chain(&job.overlay) {
        if out.exists() && !job.force {
            return Err(RomcamError::Output(format!(
                "{} exists (use --force to replace it)",
                crate::fsutil::shown(out)
            ))
            .into());
        }
        crate::fsutil::refuse_overwriting_input(out, &job.video)?;
    }
    let bar = FrameProgress::new("pose", job.quiet);
    let track = pose::estimate_pose(&job.video, &job.pose.pose_options(), &mut |d, n| bar.update(d, n))?;
    bar.finish();
    let doc = PoseDocument { video: &track.video, model: track.model, frames: &track.frames };
    crate::fsutil::write_atomic(&job.json, &serde_json::to_vec(&doc)?, job.force)?;
    if let Some(out) = &job.overlay {
        let source = crate::report::VideoSource {
            clip: &job.video,
            frames: &track.frames,
            assessment: None,
            blur_faces: job.blur_faces,
            quiet: job.quiet,
        };
        crate::report::video::write_overlay_video(&source, out, job.force)?;
    }
    let found = track.frames.iter().filter(|f| f.landmarks.is_some()).count();
    eprintln!(
        "romcam: {} frames, person found in {} ({:.1}%), detector ran {} times; landmarks in {}",
        track.frames.len(),
        found,
        100.0 * found as f64 / track.frames.len() as f64,
        track.detector_runs,
        job.json.display()
    );
    Ok(EXIT_OK)
}
