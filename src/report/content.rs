//! What a report holds, whatever its format: the header (clinic, therapist, client, date,
//! phase), and per assessment the assessment itself and its annotated key frame.
//!
//! Reports consume an assessment; they never recompute it. The header's client, session date
//! and phase are optional: the client store fills them in when it is used.

use super::keyframe::KeyFrame;
use crate::assess::Assessment;

pub use super::settings::{parse_config_arg, ReportConfig};

/// Who and when: printed at the top of every page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    pub clinic: Option<String>,
    pub therapist: Option<String>,
    /// The client's code (never the name: reports leave the clinic).
    pub client: Option<String>,
    /// The day the report was made (local time, YYYY-MM-DD).
    pub created: String,
}

impl Header {
    pub fn new(config: &ReportConfig) -> Self {
        Header {
            clinic: config.clinic.clone(),
            therapist: config.therapist.clone(),
            client: None,
            created: local_date_today(),
        }
    }
}

/// One assessment: one page of the PDF, one section of the HTML.
#[derive(Debug, Clone)]
pub struct PageContent<'a> {
    pub assessment: &'a Assessment,
    pub key_frame: Option<KeyFrame>,
    /// The session's date (YYYY-MM-DD), when known.
    pub session_date: Option<String>,
    /// "before" / "after" (a treatment), when known.
    pub phase: Option<String>,
}

impl<'a> PageContent<'a> {
    pub fn new(assessment: &'a Assessment, key_frame: Option<KeyFrame>) -> Self {
        PageContent { assessment, key_frame, session_date: None, phase: None }
    }
}

/// Everything a report shows.
#[derive(Debug, Clone)]
pub struct ReportContent<'a> {
    pub header: Header,
    pub pages: Vec<PageContent<'a>>,
}

impl<'a> ReportContent<'a> {
    /// A report of one assessment.
    pub fn single(header: Header, page: PageContent<'a>) -> Self {
        ReportContent { header, pages: vec![page] }
    }
}

/// Today's date in local time, as YYYY-MM-DD.
pub fn local_date_today() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as libc::time_t)
        .unwrap_or(0);
    // SAFETY: localtime_r writes only into the zeroed struct we own.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&now, &mut tm).is_null() };
    if ok {
        format!("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday)
    } else {
        let days = now / 86_400;
        let (y, m, d) = civil_from_days(days);
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// Days since 1970-01-01 to a calendar date (proleptic Gregorian; H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// "Harvey D. Assessment of ... 1998;32:68-70" → "Harvey 1998": the first author and the year.
pub fn short_citation(source: &str) -> String {
    let author = source.split([' ', ',', '.']).find(|w| !w.is_empty()).unwrap_or(source);
    let year = source
        .as_bytes()
        .windows(4)
        .enumerate()
        .find(|(i, w)| {
            w.iter().all(u8::is_ascii_digit)
                && (w[0] == b'1' || w[0] == b'2')
                && !source.as_bytes().get(i + 4).is_some_and(u8::is_ascii_digit)
                && (*i == 0 || !source.as_bytes()[i - 1].is_ascii_digit())
        })
        .and_then(|(i, _)| source.get(i..i + 4));
    match year {
        Some(y) => format!("{author} {y}"),
        None => author.to_string(),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_settings_file_can_make_face_blurring_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("config.toml");
        std::fs::write(&f, "clinic = \"Physio Nord\"\nblur_faces = true\n").unwrap();
        let c = ReportConfig::from_file(&f).unwrap();
        assert_eq!(c.blur_faces, Some(true));
        std::fs::write(&f, "blur_face = true\n").unwrap();
        assert!(ReportConfig::from_file(&f).is_err(), "a misspelt key is refused");
    }

    use super::*;

    #[test]
    fn citations_shorten_to_author_and_year() {
        assert_eq!(short_citation(crate::assess::HARVEY_1998), "Harvey 1998");
        assert_eq!(short_citation(crate::assess::KENDALL_2005), "Kendall 2005");
        assert_eq!(short_citation("Our clinic's own cut-off"), "Our");
    }

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        let today = local_date_today();
        assert_eq!(today.len(), 10, "{today}");
    }

    #[test]
    fn settings_files_in_toml_and_json() {
        let dir = tempfile::tempdir().unwrap();
        let toml_path = dir.path().join("config.toml");
        std::fs::write(&toml_path, "clinic = \"Physio Nord\"\ntherapist = \"A. Jensen\"\n").unwrap();
        let c = ReportConfig::from_file(&toml_path).unwrap();
        assert_eq!(c.clinic.as_deref(), Some("Physio Nord"));
        assert_eq!(c.therapist.as_deref(), Some("A. Jensen"));
        let json_path = dir.path().join("config.json");
        std::fs::write(&json_path, r#"{"clinic": "Physio Nord"}"#).unwrap();
        assert_eq!(ReportConfig::from_file(&json_path).unwrap().therapist, None);
        std::fs::write(&toml_path, "clinc = \"typo\"\n").unwrap();
        let err = ReportConfig::from_file(&toml_path).unwrap_err();
        assert!(err.contains("clinc"), "{err}");
        assert!(ReportConfig::from_file(&dir.path().join("missing.toml")).is_err());
    }
}

/// The wording shared by the PDF and the HTML, so that both say exactly the same.
pub mod wording {
    use super::{short_citation, Header, PageContent};
    use crate::assess::Assessment;

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

    /// "0°", "+5°", "-5°": a threshold on the signed hip scale.
    fn signed_threshold(v: f64) -> String {
        if v.abs() < 0.05 {
            "0°".into()
        } else {
            format!("{v:+.0}°")
        }
    }

    /// The figures table: header, then rows of (measure, client, norm, shortening if).
    pub fn figure_table(a: &Assessment) -> ([String; 4], Vec<[Cell; 4]>) {
        let c = &a.criteria;
        let header = [
            "Measure".to_string(),
            "Client (± uncertainty)".to_string(),
            format!("Norm, mean ({})", short_citation(&c.norm_source)),
            "Shortening if".to_string(),
        ];
        let hip_words = a.hip_extension_deg.and(a.hip_extension_words.clone());
        let norm_side = if c.hip_extension_norm_deg < 0.0 { "above" } else { "below" };
        let rows = vec![
            [
                cell("Hip extension", Some("thigh against the horizontal".into())),
                cell(hip_figure(a), hip_words),
                cell(
                    format!("{:+.1}°", c.hip_extension_norm_deg),
                    Some(format!("{:.1}° {norm_side} horizontal", c.hip_extension_norm_deg.abs())),
                ),
                cell(
                    format!("below {}", signed_threshold(c.hip_extension_threshold_deg)),
                    Some(format!("iliopsoas ({})", short_citation(&c.hip_source))),
                ),
            ],
            [
                cell("Knee flexion", Some("0° = straight knee".into())),
                cell(knee_figure(a), None),
                cell(format!("{:.1}°", c.knee_flexion_norm_deg), None),
                cell(
                    format!("below {:.0}°", c.knee_flexion_threshold_deg),
                    Some(format!("rectus femoris ({})", short_citation(&c.knee_source))),
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
                "Measured by romcam {} with {} on {} of {} frames of {}.",
                a.romcam_version,
                a.model,
                a.measurement.frames_usable,
                a.measurement.frames_total,
                a.video
            ),
            "Hip extension: the test thigh (hip → knee) against the table's horizontal, positive when the knee is below it. Knee flexion: 180° minus the hip–knee–ankle angle (0° = straight). Thigh to trunk: the angle between trunk and thigh at the hip.".into(),
            format!(
                "Each result is the median over {hold}; its uncertainty (about one standard deviation) combines the spread over the hold, the horizontal's uncertainty and the pose model's measured error."
            ),
            format!("Horizontal: {}.", a.reference.description),
            format!(
                "Thresholds: hip extension below {} reads as iliopsoas shortening ({}), knee flexion below {:.0}° as rectus femoris shortening ({}). Norms: thigh {:.1}° below horizontal, knee flexion {:.1}° ({}).",
                signed_threshold(c.hip_extension_threshold_deg),
                short_citation(&c.hip_source),
                c.knee_flexion_threshold_deg,
                short_citation(&c.knee_source),
                c.hip_extension_norm_deg,
                c.knee_flexion_norm_deg,
                short_citation(&c.norm_source)
            ),
            format!("Sources: {}", sources(a).join(" — ")),
        ]
    }
}
