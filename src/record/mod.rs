//! Filming for `romcam record`: reads the camera, runs the live pose on a worker thread
//! ([`live`]), keeps the framing checklist and the hold timer ([`checklist`]), shows them
//! ([`preview`]: a window, or the terminal), and writes the recording as H.264 MP4 (through
//! [`crate::video::encode::H264Writer`], on its own thread) between Space and Space, or from a
//! green checklist to 3 s after the hold with `--auto`. It measures nothing itself: the clip is
//! assessed afterwards exactly as `romcam assess` does it (see `commands/record.rs`).

pub mod checklist;
pub mod live;
pub mod preview;

use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};
use std::thread::JoinHandle;
use std::time::Instant;

use anyhow::Result;
use opencv::core::Mat;
use opencv::prelude::*;

use crate::error::RomcamError;
use crate::pose::PoseOptions;
use crate::video::camera::Camera;
use crate::video::encode::H264Writer;
use checklist::{LiveState, HOLD_S};
use preview::Key;

/// With `--auto`, recording stops this long after the hold is reached.
pub const AUTO_STOP_AFTER_HOLD_S: f64 = 3.0;

/// How `record` films.
#[derive(Debug, Clone, Copy)]
pub struct FilmSettings {
    /// `--auto`: start when the checklist is green, stop after the hold.
    pub auto: bool,
    /// Show the preview window (else the checklist goes to the terminal).
    pub window: bool,
    pub quiet: bool,
}

/// How a take ended.
pub enum Take {
    /// A complete recording in the file given to [`Recorder::film`].
    Recorded { seconds: f64, frames: usize },
    /// Esc, or the window closed: nothing is kept.
    Cancelled,
}

/// The camera, the live pose and what is shown, across takes.
pub struct Recorder {
    camera: Camera,
    live: live::LivePose,
    state: LiveState,
    settings: FilmSettings,
    /// Camera frames read and frames shown in the preview window.
    pub frames_read: usize,
    pub frames_shown: usize,
    showing_since: Option<Instant>,
    showing_last: Option<Instant>,
    /// The last frame shown, for the summary screen.
    last_frame: Mat,
    /// Enter on the terminal (headless without --auto).
    enter: Option<Receiver<()>>,
    printed: Option<checklist::Checklist>,
    draw_cache: preview::DrawCache,
}

/// The recording being written: frames go to the encoder on its own thread, so that the
/// preview never waits for it.
struct Recording {
    sender: Option<SyncSender<Mat>>,
    encoder: Option<JoinHandle<Result<()>>>,
    started_t: f64,
    frames: usize,
}

impl Recording {
    fn start(path: &Path, image: &Mat, fps: f64, t: f64) -> Result<Recording> {
        let mut writer = H264Writer::create(path, image.cols(), image.rows(), fps)?;
        let (sender, frames) = std::sync::mpsc::sync_channel::<Mat>(2 * fps.ceil() as usize);
        let encoder = std::thread::Builder::new()
            .name("record-encoder".into())
            .spawn(move || {
                for frame in frames {
                    writer.write(&frame)?;
                }
                writer.finish()
            })
            .map_err(|e| anyhow::anyhow!("the encoder thread cannot be started: {e}"))?;
        Ok(Recording { sender: Some(sender), encoder: Some(encoder), started_t: t, frames: 0 })
    }

    fn write(&mut self, image: &Mat) -> Result<()> {
        let sent = self.sender.as_ref().map(|s| s.send(image.clone()));
        if !matches!(sent, Some(Ok(()))) {
            // the encoder stopped: its error says why (a full disk, say)
            return Err(self.end().err().unwrap_or_else(|| anyhow::anyhow!("the video encoder stopped")));
        }
        self.frames += 1;
        Ok(())
    }

    /// Ends the clip and waits for the encoder: the file is complete when this returns Ok.
    fn end(&mut self) -> Result<()> {
        drop(self.sender.take());
        match self.encoder.take().map(|h| h.join()) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(anyhow::anyhow!("the video encoder thread failed")),
            None => Ok(()),
        }
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        // an unfinished recording (Esc, Ctrl-C, an error) stops the encoder; the caller
        // removes the file
        let _ = self.end();
    }
}

impl Recorder {
    /// Starts the live pose worker (the models are loaded here) and opens the window.
    pub fn new(camera: Camera, pose: &PoseOptions, settings: FilmSettings) -> Result<Recorder> {
        let live = live::LivePose::start(pose)?;
        if settings.window {
            preview::open_window()?;
        }
        let enter = (!settings.window && !settings.auto).then(|| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let mut line = String::new();
                while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
                    line.clear();
                    if tx.send(()).is_err() {
                        break;
                    }
                }
            });
            rx
        });
        let recorder = Recorder {
            camera,
            live,
            state: LiveState::default(),
            settings,
            frames_read: 0,
            frames_shown: 0,
            showing_since: None,
            showing_last: None,
            last_frame: Mat::default(),
            enter,
            printed: None,
            draw_cache: preview::DrawCache::default(),
        };
        if settings.window {
            recorder.say(&format!("preview window open ({})", recorder.hint(false)));
        }
        Ok(recorder)
    }

    fn say(&self, text: &str) {
        if !self.settings.quiet {
            eprintln!("romcam: {text}");
        }
    }

    fn hint(&self, recording: bool) -> &'static str {
        match (self.settings.auto, recording) {
            (true, false) => "--auto: recording starts when the checklist is green   Esc: cancel",
            (true, true) => "--auto: recording stops 3 s after the hold   Esc: cancel",
            (false, false) => "Space: start recording   Esc: cancel",
            (false, true) => "Space: stop recording   Esc: cancel",
        }
    }

    /// Films one take into `clip`. Returns when the take is recorded or cancelled; a camera
    /// that stops, a failing encoder, Ctrl-C or a source that ends before any recording are
    /// errors (the caller removes `clip`).
    pub fn film(&mut self, clip: &Path) -> Result<Take> {
        let mut recording: Option<Recording> = None;
        let mut hold_reached: Option<f64> = None;
        let mut holding = false;
        let frame_s = 1.0 / self.camera.fps;
        if self.enter.is_some() {
            self.say("press Enter to start recording, Enter again to stop; Ctrl-C cancels");
        }
        loop {
            crate::interrupt::check()?;
            let Some(frame) = self.camera.next_frame()? else {
                // the end of a file: a recording under way is complete
                return match recording.take() {
                    Some(mut r) => {
                        r.end()?;
                        self.say("the video file ended: recording stopped");
                        Ok(Take::Recorded { seconds: r.frames as f64 * frame_s, frames: r.frames })
                    }
                    None => Err(self.never_recorded()),
                };
            };
            self.frames_read += 1;
            let read_at = Instant::now();
            let (w, h) = (frame.image.cols() as f64, frame.image.rows() as f64);
            self.live.offer(&frame.image, frame.t)?;
            if let Some(result) = self.live.take_new() {
                self.state.update(result, w, h);
                if !self.settings.window && self.printed != Some(self.state.checklist) {
                    self.printed = Some(self.state.checklist);
                    if !self.settings.quiet {
                        eprintln!("{}", preview::checklist_line(&self.state.checklist, frame.t));
                    }
                }
            }
            log::debug!(
                "frame at {:.2} s: live pose offered, checklist updated in {:.1} ms",
                frame.t,
                read_at.elapsed().as_secs_f64() * 1e3
            );
            if let Some(r) = recording.as_mut() {
                r.write(&frame.image)?;
                match self.state.hold_s(frame.t) {
                    Some(s) if s >= HOLD_S => {
                        if hold_reached.is_none() {
                            hold_reached = Some(frame.t);
                            self.say(&format!("hold reached at {:.1} s", frame.t));
                        }
                    }
                    Some(_) => {
                        if !holding {
                            self.say(&format!("the leg is still: hold timer started at {:.1} s", frame.t));
                        }
                    }
                    None => hold_reached = None,
                }
                holding = self.state.hold_s(frame.t).is_some();
            }
            let key = self.show(&frame.image, frame.t, recording.as_ref().map(|r| frame.t - r.started_t))?;
            if key == Some(Key::Cancel) {
                return Ok(Take::Cancelled);
            }
            let toggle = key == Some(Key::StartStop);
            let auto_start = self.settings.auto && self.state.checklist.all_green();
            let auto_stop =
                self.settings.auto && hold_reached.is_some_and(|h| frame.t >= h + AUTO_STOP_AFTER_HOLD_S);
            match recording.as_mut() {
                None if toggle || auto_start => {
                    let mut r = Recording::start(clip, &frame.image, self.camera.fps, frame.t)?;
                    r.write(&frame.image)?;
                    recording = Some(r);
                    self.say(&format!("recording started at {:.1} s", frame.t));
                }
                Some(r) if toggle || auto_stop => {
                    r.end()?;
                    self.say(&format!("recording stopped at {:.1} s", frame.t));
                    return Ok(Take::Recorded { seconds: r.frames as f64 * frame_s, frames: r.frames });
                }
                _ => {}
            }
        }
    }

    /// Why a source ended with nothing recorded.
    fn never_recorded(&self) -> anyhow::Error {
        let red = self.state.checklist.red();
        if self.settings.auto && !red.is_empty() {
            RomcamError::NotMeasurable(format!(
                "the video ended before the framing checklist was green (still red: {}), so nothing was recorded: film again from the side of the test leg, with the whole body and the table in view and the camera at about hip height",
                red.join(", ")
            ))
            .into()
        } else {
            RomcamError::Input("the video ended before a recording was started; nothing was recorded".into())
                .into()
        }
    }

    /// Shows a frame in the window (every frame the camera gave), or reads Enter on the
    /// terminal.
    fn show(&mut self, image: &Mat, t: f64, recording_s: Option<f64>) -> Result<Option<Key>> {
        if !self.settings.window {
            let entered = self.enter.as_ref().is_some_and(|rx| rx.try_recv().is_ok());
            return Ok(entered.then_some(Key::StartStop));
        }
        let t0 = Instant::now();
        image.copy_to(&mut self.last_frame)?;
        let status = preview::Status { recording_s, hint: self.hint(recording_s.is_some()) };
        preview::draw(&mut self.last_frame, &self.state, t, &status, &mut self.draw_cache)?;
        let t1 = Instant::now();
        self.showing_since.get_or_insert_with(Instant::now);
        self.showing_last = Some(Instant::now());
        self.frames_shown += 1;
        let key = preview::show(&self.last_frame);
        log::debug!(
            "frame at {t:.2} s: drawn in {:.1} ms, shown in {:.1} ms",
            (t1 - t0).as_secs_f64() * 1e3,
            t1.elapsed().as_secs_f64() * 1e3
        );
        key
    }

    /// Shows the assessment's summary and asks whether to keep it: in the window (Enter keeps,
    /// Backspace or D discards, Esc cancels); with `--auto` or on the terminal it is kept.
    pub fn keep_or_discard(&mut self, summary: &str) -> Result<Key> {
        if !self.settings.window || self.settings.auto {
            if self.settings.window {
                let mut screen = self.last_frame.clone();
                preview::draw_summary(&mut screen, summary)?;
                preview::show(&screen)?;
            }
            return Ok(Key::Keep);
        }
        let mut screen = self.last_frame.clone();
        preview::draw_summary(&mut screen, summary)?;
        self.say("in the preview window: Enter keeps and stores the result, Backspace or D discards it to film again, Esc cancels");
        preview::wait_for(&screen, &[Key::Keep, Key::Discard])
    }

    /// "preview: N frames shown of M (F frames/s; ...)", or None without a window.
    pub fn preview_counts(&self) -> Option<String> {
        let (since, last) = (self.showing_since?, self.showing_last?);
        let fps = self.frames_shown.saturating_sub(1) as f64 / (last - since).as_secs_f64().max(1e-3);
        Some(format!(
            "preview: {} frames shown of {} ({fps:.1} frames/s; the camera's rate is {:.1})",
            self.frames_shown, self.frames_read, self.camera.fps
        ))
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if self.settings.window {
            preview::close_window();
        }
    }
}
