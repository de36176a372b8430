//! SSD anchors of the BlazePose person detector, as MediaPipe's SsdAnchorsCalculator builds them
//! for `pose_detection_cpu.pbtxt`: 5 layers, strides 8, 16, 32, 32, 32, aspect ratio 1, fixed
//! anchor size, offset 0.5, 224x224 input. Layers with the same stride share one feature map.

/// Anchor centre in normalised input coordinates; width and height are 1 (fixed anchor size).
pub type Anchor = [f32; 2];

pub const INPUT_SIZE: usize = 224;
const STRIDES: [usize; 5] = [8, 16, 32, 32, 32];
/// Each layer contributes two anchors per cell: aspect ratio 1.0 and the interpolated scale.
const ANCHORS_PER_LAYER: usize = 2;

pub fn pose_detector_anchors() -> Vec<Anchor> {
    let mut anchors = Vec::with_capacity(2254);
    let mut layer = 0;
    while layer < STRIDES.len() {
        let stride = STRIDES[layer];
        let mut per_cell = 0;
        while layer < STRIDES.len() && STRIDES[layer] == stride {
            per_cell += ANCHORS_PER_LAYER;
            layer += 1;
        }
        let side = INPUT_SIZE.div_ceil(stride);
        for y in 0..side {
            for x in 0..side {
                let centre = [(x as f32 + 0.5) / side as f32, (y as f32 + 0.5) / side as f32];
                anchors.extend(std::iter::repeat_n(centre, per_cell));
            }
        }
    }
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_2254_anchors_inside_the_unit_square() {
        let a = pose_detector_anchors();
        assert_eq!(a.len(), 2254);
        assert!(a.iter().all(|p| p[0] > 0.0 && p[0] < 1.0 && p[1] > 0.0 && p[1] < 1.0));
        // first feature map: 28x28 cells, two anchors each
        assert_eq!(a[0], [0.5 / 28.0, 0.5 / 28.0]);
        assert_eq!(a[1], a[0]);
        // last map: 7x7 cells, six anchors each
        assert_eq!(a[2253], [6.5 / 7.0, 6.5 / 7.0]);
    }
}
