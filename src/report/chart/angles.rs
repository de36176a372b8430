//! The chart of hip extension and knee flexion over the clip: one panel each, the hold shaded,
//! the key frame marked, the threshold and the normative mean as lines.

use super::{
    label_room, legend_label, nice_step, plot_frame, reference_label, reference_line, tick_label, ticks,
    y_grid_line, Anchor, Figure, Prim, Rgb, GREY, HIP, HOLD_FILL, INK, KNEE,
};
use crate::assess::Assessment;
use crate::measure::AngleSample;
use crate::report::content::short_citation;
use crate::report::fonts::Weight;

/// "80", "11.9", "-2.5".
struct Panel {
    title: String,
    colour: Rgb,
    raw: Vec<Option<f64>>,
    smooth: Vec<Option<f64>>,
    /// (value, label, dashed?) reference lines.
    lines: Vec<(f64, String, bool)>,
    /// Whether values carry a sign (hip extension: + = knee below the table horizontal).
    signed: bool,
}

/// Hip extension and knee flexion over time, one panel each, the hold shaded, the key frame
/// marked, and the threshold (dashed) and normative mean (dotted) as lines.
///
/// When the result is withheld the chart still has its degree scale (a chart without one
/// cannot be read), but no norm or threshold line and no hold-centred scale: it shows the
/// movement to explain why the result was withheld, and the page's caption says that these
/// angles are not a measurement.
pub fn angle_chart(a: &Assessment, key_t: Option<f64>, width: f32) -> Figure {
    let withheld = a.withheld_reason.is_some();
    let samples: &[AngleSample] = &a.measurement.samples;
    let c = &a.criteria;
    let hip_cite = short_citation(&c.hip_source);
    let knee_cite = short_citation(&c.knee_source);
    let norm_cite = short_citation(&c.norm_source);
    let panels = [
        Panel {
            title: "Hip extension (°; + = knee below the table horizontal)".into(),
            colour: HIP,
            raw: samples.iter().map(|s| s.hip_extension_deg).collect(),
            smooth: samples.iter().map(|s| s.hip_extension_smoothed_deg).collect(),
            lines: vec![
                (c.hip_extension_threshold_deg, format!("{hip_cite} limit"), true),
                (c.hip_extension_norm_deg, format!("athletes' mean, {norm_cite}"), false),
            ],
            signed: true,
        },
        Panel {
            title: "Knee flexion (°; 0 = straight)".into(),
            colour: KNEE,
            raw: samples.iter().map(|s| s.knee_flexion_deg).collect(),
            smooth: samples.iter().map(|s| s.knee_flexion_smoothed_deg).collect(),
            lines: vec![
                (c.knee_flexion_threshold_deg, format!("{knee_cite} limit"), true),
                (c.knee_flexion_norm_deg, format!("athletes' mean, {norm_cite}"), false),
            ],
            signed: false,
        },
    ];
    let t: Vec<f64> = samples.iter().map(|s| s.t).collect();
    let t_end = a.measurement.clip_duration_s.max(t.last().copied().unwrap_or(0.0)).max(0.1);
    let hold = a.hold.as_ref().map(|h| (h.start_s, h.end_s));
    let focus = hold.filter(|_| !withheld);

    let mut fig = Figure { width, ..Figure::default() };
    let labels: Vec<String> = panels
        .iter()
        .flat_map(|p| p.lines.iter().map(|(v, name, _)| reference_label(name, *v, p.signed)))
        .collect();
    let (left, right) = (30.0f32, label_room(&labels, 86.0));
    let plot_w = width - left - right;
    let panel_h = 74.0f32;
    let title_h = 13.0f32;
    let axis_h = 22.0f32;
    let x_of = |s: f64| left + (s / t_end) as f32 * plot_w;
    let mut top = 0.0f32;
    let x_step = nice_step(t_end, 8.0);
    for (n, panel) in panels.iter().enumerate() {
        fig.prims.push(Prim::Rect { x: left, y: top + 3.0, w: 9.0, h: 3.0, fill: panel.colour });
        fig.prims.push(Prim::Text {
            x: left + 13.0,
            y: top + 8.0,
            em: 8.0,
            anchor: Anchor::Start,
            colour: INK,
            weight: Weight::Bold,
            text: panel.title.clone(),
        });
        if n == 0 {
            legend(&mut fig, width, top + 8.0, !withheld);
        }
        let py = top + title_h;
        // The scale covers the hold (and the norm and limit): that is what the result is read
        // from. Earlier values (the leg still being lowered) may run off the scale.
        let in_scope = |i: usize| focus.is_none_or(|(h0, h1)| t[i] >= h0 && t[i] <= h1);
        let lines: &[(f64, String, bool)] = if withheld { &[] } else { &panel.lines };
        let values: Vec<f64> = (0..t.len())
            .filter(|&i| in_scope(i))
            .flat_map(|i| [panel.raw[i], panel.smooth[i]])
            .flatten()
            .collect();
        let mut lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let mut hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for (v, _, _) in lines {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
        if !lo.is_finite() || !hi.is_finite() {
            (lo, hi) = (-10.0, 10.0);
        }
        let pad = if focus.is_some() { ((hi - lo) * 0.3).max(6.0) } else { ((hi - lo) * 0.08).max(2.0) };
        let (lo, hi) = (lo - pad, hi + pad);
        let y_of = |v: f64| py + panel_h - ((v - lo) / (hi - lo)) as f32 * panel_h;
        if let Some((h0, h1)) = hold {
            fig.prims.push(Prim::Rect {
                x: x_of(h0),
                y: py,
                w: x_of(h1) - x_of(h0),
                h: panel_h,
                fill: HOLD_FILL,
            });
            fig.prims.push(Prim::Text {
                x: x_of(h0) + 3.0,
                y: py + 8.5,
                em: 6.5,
                anchor: Anchor::Start,
                colour: GREY,
                weight: Weight::Regular,
                text: "hold".into(),
            });
        }
        let y_step = nice_step(hi - lo, 4.0);
        for v in ticks(lo, hi, y_step) {
            y_grid_line(&mut fig, (left, left + plot_w), y_of(v), tick_label(v, y_step));
        }
        if let Some(kt) = key_t {
            let x = x_of(kt);
            fig.prims.push(Prim::Line {
                points: vec![(x, py), (x, py + panel_h)],
                colour: GREY,
                width: 0.5,
                dash: Some(1.0),
            });
            if n == 0 {
                fig.prims.push(Prim::Text {
                    x,
                    y: py + panel_h - 3.0,
                    em: 6.0,
                    anchor: Anchor::Middle,
                    colour: GREY,
                    weight: Weight::Regular,
                    text: "key frame".into(),
                });
            }
        }
        let mut label_ys: Vec<f32> = Vec::new();
        for (v, label, dashed) in lines {
            let colour = if *dashed { GREY } else { panel.colour };
            let text = reference_label(label, *v, panel.signed);
            reference_line(&mut fig, (left, left + plot_w), y_of(*v), colour, *dashed, text, &mut label_ys);
        }
        for (series, w, colour) in
            [(&panel.raw, 0.6, panel.colour.lighter(0.55)), (&panel.smooth, 1.4, panel.colour)]
        {
            for run in runs(&t, series).iter().flat_map(|r| clip_run(r, lo, hi)) {
                let points = run.iter().map(|&(s, v)| (x_of(s), y_of(v))).collect();
                fig.prims.push(Prim::Line { points, colour, width: w, dash: None });
            }
        }
        plot_frame(&mut fig, left, py, plot_w, panel_h);
        for s in ticks(0.0, t_end, x_step) {
            let x = x_of(s);
            let yb = py + panel_h;
            fig.prims.push(Prim::Line {
                points: vec![(x, yb), (x, yb + 2.5)],
                colour: GREY,
                width: 0.5,
                dash: None,
            });
            fig.prims.push(Prim::Text {
                x,
                y: yb + 10.0,
                em: 6.5,
                anchor: Anchor::Middle,
                colour: GREY,
                weight: Weight::Regular,
                text: tick_label(s, x_step),
            });
        }
        top = py + panel_h + axis_h;
    }
    fig.prims.push(Prim::Text {
        x: left + plot_w,
        y: top - 5.0,
        em: 6.5,
        anchor: Anchor::End,
        colour: GREY,
        weight: Weight::Regular,
        text: "time in the clip (s)".into(),
    });
    fig.height = top;
    fig
}

fn legend(fig: &mut Figure, width: f32, baseline: f32, with_limit: bool) {
    let items: [(&str, Rgb, f32, Option<f32>); 3] = [
        ("smoothed", GREY, 1.4, None),
        ("per frame", GREY.lighter(0.5), 0.6, None),
        ("limit", GREY, 0.8, Some(3.0)),
    ];
    let mut x = width;
    let shown = if with_limit { &items[..] } else { &items[..2] };
    for (label, colour, w, dash) in shown.iter().rev() {
        x = legend_label(fig, x, baseline, label) - 16.0;
        fig.prims.push(Prim::Line {
            points: vec![(x, baseline - 2.3), (x + 13.0, baseline - 2.3)],
            colour: *colour,
            width: *w,
            dash: *dash,
        });
        x -= 8.0;
    }
}

/// The series as runs of consecutive frames with a value.
fn runs(t: &[f64], v: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for (s, x) in t.iter().zip(v) {
        match x {
            Some(x) => cur.push((*s, *x)),
            None if !cur.is_empty() => out.push(std::mem::take(&mut cur)),
            None => {}
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.retain(|r| r.len() > 1);
    out
}

/// The parts of a polyline within lo ≤ value ≤ hi, cut exactly where it crosses the bounds.
fn clip_run(run: &[(f64, f64)], lo: f64, hi: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    let mut flush = |cur: &mut Vec<(f64, f64)>| {
        if cur.len() > 1 {
            out.push(std::mem::take(cur));
        }
        cur.clear();
    };
    for w in run.windows(2) {
        let ((t0, v0), (t1, v1)) = (w[0], w[1]);
        let dv = v1 - v0;
        let (mut s0, mut s1) = (0.0f64, 1.0f64);
        if dv.abs() < 1e-12 {
            if v0 < lo || v0 > hi {
                flush(&mut cur);
                continue;
            }
        } else {
            let (a, b) = ((lo - v0) / dv, (hi - v0) / dv);
            s0 = s0.max(a.min(b));
            s1 = s1.min(a.max(b));
            if s0 > s1 {
                flush(&mut cur);
                continue;
            }
        }
        let p0 = (t0 + s0 * (t1 - t0), v0 + s0 * dv);
        let p1 = (t0 + s1 * (t1 - t0), v0 + s1 * dv);
        if cur.last() != Some(&p0) {
            flush(&mut cur);
            cur.push(p0);
        }
        cur.push(p1);
        if s1 < 1.0 {
            flush(&mut cur);
        }
    }
    flush(&mut cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_split_the_series() {
        let t = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5];
        let v = [Some(1.0), Some(2.0), None, Some(3.0), Some(4.0), Some(5.0)];
        let r = runs(&t, &v);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].len(), 3);
    }

    #[test]
    fn lines_are_cut_at_the_scale() {
        let run = [(0.0, -100.0), (1.0, -50.0), (2.0, 0.0), (3.0, 2.0), (4.0, 30.0), (5.0, 1.0)];
        let parts = clip_run(&run, -10.0, 10.0);
        assert_eq!(parts.len(), 2, "{parts:?}");
        let first = parts[0][0];
        assert!((first.0 - 1.8).abs() < 1e-9 && (first.1 + 10.0).abs() < 1e-9, "{first:?}");
        assert!(parts.iter().flatten().all(|&(_, v)| (-10.0..=10.0).contains(&v)));
        assert!((parts[1][0].1 - 10.0).abs() < 1e-9 && parts[1].last() == Some(&(5.0, 1.0)));
    }
}
