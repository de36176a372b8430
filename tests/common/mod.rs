//! Shared by the integration tests: one pose pass per sample clip, cached for every test.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use romcam::assess::{self, Assessment, Criteria};
use romcam::measure::{self, MeasureOptions};
use romcam::pose::{self, PoseFrame, PoseOptions};

/// Every sample clip.
pub const CLIPS: [&str; 18] = [
    "dev01_pre_left",
    "dev02_post_left",
    "dev03_right",
    "dev04_roll6",
    "dev05_portrait",
    "dev06_tight_yaw10",
    "dev07_phone_rotated",
    "dev08_bystander",
    "dev09_loose12_yaw8",
    "dev10_loose18_lowcam",
    "dev11_portrait_yaw5",
    "dev12_highcam_yaw10",
    "dev13_dim_roll-3",
    "dev14_handheld",
    "dev15_neutral_roll-6",
    "dev16_farside",
    "dev17_bystander_near",
    "dev18_tight16_heavy",
];

/// Sample clips whose result romcam must withhold, and why: the test leg is the one farther
/// from the camera (its hip is hidden behind the pelvis).
pub const WITHHELD_CLIPS: [&str; 1] = ["dev16_farside"];

pub fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples").join(name)
}

pub fn truth(clip: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(sample(&format!("{clip}.json"))).expect("ground truth");
    serde_json::from_str(&text).expect("ground truth JSON")
}

pub struct Analysed {
    pub frames: Vec<PoseFrame>,
    pub assessment: Assessment,
}

type Cache = Mutex<HashMap<String, Arc<OnceLock<Arc<Analysed>>>>>;

/// The pose frames and assessment of a sample clip as `romcam assess` makes them (adaptive
/// sampling), computed once per test run.
pub fn analysed(clip: &str) -> Arc<Analysed> {
    cached(clip, PoseOptions { threads: 1, ..PoseOptions::for_assess() })
}

/// The same with landmarks on every frame, as `romcam pose` makes them.
pub fn analysed_every_frame(clip: &str) -> Arc<Analysed> {
    cached(clip, PoseOptions { threads: 1, ..PoseOptions::default() })
}

fn cached(clip: &str, options: PoseOptions) -> Arc<Analysed> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = format!("{clip}/{:?}", options.sampling);
    let cell = {
        let mut map = CACHE.get_or_init(Default::default).lock().unwrap();
        map.entry(key).or_default().clone()
    };
    cell.get_or_init(|| {
        romcam::runtime::init_onnx_runtime(None).expect("ONNX Runtime");
        let path = sample(&format!("{clip}.mp4"));
        let track = pose::estimate_pose(&path, &options, &mut |_, _| {}).expect("pose");
        let m = measure::measure(&track, &MeasureOptions::default()).expect("measure");
        let assessment = assess::assess(m, &Criteria::default(), clip, "full");
        Arc::new(Analysed { frames: track.frames, assessment })
    })
    .clone()
}

/// A stand-in for a video's SHA-256, different for each `key` (the cached analyses keep no
/// file to hash, and the store refuses the same video twice for a client).
pub fn fake_sha256(key: &str) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(key.as_bytes()))
}

pub fn romcam() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_romcam"))
}

/// What a romcam process printed and returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the built romcam with `args` and extra environment variables.
pub fn run_romcam(args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> Run {
    let mut cmd = std::process::Command::new(romcam());
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("romcam runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Assessments in a store file, after checking the file's integrity.
pub fn stored_assessments(file: &Path) -> i64 {
    let conn = rusqlite::Connection::open(file).unwrap();
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    conn.query_row("SELECT COUNT(*) FROM assessments", [], |r| r.get(0)).unwrap()
}

/// Runs a poppler-utils tool and returns what it printed.
pub fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = std::process::Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils, installed by scripts/setup): {e}"));
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The PDF's text with its layout (table rows stay on one line).
pub fn pdf_layout(pdf: &Path) -> String {
    poppler("pdftotext", &["-layout".as_ref(), pdf.as_os_str(), "-".as_ref()])
}

/// Renders every page (pdftoppm, at `dpi`) into `dir` and returns the page images in order.
pub fn pdf_pages(pdf: &Path, dir: &Path, dpi: u32) -> Vec<PathBuf> {
    let prefix = dir.join(format!("{}-page", pdf.file_stem().unwrap().to_string_lossy()));
    let dpi = dpi.to_string();
    poppler("pdftoppm", &["-png".as_ref(), "-r".as_ref(), dpi.as_ref(), pdf.as_os_str(), prefix.as_os_str()]);
    let stem = prefix.file_name().unwrap().to_string_lossy().into_owned();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&stem))
        .collect();
    pages.sort();
    pages
}

/// Copies the files of a test's folder to $ROMCAM_REPORT_TEST_OUT when the test ends, passed or
/// failed, each name after `prefix` (for looking at the reports a test made).
pub struct KeepFiles {
    pub dir: PathBuf,
    pub prefix: &'static str,
}

impl Drop for KeepFiles {
    fn drop(&mut self) {
        let Some(out) = std::env::var_os("ROMCAM_REPORT_TEST_OUT") else { return };
        let out = PathBuf::from(out);
        let _ = std::fs::create_dir_all(&out);
        for e in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            if e.path().is_file() {
                let name = format!("{}{}", self.prefix, e.file_name().to_string_lossy());
                let _ = std::fs::copy(e.path(), out.join(name));
            }
        }
    }
}

/// The hostile corpus that `tests/corpus/make.sh` makes from the sample clips, made once per
/// test binary.
pub fn corpus() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/make.sh");
        let out =
            std::process::Command::new("bash").arg(script).arg(&dir).output().expect("corpus script runs");
        assert!(out.status.success(), "corpus: {}", String::from_utf8_lossy(&out.stderr));
        dir
    })
}

/// One round of [`kill_at_random_moments`].
pub struct KillRound {
    /// When the kill was due, milliseconds after the start.
    pub delay_ms: u64,
    /// The run's length as estimated when this round was drawn.
    pub estimate_ms: u64,
    /// Killed by SIGKILL while running (rather than finished first).
    pub killed: bool,
    /// Uninterrupted runs made so far to measure the run's length.
    pub uninterrupted_runs: usize,
}

/// Starts a process `rounds` times and kills it with SIGKILL at a random moment of its run,
/// from `from` to `to` times its length (fractions). The length is the median of the last
/// three uninterrupted runs: two at the start and one every tenth round, so the moments follow
/// the machine's speed as it changes during the test. `check` runs after every round.
pub fn kill_at_random_moments(
    rounds: usize,
    mut seed: u64,
    (from, to): (f64, f64),
    mut spawn: impl FnMut() -> std::process::Child,
    mut check: impl FnMut(usize, &KillRound),
) -> Vec<KillRound> {
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};
    let mut lengths: Vec<u64> = Vec::new();
    let mut measure = |spawn: &mut dyn FnMut() -> std::process::Child| {
        let started = Instant::now();
        assert!(spawn().wait().unwrap().success(), "an uninterrupted run succeeds");
        lengths.push(started.elapsed().as_millis() as u64);
        let mut last: Vec<u64> = lengths.iter().rev().take(3).copied().collect();
        last.sort_unstable();
        (last[last.len() / 2].max(1), lengths.len())
    };
    measure(&mut spawn);
    let (mut estimate_ms, mut uninterrupted_runs) = measure(&mut spawn);
    let mut out = Vec::new();
    for round in 0..rounds {
        if round > 0 && round % 10 == 0 {
            (estimate_ms, uninterrupted_runs) = measure(&mut spawn);
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let fraction = from + (to - from) * (seed % 10_000) as f64 / 10_000.0;
        let delay_ms = (fraction * estimate_ms as f64) as u64;
        let started = Instant::now();
        let mut child = spawn();
        let finished = loop {
            if child.try_wait().unwrap().is_some() {
                break true;
            }
            if started.elapsed() >= Duration::from_millis(delay_ms) {
                break false;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let killed = !finished && {
            let _ = child.kill();
            child.wait().unwrap().signal() == Some(libc::SIGKILL)
        };
        let r = KillRound { delay_ms, estimate_ms, killed, uninterrupted_runs };
        check(round, &r);
        out.push(r);
    }
    out
}

/// The store a test works on: the SQLite store in a temporary folder, or, when
/// `$ROMCAM_TEST_PG` names a PostgreSQL server (an admin address such as
/// `postgres://postgres@localhost:5433/postgres`; scripts/test sets it under pg_virtualenv), a
/// fresh database of its own on that server, so that the same tests run on both backends.
pub struct TestStore {
    pub dir: tempfile::TempDir,
    /// The PostgreSQL address, when the tests run against a server.
    pub url: Option<String>,
}

/// The admin address of the test server, if the tests run against one.
pub fn test_server() -> Option<String> {
    std::env::var("ROMCAM_TEST_PG").ok().filter(|s| !s.is_empty())
}

/// A new, empty database on the test server; its address.
pub fn fresh_database(admin: &str) -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).unwrap();
    let name = format!("romcam_t_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let address = romcam::store::server::parse(admin, false).unwrap();
    let mut client = romcam::store::server::connect(&address).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    let base = if base.ends_with('/') || base.ends_with(':') { admin } else { base };
    format!("{base}/{name}")
}

impl TestStore {
    pub fn new() -> TestStore {
        let dir = tempfile::tempdir().unwrap();
        TestStore { dir, url: test_server().map(|admin| fresh_database(&admin)) }
    }

    /// Opens the store (creating or migrating it).
    pub fn open(&self) -> romcam::store::Store {
        match &self.url {
            Some(url) => romcam::store::Store::open_server(url, false).unwrap(),
            None => romcam::store::Store::open(self.dir.path()).unwrap(),
        }
    }

    /// The command-line arguments that choose this store.
    pub fn args(&self) -> Vec<std::ffi::OsString> {
        match &self.url {
            Some(url) => vec!["--store".into(), url.into()],
            None => vec!["--data-dir".into(), self.dir.path().into()],
        }
    }

    /// How many assessments the store holds (after an integrity check on SQLite).
    pub fn assessments(&self) -> i64 {
        match &self.url {
            Some(_) => self.open().clients().unwrap().iter().map(|c| c.assessments).sum(),
            None => stored_assessments(&self.dir.path().join("romcam.sqlite3")),
        }
    }
}

/// The median x of a ground-truth joint (e.g. "hip.L") over the held part of sample `clip`.
pub fn held_median_x(clip: &str, joint: &str) -> f64 {
    let gt = truth(clip);
    let held_from = gt["timeline_s"]["held_from"].as_f64().expect("held_from in the ground truth");
    let mut xs: Vec<f64> = gt["frames"]
        .as_array()
        .expect("frames in the ground truth")
        .iter()
        .filter(|f| f["t"].as_f64().is_some_and(|t| t >= held_from))
        .filter_map(|f| f["joints2d"][joint][0].as_f64())
        .collect();
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// A copy of sample `clip` at 15 frames/s whose picture ends between hip and shoulder, on the
/// head's side: at `fraction` of the way from the hips' midpoint to the shoulders' (the medians
/// over the hold, from the ground truth). The landmark model draws a whole body inside such a
/// picture on some frames.
pub fn trunk_cut_clip(dir: &Path, clip: &str, fraction: f64) -> PathBuf {
    let median_x = |joint: &str| held_median_x(clip, joint);
    let hips = (median_x("hip.L") + median_x("hip.R")) / 2.0;
    let shoulders = (median_x("shoulder.L") + median_x("shoulder.R")) / 2.0;
    let cut = hips + fraction * (shoulders - hips);
    let crop = if shoulders > hips {
        format!("crop={cut:.0}:ih:0:0")
    } else {
        format!("crop=iw-{cut:.0}:ih:{cut:.0}:0")
    };
    filtered_sample(dir, clip, &format!("{clip}_trunk_cut_{:.0}", fraction * 100.0), &crop)
}

/// Sample `clip` through an ffmpeg video filter, at 15 frames/s to keep the tests quick, as
/// `dir/NAME.mp4` (H.264).
pub fn filtered_sample(dir: &Path, clip: &str, name: &str, filter: &str) -> PathBuf {
    let out = dir.join(format!("{name}.mp4"));
    let status = std::process::Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-i"])
        .arg(sample(&format!("{clip}.mp4")))
        .args(["-vf", &format!("fps=15,{filter}"), "-c:v", "libx264", "-crf", "18", "-an"])
        .arg(&out)
        .status()
        .expect("ffmpeg runs (scripts/setup installs it)");
    assert!(status.success(), "ffmpeg made no {name} clip from {clip}");
    out
}
