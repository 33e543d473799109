//! `spin:postgres/postgres@4.0.0` on `tokio-postgres` + `deadpool-postgres`, as Spin 4's
//! `spin-factor-outbound-pg` provides it: a pool per address (checked out by `open`, back on
//! drop, recycled with deadpool's `Clean` method and no `ROLLBACK` — the guest guards
//! against a leaked transaction itself), the address checked against the component's
//! `allowed_outbound_hosts` (`postgres://host[:port]`), server errors as `db-error` with the
//! SQLSTATE, each statement text prepared once per pooled connection ([`prepare`]). Unlike
//! Spin 4.0.2 a `query` with zero rows returns an empty row set (the guest never depends on
//! that: notes/spin-postgres.md §2). Also the PostgreSQL migrations.

use crate::bindings::spin::postgres::postgres::{
    self as pg, Column, DbDataType, DbError, DbValue, Error, ParameterValue, QueryError, RowSet,
};
use crate::state::HostState;
use anyhow::{Context, Result};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use tokio_postgres::types::{IsNull, ToSql, Type};
use wasmtime::component::Resource;

/// Connections per address pool (Spin's figure).
const POOL_SIZE: usize = 64;

/// The host's PostgreSQL pools, one per address string.
#[derive(Default)]
pub struct Pools {
    pools: Mutex<HashMap<String, Pool>>,
}

impl std::fmt::Debug for Pools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pools")
    }
}

impl Pools {
    fn pool(&self, address: &str) -> Result<Pool, String> {
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = pools.get(address) {
            return Ok(p.clone());
        }
        let config = tokio_postgres::Config::from_str(address).map_err(|e| format!("invalid address: {e}"))?;
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig { recycling_method: RecyclingMethod::Clean },
        );
        let pool = Pool::builder(manager).max_size(POOL_SIZE).build().map_err(|e| e.to_string())?;
        pools.insert(address.to_owned(), pool.clone());
        Ok(pool)
    }
}

/// The host side of a guest's `connection` resource: a checked-out pooled client.
pub struct Connection {
    client: deadpool_postgres::Object,
}

/// A NULL parameter of any column type.
#[derive(Debug)]
struct Null;

impl ToSql for Null {
    fn to_sql(
        &self,
        _: &Type,
        _: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        Ok(IsNull::Yes)
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    tokio_postgres::types::to_sql_checked!();
}

fn to_sql(p: ParameterValue) -> std::result::Result<Box<dyn ToSql + Send + Sync>, String> {
    Ok(match p {
        ParameterValue::Boolean(v) => Box::new(v),
        ParameterValue::Int8(v) => Box::new(v),
        ParameterValue::Int16(v) => Box::new(v),
        ParameterValue::Int32(v) => Box::new(v),
        ParameterValue::Int64(v) => Box::new(v),
        ParameterValue::Floating32(v) => Box::new(v),
        ParameterValue::Floating64(v) => Box::new(v),
        ParameterValue::Str(v) => Box::new(v),
        ParameterValue::Binary(v) => Box::new(v),
        ParameterValue::DbNull => Box::new(Null),
        other => return Err(format!("parameter type not supported by this host: {other:?}")),
    })
}

fn data_type(t: &Type) -> DbDataType {
    match *t {
        Type::BOOL => DbDataType::Boolean,
        Type::CHAR => DbDataType::Int8,
        Type::INT2 => DbDataType::Int16,
        Type::INT4 => DbDataType::Int32,
        Type::INT8 => DbDataType::Int64,
        Type::FLOAT4 => DbDataType::Floating32,
        Type::FLOAT8 => DbDataType::Floating64,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => DbDataType::Str,
        Type::BYTEA => DbDataType::Binary,
        Type::JSONB => DbDataType::Jsonb,
        ref other => DbDataType::Other(other.name().to_owned()),
    }
}

fn db_value(row: &tokio_postgres::Row, i: usize, t: &Type) -> std::result::Result<DbValue, tokio_postgres::Error> {
    fn or_null<T>(v: Option<T>, f: impl FnOnce(T) -> DbValue) -> DbValue {
        v.map_or(DbValue::DbNull, f)
    }
    Ok(match *t {
        Type::BOOL => or_null(row.try_get(i)?, DbValue::Boolean),
        Type::CHAR => or_null(row.try_get(i)?, DbValue::Int8),
        Type::INT2 => or_null(row.try_get(i)?, DbValue::Int16),
        Type::INT4 => or_null(row.try_get(i)?, DbValue::Int32),
        Type::INT8 => or_null(row.try_get(i)?, DbValue::Int64),
        Type::FLOAT4 => or_null(row.try_get(i)?, DbValue::Floating32),
        Type::FLOAT8 => or_null(row.try_get(i)?, DbValue::Floating64),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => or_null(row.try_get(i)?, DbValue::Str),
        Type::BYTEA => or_null(row.try_get(i)?, DbValue::Binary),
        _ => DbValue::Unsupported(Vec::new()),
    })
}

fn query_error(e: tokio_postgres::Error) -> Error {
    match e.as_db_error() {
        Some(db) => Error::QueryFailed(QueryError::DbError(DbError {
            as_text: e.to_string(),
            severity: db.severity().to_owned(),
            code: db.code().code().to_owned(),
            message: db.message().to_owned(),
            detail: db.detail().map(str::to_owned),
            extras: [
                ("constraint", db.constraint()),
                ("table", db.table()),
                ("schema", db.schema()),
                ("column", db.column()),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned())))
            .collect(),
        })),
        None => Error::QueryFailed(QueryError::Text(format!("{e:?}"))),
    }
}

/// Distinct statements a pooled connection keeps prepared before it forgets them all. The
/// components' SQL is a fixed set of texts (a few hundred), so the limit only bounds a
/// connection's memory (and the server's) should texts ever vary.
const PREPARED_PER_CONNECTION: usize = 1024;

/// `statement` prepared on this pooled connection, once (issue 14: speed). A statement
/// prepared for each call costs a round trip of its own (Parse/Describe, then
/// Bind/Execute); prepared once per connection, each later call is one round trip. The
/// same text always prepares to the same parameter types, so the cache changes no result;
/// PostgreSQL re-plans a prepared statement itself after a migration changes a table it
/// reads, and the components' queries return one text column (`json_agg`, see
/// `shared::store::dialect`), so no migration can change a prepared result's type.
async fn prepare(
    client: &deadpool_postgres::Object,
    statement: &str,
) -> std::result::Result<tokio_postgres::Statement, tokio_postgres::Error> {
    if client.statement_cache.size() >= PREPARED_PER_CONNECTION {
        client.statement_cache.clear();
    }
    client.prepare_cached(statement).await
}

/// Whether the component may reach the server(s) of `address`.
fn allowed(state: &HostState, address: &str) -> bool {
    let Ok(config) = tokio_postgres::Config::from_str(address) else {
        return false;
    };
    let ports = config.get_ports();
    config.get_hosts().iter().enumerate().all(|(i, h)| {
        let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
        match h {
            tokio_postgres::config::Host::Tcp(name) => {
                state.component.allowed_hosts.allows("postgres", name, Some(port))
            }
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(_) => false,
        }
    }) && !config.get_hosts().is_empty()
}

impl pg::Host for HostState {}

impl pg::HostConnection for HostState {
    async fn open(&mut self, address: String) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        if !allowed(self, &address) {
            return Ok(Err(Error::ConnectionFailed(format!("address {address} is not permitted"))));
        }
        let pool = match self.pg.pool(&address) {
            Ok(p) => p,
            Err(e) => return Ok(Err(Error::ConnectionFailed(e))),
        };
        match pool.get().await {
            Ok(client) => Ok(Ok(self.table.push(Connection { client })?)),
            Err(e) => Ok(Err(Error::ConnectionFailed(format!("{e:?}")))),
        }
    }

    async fn query(
        &mut self,
        this: Resource<Connection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> wasmtime::Result<Result<RowSet, Error>> {
        let params = match params.into_iter().map(to_sql).collect::<std::result::Result<Vec<_>, _>>() {
            Ok(p) => p,
            Err(e) => return Ok(Err(Error::BadParameter(e))),
        };
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
        let client = &self.table.get(&this)?.client;
        let stmt = match prepare(client, &statement).await {
            Ok(s) => s,
            Err(e) => return Ok(Err(query_error(e))),
        };
        let rows = match client.query(&stmt, &refs).await {
            Ok(r) => r,
            Err(e) => return Ok(Err(query_error(e))),
        };
        let columns: Vec<Column> = stmt
            .columns()
            .iter()
            .map(|c| Column { name: c.name().to_owned(), data_type: data_type(c.type_()) })
            .collect();
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut values = Vec::with_capacity(columns.len());
            for (i, c) in stmt.columns().iter().enumerate() {
                match db_value(row, i, c.type_()) {
                    Ok(v) => values.push(v),
                    Err(e) => return Ok(Err(Error::QueryFailed(QueryError::Text(format!("{e:?}"))))),
                }
            }
            out.push(values);
        }
        Ok(Ok(RowSet { columns, rows: out }))
    }

    async fn execute(
        &mut self,
        this: Resource<Connection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> wasmtime::Result<Result<u64, Error>> {
        let params = match params.into_iter().map(to_sql).collect::<std::result::Result<Vec<_>, _>>() {
            Ok(p) => p,
            Err(e) => return Ok(Err(Error::ValueConversionFailed(e))),
        };
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
        let client = &self.table.get(&this)?.client;
        let stmt = match prepare(client, &statement).await {
            Ok(s) => s,
            Err(e) => return Ok(Err(query_error(e))),
        };
        Ok(client.execute(&stmt, &refs).await.map_err(query_error))
    }

    async fn drop(&mut self, this: Resource<Connection>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

/// A native connection for the host's own work (migrations, the copy command, tests).
pub async fn connect(url: &str) -> Result<tokio_postgres::Client> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL: {e}"))?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            eprintln!("zhicheng-host: PostgreSQL connection ended: {e}");
        }
    });
    Ok(client)
}

/// The key of the session advisory lock that serialises migrations of several replicas.
const MIGRATION_LOCK: i64 = 0x006d_6967_7261_7465; // "migrate"

/// Applies the SQLite migrations of `migrations_dir` to PostgreSQL at `url`, translated by
/// `shared::store::dialect` (after its compatibility functions), each file in one
/// transaction and recorded in `schema_migrations` as on SQLite. Replicas starting together
/// take turns (an advisory lock). Identity sequences are moved past explicit ids the
/// migrations inserted. Returns the versions applied now.
pub async fn migrate(url: &str, migrations_dir: &Path) -> Result<Vec<String>> {
    let client = connect(url).await?;
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK]).await?;
    let result = migrate_locked(&client, migrations_dir).await;
    client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]).await?;
    result
}

async fn migrate_locked(client: &tokio_postgres::Client, migrations_dir: &Path) -> Result<Vec<String>> {
    for f in shared::store::dialect::COMPAT_FUNCTIONS {
        client.batch_execute(f).await.with_context(|| format!("compatibility function: {f}"))?;
    }
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .await?;
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
        let known = client.query("SELECT 1 FROM schema_migrations WHERE version = $1", &[&version]).await?;
        if !known.is_empty() {
            continue;
        }
        let sql = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
        client.batch_execute("BEGIN").await?;
        let r: Result<()> = async {
            for stmt in shared::store::dialect::ddl_statements(&sql) {
                let upper = stmt.trim_start().to_ascii_uppercase();
                if upper.starts_with("BEGIN") || upper.starts_with("COMMIT") {
                    continue; // the file's own transaction: the whole file is one here
                }
                client.batch_execute(&stmt).await.with_context(|| format!("statement: {stmt}"))?;
            }
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            client
                .execute("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", &[&version, &now])
                .await?;
            Ok(())
        }
        .await;
        match r {
            Ok(()) => client.batch_execute("COMMIT").await?,
            Err(e) => {
                client.batch_execute("ROLLBACK").await?;
                return Err(e.context(format!("migration {} failed", file.display())));
            }
        }
        applied.push(version);
    }
    sync_identities(client).await?;
    end_abandoned_transactions(client).await;
    Ok(applied)
}

/// How long a session may sit idle inside a transaction before PostgreSQL ends it (rolling
/// it back): the lease of a transaction. A request's transaction is never idle for long (a
/// certificate chunk works for at most 200 ms); a replica that froze or lost its network
/// mid-transaction would otherwise keep its locks, the writer lock among them, until TCP
/// noticed, hours later.
pub const IDLE_IN_TRANSACTION_TIMEOUT: &str = "60s";

/// Makes [`IDLE_IN_TRANSACTION_TIMEOUT`] the database's default for new sessions (both
/// hosts' connections get it: it is the server's setting, not the client's), unless the
/// operator has set one for the database. Without the right to (not the database's owner),
/// a warning: the operator sets it (README).
async fn end_abandoned_transactions(client: &tokio_postgres::Client) {
    let sql = format!(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase \
         WHERE d.datname = current_database() AND s.setrole = 0 \
         AND EXISTS (SELECT 1 FROM unnest(s.setconfig) c WHERE c LIKE 'idle_in_transaction_session_timeout=%')) \
         THEN EXECUTE format('ALTER DATABASE %I SET idle_in_transaction_session_timeout = %L', current_database(), \
         '{IDLE_IN_TRANSACTION_TIMEOUT}'); END IF; END $$"
    );
    if let Err(e) = client.batch_execute(&sql).await {
        eprintln!(
            "warning: cannot set idle_in_transaction_session_timeout on the database ({e}); set it yourself: \
             ALTER DATABASE <db> SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_TIMEOUT}'"
        );
    }
}

/// Moves every identity sequence past the largest id in its table (rows inserted with
/// explicit ids: seed data, a copied database).
pub async fn sync_identities(client: &tokio_postgres::Client) -> Result<()> {
    let cols = client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND is_identity = 'YES'",
            &[],
        )
        .await?;
    for c in cols {
        let (t, col): (String, String) = (c.get(0), c.get(1));
        client
            .batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('\"{t}\"', '{col}'), coalesce((SELECT max(\"{col}\") FROM \"{t}\"), 0) + 1, false)"
            ))
            .await?;
    }
    Ok(())
}

/// A shared handle to the host's pools.
pub type SharedPools = Arc<Pools>;

/// The application's tables (the SQLite schema's), in creation order.
fn sqlite_tables(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(names)
}

fn pg_to_sqlite_value(row: &tokio_postgres::Row, i: usize) -> Result<rusqlite::types::Value> {
    use rusqlite::types::Value as V;
    let t = row.columns()[i].type_().clone();
    Ok(match t {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map_or(V::Null, V::Integer),
        Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map_or(V::Null, |v| V::Integer(v.into())),
        Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map_or(V::Null, |v| V::Integer(v.into())),
        Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map_or(V::Null, |v| V::Integer(v.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map_or(V::Null, V::Real),
        Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i)?.map_or(V::Null, V::Blob),
        _ => row.try_get::<_, Option<String>>(i)?.map_or(V::Null, V::Text),
    })
}

/// Copies every table of the PostgreSQL database at `url` into the SQLite file at `path`
/// (whose schema the same migrations made), replacing its rows: a point-in-time snapshot
/// for read-only inspection (the end-to-end tests' assertions on PostgreSQL).
pub async fn snapshot_to_sqlite(url: &str, path: &Path) -> Result<()> {
    let client = connect(url).await?;
    let mut conn = rusqlite::Connection::open(path)?;
    // Rows arrive table by table; the snapshot is a copy, its constraints held on PostgreSQL.
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let tables = sqlite_tables(&conn)?;
    let tx = conn.transaction()?;
    for t in &tables {
        tx.execute(&format!("DELETE FROM \"{t}\""), [])?;
        let rows = client.query(&format!("SELECT * FROM \"{t}\""), &[]).await.with_context(|| format!("table {t}"))?;
        let Some(first) = rows.first() else { continue };
        let cols: Vec<String> = first.columns().iter().map(|c| format!("\"{}\"", c.name())).collect();
        let marks = vec!["?"; cols.len()].join(", ");
        let mut stmt = tx.prepare(&format!("INSERT INTO \"{t}\" ({}) VALUES ({marks})", cols.join(", ")))?;
        for r in &rows {
            let vals = (0..cols.len()).map(|i| pg_to_sqlite_value(r, i)).collect::<Result<Vec<_>>>()?;
            stmt.execute(rusqlite::params_from_iter(vals))?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// What [`copy_sqlite_to_postgres`] copied: rows per table, equal on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// `(table, rows)` in creation order.
    pub tables: Vec<(String, i64)>,
}

/// Moving up: copies a province's SQLite database at `path` into the (migrated, empty)
/// PostgreSQL database at `url` in one transaction, table by table in creation order
/// (parents first), then moves identity sequences past the copied ids and verifies that
/// every table has as many rows on both sides. The caller verifies the audit chain.
pub async fn copy_sqlite_to_postgres(path: &Path, url: &str) -> Result<CopyReport> {
    use rusqlite::types::Value as V;
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut client = connect(url).await?;
    let tables: Vec<String> = sqlite_tables(&conn)?.into_iter().filter(|t| t != "schema_migrations").collect();
    let tx = client.transaction().await?;
    let mut report = Vec::new();
    for t in &tables {
        let existing: i64 = tx.query_one(&format!("SELECT count(*) FROM \"{t}\""), &[]).await?.get(0);
        if existing > 0 {
            // Seed rows of the migrations: the copy brings the province's own.
            tx.execute(&format!("DELETE FROM \"{t}\""), &[]).await.with_context(|| format!("table {t}"))?;
        }
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\""))?;
        let cols: Vec<String> = stmt.column_names().iter().map(|c| format!("\"{c}\"")).collect();
        let marks: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        let insert = tx
            .prepare(&format!(
                "INSERT INTO \"{t}\" ({}) OVERRIDING SYSTEM VALUE VALUES ({})",
                cols.join(", "),
                marks.join(", ")
            ))
            .await
            .with_context(|| format!("table {t}"))?;
        let types = insert.params().to_vec();
        let mut rows = stmt.query([])?;
        let mut n = 0i64;
        while let Some(r) = rows.next()? {
            let mut vals: Vec<Box<dyn ToSql + Send + Sync>> = Vec::with_capacity(cols.len());
            for (i, ty) in types.iter().enumerate() {
                let v: V = r.get(i)?;
                vals.push(match (v, ty) {
                    (V::Null, _) => Box::new(Null),
                    (V::Integer(x), _) if *ty == Type::INT8 => Box::new(x),
                    (V::Integer(x), _) if *ty == Type::INT4 => Box::new(x as i32),
                    (V::Integer(x), _) if *ty == Type::FLOAT8 => Box::new(x as f64),
                    (V::Integer(x), _) => Box::new(x.to_string()),
                    (V::Real(x), _) if *ty == Type::FLOAT8 => Box::new(x),
                    (V::Real(x), _) => Box::new(x.to_string()),
                    (V::Text(s), _) if *ty == Type::INT8 => {
                        Box::new(s.parse::<i64>().with_context(|| format!("{t}: {s}"))?)
                    }
                    (V::Text(s), _) => Box::new(s),
                    (V::Blob(b), _) => Box::new(b),
                });
            }
            let refs: Vec<&(dyn ToSql + Sync)> = vals.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
            tx.execute(&insert, &refs).await.with_context(|| format!("table {t}"))?;
            n += 1;
        }
        let copied: i64 = tx.query_one(&format!("SELECT count(*) FROM \"{t}\""), &[]).await?.get(0);
        anyhow::ensure!(copied == n, "table {t}: {n} rows in SQLite, {copied} in PostgreSQL");
        report.push((t.clone(), n));
    }
    tx.commit().await?;
    sync_identities(&client).await?;
    Ok(CopyReport { tables: report })
}

/// Creates database `name` on the server of `admin_url` (a URL of an existing database,
/// e.g. `…/postgres`), from `template` when given, unless it exists. Retries while the
/// template is still in use by a closing connection.
pub async fn create_database(admin_url: &str, name: &str, template: Option<&str>) -> Result<()> {
    let client = connect(admin_url).await?;
    let exists = client.query("SELECT 1 FROM pg_database WHERE datname = $1", &[&name]).await?;
    if !exists.is_empty() {
        return Ok(());
    }
    let sql = match template {
        Some(t) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{t}\""),
        None => format!("CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"),
    };
    let mut tries = 0;
    loop {
        match client.batch_execute(&sql).await {
            Ok(()) => return Ok(()),
            Err(e) if tries < 100 && e.to_string().contains("being accessed by other users") => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Err(e) if e.as_db_error().is_some_and(|d| d.code().code() == "42P04") => return Ok(()),
            Err(e) => return Err(anyhow::anyhow!("{sql}: {e}")),
        }
    }
}

/// `url` with its database name replaced by `db` (URL form `postgres://…/db`).
pub fn with_database(url: &str, db: &str) -> String {
    let (base, _) = match url.split_once("://") {
        Some((scheme, rest)) => match rest.find('/') {
            Some(i) => (format!("{scheme}://{}", &rest[..i]), ()),
            None => (url.to_owned(), ()),
        },
        None => (url.to_owned(), ()),
    };
    format!("{base}/{db}")
}

/// The `host:port` of a URL-form address (what `allowed_outbound_hosts` names).
pub fn host_port(url: &str) -> Option<String> {
    let config = tokio_postgres::Config::from_str(url).ok()?;
    let host = match config.get_hosts().first()? {
        tokio_postgres::config::Host::Tcp(h) => h.clone(),
        #[cfg(unix)]
        tokio_postgres::config::Host::Unix(_) => return None,
    };
    Some(format!("{host}:{}", config.get_ports().first().copied().unwrap_or(5432)))
}

/// What moving a SQLite database up found.
#[derive(Debug, Clone)]
pub struct MoveUpReport {
    /// `(table, rows)`, equal on both sides.
    pub tables: Vec<(String, i64)>,
    /// Audit events, the chain verified on PostgreSQL without a break.
    pub audit_events: u64,
}

/// Moving up (synchronous; not on a runtime thread): migrates the PostgreSQL database at
/// `url`, copies the SQLite file into it ([`copy_sqlite_to_postgres`]: row counts checked per
/// table) and verifies the audit chain there with the same verifier the app uses. The chain
/// is checked on SQLite first, so a break found afterwards is the copy's.
pub fn move_up(sqlite: &Path, url: &str, migrations: &Path) -> Result<MoveUpReport> {
    let before = {
        let db = shared::store::native::NativeDb::open_file(sqlite).map_err(|e| anyhow::anyhow!("{e}"))?;
        shared::audit::verify_chain(&db).map_err(|e| anyhow::anyhow!("{e}"))?
    };
    anyhow::ensure!(
        before.breaks_total == 0,
        "the SQLite audit chain has {} break(s): fix it first",
        before.breaks_total
    );
    crate::app::block_on(migrate(url, migrations))?;
    let copy = crate::app::block_on(copy_sqlite_to_postgres(sqlite, url))?;
    let db = shared::store::pg_native::PgNativeDb::connect(url).map_err(|e| anyhow::anyhow!("{e}"))?;
    let after = shared::audit::verify_chain(&db).map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(
        after.breaks_total == 0 && after.events == before.events,
        "audit chain on PostgreSQL: {} events ({} in SQLite), {} break(s), first at {:?}",
        after.events,
        before.events,
        after.breaks_total,
        after.first_broken_seq
    );
    Ok(MoveUpReport { tables: copy.tables, audit_events: after.events })
}

/// The statements of a SQL script (`;`-separated; `--` comments and quoted `;` respected).
pub fn split_statements(script: &str) -> Vec<String> {
    let (mut out, mut cur) = (Vec::new(), String::new());
    let (mut chars, mut quoted) = (script.chars().peekable(), false);
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                cur.push(c);
            }
            '-' if !quoted && chars.peek() == Some(&'-') => {
                // A comment to the end of the line.
                for c in chars.by_ref() {
                    if c == '\n' {
                        cur.push('\n');
                        break;
                    }
                }
            }
            ';' if !quoted => {
                if !cur.trim().is_empty() {
                    out.push(cur.trim().to_owned());
                }
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_owned());
    }
    out
}

/// Applies a SQL script written for SQLite (the demo seed: idempotent inserts) to PostgreSQL
/// at `url`, statement by statement translated by `shared::store::dialect`, in one
/// transaction; identity sequences are then moved past the explicit ids it inserted.
pub async fn apply_script(url: &str, script: &str) -> Result<usize> {
    let mut client = connect(url).await?;
    let tx = client.transaction().await?;
    let statements = split_statements(script);
    for stmt in &statements {
        let sql = shared::store::dialect::to_postgres(stmt, &[]).sql;
        tx.batch_execute(&sql).await.with_context(|| format!("{stmt}\n(as {sql})"))?;
    }
    tx.commit().await?;
    sync_identities(&client).await?;
    Ok(statements.len())
}

#[cfg(test)]
mod script_tests {
    use super::split_statements;

    #[test]
    fn a_script_splits_at_semicolons_outside_quotes_and_comments() {
        let s = "-- a; comment\nINSERT INTO t VALUES ('a;b', 'it''s');\n\nUPDATE t SET x = 1 -- trailing; note\n;";
        assert_eq!(split_statements(s), vec!["INSERT INTO t VALUES ('a;b', 'it''s')", "UPDATE t SET x = 1"]);
    }
}
