//! The before/after comparison report: one page per comparison, made from the client store.
//!
//! It shows what `Store::compare` decided (the change per side, the MDC95 it was judged
//! against, real or not, the verdict sentence) beside the stored figures and key frames of the
//! two assessments compared. Nothing is measured or judged again here.

use std::fmt::Write;

use anyhow::Result;
use base64::Engine;

use super::chart::{nice_step, tick_label, ticks, Anchor, Figure, Prim, Rgb, GREY, GRID, HIP, INK, KNEE};
use super::content::Header;
use super::fonts::Weight;
use super::html::{self, escape};
use super::keyframe::{self, KeyFrame};
use super::pdf::{self, paragraph_height, Item, Layout, AMBER, MARGIN_X, WIDTH};
use crate::store::compare::{Comparison, Selection, SideChange};
use crate::store::records::StoredAssessment;
use crate::store::Store;

/// The widest a side-by-side key frame is kept, in pixels (about 190 dpi at its printed size).
const THUMB_PX: u32 = 700;

/// One of the two assessments compared, as stored.
#[derive(Debug, Clone)]
pub struct EndpointView {
    pub stored: StoredAssessment,
    pub key_frame: Option<KeyFrame>,
}

/// A side that was compared.
#[derive(Debug, Clone)]
pub struct SideView {
    pub change: SideChange,
    pub before: EndpointView,
    pub after: EndpointView,
    /// Withheld assessments of this side in the sessions compared (not compared).
    pub withheld: Vec<StoredAssessment>,
}

/// Per leg: the comparison, or why there is none.
#[derive(Debug, Clone)]
pub enum SideSection {
    Compared(Box<SideView>),
    Missing { side: String, reason: String },
}

#[derive(Debug, Clone)]
pub struct ComparisonReport {
    pub header: Header,
    pub selection: Selection,
    pub comparison: Comparison,
    /// Left, then right.
    pub sides: Vec<SideSection>,
}

fn endpoint(store: &Store, all: &[StoredAssessment], id: i64) -> Result<EndpointView> {
    let stored = match all.iter().find(|a| a.id == id) {
        Some(a) => a.clone(),
        None => store.assessment(id)?.0,
    };
    let key_frame = store.key_frame(id)?.and_then(|png| keyframe::from_stored_png(&png, Some(THUMB_PX)));
    Ok(EndpointView { stored, key_frame })
}

impl ComparisonReport {
    /// Gathers a comparison and what it compares from the store.
    pub fn from_store(store: &Store, header: Header, client: &str, selection: &Selection) -> Result<Self> {
        let comparison = store.compare(client, selection)?;
        let all = store.history(client)?;
        let mut sides = Vec::new();
        for side in ["left", "right"] {
            let of_side: Vec<&StoredAssessment> = all.iter().filter(|a| a.side.name() == side).collect();
            let withheld_of_side: Vec<&StoredAssessment> =
                of_side.iter().copied().filter(|a| a.hip_extension_deg.is_none()).collect();
            match comparison.changes.iter().find(|c| c.side.name() == side) {
                Some(change) => {
                    let dates = [&change.before.session_date, &change.after.session_date];
                    let withheld = withheld_of_side
                        .iter()
                        .filter(|a| dates.contains(&&a.session_date))
                        .map(|a| (*a).clone())
                        .collect();
                    sides.push(SideSection::Compared(Box::new(SideView {
                        change: change.clone(),
                        before: endpoint(store, &all, change.before.id)?,
                        after: endpoint(store, &all, change.after.id)?,
                        withheld,
                    })));
                }
                None => {
                    let ids: Vec<i64> = withheld_of_side.iter().map(|a| a.id).collect();
                    sides.push(SideSection::Missing {
                        side: side.to_string(),
                        reason: wording::missing_reason(side, of_side.len(), &ids),
                    });
                }
            }
        }
        Ok(ComparisonReport { header, selection: selection.clone(), comparison, sides })
    }

    fn compared(&self) -> impl Iterator<Item = &SideView> {
        self.sides.iter().filter_map(|s| match s {
            SideSection::Compared(v) => Some(v.as_ref()),
            SideSection::Missing { .. } => None,
        })
    }
}

/// The wording shared by the PDF and the HTML.
pub mod wording {
    use super::{ComparisonReport, EndpointView, SideView};
    use crate::store::compare::{Selection, SideChange};

    pub const TITLE: &str = "Modified Thomas test: before/after comparison";

    pub fn capitalised(s: &str) -> String {
        let mut c = s.chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    }

    pub fn selection(s: &Selection) -> String {
        match s {
            Selection::Latest => "latest before/after".into(),
            Selection::Session(d) => format!("before/after on {d}"),
            Selection::Sessions(a, b) => format!("session {a} vs {b}"),
            Selection::Assessments(a, b) => format!("assessments {a} and {b}"),
        }
    }

    pub fn header_fields(r: &ComparisonReport) -> Vec<(&'static str, String)> {
        let h = &r.header;
        let or_none = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty()).unwrap_or("—".into());
        let sides: Vec<&str> = r.compared().map(|s| s.change.side.name()).collect();
        let mut dates: Vec<&str> = r
            .compared()
            .flat_map(|s| [s.before.stored.session_date.as_str(), s.after.stored.session_date.as_str()])
            .collect();
        dates.sort();
        dates.dedup();
        vec![
            ("Client", or_none(&h.client)),
            ("Therapist", or_none(&h.therapist)),
            ("Report made", h.created.clone()),
            ("Compared", selection(&r.selection)),
            ("Legs", if sides.is_empty() { "—".into() } else { sides.join(" and ") }),
            ("Sessions", dates.join(", ")),
        ]
    }

    /// "assessment 1, 2026-11-20, before treatment"
    pub fn endpoint(e: &EndpointView) -> String {
        let phase = match e.stored.phase.name() {
            "before" => "before treatment",
            "after" => "after treatment",
            _ => "no phase",
        };
        format!("assessment {}, {}, {phase}", e.stored.id, e.stored.session_date)
    }

    pub fn side_title(s: &SideView) -> String {
        format!("{} leg", capitalised(s.change.side.name()))
    }

    pub fn side_subtitle(s: &SideView) -> String {
        format!("before: {}  →  after: {}", endpoint(&s.before), endpoint(&s.after))
    }

    pub fn deg_signed(v: f64) -> String {
        format!("{v:+.1}°")
    }

    pub fn deg(v: f64) -> String {
        format!("{v:.1}°")
    }

    /// One row of the numbers table: measure, before, after, change (with its direction in
    /// words), MDC95, real or not.
    pub struct Row {
        pub measure: &'static str,
        pub before: String,
        pub after: String,
        pub change: String,
        pub direction: Option<String>,
        pub mdc: String,
        pub real: Option<bool>,
    }

    pub fn real_word(real: Option<bool>) -> (&'static str, &'static str) {
        match real {
            Some(true) => ("real", "beyond MDC95"),
            Some(false) => ("not real", "within MDC95"),
            None => ("—", ""),
        }
    }

    pub const TABLE_HEAD: [&str; 6] = ["", "Before", "After", "Change", "MDC95", "Verdict"];

    pub fn rows(c: &SideChange) -> Vec<Row> {
        let na = || "n/a".to_string();
        let dir = |v: f64, more: &str, less: &str| {
            if v > 0.0 {
                Some(more.to_string())
            } else if v < 0.0 {
                Some(less.to_string())
            } else {
                None
            }
        };
        vec![
            Row {
                measure: "Hip extension",
                before: deg_signed(c.before.hip_extension_deg),
                after: deg_signed(c.after.hip_extension_deg),
                change: deg_signed(c.hip_extension_change_deg),
                direction: dir(c.hip_extension_change_deg, "more extension", "less extension"),
                mdc: deg(c.mdc95_deg),
                real: Some(c.real),
            },
            Row {
                measure: "Knee flexion",
                before: c.before.knee_flexion_deg.map(deg).unwrap_or_else(na),
                after: c.after.knee_flexion_deg.map(deg).unwrap_or_else(na),
                change: c.knee_flexion_change_deg.map(deg_signed).unwrap_or_else(na),
                direction: c.knee_flexion_change_deg.and_then(|k| dir(k, "more flexion", "less flexion")),
                mdc: deg(c.knee_mdc95_deg),
                real: c.knee_real,
            },
        ]
    }

    /// The knee's sentence: the verdict assess words for the stored change.
    pub fn knee_verdict(c: &SideChange) -> Option<String> {
        c.knee_verdict()
    }

    pub fn withheld_note(s: &SideView) -> Option<String> {
        if s.withheld.is_empty() {
            return None;
        }
        let list: Vec<String> =
            s.withheld.iter().map(|a| format!("{} ({}, {})", a.id, a.session_date, a.phase)).collect();
        let (noun, verb) = if list.len() == 1 { ("assessment", "was") } else { ("assessments", "were") };
        Some(format!(
            "Withheld {noun} {} of this leg {verb} not compared: the quality gate withheld the result.",
            list.join(", ")
        ))
    }

    pub fn missing_reason(side: &str, assessed: usize, withheld: &[i64]) -> String {
        let leg = format!("{} leg", capitalised(side));
        if assessed == 0 {
            return format!("{leg}: no assessments stored, so nothing to compare.");
        }
        let mut s =
            format!("{leg}: not compared: no before/after pair of measured assessments for this selection.");
        if !withheld.is_empty() {
            let ids: Vec<String> = withheld.iter().map(i64::to_string).collect();
            let (noun, verb) = if ids.len() == 1 { ("Assessment", "was") } else { ("Assessments", "were") };
            s.push_str(&format!(
                " {noun} {} {verb} withheld by the quality gate, and withheld results are never compared.",
                ids.join(", ")
            ));
        }
        s
    }

    pub fn key_frame_caption(label: &str, e: &EndpointView) -> String {
        let what = format!("{label}: {}", endpoint(e));
        match &e.key_frame {
            Some(_) => what,
            None => format!("{what}. No key frame is stored with this assessment."),
        }
    }

    pub fn asymmetry(r: &ComparisonReport) -> Option<String> {
        let a = &r.comparison.asymmetry;
        let after = a.after_left_minus_right_deg?;
        let before =
            a.before_left_minus_right_deg.map(|b| format!("{b:+.1}°")).unwrap_or_else(|| "n/a".into());
        Some(format!(
            "Left/right asymmetry of hip extension (left minus right): before {before}, after {after:+.1}°."
        ))
    }

    pub fn method(r: &ComparisonReport) -> Vec<String> {
        let c = &r.comparison;
        let mut out = vec![
            "Change = after minus before. Hip extension: the test thigh against the table's horizontal, positive when the knee is below it (a positive change: the thigh hangs lower after). Knee flexion: 0° = straight knee (a positive change: more knee bend after).".to_string(),
            format!(
                "Minimal detectable change: {}; SEM used: hip {:.1}°, knee {:.1}°. A change larger than the MDC95 is called real.",
                c.mdc_method, c.sem_hip_deg, c.sem_knee_deg
            ),
            "Every figure is the one stored with its assessment (the median over the final hold); nothing was measured again for this report. Withheld results are never compared.".to_string(),
        ];
        for s in r.compared() {
            let video = |e: &EndpointView| {
                let name = std::path::Path::new(&e.stored.video_path)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_else(|| e.stored.video_path.clone());
                let sha = e.stored.video_sha256.get(..12).unwrap_or(&e.stored.video_sha256);
                format!("assessment {}, {name} (SHA-256 {sha}…)", e.stored.id)
            };
            let both = |f: fn(&EndpointView) -> &str| {
                let (b, a) = (f(&s.before), f(&s.after));
                if b == a {
                    b.to_string()
                } else {
                    format!("{b} (before) / {a} (after)")
                }
            };
            out.push(format!(
                "{}: before = {}; after = {}; romcam {}, {}.",
                capitalised(s.change.side.name()),
                video(&s.before),
                video(&s.after),
                both(|e| &e.stored.romcam_version),
                both(|e| &e.stored.model)
            ));
        }
        out
    }
}

const BAND_K: f32 = 0.78;

/// One side's before/after chart: a panel each for hip extension and knee flexion, with the
/// before value's MDC95 band shaded, so that an after value outside the band stands out.
pub fn before_after_chart(c: &SideChange, width: f32, height: f32) -> Figure {
    let mut fig = Figure { width, height, prims: Vec::new() };
    let legend_h = 12.0;
    let gap = 16.0;
    let pw = (width - gap) / 2.0;
    let dates = (c.before.session_date.as_str(), c.after.session_date.as_str());
    panel(
        &mut fig,
        0.0,
        pw,
        height - legend_h,
        ("Hip extension (°)", HIP),
        (Some(c.before.hip_extension_deg), Some(c.after.hip_extension_deg)),
        c.mdc95_deg,
        dates,
        true,
    );
    panel(
        &mut fig,
        pw + gap,
        pw,
        height - legend_h,
        ("Knee flexion (°)", KNEE),
        (c.before.knee_flexion_deg, c.after.knee_flexion_deg),
        c.knee_mdc95_deg,
        dates,
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
        text: "band: before ± MDC95 (inside = within measurement error)".into(),
    });
    fig
}

#[allow(clippy::too_many_arguments)]
fn panel(
    fig: &mut Figure,
    x0: f32,
    width: f32,
    height: f32,
    (title, colour): (&str, Rgb),
    (before, after): (Option<f64>, Option<f64>),
    mdc: f64,
    (before_date, after_date): (&str, &str),
    signed: bool,
) {
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
    let (xb, xa) = (left + 0.3 * (right - left), left + 0.7 * (right - left));
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
    fig.prims.push(Prim::Dot { x: xa, y: y_of(a), r: 3.4, fill: colour, outline: colour });
    // Each value's label on the side of its dot away from the line between them.
    let fmt = |v: f64| if signed { format!("{v:+.1}°") } else { format!("{v:.1}°") };
    let (below, above) = (|y: f32| y + 11.0, |y: f32| y - 6.0);
    let (yb, ya) = if a >= b { (below(y_of(b)), above(y_of(a))) } else { (above(y_of(b)), below(y_of(a))) };
    fig.prims.push(text(xb, yb, 7.0, Anchor::Middle, INK, Weight::Bold, fmt(b)));
    fig.prims.push(text(xa, ya, 7.0, Anchor::Middle, INK, Weight::Bold, fmt(a)));
    for (x, label) in [(xb, "before"), (xa, "after")] {
        fig.prims.push(text(x, bottom + 9.0, 7.0, Anchor::Middle, INK, Weight::Regular, label.into()));
    }
    // The dates: once when both are of one session, else each towards its own side.
    if before_date == after_date {
        let mid = (xb + xa) / 2.0;
        fig.prims.push(text(
            mid,
            bottom + 17.0,
            5.8,
            Anchor::Middle,
            GREY,
            Weight::Regular,
            before_date.into(),
        ));
    } else {
        fig.prims.push(text(
            left,
            bottom + 17.0,
            5.8,
            Anchor::Start,
            GREY,
            Weight::Regular,
            before_date.into(),
        ));
        fig.prims.push(text(
            right,
            bottom + 17.0,
            5.8,
            Anchor::End,
            GREY,
            Weight::Regular,
            after_date.into(),
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// PDF

/// The comparison as a PDF: one A4 page (content that does not fit flows onto another).
pub fn pdf(r: &ComparisonReport) -> Result<Vec<u8>> {
    let mut l = Layout::new();
    pdf::page_header(&mut l, wording::TITLE, r.header.clinic.as_deref(), &wording::header_fields(r));
    let compared = r.compared().count();
    for (i, s) in r.sides.iter().enumerate() {
        match s {
            SideSection::Compared(v) => lay_out_side(&mut l, v, compared, i > 0),
            SideSection::Missing { reason, .. } => {
                let h = paragraph_height(reason, 8.5, Weight::Regular, WIDTH);
                l.need(h + 6.0);
                l.paragraph(MARGIN_X, l.y, WIDTH, 8.5, Weight::Regular, GREY, reason);
                l.y += h + 6.0;
            }
        }
    }
    if let Some(a) = wording::asymmetry(r) {
        let h = paragraph_height(&a, 9.0, Weight::Bold, WIDTH);
        l.need(h + 8.0);
        l.rule(l.y);
        l.y += 3.0;
        l.paragraph(MARGIN_X, l.y, WIDTH, 9.0, Weight::Bold, INK, &a);
        l.y += h + 6.0;
    }
    method_footer(&mut l, &wording::method(r));
    pdf::render(&l, wording::TITLE, &r.header)
}

/// The method at the foot of the page when there is room.
pub(super) fn method_footer(l: &mut Layout, method: &[String]) {
    let h: f32 =
        14.0 + method.iter().map(|m| paragraph_height(m, 6.5, Weight::Regular, WIDTH) + 1.5).sum::<f32>();
    l.need(h);
    l.y = l.y.max(pdf::BOTTOM - h);
    l.rule(l.y);
    l.text(MARGIN_X, l.y + 11.0, 7.5, Weight::Bold, GREY, Anchor::Start, "Method");
    l.y += 14.0;
    for m in method {
        l.y += l.paragraph(MARGIN_X, l.y, WIDTH, 6.5, Weight::Regular, GREY, m) + 1.5;
    }
}

/// One side's block; `rule` draws a rule above it (not under the page header's own).
fn lay_out_side(l: &mut Layout, s: &SideView, compared: usize, rule: bool) {
    let c = &s.change;
    let chart_w = 228.0;
    let chart_h: f32 = 132.0;
    let right_x = MARGIN_X + chart_w + 18.0;
    let right_w = MARGIN_X + WIDTH - right_x;
    // Numbers table columns (within right_w).
    let widths = [72.0, 36.0, 36.0, 42.0, 34.0, right_w - 220.0];
    let verdicts: Vec<String> = std::iter::once(c.verdict.clone()).chain(wording::knee_verdict(c)).collect();
    let notes: Vec<String> = wording::withheld_note(s).into_iter().collect();
    let table_h = 12.0 + 2.0 * 24.0;
    let text_h: f32 = verdicts
        .iter()
        .enumerate()
        .map(|(i, v)| {
            paragraph_height(v, 8.3, if i == 0 { Weight::Bold } else { Weight::Regular }, right_w) + 4.0
        })
        .sum::<f32>()
        + notes.iter().map(|n| paragraph_height(n, 7.3, Weight::Regular, right_w) + 3.0).sum::<f32>();
    let row_a = chart_h.max(table_h + 6.0 + text_h);
    let thumb_h = if compared > 1 { 90.0 } else { 150.0 };
    let half = (WIDTH - 14.0) / 2.0;
    // Both pictures at one height, so that they compare at a glance.
    let common_h = [&s.before, &s.after]
        .iter()
        .filter_map(|e| e.key_frame.as_ref())
        .map(|k| half * k.height as f32 / k.width as f32)
        .fold(thumb_h, f32::min);
    let size = |e: &EndpointView| -> (f32, f32) {
        match &e.key_frame {
            Some(k) => (common_h * k.width as f32 / k.height as f32, common_h),
            None => (half, 24.0),
        }
    };
    let (bsize, asize) = (size(&s.before), size(&s.after));
    let img_h = bsize.1.max(asize.1);
    let cap_h = [("Before", &s.before), ("After", &s.after)]
        .iter()
        .map(|(label, e)| paragraph_height(&wording::key_frame_caption(label, e), 6.8, Weight::Regular, half))
        .fold(0.0, f32::max);
    let total = 24.0 + row_a + 10.0 + img_h + 3.0 + cap_h + 10.0;
    l.need(total);

    // Heading.
    if rule {
        l.rule(l.y);
    }
    l.text(MARGIN_X, l.y + 14.0, 11.5, Weight::Bold, INK, Anchor::Start, &wording::side_title(s));
    let sub = pdf::fit(&wording::side_subtitle(s), 7.5, Weight::Regular, WIDTH - 80.0);
    l.text(MARGIN_X + WIDTH, l.y + 14.0, 7.5, Weight::Regular, GREY, Anchor::End, &sub);
    l.y += 24.0;

    // Chart, and the numbers and verdicts beside it.
    let top = l.y;
    let fig = before_after_chart(c, chart_w, chart_h);
    l.figure(&fig, MARGIN_X, top);
    let mut x = right_x;
    for (head, w) in wording::TABLE_HEAD.iter().zip(widths) {
        let anchor_x = if head.is_empty() { x } else { x + w - 4.0 };
        let anchor = if head.is_empty() { Anchor::Start } else { Anchor::End };
        l.text(anchor_x, top + 8.0, 7.0, Weight::Bold, GREY, anchor, head);
        x += w;
    }
    l.rule_at(right_x, right_x + right_w, top + 11.0);
    let mut y = top + 12.0;
    for row in wording::rows(c) {
        let (real, real_sub) = wording::real_word(row.real);
        let cells: [(&str, Option<&str>); 6] = [
            (row.measure, None),
            (&row.before, None),
            (&row.after, None),
            (&row.change, row.direction.as_deref()),
            (&row.mdc, None),
            (real, Some(real_sub)),
        ];
        let mut x = right_x;
        for (i, ((main, sub), w)) in cells.iter().zip(widths).enumerate() {
            let (anchor, ax) = if i == 0 { (Anchor::Start, x) } else { (Anchor::End, x + w - 4.0) };
            let colour = match (i, row.real) {
                (5, Some(true)) => HIP_DARK,
                (5, Some(false)) => GREY,
                _ => INK,
            };
            let weight = if i == 0 || i == 3 || i == 5 { Weight::Bold } else { Weight::Regular };
            l.text(ax, y + 11.0, 8.5, weight, colour, anchor, main);
            if let Some(sub) = sub.filter(|s| !s.is_empty()) {
                l.text(ax, y + 19.5, 6.3, Weight::Regular, GREY, anchor, sub);
            }
            x += w;
        }
        y += 24.0;
    }
    l.rule_at(right_x, right_x + right_w, y + 1.0);
    y += 7.0;
    for (i, v) in verdicts.iter().enumerate() {
        let weight = if i == 0 { Weight::Bold } else { Weight::Regular };
        y += l.paragraph(right_x, y, right_w, 8.3, weight, INK, v) + 4.0;
    }
    for n in &notes {
        y += l.paragraph(right_x, y, right_w, 7.3, Weight::Regular, AMBER, n) + 3.0;
    }
    l.y = top + row_a + 10.0;

    // The two key frames side by side.
    let top = l.y;
    for (n, (label, e, (w, h))) in
        [("Before", &s.before, bsize), ("After", &s.after, asize)].into_iter().enumerate()
    {
        let x = MARGIN_X + n as f32 * (half + 14.0);
        match &e.key_frame {
            Some(k) => l.push(Item::Image { x, y: top, w, h, jpeg: k.jpeg.clone() }),
            None => l.prim(Prim::Rect { x, y: top, w, h, fill: Rgb(240, 240, 240) }),
        }
        let cap = wording::key_frame_caption(label, e);
        l.paragraph(x, top + h + 3.0, half, 6.8, Weight::Regular, GREY, &cap);
    }
    l.y = top + img_h + 3.0 + cap_h + 10.0;
}

/// A darker shade of the hip colour, for "real" in text (the plain colour is too light to read).
const HIP_DARK: Rgb = Rgb(0, 110, 80);

// ---------------------------------------------------------------------------------------------
// HTML

const HTML_STYLE: &str = r#"
.fields div { white-space: normal; }
table.cmp td:first-child { white-space: nowrap; }
.side { border-top: 1px solid #bebebe; margin-top: 8pt; padding-top: 4pt; }
.side h2 { display: flex; justify-content: space-between; align-items: baseline; font-size: 11.5pt; margin: 0 0 4pt; }
.side h2 small { font-weight: normal; font-size: 7.5pt; color: #6e6e6e; }
.row { display: flex; gap: 14pt; align-items: flex-start; }
.row > svg { flex: 0 0 44%; }
.row > div { flex: 1; }
table.cmp { margin: 0 0 6pt; }
table.cmp th, table.cmp td { text-align: right; }
table.cmp th:first-child, table.cmp td:first-child { text-align: left; }
table.cmp td { font-weight: normal; }
table.cmp td:first-child, table.cmp td.change, table.cmp td.real { font-weight: bold; }
td.real.yes { color: #006e50; }
td.real.no { color: #6e6e6e; }
p.verdict-hip { font-weight: bold; }
p.note { color: #965a00; font-size: 8pt; }
p.missing { color: #6e6e6e; }
p.asym { font-weight: bold; border-top: 1px solid #bebebe; padding-top: 4pt; }
.frames { display: flex; gap: 10pt; margin-top: 6pt; }
.frames figure { flex: 1 1 0; max-width: 50%; }
.frames img { max-height: 60mm; }
"#;

/// The comparison as one self-contained HTML file.
pub fn html(r: &ComparisonReport) -> Result<Vec<u8>> {
    let mut h = String::new();
    html::page_header(&mut h, wording::TITLE, r.header.clinic.as_deref(), &wording::header_fields(r));
    for s in &r.sides {
        match s {
            SideSection::Compared(v) => html_side(&mut h, v),
            SideSection::Missing { reason, .. } => {
                let _ = writeln!(h, "<p class=\"missing\">{}</p>", escape(reason));
            }
        }
    }
    if let Some(a) = wording::asymmetry(r) {
        let _ = writeln!(h, "<p class=\"asym\">{}</p>", escape(&a));
    }
    h.push_str("<footer class=\"method\"><h3>Method</h3>\n");
    for m in wording::method(r) {
        let _ = writeln!(h, "<p>{}</p>", escape(&m));
    }
    h.push_str("</footer>\n</section>\n");
    Ok(html::document(wording::TITLE, &r.header, HTML_STYLE, &h))
}

fn html_side(h: &mut String, s: &SideView) {
    let c = &s.change;
    let _ = writeln!(
        h,
        "<div class=\"side\">\n<h2>{} <small>{}</small></h2>\n<div class=\"row\">",
        escape(&wording::side_title(s)),
        escape(&wording::side_subtitle(s))
    );
    let fig = before_after_chart(c, 228.0, 132.0);
    h.push_str(&html::svg_labelled(
        &fig,
        &format!("Hip extension and knee flexion of the {} leg before and after", c.side),
    ));
    h.push_str("<div>\n<table class=\"cmp\">\n<thead><tr>");
    for head in wording::TABLE_HEAD {
        let _ = write!(h, "<th>{}</th>", escape(head));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in wording::rows(c) {
        let (real, real_sub) = wording::real_word(row.real);
        let class = match row.real {
            Some(true) => " yes",
            Some(false) => " no",
            None => "",
        };
        let small = |s: Option<&str>| {
            s.filter(|s| !s.is_empty()).map(|s| format!("<small>{}</small>", escape(s))).unwrap_or_default()
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"change\">{}{}</td><td>{}</td><td class=\"real{class}\">{}{}</td></tr>",
            escape(row.measure),
            escape(&row.before),
            escape(&row.after),
            escape(&row.change),
            small(row.direction.as_deref()),
            escape(&row.mdc),
            escape(real),
            small(Some(real_sub))
        );
    }
    h.push_str("</tbody>\n</table>\n");
    let _ = writeln!(h, "<p class=\"verdict-hip\">{}</p>", escape(&c.verdict));
    if let Some(k) = wording::knee_verdict(c) {
        let _ = writeln!(h, "<p>{}</p>", escape(&k));
    }
    if let Some(n) = wording::withheld_note(s) {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(&n));
    }
    h.push_str("</div>\n</div>\n<div class=\"frames\">\n");
    for (label, e) in [("Before", &s.before), ("After", &s.after)] {
        h.push_str("<figure>");
        if let Some(k) = &e.key_frame {
            let b64 = base64::engine::general_purpose::STANDARD.encode(&k.jpeg);
            let _ = write!(
                h,
                "<img src=\"data:image/jpeg;base64,{b64}\" width=\"{}\" height=\"{}\" alt=\"{} key frame\">",
                k.width, k.height, label
            );
        }
        let _ = writeln!(
            h,
            "<figcaption>{}</figcaption></figure>",
            escape(&wording::key_frame_caption(label, e))
        );
    }
    h.push_str("</div>\n</div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::compare::{side_change, Endpoint};

    fn ep(id: i64, phase: &str, hip: f64, knee: f64) -> Endpoint {
        Endpoint {
            id,
            session_date: "2026-11-20".into(),
            phase: crate::store::records::Phase::from_name(phase).expect("a phase"),
            hip_extension_deg: hip,
            knee_flexion_deg: Some(knee),
        }
    }

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
        for t in ["-9.6°", "-1.5°", "58.7°", "68.8°", "before", "after"] {
            assert!(texts.contains(&t), "{t} in {texts:?}");
        }
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

    #[test]
    fn rows_and_sentences_come_from_the_stored_change() {
        let c = side_change(
            crate::measure::leg::Side::Left,
            ep(1, "before", -9.6, 58.7),
            ep(2, "after", -1.5, 68.8),
        );
        let rows = wording::rows(&c);
        assert_eq!(rows[0].change, "+8.1°");
        assert_eq!(rows[0].mdc, "2.8°");
        assert_eq!(rows[0].real, Some(true));
        assert_eq!(rows[1].change, "+10.1°");
        let k = wording::knee_verdict(&c).unwrap();
        assert!(k.starts_with("The left knee flexion changed by +10.1°, more than"), "{k}");
        let same = side_change(
            crate::measure::leg::Side::Right,
            ep(3, "before", 2.0, 60.0),
            ep(4, "after", 3.0, 60.5),
        );
        assert_eq!(wording::real_word(Some(same.real)).0, "not real");
        assert!(wording::knee_verdict(&same).unwrap().contains("within"));
    }

    #[test]
    fn a_missing_leg_says_why() {
        assert!(wording::missing_reason("right", 0, &[]).contains("no assessments stored"));
        let r = wording::missing_reason("right", 2, &[5, 6]);
        assert!(r.contains("Assessments 5, 6 were withheld"), "{r}");
    }
}
