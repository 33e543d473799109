//! `fermyon:spin/sqlite@2.0.0` on rusqlite, plus the startup migrations.
//!
//! Every `open("default")` gets its own connection (taken from a small idle pool and
//! returned when the guest drops it or its store ends): reads, and anything outside a write
//! transaction, run on it, so concurrent readers never share a connection (WAL).
//!
//! **Writers queue in the host**, not in SQLite's busy handler (which sleeps with a growing
//! back-off, up to 100 ms a step: that made the p99 of concurrent writes hundreds of
//! milliseconds). A guest's `BEGIN IMMEDIATE` (or a write outside a transaction) waits for
//! the database's write slot — an async FIFO lock — and holds it until its `COMMIT` or
//! `ROLLBACK`, so a writer waits exactly as long as the writers before it need. Past
//! [`WRITE_WAIT`] the statement fails with SQLite's own "database is locked" message, which
//! the components turn into 503 `STORE_BUSY` with `Retry-After` (never a 500).
//!
//! **Group commit** (issue 14: at 8 clients the rate was bounded by one `fsync` a writer).
//! Every write transaction runs on the slot's one writer connection, as a savepoint
//! (`zhicheng_writer`) inside a transaction the writers of a *group* share:
//! - the guest's `BEGIN IMMEDIATE` opens its savepoint (and the group's `BEGIN IMMEDIATE`
//!   when none is open); its statements run on the writer connection, so it reads its own
//!   writes;
//! - its `ROLLBACK` is `ROLLBACK TO` its savepoint: only its own writes are undone;
//! - its `COMMIT` releases the savepoint into the group. When another writer is queued (and
//!   the group's first member has waited less than [`MAX_GROUP_AGE`], and it has fewer than
//!   [`MAX_GROUP`] members), the slot passes to it and the group goes on; otherwise the
//!   group's `COMMIT` (one `fsync`) runs now. Either way **the guest's `COMMIT` returns only when the group's `COMMIT` has
//!   returned**: durable (`synchronous=FULL`), or failed, and then every member's `COMMIT`
//!   fails and none of their writes is kept (a failed step leaves the data as it was).
//! - A later writer in a group reads the writes of the members before it, which are not
//!   durable yet; it commits or fails with them, never without them.
//! - A long transaction (an import, a certificate chunk: its `BEGIN IMMEDIATE` carries
//!   [`shared::store::LONG_TRANSACTION_MARK`] in a comment) never joins a group with members
//!   waiting: they are committed first, so nobody waits for it who would not have before.
//! - A group nobody continues is always committed: by its last member, by a writer that
//!   gives up waiting, or when a guest traps inside its transaction (its savepoint is rolled
//!   back first).
//!
//! With one writer at a time nothing is grouped and each `COMMIT` is one `fsync`, as before.
//! Deferred `BEGIN` transactions stay on the guest's own connection (readers; a write in
//! one meets SQLite's busy handler). No component uses one.
//!
//! Statements run on the calling task: each is microseconds of CPU (the page cache), like
//! the guest code around it, and a hop to tokio's blocking pool per statement cost more than
//! the statement. Only the group's `COMMIT` (the `fsync`) moves to the blocking pool.
//!
//! **Checkpoints** (copying the WAL back into the database file) run beside the writers, not
//! in a writer's `COMMIT`: see [`Checkpointer`].

use crate::bindings::fermyon::spin::sqlite::{self, Error, QueryResult, RowResult, Value};
use crate::state::HostState;
use anyhow::{Context, Result};
use rusqlite::types::{Value as SqlValue, ValueRef};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{watch, OwnedMutexGuard};
use wasmtime::component::Resource;

/// The only database label this host provides.
pub const DEFAULT_DATABASE: &str = "default";

/// How long a connection waits for another's write lock before failing with `SQLITE_BUSY`
/// (another process writing the same file; inside this host writers queue).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a writer waits in the host's queue for the write slot before its statement
/// fails as busy (503 `STORE_BUSY`).
pub const WRITE_WAIT: Duration = Duration::from_secs(5);

/// The most transactions one group commit carries.
pub const MAX_GROUP: usize = 32;

/// A group whose first member has waited this long for it commits at the next member's
/// `COMMIT`, or before the next writer starts, even with writers queued: a member's
/// `COMMIT` never waits for an unbounded stream of writers after it.
pub const MAX_GROUP_AGE: Duration = Duration::from_millis(10);

/// The savepoint that stands for one guest's write transaction inside its group's.
const MEMBER: &str = "zhicheng_writer";

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

/// A group's outcome as its members see it: `None` while it is open.
type Outcome = Option<Result<(), String>>;

/// The transaction the writers of one group share on the writer connection.
#[derive(Debug)]
struct Group {
    /// Guest transactions released into it, each waiting for its `COMMIT`.
    members: usize,
    /// When its first member's `COMMIT` began to wait for it.
    first_joined: Option<Instant>,
    done: watch::Sender<Outcome>,
}

impl Group {
    fn has_waited_long_enough(&self) -> bool {
        self.first_joined.is_some_and(|t| t.elapsed() >= MAX_GROUP_AGE)
    }
}

/// Groups committed so far (each one `fsync`) and the transactions they carried, and how long
/// they held the write slot, readable while a writer holds the slot (test mode shows them at
/// `GET /_host/store`; the load benchmark prints them).
#[derive(Debug, Default)]
pub struct GroupStats {
    commits: AtomicU64,
    transactions: AtomicU64,
    /// Microseconds the committed transactions held the write slot, `BEGIN` to `COMMIT`.
    held_micros: AtomicU64,
    /// Microseconds the groups' `COMMIT`s took (their `fsync`s), the slot held meanwhile.
    commit_micros: AtomicU64,
    /// Write transactions that got the slot, and the microseconds they waited for it.
    begins: AtomicU64,
    waited_micros: AtomicU64,
    /// Microseconds the committed transactions' `COMMIT`s took, as their guests saw them:
    /// the group's later members, then its `COMMIT`.
    commit_wait_micros: AtomicU64,
}

impl GroupStats {
    /// (groups committed, transactions they carried).
    pub fn get(&self) -> (u64, u64) {
        (self.commits.load(SeqCst), self.transactions.load(SeqCst))
    }
}

/// The write slot's counters so far, as test mode shows them at `GET /_host/store` (and the
/// load benchmark reads them back).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SlotReport {
    /// Groups committed (each one `fsync`).
    pub group_commits: u64,
    /// The transactions those groups carried.
    pub grouped_transactions: u64,
    /// Microseconds the committed transactions held the slot, `BEGIN` to `COMMIT`.
    pub slot_held_micros: u64,
    /// Microseconds the groups' `COMMIT`s held it.
    pub commit_micros: u64,
    /// Write transactions that got the slot.
    pub slot_begins: u64,
    /// Microseconds they waited for it.
    pub slot_wait_micros: u64,
    /// Microseconds the committed transactions waited in `COMMIT` (for the group's later
    /// members and its `COMMIT`).
    pub commit_wait_micros: u64,
    /// Checkpoints run beside the writers ([`Checkpointer`], step 1).
    pub checkpoints_beside_writers: u64,
    /// Checkpoints run in the slot (step 2).
    pub checkpoints_in_slot: u64,
}

/// Copies the WAL's committed frames into the database file, mostly off the write slot.
///
/// SQLite's default (`wal_autocheckpoint`) has the connection whose `COMMIT` takes the WAL
/// past 1,000 pages copy them all back, and `fsync` the database file, before that `COMMIT`
/// returns: a member of that group waited for it, and with it every writer queued for the
/// slot (the p99 of unit approvals at one client was 2.9 ms with it, 1.5 ms with this). The
/// writer connection runs with `wal_autocheckpoint=0` instead, and after a group commits:
/// 1. unless one is running or one started less than [`CHECKPOINT_EVERY`] ago, a `PASSIVE`
///    checkpoint runs on a connection of its own, on the blocking pool. It takes no lock a
///    writer or a reader waits for; it copies the frames no reader still needs.
/// 2. When the WAL then holds [`RESTART_AT_FRAMES`] frames or more, the checkpointer takes
///    its turn at the write slot (a group open is committed first) and checkpoints once
///    more on the writer connection: only the frames written since step 1 are left to
///    copy, and with no writer meanwhile it copies them all. The next writer then starts
///    the WAL from its beginning (SQLite restarts it only for a writer that began when every
///    frame had been copied, which a checkpoint beside a stream of writers never sees), so
///    the WAL file stops growing: an `fsync` that grows the file cost about twice one that
///    overwrites it, on this machine.
#[derive(Debug)]
struct Checkpointer {
    path: PathBuf,
    /// Its own connection, opened by the first checkpoint.
    conn: Mutex<Option<rusqlite::Connection>>,
    running: std::sync::atomic::AtomicBool,
    /// When the last checkpoint started.
    last: Mutex<Option<Instant>>,
    /// Checkpoints run beside the writers (step 1), and in the write slot (step 2).
    beside: AtomicU64,
    in_slot: AtomicU64,
}

/// The shortest time between two background checkpoints.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(20);

/// The WAL's length, in frames (pages), from which the checkpointer finishes in the write
/// slot so that the WAL starts again (SQLite's own checkpoint threshold).
pub const RESTART_AT_FRAMES: i64 = 1000;

/// A `PASSIVE` checkpoint on `conn`: the frames in the WAL and those copied into the
/// database file, `None` when it failed or was busy (the frames stay in the WAL, where
/// readers find them; the next checkpoint copies them).
fn checkpoint(conn: &rusqlite::Connection) -> Option<(i64, i64)> {
    let row = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
    });
    match row {
        Ok((0, frames, copied)) => Some((frames, copied)),
        _ => None,
    }
}

impl Checkpointer {
    fn new(path: PathBuf) -> Checkpointer {
        Checkpointer {
            path,
            conn: Mutex::new(None),
            running: std::sync::atomic::AtomicBool::new(false),
            last: Mutex::new(None),
            beside: AtomicU64::new(0),
            in_slot: AtomicU64::new(0),
        }
    }

    /// Whether a checkpoint may start now; if so, it is marked running.
    fn start(&self) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|t| t.elapsed() < CHECKPOINT_EVERY) || self.running.swap(true, SeqCst) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    /// Step 1, on its own connection.
    fn beside_the_writers(&self) -> Option<(i64, i64)> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        if conn.is_none() {
            *conn = open_connection(&self.path).ok();
        }
        let done = checkpoint(conn.as_ref()?);
        self.beside.fetch_add(1, SeqCst);
        done
    }
}

/// The write slot's contents: the writer connection and the group open on it.
#[derive(Debug)]
pub(crate) struct Writer {
    /// Opened by the first writer.
    conn: Option<rusqlite::Connection>,
    group: Option<Group>,
    stats: Arc<GroupStats>,
    /// When the running member's `BEGIN` got the slot.
    member_since: Option<Instant>,
}

/// The write slot, held by the writer whose transaction runs.
type Slot = OwnedMutexGuard<Writer>;

impl Writer {
    fn conn(&self) -> rusqlite::Result<&rusqlite::Connection> {
        self.conn.as_ref().ok_or(rusqlite::Error::InvalidQuery)
    }

    /// Opens a member's savepoint, and the group's transaction first when none is open.
    fn open_member(&mut self, path: &Path) -> rusqlite::Result<()> {
        if self.conn.is_none() {
            let conn = open_connection(path)?;
            // Its COMMITs never checkpoint: the checkpointer does, off the slot.
            conn.execute_batch("PRAGMA wal_autocheckpoint=0")?;
            self.conn = Some(conn);
        }
        if self.group.is_none() {
            self.conn()?.execute_batch("BEGIN IMMEDIATE")?;
            let (done, _) = watch::channel(None);
            self.group = Some(Group { members: 0, first_joined: None, done });
        }
        self.member_since = Some(Instant::now());
        self.conn()?.execute_batch(&format!("SAVEPOINT {MEMBER}"))
    }

    /// Runs one of the member's statements.
    fn run(&self, sql: &str, params: Vec<Value>) -> rusqlite::Result<QueryResult> {
        execute(self.conn()?, sql, params)
    }

    /// Releases the member's savepoint into the group, which counts one member more.
    /// Returns the receiver of the group's outcome.
    fn join_group(&mut self) -> Result<watch::Receiver<Outcome>, Error> {
        let released = self.conn().and_then(|c| c.execute_batch(&format!("RELEASE {MEMBER}")));
        if let Err(e) = released {
            self.lose_group_if_rolled_back();
            return Err(io_error(e));
        }
        match self.group.as_mut() {
            Some(group) => {
                group.members += 1;
                if let Some(t) = self.member_since.take() {
                    self.stats.held_micros.fetch_add(t.elapsed().as_micros() as u64, SeqCst);
                }
                group.first_joined.get_or_insert_with(Instant::now);
                Ok(group.done.subscribe())
            }
            None => Err(Error::Io("the write transaction was already rolled back".into())),
        }
    }

    /// Undoes the member's writes and removes its savepoint (nothing when SQLite already
    /// rolled the whole transaction back).
    fn undo_member(&mut self) -> Result<(), Error> {
        let conn = self.conn().map_err(io_error)?;
        if conn.is_autocommit() {
            return Ok(());
        }
        conn.execute_batch(&format!("ROLLBACK TO {MEMBER}; RELEASE {MEMBER}")).map_err(io_error)
    }

    /// After a failed statement: when SQLite rolled the group's transaction back (it does
    /// after some errors: I/O, disk full), the group is over and its members' `COMMIT`s fail.
    fn lose_group_if_rolled_back(&mut self) -> bool {
        let rolled_back = self.conn.as_ref().is_some_and(rusqlite::Connection::is_autocommit);
        if rolled_back {
            if let Some(group) = self.group.take() {
                let message = "the write transaction was rolled back after an error; nothing was written";
                group.done.send_replace(Some(Err(message.into())));
            }
        }
        rolled_back
    }

    /// Ends the group's transaction and tells its members: `COMMIT` (the `fsync`) when it
    /// has any, `ROLLBACK` (nothing to keep) when none. Returns whether members' writes
    /// were committed.
    fn close_group(&mut self) -> bool {
        let Some(group) = self.group.take() else { return false };
        let Some(conn) = self.conn.as_ref() else { return false };
        let t = Instant::now();
        let outcome = if group.members == 0 { conn.execute_batch("ROLLBACK") } else { conn.execute_batch("COMMIT") };
        self.stats.commit_micros.fetch_add(t.elapsed().as_micros() as u64, SeqCst);
        if !conn.is_autocommit() {
            // A failed COMMIT leaves the transaction open; nothing of it is kept.
            let _rollback_result = conn.execute_batch("ROLLBACK");
        }
        let committed = outcome.is_ok() && group.members > 0;
        if committed {
            self.stats.commits.fetch_add(1, SeqCst);
            self.stats.transactions.fetch_add(group.members as u64, SeqCst);
        }
        group.done.send_replace(Some(outcome.map_err(|e| e.to_string())));
        committed
    }

    /// Whether the group should be closed now, whoever holds the slot next.
    fn group_is_due(&self, queued: usize) -> bool {
        self.group
            .as_ref()
            .is_some_and(|g| g.members == 0 || queued == 0 || g.members >= MAX_GROUP || g.has_waited_long_enough())
    }
}

/// Waits for a group's outcome.
async fn outcome(mut done: watch::Receiver<Outcome>) -> Result<(), Error> {
    match done.wait_for(Option::is_some).await {
        Ok(outcome) => match &*outcome {
            Some(Err(message)) => Err(Error::Io(message.clone())),
            _ => Ok(()),
        },
        Err(_) => Err(Error::Io("the write transaction's commit was lost".into())),
    }
}

/// The application's single SQLite database file, its idle connections and its write slot.
#[derive(Debug)]
pub struct Database {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
    /// Held by the writer whose transaction runs; tokio's mutex queues waiters in FIFO order.
    writer: Arc<tokio::sync::Mutex<Writer>>,
    /// Writers waiting for the slot (a group stays open for them).
    queued: AtomicUsize,
    write_wait: Duration,
    stats: Arc<GroupStats>,
    checkpointer: Checkpointer,
}

/// A writer's place in the queue: counted in [`Database::queued`] while it waits.
struct Waiting<'a> {
    db: &'a Arc<Database>,
    served: bool,
}

impl<'a> Waiting<'a> {
    fn new(db: &'a Arc<Database>) -> Waiting<'a> {
        db.queued.fetch_add(1, SeqCst);
        Waiting { db, served: false }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.db.queued.fetch_sub(1, SeqCst);
        if !self.served {
            // It gave up (or was cancelled): a member may have left the group open for it.
            self.db.settle_soon();
        }
    }
}

impl Database {
    /// A database at `path` (the file is created on first use).
    pub fn new(path: PathBuf) -> Database {
        Database::with_write_wait(path, WRITE_WAIT)
    }

    /// Like [`Database::new`], with another bound on the wait for the write slot.
    pub fn with_write_wait(path: PathBuf, write_wait: Duration) -> Database {
        let stats = Arc::new(GroupStats::default());
        let checkpointer = Checkpointer::new(path.clone());
        let writer = Writer { conn: None, group: None, stats: stats.clone(), member_since: None };
        Database {
            path,
            idle: Mutex::new(Vec::new()),
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            queued: AtomicUsize::new(0),
            write_wait,
            stats,
            checkpointer,
        }
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
        // A connection left inside a (deferred) transaction is closed, which rolls it back.
        if conn.is_autocommit() {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }

    /// Waits for the write slot, at most [`Database::write_wait`].
    async fn acquire(self: &Arc<Self>) -> Result<Slot, Error> {
        let mut waiting = Waiting::new(self);
        match tokio::time::timeout(self.write_wait, self.writer.clone().lock_owned()).await {
            Ok(slot) => {
                waiting.served = true;
                Ok(slot)
            }
            Err(_) => Err(queue_timeout(self.write_wait)),
        }
    }

    /// A guest's `BEGIN IMMEDIATE`: waits its turn, then opens its savepoint in the group.
    /// A `long` transaction ([`shared::store::LONG_TRANSACTION_MARK`]) starts a group of its
    /// own: the members waiting are committed first, not kept waiting for it.
    async fn begin(self: &Arc<Self>, long: bool) -> Result<Slot, Error> {
        let asked = Instant::now();
        let mut slot = self.acquire().await?;
        self.stats.begins.fetch_add(1, SeqCst);
        self.stats.waited_micros.fetch_add(asked.elapsed().as_micros() as u64, SeqCst);
        if slot.group.as_ref().is_some_and(|g| g.has_waited_long_enough() || (long && g.members > 0)) {
            // The members so far have waited long enough, or would wait for a long one.
            slot = self.close_group(slot).await?;
        }
        match slot.open_member(&self.path) {
            Ok(()) => Ok(slot),
            Err(e) => {
                self.release(slot).await;
                Err(io_error(e))
            }
        }
    }

    /// A guest's `COMMIT`: its writes join the group, and it returns when the group's
    /// `COMMIT` has.
    async fn commit(self: &Arc<Self>, mut slot: Slot) -> Result<(), Error> {
        let asked = Instant::now();
        let done = match slot.join_group() {
            Ok(done) => done,
            Err(e) => {
                self.release(slot).await;
                return Err(e);
            }
        };
        if slot.group_is_due(self.queued.load(SeqCst)) {
            drop(self.close_group(slot).await?);
        } else {
            // The next writer continues the group; the last one commits it.
            drop(slot);
            self.settle().await;
        }
        let committed = outcome(done).await;
        if committed.is_ok() {
            self.stats.commit_wait_micros.fetch_add(asked.elapsed().as_micros() as u64, SeqCst);
        }
        committed
    }

    /// A guest's `ROLLBACK`: its writes are undone; the group goes on without them.
    async fn rollback(self: &Arc<Self>, mut slot: Slot) -> Result<(), Error> {
        let undone = slot.undo_member();
        self.release(slot).await;
        undone
    }

    /// A statement of a guest that holds the slot. Returns the slot while the guest's
    /// transaction goes on.
    async fn in_transaction(
        self: &Arc<Self>,
        mut slot: Slot,
        sql: &str,
        params: Vec<Value>,
    ) -> (Option<Slot>, Result<QueryResult, Error>) {
        match control(sql) {
            Control::Commit => (None, self.commit(slot).await.map(|()| no_rows())),
            Control::Rollback => (None, self.rollback(slot).await.map(|()| no_rows())),
            Control::BeginWrite | Control::BeginDeferred => {
                (Some(slot), Err(Error::Io("cannot start a transaction within a transaction".into())))
            }
            Control::Statement => match slot.run(sql, params) {
                Ok(rows) => (Some(slot), Ok(rows)),
                Err(e) if slot.lose_group_if_rolled_back() => {
                    self.release(slot).await;
                    (None, Err(io_error(e)))
                }
                Err(e) => (Some(slot), Err(io_error(e))),
            },
        }
    }

    /// A write outside a transaction: a transaction of its own, in the group.
    async fn write_alone(self: &Arc<Self>, sql: &str, params: Vec<Value>) -> Result<QueryResult, Error> {
        let mut slot = self.begin(false).await?;
        match slot.run(sql, params) {
            Ok(rows) => self.commit(slot).await.map(|()| rows),
            Err(e) => {
                if !slot.lose_group_if_rolled_back() {
                    let _undo_result = slot.undo_member();
                }
                self.release(slot).await;
                Err(io_error(e))
            }
        }
    }

    /// Closes the group on the blocking pool (its `COMMIT` is the `fsync`), and gives the
    /// slot back to the caller. After a group committed, a checkpoint may start.
    async fn close_group(self: &Arc<Self>, mut slot: Slot) -> Result<Slot, Error> {
        if slot.group.as_ref().is_some_and(|g| g.members == 0) {
            slot.close_group(); // a ROLLBACK: no fsync
            return Ok(slot);
        }
        let (slot, committed) = tokio::task::spawn_blocking(move || {
            let committed = slot.close_group();
            (slot, committed)
        })
        .await
        .map_err(io_error)?;
        if committed {
            self.checkpoint_soon();
        }
        Ok(slot)
    }

    /// Starts a checkpoint in the background ([`Checkpointer`]) unless one is running or one
    /// started less than [`CHECKPOINT_EVERY`] ago.
    fn checkpoint_soon(self: &Arc<Self>) {
        if !self.checkpointer.start() {
            return;
        }
        let db = self.clone();
        tokio::spawn(async move {
            let beside = db.clone();
            let frames = tokio::task::spawn_blocking(move || beside.checkpointer.beside_the_writers()).await;
            if matches!(frames, Ok(Some((n, _))) if n >= RESTART_AT_FRAMES) {
                db.checkpoint_in_the_slot().await;
            }
            db.checkpointer.running.store(false, SeqCst);
        });
    }

    /// Step 2 of [`Checkpointer`]: in the write slot, on the writer connection.
    async fn checkpoint_in_the_slot(self: &Arc<Self>) {
        let Ok(mut slot) = self.acquire().await else { return };
        if slot.group.is_some() {
            // The group waited for the checkpointer's turn: it commits first.
            slot = match self.close_group(slot).await {
                Ok(slot) => slot,
                Err(_) => return,
            };
        }
        let checkpointed = tokio::task::spawn_blocking(move || {
            if let Some(conn) = slot.conn.as_ref() {
                checkpoint(conn);
            }
            slot
        })
        .await;
        if let Ok(slot) = checkpointed {
            self.checkpointer.in_slot.fetch_add(1, SeqCst);
            self.release(slot).await;
        }
    }

    /// Gives the slot back outside a member's `COMMIT`: a group nobody will continue is
    /// closed first.
    async fn release(self: &Arc<Self>, slot: Slot) {
        let slot =
            if slot.group_is_due(self.queued.load(SeqCst)) { self.close_group(slot).await.ok() } else { Some(slot) };
        drop(slot);
        self.settle().await;
    }

    /// After the slot was given back to a queue that may since have emptied (its writers
    /// gave up): when nobody waits and nobody holds the slot, closes a group left open.
    async fn settle(self: &Arc<Self>) {
        if self.queued.load(SeqCst) != 0 {
            return;
        }
        if let Ok(slot) = self.writer.clone().try_lock_owned() {
            if slot.group.is_some() {
                let _closed = self.close_group(slot).await;
            }
        }
    }

    /// [`Database::settle`] from synchronous code (a drop).
    fn settle_soon(self: &Arc<Self>) {
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let db = self.clone();
            runtime.spawn(async move { db.settle().await });
        }
    }

    /// Groups committed so far, and the transactions they carried.
    pub fn group_stats(&self) -> (u64, u64) {
        self.stats.get()
    }

    /// The write slot's counters so far.
    pub fn slot_report(&self) -> SlotReport {
        let (stats, checkpoints) = (&self.stats, &self.checkpointer);
        SlotReport {
            group_commits: stats.commits.load(SeqCst),
            grouped_transactions: stats.transactions.load(SeqCst),
            slot_held_micros: stats.held_micros.load(SeqCst),
            commit_micros: stats.commit_micros.load(SeqCst),
            slot_begins: stats.begins.load(SeqCst),
            slot_wait_micros: stats.waited_micros.load(SeqCst),
            commit_wait_micros: stats.commit_wait_micros.load(SeqCst),
            checkpoints_beside_writers: checkpoints.beside.load(SeqCst),
            checkpoints_in_slot: checkpoints.in_slot.load(SeqCst),
        }
    }
}

/// The host side of a guest's `connection` resource.
pub struct Connection {
    conn: Option<rusqlite::Connection>,
    db: Arc<Database>,
    /// The write slot, while this connection's write transaction runs.
    writing: Option<Slot>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            self.db.checkin(c);
        }
        // The guest went inside its write transaction (it trapped, or its store ended):
        // its writes are undone, and the group goes on without them.
        if let Some(mut slot) = self.writing.take() {
            let _undo_result = slot.undo_member();
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    let db = self.db.clone();
                    runtime.spawn(async move { db.release(slot).await });
                }
                Err(_) => drop(slot.close_group()),
            }
        }
    }
}

/// What a statement is to the write slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    /// `BEGIN IMMEDIATE` / `BEGIN EXCLUSIVE`: a write transaction.
    BeginWrite,
    /// `BEGIN [DEFERRED]`: a transaction that begins as a reader.
    BeginDeferred,
    /// `COMMIT` / `END`.
    Commit,
    /// `ROLLBACK` of the whole transaction (not `ROLLBACK TO` a savepoint).
    Rollback,
    /// Anything else.
    Statement,
}

/// The statement's words from its start, after blanks and comments.
fn words(sql: &str) -> impl Iterator<Item = &str> {
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
    rest.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty())
}

fn control(sql: &str) -> Control {
    let is = |word: Option<&str>, keyword: &str| word.is_some_and(|w| w.eq_ignore_ascii_case(keyword));
    let mut words = words(sql);
    let first = words.next();
    if is(first, "BEGIN") {
        let second = words.next();
        if is(second, "IMMEDIATE") || is(second, "EXCLUSIVE") {
            Control::BeginWrite
        } else {
            Control::BeginDeferred
        }
    } else if is(first, "COMMIT") || is(first, "END") {
        Control::Commit
    } else if is(first, "ROLLBACK") {
        let mut next = words.next();
        if is(next, "TRANSACTION") {
            next = words.next();
        }
        if is(next, "TO") {
            Control::Statement
        } else {
            Control::Rollback
        }
    } else {
        Control::Statement
    }
}

/// Whether a statement outside a transaction writes (a statement that does not prepare
/// fails later, with SQLite's message).
fn writes(conn: &rusqlite::Connection, sql: &str) -> bool {
    conn.prepare_cached(sql).is_ok_and(|stmt| !stmt.readonly())
}

fn no_rows() -> QueryResult {
    QueryResult { columns: Vec::new(), rows: Vec::new() }
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
        let db = entry.db.clone();
        if let Some(slot) = entry.writing.take() {
            let (slot, result) = db.in_transaction(slot, &statement, parameters).await;
            self.table.get_mut(&this)?.writing = slot;
            return Ok(result);
        }
        let result = match control(&statement) {
            Control::BeginWrite => match db.begin(statement.contains(shared::store::LONG_TRANSACTION_MARK)).await {
                Ok(slot) => {
                    self.table.get_mut(&this)?.writing = Some(slot);
                    Ok(no_rows())
                }
                Err(e) => Err(e),
            },
            // Outside a (deferred) transaction of its own connection, a write is a
            // transaction of its own.
            Control::Statement if conn.is_autocommit() && writes(conn, &statement) => {
                db.write_alone(&statement, parameters).await
            }
            _ => execute(conn, &statement, parameters).map_err(io_error),
        };
        Ok(result)
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
        assert!(!writes(&conn, shared::store::WRITER_QUEUE_PROBE), "a probe never queues");
        let plain = rusqlite::Connection::open_in_memory().unwrap();
        assert!(plain.query_row(shared::store::WRITER_QUEUE_PROBE, [], |r| r.get::<_, i64>(0)).is_err());
    }

    #[test]
    fn begin_immediate_and_writes_outside_a_transaction_take_the_write_slot_reads_do_not() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (v TEXT)").unwrap();
        assert_eq!(control("BEGIN IMMEDIATE"), Control::BeginWrite);
        assert_eq!(control("  -- a comment\n begin  exclusive transaction"), Control::BeginWrite);
        assert_eq!(control("/* x */ BEGIN"), Control::BeginDeferred, "a deferred transaction begins as a reader");
        assert_eq!(control("BEGIN DEFERRED TRANSACTION"), Control::BeginDeferred);
        assert_eq!(control("commit"), Control::Commit);
        assert_eq!(control("END TRANSACTION"), Control::Commit);
        assert_eq!(control(" ROLLBACK"), Control::Rollback);
        assert_eq!(control("ROLLBACK TRANSACTION"), Control::Rollback);
        assert_eq!(control("ROLLBACK TO admin_row"), Control::Statement, "a savepoint's, inside the transaction");
        assert_eq!(control("rollback transaction to savepoint admin_row"), Control::Statement);
        assert_eq!(control("SAVEPOINT admin_row"), Control::Statement);
        assert_eq!(control("SELECT 1"), Control::Statement);
        assert!(writes(&conn, "INSERT INTO t (v) VALUES (1)"));
        assert!(writes(&conn, "WITH x AS (SELECT 1) DELETE FROM t"));
        assert!(!writes(&conn, "SELECT * FROM t"));
        assert!(!writes(&conn, "WITH x AS (SELECT 1) SELECT * FROM x"));
        assert!(!writes(&conn, "SELECT * FROM missing"), "fails later, in execute");
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
            // From when B is in the queue (not from when its task happened to start), A keeps
            // the slot 300 ms more.
            until("B queues", || db.queued.load(SeqCst) == 1).await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert!(!second.is_finished(), "the second writer queues while the first holds the lock");
            run(&mut a, &ca, "INSERT INTO t (v) VALUES (1)").await.unwrap();
            run(&mut a, &ca, "COMMIT").await.unwrap();
            let waited = second.await.unwrap();
            assert!(waited >= Duration::from_millis(300), "it waited for the first: {waited:?}");
            assert!(waited < Duration::from_secs(5), "and went when the first committed: {waited:?}");
            assert_eq!(count(&db), 2);
            // The host counted that wait (the CREATE TABLE of the setup was a writer too).
            let report = db.slot_report();
            let (begins, waited_micros, commit_micros) =
                (report.slot_begins, report.slot_wait_micros, report.commit_wait_micros);
            assert_eq!(begins, 3);
            assert!(waited_micros >= 300_000, "waits counted: {waited_micros} µs");
            assert!(waited_micros < waited.as_micros() as u64 + 100_000, "and only them: {waited_micros} µs");
            assert!(commit_micros > 0, "the COMMITs' time counted");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn the_wal_is_copied_into_the_database_file_in_the_background_and_stops_growing() {
            let (dir, db) = setup(Duration::from_secs(10)).await;
            let mut s = state(&db);
            let c = s.open(DEFAULT_DATABASE.into()).await.unwrap().unwrap();
            // 3,000 commits of a page or two each: 12 MiB of WAL if it never started again.
            for v in 0..3000 {
                run(&mut s, &c, &format!("INSERT INTO t (v) VALUES ({v})")).await.unwrap();
            }
            let wal = std::fs::metadata(dir.path().join("q.db-wal")).unwrap().len();
            let report = db.slot_report();
            let (beside, in_slot) = (report.checkpoints_beside_writers, report.checkpoints_in_slot);
            let frames = wal / (4096 + 24);
            assert!(
                frames < RESTART_AT_FRAMES as u64 + 500,
                "the WAL started again: {wal} bytes ({beside} checkpoints, {in_slot} in the slot)"
            );
            assert!(beside > 1 && in_slot > 0, "checkpoints ran: {beside} beside the writers, {in_slot} in the slot");
            // What they copied is in the database file itself, read without the WAL.
            until("no checkpoint is running", || !db.checkpointer.running.load(SeqCst)).await;
            let alone = dir.path().join("alone.db");
            std::fs::copy(db.path(), &alone).unwrap();
            let copied: i64 = rusqlite::Connection::open(&alone)
                .unwrap()
                .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
                .unwrap();
            assert!(copied > 0 && copied <= 3000, "{copied} rows in the database file");
            assert_eq!(count(&db), 3000, "and every row through the WAL");
        }

        /// Group commits, and the transactions they carried, since `before`.
        fn since(db: &Database, before: (u64, u64)) -> (u64, u64) {
            let now = db.group_stats();
            (now.0 - before.0, now.1 - before.1)
        }

        /// Polls until `cond` holds (at most 5 s).
        async fn until(what: &str, cond: impl Fn() -> bool) {
            let begun = std::time::Instant::now();
            while !cond() {
                assert!(begun.elapsed() < Duration::from_secs(5), "timed out waiting: {what}");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }

        /// A's state and connection, the sender that lets B go on, and B's task.
        type Queued = (
            HostState,
            Resource<Connection>,
            tokio::sync::oneshot::Sender<()>,
            tokio::task::JoinHandle<Result<QueryResult, Error>>,
        );

        /// Writer A inside its transaction (one row written), and writer B queued behind it
        /// in its own task: B begins, runs `b_sql`, waits for `go`, then runs `b_end`, or with
        /// `None` traps (its store goes, the connection inside its transaction).
        async fn a_and_b_queued(db: &Arc<Database>, b_sql: &'static str, b_end: Option<&'static str>) -> Queued {
            a_and_b_queued_from(db, "BEGIN IMMEDIATE", b_sql, b_end).await
        }

        /// [`a_and_b_queued`] with B beginning with `b_begin`.
        async fn a_and_b_queued_from(
            db: &Arc<Database>,
            b_begin: &'static str,
            b_sql: &'static str,
            b_end: Option<&'static str>,
        ) -> Queued {
            let mut a = state(db);
            let ca = a.open(DEFAULT_DATABASE.into()).await.unwrap().unwrap();
            run(&mut a, &ca, "BEGIN IMMEDIATE").await.unwrap();
            run(&mut a, &ca, "INSERT INTO t (v) VALUES (1)").await.unwrap();
            let (go, go_rx) = tokio::sync::oneshot::channel::<()>();
            let mut b = state(db);
            let second = tokio::spawn(async move {
                let cb = b.open(DEFAULT_DATABASE.into()).await.unwrap().unwrap();
                run(&mut b, &cb, b_begin).await.unwrap();
                run(&mut b, &cb, b_sql).await.unwrap();
                go_rx.await.unwrap();
                match b_end {
                    Some(sql) => run(&mut b, &cb, sql).await,
                    None => {
                        drop(b);
                        Ok(no_rows())
                    }
                }
            });
            until("B queues", || db.queued.load(SeqCst) == 1).await;
            (a, ca, go, second)
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn writers_queued_behind_a_commit_share_its_fsync_and_no_commit_returns_before_it() {
            let (_dir, db) = setup(Duration::from_secs(10)).await;
            let before = db.group_stats();
            let (mut a, ca, go, second) = a_and_b_queued(&db, "INSERT INTO t (v) VALUES (2)", Some("COMMIT")).await;
            let first = tokio::spawn(async move { run(&mut a, &ca, "COMMIT").await });
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert!(!first.is_finished(), "A's COMMIT waits for the group's, which B continues");
            assert_eq!(count(&db), 0, "nothing is visible outside before the group commits");
            go.send(()).unwrap();
            second.await.unwrap().expect("B's COMMIT");
            first.await.unwrap().expect("A's COMMIT");
            assert_eq!(count(&db), 2);
            assert_eq!(since(&db, before), (1, 2), "two transactions, one COMMIT");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_long_transaction_does_not_keep_the_members_before_it_waiting() {
            let (_dir, db) = setup(Duration::from_secs(10)).await;
            let before = db.group_stats();
            let long = shared::store::BEGIN_LONG_TRANSACTION;
            let (mut a, ca, go, second) =
                a_and_b_queued_from(&db, long, "INSERT INTO t (v) VALUES (2)", Some("COMMIT")).await;
            let first = tokio::spawn(async move { run(&mut a, &ca, "COMMIT").await });
            // A's COMMIT returns while B, which began after it, is still inside its transaction.
            tokio::time::timeout(Duration::from_secs(5), first).await.expect("A's COMMIT returns").unwrap().unwrap();
            assert_eq!(count(&db), 1, "A's row is committed before B's transaction ends");
            go.send(()).unwrap();
            second.await.unwrap().expect("B's COMMIT");
            assert_eq!(count(&db), 2);
            assert_eq!(since(&db, before), (2, 2), "two groups of one");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_writer_that_rolls_back_in_a_group_undoes_only_its_own_writes() {
            let (_dir, db) = setup(Duration::from_secs(10)).await;
            let before = db.group_stats();
            let (mut a, ca, go, second) = a_and_b_queued(&db, "INSERT INTO t (v) VALUES (2)", Some("ROLLBACK")).await;
            let first = tokio::spawn(async move { run(&mut a, &ca, "COMMIT").await });
            tokio::time::sleep(Duration::from_millis(100)).await;
            assert!(!first.is_finished());
            go.send(()).unwrap();
            second.await.unwrap().expect("B's ROLLBACK");
            first.await.unwrap().expect("A's COMMIT, by the writer that rolled back");
            let conn = open_connection(db.path()).unwrap();
            let v: Vec<i64> = conn
                .prepare("SELECT v FROM t")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(v, vec![1], "A's row is kept, B's is not");
            assert_eq!(since(&db, before), (1, 1));
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_failed_group_commit_fails_every_member_and_keeps_nothing() {
            let (_dir, db) = setup(Duration::from_secs(10)).await;
            {
                let mut s = state(&db);
                let c = s.open(DEFAULT_DATABASE.into()).await.unwrap().unwrap();
                run(&mut s, &c, "CREATE TABLE p (id INTEGER PRIMARY KEY)").await.unwrap();
                run(&mut s, &c, "CREATE TABLE c (p INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)")
                    .await
                    .unwrap();
            }
            // B's row breaks a constraint checked only at the group's COMMIT.
            let before = db.group_stats();
            let (mut a, ca, go, second) = a_and_b_queued(&db, "INSERT INTO c (p) VALUES (99)", Some("COMMIT")).await;
            let first = tokio::spawn(async move { run(&mut a, &ca, "COMMIT").await });
            tokio::time::sleep(Duration::from_millis(100)).await;
            go.send(()).unwrap();
            let b = second.await.unwrap();
            let a = first.await.unwrap();
            assert!(matches!(&b, Err(Error::Io(m)) if m.contains("FOREIGN KEY")), "{b:?}");
            assert!(matches!(&a, Err(Error::Io(m)) if m.contains("FOREIGN KEY")), "{a:?}");
            assert_eq!(count(&db), 0, "A's row went with the group");
            // The slot and the writer connection are usable again.
            let mut s = state(&db);
            let c = s.open(DEFAULT_DATABASE.into()).await.unwrap().unwrap();
            run(&mut s, &c, "BEGIN IMMEDIATE").await.unwrap();
            run(&mut s, &c, "INSERT INTO t (v) VALUES (3)").await.unwrap();
            run(&mut s, &c, "COMMIT").await.unwrap();
            assert_eq!(count(&db), 1);
            assert_eq!(since(&db, before), (1, 1), "the failed group is not counted; the next one is");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_group_left_to_a_writer_that_gives_up_waiting_is_committed_all_the_same() {
            let (_dir, db) = setup(Duration::from_secs(10)).await;
            let slot = db.begin(false).await.unwrap();
            slot.run("INSERT INTO t (v) VALUES (1)", vec![]).unwrap();
            let waiter = Waiting::new(&db); // a writer in the queue…
            let commit = tokio::spawn({
                let db = db.clone();
                async move { db.commit(slot).await }
            });
            tokio::time::sleep(Duration::from_millis(150)).await;
            assert!(!commit.is_finished(), "the member left the group open for the writer queued");
            drop(waiter); // …which gives up (its wait timed out, or its request went away)
            tokio::time::timeout(Duration::from_secs(5), commit).await.expect("committed").unwrap().unwrap();
            assert_eq!(count(&db), 1);
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_writer_that_traps_in_a_group_leaves_the_members_before_it_committed() {
            let (_dir, db) = setup(Duration::from_secs(10)).await;
            let (mut a, ca, trap, second) = a_and_b_queued(&db, "INSERT INTO t (v) VALUES (2)", None).await;
            let first = tokio::spawn(async move { run(&mut a, &ca, "COMMIT").await });
            tokio::time::sleep(Duration::from_millis(100)).await;
            assert!(!first.is_finished());
            trap.send(()).unwrap();
            second.await.unwrap().expect("B trapped");
            tokio::time::timeout(Duration::from_secs(5), first).await.expect("A's COMMIT returns").unwrap().unwrap();
            assert_eq!(count(&db), 1, "A's row is kept, B's is not");
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
