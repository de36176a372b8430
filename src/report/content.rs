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
