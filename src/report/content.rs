//! The plain data every report page starts from: the header (clinic, therapist, client, the
//! day the report was made), and for the assessment page each assessment with its session date,
//! phase and annotated key frame; plus the small helpers the pages share (today's date, a
//! source cited as "author year").
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
    /// The assessment's id in the client store (its short id), when it is stored.
    pub assessment_id: Option<String>,
    /// The assessment's note from the client store, when one was written.
    pub notes: Option<String>,
    /// When the stored record was corrected since it was made: how many changes and the date
    /// of the last (`romcam history` lists them).
    pub corrected: Option<String>,
}

impl<'a> PageContent<'a> {
    pub fn new(assessment: &'a Assessment, key_frame: Option<KeyFrame>) -> Self {
        PageContent {
            assessment,
            key_frame,
            session_date: None,
            phase: None,
            assessment_id: None,
            notes: None,
            corrected: None,
        }
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
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

/// "Harvey D. Assessment of ... 1998;32:68-70" → "Harvey 1998", "Kendall FP, McCreary EK, ...
/// 2005" → "Kendall et al. 2005": the first author (with "et al." when there are more) and the
/// year. The one citation style of every output.
pub fn short_citation(source: &str) -> String {
    let first = source.split([' ', ',', '.']).find(|w| !w.is_empty()).unwrap_or(source);
    let authors = source.split(". ").next().unwrap_or(source);
    let author = if authors.contains(',') || authors.contains("et al") {
        format!("{first} et al.")
    } else {
        first.to_string()
    };
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
        assert_eq!(short_citation(crate::assess::KENDALL_2005), "Kendall et al. 2005");
        assert_eq!(short_citation("Our clinic's own cut-off"), "Our");
    }

    #[test]
    fn today_is_a_yyyy_mm_dd_date() {
        let today = local_date_today();
        assert!(chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").is_ok(), "{today}");
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
