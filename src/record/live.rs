//! The live pose worker of `romcam record`: the pose pipeline of [`crate::pose`] on its own
//! thread, always on the latest camera frame (older frames it had no time for are skipped, so
//! the preview never waits for the model), with the table search of [`crate::measure::table`]
//! and the picture's brightness on the same frame.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use anyhow::Result;
use opencv::core::{Mat, Size};
use opencv::imgproc;
use opencv::prelude::*;

use crate::measure::leg;
use crate::measure::table::{self, TableLine};
use crate::pose::{self, Landmark, MirrorPolicy, PoseOptions, Sampling, BODY_LANDMARKS};
use crate::runtime::LandmarkModel;

/// Frames are scaled down to this longer side before the model and the table search.
const WORK_SIDE: i32 = 1280;

/// The live pose's options: every frame it has time for, no mirrored pass, one thread (the
/// other core shows the preview and encodes the clip).
pub fn pose_options(model: LandmarkModel) -> PoseOptions {
    PoseOptions {
        model,
        threads: 1,
        mirror_average: MirrorPolicy::Never,
        sampling: Sampling::EveryFrame,
        ..PoseOptions::default()
    }
}

/// What the worker found on one frame.
#[derive(Debug, Clone)]
pub struct LiveResult {
    /// Time of the frame (seconds since the source started).
    pub t: f64,
    /// The 33 landmarks in pixels of the camera frame, or None when nobody was found.
    pub landmarks: Option<Vec<Landmark>>,
    /// The table edge under the trunk, when one was found.
    pub table: Option<TableLine>,
    /// Mean brightness of the picture, 0–255.
    pub brightness: f64,
    /// Counts the results, so that a new one can be told from the last.
    pub sequence: u64,
}

#[derive(Default)]
struct Shared {
    frame: Option<(Mat, f64)>,
    result: Option<LiveResult>,
    error: Option<String>,
    stop: bool,
}

/// The worker thread and the slots it shares with the preview loop.
pub struct LivePose {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    handle: Option<JoinHandle<()>>,
    last_taken: u64,
}

impl LivePose {
    /// Opens the models (errors come here, before the camera is used) and starts the thread.
    pub fn start(options: &PoseOptions) -> Result<LivePose> {
        let tracker = pose::open_tracker(options)?;
        let shared = Arc::new((Mutex::new(Shared::default()), Condvar::new()));
        let worker_shared = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("live-pose".into())
            .spawn(move || work(tracker, &worker_shared))
            .map_err(|e| anyhow::anyhow!("the live pose thread cannot be started: {e}"))?;
        Ok(LivePose { shared, handle: Some(handle), last_taken: 0 })
    }

    /// Hands the worker the newest frame, replacing one it has not started on.
    pub fn offer(&self, image: &Mat, t: f64) -> Result<()> {
        let (lock, wake) = &*self.shared;
        let mut shared = lock.lock().map_err(|_| anyhow::anyhow!("the live pose thread failed"))?;
        if let Some(e) = &shared.error {
            return Err(anyhow::anyhow!("live pose estimation failed: {e}"));
        }
        // a frame the worker has not started on is replaced, its buffer reused
        let mut copy = shared.frame.take().map(|(buffer, _)| buffer).unwrap_or_default();
        image.copy_to(&mut copy)?;
        shared.frame = Some((copy, t));
        wake.notify_one();
        Ok(())
    }

    /// The newest result, if there is one the caller has not taken yet.
    pub fn take_new(&mut self) -> Option<LiveResult> {
        let (lock, _) = &*self.shared;
        let shared = lock.lock().ok()?;
        let result = shared.result.as_ref().filter(|r| r.sequence > self.last_taken)?.clone();
        self.last_taken = result.sequence;
        Some(result)
    }
}

impl Drop for LivePose {
    fn drop(&mut self) {
        let (lock, wake) = &*self.shared;
        if let Ok(mut shared) = lock.lock() {
            shared.stop = true;
        }
        wake.notify_all();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn work(mut tracker: pose::tracker::PoseTracker, shared: &(Mutex<Shared>, Condvar)) {
    let (lock, wake) = shared;
    let mut sequence = 0;
    let mut small = Mat::default();
    loop {
        let (frame, t) = {
            let Ok(mut guard) = lock.lock() else { return };
            loop {
                if guard.stop {
                    return;
                }
                if let Some(f) = guard.frame.take() {
                    break f;
                }
                guard = match wake.wait(guard) {
                    Ok(g) => g,
                    Err(_) => return,
                };
            }
        };
        sequence += 1;
        match look(&mut tracker, &frame, &mut small) {
            Ok((landmarks, table, brightness)) => {
                let Ok(mut guard) = lock.lock() else { return };
                guard.result = Some(LiveResult { t, landmarks, table, brightness, sequence });
            }
            Err(e) => {
                if let Ok(mut guard) = lock.lock() {
                    guard.error = Some(e.to_string());
                }
                return;
            }
        }
    }
}

pub type Look = (Option<Vec<Landmark>>, Option<TableLine>, f64);

/// Pose, table edge and brightness of one frame: the worker's step, public so that the tests can
/// replay it on every frame sequence a live run can get.
pub fn look(tracker: &mut pose::tracker::PoseTracker, frame: &Mat, small: &mut Mat) -> Result<Look> {
    let long = frame.cols().max(frame.rows());
    let (image, scale) = if long > WORK_SIDE {
        let k = WORK_SIDE as f64 / long as f64;
        let size =
            Size::new((frame.cols() as f64 * k).round() as i32, (frame.rows() as f64 * k).round() as i32);
        imgproc::resize(frame, small, size, 0.0, 0.0, imgproc::INTER_LINEAR)?;
        (&*small, 1.0 / k)
    } else {
        (frame, 1.0)
    };
    let mean = opencv::core::mean_def(image)?;
    let brightness = (mean[0] + mean[1] + mean[2]) / 3.0;
    let Some(estimate) = tracker.track(image, false)? else { return Ok((None, None, brightness)) };
    let in_image: Vec<Landmark> = estimate.landmarks.iter().take(BODY_LANDMARKS).copied().collect();
    let table = match leg::trunk(&in_image) {
        Some(trunk) => table::find_table_line(image, &trunk)?.filter(|l| l.support >= 0.5),
        None => None,
    };
    let s = scale as f32;
    let landmarks =
        in_image.iter().map(|l| Landmark { x: l.x * s, y: l.y * s, z: l.z * s, ..*l }).collect::<Vec<_>>();
    Ok((Some(landmarks), table, brightness))
}
