//! `romcam assess`: measures a clip, prints the result, and, when asked, stores it for a client
//! and writes the reports, all from the same poses and the same key frame.
//!
//! The order matters: report files that could not be written (existing, named twice, a folder,
//! the clip itself, an unwritable folder) and a client store that cannot be used are refused
//! before minutes of work. The reports are made as temporary files first; the assessment is
//! stored in one transaction that commits only once every report is in place, so that the store
//! and the reports succeed or fail together and a failed command stores nothing. The result is
//! printed before anything is written, and a result the quality gate withheld exits with
//! [`EXIT_NOT_MEASURABLE`] after everything else.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{open_store, PoseChoice};
use crate::assess::{self, Criteria};
use crate::error::{EXIT_NOT_MEASURABLE, EXIT_OK};
use crate::measure::{self, leg::Side, MeasureOptions};
use crate::pose;
use crate::progress::FrameProgress;
use crate::report::{self, keyframe, ReportRequest};
use crate::store::records::{self, NewAssessment, Phase};
use crate::store::Store;

/// Where `assess --client` stores its result.
#[derive(Debug, Clone)]
pub struct StoreTarget {
    pub client: String,
    pub phase: Phase,
    /// YYYY-MM-DD; None is today.
    pub session: Option<String>,
    pub data_dir: Option<PathBuf>,
    /// `--replace`: replace an earlier assessment of the same video.
    pub replace: bool,
    /// `--note`.
    pub note: Option<String>,
}

/// Everything `romcam assess` was asked to do.
#[derive(Debug, Clone)]
pub struct AssessJob {
    pub video: PathBuf,
    pub json: bool,
    /// `--side`: the test leg, when automatic detection is overridden.
    pub side: Option<Side>,
    pub criteria: Criteria,
    pub target: Option<StoreTarget>,
    pub report: ReportRequest,
    pub pose: PoseChoice,
    pub quiet: bool,
}

/// The opened store and the session the result goes into.
struct Destination {
    store: Store,
    client: String,
    phase: Phase,
    date: String,
    replace: bool,
    note: Option<String>,
    /// The clip's SHA-256, when it is a file (anything else is refused by the video stage, in
    /// its own words).
    video_sha256: Option<String>,
    /// The uid the assessment will be stored under.
    uid: String,
}

/// Checks the client code, date and note and opens the store: a bad code, a locked or a
/// damaged store, and a video the client already has an assessment of (without `--replace`)
/// fail here, before any frame is decoded.
fn open_destination(t: StoreTarget, video: &Path) -> Result<Destination> {
    records::validate_client_code(&t.client)?;
    if let Some(d) = &t.session {
        records::validate_date(d)?;
    }
    if let Some(n) = &t.note {
        crate::store::audit::check_note(n)?;
    }
    let video_sha256 = if video.is_file() { Some(records::sha256_file(video)?) } else { None };
    let store = open_store(t.data_dir.as_deref())?;
    if let Some(sha) = &video_sha256 {
        if let Some(d) = store.find_duplicate(&t.client, sha)? {
            if !t.replace {
                return Err(d.refusal(&t.client).into());
            }
        }
    }
    let uid = store.draw_uid()?;
    let date = t.session.unwrap_or_else(records::today);
    Ok(Destination {
        store,
        client: t.client,
        phase: t.phase,
        date,
        replace: t.replace,
        note: t.note,
        video_sha256,
        uid,
    })
}

/// Runs `romcam assess` and returns its exit code.
pub fn run(job: AssessJob) -> Result<i32> {
    let AssessJob { video, json, side, criteria, target, mut report, pose, quiet } = job;
    report::check_targets(&report.targets, report.force, &[video.as_path()])?;
    let mut destination = target.map(|t| open_destination(t, &video)).transpose()?;
    if let Some(d) = &destination {
        report.client = Some(d.client.clone());
        report.session_date = Some(d.date.clone());
        report.phase = Some(d.phase);
        report.assessment_id = Some(records::short_id(&d.uid).to_string());
        report.notes = d.note.clone().filter(|n| !n.trim().is_empty());
    }

    let bar = FrameProgress::new("assess", quiet);
    let track = pose::estimate_pose(&video, &pose.assess_options(), &mut |d, n| bar.update(d, n))?;
    bar.finish();
    let measure_started = std::time::Instant::now();
    let measurement = measure::measure(&track, &MeasureOptions { side, ..MeasureOptions::default() })?;
    log::debug!("measure stage {:.2} s", measure_started.elapsed().as_secs_f64());
    let model = format!("BlazePose {} (ONNX)", pose.model.file_name());
    let assessment = assess::assess(measurement, &criteria, &video.display().to_string(), &model);

    // one key frame for the store and the reports; the settings file is read once for both
    let key_frame = if destination.is_some() || !report.targets.is_empty() {
        report.config = Some(report::resolve_config(&report.config));
        keyframe::render(&track, &assessment, report.blurs_faces())?
    } else {
        None
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&assessment)?);
    } else {
        print!("{}", crate::terminal::summary(&assessment));
    }
    let key_frame_png = key_frame.as_ref().map(|k| k.png.clone());
    let pending = report::prepare_assessment_reports(&report, &video, &track, &assessment, key_frame)?;
    let mut written = Vec::new();
    match destination.as_mut() {
        Some(d) => {
            let by = super::who(&report.config);
            let new = NewAssessment {
                replace: d.replace,
                note: d.note.as_deref(),
                by: &by,
                uid: Some(d.uid.clone()),
                client: &d.client,
                session_date: &d.date,
                phase: d.phase,
                assessment: &assessment,
                video_path: &canonical(&video),
                video_sha256: match &d.video_sha256 {
                    Some(sha) => sha.clone(),
                    None => records::sha256_file(&video)?,
                },
                key_frame_png,
            };
            let recorded = d.store.record_assessment_and(&new, || {
                written = pending.put_in_place()?;
                Ok(())
            });
            let recorded = match recorded {
                Ok(r) => r,
                Err(e) => {
                    // reports put in place for a record that did not commit are taken back
                    for path in &written {
                        let _ = std::fs::remove_file(path);
                    }
                    return Err(e);
                }
            };
            if !quiet {
                eprintln!(
                    "romcam: stored as assessment {} ({} session {}, {}){}",
                    records::short_id(&recorded.uid),
                    d.client,
                    d.date,
                    d.phase.name(),
                    recorded
                        .replaced
                        .iter()
                        .map(|r| format!(
                            "; it replaces assessment {} of the same video (session {}, {})",
                            records::short_id(&r.uid),
                            r.session_date,
                            r.phase
                        ))
                        .collect::<String>()
                );
            }
        }
        None => written = pending.put_in_place()?,
    }
    if !quiet {
        for path in &written {
            eprintln!("romcam: wrote {}", path.display());
        }
    }
    Ok(if assessment.withheld_reason.is_some() { EXIT_NOT_MEASURABLE } else { EXIT_OK })
}

/// The clip's absolute path for the store (as given when it cannot be resolved).
fn canonical(video: &Path) -> PathBuf {
    std::fs::canonicalize(video).unwrap_or_else(|_| video.to_path_buf())
}
