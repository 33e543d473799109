//! Issuing units.

#[allow(unused_imports)]
use super::*;

/// An issuing unit (发证单位).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IssuingUnit {
    pub id: i64,
    pub code: String,
    pub org_id: String,
    pub name: String,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub cancelled_at: Option<String>,
    pub version: i64,
}

pub(super) const UNIT_COLUMNS: &str =
    "id, code, org_id, name, status, cancel_reason, created_by, created_at, cancelled_at, version";

pub(super) fn unit_row(r: &Row) -> Result<IssuingUnit, StoreError> {
    Ok(IssuingUnit {
        id: r.int(0)?,
        code: r.text(1)?,
        org_id: r.text(2)?,
        name: r.text(3)?,
        status: r.text(4)?,
        cancel_reason: r.opt_text(5)?,
        created_by: r.text(6)?,
        created_at: r.text(7)?,
        cancelled_at: r.opt_text(8)?,
        version: r.int(9)?,
    })
}

pub(super) const INSERT_UNIT: &str = "INSERT INTO issuing_units (code, org_id, name, status, created_by, created_at) \
     VALUES (?, ?, ?, 'active', ?, ?) RETURNING id";

/// Inserts an active issuing unit.
pub fn insert_issuing_unit(
    db: &dyn Db,
    code: &str,
    org_id: &str,
    name: &str,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(INSERT_UNIT, &[code.into(), org_id.into(), name.into(), by.into(), now.into()])?)
}

/// One issuing unit.
pub fn issuing_unit(db: &dyn Db, id: i64) -> Result<Option<IssuingUnit>, StoreError> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM issuing_units WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(unit_row).transpose()
}

/// The active issuing unit with `code`, or of organisation `org`.
pub fn active_issuing_unit(
    db: &dyn Db,
    code: Option<&str>,
    org: Option<&str>,
) -> Result<Option<IssuingUnit>, StoreError> {
    let sql = format!(
        "SELECT {UNIT_COLUMNS} FROM issuing_units WHERE status = 'active' AND (? IS NULL OR code = ?) \
         AND (? IS NULL OR org_id = ?) ORDER BY id LIMIT 1"
    );
    db.query_opt(&sql, &[code.into(), code.into(), org.into(), org.into()])?.as_ref().map(unit_row).transpose()
}

/// Issuing units (filtered by status, or all), by code.
pub fn list_issuing_units(
    db: &dyn Db,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<IssuingUnit>, i64), StoreError> {
    let sql = format!(
        "SELECT {UNIT_COLUMNS} FROM issuing_units WHERE (? IS NULL OR status = ?) ORDER BY code, id LIMIT ? OFFSET ?"
    );
    let items = db
        .query(&sql, &[status.into(), status.into(), limit.into(), offset.into()])?
        .iter()
        .map(unit_row)
        .collect::<Result<_, _>>()?;
    let total = count(
        db,
        "SELECT COUNT(*) FROM issuing_units WHERE (? IS NULL OR status = ?)",
        &[status.into(), status.into()],
    )?;
    Ok((items, total))
}

pub(super) const CANCEL_UNIT: &str =
    "UPDATE issuing_units SET status = 'cancelled', cancel_reason = ?, cancelled_at = ?, \
     version = version + 1 WHERE id = ? AND version = ? AND status = 'active' RETURNING id";

/// Compare-and-set: cancels an active issuing unit.
pub fn cancel_issuing_unit(db: &dyn Db, id: i64, version: i64, reason: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db.query(CANCEL_UNIT, &[reason.into(), now.into(), id.into(), version.into()])?.is_empty())
}
