//! `fermyon:spin/sqlite@2.0.0` on rusqlite, plus the startup migrations.
//!
//! Every `open("default")` gets its own connection (taken from a small idle pool and
//! returned when the guest drops it or its store ends), so concurrent requests never share
//! a connection: components run `BEGIN IMMEDIATE … COMMIT` through it. Statements run on
//! tokio's blocking pool.

use crate::bindings::fermyon::spin::sqlite::{self, Error, QueryResult, RowResult, Value};
use crate::state::HostState;
use anyhow::{Context, Result};
use rusqlite::types::{Value as SqlValue, ValueRef};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasmtime::component::Resource;

/// The only database label this host provides.
pub const DEFAULT_DATABASE: &str = "default";

/// How long a connection waits for another's write lock before failing with `SQLITE_BUSY`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const MAX_IDLE: usize = 8;

/// Opens a connection configured as every connection of the host is: WAL journal,
/// `synchronous=FULL`, a busy timeout and enforced foreign keys.
pub fn open_connection(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
    Ok(conn)
}

/// The application's single SQLite database file and its idle connections.
#[derive(Debug)]
pub struct Database {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl Database {
    /// A database at `path` (the file is created on first use).
    pub fn new(path: PathBuf) -> Database {
        Database { path, idle: Mutex::new(Vec::new()) }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn checkout(&self) -> rusqlite::Result<rusqlite::Connection> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        match idle {
            Some(c) => Ok(c),
            None => open_connection(&self.path),
        }
    }

    fn checkin(&self, conn: rusqlite::Connection) {
        // A connection left inside a transaction (e.g. the guest trapped) is closed, which
        // rolls the transaction back.
        if conn.is_autocommit() {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }
}

/// The host side of a guest's `connection` resource.
pub struct Connection {
    conn: Option<rusqlite::Connection>,
    db: Arc<Database>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            self.db.checkin(c);
        }
    }
}

fn io_error(e: impl std::fmt::Display) -> Error {
    Error::Io(e.to_string())
}

fn to_sql(v: Value) -> SqlValue {
    match v {
        Value::Integer(i) => SqlValue::Integer(i),
        Value::Real(r) => SqlValue::Real(r),
        Value::Text(t) => SqlValue::Text(t),
        Value::Blob(b) => SqlValue::Blob(b),
        Value::Null => SqlValue::Null,
    }
}

fn from_sql(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        ValueRef::Null => Value::Null,
    }
}

/// Runs one statement and collects its rows.
fn execute(conn: &rusqlite::Connection, sql: &str, params: Vec<Value>) -> rusqlite::Result<QueryResult> {
    let mut stmt = conn.prepare_cached(sql)?;
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.into_iter().map(to_sql)))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let values = (0..columns.len()).map(|i| row.get_ref(i).map(from_sql)).collect::<rusqlite::Result<_>>()?;
        out.push(RowResult { values });
    }
    Ok(QueryResult { columns, rows: out })
}

impl sqlite::Host for HostState {}

impl sqlite::HostConnection for HostState {
    async fn open(&mut self, database: String) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        if !self.component.sqlite_databases.contains(&database) {
            return Ok(Err(Error::AccessDenied));
        }
        if database != DEFAULT_DATABASE {
            return Ok(Err(Error::NoSuchDatabase));
        }
        let db = self.db.clone();
        let checkout = tokio::task::spawn_blocking(move || db.checkout()).await?;
        let conn = match checkout {
            Ok(c) => c,
            Err(e) => return Ok(Err(io_error(e))),
        };
        Ok(Ok(self.table.push(Connection { conn: Some(conn), db: self.db.clone() })?))
    }

    async fn execute(
        &mut self,
        this: Resource<Connection>,
        statement: String,
        parameters: Vec<Value>,
    ) -> wasmtime::Result<Result<QueryResult, Error>> {
        let Some(conn) = self.table.get_mut(&this)?.conn.take() else {
            return Ok(Err(Error::InvalidConnection));
        };
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let r = execute(&conn, &statement, parameters);
            (conn, r)
        })
        .await?;
        self.table.get_mut(&this)?.conn = Some(conn);
        Ok(result.map_err(io_error))
    }

    async fn drop(&mut self, this: Resource<Connection>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

/// Applies `migrations/*.sql` (sorted by file name) that `schema_migrations` does not list
/// yet, each with `execute_batch` (the files are idempotent and manage their own
/// transactions), recording each version (the file name without `.sql`). A missing
/// directory means no migrations. Returns the versions applied now.
pub fn migrate(db_path: &Path, migrations_dir: &Path) -> Result<Vec<String>> {
    let conn = open_connection(db_path).with_context(|| format!("cannot open database {}", db_path.display()))?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    if !migrations_dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(migrations_dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql") && p.is_file())
        .collect();
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    let mut applied = Vec::new();
    for file in files {
        let version = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let known: bool =
            conn.query_row("SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)", [&version], |r| {
                r.get(0)
            })?;
        if known {
            continue;
        }
        let sql = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
        conn.execute_batch(&sql).with_context(|| format!("migration {} failed", file.display()))?;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        conn.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)", [&version, &now])?;
        applied.push(version);
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_in_file_name_order_once() {
        let dir = std::env::temp_dir().join(format!("zh-migrate-{}", std::process::id()));
        let mig = dir.join("migrations");
        let _ = std::fs::remove_dir_all(&dir); // leftovers of an interrupted run
        std::fs::create_dir_all(&mig).unwrap();
        std::fs::write(mig.join("0002_b.sql"), "INSERT INTO t(v) VALUES ('b');").unwrap();
        std::fs::write(mig.join("0001_a.sql"), "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS t(v TEXT);")
            .unwrap();
        std::fs::write(mig.join("notes.txt"), "ignored").unwrap();
        let db = dir.join("db.sqlite");
        assert_eq!(migrate(&db, &mig).unwrap(), vec!["0001_a", "0002_b"]);
        assert!(migrate(&db, &mig).unwrap().is_empty());
        let conn = open_connection(&db).unwrap();
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn values_round_trip_through_a_statement() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let params =
            vec![Value::Integer(7), Value::Real(1.5), Value::Text("文".into()), Value::Blob(vec![1, 2]), Value::Null];
        let r = execute(&conn, "SELECT ?1 AS i, ?2 AS r, ?3 AS t, ?4 AS b, ?5 AS n", params.clone()).unwrap();
        assert_eq!(r.columns, vec!["i", "r", "t", "b", "n"]);
        assert_eq!(r.rows.len(), 1);
        assert_eq!(format!("{:?}", r.rows[0].values), format!("{params:?}"));
        assert!(execute(&conn, "SELECT 1; SELECT 2", vec![]).is_err());
    }
}
