//! Imports.

#[allow(unused_imports)]
use super::*;

/// A certificate import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: i64,
    pub status: String,
    pub filename: String,
    pub sha256: String,
    pub rows: String,
    pub report: String,
    pub commit_report: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub committed_at: Option<String>,
    pub version: i64,
}

/// Inserts a validated import.
pub fn insert_import(
    db: &dyn Db,
    filename: &str,
    sha256: &str,
    rows: &str,
    report: &str,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        "INSERT INTO certificate_imports (status, filename, sha256, rows, report, created_by, created_at) \
         VALUES ('validated', ?, ?, ?, ?, ?, ?) RETURNING id",
        &[filename.into(), sha256.into(), rows.into(), report.into(), by.into(), now.into()],
    )?)
}

/// One import.
pub fn import(db: &dyn Db, id: i64) -> Result<Option<ImportRecord>, StoreError> {
    db.query_opt(
        "SELECT id, status, filename, sha256, rows, report, commit_report, created_by, created_at, committed_at, \
         version FROM certificate_imports WHERE id = ?",
        &[id.into()],
    )?
    .map(|r| {
        Ok(ImportRecord {
            id: r.int(0)?,
            status: r.text(1)?,
            filename: r.text(2)?,
            sha256: r.text(3)?,
            rows: r.text(4)?,
            report: r.text(5)?,
            commit_report: r.opt_text(6)?,
            created_by: r.text(7)?,
            created_at: r.text(8)?,
            committed_at: r.opt_text(9)?,
            version: r.int(10)?,
        })
    })
    .transpose()
}

/// Compare-and-set: marks a validated import committed with its report.
pub fn commit_import(db: &dyn Db, id: i64, version: i64, report: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            "UPDATE certificate_imports SET status = 'committed', commit_report = ?, committed_at = ?, \
             version = version + 1 WHERE id = ? AND version = ? AND status = 'validated' RETURNING id",
            &[report.into(), now.into(), id.into(), version.into()],
        )?
        .is_empty())
}
