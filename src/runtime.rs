//! Finds ONNX Runtime and the model files on disk, and opens inference sessions.
//!
//! Search order for the ONNX Runtime library: `--ort-lib`, `$ROMCAM_ORT_LIB`, `$ORT_DYLIB_PATH`,
//! the executable's folder, then the project's `vendor/onnxruntime/` (where `scripts/setup` puts
//! it). Models: `$ROMCAM_MODELS`, `models/` beside the executable, then the project's `models/`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Result;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;

use crate::error::RomcamError;

const ORT_LIB_NAME: &str = "libonnxruntime.so";
const PROJECT_DIR: &str = env!("CARGO_MANIFEST_DIR");

static ENVIRONMENT: OnceLock<ort::environment::Environment> = OnceLock::new();

fn exe_dir() -> Option<PathBuf> {
    std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf))
}

/// Candidate places for the ONNX Runtime library, most specific first.
fn ort_lib_candidates(explicit: Option<&Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = explicit {
        out.push(p.to_path_buf());
    }
    for var in ["ROMCAM_ORT_LIB", "ORT_DYLIB_PATH"] {
        if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            out.push(PathBuf::from(v));
        }
    }
    if let Some(dir) = exe_dir() {
        out.push(dir.join(ORT_LIB_NAME));
    }
    out.push(Path::new(PROJECT_DIR).join("vendor/onnxruntime").join(ORT_LIB_NAME));
    out
}

/// Loads ONNX Runtime once per process. Later calls return immediately.
pub fn init_onnx_runtime(explicit: Option<&Path>) -> Result<&'static ort::environment::Environment> {
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env);
    }
    let candidates = ort_lib_candidates(explicit);
    let lib = candidates.iter().find(|p| p.is_file()).ok_or_else(|| {
        RomcamError::Setup(format!(
            "ONNX Runtime was not found (looked for {}); run scripts/setup or set ROMCAM_ORT_LIB",
            candidates.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        ))
    })?;
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
    let mut candidates = Vec::new();
    if let Some(v) = std::env::var_os("ROMCAM_MODELS").filter(|v| !v.is_empty()) {
        candidates.push(PathBuf::from(v));
    }
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
