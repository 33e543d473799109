//! The store: one small trait (`Db`) that speaks SQL, with implementations for two engines —
//! SQLite (Spin SQLite inside the wasm components, rusqlite natively) and PostgreSQL (Spin's
//! outbound PostgreSQL inside the components, the `postgres` crate natively), the statements
//! written once and rewritten for PostgreSQL by [`dialect`].
//! Statements live as named constants next to the code that uses them, one statement each.

pub mod access;
pub mod accountability;
pub mod admin;
pub mod applications;
pub mod certificates;
pub mod chain;
pub mod commitments;
pub mod credit;
pub mod dialect;
pub mod evaluation;
pub mod inspections;
pub mod materials;
#[cfg(feature = "native")]
pub mod native;
pub mod people;
#[cfg(feature = "spin")]
pub mod pg;
#[cfg(feature = "postgres")]
pub mod pg_native;
pub mod pii;
pub mod public;
pub mod reference;
pub mod self_review;
#[cfg(feature = "spin")]
pub mod spin;

/// A SQL value, the same five kinds as SQLite and Spin's `value` variant.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Integer(v.into())
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Integer(v.into())
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One result row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Integer column `i` (NULL and non-integers are errors).
    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.0.get(i) {
            Some(Value::Integer(v)) => Ok(*v),
            other => Err(StoreError::Decode(format!("column {i}: expected integer, got {other:?}"))),
        }
    }

    /// Text column `i`.
    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        match self.0.get(i) {
            Some(Value::Text(v)) => Ok(v.clone()),
            other => Err(StoreError::Decode(format!("column {i}: expected text, got {other:?}"))),
        }
    }

    /// Nullable text column `i`.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.0.get(i) {
            Some(Value::Null) => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    /// Nullable integer column `i`.
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.0.get(i) {
            Some(Value::Null) => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    /// Blob column `i`.
    pub fn blob(&self, i: usize) -> Result<Vec<u8>, StoreError> {
        match self.0.get(i) {
            Some(Value::Blob(v)) => Ok(v.clone()),
            Some(Value::Null) => Ok(Vec::new()),
            // PostgreSQL's rows arrive as JSON, where `bytea` is `\x…` hex text.
            Some(Value::Text(t)) if t.starts_with("\\x") => {
                dialect::bytea_from_text(t).ok_or_else(|| StoreError::Decode(format!("column {i}: bad bytea text")))
            }
            other => Err(StoreError::Decode(format!("column {i}: expected blob, got {other:?}"))),
        }
    }
}

/// A store failure. `Busy` is retryable; the rest are internal.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreError {
    /// The database is locked by another writer beyond the busy timeout.
    Busy(String),
    /// The component may not open the database.
    AccessDenied,
    /// A value came back in an unexpected shape.
    Decode(String),
    /// Anything else the engine reported.
    Engine(String),
}

impl StoreError {
    /// Whether a retry could succeed.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Busy(_))
    }

    /// Classifies an engine message (both engines report locks as text).
    pub fn from_message(msg: String) -> StoreError {
        if msg.contains("database is locked") || msg.contains("database table is locked") || msg.contains("SQLITE_BUSY")
        {
            StoreError::Busy(msg)
        } else {
            StoreError::Engine(msg)
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Busy(m) => write!(f, "store busy: {m}"),
            StoreError::AccessDenied => write!(f, "store access denied"),
            StoreError::Decode(m) => write!(f, "store decode: {m}"),
            StoreError::Engine(m) => write!(f, "store: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// One connection to the SQL store, opened once per request and passed down.
pub trait Db {
    /// Runs one statement and returns its rows (empty for statements without rows;
    /// use `RETURNING` to learn what an `UPDATE` touched).
    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;

    /// Runs one statement, ignoring rows.
    fn execute(&self, sql: &str, params: &[Value]) -> Result<(), StoreError> {
        self.query(sql, params).map(|_| ())
    }

    /// The first row, if any.
    fn query_opt(&self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Whether writers wait for the write lock in a first-come queue: PostgreSQL's lock
    /// manager for the writer lock `BEGIN` takes, or a host that queues SQLite writers
    /// (`zhicheng-host` announces it with the SQL function [`WRITER_QUEUE_PROBE`]). When
    /// not, writers meet in SQLite's busy handler, which polls with growing sleeps, and a
    /// long job pauses between its transactions to let them in.
    fn queues_writers(&self) -> bool {
        false
    }
}

/// A statement that answers 1 on a host that queues SQLite writers in order, and fails
/// (no such function) anywhere else, such as on Spin's own SQLite.
pub const WRITER_QUEUE_PROBE: &str = "SELECT zhicheng_writer_queue()";

/// What marks a long write transaction (thousands of rows: an import, a certificate
/// chunk) in its `BEGIN IMMEDIATE`, inside a comment. A host that groups commits
/// (`zhicheng-host`) first commits the writers waiting in a group, instead of making them
/// wait for the long one too; to every other engine it is a comment.
pub const LONG_TRANSACTION_MARK: &str = "zhicheng: long transaction";

/// `BEGIN IMMEDIATE` of a long write transaction ([`LONG_TRANSACTION_MARK`]).
pub const BEGIN_LONG_TRANSACTION: &str = "BEGIN IMMEDIATE /* zhicheng: long transaction */";

/// Runs `f` inside `BEGIN IMMEDIATE … COMMIT`; any error rolls back, so a failed step
/// leaves the data as it was. Never drops a database result.
pub fn with_tx<T, E>(db: &dyn Db, f: impl FnOnce(&dyn Db) -> Result<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    in_transaction(db, "BEGIN IMMEDIATE", f)
}

/// [`with_tx`] for a long transaction (an import's rows, a certificate chunk): the same,
/// begun with [`BEGIN_LONG_TRANSACTION`].
pub fn with_long_tx<T, E>(db: &dyn Db, f: impl FnOnce(&dyn Db) -> Result<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    in_transaction(db, BEGIN_LONG_TRANSACTION, f)
}

fn in_transaction<T, E>(db: &dyn Db, begin: &str, f: impl FnOnce(&dyn Db) -> Result<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    db.execute(begin, &[])?;
    match f(db) {
        Ok(v) => match db.execute("COMMIT", &[]) {
            Ok(()) => Ok(v),
            Err(e) => {
                // A failed COMMIT leaves the transaction open in SQLite; close it.
                let _rollback_result = db.execute("ROLLBACK", &[]);
                Err(e.into())
            }
        },
        Err(e) => {
            db.execute("ROLLBACK", &[])?;
            Err(e)
        }
    }
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::native::NativeDb;
    use super::*;
    use crate::error::DomainError;

    fn db() -> NativeDb {
        let db = NativeDb::open_in_memory().unwrap();
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)", &[]).unwrap();
        db
    }

    #[test]
    fn a_failed_step_inside_a_transaction_leaves_the_data_as_it_was() {
        let db = db();
        let r: Result<(), DomainError> = with_tx(&db, |tx| {
            tx.execute("INSERT INTO t (v) VALUES ('first')", &[])?;
            tx.execute("INSERT INTO t (v) VALUES (NULL)", &[])?; // NOT NULL violation
            Ok(())
        });
        assert!(r.is_err());
        assert!(db.query("SELECT * FROM t", &[]).unwrap().is_empty());
    }

    #[test]
    fn a_long_transaction_begins_immediate_with_its_mark_in_a_comment_and_keeps_its_rows() {
        assert!(BEGIN_LONG_TRANSACTION.starts_with("BEGIN IMMEDIATE /*"));
        assert!(BEGIN_LONG_TRANSACTION.ends_with("*/"));
        assert!(BEGIN_LONG_TRANSACTION.contains(LONG_TRANSACTION_MARK));
        let db = db();
        let r: Result<(), DomainError> =
            with_long_tx(&db, |tx| tx.execute("INSERT INTO t (v) VALUES ('long')", &[]).map_err(Into::into));
        r.unwrap();
        assert_eq!(db.query("SELECT v FROM t", &[]).unwrap().len(), 1);
        let r: Result<(), DomainError> = with_long_tx(&db, |tx| {
            tx.execute("INSERT INTO t (v) VALUES ('x')", &[])?;
            tx.execute("INSERT INTO t (v) VALUES (NULL)", &[])?;
            Ok(())
        });
        assert!(r.is_err());
        assert_eq!(db.query("SELECT v FROM t", &[]).unwrap().len(), 1, "a failed long transaction leaves nothing");
    }

    #[test]
    fn a_committed_transaction_keeps_its_rows() {
        let db = db();
        let r: Result<(), DomainError> =
            with_tx(&db, |tx| tx.execute("INSERT INTO t (v) VALUES (?)", &["x".into()]).map_err(Into::into));
        r.unwrap();
        assert_eq!(db.query("SELECT v FROM t", &[]).unwrap()[0].text(0).unwrap(), "x");
    }

    /// A connection that keeps the query plan (SQLite's `EXPLAIN QUERY PLAN`) of every
    /// statement run through it.
    struct Explained {
        db: NativeDb,
        plans: std::cell::RefCell<Vec<(String, Vec<String>)>>,
    }

    impl Db for Explained {
        fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
            let plan = self.db.query(&format!("EXPLAIN QUERY PLAN {sql}"), params)?;
            let steps = plan.iter().map(|r| r.text(3)).collect::<Result<Vec<_>, _>>()?;
            self.plans.borrow_mut().push((sql.to_owned(), steps));
            self.db.query(sql, params)
        }
    }

    #[test]
    fn the_lookups_made_once_per_item_search_an_index_instead_of_scanning_the_year() {
        let db = NativeDb::open_in_memory().unwrap();
        native::apply_migrations_dir(&db, &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations"))
            .unwrap();
        let db = Explained { db, plans: Default::default() };
        // Plan creation, per participant (R16; one plan at a time).
        evaluation::failed_this_year(&db, "person-token", 2024).unwrap();
        evaluation::in_other_plan(&db, 1).unwrap();
        // The tally, per participant; an applicant's interviews.
        evaluation::ballot_counts(&db, 1, 1).unwrap();
        evaluation::interviews_of(&db, 1).unwrap();
        // R10 at each recommendation.
        chain::quota_usage(&db, "ORG-UNIT", 2024, "卫生", "deputy_senior", 0).unwrap();
        // A password change ends every session of the person.
        people::revoke_sessions_of(&db, "person", "2024-10-01T00:00:00Z").unwrap();
        let plans = db.plans.into_inner();
        assert_eq!(plans.len(), 7);
        for (sql, steps) in &plans {
            let scans: Vec<_> = steps.iter().filter(|s| s.starts_with("SCAN ") && !s.contains(" USING ")).collect();
            assert!(scans.is_empty(), "{sql}\nscans {scans:?} (plan {steps:?})");
        }
    }

    #[test]
    fn update_returning_reports_exactly_the_rows_it_touched() {
        let db = db();
        db.execute("INSERT INTO t (v) VALUES ('a')", &[]).unwrap();
        let rows = db.query("UPDATE t SET v = 'b' WHERE v = 'a' RETURNING id", &[]).unwrap();
        assert_eq!(rows.len(), 1);
        let rows = db.query("UPDATE t SET v = 'b' WHERE v = 'a' RETURNING id", &[]).unwrap();
        assert!(rows.is_empty());
    }
}
