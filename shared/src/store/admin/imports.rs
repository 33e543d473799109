//! Imports.

#[allow(unused_imports)]
use super::*;

/// A staged import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub filename: String,
    pub sha256: String,
    pub rows: String,
    pub report: String,
    pub commit_report: Option<String>,
    pub created_by: String,
    pub created_at: String,
}

pub(super) const INSERT_IMPORT: &str =
    "INSERT INTO admin_imports (kind, status, filename, sha256, rows, report, created_by, \
     created_at) VALUES (?, 'validated', ?, ?, ?, ?, ?, ?) RETURNING id";
pub(super) const SELECT_IMPORT: &str =
    "SELECT id, kind, status, filename, sha256, rows, report, commit_report, created_by, \
     created_at FROM admin_imports WHERE id = ? AND kind = ?";
pub(super) const COMMIT_IMPORT: &str =
    "UPDATE admin_imports SET status = 'committed', commit_report = ?, committed_at = ? \
     WHERE id = ? AND status = 'validated' RETURNING id";

/// Stages a validated import.
#[allow(clippy::too_many_arguments)]
pub fn insert_import(
    db: &dyn Db,
    kind: &str,
    filename: &str,
    sha256: &str,
    rows: &str,
    report: &str,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_IMPORT,
        &[kind.into(), filename.into(), sha256.into(), rows.into(), report.into(), by.into(), now.into()],
    )?)
}

/// One staged import of a kind.
pub fn import_by_id(db: &dyn Db, id: i64, kind: &str) -> Result<Option<ImportRecord>, StoreError> {
    match db.query_opt(SELECT_IMPORT, &[id.into(), kind.into()])? {
        None => Ok(None),
        Some(r) => Ok(Some(ImportRecord {
            id: r.int(0)?,
            kind: r.text(1)?,
            status: r.text(2)?,
            filename: r.text(3)?,
            sha256: r.text(4)?,
            rows: r.text(5)?,
            report: r.text(6)?,
            commit_report: r.opt_text(7)?,
            created_by: r.text(8)?,
            created_at: r.text(9)?,
        })),
    }
}

/// Marks a validated import committed; `false` if it already was.
pub fn mark_import_committed(db: &dyn Db, id: i64, report: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db.query(COMMIT_IMPORT, &[report.into(), now.into(), id.into()])?.is_empty())
}
