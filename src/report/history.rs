//! The history report: every stored assessment of a client over time, per side, as a table
//! and as a chart of the angles over the sessions. The figures are the stored ones.

use std::fmt::Write;

use anyhow::Result;

use super::chart::{
    legend_label, nice_step, plot_frame, reference_line, tick_label, ticks, y_grid_line, Anchor, Figure,
    Prim, Rgb, GREY, GRID, INK,
};
use super::comparison::method_footer;
use super::content::{short_citation, Header};
use super::fonts::{self, Weight};
use super::html::{self, escape};
use super::pdf::{self, Layout, MARGIN_X, RED, WIDTH};
use crate::assess::Criteria;
use crate::store::records::StoredAssessment;
use crate::store::Store;

/// Side colours (Okabe–Ito blue and vermillion: apart for colour-blind readers, and apart from
/// the hip/knee colours of the other charts).
pub const LEFT: Rgb = Rgb(0, 114, 178);
pub const RIGHT: Rgb = Rgb(213, 94, 0);

fn side_colour(side: &str) -> Rgb {
    if side == "right" {
        RIGHT
    } else {
        LEFT
    }
}

#[derive(Debug, Clone)]
pub struct HistoryReport {
    pub header: Header,
    /// Oldest first.
    pub rows: Vec<StoredAssessment>,
    /// The thresholds and norms of the latest measured assessment, for the chart's lines.
    pub criteria: Option<Criteria>,
}

impl HistoryReport {
    pub fn from_store(store: &Store, header: Header, client: &str) -> Result<Self> {
        let rows = store.history(client)?;
        let criteria = match rows.iter().rev().find(|a| a.hip_extension_deg.is_some()) {
            Some(a) => Some(store.assessment(a.id)?.1.criteria),
            None => None,
        };
        Ok(HistoryReport { header, rows, criteria })
    }

    fn sessions(&self) -> Vec<&str> {
        let mut d: Vec<&str> = self.rows.iter().map(|a| a.session_date.as_str()).collect();
        d.sort();
        d.dedup();
        d
    }

    fn side_rows(&self, side: &str) -> Vec<&StoredAssessment> {
        self.rows.iter().filter(|a| a.side.name() == side).collect()
    }
}

pub mod wording {
    use super::HistoryReport;
    use crate::store::records::StoredAssessment;

    pub const TITLE: &str = "Modified Thomas test: history";
    pub const TABLE_HEAD: [&str; 6] =
        ["Id", "Session", "Phase", "Hip extension (± uncertainty)", "Knee flexion", "Video"];

    pub fn header_fields(r: &HistoryReport) -> Vec<(&'static str, String)> {
        let h = &r.header;
        let or_none = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty()).unwrap_or("—".into());
        let sessions = r.sessions();
        let period = match (sessions.first(), sessions.last()) {
            (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
            (Some(a), _) => a.to_string(),
            _ => "—".into(),
        };
        let withheld = r.rows.iter().filter(|a| a.hip_extension_deg.is_none()).count();
        vec![
            ("Client", or_none(&h.client)),
            ("Therapist", or_none(&h.therapist)),
            ("Report made", h.created.clone()),
            ("Sessions", sessions.len().to_string()),
            ("Assessments", format!("{} ({withheld} withheld)", r.rows.len())),
            ("Period", period),
        ]
    }

    pub fn hip(a: &StoredAssessment) -> String {
        crate::report::content::wording::angle_figure(a.hip_extension_deg, a.uncertainty_deg, true)
    }

    pub fn knee(a: &StoredAssessment) -> String {
        match a.knee_flexion_deg {
            Some(k) => format!("{k:.1}°"),
            None if a.hip_extension_deg.is_none() => "withheld".into(),
            None => "—".into(),
        }
    }

    pub fn video(a: &StoredAssessment) -> String {
        std::path::Path::new(&a.video_path)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| a.video_path.clone())
    }

    pub fn cells(a: &StoredAssessment) -> [String; 6] {
        [a.id.to_string(), a.session_date.clone(), a.phase.to_string(), hip(a), knee(a), video(a)]
    }

    pub fn side_heading(side: &str, n: usize) -> String {
        let leg = if side == "right" { "Right leg" } else { "Left leg" };
        format!("{leg}: {n} assessment{}", if n == 1 { "" } else { "s" })
    }

    pub fn method(r: &HistoryReport) -> Vec<String> {
        let mut out = vec![
            "Every figure is the one stored with its assessment (the median over the final hold); nothing was measured again for this report. Hip extension: the test thigh against the table's horizontal, positive when the knee is below it. Knee flexion: 0° = straight knee. Withheld results are listed but not plotted.".to_string(),
        ];
        if let Some(c) = &r.criteria {
            out.push(format!(
                "Chart lines (from the latest measured assessment's settings): dashed, the limit below which the reading is shortening (hip {:+.0}°, {}; knee {:.0}°, {}); dotted, the normative mean (hip {:+.1}°, knee {:.1}°, {}).",
                c.hip_extension_threshold_deg,
                super::short_citation(&c.hip_source),
                c.knee_flexion_threshold_deg,
                super::short_citation(&c.knee_source),
                c.hip_extension_norm_deg,
                c.knee_flexion_norm_deg,
                super::short_citation(&c.norm_source)
            ));
        }
        out.push(
            "Whether a change between two assessments is larger than romcam's minimal detectable change is shown by romcam report --compare."
                .to_string(),
        );
        out
    }
}

/// Where each assessment sits on the chart's x axis, as a fraction of the plot's width: one slot
/// per session date, before treatment left of after within a session.
fn x_positions(rows: &[StoredAssessment], sessions: &[&str]) -> Vec<f32> {
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
            (norm, format!("{} mean", short_citation(&c.norm_source)), false),
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
    let (left, right) = (30.0f32, 92.0f32);
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
            let value = if s.signed { format!("{v:+.1}") } else { format!("{v:.1}") };
            let text = format!("{label} {value}");
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

// ---------------------------------------------------------------------------------------------
// PDF

const COLS: [f32; 6] = [30.0, 70.0, 50.0, 130.0, 80.0, WIDTH - 360.0];

pub fn pdf(r: &HistoryReport) -> Result<Vec<u8>> {
    let mut l = Layout::new();
    pdf::page_header(&mut l, wording::TITLE, r.header.clinic.as_deref(), &wording::header_fields(r));
    if r.rows.is_empty() {
        l.text(
            MARGIN_X,
            l.y + 10.0,
            9.0,
            Weight::Regular,
            GREY,
            Anchor::Start,
            "No assessments are stored for this client.",
        );
        l.y += 20.0;
    } else {
        let fig = history_chart(r, WIDTH);
        l.need(fig.height);
        let top = l.y;
        l.figure(&fig, MARGIN_X, top);
        l.y = top + fig.height + 6.0;
    }
    for side in ["left", "right"] {
        let rows = r.side_rows(side);
        if rows.is_empty() {
            continue;
        }
        l.need(48.0);
        l.rule(l.y);
        l.text(
            MARGIN_X,
            l.y + 13.0,
            10.5,
            Weight::Bold,
            side_colour(side),
            Anchor::Start,
            &wording::side_heading(side, rows.len()),
        );
        l.y += 20.0;
        let mut x = MARGIN_X;
        for (head, w) in wording::TABLE_HEAD.iter().zip(COLS) {
            l.text(x, l.y + 7.0, 7.0, Weight::Bold, GREY, Anchor::Start, head);
            x += w;
        }
        l.y += 10.0;
        l.rule(l.y);
        l.y += 1.0;
        for a in rows {
            l.need(13.0);
            let mut x = MARGIN_X;
            let withheld = a.hip_extension_deg.is_none();
            for (i, (cell, w)) in wording::cells(a).iter().zip(COLS).enumerate() {
                let colour = if withheld && (i == 3 || i == 4) { RED } else { INK };
                let weight = if i == 3 || i == 4 { Weight::Bold } else { Weight::Regular };
                let cell = pdf::fit(cell, 8.3, weight, w - 6.0);
                l.text(x, l.y + 9.5, 8.3, weight, colour, Anchor::Start, &cell);
                x += w;
            }
            l.y += 13.0;
        }
        l.y += 6.0;
    }
    method_footer(&mut l, &wording::method(r));
    pdf::render(&l, wording::TITLE, &r.header)
}

// ---------------------------------------------------------------------------------------------
// HTML

const HTML_STYLE: &str = r#"
.fields div { white-space: normal; }
h2.left { color: #0072b2; } h2.right { color: #d55e00; }
table.hist td { font-weight: normal; }
table.hist td:nth-child(4), table.hist td:nth-child(5) { font-weight: bold; }
"#;

pub fn html(r: &HistoryReport) -> Result<Vec<u8>> {
    let mut h = String::new();
    html::page_header(&mut h, wording::TITLE, r.header.clinic.as_deref(), &wording::header_fields(r));
    if r.rows.is_empty() {
        h.push_str("<p class=\"ok\">No assessments are stored for this client.</p>\n");
    } else {
        h.push_str(&html::svg_labelled(
            &history_chart(r, WIDTH),
            "Hip extension and knee flexion over the sessions, per side",
        ));
    }
    for side in ["left", "right"] {
        let rows = r.side_rows(side);
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(h, "<h2 class=\"{side}\">{}</h2>", escape(&wording::side_heading(side, rows.len())));
        h.push_str("<table class=\"hist\">\n<thead><tr>");
        for head in wording::TABLE_HEAD {
            let _ = write!(h, "<th>{}</th>", escape(head));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for a in rows {
            h.push_str("<tr>");
            let withheld = a.hip_extension_deg.is_none();
            for (i, c) in wording::cells(a).iter().enumerate() {
                let class = if withheld && (i == 3 || i == 4) { " class=\"withheld\"" } else { "" };
                let _ = write!(h, "<td{class}>{}</td>", escape(c));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("<footer class=\"method\"><h3>Method</h3>\n");
    for m in wording::method(r) {
        let _ = writeln!(h, "<p>{}</p>", escape(&m));
    }
    h.push_str("</footer>\n</section>\n");
    Ok(html::document(wording::TITLE, &r.header, HTML_STYLE, &h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, date: &str, side: &str, phase: &str, hip: Option<f64>) -> StoredAssessment {
        StoredAssessment {
            id,
            client: "C1".into(),
            session_date: date.into(),
            side: crate::measure::leg::Side::from_name(side).expect("a side"),
            phase: crate::store::records::Phase::from_name(phase).expect("a phase"),
            hip_extension_deg: hip,
            knee_flexion_deg: hip.map(|h| 60.0 + h),
            uncertainty_deg: hip.map(|_| 0.8),
            created_at: format!("{date}T10:00:0{id}Z"),
            video_path: format!("/clips/{id}.mp4"),
            video_sha256: "0".repeat(64),
            model: "m".into(),
            romcam_version: "0.1.0".into(),
        }
    }

    #[test]
    fn sessions_get_slots_and_before_comes_first() {
        let rows = vec![
            row(1, "2026-01-01", "left", "before", Some(-9.0)),
            row(2, "2026-01-01", "left", "after", Some(-2.0)),
            row(3, "2026-02-01", "left", "none", None),
        ];
        let xs = x_positions(&rows, &["2026-01-01", "2026-02-01"]);
        assert!(xs[0] < xs[1] && xs[1] < 0.5 && xs[2] > 0.5, "{xs:?}");
    }

    #[test]
    fn the_table_says_withheld_and_the_chart_skips_it() {
        let r = HistoryReport {
            header: Header::default(),
            rows: vec![
                row(1, "2026-01-01", "left", "before", Some(-9.0)),
                row(2, "2026-01-01", "left", "after", None),
                row(3, "2026-01-08", "right", "none", Some(1.5)),
            ],
            criteria: Some(Criteria::default()),
        };
        assert_eq!(wording::cells(&r.rows[1])[3], "withheld");
        assert_eq!(wording::cells(&r.rows[0])[3], "-9.0° ± 0.8°");
        assert_eq!(wording::cells(&r.rows[0])[5], "1.mp4");
        let fig = history_chart(&r, 500.0);
        let dots = fig.prims.iter().filter(|p| matches!(p, Prim::Dot { .. })).count();
        // two measured assessments in two panels, plus the four legend markers
        assert_eq!(dots, 2 * 2 + 4);
        let html = String::from_utf8(html(&r).unwrap()).unwrap();
        assert!(html.contains("Left leg: 2 assessments") && html.contains("Right leg: 1 assessment<"));
    }
}
