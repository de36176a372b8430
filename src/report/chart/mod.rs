//! Charts, laid out once as simple vector shapes (rectangles, lines, dots, text) that the PDF and
//! the HTML (SVG) renderers draw the same way: the shapes, the colours, and the pieces every chart
//! uses (axes, grid lines, reference lines, legends). Units are points, y down.
//!
//! The charts themselves: [`angles`] (an assessment's angles over the clip), [`before_after`] (a
//! comparison's change against its MDC95) and [`sessions`] (a client's history).

pub mod angles;
pub mod before_after;
pub mod sessions;

pub use angles::angle_chart;
pub use before_after::before_after_chart;
pub use sessions::history_chart;

use super::fonts::{self, Weight};
use super::keyframe::{HIP_RGB, KNEE_RGB};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Mixed with white: 0 = unchanged, 1 = white.
    pub fn lighter(self, k: f32) -> Rgb {
        let m = |c: u8| (c as f32 + (255.0 - c as f32) * k).round() as u8;
        Rgb(m(self.0), m(self.1), m(self.2))
    }
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

pub const INK: Rgb = Rgb(33, 33, 33);
pub const GREY: Rgb = Rgb(110, 110, 110);
/// A real improvement (text and marks).
pub const IMPROVEMENT: Rgb = Rgb(0, 110, 80);
/// A real worsening: a red towards orange, apart from the alert red of a withheld result.
pub const WORSENING: Rgb = Rgb(196, 62, 0);
pub const HIP: Rgb = Rgb(HIP_RGB.0, HIP_RGB.1, HIP_RGB.2);
pub const KNEE: Rgb = Rgb(KNEE_RGB.0, KNEE_RGB.1, KNEE_RGB.2);
pub(super) const HOLD_FILL: Rgb = Rgb(226, 234, 244);
pub(super) const GRID: Rgb = Rgb(232, 232, 232);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Prim {
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Rgb,
    },
    Line {
        points: Vec<(f32, f32)>,
        colour: Rgb,
        width: f32,
        dash: Option<f32>,
    },
    /// A filled disc with an outline (a marker).
    Dot {
        x: f32,
        y: f32,
        r: f32,
        fill: Rgb,
        outline: Rgb,
    },
    /// `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        em: f32,
        anchor: Anchor,
        colour: Rgb,
        weight: Weight,
        text: String,
    },
}

/// The thin grey box around a plot area.
pub fn plot_frame(fig: &mut Figure, left: f32, top: f32, width: f32, height: f32) {
    let points = vec![
        (left, top),
        (left + width, top),
        (left + width, top + height),
        (left, top + height),
        (left, top),
    ];
    fig.prims.push(Prim::Line { points, colour: Rgb(170, 170, 170), width: 0.5, dash: None });
}

/// A faint horizontal grid line across a plot with its value label to the left.
pub fn y_grid_line(fig: &mut Figure, (x0, x1): (f32, f32), y: f32, label: String) {
    fig.prims.push(Prim::Line { points: vec![(x0, y), (x1, y)], colour: GRID, width: 0.4, dash: None });
    fig.prims.push(Prim::Text {
        x: x0 - 3.0,
        y: y + 2.3,
        em: 6.5,
        anchor: Anchor::End,
        colour: GREY,
        weight: Weight::Regular,
        text: label,
    });
}

/// Writes a grey legend label that ends at `right`; returns where it starts.
pub fn legend_label(fig: &mut Figure, right: f32, baseline: f32, label: &str) -> f32 {
    const EM: f32 = 6.5;
    let x = right - fonts::text_width(label, EM, Weight::Regular);
    fig.prims.push(Prim::Text {
        x,
        y: baseline,
        em: EM,
        anchor: Anchor::Start,
        colour: GREY,
        weight: Weight::Regular,
        text: label.to_string(),
    });
    x
}

/// A reference line's value: whole degrees without a decimal ("0", "80"), others to 0.1.
pub(super) fn short_value(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{:.0}", v.round() + 0.0)
    } else {
        format!("{v:.1}")
    }
}

/// The text beside a reference line: its name and its value in degrees ("Kendall et al. 2005
/// limit 0°"); on a `signed` scale (hip extension) a positive value carries its "+", as the
/// axis and the page's table do.
pub fn reference_label(name: &str, value: f64, signed: bool) -> String {
    let plus = if signed && short_value(value).parse::<f64>().is_ok_and(|v| v > 0.0) { "+" } else { "" };
    format!("{name} {plus}{}°", short_value(value))
}

/// The room to leave right of a plot for reference-line labels: at least `min`, and enough for
/// the widest label, so that no label runs past the page's margin.
pub fn label_room<'a>(labels: impl IntoIterator<Item = &'a String>, min: f32) -> f32 {
    labels
        .into_iter()
        .map(|l| fonts::text_width(l, REFERENCE_LABEL_EM, Weight::Regular) + 4.0 + 2.0)
        .fold(min, f32::max)
}

/// Font size of the reference-line labels, points.
const REFERENCE_LABEL_EM: f32 = 6.5;

/// A horizontal reference line across a plot (a norm or a limit) with its label to the right,
/// keeping labels of close lines apart.
pub fn reference_line(
    fig: &mut Figure,
    (x0, x1): (f32, f32),
    y: f32,
    colour: Rgb,
    dashed: bool,
    text: String,
    label_ys: &mut Vec<f32>,
) {
    fig.prims.push(Prim::Line {
        points: vec![(x0, y), (x1, y)],
        colour,
        width: 0.8,
        dash: Some(if dashed { 3.0 } else { 1.0 }),
    });
    let mut ly = y + 2.3;
    for other in label_ys.iter() {
        if (ly - other).abs() < 8.0 {
            ly = if ly <= *other { other - 8.0 } else { other + 8.0 };
        }
    }
    label_ys.push(ly);
    fig.prims.push(Prim::Text {
        x: x1 + 4.0,
        y: ly,
        em: REFERENCE_LABEL_EM,
        anchor: Anchor::Start,
        colour,
        weight: Weight::Regular,
        text,
    });
}

/// A drawing of `width` x `height` points.
#[derive(Debug, Clone, Default)]
pub struct Figure {
    pub width: f32,
    pub height: f32,
    pub prims: Vec<Prim>,
}

impl Figure {
    /// Where the text's left edge falls once its anchor is applied.
    pub fn text_left(x: f32, em: f32, anchor: Anchor, weight: Weight, text: &str) -> f32 {
        let w = fonts::text_width(text, em, weight);
        match anchor {
            Anchor::Start => x,
            Anchor::Middle => x - w / 2.0,
            Anchor::End => x - w,
        }
    }
}

/// Tick step of 1, 2 or 5 times a power of ten giving about `target` intervals.
pub(super) fn nice_step(span: f64, target: f64) -> f64 {
    let raw = (span / target).max(1e-9);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|s| *s >= raw).unwrap_or(10.0 * p)
}

/// Tick marks every `step` from `lo` to `hi`, at most [`MAX_TICKS`] of them: none at all when
/// the range or the step is not a finite, positive span (an absurd imported angle must not
/// make the chart loop for ever).
pub(super) fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && step.is_finite() && step > 0.0) || hi < lo {
        return Vec::new();
    }
    let first = (lo / step).ceil();
    let last = ((hi + 1e-9) / step).floor();
    // too many ticks, or values so large that one step no longer changes them
    if !(last - first).is_finite() || last - first > MAX_TICKS as f64 || first + 1.0 == first {
        return Vec::new();
    }
    let count = (last - first).max(-1.0) as i64 + 1;
    (0..count).map(|i| (first + i as f64) * step).map(|t| if t.abs() < 1e-9 { 0.0 } else { t }).collect()
}

/// No chart axis carries more ticks than this.
const MAX_TICKS: usize = 200;

pub(super) fn tick_label(v: f64, step: f64) -> String {
    if step >= 1.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_labels_carry_the_unit_the_sign_and_room_to_fit() {
        assert_eq!(reference_label("athletes' mean", 11.94, true), "athletes' mean +11.9°");
        assert_eq!(reference_label("limit", 0.0, true), "limit 0°");
        assert_eq!(reference_label("limit", -0.01, true), "limit 0°");
        assert_eq!(reference_label("athletes' mean", 52.5, false), "athletes' mean 52.5°");
        let short = vec!["limit 0°".to_string()];
        assert_eq!(label_room(&short, 86.0), 86.0);
        let long = vec!["athletes' mean, Harvey 1998 +11.9°".to_string()];
        let room = label_room(&long, 86.0);
        assert!(room > 86.0, "{room}");
        assert!(room >= fonts::text_width(&long[0], REFERENCE_LABEL_EM, Weight::Regular) + 4.0);
    }

    #[test]
    fn tick_steps_are_round() {
        assert_eq!(nice_step(7.0, 8.0), 1.0);
        assert_eq!(nice_step(33.0, 4.0), 10.0);
        assert_eq!(nice_step(12.0, 4.0), 5.0);
        assert_eq!(ticks(-3.2, 12.1, 5.0), vec![0.0, 5.0, 10.0]);
        assert_eq!(ticks(-10.0, 10.0, 10.0), vec![-10.0, 0.0, 10.0]);
    }

    #[test]
    fn absurd_ranges_give_no_ticks_instead_of_an_endless_loop() {
        assert!(ticks(1e17, 1e17 + 1.0, nice_step(1.0, 5.0)).is_empty());
        assert!(ticks(0.0, f64::INFINITY, 1.0).is_empty());
        assert!(ticks(f64::NAN, 1.0, 1.0).is_empty());
        assert!(ticks(0.0, 1.0, 0.0).is_empty());
        assert!(ticks(5.0, 1.0, 1.0).is_empty());
    }
}
