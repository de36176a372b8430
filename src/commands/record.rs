//! `romcam record`: films the test with the live framing checklist ([`crate::record`]), keeps
//! the clip in the data folder under the client (`<data dir>/clips/<CODE>/`, mode 0600), then
//! assesses and stores it through `romcam assess`'s own code path
//! ([`super::assess::run_deciding`]): the stored result, the clip's path and hash, the key frame,
//! are exactly what `romcam assess CLIP --client ...` stores.
//!
//! What is left behind: a take cancelled (Esc), interrupted (Ctrl-C) or cut short (the camera
//! stops, the disk fills) while filming leaves no file; a take the therapist discards is deleted.
//! A complete recording whose assessment fails is kept, and its path printed, so it can be
//! assessed again.

use std::fs::DirBuilder;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::assess::{AssessJob, Decision, Outcome, StoreTarget};
use super::{open_store, PoseChoice};
use crate::assess::Criteria;
use crate::error::RomcamError;
use crate::record::preview::{self, Key};
use crate::record::{FilmSettings, Recorder, Take};
use crate::report::ReportRequest;
use crate::store::{self, records};
use crate::video::camera::{Camera, CameraSpec};

/// Everything `romcam record` was asked to do.
#[derive(Debug, Clone)]
pub struct RecordJob {
    pub camera: CameraSpec,
    pub auto: bool,
    pub no_preview: bool,
    pub target: StoreTarget,
    pub pose: PoseChoice,
    pub quiet: bool,
}

/// Runs `romcam record` and returns its exit code.
pub fn run(job: RecordJob) -> Result<i32> {
    let say = |text: &str| {
        if !job.quiet {
            eprintln!("romcam: {text}");
        }
    };
    // a bad client code or date, or a store that cannot be used, fails before the camera opens
    records::validate_client_code(&job.target.client)?;
    if let Some(d) = &job.target.session {
        records::validate_date(d)?;
    }
    drop(open_store(job.target.data_dir.as_deref())?);
    let folder = store::data_dir(job.target.data_dir.as_deref())?.join("clips").join(&job.target.client);
    DirBuilder::new().recursive(true).mode(0o700).create(&folder).map_err(|e| {
        RomcamError::Output(format!("cannot create the clip folder {}: {e}", crate::fsutil::shown(&folder)))
    })?;

    let camera = Camera::open(&job.camera)?;
    let window = !job.no_preview && preview::display_available();
    if !job.no_preview && !window {
        say("no display (DISPLAY and WAYLAND_DISPLAY are not set): the checklist is printed here");
    }
    let settings = FilmSettings { auto: job.auto, window, quiet: job.quiet };
    let mut recorder = Recorder::new(camera, &crate::record::live::pose_options(job.pose.model), settings)?;
    loop {
        let clip = clip_path(&folder, &job.target);
        // written as a private temporary file (removed on any failure), named once complete
        let temp = crate::fsutil::temp_file_beside(&clip, ".mp4")?;
        let take = recorder.film(temp.path()).map_err(|e| match crate::error::exit_code_of(&e) {
            7 => e.context(format!("the recording cannot be written in {}", crate::fsutil::shown(&folder))),
            3 => e.context("nothing was kept"),
            _ => e,
        });
        if let Some(counts) = recorder.preview_counts() {
            say(&counts);
        }
        let (seconds, frames) = match take? {
            Take::Cancelled => return Err(cancelled()),
            Take::Recorded { seconds, frames } => (seconds, frames),
        };
        temp.persist_noclobber(&clip).map_err(|e| {
            RomcamError::Output(format!(
                "cannot keep the recording as {}: {}",
                crate::fsutil::shown(&clip),
                e.error
            ))
        })?;
        let _ = std::fs::set_permissions(&clip, std::fs::Permissions::from_mode(0o600));
        say(&format!("recorded {seconds:.1} s ({frames} frames): {}", crate::fsutil::shown(&clip)));

        let assess = AssessJob {
            video: clip.clone(),
            json: false,
            side: None,
            criteria: Criteria::default(),
            target: Some(job.target.clone()),
            report: ReportRequest::default(),
            pose: job.pose,
            quiet: job.quiet,
        };
        let mut cancel = false;
        let outcome = super::assess::run_deciding(assess, &mut |assessment| match recorder
            .keep_or_discard(&crate::terminal::summary(assessment))?
        {
            Key::Keep => Ok(Decision::Keep),
            Key::Cancel => {
                cancel = true;
                Ok(Decision::Discard)
            }
            _ => Ok(Decision::Discard),
        });
        match outcome {
            Ok(Outcome::Done(code)) => {
                say(&format!("the clip is kept with the assessment: {}", crate::fsutil::shown(&clip)));
                return Ok(code);
            }
            Ok(Outcome::Discarded) => {
                std::fs::remove_file(&clip).map_err(|e| {
                    RomcamError::Output(format!(
                        "the discarded clip {} cannot be deleted: {e}",
                        crate::fsutil::shown(&clip)
                    ))
                })?;
                if cancel {
                    return Err(cancelled());
                }
                say("discarded (the clip is deleted, nothing stored): film again");
            }
            Err(e) => {
                // a complete recording is never lost: it stays for `romcam assess`
                eprintln!(
                    "romcam: the recording is kept at {} but nothing was stored; assess it with: romcam assess {} --client {} --phase {}",
                    crate::fsutil::shown(&clip),
                    crate::fsutil::shown(&clip),
                    job.target.client,
                    job.target.phase.name()
                );
                return Err(e);
            }
        }
    }
}

fn cancelled() -> anyhow::Error {
    RomcamError::Declined("recording cancelled (Esc): nothing was kept or stored".into()).into()
}

/// `<folder>/<session date>_<phase>_<time>.mp4`, numbered when that name is taken.
fn clip_path(folder: &Path, target: &StoreTarget) -> PathBuf {
    let date = target.session.clone().unwrap_or_else(records::today);
    let stem = format!("{date}_{}_{}", target.phase.name(), chrono::Local::now().format("%H%M%S"));
    let mut path = folder.join(format!("{stem}.mp4"));
    let mut n = 2;
    while path.exists() {
        path = folder.join(format!("{stem}_{n}.mp4"));
        n += 1;
    }
    path
}
