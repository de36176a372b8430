//! Correcting the record: amending an assessment (phase, session, note), removing one, a
//! client's note, and the audit trail that every such change appends to (what changed, the old
//! and the new value, when, and who). The trail belongs to the client: it travels with an
//! export and is erased with the client.

use super::db::{Conn, DbResult, OptionalExtension};
use crate::params;
use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::records::{
    drop_empty_sessions, now_utc, session_of, short_id, validate_date, Phase, StoredAssessment,
};
use super::{store_error, Store};
use crate::error::RomcamError;

/// What a change to the record was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// A field of an assessment was corrected (`amend`).
    Amend,
    /// An assessment was removed (`remove`).
    Remove,
    /// An assessment was replaced by a new one of the same video (`assess --replace`).
    Replace,
    /// The client's note was set (`note`).
    Note,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Amend => "amend",
            Action::Remove => "remove",
            Action::Replace => "replace",
            Action::Note => "note",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        match name {
            "amend" => Some(Action::Amend),
            "remove" => Some(Action::Remove),
            "replace" => Some(Action::Replace),
            "note" => Some(Action::Note),
            _ => None,
        }
    }
}

impl super::db::ToValue for Action {
    fn to_value(&self) -> super::db::Value {
        super::db::Value::Text(self.name().to_string())
    }
}
crate::text_value!(Action, "change");

/// One entry of the audit trail, as `history` shows it and an export carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The entry's own identifier (so that importing an export twice adds it once).
    pub uid: String,
    /// The uid of the assessment changed; None for a change to the client (its note).
    pub assessment_uid: Option<String>,
    pub action: Action,
    /// What changed: "phase", "session", "note" or "assessment" (a removal or replacement).
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    /// When, UTC (RFC 3339).
    pub at: String,
    /// Who: the therapist of the settings file, or else the user name.
    pub by: String,
}

impl AuditEntry {
    /// The entry in one line, for `history`.
    pub fn sentence(&self) -> String {
        let what = match &self.assessment_uid {
            Some(uid) => format!("assessment {}", short_id(uid)),
            None => "client".to_string(),
        };
        let value = |v: &Option<String>| v.clone().map(|v| format!("{v:?}")).unwrap_or_else(|| "none".into());
        let change = match self.action {
            Action::Amend => {
                format!(
                    "{what}: {} changed from {} to {}",
                    self.field,
                    value(&self.old_value),
                    value(&self.new_value)
                )
            }
            Action::Note => {
                format!("client note changed from {} to {}", value(&self.old_value), value(&self.new_value))
            }
            Action::Remove => format!("removed {}", self.old_value.clone().unwrap_or(what)),
            Action::Replace => format!(
                "replaced {} by {}",
                self.old_value.clone().unwrap_or(what),
                self.new_value.clone().unwrap_or_default()
            ),
        };
        let when = chrono::DateTime::parse_from_rfc3339(&self.at)
            .map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|_| self.at.clone());
        format!("{when} by {}: {change}", self.by)
    }
}

/// An entry about to be appended.
pub(crate) struct NewEntry<'a> {
    pub assessment_uid: Option<&'a str>,
    pub action: Action,
    pub field: &'a str,
    pub old_value: Option<&'a str>,
    pub new_value: Option<&'a str>,
    pub by: &'a str,
}

/// Appends one entry to a client's audit trail (inside the caller's transaction).
pub(crate) fn append(conn: &Conn, client_id: i64, e: &NewEntry) -> DbResult<Result<()>> {
    let uid = match super::records::new_uid() {
        Ok(u) => u,
        Err(e) => return Ok(Err(e)),
    };
    // on a clinic's server, who changed a record is the role that connected
    let role: Option<String> = if conn.is_postgres() {
        Some(conn.query_row("SELECT current_user::text", params![], |r| r.get(0))?)
    } else {
        None
    };
    let by = role.as_deref().unwrap_or(e.by);
    conn.execute(
        "INSERT INTO audit (uid, client_id, assessment_uid, action, field, old_value, new_value, at, \"by\") \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            uid,
            client_id,
            e.assessment_uid,
            e.action,
            e.field,
            e.old_value,
            e.new_value,
            now_utc(),
            by
        ],
    )?;
    Ok(Ok(()))
}

/// Writes an imported entry unless the trail already has it; true when it was added.
pub(crate) fn import_entry(conn: &Conn, client_id: i64, e: &AuditEntry) -> DbResult<bool> {
    Ok(conn.execute(
        "INSERT INTO audit (uid, client_id, assessment_uid, action, field, old_value, new_value, at, \"by\") \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
        params![e.uid, client_id, e.assessment_uid, e.action, e.field, e.old_value, e.new_value, e.at, e.by],
    )? == 1)
}

/// The longest note accepted, in bytes (as in an export).
pub const MAX_NOTE_BYTES: usize = super::export_format::MAX_TEXT_BYTES;

/// Refuses a note that is too long to store (exit 3).
pub fn check_note(note: &str) -> Result<()> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(RomcamError::Input(format!("the note is longer than {MAX_NOTE_BYTES} bytes")).into());
    }
    Ok(())
}

/// An empty or blank note clears the note.
pub(crate) fn note_value(note: &str) -> Option<&str> {
    Some(note.trim()).filter(|n| !n.is_empty())
}

/// The corrections `amend` was asked for; None leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Amendment {
    pub phase: Option<Phase>,
    /// YYYY-MM-DD.
    pub session_date: Option<String>,
    /// The new note ("" clears it).
    pub note: Option<String>,
}

impl Store {
    /// Corrects an assessment's phase, session or note in one transaction, appending one audit
    /// entry per field that changed, and returns those entries (none when every value was
    /// already the one asked for).
    pub fn amend(&mut self, given_id: &str, change: &Amendment, by: &str) -> Result<Vec<AuditEntry>> {
        let a = self.resolve(given_id)?;
        if let Some(d) = &change.session_date {
            validate_date(d)?;
        }
        if let Some(n) = &change.note {
            check_note(n)?;
        }
        let path = self.path.clone();
        let err = |e| store_error(&path, e);
        let tx = self.conn.write_transaction().map_err(err)?;
        let client_id = client_id_in(&tx, &path, &a.client)?;
        let mut fields: Vec<(&str, Option<String>, Option<String>)> = Vec::new();
        if let Some(p) = change.phase.filter(|p| *p != a.phase) {
            tx.execute("UPDATE assessments SET phase = ?1 WHERE id = ?2", params![p, a.row_id])
                .map_err(err)?;
            fields.push(("phase", Some(a.phase.to_string()), Some(p.to_string())));
        }
        if let Some(d) = change.session_date.as_ref().filter(|d| **d != a.session_date) {
            let session_id = session_of(&tx, client_id, d).map_err(err)?;
            tx.execute("UPDATE assessments SET session_id = ?1 WHERE id = ?2", params![session_id, a.row_id])
                .map_err(err)?;
            drop_empty_sessions(&tx, client_id).map_err(err)?;
            fields.push(("session", Some(a.session_date.clone()), Some(d.clone())));
        }
        if let Some(n) = &change.note {
            let new = note_value(n).map(str::to_string);
            if new != a.notes {
                tx.execute("UPDATE assessments SET notes = ?1 WHERE id = ?2", params![new, a.row_id])
                    .map_err(err)?;
                fields.push(("note", a.notes.clone(), new));
            }
        }
        for (field, old, new) in &fields {
            let entry = NewEntry {
                assessment_uid: Some(&a.uid),
                action: Action::Amend,
                field,
                old_value: old.as_deref(),
                new_value: new.as_deref(),
                by,
            };
            append(&tx, client_id, &entry).map_err(err)??;
        }
        let n = fields.len();
        let entries = trail_in(&tx, client_id).map_err(err)?;
        crate::interrupt::check()?;
        tx.commit().map_err(err)?;
        Ok(entries.into_iter().rev().take(n).rev().collect())
    }

    /// Removes one assessment (and its session when nothing else is left in it) in one
    /// transaction, and records the removal in the audit trail. Returns what was removed.
    pub fn remove(&mut self, given_id: &str, by: &str) -> Result<StoredAssessment> {
        let a = self.resolve(given_id)?;
        let path = self.path.clone();
        let err = |e| store_error(&path, e);
        let tx = self.conn.write_transaction().map_err(err)?;
        let client_id = client_id_in(&tx, &path, &a.client)?;
        tx.execute("DELETE FROM assessments WHERE id = ?1", params![a.row_id]).map_err(err)?;
        drop_empty_sessions(&tx, client_id).map_err(err)?;
        let what = describe(&a);
        let entry = NewEntry {
            assessment_uid: Some(&a.uid),
            action: Action::Remove,
            field: "assessment",
            old_value: Some(&what),
            new_value: None,
            by,
        };
        append(&tx, client_id, &entry).map_err(err)??;
        crate::interrupt::check()?;
        tx.commit().map_err(err)?;
        self.checkpoint()?;
        Ok(a)
    }

    /// Sets the note of a client in the store ("" clears it) and records the change in the
    /// audit trail. Returns whether anything changed.
    pub fn set_client_note(&mut self, code: &str, note: &str, by: &str) -> Result<bool> {
        self.require_client(code)?;
        check_note(note)?;
        let path = self.path.clone();
        let err = |e| store_error(&path, e);
        let tx = self.conn.write_transaction().map_err(err)?;
        let (client_id, old): (i64, Option<String>) = tx
            .query_row("SELECT id, notes FROM clients WHERE code = ?1", params![code], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(err)?;
        let new = note_value(note);
        if new == old.as_deref() {
            return Ok(false);
        }
        tx.execute("UPDATE clients SET notes = ?1 WHERE id = ?2", params![new, client_id]).map_err(err)?;
        let entry = NewEntry {
            assessment_uid: None,
            action: Action::Note,
            field: "note",
            old_value: old.as_deref(),
            new_value: new,
            by,
        };
        append(&tx, client_id, &entry).map_err(err)??;
        crate::interrupt::check()?;
        tx.commit().map_err(err)?;
        Ok(true)
    }

    /// A client's note, if one was written.
    pub fn client_note(&self, code: &str) -> Result<Option<String>> {
        let id = self.require_client(code)?;
        self.conn
            .query_row("SELECT notes FROM clients WHERE id = ?1", params![id], |r| r.get(0))
            .map_err(|e| store_error(&self.path, e))
    }

    /// A client's audit trail, oldest first.
    pub fn audit_trail(&self, code: &str) -> Result<Vec<AuditEntry>> {
        let id = self.require_client(code)?;
        trail_in(&self.conn, id).map_err(|e| store_error(&self.path, e))
    }
}

fn client_id_in(conn: &Conn, path: &std::path::Path, code: &str) -> Result<i64> {
    conn.query_row("SELECT id FROM clients WHERE code = ?1", params![code], |r| r.get(0))
        .optional()
        .map_err(|e| store_error(path, e))?
        .ok_or_else(|| RomcamError::Store(format!("no client {code:?} in the store")).into())
}

/// An assessment in words, for the audit trail of its removal.
fn describe(a: &StoredAssessment) -> String {
    let hip = match a.hip_extension_deg {
        Some(h) => format!("hip extension {h:+.1}°"),
        None => "result withheld".to_string(),
    };
    format!("assessment {} ({} leg, session {}, {}, {hip})", a.id, a.side, a.session_date, a.phase)
}

pub(crate) fn trail_in(conn: &Conn, client_id: i64) -> DbResult<Vec<AuditEntry>> {
    conn.query_map(
        "SELECT uid, assessment_uid, action, field, old_value, new_value, at, \"by\" FROM audit \
         WHERE client_id = ?1 ORDER BY at, id",
        params![client_id],
        |r| {
            Ok(AuditEntry {
                uid: r.get("uid")?,
                assessment_uid: r.get("assessment_uid")?,
                action: r.get("action")?,
                field: r.get("field")?,
                old_value: r.get("old_value")?,
                new_value: r.get("new_value")?,
                at: r.get("at")?,
                by: r.get("by")?,
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::export_format::{check_audit, AuditRecord};

    fn entry(action: Action, field: &str, old: Option<&str>, new: Option<&str>) -> AuditEntry {
        AuditEntry {
            uid: "1".repeat(32),
            assessment_uid: (action != Action::Note).then(|| "3fa2b1c4".to_string() + &"0".repeat(24)),
            action,
            field: field.into(),
            old_value: old.map(str::to_string),
            new_value: new.map(str::to_string),
            at: "2026-12-04T14:11:18.516Z".into(),
            by: "A. Jensen".into(),
        }
    }

    #[test]
    fn each_change_reads_as_one_sentence_with_when_and_who() {
        let e = entry(Action::Amend, "phase", Some("before"), Some("after"));
        assert_eq!(
            e.sentence(),
            "2026-12-04 14:11 UTC by A. Jensen: assessment 3fa2b1c4: phase changed from \"before\" to \"after\""
        );
        let e = entry(Action::Note, "note", None, Some("runner"));
        assert_eq!(
            e.sentence(),
            "2026-12-04 14:11 UTC by A. Jensen: client note changed from none to \"runner\""
        );
        let e = entry(Action::Remove, "assessment", Some("assessment 3fa2b1c4 (left leg, ...)"), None);
        assert!(e.sentence().ends_with("removed assessment 3fa2b1c4 (left leg, ...)"), "{}", e.sentence());
        for a in [Action::Amend, Action::Remove, Action::Replace, Action::Note] {
            assert_eq!(Action::from_name(a.name()), Some(a));
        }
    }

    #[test]
    fn an_export_s_audit_entries_are_checked() {
        let good = AuditRecord {
            uid: "a".repeat(32),
            assessment_uid: Some("b".repeat(32)),
            action: "amend".into(),
            field: "phase".into(),
            old_value: Some("before".into()),
            new_value: Some("after".into()),
            at: "2026-12-04T14:11:18Z".into(),
            by: "A. Jensen".into(),
        };
        assert_eq!(check_audit(&good), Ok(()));
        let bad = [
            AuditRecord { uid: "x".into(), ..good.clone() },
            AuditRecord { action: "rewrite".into(), ..good.clone() },
            AuditRecord { assessment_uid: None, ..good.clone() },
            AuditRecord { at: "yesterday".into(), ..good.clone() },
            AuditRecord { new_value: Some("x".repeat(20_000)), ..good.clone() },
        ];
        for b in bad {
            assert!(check_audit(&b).is_err(), "{b:?}");
        }
        assert_eq!(check_audit(&AuditRecord { action: "note".into(), assessment_uid: None, ..good }), Ok(()));
    }
}
