//! Writing video: H.264 in MP4 (yuv420p, the index at the front of the file), the form that
//! plays in every browser, on phones and in practice systems. Frames are handed to Debian's
//! `ffmpeg` program (libx264) through a pipe; it reads raw pixels from romcam and writes one
//! local file, nothing else.

use std::io::Write;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use anyhow::Result;
use opencv::core::Mat;
use opencv::prelude::*;

use crate::error::RomcamError;

/// The `ffmpeg` program used (found on PATH, or named by `ROMCAM_FFMPEG`).
fn ffmpeg_program() -> std::ffi::OsString {
    std::env::var_os("ROMCAM_FFMPEG").unwrap_or_else(|| "ffmpeg".into())
}

/// How many encoders are running. While one runs, SIGPIPE is ignored, so that an encoder that
/// stops (a full disk, say) gives romcam a write error to report instead of ending it silently
/// (main.rs restores SIGPIPE's default action so that `romcam clients | head` ends quietly).
static RUNNING_ENCODERS: std::sync::Mutex<usize> = std::sync::Mutex::new(0);

fn encoder_started() {
    let mut n = RUNNING_ENCODERS.lock().unwrap_or_else(|e| e.into_inner());
    if *n == 0 {
        // SAFETY: sets the disposition of one signal; no handler function is involved.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        }
    }
    *n += 1;
}

fn encoder_ended() {
    let mut n = RUNNING_ENCODERS.lock().unwrap_or_else(|e| e.into_inner());
    *n = n.saturating_sub(1);
    if *n == 0 {
        // SAFETY: as above; back to the default action main.rs set.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
}

/// An H.264 MP4 being written frame by frame.
pub struct H264Writer {
    child: Child,
    stdin: Option<ChildStdin>,
    width: i32,
    height: i32,
    frame_bytes: Vec<u8>,
}

impl H264Writer {
    /// Starts writing `out` (replaced if it exists) with frames of `width` x `height` BGR
    /// pixels at `fps` frames per second.
    pub fn create(out: &Path, width: i32, height: i32, fps: f64) -> Result<Self> {
        if width <= 0 || height <= 0 || !(fps.is_finite() && fps > 0.0) {
            return Err(RomcamError::Output(format!(
                "cannot encode a {width}x{height} video at {fps} frames/s"
            ))
            .into());
        }
        encoder_started();
        let mut target = std::ffi::OsString::from("file:");
        target.push(out.as_os_str());
        let child = Command::new(ffmpeg_program())
            .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24"])
            .args(["-s", &format!("{width}x{height}"), "-framerate", &format!("{fps:.6}"), "-i", "pipe:0"])
            // yuv420p needs even sides; one pixel row or column at most is dropped
            .args(["-vf", "crop=trunc(iw/2)*2:trunc(ih/2)*2:0:0", "-an", "-c:v", "libx264"])
            .args(["-preset", "veryfast", "-crf", "26", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4"])
            .arg(target)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                encoder_ended();
                RomcamError::Setup(format!(
                    "writing MP4 video needs the ffmpeg program, which cannot be started ({e}); install it with scripts/setup or apt install ffmpeg"
                ))
            })?;
        let mut writer = H264Writer { child, stdin: None, width, height, frame_bytes: Vec::new() };
        writer.stdin = writer.child.stdin.take();
        Ok(writer)
    }

    /// Appends one frame (BGR, 8 bits, the size given at creation).
    pub fn write(&mut self, frame: &Mat) -> Result<()> {
        if frame.cols() != self.width || frame.rows() != self.height || frame.channels() != 3 {
            return Err(RomcamError::Output(format!(
                "a {}x{} frame cannot go into a {}x{} video",
                frame.cols(),
                frame.rows(),
                self.width,
                self.height
            ))
            .into());
        }
        let bytes: &[u8] = if frame.is_continuous() {
            frame.data_bytes()?
        } else {
            self.frame_bytes.clear();
            for row in 0..frame.rows() {
                self.frame_bytes.extend_from_slice(frame.row(row)?.data_bytes()?);
            }
            &self.frame_bytes
        };
        let stdin =
            self.stdin.as_mut().ok_or_else(|| RomcamError::Output("the video encoder has stopped".into()))?;
        if stdin.write_all(bytes).is_err() {
            return Err(self.failure());
        }
        Ok(())
    }

    /// Ends the video and waits for the encoder; the file is complete when this returns Ok.
    pub fn finish(mut self) -> Result<()> {
        drop(self.stdin.take());
        let status =
            self.child.wait().map_err(|e| RomcamError::Output(format!("the video encoder failed: {e}")))?;
        // ffmpeg 5.1 exits 0 when it cannot write the file's end (a full disk: "Error writing
        // trailer"); at `-loglevel error` anything it says is an error
        let mut said = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut err, &mut said);
        }
        if status.success() && said.trim().is_empty() {
            Ok(())
        } else {
            Err(encoder_failed(&said))
        }
    }

    /// The encoder's own complaint, as one sentence.
    fn failure(&mut self) -> anyhow::Error {
        drop(self.stdin.take());
        let _ = self.child.wait();
        let mut said = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut err, &mut said);
        }
        encoder_failed(&said)
    }
}

/// The encoder's last complaint, as one sentence.
fn encoder_failed(said: &str) -> anyhow::Error {
    let said = said.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("no reason given").trim().to_string();
    RomcamError::Output(format!("the video encoder (ffmpeg) failed: {said}")).into()
}

impl Drop for H264Writer {
    fn drop(&mut self) {
        // an unfinished writer (an error or Ctrl-C on the way) stops the encoder
        if self.stdin.is_some() {
            drop(self.stdin.take());
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        encoder_ended();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opencv::core::{Scalar, CV_8UC3};

    #[test]
    fn frames_become_an_h264_mp4_with_its_index_first() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("clip.mp4");
        let mut w = H264Writer::create(&out, 65, 48, 15.0).unwrap();
        for i in 0..15 {
            let frame =
                Mat::new_rows_cols_with_default(48, 65, CV_8UC3, Scalar::all(10.0 * i as f64)).unwrap();
            w.write(&frame).unwrap();
        }
        w.finish().unwrap();
        let bytes = std::fs::read(&out).unwrap();
        // ftyp, then moov before mdat (faststart)
        let find = |tag: &[u8]| bytes.windows(4).position(|w| w == tag);
        let (moov, mdat) = (find(b"moov").unwrap(), find(b"mdat").unwrap());
        assert!(moov < mdat, "the index (moov) is not at the front");
        assert!(find(b"avc1").is_some(), "not H.264");
    }

    #[test]
    fn a_frame_of_the_wrong_size_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = H264Writer::create(&dir.path().join("clip.mp4"), 64, 48, 15.0).unwrap();
        let frame = Mat::new_rows_cols_with_default(40, 64, CV_8UC3, Scalar::all(0.0)).unwrap();
        assert!(w.write(&frame).is_err());
    }
}
