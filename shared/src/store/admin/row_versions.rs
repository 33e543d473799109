//! Row versions.

#[allow(unused_imports)]
use super::*;

pub(super) const SELECT_ROW_VERSION: &str = "SELECT version FROM admin_row_versions WHERE kind = ? AND key = ?";
pub(super) const UPSERT_ROW_VERSION: &str =
    "INSERT INTO admin_row_versions (kind, key, version, updated_by, updated_at) \
     VALUES (?, ?, 2, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET version = admin_row_versions.version + 1, \
     updated_by = excluded.updated_by, updated_at = excluded.updated_at WHERE admin_row_versions.version = ? RETURNING version";

/// The version of a row of a table without a version column (1 until first changed).
pub fn row_version(db: &dyn Db, kind: &str, key: &str) -> Result<i64, StoreError> {
    Ok(db.query_opt(SELECT_ROW_VERSION, &[kind.into(), key.into()])?.map(|r| r.int(0)).transpose()?.unwrap_or(1))
}

/// Compare-and-set on such a version: bumps it if it is still `expected`; `false` if not.
pub fn bump_row_version(
    db: &dyn Db,
    kind: &str,
    key: &str,
    expected: i64,
    by: &str,
    now: &str,
) -> Result<bool, StoreError> {
    if row_version(db, kind, key)? != expected {
        return Ok(false);
    }
    Ok(!db.query(UPSERT_ROW_VERSION, &[kind.into(), key.into(), by.into(), now.into(), expected.into()])?.is_empty())
}
