//! Image-to-tensor conversions shared by the detector and the landmark model.

use anyhow::{bail, Context, Result};
use ndarray::Array4;
use opencv::core::Mat;
use opencv::prelude::*;

/// Converts a BGR u8 image of `side`x`side` pixels into a new NHWC RGB f32 tensor with values
/// mapped from 0..255 to `lo..hi`.
pub fn bgr_to_rgb_tensor(bgr: &Mat, side: usize, lo: f32, hi: f32) -> Result<Array4<f32>> {
    let mut tensor = Array4::zeros((1, side, side, 3));
    fill_rgb_tensor(bgr, lo, hi, &mut tensor)?;
    Ok(tensor)
}

/// Writes a BGR u8 image into an existing NHWC RGB f32 tensor of the same height and width,
/// with values mapped from 0..255 to `lo..hi`. Reusing the tensor saves an allocation per call.
pub fn fill_rgb_tensor(bgr: &Mat, lo: f32, hi: f32, tensor: &mut Array4<f32>) -> Result<()> {
    let (_, h, w, c) = tensor.dim();
    if bgr.rows() as usize != h || bgr.cols() as usize != w || bgr.channels() != 3 || c != 3 {
        bail!("tensor image is {}x{}x{}, expected {w}x{h}x3", bgr.cols(), bgr.rows(), bgr.channels());
    }
    let owned;
    let bgr = if bgr.is_continuous() {
        bgr
    } else {
        owned = bgr.try_clone()?;
        &owned
    };
    let bytes = bgr.data_bytes().context("tensor image has no pixel data")?;
    let out = tensor.as_slice_mut().context("tensor is not contiguous")?;
    if bytes.len() != out.len() {
        bail!("tensor image holds {} bytes, expected {}", bytes.len(), out.len());
    }
    let scale = (hi - lo) / 255.0;
    for (rgb, px) in out.chunks_exact_mut(3).zip(bytes.chunks_exact(3)) {
        rgb[0] = px[2] as f32 * scale + lo;
        rgb[1] = px[1] as f32 * scale + lo;
        rgb[2] = px[0] as f32 * scale + lo;
    }
    Ok(())
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use opencv::core::{Scalar, CV_8UC3};

    #[test]
    fn swaps_channels_and_maps_the_range() {
        let img = Mat::new_rows_cols_with_default(2, 2, CV_8UC3, Scalar::new(0.0, 51.0, 255.0, 0.0)).unwrap();
        let t = bgr_to_rgb_tensor(&img, 2, -1.0, 1.0).unwrap();
        assert_eq!(t.dim(), (1, 2, 2, 3));
        for px in t.as_slice().unwrap().chunks(3) {
            assert!((px[0] - 1.0).abs() < 1e-6, "red first: {px:?}");
            assert!((px[1] - (51.0 / 255.0 * 2.0 - 1.0)).abs() < 1e-6);
            assert!((px[2] + 1.0).abs() < 1e-6, "blue last: {px:?}");
        }
    }

    #[test]
    fn refuses_an_image_of_the_wrong_size() {
        let img = Mat::new_rows_cols_with_default(3, 2, CV_8UC3, Scalar::all(0.0)).unwrap();
        assert!(bgr_to_rgb_tensor(&img, 2, 0.0, 1.0).is_err());
    }
}
