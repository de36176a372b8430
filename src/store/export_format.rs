//! The client export file format and its checks. Kept free of the database and the rest of
//! romcam so that it can be fuzzed on its own (fuzz/fuzz_targets/import_json.rs).

use base64::Engine;
use serde::{Deserialize, Serialize};

/// Client codes are short identifiers, not names: letters, digits, '-', '_' and '.'.
pub fn check_client_code(code: &str) -> Result<(), String> {
    let ok = !code.is_empty()
        && code.len() <= 64
        && code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "client code {code:?} is not valid: use up to 64 letters, digits, '-', '_' or '.' (a code, not the client's name)"
        ))
    }
}

/// Checks a session date (YYYY-MM-DD).
pub fn check_date(date: &str) -> Result<(), String> {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|_| ())
        .map_err(|_| format!("session date {date:?} is not a date like 2026-11-26"))
}

pub const EXPORT_FORMAT: &str = "romcam-client-export/1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClientExport {
    pub format: String,
    pub exported_at: String,
    pub client: ClientRecord,
    pub sessions: Vec<SessionRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClientRecord {
    pub code: String,
    pub name: Option<String>,
    pub notes: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SessionRecord {
    pub date: String,
    pub notes: Option<String>,
    pub assessments: Vec<AssessmentRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AssessmentRecord {
    /// Stays the same through export and import, so importing twice adds nothing.
    pub uid: String,
    pub side: String,
    pub phase: String,
    pub hip_extension_deg: Option<f64>,
    pub knee_flexion_deg: Option<f64>,
    pub uncertainty_deg: Option<f64>,
    pub result: serde_json::Value,
    pub video_path: String,
    pub video_sha256: String,
    pub model: String,
    pub romcam_version: String,
    pub thresholds: serde_json::Value,
    pub created_at: String,
    pub key_frame_png_base64: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ImportSummary {
    pub client: String,
    pub sessions_added: usize,
    pub assessments_added: usize,
    pub assessments_already_present: usize,
}

/// Parses and checks an export file's text (the part of import that reads untrusted input).
/// The error is one sentence for the user.
pub fn parse_export(text: &str) -> Result<ClientExport, String> {
    let export: ClientExport =
        serde_json::from_str(text).map_err(|e| format!("the file is not a romcam client export ({e})"))?;
    if export.format != EXPORT_FORMAT {
        return Err(format!("the file is a {:?} export; this romcam reads {EXPORT_FORMAT}", export.format));
    }
    check_client_code(&export.client.code)?;
    for s in &export.sessions {
        check_date(&s.date)?;
        for a in &s.assessments {
            if a.uid.len() != 32 || !a.uid.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err("the export has an assessment without a valid record id".into());
            }
            if !matches!(a.side.as_str(), "left" | "right")
                || !matches!(a.phase.as_str(), "before" | "after" | "none")
            {
                return Err(format!(
                    "the export has an assessment with side {:?} and phase {:?}",
                    a.side, a.phase
                ));
            }
            if let Some(b) = &a.key_frame_png_base64 {
                base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .map_err(|_| "the export has a damaged key-frame image".to_string())?;
            }
        }
    }
    Ok(export)
}
