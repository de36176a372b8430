//! The client store: clients, sessions and assessments in one SQLite file (WAL mode, a busy
//! timeout, secure delete), private to the user. Each assessment is written in one transaction,
//! so a process killed at any moment leaves the store consistent. The schema is versioned by
//! `PRAGMA user_version`: [`MIGRATIONS`] holds one step per version, and opening an older store
//! runs the steps it lacks in one transaction, keeping every row; a store from a newer romcam is
//! refused and left untouched.

pub mod audit;
pub mod compare;
pub mod export_format;
pub mod records;
pub mod session_date;
pub mod transfer;

use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use rusqlite::{Connection, ErrorCode};

use crate::error::RomcamError;

/// The schema steps, in order: step `i` takes a store from version `i` to `i + 1`. A step is
/// never changed once released; a new schema is a new step at the end.
pub const MIGRATIONS: [&str; 2] = [SCHEMA_V1, SCHEMA_V2];
/// The schema this romcam writes. Older stores are migrated; newer ones are refused.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;
const FILE_NAME: &str = "romcam.sqlite3";
/// How long a writer waits for another romcam process before giving up
/// (`$ROMCAM_STORE_TIMEOUT_MS` overrides).
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

pub struct Store {
    pub(crate) conn: Connection,
    pub path: PathBuf,
}

/// The store's folder: `--data-dir`, then `$ROMCAM_DATA_DIR`, then the user's data directory.
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(d) = explicit {
        return Ok(d.to_path_buf());
    }
    if let Some(d) = std::env::var_os("ROMCAM_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    directories::ProjectDirs::from("", "", "romcam").map(|p| p.data_dir().to_path_buf()).ok_or_else(|| {
        RomcamError::Store("no home folder to keep the client store in; use --data-dir".into()).into()
    })
}

/// Turns an SQLite failure into one sentence about the store.
pub(crate) fn store_error(path: &Path, e: rusqlite::Error) -> anyhow::Error {
    let what = match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => format!(
            "the client store {} is busy in another romcam process; try again when it has finished",
            path.display()
        ),
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => format!(
            "the client store {} is damaged or is not a romcam store; it was left untouched (restore it from an export)",
            path.display()
        ),
        Some(ErrorCode::ReadOnly) | Some(ErrorCode::PermissionDenied) | Some(ErrorCode::CannotOpen) => {
            format!("the client store {} cannot be written (read-only or no permission)", path.display())
        }
        Some(ErrorCode::DiskFull) => format!("the disk holding the client store {} is full; nothing was stored", path.display()),
        _ => format!("the client store {} failed: {e}", path.display()),
    };
    RomcamError::Store(what).into()
}

impl Store {
    /// Opens (creating if needed) the store in `dir`.
    /// Opens the store in `dir` for a read-only command: None when there is no store yet
    /// (nothing is created).
    pub fn open_existing(dir: &Path) -> Result<Option<Store>> {
        if !dir.join(FILE_NAME).exists() {
            return Ok(None);
        }
        Store::open(dir).map(Some)
    }

    pub fn open(dir: &Path) -> Result<Store> {
        DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| {
            RomcamError::Store(format!("cannot create the store folder {}: {e}", dir.display()))
        })?;
        let path = dir.join(FILE_NAME);
        if !path.exists() {
            // created here first so that it is private from the start
            OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path).map_err(|e| {
                RomcamError::Store(format!("cannot create the store {}: {e}", path.display()))
            })?;
        }
        let conn = Connection::open(&path).map_err(|e| store_error(&path, e))?;
        let timeout = std::env::var("ROMCAM_STORE_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_millis)
            .unwrap_or(BUSY_TIMEOUT);
        conn.busy_timeout(timeout).map_err(|e| store_error(&path, e))?;
        let mut store = Store { conn, path };
        store.check_version()?;
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    fn check_version(&self) -> Result<()> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| store_error(&self.path, e))?;
        if version > SCHEMA_VERSION {
            return Err(RomcamError::Store(format!(
                "the client store {} was written by a newer romcam (schema {version}, this romcam knows {SCHEMA_VERSION}); it was left untouched",
                self.path.display()
            ))
            .into());
        }
        let check: String = self
            .conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(|e| store_error(&self.path, e))?;
        if check != "ok" {
            return Err(store_error(
                &self.path,
                rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                    Some(check),
                ),
            ));
        }
        Ok(())
    }

    fn configure(&self) -> Result<()> {
        self.conn
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;",
            )
            .map_err(|e| store_error(&self.path, e))
    }

    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| store_error(&path, e))?;
        let version: i64 =
            tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| store_error(&path, e))?;
        for step in MIGRATIONS.iter().skip(version.max(0) as usize) {
            tx.execute_batch(step).map_err(|e| store_error(&path, e))?;
        }
        tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
            .map_err(|e| store_error(&path, e))?;
        tx.commit().map_err(|e| store_error(&path, e))
    }
}

const SCHEMA_V1: &str = "
CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT,
    notes TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    notes TEXT,
    UNIQUE (client_id, date)
);
CREATE TABLE assessments (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    side TEXT NOT NULL CHECK (side IN ('left', 'right')),
    phase TEXT NOT NULL CHECK (phase IN ('before', 'after', 'none')),
    hip_extension_deg REAL,
    knee_flexion_deg REAL,
    uncertainty_deg REAL,
    result_json TEXT NOT NULL,
    video_path TEXT NOT NULL,
    video_sha256 TEXT NOT NULL,
    model TEXT NOT NULL,
    romcam_version TEXT NOT NULL,
    thresholds_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    key_frame_png BLOB
);
CREATE INDEX assessments_by_session ON assessments(session_id);
";

/// Version 2: notes on assessments, the audit trail of corrections (amend, remove, replace, a
/// client's note), and an index for finding the same video stored twice.
const SCHEMA_V2: &str = "
ALTER TABLE assessments ADD COLUMN notes TEXT;
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    assessment_uid TEXT,
    action TEXT NOT NULL CHECK (action IN ('amend', 'remove', 'replace', 'note')),
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    at TEXT NOT NULL,
    by TEXT NOT NULL
);
CREATE INDEX audit_by_client ON audit(client_id);
CREATE INDEX audit_by_assessment ON audit(assessment_uid);
CREATE INDEX assessments_by_video ON assessments(video_sha256);
";
