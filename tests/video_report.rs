//! The MP4 report of `assess --report FILE.mp4`: what every frame shows (the angles of the
//! moment, the hold marked, nothing of a withheld result), its form (H.264, yuv420p, the index
//! before the media data), and that a browser plays it: Debian's headless Chromium loads it in a
//! `<video>` element, reports its duration, seeks, plays, and paints the frame.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{sample, KeepFiles};
use opencv::core::{Mat, Scalar, CV_8UC3};
use opencv::prelude::*;
use romcam::assess::{self, Assessment, Criteria};
use romcam::report::{self, VideoSource};

const CLIP: &str = "dev01_pre_left";

/// The MP4 report of the sample clip, written once per test run (as `assess --report` writes it).
fn video_report() -> &'static (PathBuf, Assessment) {
    static MADE: std::sync::OnceLock<(PathBuf, Assessment)> = std::sync::OnceLock::new();
    MADE.get_or_init(|| {
        let analysed = common::analysed(CLIP);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("video-report");
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("assessment.mp4");
        let clip = sample(&format!("{CLIP}.mp4"));
        let source = VideoSource {
            clip: &clip,
            frames: &analysed.frames,
            assessment: Some(&analysed.assessment),
            blur_faces: false,
            quiet: true,
        };
        report::video::write_overlay_video(&source, &out, true).unwrap();
        (out, analysed.assessment.clone())
    })
}

fn ffprobe(path: &Path, entries: &str) -> String {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", entries, "-of", "default=nw=1"])
        .arg(path)
        .output()
        .expect("ffprobe runs (scripts/setup installs ffmpeg)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The top-level MP4 boxes, in file order.
fn top_level_boxes(bytes: &[u8]) -> Vec<String> {
    let mut boxes = Vec::new();
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as u64;
        let name = String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned();
        let size = match size {
            1 => u64::from_be_bytes(bytes[at + 8..at + 16].try_into().unwrap()),
            0 => (bytes.len() - at) as u64,
            s => s,
        };
        boxes.push(name);
        assert!(size >= 8, "a box of {size} bytes at {at}");
        at += size as usize;
    }
    boxes
}

#[test]
fn the_video_report_is_h264_yuv420p_with_its_index_first_and_the_clips_length() {
    let (mp4, _) = video_report();
    let stream = ffprobe(mp4, "stream=codec_name,pix_fmt,profile");
    assert!(stream.contains("codec_name=h264"), "{stream}");
    assert!(stream.contains("pix_fmt=yuv420p"), "{stream}");
    let boxes = top_level_boxes(&std::fs::read(mp4).unwrap());
    let (moov, mdat) = (
        boxes.iter().position(|b| b == "moov").expect("a moov box"),
        boxes.iter().position(|b| b == "mdat").expect("an mdat box"),
    );
    assert!(moov < mdat, "faststart: the index (moov) comes before the media (mdat): {boxes:?}");
    let duration = |p: &Path| -> f64 {
        let d = ffprobe(p, "format=duration");
        d.trim().trim_start_matches("duration=").parse().unwrap_or_else(|_| panic!("{d}"))
    };
    let (ours, clip) = (duration(mp4), duration(&sample(&format!("{CLIP}.mp4"))));
    assert!((ours - clip).abs() < 0.1, "the video lasts {ours} s, the clip {clip} s");
}

/// The page that loads the video: it seeks to `#t` seconds, and, unless `#still`, plays on for
/// half a second; each step is written into the page, which Chromium's --dump-dom prints.
const PAGE: &str = r#"<!doctype html>
<html><body style="margin:0;background:#000">
<video id="v" src="assessment.mp4" muted preload="auto" style="display:block;width:640px"></video>
<pre id="out" style="color:#fff">pending</pre>
<script>
const v = document.getElementById('v'), out = document.getElementById('out');
const args = new URLSearchParams(location.hash.slice(1));
const at = parseFloat(args.get('t')), still = args.has('still');
const steps = [];
function say(s) { steps.push(s); out.textContent = steps.join('\n'); }
let played = false;
v.addEventListener('error', () => say('error ' + (v.error && v.error.code)));
v.addEventListener('loadedmetadata', () => { say('duration ' + v.duration); v.currentTime = at; });
v.addEventListener('seeked', () => {
  say('seeked ' + v.currentTime.toFixed(3) + ' readyState ' + v.readyState);
  if (!still && !played) { played = true; v.play().catch(e => say('play failed ' + e)); }
});
v.addEventListener('timeupdate', () => {
  if (played && !v.paused && v.currentTime > at + 0.4) { v.pause(); say('played to ' + v.currentTime.toFixed(3)); }
});
</script></body></html>
"#;

/// Runs headless Chromium on `url` with `extra` arguments; its stdout. Fails, saying so, when
/// Chromium is missing or does not finish within a minute.
fn chromium(profile: &Path, url: &str, extra: &[&str]) -> String {
    let program = std::env::var("ROMCAM_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut child = Command::new(&program)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--mute-audio"])
        .args(["--autoplay-policy=no-user-gesture-required", "--virtual-time-budget=10000"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} cannot be started ({e}): scripts/setup installs chromium"));
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().unwrap()
}

/// What the page wrote: the text of its `<pre id="out">`.
fn page_steps(dom: &str) -> Vec<String> {
    let start = dom.find("<pre id=\"out\"").and_then(|i| dom[i..].find('>').map(|j| i + j + 1));
    let start = start.unwrap_or_else(|| panic!("no result in the page:\n{dom}"));
    let end = dom[start..].find("</pre>").map(|j| start + j).unwrap();
    dom[start..end].lines().map(str::to_string).collect()
}

fn number_after(steps: &[String], prefix: &str) -> f64 {
    let line = steps
        .iter()
        .find(|s| s.starts_with(prefix))
        .unwrap_or_else(|| panic!("the browser never said '{prefix}': {steps:?}"));
    line[prefix.len()..].split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn a_browser_plays_the_video_report_seeks_in_it_and_shows_the_hold() {
    let (mp4, assessment) = video_report();
    let hold = assessment.hold.as_ref().expect("the sample has a hold");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let _keep = KeepFiles { dir: d.to_path_buf(), prefix: "" };
    std::fs::copy(mp4, d.join("assessment.mp4")).unwrap();
    std::fs::write(d.join("page.html"), PAGE).unwrap();
    let page = format!("file://{}", d.join("page.html").display());
    let clip_s = assessment.measurement.clip_duration_s;
    let middle = (hold.start_s + hold.end_s) / 2.0;

    // Loads, knows its length, seeks and plays on.
    let seek_to = (clip_s / 2.0).min(middle - 1.0).max(0.5);
    let steps = page_steps(&chromium(&d.join("profile"), &format!("{page}#t={seek_to:.3}"), &["--dump-dom"]));
    assert!(!steps.iter().any(|s| s.starts_with("error") || s.contains("failed")), "{steps:?}");
    let duration = number_after(&steps, "duration ");
    assert!(duration.is_finite() && (duration - clip_s).abs() < 0.25, "duration {duration}, clip {clip_s} s");
    let seeked = number_after(&steps, "seeked ");
    assert!((seeked - seek_to).abs() < 0.1, "asked for {seek_to} s, seeked to {seeked} s: {steps:?}");
    assert!(steps.iter().any(|s| s.ends_with("readyState 4") || s.ends_with("readyState 3")), "{steps:?}");
    let played = number_after(&steps, "played to ");
    assert!(played > seeked + 0.3, "did not play on from {seeked} s: {steps:?}");

    // Paints the frame in the middle of the hold: the picture, with the hold's yellow frame.
    let shot = d.join("hold.png");
    chromium(
        &d.join("profile"),
        &format!("{page}#t={middle:.3}&still"),
        &["--window-size=640,480", "--hide-scrollbars", &format!("--screenshot={}", shot.display())],
    );
    let img = image::open(&shot).expect("chromium wrote the screenshot").to_rgb8();
    let video_h = (640.0 * 720.0 / 1280.0) as u32;
    let lum: Vec<f64> = (0..640)
        .step_by(7)
        .flat_map(|x| (0..video_h).step_by(7).map(move |y| (x, y)))
        .map(|(x, y)| img.get_pixel(x, y).0.iter().map(|&c| c as f64).sum::<f64>() / 3.0)
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let spread = (lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64).sqrt();
    assert!(spread > 20.0, "the browser painted no picture (brightness spread {spread:.1})");
    let yellow = |x: u32, y: u32| {
        let [r, g, b] = img.get_pixel(x, y).0;
        r > 180 && g > 170 && b < 130
    };
    let edge = (20..video_h - 20).step_by(10).filter(|&y| yellow(1, y) && yellow(638, y)).count();
    let rows = (20..video_h - 20).step_by(10).count();
    assert!(edge as f64 > 0.8 * rows as f64, "the hold's yellow frame shows on {edge} of {rows} rows");
}

/// The frame of `a` at time `t` burned in on a grey picture, with the sample's pose there.
fn burned(a: &Assessment, frames: &[romcam::pose::PoseFrame], t: f64) -> Vec<u8> {
    let mut image = Mat::new_rows_cols_with_default(720, 1280, CV_8UC3, Scalar::all(90.0)).unwrap();
    let landmarks = report::video::pose_at(frames, t).expect("a pose at t");
    let nearest = report::video::nearest_pose(frames, t).unwrap();
    report::video::burn_in(&mut image, a, Some((&landmarks, nearest)), t, 1.0).unwrap();
    image.data_bytes().unwrap().to_vec()
}

/// Every frame shows the angles of its moment, interpolated between the measured frames; a
/// withheld result shows none: changing the per-frame angles changes the measured frame's
/// picture and leaves the withheld one's as it was.
#[test]
fn the_angles_of_the_moment_are_burned_in_and_a_withheld_result_shows_no_number() {
    let analysed = common::analysed(CLIP);
    let frames = &analysed.frames;
    let good = analysed.assessment.clone();
    let hold = good.hold.clone().unwrap();
    let t = (hold.start_s + hold.end_s) / 2.0;
    let shifted = |a: &Assessment| {
        let mut a = a.clone();
        for s in &mut a.measurement.samples {
            s.hip_extension_deg = s.hip_extension_deg.map(|d| d + 7.3);
            s.knee_flexion_deg = s.knee_flexion_deg.map(|d| d + 7.3);
        }
        a
    };
    assert_ne!(burned(&good, frames, t), burned(&shifted(&good), frames, t), "the live angles are drawn");
    // the live value interpolates the per-frame series
    let samples = &good.measurement.samples;
    let i = samples.iter().position(|s| s.t > t && s.hip_extension_deg.is_some()).unwrap();
    let (a, b) = (&samples[i - 1], &samples[i]);
    let mid = (a.t + b.t) / 2.0;
    let live = report::video::series_at(samples, mid, |s| s.hip_extension_deg).unwrap();
    let expected = (a.hip_extension_deg.unwrap() + b.hip_extension_deg.unwrap()) / 2.0;
    assert!((live - expected).abs() < 1e-9, "{live} against {expected}");

    let mut w = good.measurement.clone();
    w.quality.withheld_reason = Some("the test leg is the one farther from the camera".into());
    let withheld = assess::assess(w, &Criteria::default(), "dev01_pre_left.mp4", "full");
    assert!(withheld.hip_extension_deg.is_none());
    let before_hold =
        frames.iter().rev().find(|f| f.t < hold.start_s - 0.5 && f.landmarks.is_some()).unwrap().t;
    for at in [t, before_hold] {
        assert_eq!(
            burned(&withheld, frames, at),
            burned(&shifted(&withheld), frames, at),
            "a withheld result's angles change the picture at {at} s"
        );
    }
    assert_ne!(burned(&withheld, frames, t), burned(&good, frames, t));
}
