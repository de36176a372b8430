//! Pose estimation: BlazePose landmarks for every frame of a clip. Owns the detector, the ROI,
//! the landmark model and tracking. It knows nothing about the Thomas test.

pub mod anchors;
pub mod detector;
pub mod joint;
pub mod landmarks;
pub mod roi;
pub mod tensor;
pub mod tracker;

use std::path::Path;

use anyhow::Result;
use opencv::core::Mat;
use serde::{Deserialize, Serialize};

use crate::error::RomcamError;
use crate::runtime::{self, LandmarkModel as LandmarkModelKind};
use crate::video::{self, DecodedFrame, VideoInfo, VideoReader};
use landmarks::LandmarkEstimate;

/// Number of body landmarks reported (BlazePose order; left = the subject's left).
pub const BODY_LANDMARKS: usize = 33;

/// One landmark in pixels of the upright, displayed frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Landmark {
    pub x: f32,
    pub y: f32,
    /// Depth relative to the hips, in the same pixel scale; smaller is nearer the camera.
    pub z: f32,
    pub visibility: f32,
    pub presence: f32,
}

/// The pose in one frame.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PoseFrame {
    /// Seconds from the start of the clip (container timestamp).
    pub t: f64,
    /// Pose presence score of the landmark model (0 when nobody was found).
    pub presence: f32,
    /// The 33 body landmarks, or None when no person was found in this frame.
    pub landmarks: Option<Vec<Landmark>>,
}

/// A decoded frame kept for later stages (table line, key frame), with its landmarks. The
/// picture is kept as a high-quality JPEG (about a tenth of the raw size): a 4K clip then stays
/// well inside its memory budget.
pub struct Snapshot {
    /// Position of this frame in `PoseTrack::frames`.
    pub index: usize,
    pub t: f64,
    /// Upright BGR picture, possibly downscaled, JPEG-encoded.
    jpeg: opencv::core::Vector<u8>,
    /// Displayed-frame pixels per pixel of the picture.
    pub scale: f64,
}

/// JPEG quality of the kept frames: differences of one or two grey levels, far below the edge
/// thresholds of the table search, and invisible in the key frame.
const SNAPSHOT_JPEG_QUALITY: i32 = 95;

impl Snapshot {
    pub fn new(index: usize, t: f64, image: &Mat, scale: f64) -> Result<Self> {
        let mut jpeg = opencv::core::Vector::<u8>::new();
        let params = opencv::core::Vector::<i32>::from_slice(&[
            opencv::imgcodecs::IMWRITE_JPEG_QUALITY,
            SNAPSHOT_JPEG_QUALITY,
        ]);
        if !opencv::imgcodecs::imencode(".jpg", image, &mut jpeg, &params)? {
            anyhow::bail!("a video frame cannot be kept for the key frame (JPEG encoding failed)");
        }
        Ok(Snapshot { index, t, jpeg, scale })
    }

    /// The picture, upright BGR.
    pub fn image(&self) -> Result<Mat> {
        let image = opencv::imgcodecs::imdecode(&self.jpeg, opencv::imgcodecs::IMREAD_COLOR)?;
        if opencv::prelude::MatTraitConst::empty(&image) {
            anyhow::bail!("a kept video frame cannot be decoded");
        }
        Ok(image)
    }
}

/// Landmarks of a whole clip.
pub struct PoseTrack {
    pub video: VideoInfo,
    pub model: LandmarkModelKind,
    pub frames: Vec<PoseFrame>,
    /// Frames sampled every `snapshot_every_s` seconds; only the last `snapshots_kept` remain.
    pub snapshots: Vec<Snapshot>,
    pub detector_runs: usize,
    /// From the first frame to the end of the last one decoded, in seconds (frames without
    /// landmarks included).
    pub duration_s: f64,
    /// Frames decoded (all of them, not only those given landmarks).
    pub frames_decoded: usize,
    /// Timestamps of the frames that FFmpeg decoded with errors (a damaged file).
    pub damaged_frames: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct PoseOptions {
    pub model: LandmarkModelKind,
    /// ONNX Runtime intra-op threads.
    pub threads: usize,
    /// Frames are downscaled so that their longer side is at most this (0 = never).
    pub max_side: u32,
    pub snapshot_every_s: f64,
    pub snapshots_kept: usize,
    /// Average the landmarks with those of the mirrored crop (twice the landmark cost; on the
    /// sample clips it lowers the mean hip error from 2.3° to 1.8° and the knee error from 3.4° to 2.9°).
    pub mirror_average: MirrorPolicy,
    /// Which frames get landmarks.
    pub sampling: Sampling,
}

/// When to add the mirrored landmark pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MirrorPolicy {
    Always,
    /// Only while the legs are still: the hold decides the result, the movement does not.
    WhenStill,
    Never,
}

/// Which frames get landmarks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sampling {
    /// Every decoded frame (for `romcam pose`).
    EveryFrame,
    /// Sparse while the legs move, denser while they are still (for `romcam assess`): the hold
    /// decides the result, and a 30 fps landmark stream is not needed to find it.
    Adaptive { moving_hz: f64, still_hz: f64 },
}

impl Sampling {
    pub const ASSESS: Sampling = Sampling::Adaptive { moving_hz: 6.0, still_hz: 12.0 };
}

/// Legs moving slower than this (trunk lengths per second, knees and ankles) count as still.
const STILL_SPEED_TRUNKS_PER_S: f64 = 0.5;

/// How fast the knees and ankles moved between two poses, in trunk lengths per second.
fn leg_speed(a: &[Landmark], b: &[Landmark], dt: f64) -> Option<f64> {
    let trunk = {
        let (s, h) = (a.get(joint::LEFT_SHOULDER)?, a.get(joint::LEFT_HIP)?);
        (((s.x - h.x).powi(2) + (s.y - h.y).powi(2)) as f64).sqrt()
    };
    if trunk <= 0.0 || dt <= 0.0 {
        return None;
    }
    let moved = [joint::LEFT_KNEE, joint::RIGHT_KNEE, joint::LEFT_ANKLE, joint::RIGHT_ANKLE]
        .iter()
        .filter_map(|&i| {
            Some((((a.get(i)?.x - b.get(i)?.x).powi(2) + (a.get(i)?.y - b.get(i)?.y).powi(2)) as f64).sqrt())
        })
        .fold(0.0f64, f64::max);
    Some(moved / trunk / dt)
}

impl PoseOptions {
    /// What `romcam assess` runs: adaptive sampling, the mirrored pass while the legs are still.
    pub fn for_assess() -> Self {
        PoseOptions {
            sampling: Sampling::ASSESS,
            mirror_average: MirrorPolicy::WhenStill,
            ..PoseOptions::default()
        }
    }
}

impl Default for PoseOptions {
    fn default() -> Self {
        PoseOptions {
            model: LandmarkModelKind::Full,
            threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).min(4),
            max_side: 1280,
            snapshot_every_s: 0.5,
            snapshots_kept: 12,
            mirror_average: MirrorPolicy::Always,
            sampling: Sampling::EveryFrame,
        }
    }
}

/// Opens the detector and the landmark model.
pub fn open_tracker(options: &PoseOptions) -> Result<tracker::PoseTracker> {
    let dir = runtime::models_dir()?;
    let detector = detector::PersonDetector::open(&dir.join("pose_detection.onnx"), options.threads)?;
    let mut landmarks =
        landmarks::LandmarkModel::open(&dir.join(options.model.file_name()), options.threads)?;
    landmarks.mirror_average = options.mirror_average != MirrorPolicy::Never;
    Ok(tracker::PoseTracker::new(detector, landmarks))
}

/// Runs the pose stage over a clip. `progress` is told (frames done, frames expected).
/// Decoding runs on its own thread, overlapped with inference.
pub fn estimate_pose(
    path: &Path,
    options: &PoseOptions,
    progress: &mut dyn FnMut(usize, u64),
) -> Result<PoseTrack> {
    let started = std::time::Instant::now();
    let reader = VideoReader::open(path, options.max_side)?;
    let video = reader.info().clone();
    let mut tracker = open_tracker(options)?;
    let mut times = StageTimes { open: started.elapsed().as_secs_f64(), ..StageTimes::default() };
    let mut sampler = FrameSampler::new(options.sampling);
    let mut frames = Vec::new();
    let mut snapshots: Vec<Snapshot> = Vec::new();
    let mut next_snapshot_t = 0.0;
    let mut waited = std::time::Instant::now();
    let due = video::NextFrameDue::default();
    let decoded = video::decode_in_background(
        reader,
        sampler.decode_interval(),
        &due,
        |DecodedFrame { frame, decoded }: &DecodedFrame| {
            times.wait += waited.elapsed().as_secs_f64();
            crate::interrupt::check()?;
            progress(*decoded, video.frame_count);
            if !sampler.wants(frame.t) {
                waited = std::time::Instant::now();
                return Ok(());
            }
            let mirror = match options.mirror_average {
                MirrorPolicy::Always => true,
                MirrorPolicy::WhenStill => sampler.still,
                MirrorPolicy::Never => false,
            };
            let t0 = std::time::Instant::now();
            let estimate = tracker.track(&frame.image, mirror)?;
            times.track += t0.elapsed().as_secs_f64();
            times.tracked += 1;
            times.mirrored += usize::from(mirror);
            let pose_frame = to_pose_frame(estimate, frame.t, frame.scale as f32);
            sampler.tracked(frame.t, pose_frame.landmarks.as_deref());
            due.set(sampler.next_t);
            if frame.t + 1e-9 >= next_snapshot_t {
                next_snapshot_t = frame.t + options.snapshot_every_s;
                snapshots.push(Snapshot::new(frames.len(), frame.t, &frame.image, frame.scale)?);
                if snapshots.len() > options.snapshots_kept {
                    snapshots.remove(0);
                }
            }
            frames.push(pose_frame);
            waited = std::time::Instant::now();
            Ok(())
        },
    )?;
    times.decoded = decoded.frames;
    times.detector_runs = tracker.detector_runs;
    times.total = started.elapsed().as_secs_f64();
    log::debug!("{times}");
    if frames.is_empty() {
        return Err(RomcamError::Input(format!("{}: contains no video frames", path.display())).into());
    }
    let duration_s = decoded.last_t + 1.0 / video.fps;
    Ok(PoseTrack {
        video,
        model: options.model,
        frames,
        snapshots,
        detector_runs: tracker.detector_runs,
        duration_s,
        frames_decoded: decoded.frames,
        damaged_frames: decoded.damaged,
    })
}

/// The tracker's estimate as a `PoseFrame` in displayed-frame pixels (`scale` = displayed
/// pixels per pixel of the image the tracker saw).
fn to_pose_frame(estimate: Option<LandmarkEstimate>, t: f64, scale: f32) -> PoseFrame {
    match estimate {
        Some(e) => PoseFrame {
            t,
            presence: e.presence,
            landmarks: Some(
                e.landmarks
                    .iter()
                    .take(BODY_LANDMARKS)
                    .map(|l| Landmark { x: l.x * scale, y: l.y * scale, z: l.z * scale, ..*l })
                    .collect(),
            ),
        },
        None => PoseFrame { t, presence: 0.0, landmarks: None },
    }
}

/// Decides which decoded frames get landmarks, following [`Sampling`].
struct FrameSampler {
    sampling: Sampling,
    next_t: f64,
    /// Whether the legs were still between the last two tracked frames.
    still: bool,
    last: Option<(f64, Vec<Landmark>)>,
}

impl FrameSampler {
    fn new(sampling: Sampling) -> Self {
        FrameSampler { sampling, next_t: f64::NEG_INFINITY, still: false, last: None }
    }

    /// The densest spacing ever wanted: frames closer than this need not even be converted.
    fn decode_interval(&self) -> f64 {
        match self.sampling {
            Sampling::EveryFrame => 0.0,
            Sampling::Adaptive { moving_hz, still_hz } => 1.0 / moving_hz.max(still_hz),
        }
    }

    fn wants(&self, t: f64) -> bool {
        t + 1e-6 >= self.next_t
    }

    /// Records the landmarks found at `t` and sets when the next frame is due.
    fn tracked(&mut self, t: f64, landmarks: Option<&[Landmark]>) {
        self.still = match (landmarks, self.last.as_ref()) {
            (Some(now), Some((t0, before))) => {
                leg_speed(now, before, t - t0).is_some_and(|v| v < STILL_SPEED_TRUNKS_PER_S)
            }
            _ => false,
        };
        if let Sampling::Adaptive { moving_hz, still_hz } = self.sampling {
            self.next_t = t + 1.0 / if self.still { still_hz } else { moving_hz };
        }
        self.last = landmarks.map(|l| (t, l.to_vec()));
    }
}

/// Where the pose stage spent its time (printed with `RUST_LOG=debug`).
#[derive(Debug, Default)]
struct StageTimes {
    open: f64,
    /// Time spent waiting for the decoding thread.
    wait: f64,
    track: f64,
    total: f64,
    decoded: usize,
    tracked: usize,
    mirrored: usize,
    detector_runs: usize,
}

impl std::fmt::Display for StageTimes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pose stage {:.2} s: open {:.3} s, waiting for frames {:.2} s ({} frames decoded), \
             track {:.2} s ({} frames, {} mirrored, {} detector runs)",
            self.total,
            self.open,
            self.wait,
            self.decoded,
            self.track,
            self.tracked,
            self.mirrored,
            self.detector_runs
        )
    }
}

/// The `romcam pose --json` document: `{"frames": [{"t", "presence", "landmarks"}]}`.
#[derive(Serialize)]
pub struct PoseDocument<'a> {
    pub video: &'a VideoInfo,
    pub model: LandmarkModelKind,
    pub frames: &'a [PoseFrame],
}
