//! Clients, sessions and assessments: writing one assessment (one transaction) and reading them
//! back.

use std::io::Read;
use std::path::Path;

use anyhow::Result;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{store_error, Store};
use crate::assess::Assessment;
use crate::error::RomcamError;
use crate::measure::leg::Side;

/// When in a session an assessment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Before,
    After,
    None,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Before => "before",
            Phase::After => "after",
            Phase::None => "none",
        }
    }

    /// "before", "after" or "none", as printed, stored and exported.
    pub fn from_name(name: &str) -> Option<Phase> {
        match name {
            "before" => Some(Phase::Before),
            "after" => Some(Phase::After),
            "none" => Some(Phase::None),
            _ => None,
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Side and phase are TEXT columns holding their names ("left", "before"); the schema's CHECK
/// constraints allow no other value.
macro_rules! text_column {
    ($t:ty, $what:literal) => {
        impl rusqlite::types::ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.name().into())
            }
        }
        impl rusqlite::types::FromSql for $t {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let text = v.as_str()?;
                <$t>::from_name(text).ok_or_else(|| {
                    rusqlite::types::FromSqlError::Other(format!("{:?} is not a {}", text, $what).into())
                })
            }
        }
    };
}
text_column!(Phase, "phase");
text_column!(Side, "side");

/// What `assess --client` hands to the store.
pub struct NewAssessment<'a> {
    pub client: &'a str,
    /// YYYY-MM-DD
    pub session_date: &'a str,
    pub phase: Phase,
    pub assessment: &'a Assessment,
    pub video_path: &'a Path,
    pub video_sha256: String,
    pub key_frame_png: Option<Vec<u8>>,
}

/// One stored assessment, without its full JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredAssessment {
    pub id: i64,
    pub client: String,
    pub session_date: String,
    pub side: Side,
    pub phase: Phase,
    pub hip_extension_deg: Option<f64>,
    pub knee_flexion_deg: Option<f64>,
    pub uncertainty_deg: Option<f64>,
    pub created_at: String,
    pub video_path: String,
    pub video_sha256: String,
    pub model: String,
    pub romcam_version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientSummary {
    pub code: String,
    pub name: Option<String>,
    pub sessions: i64,
    pub assessments: i64,
    pub last_session: Option<String>,
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path)
        .map_err(|e| RomcamError::Input(format!("{}: cannot be read ({e})", path.display())))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| RomcamError::Input(format!("{}: cannot be read ({e})", path.display())))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(format!("{:x}", h.finalize()))
}

/// Refuses a client code that is not a short identifier (see `export_format::check_client_code`).
/// An invalid code is bad input (exit 3), whether it comes from the command line or from an
/// export file being imported.
pub fn validate_client_code(code: &str) -> Result<()> {
    super::export_format::check_client_code(code).map_err(|e| RomcamError::Input(e).into())
}

/// Refuses a session date that is not YYYY-MM-DD.
pub fn validate_date(date: &str) -> Result<()> {
    super::export_format::check_date(date).map_err(|e| RomcamError::Store(e).into())
}

/// A random 128-bit identifier that stays with an assessment through export and import.
pub fn new_uid() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| RomcamError::Store(format!("cannot draw a random record id: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub fn now_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

/// The one statement that writes an assessment row (used by `assess --client` and `import`).
pub(crate) const INSERT_ASSESSMENT: &str = "INSERT INTO assessments (session_id, side, phase, hip_extension_deg, \
     knee_flexion_deg, uncertainty_deg, result_json, video_path, video_sha256, model, romcam_version, thresholds_json, \
     created_at, key_frame_png, uid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

/// The columns [`row_to_stored`] reads, each named (SQLite leaves unnamed columns' names open).
const ASSESSMENT_COLUMNS: &str =
    "a.id AS id, c.code AS code, s.date AS date, a.side AS side, a.phase AS phase, \
     a.hip_extension_deg AS hip_extension_deg, a.knee_flexion_deg AS knee_flexion_deg, \
     a.uncertainty_deg AS uncertainty_deg, a.created_at AS created_at, a.video_path AS video_path, \
     a.video_sha256 AS video_sha256, a.model AS model, a.romcam_version AS romcam_version";

fn row_to_stored(r: &rusqlite::Row) -> rusqlite::Result<StoredAssessment> {
    Ok(StoredAssessment {
        id: r.get("id")?,
        client: r.get("code")?,
        session_date: r.get("date")?,
        side: r.get("side")?,
        phase: r.get("phase")?,
        hip_extension_deg: r.get("hip_extension_deg")?,
        knee_flexion_deg: r.get("knee_flexion_deg")?,
        uncertainty_deg: r.get("uncertainty_deg")?,
        created_at: r.get("created_at")?,
        video_path: r.get("video_path")?,
        video_sha256: r.get("video_sha256")?,
        model: r.get("model")?,
        romcam_version: r.get("romcam_version")?,
    })
}

impl Store {
    /// Stores one assessment, creating the client and session as needed, in one transaction.
    /// Re-assessing the same video makes a new record; nothing is overwritten.
    pub fn record_assessment(&mut self, new: &NewAssessment) -> Result<i64> {
        self.record_assessment_and(new, || Ok(()))
    }

    /// Stores one assessment as [`Store::record_assessment`] does, and runs `also` (writing the
    /// reports of the same assessment, say) inside the transaction, before it commits: when
    /// `also` fails, nothing is stored.
    pub fn record_assessment_and(
        &mut self,
        new: &NewAssessment,
        also: impl FnOnce() -> Result<()>,
    ) -> Result<i64> {
        validate_client_code(new.client)?;
        validate_date(new.session_date)?;
        let path = self.path.clone();
        let err = |e| store_error(&path, e);
        let result_json = serde_json::to_string(new.assessment)?;
        let thresholds_json = serde_json::to_string(&new.assessment.criteria)?;
        let tx =
            self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(err)?;
        let now = now_utc();
        tx.execute(
            "INSERT OR IGNORE INTO clients (code, created_at) VALUES (?1, ?2)",
            params![new.client, now],
        )
        .map_err(err)?;
        let client_id: i64 = tx
            .query_row("SELECT id FROM clients WHERE code = ?1", [new.client], |r| r.get(0))
            .map_err(err)?;
        tx.execute(
            "INSERT OR IGNORE INTO sessions (client_id, date) VALUES (?1, ?2)",
            params![client_id, new.session_date],
        )
        .map_err(err)?;
        let session_id: i64 = tx
            .query_row(
                "SELECT id FROM sessions WHERE client_id = ?1 AND date = ?2",
                params![client_id, new.session_date],
                |r| r.get(0),
            )
            .map_err(err)?;
        let a = new.assessment;
        tx.execute(
            INSERT_ASSESSMENT,
            params![
                session_id,
                a.test_side,
                new.phase,
                a.hip_extension_deg,
                a.knee_flexion_deg,
                a.uncertainty_deg,
                result_json,
                new.video_path.display().to_string(),
                new.video_sha256,
                a.model,
                a.romcam_version,
                thresholds_json,
                now,
                new.key_frame_png,
                new_uid()?,
            ],
        )
        .map_err(err)?;
        let id = tx.last_insert_rowid();
        crate::interrupt::check()?;
        also()?;
        tx.commit().map_err(err)?;
        Ok(id)
    }

    pub fn clients(&self) -> Result<Vec<ClientSummary>> {
        let err = |e| store_error(&self.path, e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.code AS code, c.name AS name, \
                   (SELECT COUNT(*) FROM sessions s WHERE s.client_id = c.id) AS sessions, \
                   (SELECT COUNT(*) FROM assessments a JOIN sessions s ON a.session_id = s.id WHERE s.client_id = c.id) AS assessments, \
                   (SELECT MAX(date) FROM sessions s WHERE s.client_id = c.id) AS last_session \
                 FROM clients c ORDER BY c.code",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ClientSummary {
                    code: r.get("code")?,
                    name: r.get("name")?,
                    sessions: r.get("sessions")?,
                    assessments: r.get("assessments")?,
                    last_session: r.get("last_session")?,
                })
            })
            .map_err(err)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(err)
    }

    /// Fails with a clear message when the client is not in the store.
    pub fn require_client(&self, code: &str) -> Result<i64> {
        self.conn
            .query_row("SELECT id FROM clients WHERE code = ?1", [code], |r| r.get(0))
            .optional()
            .map_err(|e| store_error(&self.path, e))?
            .ok_or_else(|| {
                RomcamError::Store(format!("no client {code:?} in the store {}", self.path.display())).into()
            })
    }

    /// Every assessment of a client, oldest first.
    pub fn history(&self, code: &str) -> Result<Vec<StoredAssessment>> {
        self.require_client(code)?;
        let err = |e| store_error(&self.path, e);
        let sql = format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments a JOIN sessions s ON a.session_id = s.id \
             JOIN clients c ON s.client_id = c.id WHERE c.code = ?1 ORDER BY s.date, a.created_at, a.id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(err)?;
        let rows = stmt.query_map([code], row_to_stored).map_err(err)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(err)
    }

    /// One assessment by id, with its full result.
    pub fn assessment(&self, id: i64) -> Result<(StoredAssessment, Assessment)> {
        let err = |e| store_error(&self.path, e);
        let sql = format!(
            "SELECT {ASSESSMENT_COLUMNS}, a.result_json AS result_json FROM assessments a JOIN sessions s ON a.session_id = s.id \
             JOIN clients c ON s.client_id = c.id WHERE a.id = ?1"
        );
        let (stored, json): (StoredAssessment, String) = self
            .conn
            .query_row(&sql, [id], |r| Ok((row_to_stored(r)?, r.get("result_json")?)))
            .optional()
            .map_err(err)?
            .ok_or_else(|| RomcamError::Store(format!("no assessment {id} in the store")))?;
        let full: Assessment = serde_json::from_str(&json)
            .map_err(|e| RomcamError::Store(format!("assessment {id} in the store cannot be read: {e}")))?;
        Ok((stored, full))
    }

    /// The annotated key frame (PNG) stored with an assessment, if one was.
    pub fn key_frame(&self, id: i64) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_row("SELECT key_frame_png FROM assessments WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| store_error(&self.path, e))?
            .ok_or_else(|| RomcamError::Store(format!("no assessment {id} in the store")).into())
    }

    /// Erases a client with every session and assessment (right to erasure). Deleted pages are
    /// overwritten (secure_delete) and the write-ahead log is truncated.
    pub fn delete_client(&mut self, code: &str) -> Result<usize> {
        self.require_client(code)?;
        let path = self.path.clone();
        let err = |e| store_error(&path, e);
        let tx =
            self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(err)?;
        let n: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM assessments a JOIN sessions s ON a.session_id = s.id \
                 JOIN clients c ON s.client_id = c.id WHERE c.code = ?1",
                [code],
                |r| r.get(0),
            )
            .map_err(err)?;
        tx.execute("DELETE FROM clients WHERE code = ?1", [code]).map_err(err)?;
        tx.commit().map_err(err)?;
        self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").map_err(err)?;
        Ok(n as usize)
    }
}
