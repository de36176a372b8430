//! Accuracy against the ground truth of the sample clips (real model, real clips).

mod common;

use common::{analysed, analysed_every_frame, truth, CLIPS};

const IDX: [(&str, [usize; 3]); 2] = [("L", [23, 25, 27]), ("R", [24, 26, 28])];

#[test]
fn person_found_and_test_leg_landmarks_within_8_percent_of_thigh() {
    for clip in CLIPS {
        let a = analysed_every_frame(clip);
        let gt = truth(clip);
        let gt_frames = gt["frames"].as_array().unwrap();
        let found = a.frames.iter().filter(|f| f.landmarks.is_some()).count();
        assert!(
            found as f64 >= 0.98 * gt_frames.len() as f64,
            "{clip}: person found in {found}/{}",
            gt_frames.len()
        );
        let leg = gt["params"]["test_leg"].as_str().unwrap();
        let idx = IDX.iter().find(|(l, _)| *l == leg).unwrap().1;
        let mut errs = Vec::new();
        for (f, g) in a.frames.iter().zip(gt_frames) {
            let Some(l) = &f.landmarks else { continue };
            let j = &g["joints2d"];
            let pt = |name: &str| {
                let v = j[format!("{name}.{leg}")].as_array().unwrap();
                (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
            };
            let (hip, knee) = (pt("hip"), pt("knee"));
            let thigh = ((hip.0 - knee.0).powi(2) + (hip.1 - knee.1).powi(2)).sqrt();
            for (name, i) in ["hip", "knee", "ankle"].iter().zip(idx) {
                let p = pt(name);
                let d = ((l[i].x as f64 - p.0).powi(2) + (l[i].y as f64 - p.1).powi(2)).sqrt();
                errs.push(d / thigh);
            }
        }
        errs.sort_by(f64::total_cmp);
        let median = errs[errs.len() / 2];
        assert!(median <= 0.08, "{clip}: median landmark error {:.1}% of thigh", median * 100.0);
    }
}

/// Per clip: the side is right; a clip romcam must withhold is withheld; every other clip is
/// measured, with the hip and knee within twice the uncertainty romcam states, the hip within
/// 4.5° and the knee within 4°; over the measured clips the mean hip error is at most 2.0° and
/// the mean knee error at most 2.0° (today 1.77° and 1.64°, with a margin for the small shifts
/// that another build of OpenCV's decoders has caused). The goals of 1°/1.5° are not reached: the
/// hip landmark's lean, see README "Accuracy".
#[test]
fn every_clip_is_measured_within_its_stated_uncertainty_or_withheld() {
    let (mut hip_errors, mut knee_errors) = (Vec::new(), Vec::new());
    let mut failures = Vec::new();
    for clip in CLIPS {
        let a = &analysed(clip).assessment;
        let gt = truth(clip);
        let target = &gt["target"];
        let side = if gt["params"]["test_leg"] == "L" { "left" } else { "right" };
        assert_eq!(a.test_side.name(), side, "{clip}: test side");
        if common::WITHHELD_CLIPS.contains(&clip) {
            assert!(a.hip_extension_deg.is_none() && a.knee_flexion_deg.is_none(), "{clip}: not withheld");
            continue;
        }
        let hip =
            a.hip_extension_deg.unwrap_or_else(|| panic!("{clip}: hip withheld: {:?}", a.withheld_reason));
        let knee = a.knee_flexion_deg.unwrap_or_else(|| panic!("{clip}: knee withheld"));
        let hip_error = hip - target["held_mean_test_hip_extension_deg"].as_f64().unwrap();
        let knee_error = knee - target["held_mean_test_knee_flexion_deg"].as_f64().unwrap();
        let (hip_u, knee_u) = (a.uncertainty_deg.unwrap(), a.knee_uncertainty_deg.unwrap());
        if hip_error.abs() > 4.5 || hip_error.abs() > 2.0 * hip_u {
            failures.push(format!("{clip}: hip off by {hip_error:+.2}° (stated ±{hip_u})"));
        }
        if knee_error.abs() > 4.0 || knee_error.abs() > 2.0 * knee_u {
            failures.push(format!("{clip}: knee off by {knee_error:+.2}° (stated ±{knee_u})"));
        }
        hip_errors.push(hip_error.abs());
        knee_errors.push(knee_error.abs());
    }
    assert!(failures.is_empty(), "{failures:#?}");
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(mean(&hip_errors) <= 2.0, "hip mean absolute error {:.2}", mean(&hip_errors));
    assert!(mean(&knee_errors) <= 2.0, "knee mean absolute error {:.2}", mean(&knee_errors));
}

#[test]
fn the_hold_lies_in_the_held_part_of_the_clip() {
    for clip in CLIPS.iter().filter(|c| !common::WITHHELD_CLIPS.contains(c)) {
        let a = &analysed(clip).assessment;
        let gt = truth(clip);
        let lowering_end = gt["timeline_s"]["lowering_end"].as_f64().unwrap();
        let hold = a.hold.as_ref().unwrap_or_else(|| panic!("{clip}: no hold"));
        assert!(
            hold.start_s >= lowering_end - 0.35,
            "{clip}: hold starts at {} while the leg lowers until {lowering_end}",
            hold.start_s
        );
        assert!(hold.end_s - hold.start_s >= 1.0, "{clip}: hold too short");
    }
}

#[test]
fn tilted_camera_is_corrected_by_the_table_edge() {
    let a = &analysed("dev04_roll6").assessment;
    let roll = truth("dev04_roll6")["params"]["cam_roll_deg"].as_f64().unwrap();
    assert_eq!(a.reference.kind, romcam::measure::ReferenceKind::TableEdge);
    assert!(
        (a.reference.tilt_deg - roll).abs() < 1.5,
        "table tilt {} vs camera roll {roll}",
        a.reference.tilt_deg
    );
}

#[test]
fn the_person_on_the_table_is_measured_not_the_bystander() {
    let a = analysed_every_frame("dev08_bystander");
    let gt = truth("dev08_bystander");
    // the tracked hips stay on the lying subject, far from the standing bystander's hips
    let mut near_subject = 0;
    let mut total = 0;
    for (f, g) in a.frames.iter().zip(gt["frames"].as_array().unwrap()) {
        let Some(l) = &f.landmarks else { continue };
        let hip = (l[23].x as f64, l[23].y as f64);
        let d = |j: &serde_json::Value| {
            let v = j["hip.L"].as_array().unwrap();
            ((v[0].as_f64().unwrap() - hip.0).powi(2) + (v[1].as_f64().unwrap() - hip.1).powi(2)).sqrt()
        };
        total += 1;
        if d(&g["joints2d"]) < d(&g["bystander_joints2d"]) {
            near_subject += 1;
        }
    }
    assert!(near_subject as f64 >= 0.98 * total as f64, "{near_subject}/{total} frames on the subject");
}

/// A measurement must not depend on the timing of romcam's threads: the same clip assessed
/// twice gives the same report, to the last digit.
#[test]
fn the_same_clip_assessed_twice_gives_the_same_report() {
    let clip = common::sample("dev02_post_left.mp4");
    let args = [std::ffi::OsStr::new("assess"), "-q".as_ref(), clip.as_os_str(), "--json".as_ref()];
    let first = common::run_romcam(&args, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let second = common::run_romcam(&args, &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(first.stdout == second.stdout, "two runs on {} gave different reports", clip.display());
}
