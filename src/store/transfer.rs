//! Export and import of a client's records as JSON (backups, moving to another laptop). An
//! export carries every record whole or is refused; an import adds all of a file's new records
//! in one transaction.

use std::collections::HashSet;

use super::db::{Conn, DbResult, OptionalExtension};
use crate::params;
use anyhow::Result;
use base64::Engine;

use super::audit::{self, Action, AuditEntry};
pub use super::export_format::{
    AssessmentRecord, AuditRecord, ClientExport, ClientRecord, ImportSummary, SessionRecord, EXPORT_FORMAT,
};
use super::{store_error, Store};
use crate::error::RomcamError;

/// Parses and checks an export file's text (the part of import that reads untrusted input):
/// every record completely, its full result included, before anything is written.
pub fn parse_export(text: &str) -> Result<ClientExport> {
    let export = super::export_format::parse_export(text).map_err(RomcamError::Input)?;
    for s in &export.sessions {
        for (i, a) in s.assessments.iter().enumerate() {
            serde_json::from_value::<crate::assess::Assessment>(a.result.clone()).map_err(|e| {
                RomcamError::Input(format!(
                    "session {}, assessment {} is refused: its result is not a romcam assessment ({e})",
                    s.date,
                    i + 1
                ))
            })?;
        }
    }
    Ok(export)
}

/// Reads an export file (at most [`MAX_EXPORT_BYTES`](super::export_format::MAX_EXPORT_BYTES),
/// so that a device such as /dev/zero or a huge file cannot exhaust memory) and checks it.
pub fn read_export_file(file: &std::path::Path) -> Result<ClientExport> {
    use std::io::Read;
    let limit = super::export_format::MAX_EXPORT_BYTES;
    let cannot = |e: std::io::Error| RomcamError::Input(format!("{}: cannot be read ({e})", file.display()));
    let f = std::fs::File::open(file).map_err(cannot)?;
    if f.metadata().map_err(cannot)?.is_dir() {
        return Err(RomcamError::Input(format!("{}: is a folder, not an export file", file.display())).into());
    }
    let mut bytes = Vec::new();
    f.take(limit + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(RomcamError::Input(format!(
            "{}: is larger than {} MB, more than a romcam export holds",
            file.display(),
            limit / 1_000_000
        ))
        .into());
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        RomcamError::Input(format!("{}: is not a romcam client export (not UTF-8 text)", file.display()))
    })?;
    parse_export(&text).map_err(|e| RomcamError::Input(format!("{}: {e}", file.display())).into())
}

impl Store {
    /// Every record of a client. A stored result or threshold set that is not valid JSON is
    /// refused rather than exported as null, which a later import would keep as lost.
    pub fn export_client(&self, code: &str) -> Result<ClientExport> {
        let client_id = self.require_client(code)?;
        let err = |e| store_error(&self.path, e);
        let client = self
            .conn
            .query_row(
                "SELECT code, name, notes, created_at FROM clients WHERE id = ?1",
                params![client_id],
                |r| {
                    Ok(ClientRecord {
                        code: r.get("code")?,
                        name: r.get("name")?,
                        notes: r.get("notes")?,
                        created_at: r.get("created_at")?,
                    })
                },
            )
            .map_err(err)?;
        let mut stmt = self
            .conn
            .prepare("SELECT id, date, notes FROM sessions WHERE client_id = ?1 ORDER BY date")
            .map_err(err)?;
        let sessions: Vec<(i64, String, Option<String>)> = stmt
            .query_map(params![client_id], |r| Ok((r.get("id")?, r.get("date")?, r.get("notes")?)))
            .map_err(err)?
            .collect::<DbResult<_>>()
            .map_err(err)?;
        let mut out = Vec::new();
        for (id, date, notes) in sessions {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT id, side, phase, hip_extension_deg, knee_flexion_deg, uncertainty_deg, result_json, \
                     video_path, video_sha256, model, romcam_version, thresholds_json, created_at, key_frame_png, uid, notes \
                     FROM assessments WHERE session_id = ?1 ORDER BY created_at, id",
                )
                .map_err(err)?;
            let rows = stmt
                .query_map(params![id], |r| {
                    let png: Option<Vec<u8>> = r.get("key_frame_png")?;
                    let record = AssessmentRecord {
                        uid: r.get("uid")?,
                        side: r.get("side")?,
                        phase: r.get("phase")?,
                        hip_extension_deg: r.get("hip_extension_deg")?,
                        knee_flexion_deg: r.get("knee_flexion_deg")?,
                        uncertainty_deg: r.get("uncertainty_deg")?,
                        result: serde_json::Value::Null,
                        video_path: r.get("video_path")?,
                        video_sha256: r.get("video_sha256")?,
                        model: r.get("model")?,
                        romcam_version: r.get("romcam_version")?,
                        thresholds: serde_json::Value::Null,
                        created_at: r.get("created_at")?,
                        key_frame_png_base64: png
                            .map(|p| base64::engine::general_purpose::STANDARD.encode(p)),
                        notes: r.get("notes")?,
                    };
                    let uid: String = r.get("uid")?;
                    let json: (String, String, String) = (
                        super::records::short_id(&uid).to_string(),
                        r.get("result_json")?,
                        r.get("thresholds_json")?,
                    );
                    Ok((record, json))
                })
                .map_err(err)?;
            let mut assessments = Vec::new();
            for row in rows {
                let (mut record, (assessment_id, result, thresholds)) = row.map_err(err)?;
                let parse = |text: &str, what: &str| {
                    serde_json::from_str(text).map_err(|e| {
                        RomcamError::Store(format!(
                            "assessment {assessment_id} of client {code:?} has a damaged stored {what} ({e}); nothing was exported"
                        ))
                    })
                };
                record.result = parse(&result, "result")?;
                record.thresholds = parse(&thresholds, "threshold set")?;
                // an export leaves the laptop: the clip's file name only, never the folders
                // (which may name the client); the store keeps the full path
                record.video_path = crate::fsutil::file_name_only(&record.video_path);
                if let Some(video) = record.result.get_mut("video") {
                    if let Some(path) = video.as_str().map(crate::fsutil::file_name_only) {
                        *video = serde_json::Value::String(path);
                    }
                }
                assessments.push(record);
            }
            out.push(SessionRecord { date, notes, assessments });
        }
        let audit = audit::trail_in(&self.conn, client_id)
            .map_err(err)?
            .into_iter()
            .map(|e| AuditRecord {
                uid: e.uid,
                assessment_uid: e.assessment_uid,
                action: e.action.name().to_string(),
                field: e.field,
                old_value: e.old_value,
                new_value: e.new_value,
                at: e.at,
                by: e.by,
            })
            .collect();
        Ok(ClientExport {
            format: EXPORT_FORMAT.into(),
            exported_at: super::records::now_utc(),
            client,
            sessions: out,
            audit,
        })
    }

    /// Adds an export's records to the store in one transaction. Records already present (the
    /// same uid) are skipped, so importing twice adds nothing; the audit trail's entries are
    /// added once each (by their own uid). A record the trail says was removed or replaced is
    /// not brought back (and is removed here when the file brings that removal); a present
    /// record that the file's new trail entries amended takes the file's phase, session and
    /// note.
    pub fn import_client(&mut self, export: &ClientExport) -> Result<ImportSummary> {
        let path = self.path.clone();
        let err = |e| store_error(&path, e);
        let tx = self.conn.write_transaction().map_err(err)?;
        let c = &export.client;
        tx.execute(
            "INSERT INTO clients (code, name, notes, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![c.code, c.name, c.notes, c.created_at],
        )
        .map_err(err)?;
        let client_id: i64 = tx
            .query_row("SELECT id FROM clients WHERE code = ?1", params![&c.code], |r| r.get(0))
            .map_err(err)?;
        let count_sessions = |tx: &Conn| -> DbResult<i64> {
            tx.query_row("SELECT COUNT(*) FROM sessions WHERE client_id = ?1", params![client_id], |r| {
                r.get(0)
            })
        };
        let sessions_before = count_sessions(&tx).map_err(err)?;
        let mut summary = ImportSummary { client: c.code.clone(), ..ImportSummary::default() };
        // the trail first: which records were removed, and which the file's new entries changed
        let mut amended_here: HashSet<String> = HashSet::new();
        for e in &export.audit {
            let entry = AuditEntry {
                uid: e.uid.clone(),
                assessment_uid: e.assessment_uid.clone(),
                action: Action::from_name(&e.action).ok_or_else(|| {
                    RomcamError::Input(format!(
                        "the export has an audit entry of unknown kind {:?}",
                        e.action
                    ))
                })?,
                field: e.field.clone(),
                old_value: e.old_value.clone(),
                new_value: e.new_value.clone(),
                at: e.at.clone(),
                by: e.by.clone(),
            };
            if audit::import_entry(&tx, client_id, &entry).map_err(err)? {
                summary.audit_entries_added += 1;
                match (entry.action, &entry.assessment_uid) {
                    (Action::Amend, Some(uid)) => {
                        amended_here.insert(uid.clone());
                    }
                    (Action::Note, _) => {
                        tx.execute(
                            "UPDATE clients SET notes = ?1 WHERE id = ?2",
                            params![c.notes, client_id],
                        )
                        .map_err(err)?;
                    }
                    _ => {}
                }
            }
        }
        let removed: HashSet<String> = audit::trail_in(&tx, client_id)
            .map_err(err)?
            .into_iter()
            .filter(|e| matches!(e.action, Action::Remove | Action::Replace))
            .filter_map(|e| e.assessment_uid)
            .collect();
        for s in &export.sessions {
            tx.execute(
                "INSERT INTO sessions (client_id, date, notes) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                params![client_id, s.date, s.notes],
            )
            .map_err(err)?;
            let session_id: i64 = tx
                .query_row(
                    "SELECT id FROM sessions WHERE client_id = ?1 AND date = ?2",
                    params![client_id, s.date],
                    |r| r.get(0),
                )
                .map_err(err)?;
            for a in &s.assessments {
                let present: Option<i64> = tx
                    .query_row("SELECT id FROM assessments WHERE uid = ?1", params![&a.uid], |r| r.get(0))
                    .optional()
                    .map_err(err)?;
                if let Some(id) = present {
                    // the same record under another client (a renamed export) is refused,
                    // not skipped: skipping it would leave an empty client behind
                    let owner: String = tx
                        .query_row(
                            "SELECT c.code FROM assessments a JOIN sessions s ON a.session_id = s.id \
                             JOIN clients c ON s.client_id = c.id WHERE a.id = ?1",
                            params![id],
                            |r| r.get(0),
                        )
                        .map_err(err)?;
                    if owner != c.code {
                        return Err(RomcamError::Input(format!(
                            "session {}, assessment {} is refused: the store already holds it for client {owner:?}, not {:?} (was the export's client code changed?); nothing was imported",
                            s.date, a.uid, c.code
                        ))
                        .into());
                    }
                    if removed.contains(&a.uid) {
                        tx.execute("DELETE FROM assessments WHERE id = ?1", params![id]).map_err(err)?;
                        summary.assessments_removed_here += 1;
                    } else {
                        if amended_here.contains(&a.uid) {
                            tx.execute(
                                "UPDATE assessments SET session_id = ?1, phase = ?2, notes = ?3 WHERE id = ?4",
                                params![session_id, a.phase, a.notes, id],
                            )
                            .map_err(err)?;
                        }
                        summary.assessments_already_present += 1;
                    }
                    continue;
                }
                if removed.contains(&a.uid) {
                    summary.assessments_removed_here += 1;
                    continue;
                }
                let png = match &a.key_frame_png_base64 {
                    Some(b) => Some(base64::engine::general_purpose::STANDARD.decode(b).map_err(|_| {
                        RomcamError::Input("the export has a damaged key-frame image".into())
                    })?),
                    None => None,
                };
                tx.execute(
                    super::records::INSERT_ASSESSMENT,
                    params![
                        session_id,
                        a.side,
                        a.phase,
                        a.hip_extension_deg,
                        a.knee_flexion_deg,
                        a.uncertainty_deg,
                        a.result.to_string(),
                        a.video_path,
                        a.video_sha256,
                        a.model,
                        a.romcam_version,
                        a.thresholds.to_string(),
                        a.created_at,
                        png,
                        a.uid,
                        a.notes,
                    ],
                )
                .map_err(err)?;
                summary.assessments_added += 1;
            }
        }
        // records the file's trail removed that are not in the file at all
        for uid in &removed {
            summary.assessments_removed_here += tx
                .execute(
                    "DELETE FROM assessments WHERE uid = ?1 AND session_id IN \
                     (SELECT id FROM sessions WHERE client_id = ?2)",
                    params![uid, client_id],
                )
                .map_err(err)?;
        }
        super::records::drop_empty_sessions(&tx, client_id).map_err(err)?;
        summary.sessions_added = (count_sessions(&tx).map_err(err)? - sessions_before).max(0) as usize;
        crate::interrupt::check()?;
        tx.commit().map_err(err)?;
        Ok(summary)
    }
}
