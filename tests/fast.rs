//! The fast tier: the measuring logic on small synthetic poses, with no model, clip or store.
//! `cargo test --release --lib --test fast` runs in seconds.
//!
//! The synthetic client lies supine, head to the image's left: shoulders at x = 100, hips at
//! x = 300, the left leg hanging off the table end (the test leg) and the right knee held to
//! the chest.

use romcam::measure::leg::{self, Chain, LegChains, Side};
use romcam::measure::quality::{self, Evidence, QualityLimits};
use romcam::measure::{AngleSample, HoldWindow, HorizontalReference, ReferenceKind};
use romcam::pose::detector::{Detection, LYING_HORIZONTALNESS};
use romcam::pose::tracker::choose_person;
use romcam::pose::{Landmark, PoseFrame};

fn at(x: f32, y: f32) -> Landmark {
    Landmark { x, y, z: 0.0, visibility: 1.0, presence: 1.0 }
}

/// The supine pose; `test_knee` places the left (test) knee.
fn supine(test_knee: (f32, f32)) -> Vec<Landmark> {
    let mut l = vec![at(60.0, 300.0); 33];
    l[11] = at(100.0, 300.0);
    l[12] = at(100.0, 300.0);
    l[23] = at(300.0, 300.0);
    l[24] = at(300.0, 300.0);
    l[25] = at(test_knee.0, test_knee.1); // left knee: off the table end
    l[27] = at(test_knee.0, test_knee.1 + 130.0); // left ankle: hanging
    l[26] = at(250.0, 200.0); // right knee: held to the chest
    l[28] = at(200.0, 250.0);
    l
}

/// The same pose with the model's left and right leg labels exchanged.
fn labels_swapped(mut l: Vec<Landmark>) -> Vec<Landmark> {
    for (a, b) in [(23, 24), (25, 26), (27, 28)] {
        l.swap(a, b);
    }
    l
}

fn clip(poses: Vec<Vec<Landmark>>) -> Vec<PoseFrame> {
    poses
        .into_iter()
        .enumerate()
        .map(|(i, l)| PoseFrame { t: i as f64 * 0.1, presence: 1.0, landmarks: Some(l) })
        .collect()
}

#[test]
fn leg_chains_catch_a_label_swap_and_keep_following_the_legs() {
    let mut poses: Vec<_> = (0..10).map(|_| supine((450.0, 320.0))).collect();
    poses[5] = labels_swapped(poses[5].clone());
    let frames = clip(poses);
    let chains = LegChains::follow(&frames);
    assert_eq!(chains.swaps_caught, 1);
    let swapped: Vec<usize> = (0..10).filter(|&i| chains.swapped[i]).collect();
    assert_eq!(swapped, [5]);
    // chain A is the left leg throughout, whatever the label in frame 5
    assert_eq!(chains.label(4, Chain::A), Side::Left);
    assert_eq!(chains.label(5, Chain::A), Side::Right);
    assert_eq!(chains.label(6, Chain::A), Side::Left);
    let (_, knee, _) = chains.joints(5, Chain::A, frames[5].landmarks.as_deref().unwrap(), 0.5).unwrap();
    assert_eq!((knee.x, knee.y), (450.0, 320.0));
}

#[test]
fn leg_chains_see_no_swap_in_a_steady_clip_or_without_landmarks() {
    let mut frames = clip((0..6).map(|_| supine((450.0, 320.0))).collect());
    frames[2].landmarks = None;
    let chains = LegChains::follow(&frames);
    assert_eq!(chains.swaps_caught, 0);
    assert!(chains.swapped.iter().all(|s| !s));
}

#[test]
fn the_test_leg_is_the_thigh_that_hangs_off_the_table() {
    let frames = clip((0..10).map(|_| supine((450.0, 320.0))).collect());
    let chains = LegChains::follow(&frames);
    let late = leg::late_frames(&frames, 0.4);
    assert!(!late.is_empty());
    let test = chains.choose_test_leg(&frames, &late, None).unwrap();
    assert_eq!((test.chain, test.side), (Chain::A, Side::Left));
    let forced = chains.choose_test_leg(&frames, &late, Some(Side::Right)).unwrap();
    assert_eq!((forced.chain, forced.side), (Chain::B, Side::Right));
    assert!(forced.basis.contains("--side right"));
    assert!(leg::feet_right(&frames));
    // nobody at the end of the clip: no test leg, with a reason
    assert!(chains.choose_test_leg(&frames, &[], None).is_err());
}

fn samples(n: usize, usable: usize) -> Vec<AngleSample> {
    (0..n)
        .map(|i| {
            let v = (i < usable).then_some(5.0);
            AngleSample {
                t: i as f64 * 0.1,
                hip_extension_deg: v,
                knee_flexion_deg: v,
                thigh_to_trunk_deg: v,
                hip_extension_smoothed_deg: v,
                knee_flexion_smoothed_deg: v,
            }
        })
        .collect()
}

fn table_edge() -> HorizontalReference {
    HorizontalReference {
        kind: ReferenceKind::TableEdge,
        tilt_deg: 0.0,
        spread_deg: 0.5,
        table_edge_tilt_deg: Some(0.0),
        trunk_tilt_deg: Some(1.0),
        frames_with_edge: 10,
        frames_searched: 10,
    }
}

/// Runs the gate on 40 frames (4 s) of the pose, with a hold over the last 20.
fn gate(pose: Vec<Landmark>, hold: bool, usable: usize, reference: &HorizontalReference) -> quality::Quality {
    let frames = clip((0..40).map(|_| pose.clone()).collect());
    let chains = LegChains::follow(&frames);
    let late = leg::late_frames(&frames, 0.4);
    let samples = samples(40, usable);
    let hold = hold.then_some(HoldWindow { start_s: 2.0, end_s: 3.9, start_frame: 20, end_frame: 39 });
    quality::check(
        &Evidence {
            frames: &frames,
            samples: &samples,
            chains: &chains,
            test_chain: Chain::A,
            hold,
            reference,
            clip_duration_s: 4.0,
            late: &late,
        },
        &QualityLimits::default(),
    )
}

#[test]
fn the_quality_gate_passes_a_clean_side_view() {
    let q = gate(supine((450.0, 320.0)), true, 40, &table_edge());
    assert_eq!(q.withheld_reason, None);
    assert!(q.warnings.is_empty(), "{:?}", q.warnings);
    assert!((q.mean_presence - 1.0).abs() < 1e-9);
}

#[test]
fn the_quality_gate_withholds_what_cannot_be_trusted() {
    let reason = |q: quality::Quality| q.withheld_reason.unwrap_or_default();
    // no hold
    let never = reason(gate(supine((450.0, 320.0)), false, 40, &table_edge()));
    assert!(never.contains("never settles") && never.contains("film again"), "{never}");
    // the test leg hidden during the hold (fewer than 30% of its frames usable)
    let hidden = reason(gate(supine((450.0, 320.0)), true, 25, &table_edge()));
    assert!(hidden.contains("hidden during the hold") && hidden.contains("film again"), "{hidden}");
    // a thigh much shorter than the shin: the camera looks along it
    assert!(reason(gate(supine((330.0, 310.0)), true, 40, &table_edge())).contains("foreshortened"));
    // a shin two thirds as long as the thigh (100 against 151 px): seen along its length, from
    // far above or below the hip
    let mut steep = supine((450.0, 320.0));
    steep[27] = at(450.0, 420.0);
    let steep = reason(gate(steep, true, 40, &table_edge()));
    assert!(steep.contains("shin looks strongly foreshortened") && steep.contains("film again"), "{steep}");
    // the hips far apart: the pelvis seen from the front
    let mut front = supine((450.0, 320.0));
    front[24] = at(300.0, 400.0);
    let front = reason(gate(front, true, 40, &table_edge()));
    assert!(front.contains("from the front") && front.contains("film again"), "{front}");
}

#[test]
fn the_quality_gate_warns_without_withholding() {
    // part of the hold hidden
    let q = gate(supine((450.0, 320.0)), true, 30, &table_edge());
    assert_eq!(q.withheld_reason, None);
    assert!(q.warnings.iter().any(|w| w.contains("hidden in 50% of the hold")), "{:?}", q.warnings);
    // a shin 0.81 of the thigh (122 against 151 px): a warning, the result stands
    let mut high = supine((450.0, 320.0));
    high[27] = at(450.0, 442.0);
    let q = gate(high, true, 40, &table_edge());
    assert_eq!(q.withheld_reason, None);
    assert!(q.warnings.iter().any(|w| w.contains("shin looks foreshortened (0.81")), "{:?}", q.warnings);
    // no table edge
    let level = HorizontalReference { kind: ReferenceKind::ImageHorizontal, ..table_edge() };
    let q = gate(supine((450.0, 320.0)), true, 40, &level);
    assert_eq!(q.withheld_reason, None);
    assert!(q.warnings.iter().any(|w| w.contains("no table edge")), "{:?}", q.warnings);
    // a table edge that varies a little between frames (the framing gate refuses more than
    // ±2°, and judges the edge against the trunk line: src/measure/framing.rs)
    let varying = HorizontalReference { spread_deg: 1.5, ..table_edge() };
    let q = gate(supine((450.0, 320.0)), true, 40, &varying);
    assert_eq!(q.withheld_reason, None);
    assert!(q.warnings.iter().any(|w| w.contains("varies by ±1.5°")), "{:?}", q.warnings);
}

fn detection(score: f32, hip: [f32; 2], size_point: [f32; 2]) -> Detection {
    Detection { score, bbox: [0.0, 0.0, 10.0, 10.0], keypoints: [hip, size_point, hip, size_point] }
}

#[test]
fn the_person_followed_is_the_one_lying_down() {
    let standing = detection(0.95, [500.0, 400.0], [500.0, 100.0]);
    let lying = detection(0.7, [300.0, 300.0], [100.0, 310.0]);
    assert!(lying.horizontalness() >= LYING_HORIZONTALNESS);
    assert!(standing.horizontalness() < LYING_HORIZONTALNESS);
    let people = [standing.clone(), lying.clone()];
    assert_eq!(choose_person(&people).map(|d| d.score), Some(0.7));
    // of two lying people, the more horizontal and confident
    let tilted = detection(0.72, [300.0, 300.0], [150.0, 180.0]);
    assert_eq!(choose_person(&[tilted, lying]).map(|d| d.score), Some(0.7));
    // nobody lying: the most confident person; nobody at all: none
    let other = detection(0.5, [200.0, 400.0], [210.0, 100.0]);
    assert_eq!(choose_person(&[other, standing]).map(|d| d.score), Some(0.95));
    assert!(choose_person(&[]).is_none());
}
