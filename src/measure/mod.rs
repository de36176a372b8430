//! Measurement: geometry and signal from the landmarks. Chooses the test leg, finds the table's
//! horizontal, computes the angles per frame, filters them, finds the hold and checks quality.
//! It reads no norms: interpretation belongs to `assess`.

pub mod damage;
pub mod framing;
pub mod geometry;
pub mod leg;
pub mod orientation;
pub mod quality;
pub mod signal;
pub mod table;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::error::RomcamError;
use crate::pose::{Landmark, PoseTrack};
use geometry::{Horizontal, Vec2};
use leg::{LegChains, Side};
use quality::{Quality, QualityLimits};

/// What the horizontal was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    /// Straight edges of the table under the trunk, found in the image.
    TableEdge,
    /// The image's x axis (the camera is assumed level): used when no table edge is found.
    ImageHorizontal,
}

/// The horizontal used for hip extension, with the candidates that were compared.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HorizontalReference {
    pub kind: ReferenceKind,
    /// Screen tilt of the horizontal used, degrees (positive = clockwise).
    pub tilt_deg: f64,
    /// Spread of the table-edge estimate across frames (half IQR), degrees.
    pub spread_deg: f64,
    /// Tilt of the table edge, if one was found.
    pub table_edge_tilt_deg: Option<f64>,
    /// Tilt of the supine trunk line (hip centre to shoulder centre), the cross-check.
    pub trunk_tilt_deg: Option<f64>,
    /// Frames in which a table edge was found / frames searched.
    pub frames_with_edge: usize,
    pub frames_searched: usize,
}

/// One frame's angles for the test leg (None when the frame is rejected).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AngleSample {
    pub t: f64,
    pub hip_extension_deg: Option<f64>,
    pub knee_flexion_deg: Option<f64>,
    pub thigh_to_trunk_deg: Option<f64>,
    /// Low-pass filtered (zero-phase) values.
    pub hip_extension_smoothed_deg: Option<f64>,
    pub knee_flexion_smoothed_deg: Option<f64>,
}

/// The final still period that decides the result.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct HoldWindow {
    pub start_s: f64,
    pub end_s: f64,
    pub start_frame: usize,
    pub end_frame: usize,
}

/// A figure over the hold: the median, the spread of the frames around it, and how many frames.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct HoldStatistic {
    pub median_deg: f64,
    /// Half the interquartile range of the frames in the hold.
    pub spread_deg: f64,
    pub std_dev_deg: f64,
    pub frames: usize,
}

/// Everything the measurement stage found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measurement {
    pub test_side: Side,
    /// Per frame, the model's label on the test leg's landmarks: the model sometimes swaps left
    /// and right, and [`LegChains`] follows the leg through the swaps. Not written to the JSON
    /// (which stays as it was), so empty for a measurement read back from the store.
    #[serde(skip)]
    pub test_leg_labels: Vec<Side>,
    /// Whether the test leg is the one nearer the camera.
    pub test_leg_near_camera: Option<bool>,
    /// How the test side was decided.
    pub side_basis: String,
    /// Feet towards the image's right?
    pub feet_right: bool,
    pub reference: HorizontalReference,
    pub samples: Vec<AngleSample>,
    pub hold: Option<HoldWindow>,
    pub hip_extension: Option<HoldStatistic>,
    pub knee_flexion: Option<HoldStatistic>,
    pub thigh_to_trunk: Option<HoldStatistic>,
    pub quality: Quality,
    /// Index of the kept snapshot that best shows the hold (for the key frame).
    pub key_snapshot: Option<usize>,
    /// Frames in the clip and frames with a usable test leg.
    pub frames_total: usize,
    pub frames_usable: usize,
    /// Frames the clip holds (decoded; landmarks are found on a sample of them). 0 in results
    /// stored before romcam counted them.
    #[serde(default)]
    pub frames_in_clip: usize,
    pub clip_duration_s: f64,
}

/// Settings of the measurement stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeasureOptions {
    /// Force the test side instead of detecting it.
    pub side: Option<Side>,
    /// Landmarks below this visibility reject the frame.
    pub min_visibility: f32,
    /// Zero-phase smoothing width (Gaussian sigma), seconds.
    pub smoothing_sigma_s: f64,
    /// A frame is still when hip extension moves slower than this (degrees per second)...
    pub still_hip_deg_per_s: f64,
    /// ...and knee flexion slower than this.
    pub still_knee_deg_per_s: f64,
    /// The hold must last at least this long, seconds.
    pub min_hold_s: f64,
    pub limits: QualityLimits,
    #[serde(skip)]
    pub framing: framing::FramingLimits,
}

impl Default for MeasureOptions {
    fn default() -> Self {
        MeasureOptions {
            side: None,
            min_visibility: 0.5,
            smoothing_sigma_s: 0.1,
            still_hip_deg_per_s: 6.0,
            still_knee_deg_per_s: 10.0,
            min_hold_s: 1.0,
            limits: QualityLimits::default(),
            framing: framing::FramingLimits::default(),
        }
    }
}

fn p(l: &Landmark) -> Vec2 {
    Vec2::new(l.x as f64, l.y as f64)
}

/// Runs the measurement stage on a clip's landmarks.
pub fn measure(track: &PoseTrack, options: &MeasureOptions) -> Result<Measurement> {
    let frames = &track.frames;
    let t: Vec<f64> = frames.iter().map(|f| f.t).collect();
    let found = frames.iter().filter(|f| f.landmarks.is_some()).count();
    let clip_duration_s = track.duration_s;
    if clip_duration_s < MIN_CLIP_S {
        return Err(RomcamError::NotMeasurable(format!(
            "the clip is only {clip_duration_s:.1} s long: film the whole test, at least 3 s, so that the leg can settle"
        ))
        .into());
    }
    if found == 0 || (found as f64) < 0.5 * frames.len() as f64 {
        let light = exposure(track);
        let (why, what_to_do) = match light {
            Some(l) if l < 25.0 => {
                ("the picture is almost black (too dark to see anyone)", "turn on more light and film again")
            }
            Some(l) if l > 235.0 => {
                ("the picture is almost white (over-exposed)", "use less light and film again")
            }
            _ => ("no person was found in most of the clip", "film again"),
        };
        return Err(RomcamError::NotMeasurable(format!(
            "{why} (a person was found in {found} of {} frames): {what_to_do} from the side of the test leg, with the whole body and the table in view",
            frames.len()
        ))
        .into());
    }
    let lying = frames
        .iter()
        .filter_map(|f| f.landmarks.as_deref())
        .filter(|l| crate::pose::tracker::is_lying(l))
        .count();
    if (lying as f64) < 0.6 * found as f64 {
        // a picture that cuts the trunk off gets it drawn upright by the landmark model too
        return Err(RomcamError::NotMeasurable(format!(
            "nobody lies on a table in this clip (the trunk is upright, or cut off by the picture's edge, in {} of {found} frames with a person): romcam measures a supine Thomas test, so film again from the side of the test leg, with the whole body and the table in view",
            found - lying
        ))
        .into());
    }
    framing::check_side_view(frames)?;
    orientation::check_upright(frames)?;
    let chains = LegChains::follow(frames);
    let late = leg::late_frames(frames, 0.4);
    let feet_right = leg::feet_right(frames);
    let test = chains.choose_test_leg(frames, &late, options.side)?;
    let trunk_per_frame: Vec<Option<table::Trunk>> =
        frames.iter().map(|f| f.landmarks.as_deref().and_then(leg::trunk)).collect();

    let reference = horizontal_reference(track, &late, &trunk_per_frame);
    let horizontal = Horizontal::from_tilt(reference.tilt_deg, feet_right);

    let mut samples = Vec::with_capacity(frames.len());
    for (i, f) in frames.iter().enumerate() {
        let joints =
            f.landmarks.as_deref().and_then(|l| chains.joints(i, test.chain, l, options.min_visibility));
        let (hip, knee, ankle) = match joints {
            Some(j) => j,
            None => {
                samples.push(AngleSample {
                    t: f.t,
                    hip_extension_deg: None,
                    knee_flexion_deg: None,
                    thigh_to_trunk_deg: None,
                    hip_extension_smoothed_deg: None,
                    knee_flexion_smoothed_deg: None,
                });
                continue;
            }
        };
        let shoulder = trunk_per_frame[i].map(|tr| tr.shoulder);
        samples.push(AngleSample {
            t: f.t,
            hip_extension_deg: geometry::hip_extension_deg(p(&hip), p(&knee), &horizontal),
            knee_flexion_deg: geometry::knee_flexion_deg(p(&hip), p(&knee), p(&ankle)),
            thigh_to_trunk_deg: shoulder.and_then(|s| geometry::thigh_to_trunk_deg(s, p(&hip), p(&knee))),
            hip_extension_smoothed_deg: None,
            knee_flexion_smoothed_deg: None,
        });
    }
    let hip_raw: Vec<Option<f64>> = samples.iter().map(|s| s.hip_extension_deg).collect();
    let knee_raw: Vec<Option<f64>> = samples.iter().map(|s| s.knee_flexion_deg).collect();
    let hip_s = signal::smooth(&t, &hip_raw, options.smoothing_sigma_s);
    let knee_s = signal::smooth(&t, &knee_raw, options.smoothing_sigma_s);
    for (s, (h, k)) in samples.iter_mut().zip(hip_s.iter().zip(knee_s.iter())) {
        s.hip_extension_smoothed_deg = *h;
        s.knee_flexion_smoothed_deg = *k;
    }
    let range = signal::final_still_period(
        &t,
        &[(&hip_s, options.still_hip_deg_per_s), (&knee_s, options.still_knee_deg_per_s)],
        options.min_hold_s,
        0.3,
    );
    let hold = range.map(|r| HoldWindow {
        start_s: t[r.start],
        end_s: t[r.end],
        start_frame: r.start,
        end_frame: r.end,
    });
    let stat = |values: &dyn Fn(&AngleSample) -> Option<f64>| {
        hold.and_then(|h| hold_statistic(&samples[h.start_frame..=h.end_frame], values))
    };
    let hip_extension = stat(&|s| s.hip_extension_deg);
    let knee_flexion = stat(&|s| s.knee_flexion_deg);
    let thigh_to_trunk = stat(&|s| s.thigh_to_trunk_deg);
    let frames_usable = samples.iter().filter(|s| s.hip_extension_deg.is_some()).count();
    let key_snapshot = hold.and_then(|h| {
        let mid = (h.start_s + h.end_s) / 2.0;
        track
            .snapshots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.t >= h.start_s && s.t <= h.end_s)
            .min_by(|a, b| (a.1.t - mid).abs().total_cmp(&(b.1.t - mid).abs()))
            .map(|(i, _)| i)
    });
    let near = chains.near_camera(frames, &late, test.chain);
    let mut quality = quality::check(
        &quality::Evidence {
            frames,
            samples: &samples,
            chains: &chains,
            test_chain: test.chain,
            hold,
            reference: &reference,
            clip_duration_s,
            late: &late,
        },
        &options.limits,
    );
    let judged: Vec<usize> = match hold {
        Some(h) => (h.start_frame..=h.end_frame).collect(),
        None => late.clone(),
    };
    let framing = framing::check(
        &framing::FramingEvidence {
            frames,
            judged: &judged,
            chains: &chains,
            test_chain: test.chain,
            frame_width: track.video.width,
            frame_height: track.video.height,
            brightness: exposure(track),
            test_leg_near_camera: near,
            reference: &reference,
        },
        &options.framing,
    );
    quality.add_framing(framing);
    damage::check(&track.damaged_frames, track.frames_decoded, hold, &mut quality);
    Ok(Measurement {
        test_side: test.side,
        test_leg_labels: (0..frames.len()).map(|i| chains.label(i, test.chain)).collect(),
        test_leg_near_camera: near,
        side_basis: test.basis,
        feet_right,
        reference,
        samples,
        hold,
        hip_extension,
        knee_flexion,
        thigh_to_trunk,
        quality,
        key_snapshot,
        frames_total: frames.len(),
        frames_in_clip: track.frames_decoded,
        frames_usable,
        clip_duration_s,
    })
}

/// A clip shorter than this cannot show a settled leg.
const MIN_CLIP_S: f64 = 1.5;

/// Mean brightness (0..255) of the kept frames.
fn exposure(track: &PoseTrack) -> Option<f64> {
    let v: Vec<f64> = track
        .snapshots
        .iter()
        .filter_map(|s| s.image().and_then(|i| Ok(opencv::core::mean_def(&i)?)).ok())
        .map(|m| (m[0] + m[1] + m[2]) / 3.0)
        .collect();
    signal::median(&v)
}

fn hold_statistic(
    samples: &[AngleSample],
    value: &dyn Fn(&AngleSample) -> Option<f64>,
) -> Option<HoldStatistic> {
    let v: Vec<f64> = samples.iter().filter_map(value).collect();
    let median_deg = signal::median(&v)?;
    let spread_deg = (signal::quantile(&v, 0.75)? - signal::quantile(&v, 0.25)?) / 2.0;
    Some(HoldStatistic {
        median_deg,
        spread_deg,
        std_dev_deg: signal::std_dev(&v).unwrap_or(0.0),
        frames: v.len(),
    })
}

/// `work` applied to every item, the items shared out over the machine's cores; results in
/// the order of the items.
fn on_all_cores<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let chunk = items.len().div_ceil(cores).max(1);
    std::thread::scope(|scope| {
        let work = &work;
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(work).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// Finds the table edge in the kept frames (those late in the clip) and compares it with the
/// trunk line.
fn horizontal_reference(
    track: &PoseTrack,
    late: &[usize],
    trunks: &[Option<table::Trunk>],
) -> HorizontalReference {
    let jobs: Vec<(&crate::pose::Snapshot, table::Trunk)> = track
        .snapshots
        .iter()
        .filter_map(|snap| {
            let trunk = trunks.get(snap.index).copied().flatten()?;
            let k = 1.0 / snap.scale;
            Some((snap, table::Trunk { hip: trunk.hip.scale(k), shoulder: trunk.shoulder.scale(k) }))
        })
        .collect();
    let searched = jobs.len();
    let found = on_all_cores(&jobs, |(snap, trunk_px)| {
        snap.image().and_then(|image| table::find_table_line(&image, trunk_px))
    });
    let mut lines = Vec::new();
    for ((snap, _), result) in jobs.iter().zip(found) {
        match result {
            Ok(Some(line)) if line.support >= 0.5 => lines.push(line),
            Ok(_) => {}
            Err(e) => log::debug!("table search failed on frame {}: {e}", snap.index),
        }
    }
    let trunk_tilts: Vec<f64> =
        late.iter().filter_map(|&i| trunks.get(i).copied().flatten()).map(|t| t.tilt_deg()).collect();
    let trunk_tilt_deg = signal::median(&trunk_tilts);
    let edge = table::combine(&lines);
    match edge {
        Some((tilt, spread)) => HorizontalReference {
            kind: ReferenceKind::TableEdge,
            tilt_deg: tilt,
            spread_deg: spread,
            table_edge_tilt_deg: Some(tilt),
            trunk_tilt_deg,
            frames_with_edge: lines.len(),
            frames_searched: searched,
        },
        None => HorizontalReference {
            kind: ReferenceKind::ImageHorizontal,
            tilt_deg: 0.0,
            spread_deg: 0.0,
            table_edge_tilt_deg: None,
            trunk_tilt_deg,
            frames_with_edge: 0,
            frames_searched: searched,
        },
    }
}
