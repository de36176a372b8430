//! Command-line parsing and dispatch. Nothing here measures or decides anything.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::assess::{self, Criteria};
use crate::error::{exit_code_of, EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE};
use crate::measure::{self, leg::Side, MeasureOptions};
use crate::pose::{self, PoseDocument, PoseOptions};
use crate::progress::FrameProgress;
use crate::report::{content::parse_config_arg, ReportConfig, ReportRequest, ReportTarget};
use crate::runtime::LandmarkModel;

#[derive(Parser)]
#[command(name = "romcam", version, about = "Hip range of motion (modified Thomas test) from a side-view video.", after_help = EXIT_CODES_HELP)]
struct Cli {
    /// Path to libonnxruntime.so (default: $ROMCAM_ORT_LIB, beside the executable, or vendor/).
    #[arg(long, global = true, value_name = "FILE")]
    ort_lib: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct PoseArgs {
    /// Landmark model: full (default, more accurate) or lite (faster).
    #[arg(long, value_enum, default_value = "full")]
    model: LandmarkModel,
    /// ONNX Runtime threads (default: all cores, at most 4).
    #[arg(long)]
    threads: Option<usize>,
    /// Skip the mirrored second landmark pass (faster, less accurate).
    #[arg(long)]
    no_mirror: bool,
}

impl PoseArgs {
    fn options(&self) -> PoseOptions {
        let mut o =
            PoseOptions { model: self.model, mirror_average: !self.no_mirror, ..PoseOptions::default() };
        if let Some(t) = self.threads {
            o.threads = t.max(1);
        }
        o
    }
}

#[derive(clap::Args, Clone)]
struct ReportArgs {
    /// Write a report to FILE: .pdf, .html (self-contained), .csv (per-frame angles), .png (the
    /// annotated key frame) or .mp4 (the clip with the skeleton). Repeat for several.
    #[arg(long, value_name = "FILE", value_parser = crate::report::parse_target)]
    report: Vec<ReportTarget>,
    /// Replace report files that exist.
    #[arg(long)]
    force: bool,
    /// Blur the client's face in the key frame and the video.
    #[arg(long)]
    blur_faces: bool,
    /// Settings for the report header (clinic, therapist), TOML [default: config.toml in the
    /// user's config folder, e.g. ~/.config/romcam/config.toml].
    #[arg(long, value_name = "FILE", value_parser = parse_config_arg)]
    config: Option<ReportConfig>,
}

impl ReportArgs {
    fn request(self) -> ReportRequest {
        ReportRequest {
            targets: self.report,
            force: self.force,
            blur_faces: self.blur_faces,
            config: self.config,
            ..ReportRequest::default()
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Measures a modified Thomas test: hip extension and knee flexion of the test leg.
    Assess {
        video: PathBuf,
        /// Print one JSON object on stdout instead of the summary.
        #[arg(long)]
        json: bool,
        /// Test leg, when automatic detection should be overridden.
        #[arg(long, value_enum)]
        side: Option<Side>,
        /// Hip extension below this reads as iliopsoas shortening (degrees).
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        hip_threshold: f64,
        /// Knee flexion below this reads as rectus femoris shortening (degrees; Kendall: 80).
        #[arg(long, default_value_t = 80.0)]
        knee_threshold: f64,
        #[command(flatten)]
        pose: PoseArgs,
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Writes BlazePose landmarks for every frame of a clip.
    Pose {
        video: PathBuf,
        /// Write the landmarks as JSON to FILE.
        #[arg(long, value_name = "FILE")]
        json: PathBuf,
        /// Also write the clip with the skeleton drawn on, as MP4.
        #[arg(long, value_name = "FILE.mp4")]
        overlay: Option<PathBuf>,
        /// Replace output files that exist.
        #[arg(long)]
        force: bool,
        /// Blur faces in the overlay video.
        #[arg(long, requires = "overlay")]
        blur_faces: bool,
        #[command(flatten)]
        pose: PoseArgs,
    },
}

/// Keeps OpenCV and FFmpeg from printing their own log lines: romcam reports problems itself,
/// in one sentence. Set the variables yourself to see their output.
fn quiet_native_logs() {
    for (key, value) in [("OPENCV_LOG_LEVEL", "OFF"), ("OPENCV_FFMPEG_LOGLEVEL", "-8")] {
        if std::env::var_os(key).is_none() {
            std::env::set_var(key, value);
        }
    }
}

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    quiet_native_logs();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    crate::interrupt::install();
    match dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("romcam: {}", one_sentence(&err));
            exit_code_of(&err)
        }
    }
}

/// The error and its causes as one line.
fn one_sentence(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ").replace('\n', " ")
}

fn dispatch(cli: Cli) -> Result<i32> {
    crate::runtime::init_onnx_runtime(cli.ort_lib.as_deref())?;
    match cli.command {
        Command::Assess { video, json, side, hip_threshold, knee_threshold, pose, report } => {
            let criteria = Criteria {
                hip_extension_threshold_deg: hip_threshold,
                knee_flexion_threshold_deg: knee_threshold,
                ..Criteria::default()
            };
            run_assess(&video, json, side, &criteria, &pose, &report.request(), cli.quiet)
        }
        Command::Pose { video, json, overlay, force, blur_faces, pose } => {
            run_pose(&video, &json, overlay.as_deref(), force, blur_faces, &pose, cli.quiet)
        }
    }
}

fn run_assess(
    video: &Path,
    json: bool,
    side: Option<Side>,
    criteria: &Criteria,
    args: &PoseArgs,
    report: &ReportRequest,
    quiet: bool,
) -> Result<i32> {
    crate::report::refuse_existing(&report.targets, report.force)?;
    let bar = FrameProgress::new("assess", quiet);
    let track = pose::estimate_pose(video, &args.options(), &mut |d, n| bar.update(d, n))?;
    bar.finish();
    let options = MeasureOptions { side, ..MeasureOptions::default() };
    let measurement = measure::measure(&track, &options)?;
    let model = format!("BlazePose {} (ONNX)", args.model.file_name());
    let assessment = assess::assess(measurement, criteria, &video.display().to_string(), &model);
    if json {
        println!("{}", serde_json::to_string_pretty(&assessment)?);
    } else {
        print!("{}", crate::report::terminal::summary(&assessment));
    }
    crate::report::write_assessment_reports(report, video, &track, &assessment)?;
    Ok(if assessment.withheld_reason.is_some() { 4 } else { EXIT_OK })
}

fn run_pose(
    video: &Path,
    json: &Path,
    overlay: Option<&Path>,
    force: bool,
    blur_faces: bool,
    args: &PoseArgs,
    quiet: bool,
) -> Result<i32> {
    if json.exists() && !force {
        return Err(crate::error::RomcamError::Output(format!(
            "{} exists (use --force to replace it)",
            json.display()
        ))
        .into());
    }
    let bar = FrameProgress::new("pose", quiet);
    let track = pose::estimate_pose(video, &args.options(), &mut |d, n| bar.update(d, n))?;
    bar.finish();
    let doc = PoseDocument { video: &track.video, model: track.model, frames: &track.frames };
    crate::fsutil::write_atomic(json, &serde_json::to_vec(&doc)?, force)?;
    if let Some(out) = overlay {
        crate::report::video::write_overlay_video(video, &track.frames, out, force, blur_faces)?;
    }
    let found = track.frames.iter().filter(|f| f.landmarks.is_some()).count();
    eprintln!(
        "romcam: {} frames, person found in {} ({:.1}%), detector ran {} times; landmarks in {}",
        track.frames.len(),
        found,
        100.0 * found as f64 / track.frames.len() as f64,
        track.detector_runs,
        json.display()
    );
    Ok(EXIT_OK)
}
