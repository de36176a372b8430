// Debug helper: prints the detector's output on frames of a clip, per orientation.
use opencv::core;
use opencv::prelude::*;
use std::path::Path;
fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    romcam::runtime::init_onnx_runtime(None)?;
    let dir = romcam::runtime::models_dir()?;
    let mut det = romcam::pose::detector::PersonDetector::open(&dir.join("pose_detection.onnx"), 2)?;
    let mut r = romcam::video::VideoReader::open(Path::new(&args[1]), 1280)?;
    let every: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(15);
    while let Some(f) = r.next_frame()? {
        if f.index % every != 0 {
            continue;
        }
        for (name, code) in
            [("orig", -1), ("cw", core::ROTATE_90_CLOCKWISE), ("ccw", core::ROTATE_90_COUNTERCLOCKWISE)]
        {
            let mut img = opencv::core::Mat::default();
            if code < 0 {
                img = f.image.clone();
            } else {
                core::rotate(&f.image, &mut img, code)?;
            }
            let mut d = det.detect(&img)?;
            if let Some(b) = d.first().map(|x| x.bbox) {
                let r = opencv::core::Rect::new(
                    b[0].max(0.0) as i32,
                    b[1].max(0.0) as i32,
                    ((b[2] - b[0]) as i32).min(img.cols() - b[0].max(0.0) as i32),
                    ((b[3] - b[1]) as i32).min(img.rows() - b[1].max(0.0) as i32),
                );
                opencv::imgproc::rectangle(&mut img, r, opencv::core::Scalar::all(128.0), -1, 8, 0)?;
                d.extend(det.detect(&img)?);
            }
            println!(
                "frame {} {name}: {}",
                f.index,
                d.iter()
                    .map(|d| format!("score {:.2} bbox {:?} kp0 {:?}", d.score, d.bbox, d.keypoints[0]))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
    }
    Ok(())
}
