//! The assessment page (`assess --report`, `romcam report --assessment`): builds the
//! [`Document`] of one or more assessments from their content (the assessment, its key frame,
//! the header), never from the store: the key frame with the result in words beside it, the
//! figures beside the norms, the chart of the angles over the clip, the quality warnings and
//! the method.

use super::chart::angle_chart;
use super::content::{Header, PageContent, ReportContent};
use super::document::{
    Align, Block, Cell, Chart, Column, Columns, Document, Heading, Image, Page, Paragraph, Picture, Table,
    TableSize, TextSize, Tone, CONTENT_WIDTH,
};

pub use wording::TITLE;

/// The document of a report: one page per assessment.
pub fn document(report: &ReportContent) -> Document {
    Document {
        title: TITLE.to_string(),
        client: report.header.client.clone(),
        author: report.header.therapist.clone(),
        pages: report.pages.iter().map(|p| page(&report.header, p)).collect(),
    }
}

/// One assessment's page.
pub fn page(header: &Header, p: &PageContent) -> Page {
    let a = p.assessment;
    let withheld = a.withheld_reason.is_some();
    let fields = wording::header_fields(header, p).into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let picture = Picture {
        image: p.key_frame.as_ref().map(|k| Image {
            jpeg: k.jpeg.clone(),
            width: k.width,
            height: k.height,
            alt: format!(
                "Key frame{} with the skeleton, the table horizontal and the angles",
                k.t.map(|t| format!(" at {t:.2} s")).unwrap_or_default()
            ),
        }),
        caption: wording::key_frame_caption(p),
        max_width: 300.0,
        max_height: 168.0,
        placeholder_height: 60.0,
    };
    let mut result: Vec<Block> = vec![
        Block::Label("RESULT".into()),
        Paragraph::new(wording::classification(a))
            .size(TextSize::Large)
            .bold()
            .tone(if withheld { Tone::Alert } else { Tone::Normal })
            .into(),
    ];
    result.extend(a.findings.sentences.iter().map(|s| Block::from(Paragraph::new(s.as_str()))));
    let top = Columns {
        left_width: picture.size().0.max(200.0),
        gap: 16.0,
        left: vec![Block::Picture(picture)],
        right: result,
    };

    let (head, rows) = wording::figure_table(a);
    let columns = head
        .iter()
        .zip([115.0, 135.0, 135.0, CONTENT_WIDTH - 385.0])
        .map(|(h, weight)| Column { head: h.clone(), weight, align: Align::Start })
        .collect();
    let rows = rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let tone = if i == 1 && c.main == "withheld" { Tone::Alert } else { Tone::Normal };
                    Cell::new(c.main).with_sub(c.sub).bold(i < 2).tone(tone)
                })
                .collect()
        })
        .collect();
    let table = Table { columns, rows, size: TableSize::Regular, label: None };

    let note = if withheld {
        "Angles over the clip (per frame; for checking the recording only: the result is withheld)"
    } else {
        "Angles over the clip"
    };
    let chart = Chart {
        figure: angle_chart(a, p.key_frame.as_ref().and_then(|k| k.t), CONTENT_WIDTH),
        label: "Hip extension and knee flexion over the clip".into(),
    };
    Page {
        blocks: vec![
            Block::Title { text: TITLE.into(), clinic: header.clinic.clone() },
            Block::KeyValues(fields),
        ]
        .into_iter()
        .chain(p.notes.as_deref().map(|n| Paragraph::new(wording::notes_line(n)).into()))
        .chain([
            Block::Columns(Box::new(top)),
            Block::Table(table),
            Block::Together(vec![Heading::new(note, false).into(), Block::Chart(chart)]),
            Block::Warnings {
                heading: "Quality warnings".into(),
                items: a.warnings.clone(),
                none: "Quality checks: no warnings.".into(),
            },
            Block::Method(wording::method(a)),
        ])
        .collect(),
    }
}

/// The page's words: the figures as text, the captions, the method.
pub mod wording {
    use crate::assess::Assessment;
    use crate::report::content::{short_citation, Header, PageContent};

    pub const TITLE: &str = "Modified Thomas test: hip flexor length";
    pub const NONE: &str = "—";

    /// An angle with its uncertainty ("+10.3° ± 2.1°" when `signed`, "58.7° ± 2.6°" when not),
    /// "withheld" when there is no value (the quality gate withheld it).
    pub fn angle_figure(value: Option<f64>, uncertainty: Option<f64>, signed: bool) -> String {
        let Some(v) = value else { return "withheld".into() };
        let v = if signed { format!("{v:+.1}°") } else { format!("{v:.1}°") };
        match uncertainty {
            Some(u) => format!("{v} ± {u:.1}°"),
            None => v,
        }
    }

    pub fn hip_figure(a: &Assessment) -> String {
        angle_figure(a.hip_extension_deg, a.uncertainty_deg, true)
    }

    pub fn knee_figure(a: &Assessment) -> String {
        angle_figure(a.knee_flexion_deg, a.knee_uncertainty_deg, false)
    }

    pub fn trunk_figure(a: &Assessment) -> String {
        match a.thigh_to_trunk_deg {
            Some(v) => format!("{v:.1}°"),
            None if a.withheld_reason.is_some() => "withheld".into(),
            None => NONE.into(),
        }
    }

    /// The header's label/value pairs, in reading order.
    pub fn header_fields(h: &Header, p: &PageContent) -> Vec<(&'static str, String)> {
        let or_none = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty()).unwrap_or(NONE.into());
        vec![
            ("Client", or_none(&h.client)),
            ("Session date", or_none(&p.session_date)),
            ("Therapist", or_none(&h.therapist)),
            ("Test side", p.assessment.test_side.to_string()),
            ("Phase", or_none(&p.phase)),
            ("Report made", h.created.clone()),
        ]
        .into_iter()
        .chain(p.assessment_id.clone().map(|id| ("Assessment", id)))
        .chain(p.corrected.clone().map(|c| ("Corrected", c)))
        .collect()
    }

    /// The "Notes" line of a page (an assessment's or a client's note from the store).
    pub fn notes_line(notes: &str) -> String {
        format!("Notes: {}", notes.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// One cell of the figures table: the figure, and a line under it in smaller type.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Cell {
        pub main: String,
        pub sub: Option<String>,
    }

    fn cell(main: impl Into<String>, sub: Option<String>) -> Cell {
        Cell { main: main.into(), sub }
    }

    /// The figures table: header, then rows of (measure, client, norm, shortening if).
    pub fn figure_table(a: &Assessment) -> ([String; 4], Vec<[Cell; 4]>) {
        let c = &a.criteria;
        let header = [
            "Measure".to_string(),
            "Client (± uncertainty)".to_string(),
            format!("Athletes' mean ({})", short_citation(&c.norm_source)),
            "Shortened if".to_string(),
        ];
        let hip_words = a.hip_extension_deg.and(a.hip_extension_words.clone());
        let hip_criterion = crate::assess::hip_criterion_words(c.hip_extension_threshold_deg);
        let rows = vec![
            [
                cell("Hip extension", Some("thigh against the horizontal".into())),
                cell(hip_figure(a), hip_words),
                cell(
                    format!("{:+.1}°", c.hip_extension_norm_deg),
                    Some(crate::assess::thigh_position_words(c.hip_extension_norm_deg)),
                ),
                cell(
                    hip_criterion.trim_start_matches("the ").replace(" stays", ""),
                    Some("iliopsoas".into()),
                ),
            ],
            [
                cell("Knee flexion", Some("0° = straight knee".into())),
                cell(knee_figure(a), None),
                cell(format!("{:.1}°", c.knee_flexion_norm_deg), Some("thighs hanging lower".into())),
                cell(
                    format!("knee bends less than {:.0}°", c.knee_flexion_threshold_deg),
                    Some("rectus femoris".into()),
                ),
            ],
            [
                cell("Thigh to trunk", Some("180° = in line with trunk".into())),
                cell(trunk_figure(a), None),
                cell(NONE, None),
                cell(NONE, None),
            ],
        ];
        (header, rows)
    }

    /// "Positive: iliopsoas shortening", "Negative", "Result withheld".
    pub fn classification(a: &Assessment) -> String {
        if a.withheld_reason.is_some() {
            return "Result withheld".into();
        }
        let mut c = a.classification.name().chars();
        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
    }

    /// The caption under the key frame.
    pub fn key_frame_caption(p: &PageContent) -> String {
        match &p.key_frame {
            None => "No key frame: no hold (still period) was found to take one from.".into(),
            Some(k) => {
                let labels = if p.assessment.withheld_reason.is_some() {
                    "no angles are labelled: the result is withheld"
                } else {
                    "labels: the results"
                };
                let faces = if k.faces_blurred { " Face blurred." } else { "" };
                let when = match k.t {
                    Some(t) => format!("Key frame, {t:.2} s (middle of the hold)"),
                    None if k.stored => {
                        "Key frame as stored with the assessment (middle of the hold; its time is printed on it)".into()
                    }
                    None => "Key frame (middle of the hold)".into(),
                };
                format!(
                    "{when}. Yellow: tested leg; dashed: table horizontal through the hip; {labels}.{faces}"
                )
            }
        }
    }

    /// Every source cited, once each.
    pub fn sources(a: &Assessment) -> Vec<String> {
        let c = &a.criteria;
        let mut out: Vec<String> = Vec::new();
        for s in [&c.hip_source, &c.knee_source, &c.norm_source] {
            let s = s.trim().trim_end_matches('.').to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out.iter().map(|s| format!("{s}.")).collect()
    }

    /// "42 of the 104 frames of" (the clip's frames; landmarks are found on a sample of them),
    /// or, for results stored before the clip's frames were counted, "42 of 42 frames looked at
    /// in".
    fn frames_measured(m: &crate::measure::Measurement) -> String {
        if m.frames_in_clip > 0 {
            format!("{} of the {} frames of", m.frames_usable, m.frames_in_clip)
        } else {
            format!("{} of {} frames looked at in", m.frames_usable, m.frames_total)
        }
    }

    /// The criteria, the reference values and where the sources disagree, in one paragraph.
    fn criteria_note(c: &crate::assess::Criteria) -> String {
        let hip = crate::assess::hip_criterion_words(c.hip_extension_threshold_deg);
        let knee = c.knee_flexion_threshold_deg;
        let criteria = if c.hip_source == c.knee_source {
            format!(
                "Criteria ({}): iliopsoas shortening when {hip}, rectus femoris when the knee bends less than {knee:.0}°.",
                short_citation(&c.hip_source)
            )
        } else {
            format!(
                "Criteria: iliopsoas shortening when {hip} ({}), rectus femoris when the knee bends less than {knee:.0}° ({}).",
                short_citation(&c.hip_source),
                short_citation(&c.knee_source)
            )
        };
        format!(
            "{criteria} {}'s values ({}, knee {:.1}°) are the {}, for comparison only. {}",
            short_citation(&c.norm_source),
            crate::assess::thigh_position_words(c.hip_extension_norm_deg),
            c.knee_flexion_norm_deg,
            crate::assess::reference_population(&c.norm_source),
            crate::assess::KNEE_CRITERIA_NOTE
        )
    }

    /// The method footer: model, version, how the angles are defined, the horizontal, the hold,
    /// and the thresholds and norms with their sources.
    pub fn method(a: &Assessment) -> Vec<String> {
        let c = &a.criteria;
        let hold = match &a.hold {
            Some(h) => {
                format!("the final still period ({:.2}–{:.2} s, {} frames)", h.start_s, h.end_s, h.frames)
            }
            None => "the final still period (none was found)".into(),
        };
        vec![
            format!(
                "Measured by romcam {} with {} on {} {}. Horizontal: {}.",
                a.romcam_version,
                a.model,
                frames_measured(&a.measurement),
                crate::fsutil::file_name_only(&a.video),
                a.reference.description
            ),
            format!(
                "Each result is the median over {hold}; ± about one standard deviation (the hold's spread, the horizontal, romcam's validated error)."
            ),
            "Hip extension: the thigh (hip → knee) against the table's horizontal, + when the knee is below it; knee flexion: 180° minus the hip–knee–ankle angle.".into(),
            criteria_note(c),
            format!("Sources: {}", sources(a).join(" — ")),
        ]
    }
}
