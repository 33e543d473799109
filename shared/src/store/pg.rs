//! `Db` over Spin's outbound PostgreSQL (`spin:postgres/postgres@4.0.0`, `spin_sdk::pg4`),
//! inside components. Statements are rewritten by [`super::dialect`].
//!
//! Spin's host pools connections and does not roll back a transaction left open by an
//! earlier request (notes/spin-postgres.md §1), so every connection starts with a defensive
//! `ROLLBACK`, and a connection dropped inside a transaction rolls it back.

use super::dialect::{self, Shape};
use super::{Db, Row, StoreError, Value};
use spin_sdk::pg4::{Connection, DbValue, ParameterValue, PgError, QueryError};
use std::cell::Cell;

/// One request's PostgreSQL connection.
pub struct PgDb {
    conn: Connection,
    in_tx: Cell<bool>,
}

impl PgDb {
    /// Opens `address` (a `postgres://` URL the component's `allowed_outbound_hosts` allows).
    pub fn open(address: &str) -> Result<Self, StoreError> {
        let conn = Connection::open(address).map_err(map_err)?;
        // A transaction an earlier request left open on this pooled session ends here.
        conn.execute("ROLLBACK", &[]).map_err(map_err)?;
        Ok(PgDb { conn, in_tx: Cell::new(false) })
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if self.in_tx.get() {
            let _rollback_result = self.conn.execute("ROLLBACK", &[]);
        }
    }
}

/// SQLSTATEs that mean "try again": serialization failure, deadlock, lock not available.
const RETRYABLE: &[&str] = &["40001", "40P01", "55P03"];

fn map_err(e: PgError) -> StoreError {
    match e {
        PgError::QueryFailed(QueryError::DbError(d)) if RETRYABLE.contains(&d.code.as_str()) => {
            StoreError::Busy(format!("{}: {}", d.code, d.message))
        }
        PgError::QueryFailed(QueryError::DbError(d)) => StoreError::Engine(format!("{}: {}", d.code, d.message)),
        PgError::QueryFailed(QueryError::Text(t)) => StoreError::Engine(t),
        // The text of a failed connection carries a cause chain and a backtrace: not logged.
        PgError::ConnectionFailed(m) if m.contains("not permitted") => StoreError::AccessDenied,
        PgError::ConnectionFailed(_) => StoreError::Engine("cannot connect to PostgreSQL".into()),
        PgError::BadParameter(m) | PgError::ValueConversionFailed(m) | PgError::Other(m) => StoreError::Engine(m),
    }
}

fn to_pg(v: &Value) -> ParameterValue {
    match v {
        Value::Null => ParameterValue::DbNull,
        Value::Integer(i) => ParameterValue::Int64(*i),
        Value::Real(f) => ParameterValue::Floating64(*f),
        Value::Text(s) => ParameterValue::Str(s.clone()),
        Value::Blob(b) => ParameterValue::Binary(b.clone()),
    }
}

impl Db for PgDb {
    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let t = dialect::to_postgres(sql, params);
        let pg_params: Vec<ParameterValue> = params.iter().map(to_pg).collect();
        let result = match t.shape {
            Shape::BeginWrite => {
                self.conn.execute("BEGIN", &[]).map_err(map_err)?;
                self.in_tx.set(true);
                self.conn.execute(&t.sql, &[]).map(|_| Vec::new())
            }
            Shape::Execute => self.conn.execute(&t.sql, &pg_params).map(|_| Vec::new()),
            Shape::JsonRows => match self.conn.query(&t.sql, &pg_params) {
                Ok(set) => match set.rows.first().and_then(|r| r.first()) {
                    Some(DbValue::Str(s)) => return dialect::decode_json_rows(s),
                    other => return Err(StoreError::Decode(format!("expected JSON rows, got {other:?}"))),
                },
                Err(e) => Err(e),
            },
        };
        let word = sql.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        match result {
            Ok(rows) => {
                if word == "BEGIN" {
                    self.in_tx.set(true);
                } else if word == "COMMIT" || word == "ROLLBACK" || word == "END" {
                    self.in_tx.set(false);
                }
                Ok(rows)
            }
            Err(e) => Err(map_err(e)),
        }
    }

    /// `BEGIN` takes the global writer lock (`pg_advisory_xact_lock`), and PostgreSQL's
    /// lock manager grants waiters in the order they came.
    fn queues_writers(&self) -> bool {
        true
    }
}
