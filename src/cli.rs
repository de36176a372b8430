//! Command-line parsing and dispatch: the arguments of every subcommand, the process set-up
//! (umask, native log levels, the interrupt handler, the logger), and the mapping of errors to
//! one sentence and an exit code. Each subcommand runs in its module of [`crate::commands`];
//! nothing here measures, decides or prints a result.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::assess::Criteria;
use crate::commands::{self, assess::AssessJob, assess::StoreTarget, pose::PoseJob, PoseChoice};
use crate::error::{exit_code_of, EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE};
use crate::measure::leg::Side;
use crate::report::stored::{StoredReportKind, StoredReportRequest};
use crate::report::{content::parse_config_arg, ReportConfig, ReportRequest, ReportTarget};
use crate::runtime::LandmarkModel;
use crate::store::audit::Amendment;
use crate::store::compare::Selection;
use crate::store::records::Phase;

#[derive(Parser)]
#[command(name = "romcam", version, about = "Hip range of motion (modified Thomas test) from a side-view video.", after_help = EXIT_CODES_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The option of the commands that run the pose model (`assess`, `pose`; the coming `record`
/// takes it too). The other commands never load ONNX Runtime, so they do not offer it.
#[derive(clap::Args, Clone)]
struct RuntimeArgs {
    /// The library that runs the pose model (ONNX Runtime, libonnxruntime.so) [default:
    /// $ROMCAM_ORT_LIB, beside the executable, or vendor/].
    #[arg(long, value_name = "FILE")]
    ort_lib: Option<PathBuf>,
}

impl RuntimeArgs {
    /// Loads ONNX Runtime from the library named, or found.
    fn init(&self) -> Result<()> {
        crate::runtime::init_onnx_runtime(self.ort_lib.as_deref()).map(|_| ())
    }
}

#[derive(clap::Args, Clone)]
struct PoseArgs {
    /// Landmark model: full (default, more accurate) or lite (faster).
    #[arg(long, value_enum, default_value = "full")]
    model: LandmarkModel,
    /// Threads for the pose model (default: all cores, at most 4).
    #[arg(long)]
    threads: Option<usize>,
    /// Skip the mirrored second landmark pass (faster, less accurate).
    #[arg(long)]
    no_mirror: bool,
    /// Landmarks on every frame, the mirrored pass on all of them (slower; by default assess
    /// samples 6 frames/s while the legs move and 12/s while they are still).
    #[arg(long)]
    every_frame: bool,
}

impl PoseArgs {
    fn choice(&self) -> PoseChoice {
        PoseChoice {
            model: self.model,
            threads: self.threads,
            no_mirror: self.no_mirror,
            every_frame: self.every_frame,
        }
    }
}

#[derive(clap::Args, Clone)]
struct StoreArgs {
    /// Folder of the client store (default: $ROMCAM_DATA_DIR or the user's data folder).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Use the clinic's shared PostgreSQL store instead of the SQLite store in the data folder
    /// (default: $ROMCAM_STORE, or `store =` in the settings file), e.g.
    /// postgres://alice@db.clinic.example/romcam. The password comes from $PGPASSWORD,
    /// ~/.pgpass or a prompt; TLS is required (sslmode=require, or verify-full with sslrootcert=).
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// Allow an unencrypted connection to the PostgreSQL store (warned about; only for a server
    /// on the same machine or a trusted network).
    #[arg(long)]
    insecure_plain: bool,
}

impl StoreArgs {
    /// Records the store chosen (`--store`, `--insecure-plain`) and returns `--data-dir`.
    fn dir(&self) -> Option<&Path> {
        crate::store::choose(crate::store::StoreChoice {
            url: self.store.clone(),
            insecure_plain: self.insecure_plain,
        });
        self.data_dir.as_deref()
    }
}

#[derive(clap::Args, Clone)]
struct ReportArgs {
    /// Write a report to FILE: .pdf, .html (self-contained), .csv (per-frame angles), .png (the
    /// annotated key frame) or .mp4 (the clip with the skeleton, the test leg, the angles of each
    /// moment and the hold drawn on every frame; H.264, plays in browsers). Repeat for several.
    #[arg(long, value_name = "FILE", value_parser = crate::report::parse_target)]
    report: Vec<ReportTarget>,
    /// Replace report files that exist.
    #[arg(long)]
    force: bool,
    /// Blur every face (the client's and anyone else's) in the key frame and the video.
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
    #[command(after_help = "Examples:
  romcam assess clip.mp4                                   measure and print the result
  romcam assess clip.mp4 --client 0042 --phase before      also store it for client 0042 (today's session)
  romcam assess clip.mp4 --client 0042 --phase after --note \"after 3 weeks of stretching\"
  romcam assess clip.mp4 --client 0042 --phase after --replace
                                                           store it again, replacing the earlier assessment
                                                           of the same video (otherwise refused, exit 8)
  romcam assess clip.mp4 --report 0042.pdf --blur-faces    also write a PDF report with faces blurred
  romcam assess clip.mp4 --report 0042.mp4                 also the clip with the angles drawn on every frame

The client store is romcam.sqlite3 in ~/.local/share/romcam (or --data-dir, $ROMCAM_DATA_DIR).
The report header names the clinic and therapist from ~/.config/romcam/config.toml
(clinic = \"...\", therapist = \"...\") or the file given with --config.")]
    Assess {
        /// The video of the test, filmed from the side of the test leg (mp4, mov, mkv, ...).
        video: PathBuf,
        /// Print one JSON object on stdout instead of the summary (for other programs).
        #[arg(long)]
        json: bool,
        /// Test leg, when automatic detection should be overridden.
        #[arg(long, value_enum)]
        side: Option<Side>,
        /// Hip extension below this reads as iliopsoas shortening (degrees).
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        hip_threshold: f64,
        /// Knee flexion below this reads as rectus femoris shortening (degrees; Kendall et al. 2005: 80).
        #[arg(long, default_value_t = 80.0)]
        knee_threshold: f64,
        /// Store the result for this client (a code, not a name). Without it nothing is stored.
        #[arg(long, value_name = "CODE")]
        client: Option<String>,
        /// Before or after the treatment (with --client).
        #[arg(long, value_enum, default_value = "none", requires = "client")]
        phase: Phase,
        /// Session date (default: today): YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY; stored as YYYY-MM-DD.
        #[arg(long, value_name = "DATE", requires = "client", value_parser = session_date)]
        session: Option<String>,
        /// A note stored with the assessment (with --client), shown by `history` and the reports.
        #[arg(long, value_name = "TEXT", requires = "client")]
        note: Option<String>,
        /// The client already has an assessment of this video (the same file content): replace it
        /// (with --client; recorded in the client's audit trail). Without it, the video is refused.
        #[arg(long, requires = "client")]
        replace: bool,
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        pose: PoseArgs,
        #[command(flatten)]
        report: ReportArgs,
        /// No progress bars, and no "romcam: stored ..." or "romcam: wrote ..." lines on stderr.
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        runtime: RuntimeArgs,
    },
    /// Lists the clients in the store: sessions, assessments and the last session, and per leg
    /// the latest measured hip extension and knee flexion with its reading.
    #[command(after_help = "Examples:
  romcam clients
  romcam clients --json")]
    Clients {
        /// Print JSON on stdout instead of the table (for other programs).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Every assessment of a client over time, per side, with its id, then the notes and the
    /// corrections to the record (amend, remove, replace, note).
    #[command(after_help = "Examples:
  romcam history 0042
  romcam history 0042 --json")]
    History {
        /// The client's code (as given to `assess --client`).
        client: String,
        /// Print JSON on stdout instead of the table (for other programs).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// The change per side between two stored assessments, hip extension and knee flexion, each
    /// judged against romcam's minimal detectable change (MDC95: the smallest change that is more
    /// than measurement error, with 95% confidence): real improvement, real worsening, or within
    /// measurement error. What is compared is named by its sessions and phases; only a session's
    /// before/after pair is called before/after treatment.
    #[command(after_help = "Examples:
  romcam compare --client 0042                              the latest before/after treatment pair of each side
  romcam compare --client 0042 --session 2026-12-04         before against after treatment on that day
  romcam compare --client 0042 --sessions 2026-11-20 2026-12-04
                                                            the latest of each session, e.g. 2026-11-20 after → 2026-12-04 after
  romcam compare --client 0042 --baseline                   progress: the first before-treatment assessment against the latest
  romcam compare --client 0042 --json                       {\"changes\": [{\"side\", \"from\", \"to\", \"label\", \"hip_verdict\", ...}]}

The two assessments of a side are always compared in time order: change = later minus earlier.
More hip extension and more knee flexion are improvements. The left/right asymmetry is given
only where both legs were assessed in the same session and phase.")]
    Compare {
        /// The client's code (as given to `assess --client`).
        #[arg(long, value_name = "CODE")]
        client: String,
        /// Before against after within this session (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", conflicts_with_all = ["sessions", "assessments", "baseline"], value_parser = session_date)]
        session: Option<String>,
        /// The latest assessment per side in the first session against that in the second.
        #[arg(long, num_args = 2, value_names = ["DATE1", "DATE2"], conflicts_with_all = ["assessments", "baseline"], value_parser = session_date)]
        sessions: Option<Vec<String>>,
        /// Two assessments by id (the ids `romcam history` shows, or their first 4+ characters).
        #[arg(long, num_args = 2, value_names = ["ID1", "ID2"], conflicts_with = "baseline", value_parser = assessment_id)]
        assessments: Option<Vec<String>>,
        /// Progress per side: the first before-treatment assessment against the latest assessment
        /// (for a progress or discharge report).
        #[arg(long)]
        baseline: bool,
        /// Print JSON on stdout instead of the table (for other programs).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Writes a report (PDF or HTML) from the store: one assessment, a comparison of two
    /// assessments per leg, or a client's history.
    #[command(group(clap::ArgGroup::new("kind").required(true).args(["assessment", "compare", "history"])))]
    #[command(after_help = "Examples:
  romcam report --client 0042 --assessment 3fa2b1c4 --out 0042-assessment.pdf
  romcam report --client 0042 --compare --out 0042-comparison.pdf
  romcam report --client 0042 --compare --sessions 2026-11-20 2026-12-04 --out 0042-progress.pdf
  romcam report --client 0042 --compare --baseline --out 0042-discharge.pdf
  romcam report --client 0042 --history --out 0042-history.html

A comparison page names what it compares by the stored sessions and phases (\"2026-11-20 after →
2026-12-04 after\"); only a session's before/after pair is called before/after treatment.")]
    Report {
        /// The client's code.
        #[arg(long, value_name = "CODE")]
        client: String,
        /// One stored assessment by id (the id `romcam history` shows, or its first 4+
        /// characters): the page of `assess --report`.
        #[arg(long, value_name = "ID", value_parser = assessment_id)]
        assessment: Option<String>,
        /// A comparison of two assessments per leg (default: the latest before/after treatment
        /// pair of each side).
        #[arg(long)]
        compare: bool,
        /// With --compare: before against after within this session (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", conflicts_with_all = ["sessions", "assessments", "baseline", "history", "assessment"], value_parser = session_date)]
        session: Option<String>,
        /// With --compare: the latest assessment per side in the first session against that in the second.
        #[arg(long, num_args = 2, value_names = ["DATE1", "DATE2"], conflicts_with_all = ["assessments", "baseline", "history", "assessment"], value_parser = session_date)]
        sessions: Option<Vec<String>>,
        /// With --compare: two assessments by id (as `romcam history` shows them).
        #[arg(long, num_args = 2, value_names = ["ID1", "ID2"], conflicts_with_all = ["baseline", "history", "assessment"], value_parser = assessment_id)]
        assessments: Option<Vec<String>>,
        /// With --compare: progress per side, the first before-treatment assessment against the
        /// latest assessment (a progress or discharge report).
        #[arg(long, conflicts_with_all = ["history", "assessment"])]
        baseline: bool,
        /// Every assessment of the client over time, per side.
        #[arg(long)]
        history: bool,
        /// The report file: .pdf or .html.
        #[arg(long, value_name = "FILE", value_parser = crate::report::stored::parse_out)]
        out: ReportTarget,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
        /// Settings for the report header (clinic, therapist), TOML.
        #[arg(long, value_name = "FILE", value_parser = parse_config_arg)]
        config: Option<ReportConfig>,
        #[command(flatten)]
        store: StoreArgs,
        /// No "romcam: wrote ..." line on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Corrects a stored assessment: its phase, its session date or its note. Every change is
    /// kept in the client's audit trail (old and new value, when, who), shown by `history`.
    #[command(group(clap::ArgGroup::new("change").required(true).multiple(true).args(["phase", "session", "note"])))]
    #[command(after_help = "Examples:
  romcam amend 3fa2b1c4 --phase after                   it was filmed after the treatment, not before
  romcam amend 3fa2b1c4 --session 2026-11-20            it belongs to the session of 20 November
  romcam amend 3fa2b1c4 --note \"left knee sore\"         set the note (--note \"\" clears it)

Who: the therapist in the settings file (~/.config/romcam/config.toml or --config), or else
the user name.")]
    Amend {
        /// The assessment's id (as `romcam history` shows it, or its first 4+ characters).
        #[arg(value_parser = assessment_id)]
        assessment: String,
        /// The phase it was in: before or after the treatment (or none).
        #[arg(long, value_enum)]
        phase: Option<Phase>,
        /// The session it belongs to: YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY.
        #[arg(long, value_name = "DATE", value_parser = session_date)]
        session: Option<String>,
        /// The assessment's note ("" clears it).
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Settings file naming the therapist who makes the change, TOML.
        #[arg(long, value_name = "FILE", value_parser = parse_config_arg)]
        config: Option<ReportConfig>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Removes one stored assessment (a wrong clip, a failed recording). Asks for confirmation;
    /// the removal, with what was removed, stays in the client's audit trail.
    #[command(after_help = "Examples:
  romcam remove 3fa2b1c4           asks you to type the id 3fa2b1c4 to confirm
  romcam remove 3fa2b1c4 --yes     no question (for scripts)")]
    Remove {
        /// The assessment's id (as `romcam history` shows it, or its first 4+ characters).
        #[arg(value_parser = assessment_id)]
        assessment: String,
        /// Do not ask (for scripts).
        #[arg(long)]
        yes: bool,
        /// Settings file naming the therapist who makes the change, TOML.
        #[arg(long, value_name = "FILE", value_parser = parse_config_arg)]
        config: Option<ReportConfig>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Sets a client's note (shown by `history` and on the history report; kept in the audit
    /// trail).
    #[command(after_help = "Examples:
  romcam note 0042 \"runner, right hamstring strain 2025\"
  romcam note 0042 \"\"             clears the note")]
    Note {
        /// The client's code (as given to `assess --client`).
        client: String,
        /// The note ("" clears it).
        text: String,
        /// Settings file naming the therapist who makes the change, TOML.
        #[arg(long, value_name = "FILE", value_parser = parse_config_arg)]
        config: Option<ReportConfig>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Writes every record of a client as JSON (backup, moving laptops). Clips are named by
    /// file name only.
    #[command(after_help = "Examples:
  romcam export 0042 --out 0042.json
  romcam import 0042.json --data-dir /media/usb/romcam
  romcam export --all --out laptop/      every client, one file each (moving to a clinic store)
  romcam import laptop/ --store postgres://alice@db.clinic.example/romcam")]
    Export {
        /// The client's code (as given to `assess --client`).
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        client: Option<String>,
        /// Every client in the store, one file CODE.json each in the folder given with --out.
        #[arg(long, requires = "out")]
        all: bool,
        /// Output file (default: stdout); with --all, the folder to write into.
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        store: StoreArgs,
        /// No "romcam: wrote ..." line on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Reads a client export back into the store; records already present are skipped.
    #[command(after_help = "Example:
  romcam import 0042.json")]
    Import {
        /// A file written by `romcam export`, or a folder written by `romcam export --all`
        /// (each of its .json files is imported).
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Erases a client and all their records, notes and audit trail (right to erasure). Asks for
    /// confirmation.
    #[command(after_help = "Examples:
  romcam delete 0042           asks you to type 0042 to confirm
  romcam delete 0042 --yes     no question (for scripts)")]
    Delete {
        /// The client's code (as given to `assess --client`).
        client: String,
        /// Do not ask (for scripts).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Films the test with a live framing check, keeps the clip and stores its assessment
    /// (as `assess --client` does).
    #[command(after_help = "Examples:
  romcam record --client 0042 --phase before
      camera 0; Space starts and stops recording
  romcam record --camera 1 --auto --client 0042 --phase after
      camera 1; recording starts when the checklist is green, stops 3 s after the hold
  romcam record --camera clip.mp4 --auto --no-preview --client T --phase before
      a video file played as the camera, the checklist on the terminal

The preview shows the skeleton, the test leg, the table line and its tilt, the framing checklist
(each item green or red), the live hip and knee angles and the hold timer (green after 3 s still).
Space starts and stops recording, Esc cancels; after the assessment, Enter keeps it, Backspace or
D discards it (the clip is deleted) to film again; with --auto it is kept. Without a display (or
with --no-preview) the checklist is printed as it changes, and Enter starts and stops. The clip (H.264 MP4, mode 0600) is
kept in the store's folder under clips/CODE/ and stored with the assessment.")]
    Record {
        /// The camera: a number (0 = /dev/video0), or a video file or stream URL (a file is
        /// played in real time, as a camera would deliver it).
        #[arg(long, value_name = "N|FILE", default_value = "0", value_parser = crate::video::camera::CameraSpec::parse)]
        camera: crate::video::camera::CameraSpec,
        /// Start recording when the checklist is green, stop 3 s after the hold is reached, and
        /// keep the result.
        #[arg(long)]
        auto: bool,
        /// No preview window: print the checklist on the terminal.
        #[arg(long)]
        no_preview: bool,
        /// Store the result for this client (a code, not a name).
        #[arg(long, value_name = "CODE")]
        client: String,
        /// Before or after the treatment.
        #[arg(long, value_name = "before|after", value_parser = record_phase)]
        phase: Phase,
        /// Session date (default: today): YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY; stored as YYYY-MM-DD.
        #[arg(long, value_name = "DATE", value_parser = session_date)]
        session: Option<String>,
        /// A note stored with the assessment (shown in history and the reports).
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        pose: PoseArgs,
        /// No "romcam: stored ..." lines on stderr.
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        runtime: RuntimeArgs,
    },
    /// Diagnostic: writes the BlazePose landmarks of every frame of a clip (not needed for an
    /// assessment).
    #[command(after_help = "Examples:
  romcam pose clip.mp4 --json landmarks.json
  romcam pose clip.mp4 --json landmarks.json --overlay skeleton.mp4")]
    Pose {
        /// The video to find the landmarks in.
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
        /// Blur every face in the overlay video.
        #[arg(long, requires = "overlay")]
        blur_faces: bool,
        #[command(flatten)]
        pose: PoseArgs,
        /// No progress bars.
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        runtime: RuntimeArgs,
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
    // everything romcam creates (store, reports, temporary files) is readable by the user only
    // SAFETY: umask only changes this process's file-creation mask.
    unsafe {
        libc::umask(0o077);
    }
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
    match cli.command {
        Command::Assess {
            video,
            json,
            side,
            hip_threshold,
            knee_threshold,
            client,
            phase,
            session,
            note,
            replace,
            store,
            pose,
            report,
            quiet,
            runtime,
        } => {
            runtime.init()?;
            commands::assess::run(AssessJob {
                video,
                json,
                side,
                criteria: Criteria {
                    hip_extension_threshold_deg: hip_threshold,
                    knee_flexion_threshold_deg: knee_threshold,
                    ..Criteria::default()
                },
                target: client.map(|client| StoreTarget {
                    client,
                    phase,
                    session,
                    data_dir: store.dir().map(Path::to_path_buf),
                    replace,
                    note,
                }),
                report: report.request(),
                pose: pose.choice(),
                quiet,
            })
        }
        Command::Clients { json, store } => commands::clients::run(store.dir(), json),
        Command::History { client, json, store } => commands::history::run(store.dir(), &client, json),
        Command::Compare { client, session, sessions, assessments, baseline, json, store } => {
            commands::compare::run(
                store.dir(),
                &client,
                &selection(session, sessions, assessments, baseline),
                json,
            )
        }
        Command::Report {
            client,
            assessment,
            compare,
            session,
            sessions,
            assessments,
            baseline,
            history: _,
            out,
            force,
            config,
            store,
            quiet,
        } => {
            let kind = match (assessment, compare) {
                (Some(id), _) => StoredReportKind::Assessment(id),
                (None, true) => {
                    StoredReportKind::Compare(selection(session, sessions, assessments, baseline))
                }
                (None, false) => StoredReportKind::History,
            };
            commands::report::run(
                store.dir(),
                &StoredReportRequest { client, kind, out, force, config },
                quiet,
            )
        }
        Command::Export { client, all: true, out: Some(out), force, store, quiet } => {
            let _ = client;
            commands::export::run_all(store.dir(), &out, force, quiet)
        }
        Command::Export { client, out, force, store, quiet, .. } => commands::export::run(
            store.dir(),
            client.as_deref().unwrap_or_default(),
            out.as_deref(),
            force,
            quiet,
        ),
        Command::Import { file, store } => commands::import::run(store.dir(), &file),
        Command::Amend { assessment, phase, session, note, config, store } => commands::amend::run(
            store.dir(),
            &assessment,
            &Amendment { phase, session_date: session, note },
            &config,
        ),
        Command::Remove { assessment, yes, config, store } => {
            commands::remove::run(store.dir(), &assessment, yes, &config)
        }
        Command::Note { client, text, config, store } => {
            commands::note::run(store.dir(), &client, &text, &config)
        }
        Command::Delete { client, yes, store } => commands::delete::run(store.dir(), &client, yes),
        Command::Pose { video, json, overlay, force, blur_faces, pose, quiet, runtime } => {
            runtime.init()?;
            commands::pose::run(&PoseJob {
                video,
                json,
                overlay,
                force,
                blur_faces,
                pose: pose.choice(),
                quiet,
            })
        }
        Command::Record {
            camera,
            auto,
            no_preview,
            client,
            phase,
            session,
            note,
            store,
            pose,
            quiet,
            runtime,
        } => {
            runtime.init()?;
            commands::record::run(commands::record::RecordJob {
                camera,
                auto,
                no_preview,
                target: StoreTarget {
                    client,
                    phase,
                    session,
                    data_dir: store.dir().map(Path::to_path_buf),
                    replace: false,
                    note,
                },
                pose: pose.choice(),
                quiet,
            })
        }
    }
}

/// Which assessments `compare` and `report --compare` put side by side.
fn selection(
    session: Option<String>,
    sessions: Option<Vec<String>>,
    assessments: Option<Vec<String>>,
    baseline: bool,
) -> Selection {
    if baseline {
        return Selection::Baseline;
    }
    match (session, sessions, assessments) {
        (Some(d), _, _) => Selection::Session(d),
        (_, Some(d), _) if d.len() == 2 => Selection::Sessions(d[0].clone(), d[1].clone()),
        (_, _, Some(a)) if a.len() == 2 => Selection::Assessments(a[0].clone(), a[1].clone()),
        _ => Selection::Latest,
    }
}

/// An assessment id as typed (the short id `history` shows, or a prefix of at least 4 hex
/// digits); a malformed one is a usage error (exit 2).
fn assessment_id(text: &str) -> Result<String, String> {
    crate::store::records::parse_assessment_id(text)
}

/// `--session` and `--sessions`: a real calendar date, not in the future, in one of the forms
/// [`SessionDate`] reads, as YYYY-MM-DD (a wrong one is a usage error, exit 2).
fn session_date(text: &str) -> Result<String, String> {
    crate::store::session_date::SessionDate::parse_arg(text).map(|d| d.to_string())
}

/// `record --phase`: before or after (a recording is always one of the two).
fn record_phase(text: &str) -> Result<Phase, String> {
    match text {
        "before" => Ok(Phase::Before),
        "after" => Ok(Phase::After),
        _ => Err(format!("{text:?} is not a phase: give before or after")),
    }
}
