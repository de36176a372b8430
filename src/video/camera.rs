//! Live video sources for `romcam record`: a V4L2 camera by index (at its best mode up to
//! 1080p), or anything OpenCV can read (a file or a stream URL). A file is paced in real time,
//! frame by frame as a camera would deliver it, which is how the tests drive `record`. Frames
//! come out upright (a file's rotation tag is applied, as in [`VideoReader`]) and BGR, with their
//! time since the source started. It knows nothing about poses.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use opencv::core::Mat;
use opencv::prelude::*;
use opencv::videoio;

use super::VideoReader;
use crate::error::RomcamError;

/// Frames of a file source are scaled down so that their longer side is at most this (a
/// camera is asked for 1080p at most).
const MAX_SIDE: u32 = 1920;

/// What `--camera` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CameraSpec {
    /// A V4L2 camera, `/dev/videoN`.
    Index(u32),
    /// A file, or a URL OpenCV's FFmpeg backend can open (rtsp://, http://).
    Location(String),
}

impl CameraSpec {
    /// A number is a camera index; anything else is a file or URL.
    pub fn parse(text: &str) -> Result<CameraSpec, String> {
        if text.is_empty() {
            return Err("give a camera number (0 for the first camera) or a video file".into());
        }
        if text.chars().all(|c| c.is_ascii_digit()) {
            return text.parse().map(CameraSpec::Index).map_err(|_| format!("{text} is not a camera number"));
        }
        Ok(CameraSpec::Location(text.to_string()))
    }
}

/// One frame from the source.
pub struct CameraFrame {
    /// Upright BGR picture.
    pub image: Mat,
    /// Seconds since the source started (a file's own timestamps).
    pub t: f64,
}

enum Source {
    Device {
        capture: videoio::VideoCapture,
        index: u32,
    },
    /// A file: its first timestamp, and the real time and frame time that pacing counts from.
    File {
        reader: VideoReader,
        first_t: Option<f64>,
        pace: Option<(Instant, f64)>,
    },
    Stream {
        capture: videoio::VideoCapture,
        url: String,
    },
}

/// An open live source.
pub struct Camera {
    source: Source,
    /// Nominal frames per second (the recorded clip is written at this rate).
    pub fps: f64,
    started: Instant,
    /// A frame read while opening (to check the camera really sends pictures), handed out first.
    pending: Option<CameraFrame>,
}

fn input(text: String) -> anyhow::Error {
    RomcamError::Input(text).into()
}

impl Camera {
    /// Opens the camera or file. A missing camera, one that cannot be opened (busy, no
    /// permission) or that sends no picture, and a file that cannot be read are refused here.
    pub fn open(spec: &CameraSpec) -> Result<Camera> {
        let started = Instant::now();
        match spec {
            CameraSpec::Index(index) => open_device(*index, started),
            CameraSpec::Location(text) if Path::new(text).exists() || !text.contains("://") => {
                let reader = VideoReader::open(Path::new(text), MAX_SIDE)?;
                let fps = reader.info().fps;
                Ok(Camera {
                    source: Source::File { reader, first_t: None, pace: None },
                    fps,
                    started,
                    pending: None,
                })
            }
            CameraSpec::Location(url) => {
                let capture = videoio::VideoCapture::from_file(url, videoio::CAP_FFMPEG)
                    .ok()
                    .filter(|c| c.is_opened().unwrap_or(false))
                    .ok_or_else(|| input(format!("the video stream {url} cannot be opened")))?;
                let fps = capture.get(videoio::CAP_PROP_FPS).unwrap_or(0.0);
                Ok(Camera {
                    source: Source::Stream { capture, url: url.clone() },
                    fps: if fps.is_finite() && fps > 0.0 && fps <= 120.0 { fps } else { 30.0 },
                    started,
                    pending: None,
                })
            }
        }
    }

    /// Whether the source is a file (it ends; a camera does not).
    pub fn is_file(&self) -> bool {
        matches!(self.source, Source::File { .. })
    }

    /// The next frame: `None` at the end of a file. A camera or stream that stops sending
    /// pictures (unplugged) is an error.
    pub fn next_frame(&mut self) -> Result<Option<CameraFrame>> {
        if let Some(frame) = self.pending.take() {
            return Ok(Some(frame));
        }
        let t_now = self.started.elapsed().as_secs_f64();
        match &mut self.source {
            Source::Device { capture, index } => {
                let mut image = Mat::default();
                if !capture.read(&mut image).unwrap_or(false) || image.empty() {
                    return Err(input(format!(
                        "camera {index} stopped sending pictures (was it unplugged?)"
                    )));
                }
                Ok(Some(CameraFrame { image, t: t_now }))
            }
            Source::Stream { capture, url } => {
                let mut image = Mat::default();
                if !capture.read(&mut image).unwrap_or(false) || image.empty() {
                    return Err(input(format!("the video stream {url} stopped sending pictures")));
                }
                Ok(Some(CameraFrame { image, t: t_now }))
            }
            Source::File { reader, first_t, pace } => {
                let Some(frame) = reader.next_frame()? else { return Ok(None) };
                let t = frame.t - *first_t.get_or_insert(frame.t);
                // paced as a camera delivers it: not before its time; after a pause (the
                // assessment of a take) it goes on from the frame it stopped at, in real time
                let now = Instant::now();
                let (origin, t0) = *pace.get_or_insert((now, t));
                let due = origin + Duration::from_secs_f64((t - t0).max(0.0));
                if due > now {
                    std::thread::sleep(due - now);
                } else if now - due > Duration::from_millis(500) {
                    *pace = Some((now, t));
                }
                Ok(Some(CameraFrame { image: frame.image, t }))
            }
        }
    }
}

/// Opens `/dev/video{index}` through V4L2 and asks for its best mode up to 1080p (MJPEG where
/// the camera offers it: raw 1080p does not fit USB 2 at 30 frames/s).
fn open_device(index: u32, started: Instant) -> Result<Camera> {
    let device = PathBuf::from(format!("/dev/video{index}"));
    if !device.exists() {
        return Err(input(format!(
            "there is no camera {index} ({} does not exist): plug the camera in, or give another number with --camera",
            device.display()
        )));
    }
    if let Err(e) = std::fs::OpenOptions::new().read(true).write(true).open(&device) {
        if e.kind() == std::io::ErrorKind::PermissionDenied {
            return Err(input(format!(
                "camera {index} ({}) cannot be opened: permission denied (add your user to the video group)",
                device.display()
            )));
        }
    }
    let busy = || {
        input(format!(
            "camera {index} ({}) cannot be opened: it is in use by another program, or it is not a camera",
            device.display()
        ))
    };
    let mut capture = videoio::VideoCapture::new(index as i32, videoio::CAP_V4L2)
        .ok()
        .filter(|c| c.is_opened().unwrap_or(false))
        .ok_or_else(busy)?;
    if let Ok(mjpg) = videoio::VideoWriter::fourcc('M', 'J', 'P', 'G') {
        let _ = capture.set(videoio::CAP_PROP_FOURCC, mjpg as f64);
    }
    let _ = capture.set(videoio::CAP_PROP_FRAME_WIDTH, 1920.0);
    let _ = capture.set(videoio::CAP_PROP_FRAME_HEIGHT, 1080.0);
    let _ = capture.set(videoio::CAP_PROP_FPS, 30.0);
    // a camera another program streams from opens, but gives no picture
    let mut first = Mat::default();
    if !capture.read(&mut first).unwrap_or(false) || first.empty() {
        return Err(busy());
    }
    let fps = capture.get(videoio::CAP_PROP_FPS).unwrap_or(0.0);
    let t = started.elapsed().as_secs_f64();
    Ok(Camera {
        source: Source::Device { capture, index },
        fps: if fps.is_finite() && fps > 0.0 && fps <= 120.0 { fps } else { 30.0 },
        started,
        pending: Some(CameraFrame { image: first, t }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_a_camera_and_anything_else_a_file_or_url() {
        assert_eq!(CameraSpec::parse("0"), Ok(CameraSpec::Index(0)));
        assert_eq!(CameraSpec::parse("12"), Ok(CameraSpec::Index(12)));
        assert_eq!(CameraSpec::parse("clip.mp4"), Ok(CameraSpec::Location("clip.mp4".into())));
        assert_eq!(
            CameraSpec::parse("rtsp://10.0.0.2/stream"),
            Ok(CameraSpec::Location("rtsp://10.0.0.2/stream".into()))
        );
        assert!(CameraSpec::parse("").is_err());
    }

    #[test]
    fn a_missing_camera_is_one_sentence_with_exit_3() {
        let err = Camera::open(&CameraSpec::Index(4000)).err().expect("no /dev/video4000");
        assert_eq!(crate::error::exit_code_of(&err), 3);
        assert!(err.to_string().contains("there is no camera 4000"), "{err}");
    }
}
