//! What `romcam record` shows while filming: the preview window (OpenCV highgui) with the
//! skeleton, the test leg, the table line and its tilt, the framing checklist, the live angles
//! and the hold timer drawn on every camera frame; or, without a display, the checklist printed
//! on the terminal whenever it changes.

use anyhow::Result;
use opencv::core::{Mat, Point, Rect, Scalar, Size};
use opencv::prelude::*;
use opencv::{highgui, imgproc};

use super::checklist::{Checklist, LiveState, HOLD_S};
use crate::measure::leg;
use crate::pose::Landmark;
use crate::report::overlay::{bgr, draw_skeleton};

/// The checklist's colours (also what the tests look for in screenshots).
pub const GREEN: (u8, u8, u8) = (40, 190, 60);
pub const RED: (u8, u8, u8) = (220, 40, 40);
const AMBER: (u8, u8, u8) = (240, 180, 0);
const TEST_LEG: (u8, u8, u8) = (255, 230, 0);
const TABLE: (u8, u8, u8) = (0, 220, 230);

/// The window's title.
pub const WINDOW: &str = "romcam record";

/// Whether there is a display for the preview window.
pub fn display_available() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()))
}

/// A key pressed in the window (or Enter on the terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Space: start or stop recording (Enter on the terminal).
    StartStop,
    /// Esc, or the window closed: cancel.
    Cancel,
    /// Enter or K: keep the assessment.
    Keep,
    /// Backspace or D: discard it and film again.
    Discard,
}

fn key_of(code: i32) -> Option<Key> {
    match (code & 0xff) as u8 {
        b' ' => Some(Key::StartStop),
        27 => Some(Key::Cancel),
        b'\n' | b'\r' | b'k' | b'K' => Some(Key::Keep),
        8 | b'd' | b'D' => Some(Key::Discard),
        _ => None,
    }
}

/// Opens the preview window.
pub fn open_window() -> Result<()> {
    // the picture at its size, without the Qt backend's toolbar and status bar
    highgui::named_window(WINDOW, highgui::WINDOW_AUTOSIZE | highgui::WINDOW_GUI_NORMAL)
        .map_err(|e| anyhow::anyhow!("the preview window cannot be opened ({e}); use --no-preview"))?;
    Ok(())
}

/// Shows a picture and returns the key pressed, if any. A window the user closed is a cancel.
pub fn show(image: &Mat) -> Result<Option<Key>> {
    highgui::imshow(WINDOW, image)?;
    let code = highgui::wait_key(1)?;
    if code < 0 && highgui::get_window_property(WINDOW, highgui::WND_PROP_VISIBLE).unwrap_or(1.0) < 1.0 {
        return Ok(Some(Key::Cancel));
    }
    Ok(if code >= 0 { key_of(code) } else { None })
}

/// Waits for one of `wanted` in the window.
pub fn wait_for(image: &Mat, wanted: &[Key]) -> Result<Key> {
    loop {
        crate::interrupt::check()?;
        if let Some(k) = show(image)?.filter(|k| wanted.contains(k) || *k == Key::Cancel) {
            return Ok(k);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

pub fn close_window() {
    let _ = highgui::destroy_window(WINDOW);
    let _ = highgui::wait_key(1);
}

/// What is drawn besides the live state.
pub struct Status<'a> {
    /// Seconds recorded so far, while recording.
    pub recording_s: Option<f64>,
    /// The line at the bottom (which keys do what).
    pub hint: &'a str,
}

fn scalar(c: (u8, u8, u8)) -> Scalar {
    bgr(c.0, c.1, c.2)
}

fn pt(l: &Landmark) -> Point {
    Point::new(l.x.round() as i32, l.y.round() as i32)
}

/// The last checklist panel and status bar drawn, kept while their words stay the same.
#[derive(Default)]
pub struct DrawCache {
    panel: Option<(String, Mat)>,
    bar: Option<(String, Mat)>,
}

/// The picture cached under `key`, drawn again by `render` on a dark background when the key
/// changed.
fn cached(
    slot: &mut Option<(String, Mat)>,
    key: String,
    size: Size,
    render: impl FnOnce(&mut Mat) -> Result<(), opencv::Error>,
) -> Result<&Mat> {
    if slot.as_ref().is_none_or(|(k, _)| *k != key) {
        let mut picture = Mat::new_size_with_default(size, opencv::core::CV_8UC3, PANEL_BACKGROUND)?;
        render(&mut picture)?;
        *slot = Some((key, picture));
    }
    Ok(&slot.as_ref().expect("set above").1)
}

/// The panels' background (BGR).
const PANEL_BACKGROUND: Scalar = Scalar::new(40.0, 40.0, 40.0, 0.0);

/// Draws the live state on a camera frame.
pub fn draw(
    image: &mut Mat,
    state: &LiveState,
    t: f64,
    status: &Status,
    cache: &mut DrawCache,
) -> Result<()> {
    let (w, h) = (image.cols(), image.rows());
    let unit = (h.min(w) as f64 / 720.0).max(0.5);
    let font = imgproc::FONT_HERSHEY_SIMPLEX;
    let text_scale = 0.6 * unit;
    let thick = ((2.0 * unit).round() as i32).max(1);
    let line_h = (28.0 * unit).round() as i32;
    let landmarks = state.latest.as_ref().and_then(|r| r.landmarks.as_deref());
    if let Some(l) = landmarks {
        draw_skeleton(image, l, 1.0)?;
        if let Some(side) = state.test_label {
            let j = side.joints();
            for (a, b) in [(j.hip, j.knee), (j.knee, j.ankle)] {
                if let (Some(a), Some(b)) = (l.get(a), l.get(b)) {
                    imgproc::line(image, pt(a), pt(b), scalar(TEST_LEG), 3 * thick, imgproc::LINE_AA, 0)?;
                }
            }
        }
        // the horizontal found from the table edge, drawn through the hip
        if let (Some(tilt), Some(trunk)) = (state.table_tilt_deg, leg::trunk(l)) {
            let len = trunk.length();
            let (s, c) = tilt.to_radians().sin_cos();
            let (x, y) = (trunk.hip.x, trunk.hip.y);
            let a = Point::new((x - 1.2 * len * c) as i32, (y - 1.2 * len * s) as i32);
            let b = Point::new((x + 1.2 * len * c) as i32, (y + 1.2 * len * s) as i32);
            imgproc::line(image, a, b, scalar(TABLE), thick, imgproc::LINE_AA, 0)?;
        }
    }
    // the checklist, top left, on an opaque panel: drawn again only when its words change
    // (text is the slow part of the drawing)
    let panel_w = (390.0 * unit) as i32;
    let panel_h = line_h * 10 + line_h / 2;
    let white = Scalar::new(245.0, 245.0, 245.0, 0.0);
    let text = |image: &mut Mat, s: &str, x: i32, y: i32, colour: Scalar| {
        imgproc::put_text(
            image,
            s,
            Point::new(x, y),
            font,
            text_scale,
            colour,
            thick,
            imgproc::LINE_AA,
            false,
        )
    };
    let checklist: Checklist = state.checklist;
    let box_side = (18.0 * unit) as i32;
    let angle = |v: Option<f64>, signed: bool| match v {
        Some(v) if signed => format!("{v:+.1} deg"),
        Some(v) => format!("{v:.1} deg"),
        None => "--".into(),
    };
    let leg_name = state.test_leg.map(|s| format!(" ({} leg)", s.name())).unwrap_or_default();
    let hip_text = format!("hip extension {}{leg_name}", angle(state.hip_extension_deg, true));
    let knee_text = format!("knee flexion  {}", angle(state.knee_flexion_deg, false));
    let (hold_text, hold_colour) = match state.hold_s(t) {
        Some(s) if s >= HOLD_S => (format!("hold {s:.1} s: held"), GREEN),
        Some(s) => (format!("hold {s:.1} s"), AMBER),
        None => ("hold: leg moving".to_string(), RED),
    };
    let key = format!("{:?}|{hip_text}|{knee_text}|{hold_text}|{panel_w}x{panel_h}", checklist.green);
    let panel = cached(&mut cache.panel, key, Size::new(panel_w.min(w), panel_h.min(h)), |panel| {
        let mut y = line_h;
        text(panel, "Framing checklist", line_h / 2, y, white)?;
        for (item, green) in checklist.items() {
            y += line_h;
            let colour = scalar(if green { GREEN } else { RED });
            let square = Rect::new(line_h / 2, y - box_side, box_side, box_side);
            imgproc::rectangle(panel, square, colour, -1, imgproc::LINE_8, 0)?;
            text(panel, item.label(), line_h / 2 + box_side + line_h / 3, y, white)?;
        }
        y += line_h;
        text(panel, &hip_text, line_h / 2, y, white)?;
        y += line_h;
        text(panel, &knee_text, line_h / 2, y, white)?;
        y += line_h;
        let dot = Point::new(line_h / 2 + box_side / 2, y - box_side / 2);
        imgproc::circle(panel, dot, box_side / 2, scalar(hold_colour), -1, imgproc::LINE_8, 0)?;
        text(panel, &hold_text, line_h / 2 + box_side + line_h / 3, y, white)
    })?;
    panel.copy_to(&mut Mat::roi_mut(image, Rect::new(0, 0, panel.cols(), panel.rows()))?)?;
    // the level indicator, top right
    let r = (40.0 * unit) as i32;
    let centre = Point::new(w - r - line_h / 2, r + line_h / 2);
    imgproc::circle(image, centre, r, Scalar::new(30.0, 30.0, 30.0, 0.0), -1, imgproc::LINE_AA, 0)?;
    imgproc::circle(image, centre, r, white, 1, imgproc::LINE_AA, 0)?;
    let level_text = match state.table_tilt_deg {
        Some(tilt) => {
            let (s, c) = tilt.to_radians().sin_cos();
            let d = Point::new((c * 0.85 * r as f64) as i32, (s * 0.85 * r as f64) as i32);
            imgproc::line(image, centre - d, centre + d, scalar(TABLE), thick, imgproc::LINE_AA, 0)?;
            format!("table tilt {tilt:+.1} deg")
        }
        None => "table tilt --".to_string(),
    };
    let mut base = 0;
    let size = imgproc::get_text_size(&level_text, font, text_scale, thick, &mut base)?;
    text(image, &level_text, w - size.width - line_h / 2, centre.y + r + line_h, white)?;
    // recording state and keys, bottom, on an opaque bar
    let bar_h = (line_h + line_h / 2).min(h);
    let rec = status.recording_s.map(|s| format!("REC {s:.1} s"));
    let key = format!("{rec:?}|{}|{w}", status.hint);
    let bar = cached(&mut cache.bar, key, Size::new(w, bar_h), |bar| {
        let mut x = line_h / 2;
        let baseline = bar_h - line_h / 2;
        if let Some(rec) = &rec {
            let dot = Point::new(x + box_side / 2, baseline - box_side / 2);
            imgproc::circle(bar, dot, box_side / 2, scalar(RED), -1, imgproc::LINE_8, 0)?;
            x += box_side + line_h / 3;
            text(bar, rec, x, baseline, white)?;
            let mut base = 0;
            x += imgproc::get_text_size(rec, font, text_scale, thick, &mut base)?.width + line_h;
        }
        text(bar, status.hint, x, baseline, white)
    })?;
    bar.copy_to(&mut Mat::roi_mut(image, Rect::new(0, h - bar_h, w, bar_h))?)?;
    Ok(())
}

/// Darkens a rectangle (clipped to the picture), for text on top.
fn darken(image: &mut Mat, rect: Rect) -> Result<()> {
    let bounds = Rect::new(0, 0, image.cols(), image.rows());
    let rect = rect & bounds;
    if rect.width <= 0 || rect.height <= 0 {
        return Ok(());
    }
    let mut roi = Mat::roi_mut(image, rect)?;
    let mut dark = Mat::default();
    roi.convert_to(&mut dark, -1, 0.35, 0.0)?;
    dark.copy_to(&mut roi)?;
    Ok(())
}

/// The summary of an assessment drawn over the last frame, with the keep/discard keys.
pub fn draw_summary(image: &mut Mat, summary: &str) -> Result<()> {
    let (w, h) = (image.cols(), image.rows());
    darken(image, Rect::new(0, 0, w, h))?;
    let unit = (h.min(w) as f64 / 720.0).max(0.5);
    let line_h = (24.0 * unit).round() as i32;
    let white = Scalar::new(245.0, 245.0, 245.0, 0.0);
    let mut y = line_h * 2;
    let lines = summary
        .lines()
        .chain(["", "Enter: keep and store    Backspace or D: discard and film again    Esc: cancel"]);
    for line in lines {
        // Hershey fonts have no degree sign or dashes beyond ASCII
        let ascii: String = line
            .replace('°', " deg")
            .replace('±', "+/-")
            .chars()
            .map(|c| if c.is_ascii() { c } else { '-' })
            .collect();
        imgproc::put_text(
            image,
            &ascii,
            Point::new(line_h, y),
            imgproc::FONT_HERSHEY_SIMPLEX,
            0.5 * unit,
            white,
            1,
            imgproc::LINE_AA,
            false,
        )?;
        y += line_h;
    }
    Ok(())
}

/// The checklist as one terminal line.
pub fn checklist_line(checklist: &Checklist, t: f64) -> String {
    let items: Vec<String> = checklist
        .items()
        .map(|(item, green)| format!("{} {}", if green { "[ok]" } else { "[NO]" }, item.label()))
        .collect();
    format!("romcam: checklist at {t:.1} s: {}", items.join(", "))
}
