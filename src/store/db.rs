//! The store's one database interface over its two backends: the embedded SQLite file (the
//! default, one laptop) and a clinic's shared PostgreSQL server. The store's SQL is written once
//! with `?N` placeholders (rewritten to `$N` for PostgreSQL) in the dialect both accept; the few
//! statements that differ (schema, JSON, pragmas) ask [`Conn::is_postgres`]. Values cross the
//! interface as [`Value`]s and come back as [`Row`]s, so nothing above this module knows which
//! backend it talks to.

use std::cell::RefCell;

use crate::measure::leg::Side;
use crate::store::records::Phase;

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A failure of the database, or a value of the wrong kind in a row.
#[derive(Debug)]
pub enum DbError {
    Sqlite(rusqlite::Error),
    Postgres(postgres::Error),
    /// A query that must return one row returned none.
    NoRows,
    /// A stored value that is not what the column should hold.
    Type(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Sqlite(e) => write!(f, "{e}"),
            DbError::Postgres(e) => match e.as_db_error() {
                Some(db) => write!(f, "{}", db.message()),
                None => write!(f, "{e}"),
            },
            DbError::NoRows => f.write_str("no such row"),
            DbError::Type(t) => f.write_str(t),
        }
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => DbError::NoRows,
            e => DbError::Sqlite(e),
        }
    }
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> Self {
        DbError::Postgres(e)
    }
}

pub type DbResult<T> = std::result::Result<T, DbError>;

/// `.optional()`: no row is None rather than an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> DbResult<Option<T>>;
}

impl<T> OptionalExtension<T> for DbResult<T> {
    fn optional(self) -> DbResult<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(DbError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Something that can be bound to a statement.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}
impl ToValue for Side {
    fn to_value(&self) -> Value {
        Value::Text(self.name().to_string())
    }
}
impl ToValue for Phase {
    fn to_value(&self) -> Value {
        Value::Text(self.name().to_string())
    }
}

/// Something that can be read from a column.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> DbResult<Self>;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> DbResult<Self> {
        match v {
            Value::Int(i) => Ok(*i),
            other => Err(DbError::Type(format!("{other:?} is not a whole number"))),
        }
    }
}
impl FromValue for f64 {
    fn from_value(v: &Value) -> DbResult<Self> {
        match v {
            Value::Real(r) => Ok(*r),
            Value::Int(i) => Ok(*i as f64),
            other => Err(DbError::Type(format!("{other:?} is not a number"))),
        }
    }
}
impl FromValue for String {
    fn from_value(v: &Value) -> DbResult<Self> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            other => Err(DbError::Type(format!("{other:?} is not text"))),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> DbResult<Self> {
        match v {
            Value::Blob(b) => Ok(b.clone()),
            other => Err(DbError::Type(format!("{other:?} is not binary data"))),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> DbResult<Self> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// Enums stored as TEXT columns holding their names ("left", "before").
#[macro_export]
macro_rules! text_value {
    ($t:ty, $what:literal) => {
        impl $crate::store::db::FromValue for $t {
            fn from_value(v: &$crate::store::db::Value) -> $crate::store::db::DbResult<Self> {
                let text = String::from_value(v)?;
                <$t>::from_name(&text)
                    .ok_or_else(|| $crate::store::db::DbError::Type(format!("{:?} is not a {}", text, $what)))
            }
        }
    };
}
text_value!(Side, "side");
text_value!(Phase, "phase");

/// Binds values: `params![a, b]`.
#[macro_export]
macro_rules! params {
    ($($p:expr),* $(,)?) => {
        &[$(&$p as &dyn $crate::store::db::ToValue),*] as &[&dyn $crate::store::db::ToValue]
    };
}
pub use params;

/// A column of a row, by position or by name.
pub trait ColumnIndex {
    fn index(&self, row: &Row) -> DbResult<usize>;
}
impl ColumnIndex for usize {
    fn index(&self, row: &Row) -> DbResult<usize> {
        if *self < row.values.len() {
            Ok(*self)
        } else {
            Err(DbError::Type(format!("no column {self}")))
        }
    }
}
impl ColumnIndex for &str {
    fn index(&self, row: &Row) -> DbResult<usize> {
        row.names.iter().position(|n| n == self).ok_or_else(|| DbError::Type(format!("no column {self}")))
    }
}

/// One row of a result.
pub struct Row {
    names: std::rc::Rc<Vec<String>>,
    values: Vec<Value>,
}

impl Row {
    pub fn get<T: FromValue>(&self, i: impl ColumnIndex) -> DbResult<T> {
        T::from_value(&self.values[i.index(self)?])
    }
}

enum Backend {
    Sqlite(rusqlite::Connection),
    Postgres(RefCell<postgres::Client>),
}

/// A connection to either backend.
pub struct Conn {
    backend: Backend,
}

/// The key of the advisory lock that PostgreSQL writers take, so that writers follow each other
/// as SQLite's do (`BEGIN IMMEDIATE`): a duplicate check and the write it guards see the same
/// store. ("romcam" in ASCII.)
pub(crate) const PG_WRITE_LOCK: i64 = 0x726f_6d63_616d;

impl Conn {
    pub fn sqlite(conn: rusqlite::Connection) -> Conn {
        Conn { backend: Backend::Sqlite(conn) }
    }

    pub fn postgres(client: postgres::Client) -> Conn {
        Conn { backend: Backend::Postgres(RefCell::new(client)) }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// The SQLite connection, for the file-only checks (pragmas); None on PostgreSQL.
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.backend {
            Backend::Sqlite(c) => Some(c),
            Backend::Postgres(_) => None,
        }
    }

    /// Runs one statement and returns how many rows it changed.
    pub fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> DbResult<usize> {
        match &self.backend {
            Backend::Sqlite(c) => {
                let values: Vec<SqliteValue> = params.iter().map(|p| SqliteValue(p.to_value())).collect();
                Ok(c.execute(sql, rusqlite::params_from_iter(values.iter()))?)
            }
            Backend::Postgres(c) => {
                let values: Vec<Value> = params.iter().map(|p| p.to_value()).collect();
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    values.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
                Ok(c.borrow_mut().execute(pg_sql(sql).as_str(), &refs)? as usize)
            }
        }
    }

    /// Runs statements without parameters.
    pub fn execute_batch(&self, sql: &str) -> DbResult<()> {
        match &self.backend {
            Backend::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Backend::Postgres(c) => Ok(c.borrow_mut().batch_execute(sql)?),
        }
    }

    /// Every row of a query.
    pub fn query(&self, sql: &str, params: &[&dyn ToValue]) -> DbResult<Vec<Row>> {
        match &self.backend {
            Backend::Sqlite(c) => {
                let values: Vec<SqliteValue> = params.iter().map(|p| SqliteValue(p.to_value())).collect();
                let mut stmt = c.prepare(sql)?;
                let names: std::rc::Rc<Vec<String>> =
                    std::rc::Rc::new(stmt.column_names().map(|s| s.to_string()).collect());
                let n = names.len();
                let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next()? {
                    let mut vals = Vec::with_capacity(n);
                    for i in 0..n {
                        vals.push(match r.get_ref(i)? {
                            rusqlite::types::ValueRef::Null => Value::Null,
                            rusqlite::types::ValueRef::Integer(i) => Value::Int(i),
                            rusqlite::types::ValueRef::Real(f) => Value::Real(f),
                            rusqlite::types::ValueRef::Text(t) => Value::Text(
                                std::str::from_utf8(t)
                                    .map_err(|e| DbError::Type(format!("stored text is not UTF-8: {e}")))?
                                    .to_string(),
                            ),
                            rusqlite::types::ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                        });
                    }
                    out.push(Row { names: names.clone(), values: vals });
                }
                Ok(out)
            }
            Backend::Postgres(c) => {
                let values: Vec<Value> = params.iter().map(|p| p.to_value()).collect();
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    values.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
                let rows = c.borrow_mut().query(pg_sql(sql).as_str(), &refs)?;
                let Some(first) = rows.first() else { return Ok(Vec::new()) };
                let names: std::rc::Rc<Vec<String>> =
                    std::rc::Rc::new(first.columns().iter().map(|c| c.name().to_string()).collect());
                rows.iter()
                    .map(|r| {
                        let values = (0..r.len()).map(|i| pg_value(r, i)).collect::<DbResult<Vec<_>>>()?;
                        Ok(Row { names: names.clone(), values })
                    })
                    .collect()
            }
        }
    }

    /// The first row of a query, mapped; [`DbError::NoRows`] when there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        f: impl FnOnce(&Row) -> DbResult<T>,
    ) -> DbResult<T> {
        let rows = self.query(sql, params)?;
        match rows.first() {
            Some(r) => f(r),
            None => Err(DbError::NoRows),
        }
    }

    /// Every row of a query, mapped.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        f: impl FnMut(&Row) -> DbResult<T>,
    ) -> DbResult<Vec<T>> {
        self.query(sql, params)?.iter().map(f).collect()
    }

    /// A statement to run (and run again) on this connection.
    pub fn prepare(&self, sql: &str) -> DbResult<Stmt<'_>> {
        Ok(Stmt { conn: self, sql: sql.to_string() })
    }

    /// The expression reading a top-level text field of a JSON text column.
    pub fn json_text(&self, column: &str, field: &str) -> String {
        if self.is_postgres() {
            format!("({column}::jsonb ->> '{field}')")
        } else {
            format!("json_extract({column}, '$.{field}')")
        }
    }

    /// Starts a write transaction: writers follow each other (SQLite `BEGIN IMMEDIATE`; on
    /// PostgreSQL a transaction-scoped advisory lock), so each sees the others' finished work.
    /// Dropped without [`Tx::commit`], it is rolled back.
    pub fn write_transaction(&self) -> DbResult<Tx<'_>> {
        match &self.backend {
            Backend::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
            Backend::Postgres(c) => {
                let mut c = c.borrow_mut();
                c.batch_execute("BEGIN ISOLATION LEVEL READ COMMITTED")?;
                if let Err(e) = c.execute("SELECT pg_advisory_xact_lock($1)", &[&PG_WRITE_LOCK]) {
                    let _ = c.batch_execute("ROLLBACK");
                    return Err(e.into());
                }
            }
        }
        Ok(Tx { conn: self, done: false })
    }

    /// Starts a read-only transaction that sees one snapshot of the store, so that a report
    /// never mixes records from before and after another writer's commit.
    pub fn read_transaction(&self) -> DbResult<Tx<'_>> {
        match &self.backend {
            Backend::Sqlite(c) => c.execute_batch("BEGIN DEFERRED")?,
            Backend::Postgres(c) => {
                c.borrow_mut().batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?
            }
        }
        Ok(Tx { conn: self, done: false })
    }
}

/// A statement to run on a connection, rusqlite-style.
pub struct Stmt<'a> {
    conn: &'a Conn,
    sql: String,
}

impl Stmt<'_> {
    pub fn query_map<T>(
        &mut self,
        params: &[&dyn ToValue],
        f: impl FnMut(&Row) -> DbResult<T>,
    ) -> DbResult<std::vec::IntoIter<DbResult<T>>> {
        Ok(self.conn.query(&self.sql, params)?.iter().map(f).collect::<Vec<_>>().into_iter())
    }

    pub fn query_row<T>(
        &mut self,
        params: &[&dyn ToValue],
        f: impl FnOnce(&Row) -> DbResult<T>,
    ) -> DbResult<T> {
        self.conn.query_row(&self.sql, params, f)
    }
}

/// An open transaction; it derefs to the connection it runs on.
pub struct Tx<'a> {
    conn: &'a Conn,
    done: bool,
}

impl Tx<'_> {
    pub fn commit(mut self) -> DbResult<()> {
        self.done = true;
        self.conn.execute_batch("COMMIT")
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            // nothing of it is kept: on a lost connection the server rolls back by itself
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// `?N` placeholders as PostgreSQL's `$N`.
fn pg_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut in_literal = false;
    while let Some(c) = chars.next() {
        if c == '\'' {
            in_literal = !in_literal;
        }
        if c == '?' && !in_literal && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

fn pg_value(r: &postgres::Row, i: usize) -> DbResult<Value> {
    use postgres::types::Type;
    let ty = r.columns()[i].type_().clone();
    let v = if ty == Type::INT8 {
        r.try_get::<_, Option<i64>>(i)?.map(Value::Int)
    } else if ty == Type::INT4 {
        r.try_get::<_, Option<i32>>(i)?.map(|v| Value::Int(v.into()))
    } else if ty == Type::INT2 {
        r.try_get::<_, Option<i16>>(i)?.map(|v| Value::Int(v.into()))
    } else if ty == Type::FLOAT8 {
        r.try_get::<_, Option<f64>>(i)?.map(Value::Real)
    } else if ty == Type::FLOAT4 {
        r.try_get::<_, Option<f32>>(i)?.map(|v| Value::Real(v.into()))
    } else if ty == Type::BYTEA {
        r.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob)
    } else if ty == Type::BOOL {
        r.try_get::<_, Option<bool>>(i)?.map(|b| Value::Int(b.into()))
    } else {
        r.try_get::<_, Option<String>>(i)?.map(Value::Text)
    };
    Ok(v.unwrap_or(Value::Null))
}

struct SqliteValue(Value);

impl rusqlite::types::ToSql for SqliteValue {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match &self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::{IsNull, Type};
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) if *ty == Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
            Value::Int(i) if *ty == Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
            Value::Int(i) if *ty == Type::FLOAT8 => (*i as f64).to_sql(ty, out),
            Value::Int(i) if *ty == Type::TEXT || *ty == Type::VARCHAR => i.to_string().to_sql(ty, out),
            Value::Int(i) => i.to_sql(ty, out),
            Value::Real(f) if *ty == Type::FLOAT4 => (*f as f32).to_sql(ty, out),
            Value::Real(f) => f.to_sql(ty, out),
            Value::Text(s) => s.as_str().to_sql(ty, out),
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::pg_sql;

    #[test]
    fn placeholders_are_rewritten_outside_literals() {
        assert_eq!(pg_sql("SELECT ?1, '?2' FROM t WHERE a = ?12"), "SELECT $1, '?2' FROM t WHERE a = $12");
    }
}
