//! Image-to-tensor conversions shared by the detector and the landmark model.

use anyhow::{Context, Result};
use ndarray::Array4;
use opencv::core::{Mat, Vec3f};
use opencv::prelude::*;
use opencv::{core, imgproc};

/// Converts a BGR u8 image of `side`x`side` pixels into an NHWC RGB f32 tensor with values
/// mapped from 0..255 to `lo..hi`.
pub fn bgr_to_rgb_tensor(bgr: &Mat, side: usize, lo: f32, hi: f32) -> Result<Array4<f32>> {
    let mut rgb = Mat::default();
    imgproc::cvt_color_def(bgr, &mut rgb, imgproc::COLOR_BGR2RGB)?;
    let mut float = Mat::default();
    let alpha = (hi - lo) as f64 / 255.0;
    rgb.convert_to(&mut float, core::CV_32FC3, alpha, lo as f64)?;
    let pixels = float.data_typed::<Vec3f>().context("tensor image is not contiguous")?;
    let mut data = Vec::with_capacity(side * side * 3);
    for p in pixels {
        data.extend_from_slice(&p.0);
    }
    Ok(Array4::from_shape_vec((1, side, side, 3), data)?)
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}
