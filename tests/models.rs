//! The bundled models: checksums, and that each loads through ONNX Runtime and behaves.

use std::path::Path;

use opencv::core::{Mat, Scalar, CV_8UC3};
use romcam::pose::detector::PersonDetector;
use romcam::pose::landmarks::LandmarkModel;
use romcam::pose::roi::BodyRoi;
use romcam::video::VideoReader;
use sha2::{Digest, Sha256};

fn models() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models"))
}

fn detector() -> PersonDetector {
    PersonDetector::open(&models().join("pose_detection.onnx"), 2).expect("detector loads")
}

fn sample_frame(clip: &str, at_s: f64) -> Mat {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples").join(clip);
    let mut reader = VideoReader::open(&path, 1280).expect("sample opens");
    while let Some(f) = reader.next_frame().expect("decodes") {
        if f.t >= at_s {
            return f.image;
        }
    }
    panic!("clip shorter than {at_s} s");
}

#[test]
fn model_checksums_match_sha256sums() {
    let sums = std::fs::read_to_string(models().join("SHA256SUMS")).expect("models/SHA256SUMS");
    let mut checked = 0;
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (want, name) = line.split_once("  ").expect("sha256sum format");
        let bytes = std::fs::read(models().join(name.trim())).expect("model file present");
        let got = format!("{:x}", Sha256::digest(&bytes));
        assert_eq!(got, want, "checksum of {name}");
        checked += 1;
    }
    assert_eq!(checked, 5, "detector, full and lite landmark models, and their pruned copies");
}

#[test]
fn detector_finds_the_lying_person_and_landmarks_see_them() {
    let frame = sample_frame("dev01_pre_left.mp4", 5.0);
    let mut detector = detector();
    let people = detector.detect(&frame).expect("detector runs");
    assert!(!people.is_empty(), "nobody detected on a sample frame");
    let best = &people[0];
    assert!(best.score > 0.5);
    assert!(best.horizontalness() > 0.7, "a lying person has a horizontal body axis");
    for file in [
        "pose_landmark_full.onnx",
        "pose_landmark_lite.onnx",
        "pose_landmark_full_noseg.onnx",
        "pose_landmark_lite_noseg.onnx",
    ] {
        let mut model = LandmarkModel::open(&models().join(file), 2).expect("landmark model loads");
        let roi = BodyRoi::from_alignment_points(best.keypoints[0], best.keypoints[1]);
        let seen = model.estimate(&frame, &roi).expect("landmarks run");
        assert_eq!(seen.landmarks.len(), 39, "33 body + 6 auxiliary landmarks");
        assert!(seen.presence > 0.9, "{file}: presence {} on a person", seen.presence);

        let blank = Mat::new_rows_cols_with_default(720, 1280, CV_8UC3, Scalar::all(128.0)).unwrap();
        let empty = model.estimate(&blank, &roi).expect("landmarks run on a blank frame");
        assert!(empty.presence < 0.2, "{file}: presence {} on a blank frame", empty.presence);
    }
}

#[test]
fn blank_frame_has_no_detection() {
    let blank = Mat::new_rows_cols_with_default(720, 1280, CV_8UC3, Scalar::all(30.0)).unwrap();
    let mut detector = detector();
    assert!(detector.detect(&blank).expect("runs").is_empty());
}

/// The pruned landmark models romcam runs compute exactly what the full conversions compute.
#[test]
fn pruned_landmark_models_give_the_same_landmarks() {
    let frame = sample_frame("dev02_post_left.mp4", 6.0);
    let mut detector = detector();
    let people = detector.detect_any_orientation(&frame).expect("detector runs");
    let best = people.first().expect("a person on a sample frame");
    let roi = BodyRoi::from_alignment_points(best.keypoints[0], best.keypoints[1]);
    for kind in ["full", "lite"] {
        let run = |file: String| {
            let mut model = LandmarkModel::open(&models().join(file), 1).expect("landmark model loads");
            model.estimate(&frame, &roi).expect("landmarks run")
        };
        let whole = run(format!("pose_landmark_{kind}.onnx"));
        let pruned = run(format!("pose_landmark_{kind}_noseg.onnx"));
        assert_eq!(whole.presence, pruned.presence, "{kind}: presence");
        for (i, (a, b)) in whole.landmarks.iter().zip(&pruned.landmarks).enumerate() {
            assert!(
                (a.x - b.x).abs() < 1e-3 && (a.y - b.y).abs() < 1e-3,
                "{kind}: landmark {i} {a:?} vs {b:?}"
            );
            assert!((a.visibility - b.visibility).abs() < 1e-5, "{kind}: landmark {i} visibility");
        }
    }
}

/// romcam runs the pruned landmark models: no segmentation output is computed on every frame.
#[test]
fn romcam_runs_the_pruned_landmark_models() {
    for kind in [romcam::runtime::LandmarkModel::Full, romcam::runtime::LandmarkModel::Lite] {
        let path = models().join(kind.file_name());
        let session = romcam::runtime::open_session(&path, 1).expect("the model romcam runs loads");
        let outputs: Vec<&str> = session.outputs().iter().map(|o| o.name()).collect();
        assert_eq!(outputs, ["Identity", "Identity_1", "Identity_3"], "{}", path.display());
    }
}
