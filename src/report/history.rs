//! The history page: builds the [`Document`] of every stored assessment of a client over time
//! from a [`HistoryReport`] (the store's rows, read elsewhere: [`super::stored`]): a chart of
//! the angles over the sessions, then a table per side. The figures are the stored ones.

use super::chart::history_chart;
use super::chart::sessions::side_colour;
use super::content::{short_citation, Header};
use super::document::{
    Align, Block, Cell, Chart, Column, Document, Heading, Paragraph, Table, TableSize, Tone, CONTENT_WIDTH,
};
use crate::assess::Criteria;
use crate::store::records::StoredAssessment;

#[derive(Debug, Clone)]
pub struct HistoryReport {
    pub header: Header,
    /// Oldest first.
    pub rows: Vec<StoredAssessment>,
    /// The thresholds and norms of the latest measured assessment, for the chart's lines.
    pub criteria: Option<Criteria>,
    /// The client's note from the store.
    pub client_notes: Option<String>,
    /// The client's audit trail (corrections, removals, replacements), one sentence each,
    /// oldest first.
    pub corrections: Vec<String>,
}

impl HistoryReport {
    /// The session dates, oldest first, once each.
    pub fn sessions(&self) -> Vec<&str> {
        let mut d: Vec<&str> = self.rows.iter().map(|a| a.session_date.as_str()).collect();
        d.sort();
        d.dedup();
        d
    }

    /// The assessments of one side, oldest first.
    pub fn side_rows(&self, side: &str) -> Vec<&StoredAssessment> {
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
        crate::report::assessment::wording::angle_figure(a.hip_extension_deg, a.uncertainty_deg, true)
    }

    pub fn knee(a: &StoredAssessment) -> String {
        match a.knee_flexion_deg {
            Some(k) => format!("{k:.1}°"),
            None if a.hip_extension_deg.is_none() => "withheld".into(),
            None => "—".into(),
        }
    }

    pub fn video(a: &StoredAssessment) -> String {
        crate::fsutil::file_name_only(&a.video_path)
    }

    pub fn cells(a: &StoredAssessment) -> [String; 6] {
        [a.id.to_string(), a.session_date.clone(), a.phase.to_string(), hip(a), knee(a), video(a)]
    }

    /// The "Notes" lines: the client's note, then each assessment's, named by its id.
    pub fn notes(r: &HistoryReport) -> Vec<String> {
        let flat = |n: &str| n.split_whitespace().collect::<Vec<_>>().join(" ");
        r.client_notes
            .iter()
            .map(|n| format!("Client: {}", flat(n)))
            .chain(r.rows.iter().filter_map(|a| {
                let n = a.notes.as_deref()?;
                Some(format!(
                    "Assessment {} ({}, {}, {} leg): {}",
                    a.id,
                    a.session_date,
                    a.phase,
                    a.side,
                    flat(n)
                ))
            }))
            .collect()
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
                "Chart lines (from the latest measured assessment's settings): dashed, the limit below which the reading is shortening ({}, {}; the knee bends less than {:.0}°, {}); dotted, a reference for comparison only ({}, knee flexion {:.1}°, {}, {}).",
                crate::assess::hip_criterion_words(c.hip_extension_threshold_deg),
                super::short_citation(&c.hip_source),
                c.knee_flexion_threshold_deg,
                super::short_citation(&c.knee_source),
                crate::assess::thigh_position_words(c.hip_extension_norm_deg),
                c.knee_flexion_norm_deg,
                crate::assess::reference_population(&c.norm_source),
                super::short_citation(&c.norm_source)
            ));
            out.push(crate::assess::KNEE_CRITERIA_NOTE.into());
        }
        out.push(
            "Whether a change between two assessments is larger than romcam's minimal detectable change (the smallest change that is more than measurement error, with 95% confidence) is shown by romcam report --compare."
                .to_string(),
        );
        out
    }
}

/// The history's document: one page (a long history flows onto more).
pub fn document(r: &HistoryReport) -> Document {
    let mut blocks = vec![
        Block::Title { text: wording::TITLE.into(), clinic: r.header.clinic.clone() },
        Block::KeyValues(wording::header_fields(r).into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
    ];
    if r.rows.is_empty() {
        blocks.push(Paragraph::new("No assessments are stored for this client.").tone(Tone::Muted).into());
    } else {
        blocks.push(Block::Chart(Chart {
            figure: history_chart(r, CONTENT_WIDTH),
            label: "Hip extension and knee flexion over the sessions, per side".into(),
        }));
    }
    for side in ["left", "right"] {
        let rows = r.side_rows(side);
        if rows.is_empty() {
            continue;
        }
        let heading = Heading {
            tone: Tone::Series(side_colour(side)),
            rule_above: true,
            ..Heading::new(wording::side_heading(side, rows.len()), true)
        };
        let columns = wording::TABLE_HEAD
            .iter()
            .zip([58.0, 66.0, 46.0, 124.0, 76.0, CONTENT_WIDTH - 370.0])
            .map(|(h, weight)| Column { head: h.to_string(), weight, align: Align::Start })
            .collect();
        let rows = rows
            .iter()
            .map(|a| {
                let withheld = a.hip_extension_deg.is_none();
                wording::cells(a)
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let figure = i == 3 || i == 4;
                        Cell::new(c).bold(figure).tone(if withheld && figure {
                            Tone::Alert
                        } else {
                            Tone::Normal
                        })
                    })
                    .collect()
            })
            .collect();
        let table = Table {
            columns,
            rows,
            size: TableSize::Compact,
            label: Some(format!("Every assessment of the {side} leg")),
        };
        blocks.push(heading.into());
        blocks.push(Block::Table(table));
    }
    let notes = wording::notes(r);
    if !notes.is_empty() {
        blocks.push(Heading { rule_above: true, ..Heading::new("Notes", true) }.into());
        blocks.extend(notes.into_iter().map(|n| Block::from(Paragraph::new(n))));
    }
    if !r.corrections.is_empty() {
        blocks.push(Heading { rule_above: true, ..Heading::new("Corrections to the record", true) }.into());
        blocks
            .extend(r.corrections.iter().map(|c| Block::from(Paragraph::new(c.as_str()).tone(Tone::Muted))));
    }
    blocks.push(Block::Method(wording::method(r)));
    Document::one_page(wording::TITLE, &r.header, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::Prim;

    fn row(id: i64, date: &str, side: &str, phase: &str, hip: Option<f64>) -> StoredAssessment {
        StoredAssessment::for_test(
            id,
            date,
            crate::measure::leg::Side::from_name(side).expect("a side"),
            crate::store::records::Phase::from_name(phase).expect("a phase"),
            hip,
        )
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
            client_notes: None,
            corrections: Vec::new(),
        };
        assert_eq!(wording::cells(&r.rows[1])[3], "withheld");
        assert_eq!(wording::cells(&r.rows[0])[3], "-9.0° ± 0.8°");
        assert_eq!(wording::cells(&r.rows[0])[5], "1.mp4");
        let fig = history_chart(&r, 500.0);
        let dots = fig.prims.iter().filter(|p| matches!(p, Prim::Dot { .. })).count();
        // two measured assessments in two panels, plus the four legend markers
        assert_eq!(dots, 2 * 2 + 4);
        let doc = document(&r);
        let withheld_cells: Vec<&Cell> = doc.pages[0]
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t.rows.iter().flatten()),
                _ => None,
            })
            .flatten()
            .filter(|c| c.main == "withheld")
            .collect();
        assert_eq!(withheld_cells.len(), 2, "hip and knee of assessment 2");
        assert!(withheld_cells.iter().all(|c| c.tone == Tone::Alert));
        let html = crate::report::html::render(&doc);
        assert!(html.contains("Left leg: 2 assessments") && html.contains("Right leg: 1 assessment<"));
    }
    #[test]
    fn sessions_get_slots_and_before_comes_first() {
        let rows = vec![
            row(1, "2026-01-01", "left", "before", Some(-9.0)),
            row(2, "2026-01-01", "left", "after", Some(-2.0)),
            row(3, "2026-02-01", "left", "none", None),
        ];
        let xs = crate::report::chart::sessions::x_positions(&rows, &["2026-01-01", "2026-02-01"]);
        assert!(xs[0] < xs[1] && xs[1] < 0.5 && xs[2] > 0.5, "{xs:?}");
    }
}
