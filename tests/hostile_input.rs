//! Hostile input, part two (issue 18): upside-down and mirrored clips, damaged video, inputs
//! made to exhaust memory, untrusted exports, a broken environment. Each case asserts the exit
//! code, one sentence, the peak memory of the romcam process (from `wait4`'s resource usage),
//! and that nothing was stored or left behind. The clips come from tests/corpus/make.sh.

mod common;

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{corpus, romcam, sample, stored_assessments};

/// A finished romcam process: exit code, output, and its peak resident memory.
struct Measured {
    code: i32,
    stdout: String,
    stderr: String,
    peak_mib: f64,
}

/// Runs romcam and measures its peak resident set size (`ru_maxrss` of this child alone).
#[allow(clippy::zombie_processes)] // waited for with wait4, which gives the resource usage
fn run_measured(args: &[&OsStr], env: &[(&str, &OsStr)]) -> Measured {
    let mut cmd = Command::new(romcam());
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("romcam starts");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let mut stderr = String::new();
    let _ = err.read_to_string(&mut stderr);
    let stdout = reader.join().unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it in for this child, which std has not
    // waited for (the Child is dropped below without waiting).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 + libc::WTERMSIG(status) };
    Measured { code, stdout, stderr, peak_mib: usage.ru_maxrss as f64 / 1024.0 }
}

/// Peak RSS of `romcam --version`: what the binary and its shared libraries (OpenCV, GTK for the
/// preview window) cost before romcam does anything. "Refused before any work" is measured
/// against this, so that a larger system library does not look like work.
fn startup_peak_mib() -> f64 {
    run_measured(&[OsStr::new("--version")], &[]).peak_mib
}

/// The README's promise: peak RSS under 400 MB on any input.
const PEAK_LIMIT_MIB: f64 = 381.0;

fn assess_json(clip: &Path) -> Measured {
    run_measured(&[OsStr::new("assess"), clip.as_os_str(), OsStr::new("--json"), OsStr::new("-q")], &[])
}

/// Asserts a refusal: the exit code, one sentence holding `words`, no result, bounded memory.
fn assert_refused(name: &str, r: &Measured, code: i32, words: &str) {
    assert_eq!(r.code, code, "{name}: stderr {}", r.stderr);
    assert!(r.stderr.contains(words), "{name}: {}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{name}: one line: {}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{name}");
    assert!(r.stdout.trim().is_empty(), "{name}: no result printed: {}", r.stdout);
    assert!(r.peak_mib < PEAK_LIMIT_MIB, "{name}: peak memory {:.0} MiB", r.peak_mib);
    eprintln!("{name}: exit {}, peak {:.0} MiB", r.code, r.peak_mib);
}

/// `assess --json` that also stores the result for a client in `data`.
fn assess_into_store(clip: &Path, data: &Path) -> Measured {
    let args: Vec<OsString> = vec![
        "assess".into(),
        clip.into(),
        "--json".into(),
        "-q".into(),
        "--client".into(),
        "T1".into(),
        "--phase".into(),
        "before".into(),
        "--data-dir".into(),
        data.into(),
    ];
    run_measured(&args.iter().map(OsString::as_os_str).collect::<Vec<_>>(), &[])
}

/// Assessments stored in `data` (0 when there is no store).
fn stored(data: &Path) -> i64 {
    let file = data.join("romcam.sqlite3");
    if file.exists() {
        stored_assessments(&file)
    } else {
        0
    }
}

/// Files left in a folder (hidden ones included).
fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn figures(name: &str, r: &Measured) -> (f64, f64) {
    assert_eq!(r.code, 0, "{name}: {}", r.stderr);
    assert!(r.peak_mib < PEAK_LIMIT_MIB, "{name}: peak memory {:.0} MiB", r.peak_mib);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    (v["hip_extension_deg"].as_f64().unwrap(), v["knee_flexion_deg"].as_f64().unwrap())
}

/// Issue 18, item 2: a clip turned upside down in its pixels (or flipped vertically, or by a
/// display matrix) is measured the right way up or refused; a mirrored one measures the same.
#[test]
fn upside_down_clips_are_refused_and_mirrored_ones_measure_the_same() {
    let c = corpus();
    let original = figures("dev04_roll6", &assess_json(&sample("dev04_roll6.mp4")));
    for name in ["hflip_pixels.mp4", "hflip_tag.mp4"] {
        let (hip, knee) = figures(name, &assess_json(&c.join(name)));
        assert!((hip - original.0).abs() <= 1.0, "{name}: hip {hip} vs {}", original.0);
        assert!((knee - original.1).abs() <= 2.0, "{name}: knee {knee} vs {}", original.1);
    }
    for name in ["rot180_pixels.mp4", "vflip_pixels.mp4", "vflip_tag.mp4", "dev01_rot180_pixels.mp4"] {
        let data = tempfile::tempdir().unwrap();
        let r = assess_into_store(&c.join(name), data.path());
        assert_eq!(stored(data.path()), 0, "{name}: something was stored");
        assert_refused(name, &r, 4, "upside down");
    }
    let r = assess_json(&c.join("rotate45_tag.mp4"));
    assert_refused("rotate45_tag.mp4", &r, 3, "45°");
}

fn romcam_in(data: &Path, args: &[&OsStr]) -> Measured {
    let mut all: Vec<&OsStr> = args.to_vec();
    all.extend([OsStr::new("--data-dir"), data.as_os_str()]);
    run_measured(&all, &[])
}

/// Clients and assessments in the store in `data` (0, 0 when there is none).
fn store_counts(data: &Path) -> (i64, i64) {
    let file = data.join("romcam.sqlite3");
    if !file.exists() {
        return (0, 0);
    }
    let assessments = stored_assessments(&file);
    let conn = rusqlite::Connection::open(&file).unwrap();
    (conn.query_row("SELECT COUNT(*) FROM clients", [], |r| r.get(0)).unwrap(), assessments)
}

/// A PNG header (signature and IHDR) claiming `w` x `h` pixels, with no image data.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    png.extend(w.to_be_bytes());
    png.extend(h.to_be_bytes());
    png.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
    png
}

/// Issue 18, item 7: every imported record is checked completely before anything is written,
/// and the refusal names the record and the reason.
#[test]
fn import_refuses_every_inconsistent_or_oversized_record_and_writes_nothing() {
    use base64::Engine;
    let source = tempfile::tempdir().unwrap();
    let clip = sample("dev02_post_left.mp4");
    let r = assess_into_store(&clip, source.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = source.path().join("t1.json");
    let r = romcam_in(
        source.path(),
        &[OsStr::new("export"), OsStr::new("T1"), OsStr::new("--out"), out.as_os_str()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let good: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();

    type Edit = fn(&mut serde_json::Value);
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "result null",
            |v| v["sessions"][0]["assessments"][0]["result"] = serde_json::Value::Null,
            "not an object",
        ),
        ("result {}", |v| v["sessions"][0]["assessments"][0]["result"] = serde_json::json!({}), "test_side"),
        (
            "result contradicts the figures",
            |v| v["sessions"][0]["assessments"][0]["result"]["hip_extension_deg"] = 25.0.into(),
            "contradicts its result",
        ),
        (
            "hip +1e308",
            |v| {
                let a = &mut v["sessions"][0]["assessments"][0];
                a["hip_extension_deg"] = 1e308.into();
                a["result"]["hip_extension_deg"] = 1e308.into();
            },
            "outside -90..90",
        ),
        (
            "knee 1e17",
            |v| {
                let a = &mut v["sessions"][0]["assessments"][0];
                a["knee_flexion_deg"] = 1e17.into();
                a["result"]["knee_flexion_deg"] = 1e17.into();
            },
            "outside -30..180",
        ),
        (
            "a per-frame angle of 1e17",
            |v| {
                v["sessions"][0]["assessments"][0]["result"]["measurement"]["samples"][5]
                    ["knee_flexion_deg"] = 1e17.into()
            },
            "result.measurement.samples.knee_flexion_deg 100000000000000000 is out of range",
        ),
        (
            "result of the wrong shape",
            |v| v["sessions"][0]["assessments"][0]["result"]["hold"] = "yesterday".into(),
            "not a romcam assessment",
        ),
        (
            "20000 x 20000 key frame",
            |v| {
                let b64 = base64::engine::general_purpose::STANDARD.encode(png_header(20000, 20000));
                v["sessions"][0]["assessments"][0]["key_frame_png_base64"] = b64.into();
            },
            "20000 x 20000 pixels",
        ),
        (
            "key frame not a PNG",
            |v| v["sessions"][0]["assessments"][0]["key_frame_png_base64"] = "aGVsbG8=".into(),
            "not a PNG",
        ),
        ("bad video hash", |v| v["sessions"][0]["assessments"][0]["video_sha256"] = "x".into(), "SHA-256"),
        ("bad time", |v| v["sessions"][0]["assessments"][0]["created_at"] = "soon".into(), "not a time"),
        ("bad client code", |v| v["client"]["code"] = "../etc".into(), "not valid"),
        (
            "twice the same session",
            |v| {
                let s = v["sessions"][0].clone();
                v["sessions"].as_array_mut().unwrap().push(s);
            },
            "twice",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, edit, words) in cases {
        let mut v = good.clone();
        edit(&mut v);
        let file = dir.path().join("edited.json");
        std::fs::write(&file, serde_json::to_vec(&v).unwrap()).unwrap();
        let data = tempfile::tempdir().unwrap();
        let r = romcam_in(data.path(), &[OsStr::new("import"), file.as_os_str()]);
        assert_refused(name, &r, 3, words);
        assert!(files_in(data.path()).is_empty(), "{name}: left {:?}", files_in(data.path()));
    }

    // a byte-order mark is accepted
    let data = tempfile::tempdir().unwrap();
    let file = dir.path().join("bom.json");
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(serde_json::to_vec(&good).unwrap());
    std::fs::write(&file, bytes).unwrap();
    let r = romcam_in(data.path(), &[OsStr::new("import"), file.as_os_str()]);
    assert_eq!(r.code, 0, "BOM: {}", r.stderr);
    assert_eq!(store_counts(data.path()), (1, 1));

    // a renamed export: its records are in the store under T1 already
    let mut renamed = good.clone();
    renamed["client"]["code"] = "T2".into();
    std::fs::write(&file, serde_json::to_vec(&renamed).unwrap()).unwrap();
    let r = romcam_in(data.path(), &[OsStr::new("import"), file.as_os_str()]);
    assert_refused("renamed export", &r, 3, "already holds it for client \"T1\"");
    assert_eq!(store_counts(data.path()), (1, 1), "renamed export: a client was created");

    // an endless input is refused at the size limit, in bounded memory
    let empty = tempfile::tempdir().unwrap();
    let r = romcam_in(empty.path(), &[OsStr::new("import"), OsStr::new("/dev/zero")]);
    assert_refused("/dev/zero", &r, 3, "larger than 100 MB");
    assert!(files_in(empty.path()).is_empty(), "/dev/zero: left {:?}", files_in(empty.path()));
}

/// Issue 18, item 3: frames that FFmpeg decodes with errors are counted; the result is withheld
/// when they touch the hold (exit 4, `null` with the reason, as every withheld figure).
#[test]
fn damaged_video_is_withheld_when_the_damage_reaches_the_hold() {
    let c = corpus();
    for name in ["damaged_bits_a.mp4", "damaged_bits_b.mp4"] {
        let r = assess_json(&c.join(name));
        assert_eq!(r.code, 4, "{name}: {}", r.stderr);
        assert!(r.peak_mib < PEAK_LIMIT_MIB, "{name}: peak {:.0} MiB", r.peak_mib);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert!(v["hip_extension_deg"].is_null(), "{name}: {}", v["hip_extension_deg"]);
        let why = v["withheld_reason"].as_str().unwrap_or_default();
        assert!(why.contains("could not be decoded cleanly") && why.contains("hold"), "{name}: {why}");
        assert!(!r.stderr.contains("panicked"), "{name}: {}", r.stderr);
    }
}

/// Issue 18, item 5: oversized frames (mp4 and mkv) and oversized container metadata are
/// refused before anything large is allocated, in one sentence.
#[test]
fn oversized_frames_and_metadata_are_refused_in_bounded_memory() {
    let c = corpus();
    let cases = [
        ("huge_frames.mp4", "5000 x 5000 pixels"),
        ("huge_frames.mkv", "5000 x 5000 pixels"),
        ("sparse_moov.mp4", "container metadata is larger than 64 MB"),
    ];
    // the models loaded and nothing decoded: the models' weights and sessions (about 50 MiB)
    // on top of the binary's start-up, well under a full run and the general promise
    let limit = startup_peak_mib() + 80.0;
    for (name, words) in cases {
        let data = tempfile::tempdir().unwrap();
        let r = assess_into_store(&c.join(name), data.path());
        assert_refused(name, &r, 3, words);
        assert!(r.peak_mib < limit, "{name}: peak {:.0} MiB, limit {limit:.0} MiB", r.peak_mib);
        assert_eq!(stored(data.path()), 0, "{name}: something was stored");
    }
}

/// Issue 18, item 8: a broken environment is refused with exit 5 and one sentence: a truncated
/// ONNX Runtime library (was SIGBUS), a named library or models folder that does not exist or
/// is empty (was a silent fall-back to the bundled files), swapped model files (was exit 1) and
/// the lite model renamed as the full one (was accepted, and the report named the full model).
#[test]
fn a_broken_environment_is_refused_before_any_work() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let models = root.join("models");
    let lib = root.join("vendor/onnxruntime/libonnxruntime.so");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bytes = std::fs::read(&lib).expect("scripts/setup installs ONNX Runtime");
    let truncated = d.join("libonnxruntime.so");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let folder = |name: &str, swap: &[(&str, &str)]| {
        let f = d.join(name);
        std::fs::create_dir(&f).unwrap();
        for e in std::fs::read_dir(&models).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "onnx") {
                std::fs::copy(&p, f.join(p.file_name().unwrap())).unwrap();
            }
        }
        for (from, to) in swap {
            std::fs::copy(models.join(from), f.join(to)).unwrap();
        }
        f
    };
    let swapped = folder(
        "swapped",
        &[
            ("pose_detection.onnx", "pose_landmark_full_noseg.onnx"),
            ("pose_landmark_full_noseg.onnx", "pose_detection.onnx"),
        ],
    );
    let renamed = folder("renamed", &[("pose_landmark_lite_noseg.onnx", "pose_landmark_full_noseg.onnx")]);
    let empty = d.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let missing = d.join("missing");
    let clip = sample("dev02_post_left.mp4");
    let assess = |extra: &[&OsStr], env: &[(&str, &OsStr)]| {
        let mut args = vec![OsStr::new("assess"), clip.as_os_str(), OsStr::new("--json"), OsStr::new("-q")];
        args.extend(extra);
        run_measured(&args, env)
    };
    let cases: Vec<(&str, Measured, &str)> = vec![
        ("truncated library", assess(&[OsStr::new("--ort-lib"), truncated.as_os_str()], &[]), "truncated"),
        (
            "missing --ort-lib",
            assess(&[OsStr::new("--ort-lib"), missing.join("lib.so").as_os_str()], &[]),
            "does not exist",
        ),
        (
            "missing ROMCAM_ORT_LIB",
            assess(&[], &[("ROMCAM_ORT_LIB", missing.join("lib.so").as_os_str())]),
            "does not exist",
        ),
        (
            "missing ROMCAM_MODELS",
            assess(&[], &[("ROMCAM_MODELS", missing.as_os_str())]),
            "holds no pose models",
        ),
        ("empty ROMCAM_MODELS", assess(&[], &[("ROMCAM_MODELS", empty.as_os_str())]), "holds no pose models"),
        ("swapped models", assess(&[], &[("ROMCAM_MODELS", swapped.as_os_str())]), "swapped"),
        (
            "lite renamed as full",
            assess(&[], &[("ROMCAM_MODELS", renamed.as_os_str())]),
            "holds pose_landmark_lite_noseg.onnx, not pose_landmark_full_noseg.onnx",
        ),
    ];
    for (name, r, words) in cases {
        assert_refused(name, &r, 5, words);
    }
}

/// Issue 18, item 9: the minor ones. A report path that is the input clip is refused even with
/// --force; stale temporary files of a killed run are removed; `pose` checks its outputs before
/// any work; an invalid client code is exit 3 as in `import`; control characters in a file name
/// are escaped; `clients` creates no store; an mkv claiming 10 h whose frames all decode is
/// measured, not called truncated.
#[test]
fn minor_hostile_cases() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clip = d.join("in.mp4");
    std::fs::copy(sample("dev02_post_left.mp4"), &clip).unwrap();
    let before = std::fs::read(&clip).unwrap();
    let arg = |s: &str| OsString::from(s);

    // --report IN.mp4 --force: refused before any work (no models run: the peak stays near the
    // binary's start-up; running the models on this clip adds more than 100 MiB)
    let no_work_limit = startup_peak_mib() + 40.0;
    let args = [arg("assess"), clip.clone().into(), arg("--report"), clip.clone().into(), arg("--force")];
    let r = run_measured(&args.iter().map(OsString::as_os_str).collect::<Vec<_>>(), &[]);
    assert_refused("--report IN.mp4 --force", &r, 7, "is the input video");
    assert!(r.peak_mib < no_work_limit, "work was done: {:.0} MiB (limit {no_work_limit:.0})", r.peak_mib);
    assert_eq!(std::fs::read(&clip).unwrap(), before, "the input clip was changed");

    // pose: an existing overlay is refused before the work, not after
    let overlay = d.join("overlay.mp4");
    std::fs::write(&overlay, b"keep").unwrap();
    let args = [
        arg("pose"),
        clip.clone().into(),
        arg("--json"),
        d.join("p.json").into(),
        arg("--overlay"),
        overlay.clone().into(),
    ];
    let r = run_measured(&args.iter().map(OsString::as_os_str).collect::<Vec<_>>(), &[]);
    assert_refused("pose --overlay existing", &r, 7, "exists");
    assert!(
        r.peak_mib < no_work_limit,
        "pose worked before refusing: {:.0} MiB (limit {no_work_limit:.0})",
        r.peak_mib
    );
    assert!(!d.join("p.json").exists());
    assert_eq!(std::fs::read(&overlay).unwrap(), b"keep");

    // an invalid client code: exit 3 in assess, as in import; nothing stored
    let data = d.join("data");
    let args = [
        arg("assess"),
        clip.clone().into(),
        arg("--client"),
        arg("../x"),
        arg("--phase"),
        arg("before"),
        arg("--data-dir"),
        data.clone().into(),
    ];
    let r = run_measured(&args.iter().map(OsString::as_os_str).collect::<Vec<_>>(), &[]);
    assert_refused("invalid client code", &r, 3, "is not valid");
    assert_eq!(store_counts(&data), (0, 0));

    // an escape sequence in a file name is shown escaped
    let evil = d.join("a\u{1b}[2Jb.mp4");
    let r = assess_json(&evil);
    assert_refused("escape in the name", &r, 3, "a\\u{1b}[2Jb.mp4");
    assert!(!r.stderr.contains('\u{1b}'), "a raw escape character was printed");

    // clients, a read-only command, creates no store
    let empty = d.join("nothing-here");
    let r = romcam_in(&empty, &[OsStr::new("clients"), OsStr::new("--json")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!empty.exists(), "clients created the store folder");

    // a temporary file left by a killed run (pid above pid_max) is removed by the next run
    let out = d.join("out");
    std::fs::create_dir(&out).unwrap();
    let stale = out.join(".romcam-4194305-abcdef.mp4");
    std::fs::write(&stale, b"partial").unwrap();
    let c = corpus();
    let args = [
        arg("assess"),
        c.join("claims_10h.mkv").into(),
        arg("--json"),
        arg("-q"),
        arg("--report"),
        out.join("r.csv").into(),
    ];
    let r = run_measured(&args.iter().map(OsString::as_os_str).collect::<Vec<_>>(), &[]);
    // the mkv claiming 10 h is measured
    let (hip, _) = figures("claims_10h.mkv", &r);
    assert!((hip - -1.4).abs() <= 1.5, "claims_10h.mkv: hip {hip}");
    assert!(!stale.exists(), "the stale temporary file is still there");
    assert_eq!(files_in(&out), vec!["r.csv".to_string()]);
}
