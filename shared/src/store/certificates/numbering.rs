//! Number format and pools.

#[allow(unused_imports)]
use super::*;

/// The stored number format: (config JSON, version), if one was saved.
pub fn number_format(db: &dyn Db) -> Result<Option<(String, i64)>, StoreError> {
    db.query_opt("SELECT config, version FROM certificate_number_format WHERE id = 1", &[])?
        .map(|r| Ok((r.text(0)?, r.int(1)?)))
        .transpose()
}

pub(super) const UPSERT_FORMAT: &str =
    "INSERT INTO certificate_number_format (id, config, version, updated_by, updated_at) \
     VALUES (1, ?, 1, ?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config, version = certificate_number_format.version + 1, \
     updated_by = excluded.updated_by, updated_at = excluded.updated_at WHERE certificate_number_format.version = ? RETURNING version";

/// Compare-and-set: saves the number format (`expected` = the version read; 0 when none was saved).
pub fn save_number_format(
    db: &dyn Db,
    config: &str,
    expected: i64,
    by: &str,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    if expected == 0 && number_format(db)?.is_some() {
        return Ok(None);
    }
    db.query_opt(UPSERT_FORMAT, &[config.into(), by.into(), now.into(), expected.into()])?.map(|r| r.int(0)).transpose()
}

/// A number pool (证书编号库) row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pool {
    pub id: i64,
    pub scope: String,
    pub start_serial: i64,
    pub end_serial: i64,
    pub next_serial: i64,
    pub origin: String,
    pub created_by: String,
    pub created_at: String,
}

pub(super) const POOL_COLUMNS: &str =
    "id, scope, start_serial, end_serial, next_serial, origin, created_by, created_at";

pub(super) fn pool_row(r: &Row) -> Result<Pool, StoreError> {
    Ok(Pool {
        id: r.int(0)?,
        scope: r.text(1)?,
        start_serial: r.int(2)?,
        end_serial: r.int(3)?,
        next_serial: r.int(4)?,
        origin: r.text(5)?,
        created_by: r.text(6)?,
        created_at: r.text(7)?,
    })
}

/// The pools of a scope, by start.
pub fn pools_of_scope(db: &dyn Db, scope: &str) -> Result<Vec<Pool>, StoreError> {
    let sql = format!("SELECT {POOL_COLUMNS} FROM certificate_number_pools WHERE scope = ? ORDER BY start_serial");
    db.query(&sql, &[scope.into()])?.iter().map(pool_row).collect()
}

/// A page of pools (of scopes starting with `prefix`, or all), latest first.
pub fn list_pools(db: &dyn Db, scope: Option<&str>, limit: i64, offset: i64) -> Result<(Vec<Pool>, i64), StoreError> {
    let sql = format!(
        "SELECT {POOL_COLUMNS} FROM certificate_number_pools WHERE (? IS NULL OR scope = ?) ORDER BY id DESC LIMIT ? OFFSET ?"
    );
    let items = db
        .query(&sql, &[scope.into(), scope.into(), limit.into(), offset.into()])?
        .iter()
        .map(pool_row)
        .collect::<Result<_, _>>()?;
    let total = count(
        db,
        "SELECT COUNT(*) FROM certificate_number_pools WHERE (? IS NULL OR scope = ?)",
        &[scope.into(), scope.into()],
    )?;
    Ok((items, total))
}

pub(super) const INSERT_POOL: &str =
    "INSERT INTO certificate_number_pools (scope, start_serial, end_serial, next_serial, \
     origin, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";

/// Inserts a range of serials.
pub fn insert_pool(
    db: &dyn Db,
    scope: &str,
    start: i64,
    end: i64,
    origin: &str,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_POOL,
        &[scope.into(), start.into(), end.into(), start.into(), origin.into(), by.into(), now.into()],
    )?)
}

pub(super) const TAKE_SERIAL: &str = "UPDATE certificate_number_pools SET next_serial = next_serial + 1 WHERE id = \
     (SELECT id FROM certificate_number_pools WHERE scope = ? AND next_serial <= end_serial \
      ORDER BY start_serial LIMIT 1) RETURNING next_serial - 1";

/// Takes the next free serial of a scope (lowest range first); `None` when every range is
/// used up. Serials only move forward: one taken is never taken again.
pub fn take_serial(db: &dyn Db, scope: &str) -> Result<Option<i64>, StoreError> {
    db.query_opt(TAKE_SERIAL, &[scope.into()])?.map(|r| r.int(0)).transpose()
}
