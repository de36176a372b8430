//! The client store: clients, sessions and assessments, behind one interface ([`Store`]) with
//! two backends (see [`db`]): by default one SQLite file in the data folder (WAL mode, a busy
//! timeout, secure delete), private to the user; or a clinic's shared PostgreSQL server
//! (`--store postgres://…`, `$ROMCAM_STORE` or `store =` in the settings file; see [`server`]).
//! Each change is written in one transaction, so a process killed (or a connection lost) at any
//! moment leaves the store consistent. The schema is versioned (SQLite: `PRAGMA user_version`;
//! PostgreSQL: the table `romcam_schema`): [`MIGRATIONS`] and [`PG_MIGRATIONS`] hold one step per
//! version, and opening an older store runs the steps it lacks in one transaction, keeping every
//! row; a store from a newer romcam is refused and left untouched.

pub mod audit;
pub mod compare;
pub mod db;
pub mod export_format;
pub mod records;
pub mod server;
pub mod session_date;
pub mod transfer;

use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Result;
use rusqlite::{Connection, ErrorCode};

use crate::error::RomcamError;
use crate::params;
use db::{Conn, DbError, OptionalExtension};

/// The schema steps, in order: step `i` takes a store from version `i` to `i + 1`. A step is
/// never changed once released; a new schema is a new step at the end.
pub const MIGRATIONS: [&str; 2] = [SCHEMA_V1, SCHEMA_V2];
/// The same steps for PostgreSQL (its types and identity columns); always as many as
/// [`MIGRATIONS`].
pub const PG_MIGRATIONS: [&str; 2] = [PG_SCHEMA_V1, PG_SCHEMA_V2];
/// A new schema step must be written for both backends.
const _: () = assert!(PG_MIGRATIONS.len() == MIGRATIONS.len());
/// The schema this romcam writes. Older stores are migrated; newer ones are refused.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;
const FILE_NAME: &str = "romcam.sqlite3";
/// How long a writer waits for another romcam process before giving up
/// (`$ROMCAM_STORE_TIMEOUT_MS` overrides).
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

pub struct Store {
    pub(crate) conn: Conn,
    /// The SQLite file, or the PostgreSQL address (without a password), as messages show it.
    pub path: PathBuf,
}

/// Which store the commands use: `--store` and `--insecure-plain` as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct StoreChoice {
    pub url: Option<String>,
    pub insecure_plain: bool,
}

static CHOICE: OnceLock<StoreChoice> = OnceLock::new();

/// Records the command line's store choice (once, by the dispatcher).
pub fn choose(choice: StoreChoice) {
    let _ = CHOICE.set(choice);
}

/// The PostgreSQL address chosen: `--store`, then `$ROMCAM_STORE`, then `store =` in the
/// default settings file; None for the SQLite store in the data folder.
pub fn chosen_server() -> Option<String> {
    let choice = CHOICE.get().cloned().unwrap_or_default();
    choice
        .url
        .or_else(|| std::env::var("ROMCAM_STORE").ok().filter(|s| !s.is_empty()))
        .or_else(|| crate::report::ReportConfig::load_default().0.store)
}

/// Opens the chosen store: the clinic's server when one is chosen, else the SQLite store in
/// `data_dir` (`--data-dir`, `$ROMCAM_DATA_DIR` or the user's data folder).
pub fn open_chosen(data_dir: Option<&Path>) -> Result<Store> {
    match chosen_server() {
        Some(url) => Store::open_server(&url, CHOICE.get().is_some_and(|c| c.insecure_plain)),
        None => Store::open(&self::data_dir(data_dir)?),
    }
}

/// As [`open_chosen`], for a read-only command: None when there is no SQLite store yet.
pub fn open_chosen_existing(data_dir: Option<&Path>) -> Result<Option<Store>> {
    match chosen_server() {
        Some(_) => open_chosen(data_dir).map(Some),
        None => Store::open_existing(&self::data_dir(data_dir)?),
    }
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

/// Turns a store failure into one sentence about the store.
pub(crate) fn store_error(path: &Path, e: DbError) -> anyhow::Error {
    match e {
        DbError::Sqlite(e) => sqlite_error(path, e),
        DbError::Postgres(e) => pg_error(path, e),
        DbError::NoRows => {
            RomcamError::Store(format!("the client store {} lacks a record it refers to", path.display()))
                .into()
        }
        DbError::Type(t) => RomcamError::Store(format!(
            "the client store {} holds a value romcam cannot read: {t}",
            path.display()
        ))
        .into(),
    }
}

fn pg_error(path: &Path, e: postgres::Error) -> anyhow::Error {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        let what = if code == "42501" {
            format!(
                "the clinic store {} refused this change for your role ({}); ask the store's owner for the privilege",
                path.display(),
                db.message()
            )
        } else if code.starts_with("57P") || code.starts_with("08") {
            format!(
                "the connection to the clinic store {} was lost ({}); nothing of this change was stored",
                path.display(),
                db.message()
            )
        } else {
            format!("the clinic store {} failed: {}", path.display(), db.message())
        };
        return if code.starts_with("57P") || code.starts_with("08") {
            RomcamError::Unavailable(what).into()
        } else {
            RomcamError::Store(what).into()
        };
    }
    RomcamError::Unavailable(format!(
        "the connection to the clinic store {} was lost ({}); nothing of this change was stored",
        path.display(),
        e.to_string().lines().next().unwrap_or("").trim_end_matches('.')
    ))
    .into()
}

fn sqlite_error(path: &Path, e: rusqlite::Error) -> anyhow::Error {
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
    /// Opens the store in `dir` for a read-only command: None when there is no store yet
    /// (nothing is created).
    pub fn open_existing(dir: &Path) -> Result<Option<Store>> {
        if !dir.join(FILE_NAME).exists() {
            return Ok(None);
        }
        Store::open(dir).map(Some)
    }

    /// Opens (creating if needed) the SQLite store in `dir`.
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
        let conn = Connection::open(&path).map_err(|e| sqlite_error(&path, e))?;
        let timeout = std::env::var("ROMCAM_STORE_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_millis)
            .unwrap_or(BUSY_TIMEOUT);
        conn.busy_timeout(timeout).map_err(|e| sqlite_error(&path, e))?;
        let mut store = Store { conn: Conn::sqlite(conn), path };
        store.check_version()?;
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens the clinic's PostgreSQL store at `url` (see [`server`]), bringing its schema up
    /// to date when the role may (the schema owner's first connection creates it).
    pub fn open_server(url: &str, insecure_plain: bool) -> Result<Store> {
        let address = server::parse(url, insecure_plain)?;
        let client = server::connect(&address)?;
        let store = Store { conn: Conn::postgres(client), path: PathBuf::from(address.display()) };
        store.migrate_server()?;
        Ok(store)
    }

    /// Whether this is a clinic's PostgreSQL store (the role is then who changes records).
    pub fn is_server(&self) -> bool {
        self.conn.is_postgres()
    }

    /// The PostgreSQL role connected, which the audit trail names; None for SQLite.
    pub fn role(&self) -> Option<String> {
        if !self.conn.is_postgres() {
            return None;
        }
        self.conn.query_row("SELECT current_user::text", params![], |r| r.get(0)).ok()
    }

    /// SQLite only: truncates the write-ahead log so that erased rows leave no copy behind.
    pub(crate) fn checkpoint(&self) -> Result<()> {
        match self.conn.as_sqlite() {
            Some(c) => {
                c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").map_err(|e| sqlite_error(&self.path, e))
            }
            None => Ok(()),
        }
    }

    fn sqlite(&self) -> &Connection {
        self.conn.as_sqlite().expect("an SQLite store")
    }

    fn check_version(&self) -> Result<()> {
        let version: i64 = self
            .sqlite()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| sqlite_error(&self.path, e))?;
        if version > SCHEMA_VERSION {
            return Err(RomcamError::Store(format!(
                "the client store {} was written by a newer romcam (schema {version}, this romcam knows {SCHEMA_VERSION}); it was left untouched",
                self.path.display()
            ))
            .into());
        }
        let check: String = self
            .sqlite()
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(|e| sqlite_error(&self.path, e))?;
        if check != "ok" {
            return Err(sqlite_error(
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
        self.sqlite()
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;",
            )
            .map_err(|e| sqlite_error(&self.path, e))
    }

    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let err = |e| sqlite_error(&path, e);
        let tx = self.conn.write_transaction().map_err(|e| store_error(&path, e))?;
        let conn = tx.as_sqlite().expect("an SQLite store");
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
        for step in MIGRATIONS.iter().skip(version.max(0) as usize) {
            conn.execute_batch(step).map_err(err)?;
        }
        conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}")).map_err(err)?;
        tx.commit().map_err(|e| store_error(&path, e))
    }

    /// The server's schema version, 0 before the first migration.
    fn server_version(&self) -> Result<i64> {
        let err = |e| store_error(&self.path, e);
        // the catalog read with the statement's snapshot (not the session's cached catalog), so
        // that a migration another process just committed is seen
        let exists: Option<String> = self
            .conn
            .query_row(
                "SELECT tablename::text FROM pg_catalog.pg_tables WHERE tablename = 'romcam_schema' \
                 AND schemaname = current_schema()",
                params![],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        if exists.is_none() {
            return Ok(0);
        }
        let v: Option<i64> = self
            .conn
            .query_row("SELECT MAX(version)::bigint FROM romcam_schema", params![], |r| r.get(0))
            .map_err(err)?;
        Ok(v.unwrap_or(0))
    }

    fn migrate_server(&self) -> Result<()> {
        let err = |e| store_error(&self.path, e);
        let refuse_newer = |version: i64| -> Result<()> {
            if version > SCHEMA_VERSION {
                return Err(RomcamError::Store(format!(
                    "the clinic store {} was written by a newer romcam (schema {version}, this romcam knows {SCHEMA_VERSION}); it was left untouched",
                    self.path.display()
                ))
                .into());
            }
            Ok(())
        };
        let version = self.server_version()?;
        refuse_newer(version)?;
        if version == SCHEMA_VERSION {
            // a therapist's role has no right to change the schema, and needs none
            return Ok(());
        }
        // a session lock taken before the transaction starts, so that the transaction (and its
        // view of the catalog) begins after another process's migration has committed
        self.conn.execute_batch(&format!("SELECT pg_advisory_lock({})", db::PG_WRITE_LOCK)).map_err(err)?;
        let migrated = self.migrate_server_locked(&refuse_newer);
        let unlocked = self.conn.execute_batch(&format!("SELECT pg_advisory_unlock({})", db::PG_WRITE_LOCK));
        migrated?;
        unlocked.map_err(err)
    }

    fn migrate_server_locked(&self, refuse_newer: &dyn Fn(i64) -> Result<()>) -> Result<()> {
        let err = |e| store_error(&self.path, e);
        let tx = self.conn.write_transaction().map_err(err)?;
        let version = self.server_version()?;
        refuse_newer(version)?;
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        if version == 0 {
            tx.execute_batch("CREATE TABLE IF NOT EXISTS romcam_schema (version INTEGER NOT NULL)")
                .map_err(err)?;
        }
        for step in PG_MIGRATIONS.iter().skip(version.max(0) as usize) {
            tx.execute_batch(step).map_err(err)?;
        }
        tx.execute("DELETE FROM romcam_schema", params![]).map_err(err)?;
        tx.execute("INSERT INTO romcam_schema (version) VALUES (?1)", params![SCHEMA_VERSION])
            .map_err(err)?;
        tx.commit().map_err(err)
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

/// Version 1 for PostgreSQL: as [`SCHEMA_V1`], with identity columns, double precision and bytea.
const PG_SCHEMA_V1: &str = "
CREATE TABLE clients (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT,
    notes TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    notes TEXT,
    UNIQUE (client_id, date)
);
CREATE TABLE assessments (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    side TEXT NOT NULL CHECK (side IN ('left', 'right')),
    phase TEXT NOT NULL CHECK (phase IN ('before', 'after', 'none')),
    hip_extension_deg DOUBLE PRECISION,
    knee_flexion_deg DOUBLE PRECISION,
    uncertainty_deg DOUBLE PRECISION,
    result_json TEXT NOT NULL,
    video_path TEXT NOT NULL,
    video_sha256 TEXT NOT NULL,
    model TEXT NOT NULL,
    romcam_version TEXT NOT NULL,
    thresholds_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    key_frame_png BYTEA
);
CREATE INDEX assessments_by_session ON assessments(session_id);
";

/// Version 2 for PostgreSQL: as [`SCHEMA_V2`] (`by` is a reserved word there, so quoted).
const PG_SCHEMA_V2: &str = "
ALTER TABLE assessments ADD COLUMN notes TEXT;
CREATE TABLE audit (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    client_id BIGINT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    assessment_uid TEXT,
    action TEXT NOT NULL CHECK (action IN ('amend', 'remove', 'replace', 'note')),
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    at TEXT NOT NULL,
    \"by\" TEXT NOT NULL
);
CREATE INDEX audit_by_client ON audit(client_id);
CREATE INDEX audit_by_assessment ON audit(assessment_uid);
CREATE INDEX assessments_by_video ON assessments(video_sha256);
";
