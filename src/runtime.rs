//! Finds ONNX Runtime and the model files on disk, checks them, and opens inference sessions.
//!
//! Search order for the ONNX Runtime library: `--ort-lib`, `$ROMCAM_ORT_LIB`, `$ORT_DYLIB_PATH`,
//! the executable's folder, then the project's `vendor/onnxruntime/` (where `scripts/setup` puts
//! it). Models: `$ROMCAM_MODELS`, `models/` beside the executable, then the project's `models/`.
//! A library or models folder the user names (`--ort-lib`, `$ROMCAM_ORT_LIB`, `$ROMCAM_MODELS`)
//! must exist: romcam does not fall back to another one silently.
//!
//! Before loading, every model file's SHA-256 is checked against `models/SHA256SUMS` (compiled
//! in), so a damaged, renamed or swapped model is refused (exit 5) and the model named in a
//! report is the one that ran (about 35 ms per landmark or detector model on this 2-core
//! machine). The library's SHA-256 would cost about 85 ms more on every start (29 MB), so the
//! library is checked for what crashes romcam instead: every segment and header its ELF headers
//! point at must lie inside the file (a truncated library is mapped into memory and crashes the
//! process with SIGBUS when a missing page is touched); this reads a few kilobytes.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Result;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;

use crate::error::RomcamError;

const ORT_LIB_NAME: &str = "libonnxruntime.so";
const PROJECT_DIR: &str = env!("CARGO_MANIFEST_DIR");

static ENVIRONMENT: OnceLock<ort::environment::Environment> = OnceLock::new();

/// The models romcam was built with (`sha256sum` format).
const MODEL_MANIFEST: &str = include_str!("../models/SHA256SUMS");

/// (hash, file name) pairs of a `sha256sum` manifest.
fn manifest(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines().filter_map(|l| l.split_once("  ")).map(|(h, n)| (h.trim(), n.trim()))
}

/// SHA-256 of a file, in hex.
fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Checks a model file against the manifest (once per file and process).
pub fn verify_model(model: &Path) -> Result<()> {
    static VERIFIED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    if VERIFIED.lock().map(|v| v.iter().any(|p| p == model)).unwrap_or(false) {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let name = model.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let got = sha256_file(model)
        .map_err(|e| RomcamError::Setup(format!("model file {} cannot be read ({e})", model.display())))?;
    log::debug!("SHA-256 of {} in {:.0} ms", model.display(), started.elapsed().as_secs_f64() * 1e3);
    let want = manifest(MODEL_MANIFEST).find(|(_, n)| *n == name).map(|(h, _)| h);
    if want == Some(got.as_str()) {
        if let Ok(mut v) = VERIFIED.lock() {
            v.push(model.to_path_buf());
        }
        return Ok(());
    }
    let holds = manifest(MODEL_MANIFEST).find(|(h, _)| *h == got).map(|(_, n)| n);
    let why = match (want, holds) {
        (_, Some(other)) => format!(
            "model file {} holds {other}, not {name} (were the model files renamed or swapped?)",
            model.display()
        ),
        (None, None) => format!("{} is not one of romcam's models (see models/SHA256SUMS)", model.display()),
        (Some(_), None) => format!(
            "model file {} is damaged or not the one romcam was built with (its SHA-256 does not match models/SHA256SUMS)",
            model.display()
        ),
    };
    Err(RomcamError::Setup(why).into())
}

/// Checks the ONNX Runtime library before it is loaded (see the module docs).
fn verify_library(lib: &Path) -> Result<()> {
    elf_is_whole(lib).map_err(|why| {
        RomcamError::Setup(format!(
            "ONNX Runtime at {} is damaged or not a library ({why}); run scripts/setup again",
            crate::fsutil::shown(lib)
        ))
        .into()
    })
}

/// Whether a 64-bit little-endian ELF file holds everything its headers point at. Reads the
/// file header and the program headers only.
fn elf_is_whole(path: &Path) -> std::result::Result<(), String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let len = f.metadata().map_err(|e| e.to_string())?.len();
    let mut header = [0u8; 64];
    f.read_exact(&mut header).map_err(|_| "not a 64-bit ELF file".to_string())?;
    if header[..6] != b"\x7fELF\x02\x01"[..] {
        return Err("not a 64-bit ELF file".into());
    }
    let u16_at = |d: &[u8], i: usize| u16::from_le_bytes([d[i], d[i + 1]]) as u64;
    let u64_at = |d: &[u8], i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&d[i..i + 8]);
        u64::from_le_bytes(b)
    };
    let (phoff, shoff) = (u64_at(&header, 0x20), u64_at(&header, 0x28));
    let (phsize, phnum) = (u16_at(&header, 0x36), u16_at(&header, 0x38));
    let (shsize, shnum) = (u16_at(&header, 0x3A), u16_at(&header, 0x3C));
    if phoff.saturating_add(phsize * phnum) > len || shoff.saturating_add(shsize * shnum) > len {
        return Err("truncated: its headers point past its end".into());
    }
    if phsize < 56 {
        return Err("its program headers are malformed".into());
    }
    let mut table = vec![0u8; (phsize * phnum) as usize];
    f.seek(SeekFrom::Start(phoff)).and_then(|_| f.read_exact(&mut table)).map_err(|e| e.to_string())?;
    for entry in table.chunks_exact(phsize as usize) {
        let (offset, filesz) = (u64_at(entry, 8), u64_at(entry, 32));
        if offset.saturating_add(filesz) > len {
            return Err("truncated: a segment runs past its end".into());
        }
    }
    Ok(())
}

fn exe_dir() -> Option<PathBuf> {
    std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf))
}

/// Candidate places for the ONNX Runtime library, most specific first.
fn ort_lib_candidates(explicit: Option<&Path>) -> Result<Vec<PathBuf>> {
    // a library the user names must be there: no silent fall-back to the bundled one
    let named = explicit.map(|p| ("--ort-lib", p.to_path_buf())).or_else(|| {
        std::env::var_os("ROMCAM_ORT_LIB")
            .filter(|v| !v.is_empty())
            .map(|v| ("ROMCAM_ORT_LIB", PathBuf::from(v)))
    });
    if let Some((how, p)) = named {
        if !p.is_file() {
            return Err(RomcamError::Setup(format!(
                "the ONNX Runtime library named by {how} ({}) does not exist",
                crate::fsutil::shown(&p)
            ))
            .into());
        }
        return Ok(vec![p]);
    }
    let mut out = Vec::new();
    if let Some(v) = std::env::var_os("ORT_DYLIB_PATH").filter(|v| !v.is_empty()) {
        out.push(PathBuf::from(v));
    }
    if let Some(dir) = exe_dir() {
        out.push(dir.join(ORT_LIB_NAME));
    }
    out.push(Path::new(PROJECT_DIR).join("vendor/onnxruntime").join(ORT_LIB_NAME));
    Ok(out)
}

/// Loads ONNX Runtime once per process. Later calls return immediately.
pub fn init_onnx_runtime(explicit: Option<&Path>) -> Result<&'static ort::environment::Environment> {
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env);
    }
    let candidates = ort_lib_candidates(explicit)?;
    let lib = candidates.iter().find(|p| p.is_file()).ok_or_else(|| {
        RomcamError::Setup(format!(
            "ONNX Runtime was not found (looked for {}); run scripts/setup or set ROMCAM_ORT_LIB",
            candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        ))
    })?;
    verify_library(lib)?;
    let builder = ort::init_from(lib).map_err(|e| {
        RomcamError::Setup(format!("ONNX Runtime at {} cannot be loaded: {e}", lib.display()))
    })?;
    let env = builder
        .with_name("romcam")
        .with_telemetry(false)
        .build()
        .map_err(|e| RomcamError::Setup(format!("ONNX Runtime failed to start: {e}")))?;
    Ok(ENVIRONMENT.get_or_init(|| env))
}

/// The folder holding the ONNX models.
pub fn models_dir() -> Result<PathBuf> {
    if let Some(v) = std::env::var_os("ROMCAM_MODELS").filter(|v| !v.is_empty()) {
        // a folder the user names must hold the models: no silent fall-back to the bundled ones
        let dir = PathBuf::from(v);
        if !dir.join("pose_detection.onnx").is_file() {
            return Err(RomcamError::Setup(format!(
                "ROMCAM_MODELS names {}, which holds no pose models (pose_detection.onnx is missing)",
                crate::fsutil::shown(&dir)
            ))
            .into());
        }
        return Ok(dir);
    }
    let mut candidates = Vec::new();
    if let Some(dir) = exe_dir() {
        candidates.push(dir.join("models"));
    }
    candidates.push(Path::new(PROJECT_DIR).join("models"));
    candidates.iter().find(|d| d.join("pose_detection.onnx").is_file()).cloned().ok_or_else(|| {
        RomcamError::Setup(format!(
            "the pose models were not found (looked in {}); set ROMCAM_MODELS to the models folder",
            candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        ))
        .into()
    })
}

/// Which landmark model to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LandmarkModel {
    Full,
    Lite,
}

impl LandmarkModel {
    /// The file romcam runs: the landmark model without its segmentation and world-landmark
    /// branches, which romcam does not read (same outputs to the bit, half the compute; made by
    /// `scripts/convert-models` from the full conversion beside it).
    pub fn file_name(self) -> &'static str {
        match self {
            LandmarkModel::Full => "pose_landmark_full_noseg.onnx",
            LandmarkModel::Lite => "pose_landmark_lite_noseg.onnx",
        }
    }
}

/// Opens one model as an inference session with `threads` intra-op threads.
pub fn open_session(model: &Path, threads: usize) -> Result<Session> {
    let env = init_onnx_runtime(None)?;
    if !model.is_file() {
        return Err(RomcamError::Setup(format!("model file {} is missing", model.display())).into());
    }
    verify_model(model)?;
    let fail = |e: String| RomcamError::Setup(format!("model {} cannot be loaded: {e}", model.display()));
    Session::builder(env)
        .map_err(|e| fail(e.to_string()))?
        .with_optimization_level(GraphOptimizationLevel::Level3)
        .map_err(|e| fail(e.to_string()))?
        .with_intra_threads(threads)
        .map_err(|e| fail(e.to_string()))?
        .with_inter_threads(1)
        .map_err(|e| fail(e.to_string()))?
        .with_intra_op_spinning(false)
        .map_err(|e| fail(e.to_string()))?
        .commit_from_file(model)
        .map_err(|e| fail(e.to_string()).into())
}
