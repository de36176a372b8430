//! A small PNG of the key frame (the hold's middle), as kept in the client store.

use anyhow::Result;
use opencv::core::{Mat, Size, Vector};
use opencv::prelude::*;
use opencv::{imgcodecs, imgproc};

use crate::measure::Measurement;
use crate::pose::PoseTrack;

use super::overlay::draw_skeleton;

/// The key frame with the skeleton drawn, at most `max_side` pixels on its longer side.
pub fn key_frame_png(track: &PoseTrack, m: &Measurement, max_side: i32) -> Result<Option<Vec<u8>>> {
    let Some(snap) = m.key_snapshot.and_then(|i| track.snapshots.get(i)) else { return Ok(None) };
    let mut image = snap.image.try_clone()?;
    if let Some(l) = track.frames.get(snap.index).and_then(|f| f.landmarks.as_deref()) {
        draw_skeleton(&mut image, l, snap.scale)?;
    }
    let long = image.cols().max(image.rows());
    let mut small = Mat::default();
    if long > max_side {
        let k = max_side as f64 / long as f64;
        let size = Size::new((image.cols() as f64 * k) as i32, (image.rows() as f64 * k) as i32);
        imgproc::resize(&image, &mut small, size, 0.0, 0.0, imgproc::INTER_AREA)?;
    } else {
        small = image;
    }
    let mut buf = Vector::<u8>::new();
    imgcodecs::imencode(".png", &small, &mut buf, &Vector::new())?;
    Ok(Some(buf.to_vec()))
}
