//! `Db` over rusqlite (bundled SQLite), for native tests, the host and benchmarks.

use super::{Db, Row, StoreError, Value};
use rusqlite::types::ValueRef;

/// A native connection.
pub struct NativeDb {
    conn: rusqlite::Connection,
}

impl NativeDb {
    /// Wraps an open rusqlite connection.
    pub fn new(conn: rusqlite::Connection) -> Self {
        NativeDb { conn }
    }

    /// A private in-memory database (unit tests).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = rusqlite::Connection::open_in_memory().map_err(|e| StoreError::from_message(e.to_string()))?;
        Ok(NativeDb { conn })
    }

    /// Opens a file the way the host does: WAL, `synchronous=FULL`, busy timeout.
    pub fn open_file(path: &std::path::Path) -> Result<Self, StoreError> {
        let conn = rusqlite::Connection::open(path).map_err(|e| StoreError::from_message(e.to_string()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| StoreError::from_message(e.to_string()))?;
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            .map_err(|e| StoreError::from_message(e.to_string()))?;
        Ok(NativeDb { conn })
    }

    /// Runs a whole script (migrations).
    pub fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(|e| StoreError::from_message(e.to_string()))
    }

    /// The underlying connection.
    pub fn connection(&self) -> &rusqlite::Connection {
        &self.conn
    }
}

fn to_sql(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Integer(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(f) => rusqlite::types::Value::Real(*f),
        Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
        Value::Blob(b) => rusqlite::types::Value::Blob(b.clone()),
    }
}

fn from_sql(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

impl Db for NativeDb {
    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let err = |e: rusqlite::Error| StoreError::from_message(e.to_string());
        let mut stmt = self.conn.prepare_cached(sql).map_err(err)?;
        let n = stmt.column_count();
        let params: Vec<rusqlite::types::Value> = params.iter().map(to_sql).collect();
        let mut rows = stmt.query(rusqlite::params_from_iter(params)).map_err(err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(err)? {
            let mut vals = Vec::with_capacity(n);
            for i in 0..n {
                vals.push(from_sql(r.get_ref(i).map_err(err)?));
            }
            out.push(Row(vals));
        }
        Ok(out)
    }
}

/// Applies every `*.sql` file of `dir` in file-name order (native tests and benchmarks;
/// the host tracks versions itself). The files are idempotent.
pub fn apply_migrations_dir(db: &NativeDb, dir: &std::path::Path) -> Result<(), StoreError> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| StoreError::Engine(format!("{}: {e}", dir.display())))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    for f in files {
        let sql = std::fs::read_to_string(&f).map_err(|e| StoreError::Engine(format!("{}: {e}", f.display())))?;
        db.execute_batch(&sql)?;
    }
    Ok(())
}
