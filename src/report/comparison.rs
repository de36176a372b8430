//! The comparison page: builds its [`Document`] from a [`ComparisonReport`], the plain data of
//! what `Store::compare` decided (per side the two assessments in time order, what they are to
//! each other, the change, the MDC95 it was judged against and the verdict: real improvement,
//! real worsening or within measurement error) and of the two assessments compared (their stored
//! figures and key frames). The page names what it compares by the stored sessions and phases:
//! only a before/after pair of one session is called "before treatment → after treatment". The
//! store is read elsewhere ([`super::stored`]); nothing is measured or judged again here.

use super::chart::before_after_chart;
use super::content::Header;
use super::document::{
    Align, Block, Cell, Chart, Column, Columns, Document, Heading, Image, Paragraph, Picture, Table,
    TableSize, TextSize, Tone, CONTENT_WIDTH,
};
use super::keyframe::KeyFrame;
use crate::assess::change::ChangeVerdict;
use crate::store::compare::{Comparison, Selection, SideChange};
use crate::store::records::StoredAssessment;

/// The widest a side-by-side key frame is kept, in pixels (about 190 dpi at its printed size).
pub const THUMB_PX: u32 = 700;

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
    /// The earlier assessment.
    pub from: EndpointView,
    /// The later assessment.
    pub to: EndpointView,
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

/// The colour a verdict is read in: an improvement green, a worsening red, within measurement
/// error grey.
pub fn verdict_tone(v: ChangeVerdict) -> Tone {
    match v {
        ChangeVerdict::RealImprovement => Tone::Positive,
        ChangeVerdict::RealWorsening => Tone::Negative,
        ChangeVerdict::WithinMeasurementError => Tone::Muted,
    }
}

/// The page's words.
pub mod wording {
    use super::{ComparisonReport, EndpointView, SideView};
    use crate::assess::change::{Angle, ChangeVerdict};
    use crate::store::compare::{Pairing, Selection, SideChange};

    pub fn capitalised(s: &str) -> String {
        let mut c = s.chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    }

    /// The page's title: before/after treatment only when every leg compares a session's
    /// before/after pair.
    pub fn title(r: &ComparisonReport) -> &'static str {
        if r.selection == Selection::Baseline {
            "Modified Thomas test: progress since the first assessment"
        } else if r.compared().count() > 0 && r.comparison.all_treatment_sessions() {
            "Modified Thomas test: before/after treatment"
        } else {
            "Modified Thomas test: comparison of two assessments"
        }
    }

    /// What is compared: the stored sessions and phases, once when both legs compare the
    /// same, else per leg.
    pub fn compared(r: &ComparisonReport) -> String {
        let label = r.comparison.label();
        if r.selection == Selection::Baseline {
            format!("first before-treatment assessment → latest: {label}")
        } else {
            label
        }
    }

    pub fn header_fields(r: &ComparisonReport) -> Vec<(&'static str, String)> {
        let h = &r.header;
        let or_none = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty()).unwrap_or("—".into());
        let sides: Vec<&str> = r.compared().map(|s| s.change.side.name()).collect();
        let mut dates: Vec<&str> = r
            .compared()
            .flat_map(|s| [s.from.stored.session_date.as_str(), s.to.stored.session_date.as_str()])
            .collect();
        dates.sort();
        dates.dedup();
        vec![
            ("Client", or_none(&h.client)),
            ("Therapist", or_none(&h.therapist)),
            ("Report made", h.created.clone()),
            ("Legs", if sides.is_empty() { "—".into() } else { sides.join(" and ") }),
            ("Sessions", dates.join(", ")),
            ("Compared", compared(r)),
        ]
    }

    /// What an assessment is within its pair: "Before treatment" and "After treatment" in a
    /// session's before/after pair, else "Earlier" and "Later".
    pub fn role(c: &SideChange, later: bool) -> &'static str {
        match (c.pairing, later) {
            (Pairing::TreatmentSession, false) => "Before treatment",
            (Pairing::TreatmentSession, true) => "After treatment",
            (Pairing::Assessments, false) => "Earlier",
            (Pairing::Assessments, true) => "Later",
        }
    }

    /// The numbers table's head over the earlier and later figures.
    pub fn column_heads(c: &SideChange) -> [String; 2] {
        match c.pairing {
            Pairing::TreatmentSession => ["Before".into(), "After".into()],
            Pairing::Assessments => [c.from.label(), c.to.label()],
        }
    }

    /// "2026-11-20 before, assessment 1"
    pub fn endpoint(e: &EndpointView) -> String {
        let s = &e.stored;
        format!("{}, assessment {}", crate::store::compare::state_label(&s.session_date, s.phase), s.id)
    }

    pub fn side_title(s: &SideView) -> String {
        format!("{} leg", capitalised(s.change.side.name()))
    }

    /// What this leg compares: "session 2025-02-03, before treatment → after treatment" or
    /// "2025-02-03 after → 2025-03-03 after".
    pub fn side_subtitle(s: &SideView) -> String {
        s.change.label.clone()
    }

    pub fn deg_signed(v: f64) -> String {
        format!("{v:+.1}°")
    }

    pub fn deg(v: f64) -> String {
        format!("{v:.1}°")
    }

    /// One row of the numbers table: measure, earlier, later, change, MDC95, the verdict and,
    /// for a real change only, its direction in words.
    pub struct Row {
        pub measure: &'static str,
        pub from: String,
        pub to: String,
        pub change: String,
        pub mdc: String,
        pub verdict: Option<ChangeVerdict>,
        pub direction: Option<&'static str>,
    }

    pub const MEASURE_HEAD: &str = "";

    pub fn rows(c: &SideChange) -> Vec<Row> {
        let na = || "n/a".to_string();
        vec![
            Row {
                measure: "Hip extension",
                from: deg_signed(c.from.hip_extension_deg),
                to: deg_signed(c.to.hip_extension_deg),
                change: deg_signed(c.hip_extension_change_deg),
                mdc: deg(c.mdc95_deg),
                verdict: Some(c.hip_verdict),
                direction: c.hip_verdict.direction(Angle::HipExtension, c.hip_extension_change_deg),
            },
            Row {
                measure: "Knee flexion",
                from: c.from.knee_flexion_deg.map(deg).unwrap_or_else(na),
                to: c.to.knee_flexion_deg.map(deg).unwrap_or_else(na),
                change: c.knee_flexion_change_deg.map(deg_signed).unwrap_or_else(na),
                mdc: deg(c.knee_mdc95_deg),
                verdict: c.knee_verdict,
                direction: c
                    .knee_verdict
                    .zip(c.knee_flexion_change_deg)
                    .and_then(|(v, k)| v.direction(Angle::KneeFlexion, k)),
            },
        ]
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

    pub fn missing_reason(side: &str, assessed: usize, withheld: &[String], selection: &Selection) -> String {
        let leg = format!("{} leg", capitalised(side));
        if assessed == 0 {
            return format!("{leg}: no assessments stored, so nothing to compare.");
        }
        let what = match selection {
            Selection::Baseline => "no measured before-treatment assessment with a later measured one",
            Selection::Latest | Selection::Session(_) => "no before/after pair of measured assessments",
            Selection::Sessions(..) | Selection::Assessments(..) => {
                "no two measured assessments for this selection"
            }
        };
        let mut s = format!("{leg}: not compared: {what}.");
        if !withheld.is_empty() {
            let ids = withheld;
            let (noun, verb) = if ids.len() == 1 { ("Assessment", "was") } else { ("Assessments", "were") };
            s.push_str(&format!(
                " {noun} {} {verb} withheld by the quality gate, and withheld results are never compared.",
                ids.join(", ")
            ));
        }
        s
    }

    /// The key frame's caption: the assessment by session and phase ("2026-11-20 before,
    /// assessment 1"); the frames stand in time order, earlier first.
    pub fn key_frame_caption(e: &EndpointView) -> String {
        let what = endpoint(e);
        match &e.key_frame {
            Some(_) => what,
            None => format!("{what}. No key frame is stored with this assessment."),
        }
    }

    /// The left/right asymmetry: only for a session and phase in which both legs were assessed;
    /// when the legs were compared over different sessions, that is said instead of a number.
    pub fn asymmetry(r: &ComparisonReport) -> Option<String> {
        let a = &r.comparison.asymmetry;
        if a.across_sessions_only() {
            let per_leg: Vec<String> =
                r.comparison.changes.iter().map(|c| format!("the {} leg {}", c.side, c.label)).collect();
            return Some(format!(
                "Left/right asymmetry: not given. The legs were not assessed in the same session and phase ({}), so no left-minus-right figure is given.",
                per_leg.join("; ")
            ));
        }
        if a.hip_left_minus_right.is_empty() {
            return None;
        }
        let states: Vec<String> = a
            .hip_left_minus_right
            .iter()
            .map(|s| format!("{} {:+.1}°", s.label(), s.left_minus_right_deg))
            .collect();
        let unmatched = r.comparison.changes.iter().flat_map(|c| [&c.from, &c.to]).any(|e| {
            !a.hip_left_minus_right.iter().any(|s| s.session_date == e.session_date && s.phase == e.phase)
        });
        let note = if unmatched {
            " The other assessments compared were not made in the same session and phase for both legs: no left-minus-right figure for them."
        } else {
            ""
        };
        Some(format!(
            "Left/right asymmetry of hip extension (left minus right, same session and phase only): {}.{note}",
            states.join(", ")
        ))
    }

    pub fn method(r: &ComparisonReport) -> Vec<String> {
        let c = &r.comparison;
        let mut out = vec![
            "Change = later minus earlier. Hip extension: the test thigh against the table's horizontal, positive when the knee is below it. Knee flexion: 0° = straight knee. In this test a rise of either angle reads as longer hip flexors: a rise beyond the MDC95 is an improvement, a fall beyond it a worsening.".to_string(),
            format!(
                "Minimal detectable change: {}; SEM used: hip {:.1}°, knee {:.1}°. MDC95: the smallest change larger than measurement error (95% confidence); SEM: the typical scatter of repeated measurements. A change within the MDC95 is within measurement error, and no direction is claimed for it.",
                c.mdc_method, c.sem_hip_deg, c.sem_knee_deg
            ),
            "Every figure is the one stored with its assessment (the median over the final hold); nothing was measured again for this report. Withheld results are never compared. The left/right asymmetry is given only between assessments of the same session and phase.".to_string(),
        ];
        for s in r.compared() {
            let video = |e: &EndpointView| {
                let name = crate::fsutil::file_name_only(&e.stored.video_path);
                let sha = e.stored.video_sha256.get(..12).unwrap_or(&e.stored.video_sha256);
                format!(
                    "{} = assessment {}, {name} (file fingerprint, SHA-256: {sha}…)",
                    crate::store::compare::state_label(&e.stored.session_date, e.stored.phase),
                    e.stored.id
                )
            };
            let both = |f: fn(&EndpointView) -> &str| {
                let (b, a) = (f(&s.from), f(&s.to));
                if b == a {
                    b.to_string()
                } else {
                    format!("{b} (earlier) / {a} (later)")
                }
            };
            out.push(format!(
                "{}: {}; {}; romcam {}, {}.",
                capitalised(s.change.side.name()),
                video(&s.from),
                video(&s.to),
                both(|e| &e.stored.romcam_version),
                both(|e| &e.stored.model).trim().trim_end_matches("(ONNX)").trim()
            ));
        }
        out
    }
}

impl ComparisonReport {
    /// The sides compared (not those missing).
    pub fn compared(&self) -> impl Iterator<Item = &SideView> {
        self.sides.iter().filter_map(|s| match s {
            SideSection::Compared(v) => Some(v.as_ref()),
            SideSection::Missing { .. } => None,
        })
    }
}

/// The comparison's document: one page (content that does not fit flows onto another).
pub fn document(r: &ComparisonReport) -> Document {
    let title = wording::title(r);
    let mut blocks = vec![
        Block::Title { text: title.into(), clinic: r.header.clinic.clone() },
        Block::KeyValues(wording::header_fields(r).into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
    ];
    let compared = r.compared().count();
    for (i, s) in r.sides.iter().enumerate() {
        match s {
            SideSection::Compared(v) => blocks.push(side(v, compared, i > 0)),
            SideSection::Missing { reason, .. } => {
                blocks.push(Paragraph::new(reason.as_str()).size(TextSize::Small).tone(Tone::Muted).into())
            }
        }
    }
    if let Some(a) = wording::asymmetry(r) {
        blocks
            .push(Block::Together(vec![Block::Rule, Paragraph::new(a).size(TextSize::Small).bold().into()]));
    }
    blocks.push(Block::Method(wording::method(r)));
    Document::one_page(title, &r.header, blocks)
}

/// The width of a side's chart, and the gap between it and what stands beside it, in points.
const CHART_W: f32 = 210.0;
const GAP: f32 = 14.0;

/// One side, kept together: its heading with what it compares, the numbers table across the
/// width, then the chart beside the verdict sentences and, when both legs share the page, the
/// two key frames; with one leg the key frames follow, larger. Every key frame on the page is
/// drawn in a box of one size. `rule` draws a rule above it (not under the page header's own).
fn side(s: &SideView, compared: usize, rule: bool) -> Block {
    let c = &s.change;
    let heading = Heading {
        aside: Some(wording::side_subtitle(s)),
        rule_above: rule,
        ..Heading::new(wording::side_title(s), true)
    };
    let chart = Chart {
        figure: before_after_chart(c, CHART_W, 132.0),
        label: format!("Hip extension and knee flexion of the {} leg: {}", c.side, c.label),
    };
    let [from_head, to_head] = wording::column_heads(c);
    let columns = [
        (wording::MEASURE_HEAD.to_string(), 76.0),
        (from_head, 86.0),
        (to_head, 86.0),
        ("Change".into(), 50.0),
        ("MDC95".into(), 40.0),
        ("Verdict".into(), CONTENT_WIDTH - 338.0),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (head, weight))| Column {
        head,
        weight,
        align: if i == 0 || i == 5 { Align::Start } else { Align::End },
    })
    .collect();
    let rows = wording::rows(c)
        .into_iter()
        .map(|row| {
            let tone = row.verdict.map(verdict_tone).unwrap_or(Tone::Normal);
            vec![
                Cell::new(row.measure).bold(true),
                Cell::new(row.from),
                Cell::new(row.to),
                Cell::new(row.change).bold(true).tone(tone),
                Cell::new(row.mdc),
                Cell::new(row.verdict.map(|v| v.words()).unwrap_or("—"))
                    .with_sub(row.direction.map(str::to_string))
                    .bold(true)
                    .tone(tone),
            ]
        })
        .collect();
    let table = Block::Table(Table {
        columns,
        rows,
        size: TableSize::Compact,
        label: Some(format!("The {} leg's figures: {}", c.side, c.label)),
    });
    let mut right = vec![Paragraph::new(c.hip_sentence.as_str())
        .size(TextSize::Small)
        .bold()
        .tone(sentence_tone(c.hip_verdict))
        .into()];
    if let (Some(k), Some(v)) = (&c.knee_sentence, c.knee_verdict) {
        right.push(Paragraph::new(k.as_str()).size(TextSize::Small).tone(sentence_tone(v)).into());
    }
    if let Some(n) = wording::withheld_note(s) {
        right.push(Paragraph::new(n).size(TextSize::Tiny).tone(Tone::Caution).into());
    }
    let picture = |role: &str, e: &EndpointView, height: f32| Picture {
        image: e.key_frame.as_ref().map(|k| Image {
            jpeg: k.jpeg.clone(),
            width: k.width,
            height: k.height,
            alt: format!("{role} key frame"),
        }),
        caption: wording::key_frame_caption(e),
        max_width: CONTENT_WIDTH,
        max_height: height,
        placeholder_height: height,
    };
    let frames = |height: f32| Block::Pictures {
        pictures: vec![
            picture(wording::role(c, false), &s.from, height),
            picture(wording::role(c, true), &s.to, height),
        ],
        max_height: height,
    };
    let mut blocks = vec![heading.into(), table];
    if compared > 1 {
        right.push(frames(72.0));
        blocks.push(Block::Columns(Box::new(Columns {
            left_width: CHART_W,
            gap: GAP,
            left: vec![Block::Chart(chart)],
            right,
        })));
    } else {
        blocks.push(Block::Columns(Box::new(Columns {
            left_width: CHART_W,
            gap: GAP,
            left: vec![Block::Chart(chart)],
            right,
        })));
        blocks.push(frames(140.0));
    }
    Block::Together(blocks)
}

/// A verdict sentence's colour: as the verdict's, but within measurement error in ink (grey
/// text is for notes).
fn sentence_tone(v: ChangeVerdict) -> Tone {
    match v {
        ChangeVerdict::WithinMeasurementError => Tone::Normal,
        other => verdict_tone(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::leg::Side;
    use crate::store::compare::{asymmetry, side_change, Endpoint};
    use crate::store::records::Phase;

    use crate::store::compare::test_endpoint as ep;

    #[test]
    fn rows_and_sentences_come_from_the_stored_change() {
        let c = side_change(Side::Left, ep(1, "before", -9.6, 58.7), ep(2, "after", -1.5, 68.8));
        let rows = wording::rows(&c);
        assert_eq!(rows[0].change, "+8.1°");
        assert_eq!(rows[0].mdc, "2.8°");
        assert_eq!(rows[0].verdict, Some(ChangeVerdict::RealImprovement));
        assert_eq!(rows[0].direction, Some("more hip extension"));
        assert_eq!(rows[1].change, "+10.1°");
        let k = c.knee_sentence.clone().unwrap();
        assert!(k.starts_with("The left knee flexion changed by +10.1°, more than"), "{k}");
        assert_eq!(wording::column_heads(&c), ["Before".to_string(), "After".to_string()]);
        let same = side_change(Side::Right, ep(3, "before", 2.0, 60.0), ep(4, "after", 3.0, 60.5));
        let rows = wording::rows(&same);
        assert_eq!(rows[0].verdict, Some(ChangeVerdict::WithinMeasurementError));
        assert_eq!((rows[0].direction, rows[1].direction), (None, None), "no direction within the MDC");
        assert!(same.knee_sentence.unwrap().contains("within measurement error"));
    }

    #[test]
    fn a_missing_leg_says_why() {
        assert!(
            wording::missing_reason("right", 0, &[], &Selection::Latest).contains("no assessments stored")
        );
        let r =
            wording::missing_reason("right", 2, &["0000abcd".into(), "0000abce".into()], &Selection::Latest);
        assert!(r.contains("Assessments 0000abcd, 0000abce were withheld"), "{r}");
        let r = wording::missing_reason("left", 1, &[], &Selection::Baseline);
        assert!(r.contains("no measured before-treatment assessment with a later measured one"), "{r}");
    }

    fn stored(id: i64, date: &str, phase: Phase, hip: f64) -> StoredAssessment {
        StoredAssessment {
            knee_flexion_deg: Some(60.0),
            ..StoredAssessment::for_test(id, date, Side::Left, phase, Some(hip))
        }
    }

    fn view(side: Side, from: (i64, &str, Phase, f64), to: (i64, &str, Phase, f64)) -> SideView {
        let e = |(id, date, phase, hip): (i64, &str, Phase, f64)| Endpoint {
            id: format!("{id:08x}"),
            uid: format!("{id:032x}"),
            session_date: date.into(),
            phase,
            hip_extension_deg: hip,
            knee_flexion_deg: Some(60.0),
        };
        SideView {
            change: side_change(side, e(from), e(to)),
            from: EndpointView { stored: stored(from.0, from.1, from.2, from.3), key_frame: None },
            to: EndpointView { stored: stored(to.0, to.1, to.2, to.3), key_frame: None },
            withheld: Vec::new(),
        }
    }

    fn report(selection: Selection, views: Vec<SideView>) -> ComparisonReport {
        let changes: Vec<SideChange> = views.iter().map(|v| v.change.clone()).collect();
        ComparisonReport {
            header: Header { clinic: Some("<i>Physio</i> & Co".into()), ..Header::default() },
            selection,
            comparison: Comparison {
                client: "C1".into(),
                asymmetry: asymmetry(&changes),
                changes,
                sem_hip_deg: 1.0,
                sem_knee_deg: 1.0,
                mdc_method: "MDC95 = 1.96 × √2 × SEM".into(),
            },
            sides: views.into_iter().map(|v| SideSection::Compared(Box::new(v))).collect(),
        }
    }

    /// The page is made from plain data (no store), and both renderers draw it.
    #[test]
    fn the_document_is_made_from_plain_data_and_drawn_by_both_renderers() {
        let mut r = report(
            Selection::Latest,
            vec![view(
                Side::Left,
                (1, "2026-11-20", Phase::Before, -9.6),
                (2, "2026-11-20", Phase::After, -1.5),
            )],
        );
        r.sides.push(SideSection::Missing {
            side: "right".into(),
            reason: wording::missing_reason("right", 0, &[], &Selection::Latest),
        });
        let change = r.comparison.changes[0].clone();
        let doc = document(&r);
        assert_eq!(doc.pages.len(), 1);
        assert_eq!(doc.title, "Modified Thomas test: before/after treatment");
        let html = crate::report::html::render(&doc);
        assert!(html.contains(&change.hip_sentence), "{html}");
        assert!(html.contains("session 2026-11-20, before treatment → after treatment"), "{html}");
        assert!(html.contains("&lt;i&gt;Physio&lt;/i&gt; &amp; Co") && !html.contains("<i>Physio"));
        assert!(html.contains("Right leg: no assessments stored"));
        assert!(html.contains("No key frame is stored with this assessment."));
        assert_eq!(html.matches("<svg").count(), 1, "one chart");
        let pdf = crate::report::pdf::render(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }

    /// Two after-treatment states of different sessions: named so, never before/after treatment;
    /// legs from different sessions: no asymmetry figure.
    #[test]
    fn an_after_to_after_comparison_is_named_so_and_gives_no_asymmetry_across_sessions() {
        let r = report(
            Selection::Sessions("2025-02-03".into(), "2025-03-03".into()),
            vec![
                view(
                    Side::Left,
                    (2, "2025-02-03", Phase::After, -2.0),
                    (4, "2025-03-03", Phase::After, -8.0),
                ),
                view(Side::Right, (6, "2025-01-10", Phase::After, 1.0), (8, "2025-02-10", Phase::After, 1.5)),
            ],
        );
        let doc = document(&r);
        assert_eq!(doc.title, "Modified Thomas test: comparison of two assessments");
        let html = crate::report::html::render(&doc);
        assert!(html.contains("2025-02-03 after → 2025-03-03 after"), "{html}");
        assert!(!html.contains("before"), "{html}");
        assert!(html.contains("real worsening"), "{html}");
        let a = wording::asymmetry(&r).unwrap();
        assert!(a.starts_with("Left/right asymmetry: not given."), "{a}");
        assert!(!a.contains('°'), "no number: {a}");
    }

    #[test]
    fn the_baseline_page_says_what_it_compares() {
        let r = report(
            Selection::Baseline,
            vec![view(
                Side::Left,
                (1, "2025-02-03", Phase::Before, -9.0),
                (9, "2025-04-03", Phase::After, -1.0),
            )],
        );
        assert_eq!(wording::title(&r), "Modified Thomas test: progress since the first assessment");
        let fields = wording::header_fields(&r);
        let compared = &fields.iter().find(|(k, _)| *k == "Compared").unwrap().1;
        assert_eq!(
            compared,
            "first before-treatment assessment → latest: 2025-02-03 before → 2025-04-03 after"
        );
    }
}
