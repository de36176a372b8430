//! The before/after comparison page: builds its [`Document`] from a [`ComparisonReport`], the
//! plain data of what `Store::compare` decided (the change per side, the MDC95 it was judged
//! against, real or not, the verdict sentence) and of the two assessments compared (their stored
//! figures and key frames). The store is read elsewhere ([`super::stored`]); nothing is measured
//! or judged again here.

use super::chart::before_after_chart;
use super::content::Header;
use super::document::{
    Align, Block, Cell, Chart, Column, Columns, Document, Heading, Image, Paragraph, Picture, Table,
    TableSize, TextSize, Tone, CONTENT_WIDTH,
};
use super::keyframe::KeyFrame;
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

/// The page's words.
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

    pub fn missing_reason(side: &str, assessed: usize, withheld: &[String]) -> String {
        let leg = format!("{} leg", capitalised(side));
        if assessed == 0 {
            return format!("{leg}: no assessments stored, so nothing to compare.");
        }
        let mut s =
            format!("{leg}: not compared: no before/after pair of measured assessments for this selection.");
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
                let name = crate::fsutil::file_name_only(&e.stored.video_path);
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
    let mut blocks = vec![
        Block::Title { text: wording::TITLE.into(), clinic: r.header.clinic.clone() },
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
        blocks.push(Block::Together(vec![Block::Rule, Paragraph::new(a).bold().into()]));
    }
    blocks.push(Block::Method(wording::method(r)));
    Document::one_page(wording::TITLE, &r.header, blocks)
}

/// The width of a side's chart, and the gap between it and the numbers, in points.
const CHART_W: f32 = 228.0;
const GAP: f32 = 14.0;

/// One side: its heading, the chart beside the numbers and verdicts, and the two key frames,
/// kept together; `rule` draws a rule above it (not under the page header's own).
fn side(s: &SideView, compared: usize, rule: bool) -> Block {
    let c = &s.change;
    let heading = Heading {
        aside: Some(wording::side_subtitle(s)),
        rule_above: rule,
        ..Heading::new(wording::side_title(s), true)
    };
    let chart = Chart {
        figure: before_after_chart(c, CHART_W, 132.0),
        label: format!("Hip extension and knee flexion of the {} leg before and after", c.side),
    };
    let right_w = CONTENT_WIDTH - CHART_W - GAP;
    let columns = wording::TABLE_HEAD
        .iter()
        // Wide enough for each column's longest text ("Hip extension", "more extension",
        // "beyond MDC95") on one line.
        .zip([72.0, 31.0, 31.0, 53.0, 32.0, right_w - 219.0])
        .enumerate()
        .map(|(i, (h, weight))| Column {
            head: h.to_string(),
            weight,
            align: if i == 0 { Align::Start } else { Align::End },
        })
        .collect();
    let rows = wording::rows(c)
        .into_iter()
        .map(|row| {
            let (real, real_sub) = wording::real_word(row.real);
            let real_tone = match row.real {
                Some(true) => Tone::Positive,
                Some(false) => Tone::Muted,
                None => Tone::Normal,
            };
            vec![
                Cell::new(row.measure).bold(true),
                Cell::new(row.before),
                Cell::new(row.after),
                Cell::new(row.change).with_sub(row.direction).bold(true),
                Cell::new(row.mdc),
                Cell::new(real).with_sub(Some(real_sub.to_string())).bold(true).tone(real_tone),
            ]
        })
        .collect();
    let mut right = vec![Block::Table(Table {
        columns,
        rows,
        size: TableSize::Compact,
        label: Some(format!("The {} leg's figures before and after", c.side)),
    })];
    right.push(Paragraph::new(c.verdict.as_str()).size(TextSize::Small).bold().into());
    if let Some(k) = wording::knee_verdict(c) {
        right.push(Paragraph::new(k).size(TextSize::Small).into());
    }
    if let Some(n) = wording::withheld_note(s) {
        right.push(Paragraph::new(n).size(TextSize::Tiny).tone(Tone::Caution).into());
    }
    let picture = |label: &str, e: &EndpointView| Picture {
        image: e.key_frame.as_ref().map(|k| Image {
            jpeg: k.jpeg.clone(),
            width: k.width,
            height: k.height,
            alt: format!("{label} key frame"),
        }),
        caption: wording::key_frame_caption(label, e),
        max_width: (CONTENT_WIDTH - 14.0) / 2.0,
        max_height: f32::INFINITY,
        placeholder_height: 24.0,
    };
    Block::Together(vec![
        heading.into(),
        Block::Columns(Box::new(Columns {
            left_width: CHART_W,
            gap: GAP,
            left: vec![Block::Chart(chart)],
            right,
        })),
        Block::Pictures {
            pictures: vec![picture("Before", &s.before), picture("After", &s.after)],
            max_height: if compared > 1 { 90.0 } else { 150.0 },
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::leg::Side;
    use crate::store::compare::{side_change, Asymmetry};
    use crate::store::records::Phase;

    use crate::store::compare::test_endpoint as ep;

    #[test]
    fn rows_and_sentences_come_from_the_stored_change() {
        let c = side_change(Side::Left, ep(1, "before", -9.6, 58.7), ep(2, "after", -1.5, 68.8));
        let rows = wording::rows(&c);
        assert_eq!(rows[0].change, "+8.1°");
        assert_eq!(rows[0].mdc, "2.8°");
        assert_eq!(rows[0].real, Some(true));
        assert_eq!(rows[1].change, "+10.1°");
        let k = wording::knee_verdict(&c).unwrap();
        assert!(k.starts_with("The left knee flexion changed by +10.1°, more than"), "{k}");
        let same = side_change(Side::Right, ep(3, "before", 2.0, 60.0), ep(4, "after", 3.0, 60.5));
        assert_eq!(wording::real_word(Some(same.real)).0, "not real");
        assert!(wording::knee_verdict(&same).unwrap().contains("within"));
    }

    #[test]
    fn a_missing_leg_says_why() {
        assert!(wording::missing_reason("right", 0, &[]).contains("no assessments stored"));
        let r = wording::missing_reason("right", 2, &["0000abcd".into(), "0000abce".into()]);
        assert!(r.contains("Assessments 0000abcd, 0000abce were withheld"), "{r}");
    }

    fn stored(id: i64, phase: &str, hip: f64) -> StoredAssessment {
        StoredAssessment {
            row_id: id,
            id: format!("{id:08x}"),
            uid: format!("{id:032x}"),
            client: "C1".into(),
            session_date: "2026-11-20".into(),
            side: Side::Left,
            phase: Phase::from_name(phase).expect("a phase"),
            hip_extension_deg: Some(hip),
            knee_flexion_deg: Some(60.0),
            uncertainty_deg: Some(0.8),
            created_at: "2026-11-20T10:00:00Z".into(),
            video_path: format!("/clips/{id}.mp4"),
            video_sha256: "0".repeat(64),
            model: "m".into(),
            romcam_version: "0.1.0".into(),
            notes: None,
            amendments: 0,
        }
    }

    /// The page is made from plain data (no store), and both renderers draw it.
    #[test]
    fn the_document_is_made_from_plain_data_and_drawn_by_both_renderers() {
        let change = side_change(Side::Left, ep(1, "before", -9.6, 58.7), ep(2, "after", -1.5, 68.8));
        let view = SideView {
            before: EndpointView { stored: stored(1, "before", -9.6), key_frame: None },
            after: EndpointView { stored: stored(2, "after", -1.5), key_frame: None },
            change: change.clone(),
            withheld: Vec::new(),
        };
        let header = Header { clinic: Some("<i>Physio</i> & Co".into()), ..Header::default() };
        let r = ComparisonReport {
            header,
            selection: Selection::Latest,
            comparison: Comparison {
                client: "C1".into(),
                changes: vec![change.clone()],
                asymmetry: Asymmetry { before_left_minus_right_deg: None, after_left_minus_right_deg: None },
                sem_hip_deg: 1.0,
                sem_knee_deg: 1.0,
                mdc_method: "MDC95 = 1.96 × √2 × SEM".into(),
            },
            sides: vec![
                SideSection::Compared(Box::new(view)),
                SideSection::Missing {
                    side: "right".into(),
                    reason: wording::missing_reason("right", 0, &[]),
                },
            ],
        };
        let doc = document(&r);
        assert_eq!(doc.pages.len(), 1);
        let html = crate::report::html::render(&doc);
        assert!(html.contains(&change.verdict), "{html}");
        assert!(html.contains("&lt;i&gt;Physio&lt;/i&gt; &amp; Co") && !html.contains("<i>Physio"));
        assert!(html.contains("Right leg: no assessments stored"));
        assert!(html.contains("No key frame is stored with this assessment."));
        assert_eq!(html.matches("<svg").count(), 1, "one chart");
        let pdf = crate::report::pdf::render(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }
}
