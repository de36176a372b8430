//! Face blurring for shared reports: the client's face is located from the pose landmarks
//! (BlazePose 0-10: nose, eyes, ears, mouth), anyone else's (a therapist standing behind the
//! table, say) by the person detector, whose box frames the head. Each face is covered by an
//! ellipse blurred beyond recognition, feathered at its rim, so that nothing beyond the head
//! (a held leg next to it, say) is hidden.

use anyhow::Result;
use opencv::core::{Mat, Point, Rect, Scalar, Size, BORDER_REPLICATE, CV_32FC1, CV_8UC1};
use opencv::imgproc;
use opencv::prelude::*;

use crate::pose::detector::PersonDetector;
use crate::pose::{Landmark, PoseFrame};

/// A face in displayed-frame pixels: the centre and half-axes of the ellipse that covers it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceBox {
    pub cx: f64,
    pub cy: f64,
    /// Half-width and half-height of the ellipse.
    pub rx: f64,
    pub ry: f64,
}

/// The ellipse over the head: centred on the face landmarks, 2.2 times their spread and at
/// least 0.6 trunk lengths across (a head is about 0.45 trunk lengths tall), so that the whole
/// head is covered whichever way it is turned.
pub fn face_box(landmarks: &[Landmark]) -> Option<FaceBox> {
    let face: Vec<&Landmark> = landmarks.iter().take(11).collect();
    if face.len() < 11 {
        return None;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for l in &face {
        x0 = x0.min(l.x as f64);
        y0 = y0.min(l.y as f64);
        x1 = x1.max(l.x as f64);
        y1 = y1.max(l.y as f64);
    }
    let trunk = crate::measure::leg::trunk(landmarks).map(|t| t.length()).unwrap_or(0.0);
    let radius = ((x1 - x0).max(y1 - y0) * 1.1).max(0.3 * trunk).max(8.0);
    Some(FaceBox { cx: (x0 + x1) / 2.0, cy: (y0 + y1) / 2.0, rx: radius, ry: radius })
}

/// A face box for every frame. Frames without landmarks borrow the box of the nearest frame that
/// has one, so that a face is not left bare when the pose drops out for a moment.
pub fn face_boxes(frames: &[PoseFrame]) -> Vec<Option<FaceBox>> {
    let own: Vec<Option<FaceBox>> =
        frames.iter().map(|f| f.landmarks.as_deref().and_then(face_box)).collect();
    let known: Vec<usize> = own.iter().enumerate().filter(|(_, b)| b.is_some()).map(|(i, _)| i).collect();
    (0..own.len())
        .map(|i| {
            if own[i].is_some() {
                return own[i];
            }
            let nearest = known.iter().min_by_key(|&&k| k.abs_diff(i))?;
            own[*nearest]
        })
        .collect()
}

/// Finds the heads of everyone in a picture with the person detector.
pub struct HeadFinder {
    detector: PersonDetector,
}

impl HeadFinder {
    pub fn open() -> Result<Self> {
        let model = crate::runtime::models_dir()?.join("pose_detection.onnx");
        Ok(HeadFinder { detector: PersonDetector::open(&model, 2)? })
    }

    /// The head boxes of the people found in `image`, in displayed-frame pixels (`scale` =
    /// displayed pixels per image pixel), leaving out the head inside `client` (the client's
    /// face box from the landmarks: tighter than the detector's). `any_orientation` also looks
    /// for people lying or turned sideways (three detector runs instead of one).
    pub fn heads(
        &mut self,
        image: &Mat,
        scale: f64,
        client: Option<&FaceBox>,
        any_orientation: bool,
    ) -> Result<Vec<FaceBox>> {
        let people = if any_orientation {
            self.detector.detect_people(image)?
        } else {
            self.detector.detect(image)?
        };
        Ok(people
            .iter()
            .map(|d| head_box(&d.bbox, scale))
            .filter(|h| !client.is_some_and(|c| c.contains(h.cx, h.cy)))
            .collect())
    }
}

/// The detector's box (xmin, ymin, xmax, ymax in image pixels), which frames the head, as the
/// ellipse inscribed in it, in displayed-frame pixels.
fn head_box(bbox: &[f32; 4], scale: f64) -> FaceBox {
    let (w, h) = ((bbox[2] - bbox[0]) as f64, (bbox[3] - bbox[1]) as f64);
    FaceBox {
        cx: (bbox[0] + bbox[2]) as f64 / 2.0 * scale,
        cy: (bbox[1] + bbox[3]) as f64 / 2.0 * scale,
        rx: w / 2.0 * scale,
        ry: h / 2.0 * scale,
    }
}

impl FaceBox {
    /// Whether the point lies inside the ellipse.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        if self.rx <= 0.0 || self.ry <= 0.0 {
            return false;
        }
        ((x - self.cx) / self.rx).powi(2) + ((y - self.cy) / self.ry).powi(2) <= 1.0
    }
}

/// Blurs the face (given in displayed-frame pixels; `scale` = displayed pixels per image pixel)
/// so strongly that it cannot be recognised: the region is shrunk to a few pixels across,
/// enlarged again and smoothed, then blended in through the ellipse, fully inside 85% of its
/// half-axes and fading to nothing at its rim.
pub fn blur_face(image: &mut Mat, face: &FaceBox, scale: f64) -> Result<()> {
    let (cols, rows) = (image.cols(), image.rows());
    let (cx, cy, rx, ry) = (face.cx / scale, face.cy / scale, face.rx / scale, face.ry / scale);
    let x0 = ((cx - rx).floor() as i32).clamp(0, cols);
    let y0 = ((cy - ry).floor() as i32).clamp(0, rows);
    let x1 = ((cx + rx).ceil() as i32).clamp(0, cols);
    let y1 = ((cy + ry).ceil() as i32).clamp(0, rows);
    if x1 - x0 < 2 || y1 - y0 < 2 || rx < 1.0 || ry < 1.0 {
        return Ok(());
    }
    let rect = Rect::new(x0, y0, x1 - x0, y1 - y0);
    let region = Mat::roi(image, rect)?.try_clone()?;
    let mut small = Mat::default();
    imgproc::resize(&region, &mut small, Size::new(6, 6), 0.0, 0.0, imgproc::INTER_AREA)?;
    // smoothed at a small size (the same look as smoothing the full-size box, at a tiny
    // fraction of the cost), then enlarged to the box
    let mut coarse = Mat::default();
    imgproc::resize(&small, &mut coarse, Size::new(24, 24), 0.0, 0.0, imgproc::INTER_LINEAR)?;
    let mut smooth = Mat::default();
    imgproc::gaussian_blur(&coarse, &mut smooth, Size::new(0, 0), 4.0, 4.0, BORDER_REPLICATE)?;
    let mut blurred = Mat::default();
    imgproc::resize(
        &smooth,
        &mut blurred,
        Size::new(rect.width, rect.height),
        0.0,
        0.0,
        imgproc::INTER_LINEAR,
    )?;
    // the feathered elliptical mask: 1 inside 85% of the half-axes, 0 beyond the rim
    let mut mask = Mat::new_rows_cols_with_default(rect.height, rect.width, CV_8UC1, Scalar::all(0.0))?;
    let centre = Point::new((cx - x0 as f64).round() as i32, (cy - y0 as f64).round() as i32);
    let axes = Size::new((0.925 * rx).round() as i32, (0.925 * ry).round() as i32);
    imgproc::ellipse(&mut mask, centre, axes, 0.0, 0.0, 360.0, Scalar::all(255.0), -1, imgproc::LINE_AA, 0)?;
    let mut feathered = Mat::default();
    let sigma = (0.075 * rx.min(ry) / 1.5).max(0.5);
    imgproc::gaussian_blur(&mask, &mut feathered, Size::new(0, 0), sigma, sigma, BORDER_REPLICATE)?;
    let mut weight = Mat::default();
    feathered.convert_to(&mut weight, CV_32FC1, 1.0 / 255.0, 0.0)?;
    let mut keep = Mat::default();
    weight.convert_to(&mut keep, CV_32FC1, -1.0, 1.0)?;
    let mut blended = Mat::default();
    imgproc::blend_linear(&blurred, &region, &weight, &keep, &mut blended)?;
    let mut target = Mat::roi_mut(image, rect)?;
    blended.copy_to(&mut target)?;
    Ok(())
}
