//! A comparison's chart of one side: a panel each for hip extension and knee flexion, the
//! earlier and the later assessment (each named by its phase and session), with the earlier
//! value's MDC95 band shaded, so that a later value outside the band stands out. The later dot
//! takes the verdict's colour: green for a real improvement, red for a real worsening, grey
//! within measurement error.

use super::{
    nice_step, tick_label, ticks, Anchor, Figure, Prim, Rgb, GREY, GRID, HIP, IMPROVEMENT, INK, KNEE,
    WORSENING,
};
use crate::assess::change::ChangeVerdict;
use crate::report::fonts::Weight;
use crate::store::compare::SideChange;
use crate::store::records::Phase;

const BAND_K: f32 = 0.78;

/// One side's chart: a panel each for hip extension and knee flexion, with the earlier value's
/// MDC95 band shaded, so that a later value outside the band stands out.
pub fn before_after_chart(c: &SideChange, width: f32, height: f32) -> Figure {
    let mut fig = Figure { width, height, prims: Vec::new() };
    let legend_h = 12.0;
    let gap = 16.0;
    let pw = (width - gap) / 2.0;
    let ends = Ends {
        phases: (phase_word(c.from.phase), phase_word(c.to.phase)),
        dates: (c.from.session_date.as_str(), c.to.session_date.as_str()),
    };
    panel(
        &mut fig,
        0.0,
        pw,
        height - legend_h,
        ("Hip extension (°)", HIP),
        (Some(c.from.hip_extension_deg), Some(c.to.hip_extension_deg)),
        (c.mdc95_deg, Some(c.hip_verdict)),
        &ends,
        true,
    );
    panel(
        &mut fig,
        pw + gap,
        pw,
        height - legend_h,
        ("Knee flexion (°)", KNEE),
        (c.from.knee_flexion_deg, c.to.knee_flexion_deg),
        (c.knee_mdc95_deg, c.knee_verdict),
        &ends,
        false,
    );
    // Legend.
    let y = height - 3.0;
    fig.prims.push(Prim::Rect { x: 0.0, y: y - 6.0, w: 14.0, h: 7.0, fill: GREY.lighter(BAND_K) });
    fig.prims.push(Prim::Text {
        x: 18.0,
        y,
        em: 6.3,
        anchor: Anchor::Start,
        colour: GREY,
        weight: Weight::Regular,
        text: "band: earlier ± MDC95, inside = within measurement error".into(),
    });
    fig
}

/// What the x axis names under each dot: the phase, and the session's date.
struct Ends<'a> {
    phases: (&'static str, &'static str),
    dates: (&'a str, &'a str),
}

fn phase_word(p: Phase) -> &'static str {
    match p {
        Phase::Before => "before",
        Phase::After => "after",
        Phase::None => "no phase",
    }
}

/// The later dot's colour: the verdict's (see the module docs).
fn verdict_colour(v: Option<ChangeVerdict>, series: Rgb) -> Rgb {
    match v {
        Some(ChangeVerdict::RealImprovement) => IMPROVEMENT,
        Some(ChangeVerdict::RealWorsening) => WORSENING,
        Some(ChangeVerdict::WithinMeasurementError) => GREY,
        None => series,
    }
}

#[allow(clippy::too_many_arguments)]
fn panel(
    fig: &mut Figure,
    x0: f32,
    width: f32,
    height: f32,
    (title, colour): (&str, Rgb),
    (before, after): (Option<f64>, Option<f64>),
    (mdc, verdict): (f64, Option<ChangeVerdict>),
    ends: &Ends<'_>,
    signed: bool,
) {
    let (before_date, after_date) = ends.dates;
    let text = |x: f32, y: f32, em: f32, anchor: Anchor, colour: Rgb, weight: Weight, t: String| Prim::Text {
        x,
        y,
        em,
        anchor,
        colour,
        weight,
        text: t,
    };
    fig.prims.push(Prim::Rect { x: x0, y: 3.0, w: 9.0, h: 3.0, fill: colour });
    fig.prims.push(text(x0 + 12.0, 8.0, 7.5, Anchor::Start, INK, Weight::Bold, title.to_string()));
    let (left, right) = (x0 + 26.0, x0 + width - 2.0);
    let (top, bottom) = (15.0, height - 22.0);
    let frame = vec![(left, top), (right, top), (right, bottom), (left, bottom), (left, top)];
    let (Some(b), Some(a)) = (before, after) else {
        fig.prims.push(Prim::Line { points: frame, colour: Rgb(170, 170, 170), width: 0.5, dash: None });
        fig.prims.push(text(
            (left + right) / 2.0,
            (top + bottom) / 2.0,
            7.0,
            Anchor::Middle,
            GREY,
            Weight::Regular,
            "not available".into(),
        ));
        return;
    };
    let lo = (b - mdc).min(a);
    let hi = (b + mdc).max(a);
    let pad = ((hi - lo) * 0.28).max(1.5);
    let (lo, hi) = (lo - pad, hi + pad);
    let y_of = |v: f64| bottom - ((v - lo) / (hi - lo)) as f32 * (bottom - top);
    let (xb, xa) = (left + 0.22 * (right - left), left + 0.78 * (right - left));
    // The band first, then the grid over it.
    fig.prims.push(Prim::Rect {
        x: left,
        y: y_of(b + mdc),
        w: right - left,
        h: y_of(b - mdc) - y_of(b + mdc),
        fill: colour.lighter(BAND_K),
    });
    let step = nice_step(hi - lo, 4.0);
    for v in ticks(lo, hi, step) {
        let y = y_of(v);
        fig.prims.push(Prim::Line {
            points: vec![(left, y), (right, y)],
            colour: GRID,
            width: 0.4,
            dash: None,
        });
        let label = if signed && v > 0.0 { format!("+{}", tick_label(v, step)) } else { tick_label(v, step) };
        fig.prims.push(text(left - 3.0, y + 2.3, 6.3, Anchor::End, GREY, Weight::Regular, label));
    }
    fig.prims.push(Prim::Line {
        points: vec![(left, y_of(b)), (right, y_of(b))],
        colour: colour.lighter(0.35),
        width: 0.6,
        dash: Some(1.2),
    });
    fig.prims.push(Prim::Line { points: frame, colour: Rgb(170, 170, 170), width: 0.5, dash: None });
    fig.prims.push(Prim::Line {
        points: vec![(xb, y_of(b)), (xa, y_of(a))],
        colour: GREY,
        width: 1.0,
        dash: None,
    });
    fig.prims.push(Prim::Dot { x: xb, y: y_of(b), r: 3.4, fill: Rgb(255, 255, 255), outline: colour });
    let later = verdict_colour(verdict, colour);
    fig.prims.push(Prim::Dot { x: xa, y: y_of(a), r: 3.4, fill: later, outline: later });
    // Each value's label on the side of its dot away from the line between them.
    let fmt = |v: f64| if signed { format!("{v:+.1}°") } else { format!("{v:.1}°") };
    let (below, above) = (|y: f32| y + 11.0, |y: f32| y - 6.0);
    let (yb, ya) = if a >= b { (below(y_of(b)), above(y_of(a))) } else { (above(y_of(b)), below(y_of(a))) };
    fig.prims.push(text(xb, yb, 7.0, Anchor::Middle, INK, Weight::Bold, fmt(b)));
    fig.prims.push(text(xa, ya, 7.0, Anchor::Middle, INK, Weight::Bold, fmt(a)));
    for (x, label) in [(xb, ends.phases.0), (xa, ends.phases.1)] {
        fig.prims.push(text(x, bottom + 9.0, 7.0, Anchor::Middle, INK, Weight::Regular, label.into()));
    }
    // The dates: once when both are of one session, else each under its own dot.
    let dates: Vec<(f32, &str)> = if before_date == after_date {
        vec![((xb + xa) / 2.0, before_date)]
    } else {
        vec![(xb, before_date), (xa, after_date)]
    };
    for (x, date) in dates {
        fig.prims.push(text(x, bottom + 17.0, 5.8, Anchor::Middle, GREY, Weight::Regular, date.into()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::compare::side_change;

    use crate::store::compare::test_endpoint as ep;

    #[test]
    fn the_chart_draws_the_band_around_the_before_value() {
        let c = side_change(
            crate::measure::leg::Side::Left,
            ep(1, "before", -9.6, 58.7),
            ep(2, "after", -1.5, 68.8),
        );
        let fig = before_after_chart(&c, 228.0, 132.0);
        let dots: Vec<_> = fig.prims.iter().filter(|p| matches!(p, Prim::Dot { .. })).collect();
        assert_eq!(dots.len(), 4, "before and after, hip and knee");
        let texts: Vec<&str> = fig
            .prims
            .iter()
            .filter_map(|p| match p {
                Prim::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        for t in ["-9.6°", "-1.5°", "58.7°", "68.8°", "before", "after", "2026-11-20"] {
            assert!(texts.contains(&t), "{t} in {texts:?}");
        }
        // Two after-treatment states are named so, never "before".
        let later = side_change(
            crate::measure::leg::Side::Left,
            ep(2, "after", -1.5, 68.8),
            ep(5, "after", -8.5, 60.0),
        );
        let texts_of = |fig: &Figure| -> Vec<String> {
            fig.prims
                .iter()
                .filter_map(|p| match p {
                    Prim::Text { text, .. } => Some(text.clone()),
                    _ => None,
                })
                .collect()
        };
        let words = texts_of(&before_after_chart(&later, 228.0, 132.0));
        assert!(!words.iter().any(|t| t.contains("before")), "{words:?}");
        assert_eq!(words.iter().filter(|t| *t == "after").count(), 4, "{words:?}");
        // The hip band spans before ± MDC95 around the before dot; the after dot lies outside it.
        let (band_top, band_h) = fig
            .prims
            .iter()
            .find_map(|p| match p {
                Prim::Rect { y, h, w, .. } if *w > 50.0 => Some((*y, *h)),
                _ => None,
            })
            .expect("a band");
        let ys: Vec<f32> = dots
            .iter()
            .map(|p| match p {
                Prim::Dot { y, .. } => *y,
                _ => unreachable!(),
            })
            .collect();
        let inside = |y: f32| y >= band_top && y <= band_top + band_h;
        assert!((ys[0] - (band_top + band_h / 2.0)).abs() < 0.01, "before dot in the band's middle");
        assert!(!inside(ys[1]), "after dot {} outside the band {band_top}+{band_h}", ys[1]);
    }
}
