//! Video decoding: opens a clip with OpenCV's FFmpeg backend, applies the container's rotation tag
//! and mirror ourselves (OpenCV's own handling is wrong in 4.6 and off in 4.11), refuses frames
//! over [`MAX_FRAME_PIXELS`] before decoding, downscales early, gives each frame its container
//! timestamp, and notes the frames FFmpeg decoded with errors. It knows nothing about poses.

pub mod camera;
pub mod decode_errors;
pub mod encode;
pub mod matroska;
pub mod rotation;

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Result;
use opencv::core::{Mat, Size};
use opencv::prelude::*;
use opencv::{core, imgproc, videoio};

pub use rotation::{Orientation, Rotation};

use crate::error::RomcamError;

/// What the container says about a clip, in displayed (upright) terms.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VideoInfo {
    pub path: PathBuf,
    /// Upright, displayed size in pixels.
    pub width: u32,
    pub height: u32,
    /// Nominal frames per second (variable-rate clips carry real timestamps per frame).
    pub fps: f64,
    /// Frame count as the container states it (may be an estimate).
    pub frame_count: u64,
    pub rotation: Rotation,
    /// Whether the display matrix mirrors the picture (applied before `rotation`).
    pub mirrored: bool,
}

/// The largest frame romcam decodes, in pixels (stored size): 4096 x 2304, a little more than
/// 4K UHD (3840 x 2160) and DCI 4K (4096 x 2160). A larger frame is refused before any is
/// decoded, which keeps the memory promise of the README on any input.
pub const MAX_FRAME_PIXELS: u64 = 4096 * 2304;

/// One decoded frame, upright.
pub struct Frame {
    pub index: usize,
    /// Presentation time in seconds from the container.
    pub t: f64,
    /// BGR pixels, upright, possibly downscaled.
    pub image: Mat,
    /// Displayed-frame pixels per pixel of `image` (1.0 when not downscaled).
    pub scale: f64,
}

/// Decodes a clip frame by frame.
pub struct VideoReader {
    capture: videoio::VideoCapture,
    info: VideoInfo,
    max_side: u32,
    index: usize,
    last_t: f64,
    /// The decoded frame as stored, reused from frame to frame.
    raw: Mat,
    /// The downscaled frame before it is turned upright, reused from frame to frame.
    small: Mat,
    /// Timestamps of the frames during whose decoding FFmpeg reported an error.
    damaged: Vec<f64>,
    /// FFmpeg's error count when the clip was opened (see [`decode_errors`]).
    errors_at_open: u64,
}

fn input_error(path: &Path, what: &str) -> anyhow::Error {
    RomcamError::Input(format!("{}: {what}", crate::fsutil::shown(path))).into()
}

/// Refuses frames larger than [`MAX_FRAME_PIXELS`].
fn check_frame_size(path: &Path, w: u64, h: u64) -> Result<()> {
    if w.saturating_mul(h) > MAX_FRAME_PIXELS {
        return Err(input_error(
            path,
            &format!(
                "its frames are {w} x {h} pixels, more than romcam decodes (4096 x 2304, 4K): re-encode the clip at 4K or less"
            ),
        ));
    }
    Ok(())
}

impl VideoReader {
    /// Opens `path`. `max_side` bounds the longer side of the frames handed on (0 = full size).
    pub fn open(path: &Path, max_side: u32) -> Result<Self> {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => input_error(path, "no such file"),
            std::io::ErrorKind::PermissionDenied => input_error(path, "permission denied"),
            _ => input_error(path, &format!("cannot be read ({e})")),
        })?;
        if meta.is_dir() {
            return Err(input_error(path, "is a folder, not a video file"));
        }
        if meta.len() == 0 {
            return Err(input_error(path, "is an empty file"));
        }
        let header = File::open(path)
            .map(|mut f| rotation::read_track_header(&mut f))
            .map_err(|e| input_error(path, &format!("cannot be opened ({e})")))?
            .map_err(|e| input_error(path, &e.to_string()))?;
        // refuse an oversized frame before OpenCV opens the clip (opening decodes a frame)
        let stated = header
            .coded_size
            .map(|(w, h)| (w as u64, h as u64))
            .or_else(|| File::open(path).ok().and_then(|mut f| matroska::read_frame_size(&mut f)));
        if let Some((w, h)) = stated {
            check_frame_size(path, w, h)?;
        }
        let orientation = header.orientation;
        let rotation = orientation.rotation;
        let name = path.to_str().ok_or_else(|| input_error(path, "the path is not valid UTF-8"))?;
        let mut capture = videoio::VideoCapture::from_file(name, videoio::CAP_FFMPEG)
            .ok()
            .filter(|c| c.is_opened().unwrap_or(false))
            .ok_or_else(|| input_error(path, "is not a video file romcam can read"))?;
        // after OpenCV's first open, which sets its own FFmpeg log callback
        decode_errors::install();
        // Turn OpenCV's own orientation handling off (4.6 applies the tag the wrong way): we
        // apply it ourselves. Frames must then come out in their stored size.
        let _ = capture.set(videoio::CAP_PROP_ORIENTATION_AUTO, 0.0);
        let coded_w = capture.get(videoio::CAP_PROP_FRAME_WIDTH).unwrap_or(0.0).max(0.0) as u32;
        let coded_h = capture.get(videoio::CAP_PROP_FRAME_HEIGHT).unwrap_or(0.0).max(0.0) as u32;
        if coded_w == 0 || coded_h == 0 {
            return Err(input_error(path, "has no video stream"));
        }
        check_frame_size(path, coded_w as u64, coded_h as u64)?;
        let (width, height) = if rotation.swaps_axes() { (coded_h, coded_w) } else { (coded_w, coded_h) };
        let fps = capture.get(videoio::CAP_PROP_FPS).unwrap_or(0.0);
        let frame_count = capture.get(videoio::CAP_PROP_FRAME_COUNT).unwrap_or(0.0).max(0.0) as u64;
        let info = VideoInfo {
            path: path.to_path_buf(),
            width,
            height,
            fps: if fps.is_finite() && fps > 0.0 { fps } else { 30.0 },
            frame_count,
            rotation,
            mirrored: orientation.mirrored,
        };
        Ok(VideoReader {
            capture,
            info,
            max_side,
            index: 0,
            last_t: -1.0,
            raw: Mat::default(),
            small: Mat::default(),
            damaged: Vec::new(),
            errors_at_open: decode_errors::count(),
        })
    }

    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    /// The next upright frame, or `None` at the end of the clip.
    pub fn next_frame(&mut self) -> Result<Option<Frame>> {
        match self.advance()? {
            Some(_) => self.current_frame().map(Some),
            None => Ok(None),
        }
    }

    /// Moves to the next frame without converting it, returning its timestamp (cheaper than
    /// `next_frame` for frames that will be skipped), or `None` at the end of the clip.
    pub fn advance(&mut self) -> Result<Option<f64>> {
        let errors_before = decode_errors::count();
        if !self.capture.grab().unwrap_or(false) {
            return Ok(None);
        }
        let t = self.timestamp();
        if decode_errors::count() > errors_before {
            self.damaged.push(t);
        }
        self.index += 1;
        Ok(Some(t))
    }

    /// Timestamps of the frames so far during whose decoding FFmpeg reported an error (with
    /// frame-threaded decoding the error may be reported a few frames late).
    pub fn damaged_frames(&self) -> &[f64] {
        &self.damaged
    }

    /// The frame `advance` moved to, upright and downscaled.
    pub fn current_frame(&mut self) -> Result<Frame> {
        self.current_frame_into(Mat::default())
    }

    /// Like [`current_frame`](Self::current_frame), writing the pixels into `buffer` (a frame
    /// handed back after use): a buffer of the right size is reused, not allocated again.
    pub fn current_frame_into(&mut self, buffer: Mat) -> Result<Frame> {
        let ok = self.capture.retrieve(&mut self.raw, 0).unwrap_or(false);
        if !ok || self.raw.empty() {
            return Err(RomcamError::Input(format!(
                "{}: frame {} cannot be decoded (the file may be damaged)",
                self.info.path.display(),
                self.index
            ))
            .into());
        }
        let (image, scale) = self.upright_downscaled(buffer)?;
        Ok(Frame { index: self.index - 1, t: self.last_t, image, scale })
    }

    /// After the last frame: refuses a clip that stopped well short of the frame count its
    /// container states (a truncated or damaged file), and a single picture.
    pub fn check_complete(&self) -> Result<()> {
        let (decoded, stated) = (self.index as u64, self.info.frame_count);
        if decoded == 0 {
            return Err(input_error(&self.info.path, "contains no video frames"));
        }
        if decoded == 1 {
            return Err(input_error(&self.info.path, "holds a single picture, not a video clip"));
        }
        // A container may state a frame count from a wrong duration (an mkv claiming 10 h):
        // when FFmpeg reported no error while every frame decoded, the clip is whole.
        let clean = decode_errors::available() && decode_errors::count() == self.errors_at_open;
        if clean {
            log::debug!("{decoded} frames decoded cleanly; the container stated {stated}");
        }
        if !clean && stated > 10 && (decoded as f64) < 0.75 * stated as f64 {
            return Err(input_error(
                &self.info.path,
                &format!(
                    "only {decoded} of its {stated} frames can be decoded: the file is truncated or damaged"
                ),
            ));
        }
        Ok(())
    }

    /// Container presentation time of the frame just read; falls back to index / fps when the
    /// container gives none, and never goes backwards.
    fn timestamp(&mut self) -> f64 {
        let ms = self.capture.get(videoio::CAP_PROP_POS_MSEC).unwrap_or(f64::NAN);
        let fallback = self.index as f64 / self.info.fps;
        let mut t = if ms.is_finite() && ms >= 0.0 { ms / 1000.0 } else { fallback };
        if self.index > 0 && t <= self.last_t {
            t = self.last_t + 1.0 / self.info.fps;
        }
        self.last_t = t;
        t
    }

    /// The frame just retrieved, downscaled to `max_side` and turned upright, in `out`.
    fn upright_downscaled(&mut self, mut out: Mat) -> Result<(Mat, f64)> {
        if self.info.mirrored {
            // the display matrix mirrors first, then turns: flip the stored frame in place
            let mut flipped = Mat::default();
            core::flip(&self.raw, &mut flipped, 1)?;
            self.raw = flipped;
        }
        let (w, h) = (self.raw.cols() as u32, self.raw.rows() as u32);
        let long = w.max(h);
        let code = match self.info.rotation {
            Rotation::None => None,
            Rotation::Clockwise90 => Some(core::ROTATE_90_CLOCKWISE),
            Rotation::Rotate180 => Some(core::ROTATE_180),
            Rotation::Clockwise270 => Some(core::ROTATE_90_COUNTERCLOCKWISE),
        };
        if self.max_side == 0 || long <= self.max_side {
            match code {
                Some(code) => core::rotate(&self.raw, &mut out, code)?,
                None => self.raw.copy_to(&mut out)?,
            }
            return Ok((out, 1.0));
        }
        let scale = long as f64 / self.max_side as f64;
        let size =
            Size::new(((w as f64 / scale).round() as i32).max(1), ((h as f64 / scale).round() as i32).max(1));
        // Area averaging against aliasing where it matters (halving or more); below that,
        // bilinear: OpenCV's area path for a fractional factor such as 1080p -> 720p costs
        // 11 ms a frame against 2 ms.
        let interpolation = if scale >= 2.0 { imgproc::INTER_AREA } else { imgproc::INTER_LINEAR };
        match code {
            Some(code) => {
                imgproc::resize(&self.raw, &mut self.small, size, 0.0, 0.0, interpolation)?;
                core::rotate(&self.small, &mut out, code)?;
            }
            None => imgproc::resize(&self.raw, &mut out, size, 0.0, 0.0, interpolation)?,
        }
        Ok((out, scale))
    }
}

/// A frame handed on by [`decode_in_background`], with how many frames were decoded so far.
pub struct DecodedFrame {
    pub frame: Frame,
    /// Frames decoded up to and including this one (skipped ones included).
    pub decoded: usize,
}

/// Frames waiting between the decoding thread and the consumer (each at most 1280 px wide:
/// about 2.8 MB).
const DECODE_QUEUE: usize = 3;

/// What the decoding thread saw of the whole clip, skipped frames included.
#[derive(Debug, Clone, Default)]
pub struct DecodeSummary {
    pub frames: usize,
    /// Timestamp of the last frame decoded (seconds).
    pub last_t: f64,
    /// Timestamps of the frames that decoded with errors (see [`VideoReader::damaged_frames`]).
    pub damaged: Vec<f64>,
}

/// The time of the next frame the consumer wants, shared with the decoding thread: frames
/// before it are not converted. It only ever moves forward, so a late reading by the decoder
/// converts a frame too many (which the consumer passes over), never one too few.
#[derive(Debug)]
pub struct NextFrameDue(std::sync::atomic::AtomicU64);

impl Default for NextFrameDue {
    fn default() -> Self {
        NextFrameDue(std::sync::atomic::AtomicU64::new(f64::NEG_INFINITY.to_bits()))
    }
}

impl NextFrameDue {
    pub fn set(&self, t: f64) {
        self.0.store(t.to_bits(), std::sync::atomic::Ordering::Relaxed);
    }

    pub fn get(&self) -> f64 {
        f64::from_bits(self.0.load(std::sync::atomic::Ordering::Relaxed))
    }
}

/// Decodes the clip on its own thread while `consume` works on the current one, so that
/// decoding overlaps with inference. Only frames on a fixed grid (the first frame, then each
/// first frame at least `min_interval_s` after the last grid frame) and not before `due` are
/// converted and handed on; the others are only demuxed and decoded, which is much cheaper.
/// Stops at the first error of either side; after the last frame, refuses a truncated clip or
/// a single picture (see [`VideoReader::check_complete`]).
///
/// `consume` only borrows each frame: its pixel buffer goes back to the decoding thread to
/// hold a later frame, so the buffers are allocated once, not once per frame.
pub fn decode_in_background(
    reader: VideoReader,
    min_interval_s: f64,
    due: &NextFrameDue,
    mut consume: impl FnMut(&DecodedFrame) -> Result<()>,
) -> Result<DecodeSummary> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<DecodedFrame>>(DECODE_QUEUE);
    let (spare_sender, spare_buffers) = std::sync::mpsc::channel::<Mat>();
    std::thread::scope(|scope| {
        let decoder = scope.spawn(move || decode_loop(reader, min_interval_s, due, &sender, &spare_buffers));
        // `receiver` is dropped when this loop ends, which stops the decoder at its next send
        for item in receiver {
            let item = item?;
            consume(&item)?;
            let _ = spare_sender.send(item.frame.image);
        }
        decoder.join().map_err(|_| anyhow::anyhow!("the video decoding thread failed"))
    })
}

/// The decoding thread: hands on the frames due, then checks the clip was complete. Errors go
/// to the consumer through the queue.
fn decode_loop(
    mut reader: VideoReader,
    min_interval_s: f64,
    due: &NextFrameDue,
    sender: &std::sync::mpsc::SyncSender<Result<DecodedFrame>>,
    spare_buffers: &std::sync::mpsc::Receiver<Mat>,
) -> DecodeSummary {
    let mut next_t = f64::NEG_INFINITY;
    let mut seen = DecodeSummary::default();
    loop {
        let t = match reader.advance() {
            Ok(Some(t)) => t,
            Ok(None) => break,
            Err(e) => {
                let _ = sender.send(Err(e));
                return seen;
            }
        };
        seen.frames += 1;
        seen.last_t = t;
        // The frames on the grid (one every `min_interval_s`) follow from the timestamps
        // alone, so the consumer is offered the same frames on every run whatever the timing
        // of the two threads; `due` only spares converting grid frames it would pass over.
        if t + 1e-6 < next_t {
            continue;
        }
        next_t = t + min_interval_s;
        if t + 1e-6 < due.get() {
            continue;
        }
        let buffer = spare_buffers.try_recv().unwrap_or_default();
        let item =
            reader.current_frame_into(buffer).map(|frame| DecodedFrame { frame, decoded: seen.frames });
        let failed = item.is_err();
        if sender.send(item).is_err() || failed {
            return seen; // the consumer stopped, or it has the error
        }
    }
    seen.damaged = reader.damaged_frames().to_vec();
    if let Err(e) = reader.check_complete() {
        let _ = sender.send(Err(e));
    }
    seen
}

/// Decodes the whole clip into a list of frames. Only for short clips and tests.
pub fn count_frames(path: &Path) -> Result<usize> {
    let mut reader = VideoReader::open(path, 320)?;
    let mut n = 0;
    while reader.next_frame()?.is_some() {
        n += 1;
    }
    Ok(n)
}
