//! The history chart: hip extension and knee flexion over the sessions, one line per side, the
//! shortening limit and the normative mean as lines.

use super::{
    label_room, legend_label, nice_step, plot_frame, reference_label, reference_line, tick_label, ticks,
    y_grid_line, Anchor, Figure, Prim, Rgb, GREY, GRID, INK,
};
use crate::report::content::short_citation;
use crate::report::fonts::{self, Weight};
use crate::report::history::HistoryReport;
use crate::store::records::StoredAssessment;

/// Side colours (Okabe–Ito blue and vermillion: apart for colour-blind readers, and apart from
/// the hip/knee colours of the other charts).
pub const LEFT: Rgb = Rgb(0, 114, 178);
pub const RIGHT: Rgb = Rgb(213, 94, 0);

pub fn side_colour(side: &str) -> Rgb {
    if side == "right" {
        RIGHT
    } else {
        LEFT
    }
}

/// Where each assessment sits on the chart's x axis, as a fraction of the plot's width: one slot
/// per session date, before treatment left of after within a session.
pub(crate) fn x_positions(rows: &[StoredAssessment], sessions: &[&str]) -> Vec<f32> {
    let n = sessions.len().max(1) as f32;
    let mut seen: Vec<(String, String, String)> = Vec::new();
    rows.iter()
        .map(|a| {
            let slot = sessions.iter().position(|d| *d == a.session_date).unwrap_or(0) as f32;
            let within = match a.phase.name() {
                "before" => 0.3,
                "after" => 0.7,
                _ => 0.5,
            };
            let key = (a.side.to_string(), a.session_date.clone(), a.phase.to_string());
            let repeat = seen.iter().filter(|k| **k == key).count() as f32;
            seen.push(key);
            (slot + (within + 0.08 * repeat).min(0.95)) / n
        })
        .collect()
}

struct Series<'a> {
    title: &'a str,
    value: fn(&StoredAssessment) -> Option<f64>,
    signed: bool,
    /// (value, label, dashed?)
    lines: Vec<(f64, String, bool)>,
}

/// Hip extension (and knee flexion) over the sessions, one line per side.
pub fn history_chart(r: &HistoryReport, width: f32) -> Figure {
    let mut fig = Figure { width, ..Figure::default() };
    let sessions = r.sessions();
    let xs = x_positions(&r.rows, &sessions);
    let lines = |hip: bool| -> Vec<(f64, String, bool)> {
        let Some(c) = &r.criteria else { return Vec::new() };
        let (limit, norm) = if hip {
            (c.hip_extension_threshold_deg, c.hip_extension_norm_deg)
        } else {
            (c.knee_flexion_threshold_deg, c.knee_flexion_norm_deg)
        };
        let limit_src = short_citation(if hip { &c.hip_source } else { &c.knee_source });
        vec![
            (limit, format!("{limit_src} limit"), true),
            (norm, format!("athletes' mean, {}", short_citation(&c.norm_source)), false),
        ]
    };
    let series = [
        Series {
            title: "Hip extension over the sessions (°; + = knee below the table horizontal)",
            value: |a| a.hip_extension_deg,
            signed: true,
            lines: lines(true),
        },
        Series {
            title: "Knee flexion over the sessions (°; 0 = straight)",
            value: |a| a.knee_flexion_deg,
            signed: false,
            lines: lines(false),
        },
    ];
    let labels: Vec<String> = series
        .iter()
        .flat_map(|s| s.lines.iter().map(|(v, name, _)| reference_label(name, *v, s.signed)))
        .collect();
    let (left, right) = (30.0f32, label_room(&labels, 92.0));
    let plot_w = width - left - right;
    let panel_h = 96.0f32;
    legend(&mut fig, width, 7.0);
    let mut top = 12.0f32;
    for s in &series {
        fig.prims.push(Prim::Text {
            x: left,
            y: top + 8.0,
            em: 8.0,
            anchor: Anchor::Start,
            colour: INK,
            weight: Weight::Bold,
            text: s.title.into(),
        });
        let py = top + 14.0;
        let values: Vec<f64> = r.rows.iter().filter_map(s.value).collect();
        let mut lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let mut hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for (v, _, _) in &s.lines {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
        if !lo.is_finite() || !hi.is_finite() {
            (lo, hi) = (-10.0, 10.0);
        }
        let pad = ((hi - lo) * 0.12).max(2.0);
        let (lo, hi) = (lo - pad, hi + pad);
        let y_of = |v: f64| py + panel_h - ((v - lo) / (hi - lo)) as f32 * panel_h;
        let x_of = |f: f32| left + f * plot_w;
        let step = nice_step(hi - lo, 4.0);
        for v in ticks(lo, hi, step) {
            let label =
                if s.signed && v > 0.0 { format!("+{}", tick_label(v, step)) } else { tick_label(v, step) };
            y_grid_line(&mut fig, (left, left + plot_w), y_of(v), label);
        }
        // Session slots: a faint divider between sessions.
        let ns = sessions.len().max(1);
        for i in 1..ns {
            let x = x_of(i as f32 / ns as f32);
            fig.prims.push(Prim::Line {
                points: vec![(x, py), (x, py + panel_h)],
                colour: GRID,
                width: 0.6,
                dash: None,
            });
        }
        let mut label_ys: Vec<f32> = Vec::new();
        for (v, label, dashed) in &s.lines {
            let text = reference_label(label, *v, s.signed);
            reference_line(&mut fig, (left, left + plot_w), y_of(*v), GREY, *dashed, text, &mut label_ys);
        }
        for side in ["left", "right"] {
            let colour = side_colour(side);
            let points: Vec<(f32, f32, &StoredAssessment)> = r
                .rows
                .iter()
                .zip(&xs)
                .filter(|(a, _)| a.side.name() == side)
                .filter_map(|(a, x)| (s.value)(a).map(|v| (x_of(*x), y_of(v), a)))
                .collect();
            if points.len() > 1 {
                fig.prims.push(Prim::Line {
                    points: points.iter().map(|(x, y, _)| (*x, *y)).collect(),
                    colour,
                    width: 1.2,
                    dash: None,
                });
            }
            for (x, y, a) in &points {
                let fill = if a.phase.name() == "before" { Rgb(255, 255, 255) } else { colour };
                fig.prims.push(Prim::Dot { x: *x, y: *y, r: 3.0, fill, outline: colour });
            }
        }
        plot_frame(&mut fig, left, py, plot_w, panel_h);
        // Session dates under the slots, thinned out when they would collide.
        let label_w = fonts::text_width("2026-11-20", 6.3, Weight::Regular) + 6.0;
        let every = ((label_w * ns as f32 / plot_w).ceil() as usize).max(1);
        for (i, d) in sessions.iter().enumerate().filter(|(i, _)| i % every == 0) {
            fig.prims.push(Prim::Text {
                x: x_of((i as f32 + 0.5) / ns as f32),
                y: py + panel_h + 9.0,
                em: 6.3,
                anchor: Anchor::Middle,
                colour: GREY,
                weight: Weight::Regular,
                text: d.to_string(),
            });
        }
        top = py + panel_h + 20.0;
    }
    fig.height = top;
    fig
}

fn legend(fig: &mut Figure, width: f32, baseline: f32) {
    let items: [(&str, Rgb, bool); 4] = [
        ("left", LEFT, false),
        ("right", RIGHT, false),
        ("before treatment", GREY, true),
        ("after / no phase", GREY, false),
    ];
    let mut x = width;
    for (label, colour, hollow) in items.iter().rev() {
        x = legend_label(fig, x, baseline, label) - 8.0;
        let fill = if *hollow { Rgb(255, 255, 255) } else { *colour };
        fig.prims.push(Prim::Dot { x, y: baseline - 2.3, r: 2.6, fill, outline: *colour });
        x -= 12.0;
    }
}
