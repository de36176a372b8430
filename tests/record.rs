//! `romcam record` with a sample clip as the camera (there is no camera on the test machine;
//! a file is played in real time, as a camera delivers it): the preview window on a virtual X
//! display (Xvfb) with a screenshot of it, the stored result against `assess` on the kept clip,
//! the checklist on the terminal without a display, and the failures (no camera, Ctrl-C, a full
//! disk). A front view cannot be made from the side-view samples; "filmed from the side" is
//! tested in `tests/record_checklist.rs` on a stand-in (a sample squeezed along the body).

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

/// A virtual X display for the preview window, on a free display number.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1600x900x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb runs (scripts/setup installs xvfb)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("Xvfb names its display");
        let n: u32 = line.trim().parse().expect("a display number from Xvfb");
        Xvfb { child, display: format!(":{n}") }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `romcam record`, its stderr lines arriving on a channel.
struct Recording {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Recording {
    fn start(args: &[&str], data: &Path, env: &[(&str, &str)], display: bool) -> Recording {
        Recording::start_with_input(args, data, env, display, Stdio::null())
    }

    fn start_with_input(
        args: &[&str],
        data: &Path,
        env: &[(&str, &str)],
        display: bool,
        stdin: Stdio,
    ) -> Recording {
        let mut cmd = Command::new(common::romcam());
        cmd.arg("record").args(args).arg("--data-dir").arg(data);
        if !display {
            cmd.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child =
            cmd.stdin(stdin).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("romcam runs");
        let (tx, lines) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Recording { child, lines, seen: Vec::new() }
    }

    /// Waits for a stderr line containing `text` (false when romcam ended first).
    fn wait_for(&mut self, text: &str) -> bool {
        while let Ok(line) = self.lines.recv() {
            self.seen.push(line.clone());
            if line.contains(text) {
                return true;
            }
        }
        false
    }

    /// Waits for the end; returns the exit code, stdout and every stderr line.
    fn finish(mut self) -> (i32, String, String) {
        let mut stdout = String::new();
        std::io::Read::read_to_string(self.child.stdout.as_mut().unwrap(), &mut stdout).unwrap();
        let status = self.child.wait().unwrap();
        self.seen.extend(self.lines.iter());
        (status.code().unwrap_or(-1), stdout, self.seen.join("\n"))
    }
}

/// The clips kept in the store's folder for client `code`.
fn clips(data: &Path, code: &str) -> Vec<PathBuf> {
    let dir = data.join("clips").join(code);
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    v.sort();
    v
}

fn stored_count(data: &Path) -> i64 {
    let db = data.join("romcam.sqlite3");
    if !db.exists() {
        return 0;
    }
    common::stored_assessments(&db)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Pixels of exactly this colour in an RGB picture.
fn count_colour(img: &image::RgbImage, rgb: (u8, u8, u8)) -> usize {
    img.pixels().filter(|p| p.0 == [rgb.0, rgb.1, rgb.2]).count()
}

#[test]
fn auto_recording_under_a_display_stores_what_assess_stores_on_the_kept_clip() {
    let x = Xvfb::start();
    let data = tempfile::tempdir().unwrap();
    let shots = tempfile::tempdir().unwrap();
    let sample = common::sample("dev01_pre_left.mp4");
    let mut rec = Recording::start(
        &["--camera", sample.to_str().unwrap(), "--auto", "--client", "T", "--phase", "before"],
        data.path(),
        &[("DISPLAY", &x.display)],
        true,
    );
    // the checklist turns green on a good sample: --auto starts recording
    assert!(rec.wait_for("recording started"), "never started recording: {}", rec.seen.join("\n"));
    // a screenshot of the preview once the leg is still (the test leg and its angles known)
    assert!(rec.wait_for("hold timer started"), "the leg was never still: {}", rec.seen.join("\n"));
    std::thread::sleep(std::time::Duration::from_millis(500));
    let shot = shots.path().join("preview.png");
    let status = Command::new("import")
        .args(["-display", &x.display, "-window", "root"])
        .arg(&shot)
        .status()
        .expect("import runs (scripts/setup installs imagemagick)");
    assert!(status.success(), "no screenshot");
    let (code, stdout, stderr) = rec.finish();
    assert_eq!(code, 0, "{stderr}");
    if std::env::var_os("ROMCAM_KEEP_PREVIEW").is_some() {
        // the README's picture: the window (the clip's 1280 x 720 at the top left of the screen)
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/record-preview.png");
        let status =
            Command::new("convert").arg(&shot).args(["-crop", "1280x720+0+0", "+repage"]).arg(&docs).status();
        assert!(status.is_ok_and(|s| s.success()));
    }

    // the checklist (its green squares and, for the hold or an item, red ones), the skeleton
    // (the subject's left side in orange, right in blue) and the highlighted test leg are drawn
    let img = image::open(&shot).expect("a PNG screenshot").to_rgb8();
    let green = count_colour(&img, (40, 190, 60));
    // six green squares of 18 x 18 pixels
    assert!(green >= 6 * 300, "too few checklist-green pixels ({green}): the checklist is not all green");
    assert!(count_colour(&img, (255, 140, 0)) + count_colour(&img, (0, 120, 255)) > 200, "no skeleton drawn");
    assert!(count_colour(&img, (255, 230, 0)) > 200, "the test leg is not highlighted");

    // nearly every camera frame was shown ("preview: N frames shown of M")
    let counts = stderr.lines().find(|l| l.contains("frames shown of")).expect("the preview counts");
    let words: Vec<&str> = counts.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "shown").unwrap();
    let shown: f64 = words[at - 2].parse().unwrap();
    let read: f64 = words[at + 2].parse().unwrap();
    assert!(read > 150.0 && shown == read, "every camera frame must be shown: {counts}");

    // one clip, private, kept with the assessment; its stored figures are those of assess
    let kept = clips(data.path(), "T");
    assert_eq!(kept.len(), 1, "{kept:?}");
    let clip = &kept[0];
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(clip).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(stdout.contains("hip extension"), "no summary on the terminal: {stdout}");
    let history = common::run_romcam(
        &[
            "history".as_ref(),
            "T".as_ref(),
            "--json".as_ref(),
            "--data-dir".as_ref(),
            data.path().as_os_str(),
        ],
        &[],
    );
    assert_eq!(history.code, 0, "{}", history.stderr);
    let history = json(&history.stdout);
    let listed = history["assessments"].as_array().expect("a list of assessments");
    assert_eq!(listed.len(), 1, "{history}");
    assert_eq!(listed[0]["video_path"].as_str(), Some(clip.to_str().unwrap()), "{history}");
    // the whole stored result (from an export) against `assess --json` on the kept clip
    let export = common::run_romcam(
        &["export".as_ref(), "T".as_ref(), "--data-dir".as_ref(), data.path().as_os_str()],
        &[],
    );
    assert_eq!(export.code, 0, "{}", export.stderr);
    let export = json(&export.stdout);
    let stored = &export["sessions"][0]["assessments"][0]["result"];
    let again =
        common::run_romcam(&["assess".as_ref(), "-q".as_ref(), clip.as_os_str(), "--json".as_ref()], &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let mut again = json(&again.stdout);
    // an export names the clip by its file name only
    again["video"] = clip.file_name().unwrap().to_str().unwrap().into();
    assert!(same(stored, &again), "stored {stored}\n\nassess {again}");
    assert!(stored["hip_extension_deg"].is_number() && stored["knee_flexion_deg"].is_number(), "{stored}");
}

/// JSON values equal, numbers to 1e-9 (the store keeps the result as JSON text, which may
/// differ from a fresh run in the 17th digit).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-9 * x.abs().max(1.0)
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// dev01 with its picture ending at mid-trunk, as the camera of `record --auto` without a
/// display: the checklist is printed, "whole body in view" never turns green, nothing is
/// recorded and nothing is left behind.
#[test]
fn without_a_display_the_checklist_is_printed_and_stays_red_on_a_cut_off_trunk() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let clip = common::trunk_cut_clip(dir.path(), "dev01_pre_left", 0.5);
    let rec = Recording::start(
        &["--camera", clip.to_str().unwrap(), "--auto", "--client", "T", "--phase", "after"],
        data.path(),
        &[],
        false,
    );
    let (code, _, stderr) = rec.finish();
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("no display"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("checklist at")).collect();
    assert!(!lines.is_empty(), "no checklist printed: {stderr}");
    assert!(lines.iter().all(|l| l.contains("[NO] whole body in view")), "{stderr}");
    assert!(!stderr.contains("recording started"), "{stderr}");
    assert!(stderr.contains("still red: whole body in view"), "{stderr}");
    assert!(clips(data.path(), "T").is_empty(), "a file was left behind");
    assert_eq!(stored_count(data.path()), 0);
}

#[test]
fn ctrl_c_while_recording_leaves_nothing_behind() {
    let data = tempfile::tempdir().unwrap();
    let sample = common::sample("dev09_loose12_yaw8.mp4");
    let mut rec = Recording::start(
        &[
            "--camera",
            sample.to_str().unwrap(),
            "--auto",
            "--no-preview",
            "--client",
            "T",
            "--phase",
            "before",
        ],
        data.path(),
        &[],
        false,
    );
    assert!(rec.wait_for("recording started"), "never started recording: {}", rec.seen.join("\n"));
    std::thread::sleep(std::time::Duration::from_millis(700));
    // SAFETY: sends SIGINT to the child this test started.
    unsafe {
        libc::kill(rec.child.id() as libc::pid_t, libc::SIGINT);
    }
    let (code, _, stderr) = rec.finish();
    assert_eq!(code, 130, "{stderr}");
    assert!(clips(data.path(), "T").is_empty(), "a file was left behind: {:?}", clips(data.path(), "T"));
    assert_eq!(stored_count(data.path()), 0);
}

#[test]
fn a_missing_camera_and_a_bad_client_code_are_one_sentence_each() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path().as_os_str();
    let r = common::run_romcam(
        &[
            "record".as_ref(),
            "--camera".as_ref(),
            "4000".as_ref(),
            "--client".as_ref(),
            "T".as_ref(),
            "--phase".as_ref(),
            "before".as_ref(),
            "--data-dir".as_ref(),
            d,
        ],
        &[],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("there is no camera 4000"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    let r = common::run_romcam(
        &[
            "record".as_ref(),
            "--camera".as_ref(),
            "0".as_ref(),
            "--client".as_ref(),
            "a/b".as_ref(),
            "--phase".as_ref(),
            "before".as_ref(),
            "--data-dir".as_ref(),
            d,
        ],
        &[],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    let r = common::run_romcam(
        &[
            "record".as_ref(),
            "--client".as_ref(),
            "T".as_ref(),
            "--phase".as_ref(),
            "none".as_ref(),
            "--data-dir".as_ref(),
            d,
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// Mounts a small tmpfs (needs root, as in tests/hostile.rs: a machine that does not allow it
/// fails the test with the reason).
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap().keep();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .output()
            .expect("mount runs");
        assert!(
            out.status.success(),
            "this test mounts a tmpfs to make a full disk, and this machine does not allow it (run the suite as root): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Tmpfs(dir)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_while_recording_and_a_camera_that_stops_leave_no_clip() {
    // a disk with room for the store but not for the clip: exit 7, no clip, nothing stored
    let full = Tmpfs::mount("100k");
    let sample = common::sample("dev09_loose12_yaw8.mp4");
    let rec = Recording::start(
        &[
            "--camera",
            sample.to_str().unwrap(),
            "--auto",
            "--no-preview",
            "--client",
            "T",
            "--phase",
            "before",
        ],
        &full.0,
        &[],
        false,
    );
    let (code, _, stderr) = rec.finish();
    assert_eq!(code, 7, "{stderr}");
    assert!(
        // ffmpeg's own words depend on where it ran out of room ("No space left on device" or
        // "Error initializing output stream"), so only romcam's sentence is checked
        stderr.contains("the recording cannot be written in") && stderr.contains("ffmpeg"),
        "{stderr}"
    );
    assert!(clips(&full.0, "T").is_empty(), "a clip was left on the full disk: {:?}", clips(&full.0, "T"));
    assert_eq!(stored_count(&full.0), 0);

    // a stream that stops sending pictures while recording (a camera unplugged): exit 3;
    // Enter on the terminal starts recording at once
    let data = tempfile::tempdir().unwrap();
    let url = format!("file://{}", sample.display());
    let mut rec = Recording::start_with_input(
        &["--camera", &url, "--no-preview", "--client", "T", "--phase", "before"],
        data.path(),
        &[],
        false,
        Stdio::piped(),
    );
    use std::io::Write;
    let mut stdin = rec.child.stdin.take().unwrap();
    stdin.write_all(b"\n").unwrap();
    assert!(rec.wait_for("recording started"), "Enter did not start recording: {}", rec.seen.join("\n"));
    let (code, _, stderr) = rec.finish();
    drop(stdin);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("stopped sending pictures"), "{stderr}");
    assert!(clips(data.path(), "T").is_empty(), "a clip was left: {:?}", clips(data.path(), "T"));
    assert_eq!(stored_count(data.path()), 0);
}

/// Presses a key in the preview window on the virtual display.
fn press(x: &Xvfb, key: &str) {
    let status = Command::new("xdotool")
        .args(["search", "--sync", "--name", "romcam record", "windowfocus", "--sync", "key", key])
        .env("DISPLAY", &x.display)
        .status()
        .expect("xdotool runs (scripts/setup installs it)");
    assert!(status.success(), "xdotool could not press {key}");
}

#[test]
fn space_records_backspace_discards_the_take_and_esc_cancels_leaving_nothing() {
    let x = Xvfb::start();
    let data = tempfile::tempdir().unwrap();
    let sample = common::sample("dev09_loose12_yaw8.mp4");
    let mut rec = Recording::start(
        &["--camera", sample.to_str().unwrap(), "--client", "T", "--phase", "before"],
        data.path(),
        &[("DISPLAY", &x.display)],
        true,
    );
    assert!(rec.wait_for("preview window open"), "{}", rec.seen.join("\n"));
    press(&x, "space");
    assert!(rec.wait_for("recording started"), "Space did not start recording: {}", rec.seen.join("\n"));
    assert!(rec.wait_for("hold timer started"), "{}", rec.seen.join("\n"));
    press(&x, "space");
    assert!(rec.wait_for("recording stopped"), "Space did not stop recording: {}", rec.seen.join("\n"));
    assert!(rec.wait_for("Backspace or D discards"), "no keep/discard question: {}", rec.seen.join("\n"));
    assert_eq!(clips(data.path(), "T").len(), 1, "the take is not kept while the therapist decides");
    press(&x, "BackSpace");
    assert!(rec.wait_for("discarded"), "{}", rec.seen.join("\n"));
    // (the next take's temporary file may already exist: it is removed when romcam ends)
    let kept: Vec<PathBuf> = clips(data.path(), "T")
        .into_iter()
        .filter(|p| !p.file_name().unwrap().to_str().unwrap().starts_with('.'))
        .collect();
    assert!(kept.is_empty(), "the discarded clip was not deleted: {kept:?}");
    press(&x, "Escape");
    let (code, _, stderr) = rec.finish();
    assert_eq!(code, 2, "Esc must cancel (exit 2): {stderr}");
    assert!(stderr.contains("cancelled"), "{stderr}");
    assert!(clips(data.path(), "T").is_empty(), "a file was left behind");
    assert_eq!(stored_count(data.path()), 0);
}

#[test]
fn a_take_whose_assessment_fails_is_kept_and_its_path_printed() {
    // Enter twice on the terminal: a take far too short to assess
    let data = tempfile::tempdir().unwrap();
    let sample = common::sample("dev09_loose12_yaw8.mp4");
    let mut rec = Recording::start_with_input(
        &["--camera", sample.to_str().unwrap(), "--no-preview", "--client", "T", "--phase", "after"],
        data.path(),
        &[],
        false,
        Stdio::piped(),
    );
    use std::io::Write;
    let mut stdin = rec.child.stdin.take().unwrap();
    stdin.write_all(b"\n").unwrap();
    assert!(rec.wait_for("recording started"), "{}", rec.seen.join("\n"));
    std::thread::sleep(std::time::Duration::from_millis(300));
    stdin.write_all(b"\n").unwrap();
    let (code, _, stderr) = rec.finish();
    drop(stdin);
    assert_eq!(code, 4, "{stderr}");
    let kept = clips(data.path(), "T");
    assert_eq!(kept.len(), 1, "{kept:?}: {stderr}");
    assert!(stderr.contains(&format!("the recording is kept at {}", kept[0].display())), "{stderr}");
    assert!(stderr.contains("romcam assess"), "{stderr}");
    assert_eq!(stored_count(data.path()), 0);
}
