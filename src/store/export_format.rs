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

/// The format this romcam writes: version 2 adds assessment notes and the audit trail.
pub const EXPORT_FORMAT: &str = "romcam-client-export/2";
/// The formats this romcam reads (version 1 has no notes on assessments and no audit trail).
pub const READABLE_FORMATS: [&str; 2] = ["romcam-client-export/1", EXPORT_FORMAT];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClientExport {
    pub format: String,
    pub exported_at: String,
    pub client: ClientRecord,
    pub sessions: Vec<SessionRecord>,
    /// The client's audit trail (corrections, removals, notes), oldest first.
    #[serde(default)]
    pub audit: Vec<AuditRecord>,
}

/// One entry of the audit trail (see `store::audit`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuditRecord {
    pub uid: String,
    pub assessment_uid: Option<String>,
    /// "amend", "remove", "replace" or "note".
    pub action: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub at: String,
    pub by: String,
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
    /// The assessment's note (export format 2).
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ImportSummary {
    pub client: String,
    pub sessions_added: usize,
    pub assessments_added: usize,
    pub assessments_already_present: usize,
    /// Assessments in the file that the store's audit trail says were removed or replaced
    /// (not brought back).
    pub assessments_removed_here: usize,
    pub audit_entries_added: usize,
}

/// The largest export file `romcam import` reads, in bytes. Key frames make most of an export
/// (about 0.2-1 MB each as base64); this leaves room for well over a hundred assessments while
/// keeping the import inside the README's memory promise.
pub const MAX_EXPORT_BYTES: u64 = 100_000_000;
/// The largest key frame accepted, in pixels (romcam's own are at most 1280 x 1280).
pub const MAX_KEY_FRAME_PIXELS: u64 = 4096 * 4096;
/// The largest key-frame file accepted, in bytes (decoded from base64).
pub const MAX_KEY_FRAME_BYTES: usize = 16_000_000;
/// The longest free text (names, notes, paths, versions) accepted, in bytes.
pub const MAX_TEXT_BYTES: usize = 10_000;
/// Plausible ranges of the stored figures, degrees: anything outside is not a measurement.
pub const HIP_EXTENSION_RANGE_DEG: (f64, f64) = (-90.0, 90.0);
pub const KNEE_FLEXION_RANGE_DEG: (f64, f64) = (-30.0, 180.0);
pub const UNCERTAINTY_RANGE_DEG: (f64, f64) = (0.0, 90.0);
/// Any other angle in an imported result, in degrees either way.
pub const MAX_ANY_ANGLE_DEG: f64 = 360.0;
/// Any time in an imported result (seconds from the start of the clip): a day.
pub const MAX_TIME_S: f64 = 86_400.0;

/// Parses and checks an export file's text (the part of import that reads untrusted input).
/// Every record is checked completely (types, ranges, consistency of the stored figures with
/// the full result, sizes) before anything is written. The error is one sentence for the user,
/// naming the record refused and why.
pub fn parse_export(text: &str) -> Result<ClientExport, String> {
    // a byte-order mark (some Windows editors write one) is not part of the JSON
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.len() as u64 > MAX_EXPORT_BYTES {
        return Err(format!(
            "the file is larger than {} MB, more than a romcam export holds",
            MAX_EXPORT_BYTES / 1_000_000
        ));
    }
    let export: ClientExport =
        serde_json::from_str(text).map_err(|e| format!("the file is not a romcam client export ({e})"))?;
    if !READABLE_FORMATS.contains(&export.format.as_str()) {
        return Err(format!(
            "the file is a {:?} export; this romcam reads {}",
            export.format,
            READABLE_FORMATS.join(" and ")
        ));
    }
    check_timestamp("the export's date", &export.exported_at)?;
    let c = &export.client;
    check_client_code(&c.code)?;
    check_text("the client's name", c.name.as_deref())?;
    check_text("the client's notes", c.notes.as_deref())?;
    check_timestamp("the client's creation time", &c.created_at)?;
    let mut dates = std::collections::HashSet::new();
    let mut uids = std::collections::HashSet::new();
    for s in &export.sessions {
        check_date(&s.date)?;
        if !dates.insert(s.date.as_str()) {
            return Err(format!("the export has session {} twice", s.date));
        }
        check_text(&format!("session {}'s notes", s.date), s.notes.as_deref())?;
        for (i, a) in s.assessments.iter().enumerate() {
            let which = format!("session {}, assessment {}", s.date, i + 1);
            check_assessment(a).map_err(|why| format!("{which} is refused: {why}"))?;
            check_text(&format!("{which}'s notes"), a.notes.as_deref())?;
            if !uids.insert(a.uid.as_str()) {
                return Err(format!(
                    "{which} is refused: its record id {} appears twice in the export",
                    a.uid
                ));
            }
        }
    }
    let mut audit_uids = std::collections::HashSet::new();
    for (i, e) in export.audit.iter().enumerate() {
        check_audit(e).map_err(|why| format!("audit entry {} is refused: {why}", i + 1))?;
        if !audit_uids.insert(e.uid.as_str()) {
            return Err(format!(
                "audit entry {} is refused: its id {} appears twice in the export",
                i + 1,
                e.uid
            ));
        }
    }
    Ok(export)
}

fn is_uid(text: &str) -> bool {
    text.len() == 32 && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// Checks one audit-trail entry; the error says why it is refused.
pub fn check_audit(e: &AuditRecord) -> Result<(), String> {
    if !is_uid(&e.uid) {
        return Err("it has no valid id".into());
    }
    if e.assessment_uid.as_deref().is_some_and(|u| !is_uid(u)) {
        return Err("it names no valid assessment id".into());
    }
    if !matches!(e.action.as_str(), "amend" | "remove" | "replace" | "note") {
        return Err(format!("its action {:?} is not amend, remove, replace or note", e.action));
    }
    if e.action != "note" && e.assessment_uid.is_none() {
        return Err(format!("its {} names no assessment", e.action));
    }
    for (what, text) in [
        ("its field", Some(e.field.as_str())),
        ("its old value", e.old_value.as_deref()),
        ("its new value", e.new_value.as_deref()),
        ("its author", Some(e.by.as_str())),
    ] {
        check_text(what, text)?;
    }
    check_timestamp("its time", &e.at)
}

/// Checks one assessment record; the error says why it is refused.
pub fn check_assessment(a: &AssessmentRecord) -> Result<(), String> {
    if !is_uid(&a.uid) {
        return Err("it has no valid record id".into());
    }
    if !matches!(a.side.as_str(), "left" | "right")
        || !matches!(a.phase.as_str(), "before" | "after" | "none")
    {
        return Err(format!("it has side {:?} and phase {:?}", a.side, a.phase));
    }
    check_angle("hip_extension_deg", a.hip_extension_deg, HIP_EXTENSION_RANGE_DEG)?;
    check_angle("knee_flexion_deg", a.knee_flexion_deg, KNEE_FLEXION_RANGE_DEG)?;
    check_angle("uncertainty_deg", a.uncertainty_deg, UNCERTAINTY_RANGE_DEG)?;
    for (name, value) in
        [("video_path", &a.video_path), ("model", &a.model), ("romcam_version", &a.romcam_version)]
    {
        check_text(name, Some(value))?;
    }
    if !(a.video_sha256.len() == 64 && a.video_sha256.chars().all(|c| c.is_ascii_hexdigit())) {
        return Err("its video_sha256 is not a SHA-256 in hex".into());
    }
    check_timestamp("its creation time", &a.created_at)?;
    check_result(a)?;
    if let Some(b) = &a.key_frame_png_base64 {
        if b.len() > MAX_KEY_FRAME_BYTES / 3 * 4 + 4 {
            return Err(format!("its key frame is larger than {} MB", MAX_KEY_FRAME_BYTES / 1_000_000));
        }
        let png = base64::engine::general_purpose::STANDARD
            .decode(b)
            .map_err(|_| "its key-frame image is damaged (not base64)".to_string())?;
        let (w, h) = png_size(&png).ok_or_else(|| "its key-frame image is not a PNG file".to_string())?;
        if w == 0 || h == 0 || w as u64 * h as u64 > MAX_KEY_FRAME_PIXELS {
            return Err(format!("its key frame is {w} x {h} pixels (romcam accepts at most 4096 x 4096)"));
        }
    }
    Ok(())
}

/// The full result must be a romcam assessment that agrees with the figures stored beside it
/// (the history and the reports read one or the other).
fn check_result(a: &AssessmentRecord) -> Result<(), String> {
    let r = a.result.as_object().ok_or_else(|| "its result is not an object".to_string())?;
    if r.get("test_side").and_then(|v| v.as_str()) != Some(a.side.as_str()) {
        return Err(format!("its result's test_side does not match its side {:?}", a.side));
    }
    for (name, stored) in [
        ("hip_extension_deg", a.hip_extension_deg),
        ("knee_flexion_deg", a.knee_flexion_deg),
        ("uncertainty_deg", a.uncertainty_deg),
    ] {
        let in_result = match r.get(name) {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(v.as_f64().ok_or_else(|| format!("its result's {name} is not a number"))?),
        };
        let agree = match (stored, in_result) {
            (None, None) => true,
            (Some(x), Some(y)) => (x - y).abs() <= 1e-6 * x.abs().max(1.0),
            _ => false,
        };
        if !agree {
            return Err(format!(
                "its {name} ({}) contradicts its result ({})",
                show(stored),
                show(in_result)
            ));
        }
    }
    if a.hip_extension_deg.is_none() && !r.get("withheld_reason").is_some_and(|v| v.is_string()) {
        return Err("its hip extension is withheld without a reason".into());
    }
    if !a.thresholds.is_object() || r.get("criteria") != Some(&a.thresholds) {
        return Err("its thresholds contradict the criteria in its result".into());
    }
    check_numbers("result", &a.result)
}

/// Any angle in a result (a field named `*_deg`), per-frame ones included, must lie within
/// ±[`MAX_ANY_ANGLE_DEG`]; any time (`t`, `*_s`) within 0..[`MAX_TIME_S`]: the reports draw them.
fn check_numbers(path: &str, v: &serde_json::Value) -> Result<(), String> {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if let Some(x) = v.as_f64() {
                    let bad_angle = k.ends_with("_deg") && !(x.is_finite() && x.abs() <= MAX_ANY_ANGLE_DEG);
                    let bad_time = (k == "t" || k.ends_with("_s"))
                        && !(x.is_finite() && (0.0..=MAX_TIME_S).contains(&x));
                    if bad_angle || bad_time {
                        return Err(format!("its {path}.{k} {x} is out of range"));
                    }
                } else {
                    check_numbers(&format!("{path}.{k}"), v)?;
                }
            }
            Ok(())
        }
        serde_json::Value::Array(items) => items.iter().try_for_each(|item| check_numbers(path, item)),
        _ => Ok(()),
    }
}

fn show(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_else(|| "none".into())
}

fn check_angle(name: &str, value: Option<f64>, (lo, hi): (f64, f64)) -> Result<(), String> {
    match value {
        Some(v) if !(v.is_finite() && (lo..=hi).contains(&v)) => {
            Err(format!("its {name} {v} is outside {lo}..{hi}°"))
        }
        _ => Ok(()),
    }
}

fn check_text(what: &str, text: Option<&str>) -> Result<(), String> {
    match text {
        Some(t) if t.len() > MAX_TEXT_BYTES => Err(format!("{what} is longer than {MAX_TEXT_BYTES} bytes")),
        _ => Ok(()),
    }
}

/// Checks a time stamp as romcam writes them (RFC 3339, e.g. 2026-11-26T10:00:00.000Z).
fn check_timestamp(what: &str, t: &str) -> Result<(), String> {
    chrono::DateTime::parse_from_rfc3339(t).map(|_| ()).map_err(|_| {
        format!("{what} {:?} is not a time like 2026-11-26T10:00:00Z", t.chars().take(40).collect::<String>())
    })
}

/// Width and height from a PNG file's header (IHDR), without decoding it.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if png.get(..8)? != SIGNATURE || png.get(12..16)? != b"IHDR" {
        return None;
    }
    let word = |i: usize| Some(u32::from_be_bytes(png.get(i..i + 4)?.try_into().ok()?));
    Some((word(16)?, word(20)?))
}
