//! Decoding: the rotation tag, timestamps, and bad input.

mod common;

use std::process::Command;

use common::sample;
use opencv::prelude::*;
use romcam::video::VideoReader;

fn ffmpeg_first_frame_bgr(path: &std::path::Path) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-i"])
        .arg(path)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "bgr24", "-"])
        .output()
        .expect("ffmpeg runs (scripts/setup installs it)");
    assert!(out.status.success());
    out.stdout
}

#[test]
fn phone_rotation_tag_gives_the_same_upright_frame_as_ffmpeg() {
    let path = sample("dev07_phone_rotated.mp4");
    let mut reader = VideoReader::open(&path, 0).unwrap();
    assert!(reader.info().rotation.swaps_axes(), "{:?}", reader.info().rotation);
    assert_eq!((reader.info().width, reader.info().height), (720, 1280));
    let frame = reader.next_frame().unwrap().unwrap();
    assert_eq!((frame.image.cols(), frame.image.rows()), (720, 1280));
    let ours = frame.image.data_bytes().unwrap();
    let theirs = ffmpeg_first_frame_bgr(&path);
    assert_eq!(ours.len(), theirs.len());
    let mean_diff: f64 =
        ours.iter().zip(&theirs).map(|(a, b)| (*a as f64 - *b as f64).abs()).sum::<f64>() / ours.len() as f64;
    assert!(mean_diff < 3.0, "mean pixel difference to ffmpeg's upright frame: {mean_diff}");
}

#[test]
fn timestamps_come_from_the_container_and_increase() {
    let mut reader = VideoReader::open(&sample("dev08_bystander.mp4"), 320).unwrap();
    let mut last = -1.0;
    let mut n = 0;
    while let Some(f) = reader.next_frame().unwrap() {
        assert!(f.t > last);
        last = f.t;
        n += 1;
    }
    // 15 fps clip: the last frame sits near (n - 1) / 15 s
    assert!((last - (n - 1) as f64 / 15.0).abs() < 0.05, "last t {last} for {n} frames");
}

/// The background decoder reuses the pixel buffers of frames handed back: every frame it
/// hands on must still equal the same frame read one by one, with and without a rotation tag
/// and a downscale.
#[test]
fn background_decoding_hands_on_the_same_frames_as_reading_one_by_one() {
    for (name, max_side) in [("dev07_phone_rotated.mp4", 640), ("dev08_bystander.mp4", 0)] {
        let path = sample(name);
        let mut one_by_one = Vec::new();
        let mut reader = VideoReader::open(&path, max_side).unwrap();
        while let Some(f) = reader.next_frame().unwrap() {
            one_by_one.push(f.image.data_bytes().unwrap().to_vec());
        }
        let due = romcam::video::NextFrameDue::default();
        let mut handed_on = 0;
        let reader = VideoReader::open(&path, max_side).unwrap();
        romcam::video::decode_in_background(reader, 0.0, &due, |d| {
            let expected = &one_by_one[d.frame.index];
            assert!(
                d.frame.image.data_bytes().unwrap() == expected.as_slice(),
                "{name} frame {}",
                d.frame.index
            );
            handed_on += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(handed_on, one_by_one.len(), "{name}: every frame is handed on at interval 0");
    }
}

/// Which frames get landmarks must not depend on the timing of the two threads: the same
/// clip must give the same measurement on every run. A consumer that keeps up with the
/// decoder (its `due` is always current) and one that lags behind (the decoder reads a stale
/// `due`) must take exactly the same frames.
#[test]
fn the_frames_taken_do_not_depend_on_how_fast_the_consumer_is() {
    let take = |delay_ms: u64| {
        let reader = VideoReader::open(&sample("dev08_bystander.mp4"), 320).unwrap();
        let due = romcam::video::NextFrameDue::default();
        let mut next = f64::NEG_INFINITY;
        let mut taken = Vec::new();
        romcam::video::decode_in_background(reader, 0.1, &due, |d| {
            if d.frame.t + 1e-6 >= next {
                taken.push(d.frame.index);
                std::thread::sleep(std::time::Duration::from_millis(delay_ms));
                // a sparser schedule than the decoder's grid, as the sampler's while the leg moves
                next = d.frame.t + 0.17;
                due.set(next);
            }
            Ok(())
        })
        .unwrap();
        taken
    };
    let keeping_up = take(0);
    assert!(keeping_up.len() > 10, "{keeping_up:?}");
    assert_eq!(take(15), keeping_up);
}
