//! Face blurring for shared reports: the client's face is located from the pose landmarks
//! (BlazePose 0-10: nose, eyes, ears, mouth), anyone else's (a therapist standing behind the
//! table, say) by the person detector, whose box is drawn around the head; each is boxed
//! generously and blurred beyond recognition.

use anyhow::Result;
use opencv::core::{Mat, Rect, Size, BORDER_REPLICATE};
use opencv::imgproc;
use opencv::prelude::*;

use crate::pose::detector::PersonDetector;
use crate::pose::joint::FACE_LANDMARKS;
use crate::pose::{Landmark, PoseFrame};

/// A face box in displayed-frame pixels: centre and side of a square.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceBox {
    pub cx: f64,
    pub cy: f64,
    pub side: f64,
}

/// The box around the head: centred on the face landmarks, 2.2 times their spread and at least
/// 0.65 trunk lengths across (a head is about 0.45 trunk lengths tall), so that the whole head
/// is covered whichever way it is turned.
pub fn face_box(landmarks: &[Landmark]) -> Option<FaceBox> {
    let face: Vec<&Landmark> = landmarks.iter().take(FACE_LANDMARKS).collect();
    if face.len() < FACE_LANDMARKS {
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
    let side = ((x1 - x0).max(y1 - y0) * 2.2).max(0.65 * trunk).max(16.0);
    Some(FaceBox { cx: (x0 + x1) / 2.0, cy: (y0 + y1) / 2.0, side })
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

/// The detector's box (xmin, ymin, xmax, ymax in image pixels), which frames the head, as a
/// square head box in displayed-frame pixels.
fn head_box(bbox: &[f32; 4], scale: f64) -> FaceBox {
    let (w, h) = ((bbox[2] - bbox[0]) as f64, (bbox[3] - bbox[1]) as f64);
    FaceBox {
        cx: (bbox[0] + bbox[2]) as f64 / 2.0 * scale,
        cy: (bbox[1] + bbox[3]) as f64 / 2.0 * scale,
        side: w.max(h) * scale,
    }
}

impl FaceBox {
    /// Whether the point lies inside the box.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        (x - self.cx).abs() <= self.side / 2.0 && (y - self.cy).abs() <= self.side / 2.0
    }
}

/// Blurs the box (given in displayed-frame pixels; `scale` = displayed pixels per image pixel)
/// so strongly that the face cannot be recognised: the region is shrunk to a few pixels across,
/// enlarged again, then Gaussian-blurred.
pub fn blur_face(image: &mut Mat, face: &FaceBox, scale: f64) -> Result<()> {
    let (cols, rows) = (image.cols(), image.rows());
    let side = face.side / scale;
    let x0 = ((face.cx / scale - side / 2.0).floor() as i32).clamp(0, cols);
    let y0 = ((face.cy / scale - side / 2.0).floor() as i32).clamp(0, rows);
    let x1 = ((face.cx / scale + side / 2.0).ceil() as i32).clamp(0, cols);
    let y1 = ((face.cy / scale + side / 2.0).ceil() as i32).clamp(0, rows);
    if x1 - x0 < 2 || y1 - y0 < 2 {
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
    let mut target = Mat::roi_mut(image, rect)?;
    blurred.copy_to(&mut target)?;
    Ok(())
}
