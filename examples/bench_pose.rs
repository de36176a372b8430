//! Benchmark of the video and pose stages (not a test): frames per second for decoding, the
//! detector, the landmark model and the whole pose stage on one clip.
//!
//! cargo run --release --example bench_pose -- [CLIP] [THREADS]

use std::path::PathBuf;
use std::time::Instant;

use romcam::pose::{
    self, detector::PersonDetector, landmarks::LandmarkModel, roi::BodyRoi, MirrorPolicy, PoseOptions,
    Sampling,
};
use romcam::video::VideoReader;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let clip = PathBuf::from(args.get(1).cloned().unwrap_or_else(|| "samples/dev01_pre_left.mp4".into()));
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2);
    romcam::runtime::init_onnx_runtime(None)?;
    let dir = romcam::runtime::models_dir()?;

    let t0 = Instant::now();
    let mut reader = VideoReader::open(&clip, 1280)?;
    let mut frames = Vec::new();
    while let Some(f) = reader.next_frame()? {
        frames.push(f.image);
    }
    let decode = frames.len() as f64 / t0.elapsed().as_secs_f64();

    let t0 = Instant::now();
    let mut detector = PersonDetector::open(&dir.join("pose_detection.onnx"), threads)?;
    let mut landmarks =
        LandmarkModel::open(&dir.join(romcam::runtime::LandmarkModel::Full.file_name()), threads)?;
    let startup_ms = t0.elapsed().as_secs_f64() * 1000.0;

    let n = frames.len().min(100);
    let t0 = Instant::now();
    let mut first = None;
    for f in &frames[..n] {
        let d = detector.detect(f)?;
        first = first.or(d.into_iter().next());
    }
    let detect = n as f64 / t0.elapsed().as_secs_f64();

    let person = first.ok_or_else(|| anyhow::anyhow!("nobody detected"))?;
    let roi = BodyRoi::from_alignment_points(person.keypoints[0], person.keypoints[1]);
    let mut lm_fps = Vec::new();
    for mirror in [false, true] {
        landmarks.mirror_average = mirror;
        let t0 = Instant::now();
        for f in &frames[..n] {
            landmarks.estimate(f, &roi)?;
        }
        lm_fps.push(n as f64 / t0.elapsed().as_secs_f64());
    }

    let mut whole = Vec::new();
    let policies = [
        (MirrorPolicy::Never, Sampling::EveryFrame),
        (MirrorPolicy::Always, Sampling::EveryFrame),
        (MirrorPolicy::WhenStill, Sampling::ASSESS),
    ];
    for (mirror, sampling) in policies {
        let options = PoseOptions { threads, mirror_average: mirror, sampling, ..PoseOptions::default() };
        let t0 = Instant::now();
        let track = pose::estimate_pose(&clip, &options, &mut |_, _| {})?;
        whole.push((track.frames.len() as f64 / t0.elapsed().as_secs_f64(), track.detector_runs));
    }
    let duration = frames.len() as f64 / reader.info().fps;
    println!(
        "clip {} ({} frames, {:.1} s), ONNX Runtime threads {threads}",
        clip.display(),
        frames.len(),
        duration
    );
    println!("model load (detector + full landmarks): {startup_ms:.0} ms");
    println!("decode:                      {decode:7.1} frames/s");
    println!("detector:                    {detect:7.1} frames/s");
    println!("landmarks (one pass):        {:7.1} frames/s", lm_fps[0]);
    println!("landmarks (with mirror):     {:7.1} frames/s", lm_fps[1]);
    for ((fps, runs), label) in whole.iter().zip(["pose stage (--no-mirror):", "pose stage (default):    "]) {
        println!(
            "{label}    {fps:7.1} frames/s, {:.2} s per clip-second, detector ran {runs} times",
            reader.info().fps / fps
        );
    }
    Ok(())
}
