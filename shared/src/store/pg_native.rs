//! `Db` over the `postgres` crate (synchronous tokio-postgres), natively: the host's
//! commands (moving a SQLite database up, verifying its audit chain there), unit tests and
//! benchmarks. The statements go through the same [`super::dialect`] seam as in components
//! (one JSON row per statement with rows), so the native runs exercise the component path.

use super::dialect::{self, Shape};
use super::{Db, Row, StoreError, Value};
use postgres::types::{IsNull, ToSql, Type};
use std::cell::RefCell;
use std::collections::HashMap;

/// Distinct statement texts a connection keeps prepared before it forgets them all (as the
/// host's pooled connections do, `zhicheng-host`'s `pg::prepare`).
const PREPARED_PER_CONNECTION: usize = 1024;

/// One native PostgreSQL connection.
pub struct PgNativeDb {
    client: RefCell<postgres::Client>,
    /// Each statement text prepared once on this connection, so a later call is one round
    /// trip (Bind/Execute) instead of two: the same as the host does for components, so
    /// the benchmark's native baseline is not slowed by what the host does not do.
    prepared: RefCell<HashMap<String, postgres::Statement>>,
}

/// A NULL of any parameter type.
#[derive(Debug)]
struct Null;

impl ToSql for Null {
    fn to_sql(
        &self,
        _: &Type,
        _: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        Ok(IsNull::Yes)
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    postgres::types::to_sql_checked!();
}

fn map_err(e: postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(d) if ["40001", "40P01", "55P03"].contains(&d.code().code()) => {
            StoreError::Busy(format!("{}: {}", d.code().code(), d.message()))
        }
        Some(d) => StoreError::Engine(format!("{}: {}", d.code().code(), d.message())),
        None => StoreError::Engine(e.to_string()),
    }
}

impl PgNativeDb {
    /// Connects to `url` (`postgres://user@host:port/db`) and ends any open transaction.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let client = postgres::Client::connect(url, postgres::NoTls).map_err(map_err)?;
        Ok(PgNativeDb { client: RefCell::new(client), prepared: RefCell::new(HashMap::new()) })
    }

    /// `sql` prepared on this connection, once.
    fn prepare(&self, client: &mut postgres::Client, sql: &str) -> Result<postgres::Statement, StoreError> {
        let mut prepared = self.prepared.borrow_mut();
        if let Some(s) = prepared.get(sql) {
            return Ok(s.clone());
        }
        if prepared.len() >= PREPARED_PER_CONNECTION {
            prepared.clear();
        }
        let s = client.prepare(sql).map_err(map_err)?;
        prepared.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

impl Db for PgNativeDb {
    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let t = dialect::to_postgres(sql, params);
        let boxed: Vec<Box<dyn ToSql + Sync>> = params
            .iter()
            .map(|v| -> Box<dyn ToSql + Sync> {
                match v {
                    Value::Null => Box::new(Null),
                    Value::Integer(i) => Box::new(*i),
                    Value::Real(f) => Box::new(*f),
                    Value::Text(s) => Box::new(s.clone()),
                    Value::Blob(b) => Box::new(b.clone()),
                }
            })
            .collect();
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
        let mut client = self.client.borrow_mut();
        match t.shape {
            Shape::BeginWrite => {
                client.batch_execute("BEGIN").map_err(map_err)?;
                let lock = self.prepare(&mut client, &t.sql)?;
                client.execute(&lock, &[]).map_err(map_err)?;
                Ok(Vec::new())
            }
            Shape::Execute => {
                let s = self.prepare(&mut client, &t.sql)?;
                client.execute(&s, &refs).map(|_| Vec::new()).map_err(map_err)
            }
            Shape::JsonRows => {
                let s = self.prepare(&mut client, &t.sql)?;
                let row = client.query_one(&s, &refs).map_err(map_err)?;
                let text: String = row.try_get(0).map_err(map_err)?;
                dialect::decode_json_rows(&text)
            }
        }
    }

    /// `BEGIN` takes the global writer lock (`pg_advisory_xact_lock`), and PostgreSQL's
    /// lock manager grants waiters in the order they came.
    fn queues_writers(&self) -> bool {
        true
    }
}

#[cfg(all(test, feature = "native"))]
mod tests {
    //! Run with `ZHICHENG_TEST_POSTGRES=postgres://postgres@127.0.0.1:<port>` (scripts/test
    //! starts a server); without it these tests report that they did not run and pass.
    use super::*;
    use crate::error::DomainError;
    use crate::store::with_tx;

    fn db() -> Option<PgNativeDb> {
        let server = std::env::var("ZHICHENG_TEST_POSTGRES").ok().filter(|s| !s.is_empty())?;
        let db = PgNativeDb::connect(&format!("{}/postgres", server.trim_end_matches('/'))).unwrap();
        let schema = format!("t{}_{}", std::process::id(), rand_suffix());
        db.execute(&format!("CREATE SCHEMA {schema}"), &[]).unwrap();
        db.execute(&format!("SET search_path = {schema}"), &[]).unwrap();
        db.execute("CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v TEXT NOT NULL, n BIGINT, b BYTEA)", &[])
            .unwrap();
        Some(db)
    }

    fn rand_suffix() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        N.fetch_add(1, Ordering::Relaxed)
    }

    #[test]
    fn a_failed_step_inside_a_transaction_leaves_the_data_as_it_was_on_postgres() {
        let Some(db) = db() else { return eprintln!("ZHICHENG_TEST_POSTGRES unset: not run") };
        let r: Result<(), DomainError> = with_tx(&db, |tx| {
            tx.execute("INSERT INTO t (v) VALUES ('first')", &[])?;
            tx.execute("INSERT INTO t (v) VALUES (?)", &[Value::Null])?; // NOT NULL violation
            Ok(())
        });
        assert!(r.is_err());
        assert!(db.query("SELECT * FROM t", &[]).unwrap().is_empty(), "zero rows come back as none");
    }

    #[test]
    fn values_round_trip_and_returning_reports_the_rows_touched_on_postgres() {
        let Some(db) = db() else { return eprintln!("ZHICHENG_TEST_POSTGRES unset: not run") };
        let r: Result<(), DomainError> = with_tx(&db, |tx| {
            tx.execute("INSERT INTO t (v, n, b) VALUES (?, ?, ?)", &["文".into(), 7.into(), vec![0u8, 255].into()])?;
            Ok(())
        });
        r.unwrap();
        let rows = db.query("SELECT v, n, b, id FROM t WHERE n IS ?", &[7.into()]).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].text(0).unwrap(), rows[0].int(1).unwrap()), ("文".to_owned(), 7));
        assert_eq!(rows[0].blob(2).unwrap(), vec![0, 255]);
        let touched = db.query("UPDATE t SET v = 'b' WHERE v = ? RETURNING id", &["文".into()]).unwrap();
        assert_eq!(touched.len(), 1);
        assert!(db.query("UPDATE t SET v = 'b' WHERE v = ? RETURNING id", &["文".into()]).unwrap().is_empty());
        let ignored =
            db.query("INSERT OR IGNORE INTO t (id, v) VALUES (?, 'x') RETURNING id", &[rows[0].int(3).unwrap().into()]);
        assert!(ignored.unwrap().is_empty(), "a conflicting INSERT OR IGNORE inserts nothing");
    }
}
