//! Shared by the integration tests: one pose pass per sample clip, cached for every test.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use romcam::assess::{self, Assessment, Criteria};
use romcam::measure::{self, MeasureOptions};
use romcam::pose::{self, PoseFrame, PoseOptions};

pub const CLIPS: [&str; 8] = [
    "dev01_pre_left",
    "dev02_post_left",
    "dev03_right",
    "dev04_roll6",
    "dev05_portrait",
    "dev06_tight_yaw10",
    "dev07_phone_rotated",
    "dev08_bystander",
];

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

pub fn romcam() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_romcam"))
}
