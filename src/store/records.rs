//! Clients, sessions and assessments: writing one assessment (one transaction) and reading them
//! back.

use std::io::Read;
use std::path::Path;

use super::db::{Conn, DbResult, OptionalExtension};
use crate::params;
use anyhow::Result;
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

/// What `assess --client` hands to the store.
pub struct NewAssessment<'a> {
    /// `--replace`: an earlier assessment of the same video for the same client is replaced
    /// (and the replacement recorded in the audit trail); without it, such a video is refused.
    pub replace: bool,
    /// `--note`: a free-text note stored with the assessment.
    pub note: Option<&'a str>,
    /// Who stores it, for the audit trail of a replacement (the settings' therapist or the
    /// OS user).
    pub by: &'a str,
    pub client: &'a str,
    /// YYYY-MM-DD
    pub session_date: &'a str,
    pub phase: Phase,
    pub assessment: &'a Assessment,
    pub video_path: &'a Path,
    pub video_sha256: String,
    pub key_frame_png: Option<Vec<u8>>,
    /// The uid to store it under, when drawn beforehand ([`Store::draw_uid`]: the reports of
    /// `assess --client --report` print its short id); None draws one.
    pub uid: Option<String>,
}

/// One stored assessment, without its full JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredAssessment {
    /// The store's row number: internal only, never shown or accepted (an import may give the
    /// same record another one).
    #[serde(skip)]
    pub row_id: i64,
    /// The identifier shown and accepted everywhere: [`short_id`] of `uid`.
    pub id: String,
    /// The record's identifier (128 bits, hex), the same in every store it is imported into.
    pub uid: String,
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
    /// The assessment's note (`assess --note`, `amend --note`).
    pub notes: Option<String>,
    /// How many corrections (`amend`) the audit trail holds for this record.
    pub amendments: usize,
}

impl StoredAssessment {
    /// A stored assessment for unit tests: row `id` (its ids follow from it), client C1, made at
    /// 10:00:`id` on `date`; knee flexion 60° + hip, and the uncertainty 0.8°, when `hip` is
    /// measured.
    #[cfg(test)]
    pub fn for_test(id: i64, date: &str, side: Side, phase: Phase, hip: Option<f64>) -> StoredAssessment {
        StoredAssessment {
            row_id: id,
            id: format!("{id:08x}"),
            uid: format!("{id:032x}"),
            client: "C1".into(),
            session_date: date.into(),
            side,
            phase,
            hip_extension_deg: hip,
            knee_flexion_deg: hip.map(|h| 60.0 + h),
            uncertainty_deg: hip.map(|_| 0.8),
            created_at: format!("{date}T10:00:{id:02}Z"),
            video_path: format!("/clips/{id}.mp4"),
            video_sha256: "0".repeat(64),
            model: "m".into(),
            romcam_version: "0.1.0".into(),
            notes: None,
            amendments: 0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientSummary {
    pub code: String,
    pub name: Option<String>,
    pub sessions: i64,
    pub assessments: i64,
    pub last_session: Option<String>,
    /// The latest measured assessment of each side (withheld ones skipped), left first.
    pub latest: Vec<LatestOfSide>,
}

/// A client's latest measured figures for one leg (`romcam clients`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LatestOfSide {
    pub side: Side,
    /// The assessment's id ([`short_id`]).
    pub id: String,
    pub session_date: String,
    pub phase: Phase,
    pub hip_extension_deg: f64,
    pub knee_flexion_deg: Option<f64>,
    /// As stored with the assessment, e.g. "positive: iliopsoas shortening".
    pub classification: String,
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

/// How many hex digits of a record's uid are shown: the short id of every report, `history`
/// and the commands that take an assessment.
pub const SHORT_ID_LEN: usize = 8;
/// The shortest prefix of a uid that the commands accept.
pub const MIN_ID_PREFIX: usize = 4;

/// The short, readable form of a record's uid, as every report and command shows it (the first
/// [`SHORT_ID_LEN`] hex digits). It never changes: the uid travels with the record through
/// export and import.
pub fn short_id(uid: &str) -> &str {
    uid.get(..SHORT_ID_LEN).unwrap_or(uid)
}

/// Checks an assessment id typed on the command line (the short id `romcam history` shows, a
/// whole uid, or a prefix of at least [`MIN_ID_PREFIX`] hex digits) and returns it in lower
/// case; the error is one sentence.
pub fn parse_assessment_id(given: &str) -> Result<String, String> {
    let id = given.trim().to_ascii_lowercase();
    if id.len() < MIN_ID_PREFIX || id.len() > 32 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "{given:?} is not an assessment id: use the {SHORT_ID_LEN}-character id that `romcam history` shows (or at least its first {MIN_ID_PREFIX} characters)"
        ));
    }
    Ok(id)
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
     created_at, key_frame_png, uid, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";

/// What [`Store::record_assessment_and`] stored.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The new assessment's uid.
    pub uid: String,
    /// The earlier assessments of the same video that it replaced (`--replace`), the latest
    /// first.
    pub replaced: Vec<Duplicate>,
}

/// An earlier assessment of the same video for the same client (see [`Store::find_duplicate`]).
#[derive(Debug, Clone)]
pub struct Duplicate {
    pub row_id: i64,
    pub uid: String,
    pub session_date: String,
    pub phase: Phase,
    pub side: Side,
}

impl Duplicate {
    /// The sentence that refuses storing the same video again.
    pub fn refusal(&self, client: &str) -> RomcamError {
        RomcamError::Conflict(format!(
            "client {client} already has this video (the same SHA-256) as assessment {} (session {}, {}); nothing was stored: add --replace to replace that assessment",
            short_id(&self.uid),
            self.session_date,
            self.phase
        ))
    }

    /// The replaced record in words, for the audit trail.
    fn describe(&self) -> String {
        format!(
            "assessment {} ({} leg, session {}, {})",
            short_id(&self.uid),
            self.side,
            self.session_date,
            self.phase
        )
    }
}

/// Every assessment of the video with this SHA-256 for this client, the latest first (a store
/// from before schema 2 may hold the same video more than once).
fn duplicates_in(conn: &Conn, client: &str, sha: &str) -> DbResult<Vec<Duplicate>> {
    let mut stmt = conn.prepare(
        "SELECT a.id, a.uid, s.date, a.phase, a.side FROM assessments a JOIN sessions s ON a.session_id = s.id \
         JOIN clients c ON s.client_id = c.id WHERE c.code = ?1 AND a.video_sha256 = ?2 \
         ORDER BY s.date DESC, a.created_at DESC, a.id DESC",
    )?;
    let rows = stmt.query_map(params![client, sha], |r| {
        Ok(Duplicate {
            row_id: r.get(0)?,
            uid: r.get(1)?,
            session_date: r.get(2)?,
            phase: r.get(3)?,
            side: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// The id of the client's session on `date`, created when there is none.
pub(crate) fn session_of(conn: &Conn, client_id: i64, date: &str) -> DbResult<i64> {
    conn.execute(
        "INSERT INTO sessions (client_id, date) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        params![client_id, date],
    )?;
    conn.query_row(
        "SELECT id FROM sessions WHERE client_id = ?1 AND date = ?2",
        params![client_id, date],
        |r| r.get(0),
    )
}

/// Deletes the client's sessions that no longer hold an assessment and have no note.
pub(crate) fn drop_empty_sessions(conn: &Conn, client_id: i64) -> DbResult<usize> {
    conn.execute(
        "DELETE FROM sessions WHERE client_id = ?1 AND notes IS NULL \
         AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.session_id = sessions.id)",
        params![client_id],
    )
}

/// A new uid whose short form no record in the store has yet, so that the short id names
/// one record.
fn unused_uid(conn: &Conn) -> DbResult<Result<String>> {
    loop {
        let uid = match new_uid() {
            Ok(u) => u,
            Err(e) => return Ok(Err(e)),
        };
        let taken: i64 = conn.query_row(
            "SELECT COUNT(*) FROM assessments WHERE substr(uid, 1, ?1) = ?2",
            params![SHORT_ID_LEN as i64, short_id(&uid)],
            |r| r.get(0),
        )?;
        if taken == 0 {
            return Ok(Ok(uid));
        }
    }
}

/// The columns [`row_to_stored`] reads, each named (SQLite leaves unnamed columns' names open).
const ASSESSMENT_COLUMNS: &str = "a.id AS id, a.uid AS uid, a.notes AS notes, \
     (SELECT COUNT(*) FROM audit u WHERE u.assessment_uid = a.uid AND u.action = 'amend') AS amendments, \
     c.code AS code, s.date AS date, a.side AS side, a.phase AS phase, \
     a.hip_extension_deg AS hip_extension_deg, a.knee_flexion_deg AS knee_flexion_deg, \
     a.uncertainty_deg AS uncertainty_deg, a.created_at AS created_at, a.video_path AS video_path, \
     a.video_sha256 AS video_sha256, a.model AS model, a.romcam_version AS romcam_version";

fn row_to_stored(r: &super::db::Row) -> DbResult<StoredAssessment> {
    let uid: String = r.get("uid")?;
    Ok(StoredAssessment {
        row_id: r.get("id")?,
        id: short_id(&uid).to_string(),
        uid,
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
        notes: r.get("notes")?,
        amendments: r.get::<i64>("amendments")? as usize,
    })
}

impl Store {
    /// Stores one assessment, creating the client and session as needed, in one transaction,
    /// and returns its uid. The same video stored again for the same client is refused
    /// ([`RomcamError::Conflict`]) unless `new.replace`.
    pub fn record_assessment(&mut self, new: &NewAssessment) -> Result<String> {
        Ok(self.record_assessment_and(new, || Ok(()))?.uid)
    }

    /// A new uid whose short id no stored record has, for an assessment about to be stored.
    pub fn draw_uid(&self) -> Result<String> {
        unused_uid(&self.conn).map_err(|e| store_error(&self.path, e))?
    }

    /// An earlier assessment of the video with this SHA-256 for this client, if there is one.
    pub fn find_duplicate(&self, client: &str, video_sha256: &str) -> Result<Option<Duplicate>> {
        let all = duplicates_in(&self.conn, client, video_sha256).map_err(|e| store_error(&self.path, e))?;
        Ok(all.into_iter().next())
    }

    /// Stores one assessment as [`Store::record_assessment`] does, and runs `also` (writing the
    /// reports of the same assessment, say) inside the transaction, before it commits: when
    /// `also` fails, nothing is stored. With `new.replace`, an earlier assessment of the same
    /// video is deleted in the same transaction and the replacement goes into the audit trail.
    pub fn record_assessment_and(
        &mut self,
        new: &NewAssessment,
        also: impl FnOnce() -> Result<()>,
    ) -> Result<Recorded> {
        validate_client_code(new.client)?;
        validate_date(new.session_date)?;
        if let Some(note) = new.note {
            super::audit::check_note(note)?;
        }
        let path = self.path.clone();
        let err = |e| store_error(&path, e);
        let result_json = serde_json::to_string(new.assessment)?;
        let thresholds_json = serde_json::to_string(&new.assessment.criteria)?;
        let tx = self.conn.write_transaction().map_err(err)?;
        let earlier = duplicates_in(&tx, new.client, &new.video_sha256).map_err(err)?;
        if let Some(d) = earlier.first() {
            if !new.replace {
                return Err(d.refusal(new.client).into());
            }
        }
        let now = now_utc();
        tx.execute(
            "INSERT INTO clients (code, created_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![new.client, now],
        )
        .map_err(err)?;
        let client_id: i64 = tx
            .query_row("SELECT id FROM clients WHERE code = ?1", params![new.client], |r| r.get(0))
            .map_err(err)?;
        let session_id = session_of(&tx, client_id, new.session_date).map_err(err)?;
        let a = new.assessment;
        let uid = match &new.uid {
            Some(u) => u.clone(),
            None => unused_uid(&tx).map_err(err)??,
        };
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
                uid,
                new.note.and_then(super::audit::note_value),
            ],
        )
        .map_err(err)?;
        for d in &earlier {
            tx.execute("DELETE FROM assessments WHERE id = ?1", params![d.row_id]).map_err(err)?;
            drop_empty_sessions(&tx, client_id).map_err(err)?;
            super::audit::append(
                &tx,
                client_id,
                &super::audit::NewEntry {
                    assessment_uid: Some(&d.uid),
                    action: super::audit::Action::Replace,
                    field: "assessment",
                    old_value: Some(&d.describe()),
                    new_value: Some(&format!("assessment {} of the same video", short_id(&uid))),
                    by: new.by,
                },
            )
            .map_err(err)??;
        }
        crate::interrupt::check()?;
        also()?;
        tx.commit().map_err(err)?;
        Ok(Recorded { uid, replaced: earlier })
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
            .query_map(params![], |r| {
                Ok(ClientSummary {
                    code: r.get("code")?,
                    name: r.get("name")?,
                    sessions: r.get("sessions")?,
                    assessments: r.get("assessments")?,
                    last_session: r.get("last_session")?,
                    latest: Vec::new(),
                })
            })
            .map_err(err)?;
        let mut list = rows.collect::<DbResult<Vec<_>>>().map_err(err)?;
        let latest_sql = format!(
            "SELECT a.uid, s.date, a.phase, a.hip_extension_deg, a.knee_flexion_deg, \
                   {} AS classification \
                 FROM assessments a JOIN sessions s ON a.session_id = s.id JOIN clients c ON s.client_id = c.id \
                 WHERE c.code = ?1 AND a.side = ?2 AND a.hip_extension_deg IS NOT NULL \
                 ORDER BY s.date DESC, a.created_at DESC, a.id DESC LIMIT 1",
            self.conn.json_text("a.result_json", "classification")
        );
        let mut latest = self.conn.prepare(&latest_sql).map_err(err)?;
        for client in &mut list {
            for side in [Side::Left, Side::Right] {
                let found = latest
                    .query_row(params![client.code, side], |r| {
                        let uid: String = r.get(0)?;
                        Ok(LatestOfSide {
                            side,
                            id: short_id(&uid).to_string(),
                            session_date: r.get(1)?,
                            phase: r.get(2)?,
                            hip_extension_deg: r.get(3)?,
                            knee_flexion_deg: r.get(4)?,
                            classification: r.get::<Option<String>>(5)?.unwrap_or_default(),
                        })
                    })
                    .optional()
                    .map_err(err)?;
                client.latest.extend(found);
            }
        }
        Ok(list)
    }

    /// Fails with a clear message when the client is not in the store.
    pub fn require_client(&self, code: &str) -> Result<i64> {
        self.conn
            .query_row("SELECT id FROM clients WHERE code = ?1", params![code], |r| r.get(0))
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
        let rows = stmt.query_map(params![code], row_to_stored).map_err(err)?;
        rows.collect::<DbResult<Vec<_>>>().map_err(err)
    }

    /// The stored assessment that an id given on the command line names: its short id, its
    /// uid, or any prefix of the uid of at least [`MIN_ID_PREFIX`] hex digits that only one
    /// record has.
    pub fn resolve(&self, given: &str) -> Result<StoredAssessment> {
        let prefix = parse_assessment_id(given).map_err(RomcamError::Store)?;
        let err = |e| store_error(&self.path, e);
        let sql = format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments a JOIN sessions s ON a.session_id = s.id \
             JOIN clients c ON s.client_id = c.id WHERE substr(a.uid, 1, ?1) = ?2 LIMIT 2"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(err)?;
        let found = stmt
            .query_map(params![prefix.len() as i64, prefix], row_to_stored)
            .map_err(err)?
            .collect::<DbResult<Vec<_>>>()
            .map_err(err)?;
        match found.len() {
            0 => Err(RomcamError::Store(format!(
                "no assessment {given} in the store {} (`romcam history CODE` lists the ids)",
                self.path.display()
            ))
            .into()),
            1 => Ok(found.into_iter().next().expect("one")),
            _ => Err(RomcamError::Store(format!(
                "more than one assessment has an id starting with {given}; give more of it (`romcam history CODE` lists the ids)"
            ))
            .into()),
        }
    }

    /// One assessment by the id given on the command line ([`Store::resolve`]), with its full
    /// result.
    pub fn assessment(&self, given: &str) -> Result<(StoredAssessment, Assessment)> {
        let stored = self.resolve(given)?;
        let full = self.full_result(&stored)?;
        Ok((stored, full))
    }

    /// The full result stored with an assessment.
    pub fn full_result(&self, stored: &StoredAssessment) -> Result<Assessment> {
        let json: String = self
            .conn
            .query_row("SELECT result_json FROM assessments WHERE id = ?1", params![stored.row_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| store_error(&self.path, e))?
            .ok_or_else(|| RomcamError::Store(format!("no assessment {} in the store", stored.id)))?;
        serde_json::from_str(&json).map_err(|e| {
            RomcamError::Store(format!("assessment {} in the store cannot be read: {e}", stored.id)).into()
        })
    }

    /// The annotated key frame (PNG) stored with an assessment, if one was.
    pub fn key_frame(&self, stored: &StoredAssessment) -> Result<Option<Vec<u8>>> {
        self.conn
            .query_row("SELECT key_frame_png FROM assessments WHERE id = ?1", params![stored.row_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| store_error(&self.path, e))?
            .ok_or_else(|| RomcamError::Store(format!("no assessment {} in the store", stored.id)).into())
    }

    /// Erases a client with every session and assessment (right to erasure). Deleted pages are
    /// overwritten (secure_delete) and the write-ahead log is truncated.
    pub fn delete_client(&mut self, code: &str) -> Result<usize> {
        self.require_client(code)?;
        let path = self.path.clone();
        let err = |e| store_error(&path, e);
        let tx = self.conn.write_transaction().map_err(err)?;
        let n: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM assessments a JOIN sessions s ON a.session_id = s.id \
                 JOIN clients c ON s.client_id = c.id WHERE c.code = ?1",
                params![code],
                |r| r.get(0),
            )
            .map_err(err)?;
        tx.execute("DELETE FROM clients WHERE code = ?1", params![code]).map_err(err)?;
        tx.commit().map_err(err)?;
        self.checkpoint()?;
        Ok(n as usize)
    }
}
