//! `fermyon:spin/sqlite@2.0.0` on rusqlite, plus the startup migrations.
//!
//! Every `open("default")` gets its own connection (taken from a small idle pool and
//! returned when the guest drops it or its store ends), so concurrent requests never share
//! a connection: components run `BEGIN IMMEDIATE … COMMIT` through it.
//!
//! Writers queue in the host, not in SQLite's busy handler (which sleeps with a growing
//! back-off, up to 100 ms a step: that made the p99 of concurrent writes hundreds of
//! milliseconds). A connection takes the database's write lock — an async FIFO lock — before
//! `BEGIN IMMEDIATE` (or any write outside a transaction) and gives it back as soon as the
//! connection is outside a transaction again (after `COMMIT`/`ROLLBACK`, or when dropped), so
//! a writer waits exactly as long as the writers before it need. Past [`WRITE_WAIT`] the
//! statement fails with SQLite's own "database is locked" message, which the components turn
//! into 503 `STORE_BUSY` with `Retry-After` (never a 500). Readers never queue (WAL).
//!
//! Statements run on the calling task: each is microseconds of CPU (the page cache), like
//! the guest code around it, and a hop to tokio's blocking pool per statement cost more than
//! the statement. Only a statement that ends a write transaction (the `fsync` of the
//! commit) moves to the blocking pool.

use crate::bindings::fermyon::spin::sqlite::{self, Error, QueryResult, RowResult, Value};
use crate::state::HostState;
use anyhow::{Context, Result};
use rusqlite::types::{Value as SqlValue, ValueRef};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OwnedMutexGuard;
use wasmtime::component::Resource;

/// The only database label this host provides.
pub const DEFAULT_DATABASE: &str = "default";

/// How long a connection waits for another's write lock before failing with `SQLITE_BUSY`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a writer waits in the host's queue for the write lock before its statement
/// fails as busy (503 `STORE_BUSY`).
pub const WRITE_WAIT: Duration = Duration::from_secs(5);

const MAX_IDLE: usize = 8;

/// Prepared statements kept per connection: a request runs a few dozen distinct
/// statements, more than rusqlite's default of 16, which re-prepared them every time.
const STATEMENT_CACHE: usize = 256;

/// Opens a connection configured as every connection of the host is: WAL journal,
/// `synchronous=FULL`, a busy timeout and enforced foreign keys.
pub fn open_connection(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
    // Writers queue in this host (module docs): say so to the components that ask
    // (`shared::store::WRITER_QUEUE_PROBE`; on Spin's own SQLite the function is missing).
    conn.create_scalar_function(
        "zhicheng_writer_queue",
        0,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8 | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        |_| Ok(1_i64),
    )?;
    Ok(conn)
}

/// The application's single SQLite database file, its idle connections and its write lock.
#[derive(Debug)]
pub struct Database {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
    /// Held by the connection that is writing; tokio's mutex queues waiters in FIFO order.
    writer: Arc<tokio::sync::Mutex<()>>,
    write_wait: Duration,
}

impl Database {
    /// A database at `path` (the file is created on first use).
    pub fn new(path: PathBuf) -> Database {
        Database::with_write_wait(path, WRITE_WAIT)
    }

    /// Like [`Database::new`], with another bound on the wait for the write lock.
    pub fn with_write_wait(path: PathBuf, write_wait: Duration) -> Database {
        Database { path, idle: Mutex::new(Vec::new()), writer: Arc::default(), write_wait }
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
    /// The database's write lock, while this connection writes.
    writing: Option<OwnedMutexGuard<()>>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            self.db.checkin(c);
        }
        // The write lock goes after the connection: a transaction left open was rolled back
        // by closing it (`checkin`) before the next writer begins.
        self.writing = None;
    }
}

/// What a statement asks of the write lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    /// A read, or a statement inside a transaction: no change.
    None,
    /// `BEGIN IMMEDIATE` / `BEGIN EXCLUSIVE`, or a write outside a transaction: take it.
    Write,
}

/// The statement's first keyword(s), upper-cased, without leading blanks and comments.
fn leading_words(sql: &str, n: usize) -> Vec<String> {
    let mut rest = sql.trim_start();
    loop {
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.find('\n').map_or("", |i| &r[i + 1..]).trim_start();
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map_or("", |i| &r[i + 2..]).trim_start();
        } else {
            break;
        }
    }
    rest.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .take(n)
        .map(str::to_ascii_uppercase)
        .collect()
}

fn intent(conn: &rusqlite::Connection, sql: &str) -> Intent {
    let words = leading_words(sql, 2);
    match words.first().map(String::as_str) {
        Some("BEGIN") => match words.get(1).map(String::as_str) {
            Some("IMMEDIATE" | "EXCLUSIVE") => Intent::Write,
            _ => Intent::None,
        },
        // Inside a transaction the lock is held already (or the transaction is deferred and
        // meets SQLite's busy handler, as before).
        _ if !conn.is_autocommit() => Intent::None,
        // A statement that does not prepare fails in `execute` with SQLite's message.
        _ => match conn.prepare_cached(sql) {
            Ok(stmt) if !stmt.readonly() => Intent::Write,
            _ => Intent::None,
        },
    }
}

/// Whether the statement ends a transaction (its commit is the one `fsync` of a write).
fn ends_transaction(sql: &str) -> bool {
    matches!(leading_words(sql, 1).first().map(String::as_str), Some("COMMIT" | "END" | "ROLLBACK"))
}

/// The message of a write that waited longer than the bound: SQLite's own wording, so the
/// guest classifies it as busy.
fn queue_timeout(wait: Duration) -> Error {
    Error::Io(format!("database is locked (waited {} ms for the write queue)", wait.as_millis()))
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
        // An idle connection is a pop; a new one opens a file (first requests only).
        let conn = match self.db.checkout() {
            Ok(c) => c,
            Err(e) => return Ok(Err(io_error(e))),
        };
        Ok(Ok(self.table.push(Connection { conn: Some(conn), db: self.db.clone(), writing: None })?))
    }

    async fn execute(
        &mut self,
        this: Resource<Connection>,
        statement: String,
        parameters: Vec<Value>,
    ) -> wasmtime::Result<Result<QueryResult, Error>> {
        let entry = self.table.get_mut(&this)?;
        let Some(conn) = entry.conn.as_ref() else {
            return Ok(Err(Error::InvalidConnection));
        };
        if entry.writing.is_none() && intent(conn, &statement) == Intent::Write {
            let (writer, wait) = (entry.db.writer.clone(), entry.db.write_wait);
            match tokio::time::timeout(wait, writer.lock_owned()).await {
                Ok(guard) => self.table.get_mut(&this)?.writing = Some(guard),
                Err(_) => return Ok(Err(queue_timeout(wait))),
            }
        }
        let entry = self.table.get_mut(&this)?;
        let result = if entry.writing.is_some() && ends_transaction(&statement) {
            // The commit's fsync: off the async workers.
            let Some(conn) = entry.conn.take() else {
                return Ok(Err(Error::InvalidConnection));
            };
            let (conn, result) = tokio::task::spawn_blocking(move || {
                let r = execute(&conn, &statement, parameters);
                (conn, r)
            })
            .await?;
            self.table.get_mut(&this)?.conn = Some(conn);
            result
        } else {
            match entry.conn.as_ref() {
                Some(conn) => execute(conn, &statement, parameters),
                None => return Ok(Err(Error::InvalidConnection)),
            }
        };
        // Outside a transaction again (committed, rolled back, a single write done, or the
        // BEGIN failed): the next writer may go.
        let entry = self.table.get_mut(&this)?;
        if entry.conn.as_ref().is_some_and(rusqlite::Connection::is_autocommit) {
            entry.writing = None;
        }
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

    #[test]
    fn connections_announce_the_writer_queue_to_components() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_connection(&dir.path().join("q.db")).unwrap();
        let one: i64 = conn.query_row(shared::store::WRITER_QUEUE_PROBE, [], |r| r.get(0)).unwrap();
        assert_eq!(one, 1);
        assert_eq!(intent(&conn, shared::store::WRITER_QUEUE_PROBE), Intent::None, "a probe never queues");
        let plain = rusqlite::Connection::open_in_memory().unwrap();
        assert!(plain.query_row(shared::store::WRITER_QUEUE_PROBE, [], |r| r.get::<_, i64>(0)).is_err());
    }

    #[test]
    fn begin_immediate_and_writes_outside_a_transaction_take_the_write_lock_reads_do_not() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (v TEXT)").unwrap();
        assert_eq!(intent(&conn, "BEGIN IMMEDIATE"), Intent::Write);
        assert_eq!(intent(&conn, "  -- a comment\n begin  exclusive transaction"), Intent::Write);
        assert_eq!(intent(&conn, "BEGIN"), Intent::None, "a deferred transaction begins as a reader");
        assert_eq!(intent(&conn, "INSERT INTO t (v) VALUES (1)"), Intent::Write);
        assert_eq!(intent(&conn, "WITH x AS (SELECT 1) DELETE FROM t"), Intent::Write);
        assert_eq!(intent(&conn, "SELECT * FROM t"), Intent::None);
        assert_eq!(intent(&conn, "WITH x AS (SELECT 1) SELECT * FROM x"), Intent::None);
        assert_eq!(intent(&conn, "SELECT * FROM missing"), Intent::None, "fails later, in execute");
        conn.execute_batch("BEGIN").unwrap();
        assert_eq!(intent(&conn, "INSERT INTO t (v) VALUES (1)"), Intent::None, "inside a transaction");
        assert!(ends_transaction("commit") && ends_transaction(" ROLLBACK") && !ends_transaction("SELECT 1"));
    }

    mod queue {
        use super::super::*;
        use crate::outbound::AllowedHosts;
        use crate::state::ComponentConfig;
        use sqlite::HostConnection as _;

        fn state(db: &Arc<Database>) -> HostState {
            let config = ComponentConfig {
                variables: Default::default(),
                sqlite_databases: vec![DEFAULT_DATABASE.into()],
                allowed_hosts: Arc::new(AllowedHosts::parse(&[]).unwrap()),
            };
            HostState::new(Arc::new(config), db.clone(), Arc::new(crate::pg::Pools::default()), None)
        }

        async fn run(s: &mut HostState, c: &Resource<Connection>, sql: &str) -> Result<QueryResult, Error> {
            s.execute(Resource::new_borrow(c.rep()), sql.into(), vec![]).await.unwrap()
        }

        async fn setup(wait: Duration) -> (tempfile::TempDir, Arc<Database>) {
            let dir = tempfile::tempdir().unwrap();
            let db = Arc::new(Database::with_write_wait(dir.path().join("q.db"), wait));
            let mut s = state(&db);
            let c = s.open(DEFAULT_DATABASE.into()).await.unwrap().unwrap();
            run(&mut s, &c, "CREATE TABLE t (v INTEGER)").await.unwrap();
            (dir, db)
        }

        fn count(db: &Database) -> i64 {
            let conn = open_connection(db.path()).unwrap();
            conn.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap()
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_writer_waits_for_the_writer_before_it_and_goes_as_soon_as_it_commits() {
            let (_dir, db) = setup(Duration::from_secs(10)).await;
            let (mut a, mut b) = (state(&db), state(&db));
            let ca = a.open(DEFAULT_DATABASE.into()).await.unwrap().unwrap();
            run(&mut a, &ca, "BEGIN IMMEDIATE").await.unwrap();
            let second = tokio::spawn(async move {
                let cb = b.open(DEFAULT_DATABASE.into()).await.unwrap().unwrap();
                let begun = std::time::Instant::now();
                run(&mut b, &cb, "BEGIN IMMEDIATE").await.unwrap();
                let waited = begun.elapsed();
                run(&mut b, &cb, "INSERT INTO t (v) VALUES (2)").await.unwrap();
                run(&mut b, &cb, "COMMIT").await.unwrap();
                waited
            });
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(!second.is_finished(), "the second writer queues while the first holds the lock");
            run(&mut a, &ca, "INSERT INTO t (v) VALUES (1)").await.unwrap();
            run(&mut a, &ca, "COMMIT").await.unwrap();
            let waited = second.await.unwrap();
            assert!(waited >= Duration::from_millis(300), "it waited for the first: {waited:?}");
            assert!(waited < Duration::from_secs(5), "and went when the first committed: {waited:?}");
            assert_eq!(count(&db), 2);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_writer_past_the_bound_fails_as_busy_and_the_holder_is_unaffected() {
            let (_dir, db) = setup(Duration::from_millis(100)).await;
            let (mut a, mut b) = (state(&db), state(&db));
            let ca = a.open(DEFAULT_DATABASE.into()).await.unwrap().unwrap();
            let cb = b.open(DEFAULT_DATABASE.into()).await.unwrap().unwrap();
            run(&mut a, &ca, "BEGIN IMMEDIATE").await.unwrap();
            match run(&mut b, &cb, "INSERT INTO t (v) VALUES (9)").await {
                Err(Error::Io(m)) => {
                    assert!(shared::store::StoreError::from_message(m.clone()).is_busy(), "{m}")
                }
                other => panic!("expected busy, got {other:?}"),
            }
            run(&mut b, &cb, "SELECT COUNT(*) FROM t").await.expect("readers never queue");
            run(&mut a, &ca, "INSERT INTO t (v) VALUES (1)").await.unwrap();
            run(&mut a, &ca, "COMMIT").await.unwrap();
            run(&mut b, &cb, "INSERT INTO t (v) VALUES (2)").await.expect("the lock is free again");
            assert_eq!(count(&db), 2);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_connection_dropped_inside_a_transaction_rolls_back_and_frees_the_lock() {
            let (_dir, db) = setup(Duration::from_secs(2)).await;
            let mut a = state(&db);
            let ca = a.open(DEFAULT_DATABASE.into()).await.unwrap().unwrap();
            run(&mut a, &ca, "BEGIN IMMEDIATE").await.unwrap();
            run(&mut a, &ca, "INSERT INTO t (v) VALUES (1)").await.unwrap();
            drop(a); // the guest trapped: its store, and the connection with it, goes
            let mut b = state(&db);
            let cb = b.open(DEFAULT_DATABASE.into()).await.unwrap().unwrap();
            let begun = std::time::Instant::now();
            run(&mut b, &cb, "BEGIN IMMEDIATE").await.unwrap();
            assert!(begun.elapsed() < Duration::from_secs(1));
            run(&mut b, &cb, "COMMIT").await.unwrap();
            assert_eq!(count(&db), 0, "the unfinished transaction was rolled back");
        }
    }
}
