//! The key frame: the kept frame nearest the middle of the hold, with the skeleton, the tested
//! leg, the table's horizontal through the test hip and the hip and knee angles as labelled arcs.
//!
//! It draws what the measurement found; it measures nothing. The angle labels are the
//! assessment's figures (the medians over the hold), and a withheld figure gets no label.

use anyhow::Result;
use opencv::core::{Mat, Vector};
use opencv::imgcodecs;
use opencv::prelude::*;

use super::face;
use super::fonts::Weight;
use super::overlay::{self, bgr};
use crate::assess::Assessment;
use crate::measure::geometry::{Horizontal, Vec2};
use crate::pose::{Landmark, PoseTrack};

/// Colours shared with the chart (Okabe–Ito palette, readable by colour-blind readers).
pub const HIP_RGB: (u8, u8, u8) = (0, 158, 115);
pub const KNEE_RGB: (u8, u8, u8) = (204, 121, 167);
pub const TEST_LEG_RGB: (u8, u8, u8) = (240, 228, 66);

/// The annotated key frame.
#[derive(Debug, Clone)]
pub struct KeyFrame {
    pub png: Vec<u8>,
    /// The same picture as JPEG (quality 92), for the PDF and HTML, where it is far smaller.
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Time in the clip and frame index; unknown for a key frame read back from the client
    /// store (the time is printed on the picture itself).
    pub t: Option<f64>,
    pub frame: Option<usize>,
    /// Whether the face is known to be blurred.
    pub faces_blurred: bool,
    /// Read back from the client store rather than drawn from this run's poses.
    pub stored: bool,
}

fn v(l: &Landmark, scale: f64) -> Vec2 {
    Vec2::new(l.x as f64 / scale, l.y as f64 / scale)
}

/// Hip, knee and ankle of the tested leg in this frame (displayed-frame pixels), under the
/// label the measurement followed it by in this frame (the model may have swapped left and
/// right); the test side's labels when the measurement has no labels (read back from the store).
pub(super) fn test_leg(a: &Assessment, frame: usize, l: &[Landmark]) -> Option<[Vec2; 3]> {
    let m = &a.measurement;
    let j = m.test_leg_labels.get(frame).copied().unwrap_or(m.test_side).joints();
    Some([v(l.get(j.hip)?, 1.0), v(l.get(j.knee)?, 1.0), v(l.get(j.ankle)?, 1.0)])
}

fn screen_deg(d: Vec2) -> f64 {
    d.y.atan2(d.x).to_degrees()
}

fn unit(d: Vec2) -> Vec2 {
    let n = d.norm().max(1e-9);
    d.scale(1.0 / n)
}

fn tuple(p: Vec2) -> (f64, f64) {
    (p.x, p.y)
}

/// Renders the key frame of an assessment, or None when there is none (no hold was found).
pub fn render(track: &PoseTrack, a: &Assessment, blur_faces: bool) -> Result<Option<KeyFrame>> {
    let m = &a.measurement;
    let Some(snap) = m.key_snapshot.and_then(|k| track.snapshots.get(k)) else { return Ok(None) };
    let mut image = snap.image()?;
    let scale = snap.scale;
    let landmarks = track.frames.get(snap.index).and_then(|f| f.landmarks.as_deref());
    if blur_faces {
        let client = face::face_boxes(&track.frames).get(snap.index).copied().flatten();
        // anyone else in the picture first (the detector looks at the unblurred picture)
        for head in face::HeadFinder::open()?.heads(&image, scale, client.as_ref(), true)? {
            face::blur_face(&mut image, &head, scale)?;
        }
        if let Some(b) = client {
            face::blur_face(&mut image, &b, scale)?;
        }
    }
    let em = (image.cols().min(image.rows()) as f32 / 26.0).max(12.0);
    let width = overlay::stroke_width(&image);
    // Everything drawn, to crop the frame to the person.
    let mut drawn: Vec<(f64, f64, f64, f64)> = Vec::new();
    if let Some(l) = landmarks {
        overlay::draw_skeleton(&mut image, l, scale)?;
        drawn.extend(l.iter().map(|p| (p.x as f64 / scale, p.y as f64 / scale, 0.0, 0.0)));
        // The whole head, not just the face landmarks.
        if let Some(f) = face::face_box(l) {
            drawn.push((
                (f.cx - f.rx) / scale,
                (f.cy - f.ry) / scale,
                2.0 * f.rx / scale,
                2.0 * f.ry / scale,
            ));
        }
        if let Some([hip, knee, ankle]) = test_leg(a, snap.index, l) {
            let (hip, knee, ankle) =
                (hip.scale(1.0 / scale), knee.scale(1.0 / scale), ankle.scale(1.0 / scale));
            let labels = AngleLabels {
                hip: a.hip_extension_deg.map(|d| format!("hip {d:+.1}°")),
                knee: a.knee_flexion_deg.map(|d| format!("knee {d:.1}°")),
            };
            drawn.extend(annotate_leg(&mut image, a, [hip, knee, ankle], &labels, em, width)?);
        }
    }
    let mut image = crop_to(&image, &drawn)?;
    let legend = format!(
        "{} leg tested · t = {:.2} s · dashed: table horizontal",
        capitalised(a.test_side.name()),
        snap.t
    );
    // The legend fits the (cropped) frame's width.
    let natural = super::fonts::text_width(&legend, em * 0.8, Weight::Regular) as f64 + em as f64 * 0.6;
    let legend_em = (em * 0.8 * ((image.cols() as f64 - 2.0) / natural).min(1.0) as f32).max(6.0);
    overlay::draw_label(&mut image, &legend, (0.0, 0.0), legend_em, bgr(235, 235, 235), Weight::Regular)?;
    let png = encode(&image, ".png", &[])?;
    let jpeg = encode(&image, ".jpg", &[imgcodecs::IMWRITE_JPEG_QUALITY, 92])?;
    Ok(Some(KeyFrame {
        png,
        jpeg,
        width: image.cols() as u32,
        height: image.rows() as u32,
        t: Some(snap.t),
        frame: Some(snap.index),
        faces_blurred: blur_faces,
        stored: false,
    }))
}

/// The key frame stored with an assessment (the annotated PNG `assess --client` kept), made ready
/// for a report: re-encoded as JPEG for the PDF and HTML, and scaled down to at most `max_width`
/// pixels when given (a small picture beside another). None when the stored bytes are not a
/// picture.
pub fn from_stored_png(png: &[u8], max_width: Option<u32>) -> Option<KeyFrame> {
    let decoded = image::load_from_memory_with_format(png, image::ImageFormat::Png).ok()?;
    let mut rgb = decoded.to_rgb8();
    if let Some(w) = max_width.filter(|w| *w > 0 && rgb.width() > *w) {
        let h = ((rgb.height() as f64 * w as f64 / rgb.width() as f64).round() as u32).max(1);
        rgb = image::imageops::resize(&rgb, w, h, image::imageops::FilterType::Triangle);
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 88).encode_image(&rgb).ok()?;
    let png = if max_width.is_some() {
        let mut out = std::io::Cursor::new(Vec::new());
        rgb.write_to(&mut out, image::ImageFormat::Png).ok()?;
        out.into_inner()
    } else {
        png.to_vec()
    };
    Some(KeyFrame {
        png,
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
        t: None,
        frame: None,
        faces_blurred: false,
        stored: true,
    })
}

/// The part of the frame around what was drawn, with a margin; the whole frame when nothing was.
fn crop_to(image: &Mat, drawn: &[(f64, f64, f64, f64)]) -> Result<Mat> {
    let (cols, rows) = (image.cols() as f64, image.rows() as f64);
    if drawn.is_empty() {
        return Ok(image.try_clone()?);
    }
    let x0 = drawn.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
    let y0 = drawn.iter().map(|r| r.1).fold(f64::INFINITY, f64::min);
    let x1 = drawn.iter().map(|r| r.0 + r.2).fold(f64::NEG_INFINITY, f64::max);
    let y1 = drawn.iter().map(|r| r.1 + r.3).fold(f64::NEG_INFINITY, f64::max);
    let margin = 0.05 * cols.max(rows);
    let x0 = (x0 - margin).clamp(0.0, cols - 1.0).floor();
    let y0 = (y0 - margin).clamp(0.0, rows - 1.0).floor();
    let x1 = (x1 + margin).clamp(x0 + 1.0, cols).ceil();
    let y1 = (y1 + margin).clamp(y0 + 1.0, rows).ceil();
    let rect = opencv::core::Rect::new(x0 as i32, y0 as i32, (x1 - x0) as i32, (y1 - y0) as i32);
    Ok(Mat::roi(image, rect)?.try_clone()?)
}

/// The texts beside the hip and knee arcs (None: no label).
pub(super) struct AngleLabels {
    pub hip: Option<String>,
    pub knee: Option<String>,
}

/// The tested leg, the horizontal through the hip, the two angle arcs and their `labels`
/// (image pixels). Returns the boxes drawn (x, y, width, height).
pub(super) fn annotate_leg(
    image: &mut Mat,
    a: &Assessment,
    [hip, knee, ankle]: [Vec2; 3],
    labels: &AngleLabels,
    em: f32,
    width: i32,
) -> Result<Vec<(f64, f64, f64, f64)>> {
    let m = &a.measurement;
    let thigh = knee.minus(hip);
    let shin = ankle.minus(knee);
    let thigh_len = thigh.norm();
    let mut drawn = Vec::new();
    if thigh_len < 4.0 || shin.norm() < 4.0 {
        return Ok(drawn);
    }
    let yellow = bgr(TEST_LEG_RGB.0, TEST_LEG_RGB.1, TEST_LEG_RGB.2);
    for (p, q) in [(hip, knee), (knee, ankle)] {
        let (p, q) = (tuple(p), tuple(q));
        opencv::imgproc::line(
            image,
            opencv::core::Point::new(p.0.round() as i32, p.1.round() as i32),
            opencv::core::Point::new(q.0.round() as i32, q.1.round() as i32),
            yellow,
            width * 2,
            opencv::imgproc::LINE_AA,
            0,
        )?;
    }
    // The table's horizontal through the test hip, from a little towards the head to beyond
    // the knee.
    let h = Horizontal::from_tilt(m.reference.tilt_deg, m.feet_right);
    let along = h.towards_feet;
    let (from, to) = (hip.minus(along.scale(0.5 * thigh_len)), hip.plus(along.scale(1.5 * thigh_len)));
    let dash = (thigh_len / 14.0).max(6.0);
    overlay::draw_dashed_line(image, tuple(from), tuple(to), bgr(20, 20, 20), width + 2, dash)?;
    overlay::draw_dashed_line(image, tuple(from), tuple(to), bgr(255, 255, 255), width, dash)?;
    drawn.extend([(from.x, from.y, 0.0, 0.0), (to.x, to.y, 0.0, 0.0)]);

    let hip_colour = bgr(HIP_RGB.0, HIP_RGB.1, HIP_RGB.2);
    let knee_colour = bgr(KNEE_RGB.0, KNEE_RGB.1, KNEE_RGB.2);
    let hip_r = 0.6 * thigh_len;
    overlay::draw_arc(image, tuple(hip), hip_r, screen_deg(along), screen_deg(thigh), hip_colour, width + 2)?;
    let knee_r = 0.3 * thigh_len.min(shin.norm());
    overlay::draw_arc(
        image,
        tuple(knee),
        knee_r,
        screen_deg(thigh),
        screen_deg(shin),
        knee_colour,
        width + 2,
    )?;
    // Dotted continuation of the thigh beyond the knee: the knee angle is measured from it.
    let beyond = knee.plus(unit(thigh).scale(knee_r * 1.4));
    overlay::draw_dashed_line(image, tuple(knee), tuple(beyond), knee_colour, width, (width * 2) as f64)?;

    let up = h.down().scale(-1.0);
    if let Some(text) = &labels.hip {
        // Under the hip, on the head side: the table's side, clear of the hanging leg.
        let w = super::fonts::text_width(text, em, Weight::Bold) as f64 + em as f64 * 0.7;
        let spot = hip.plus(h.down().scale(0.35 * thigh_len)).minus(along.scale(0.15 * thigh_len));
        let x = if along.x >= 0.0 { spot.x - w } else { spot.x };
        drawn.push(overlay::draw_label(image, text, (x, spot.y), em, hip_colour_text(), Weight::Bold)?);
    }
    if let Some(text) = &labels.knee {
        // Beyond the knee along the thigh, above the line: open space once the shin hangs down.
        let w = super::fonts::text_width(text, em, Weight::Bold) as f64 + em as f64 * 0.7;
        let spot = knee.plus(unit(thigh).scale(knee_r * 1.6)).plus(up.scale(em as f64 * 2.2));
        let x = if along.x >= 0.0 { spot.x } else { spot.x - w };
        drawn.push(overlay::draw_label(image, text, (x, spot.y), em, knee_colour_text(), Weight::Bold)?);
    }
    Ok(drawn)
}

/// Label text colours: the arc colours, lightened to read on the dark label box.
fn hip_colour_text() -> opencv::core::Scalar {
    bgr(90, 220, 180)
}

fn knee_colour_text() -> opencv::core::Scalar {
    bgr(240, 170, 210)
}

pub(super) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn encode(image: &Mat, ext: &str, params: &[i32]) -> Result<Vec<u8>> {
    let mut buf = Vector::<u8>::new();
    let params = Vector::<i32>::from_slice(params);
    if !imgcodecs::imencode(ext, image, &mut buf, &params)? {
        anyhow::bail!("OpenCV could not encode the key frame as {ext}");
    }
    Ok(buf.to_vec())
}
