//! Institutions.

#[allow(unused_imports)]
use super::*;

/// An acceptance institution (受理机构).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Institution {
    pub id: i64,
    pub node_type: String,
    pub org_id: String,
    pub org_name: String,
    pub certificate_name: String,
    pub level: String,
    pub method: String,
    pub notice: String,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

/// Columns of [`Institution`] over [`INSTITUTION_FROM`].
pub const INSTITUTION_SELECT: &str = "i.id, i.node_type, i.org_id, o.name, i.certificate_name, i.level, i.method, \
     i.notice, i.status, i.cancel_reason, i.version, i.updated_at";
/// The join an institution listing reads from.
pub const INSTITUTION_FROM: &str = "acceptance_institutions i JOIN organisations o ON o.id = i.org_id";

/// Decodes an [`INSTITUTION_SELECT`] row.
pub fn institution(r: &Row) -> Result<Institution, StoreError> {
    Ok(Institution {
        id: r.int(0)?,
        node_type: r.text(1)?,
        org_id: r.text(2)?,
        org_name: r.text(3)?,
        certificate_name: r.text(4)?,
        level: r.text(5)?,
        method: r.text(6)?,
        notice: r.text(7)?,
        status: r.text(8)?,
        cancel_reason: r.opt_text(9)?,
        version: r.int(10)?,
        updated_at: r.text(11)?,
    })
}

/// One institution by id.
pub fn institution_by_id(db: &dyn Db, id: i64) -> Result<Option<Institution>, StoreError> {
    let sql = format!("SELECT {INSTITUTION_SELECT} FROM {INSTITUTION_FROM} WHERE i.id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(institution).transpose()
}

/// The fields of an institution as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionFields<'a> {
    pub node_type: &'a str,
    pub org_id: &'a str,
    pub certificate_name: &'a str,
    pub level: &'a str,
    pub method: &'a str,
    pub notice: &'a str,
}

pub(super) const ACTIVE_INSTITUTION: &str = "SELECT id FROM acceptance_institutions WHERE org_id = ? AND level = ? \
     AND method = ? AND status = 'active' AND id <> ?";
pub(super) const INSERT_INSTITUTION: &str =
    "INSERT INTO acceptance_institutions (node_type, org_id, certificate_name, level, \
     method, notice, status, version, created_by, created_at, updated_at) \
     VALUES (?, ?, ?, ?, ?, ?, 'active', 1, ?, ?, ?) RETURNING id";
pub(super) const UPDATE_INSTITUTION: &str =
    "UPDATE acceptance_institutions SET node_type = ?, org_id = ?, certificate_name = ?, \
     level = ?, method = ?, notice = ?, version = version + 1, updated_at = ? \
     WHERE id = ? AND version = ? AND status = 'active' RETURNING version";
pub(super) const CANCEL_INSTITUTION: &str =
    "UPDATE acceptance_institutions SET status = 'cancelled', cancel_reason = ?, \
     version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = 'active' RETURNING version";

/// Another active institution for the same organisation, level and method.
pub fn institution_duplicate(db: &dyn Db, f: &InstitutionFields<'_>, except: i64) -> Result<bool, StoreError> {
    Ok(db.query_opt(ACTIVE_INSTITUTION, &[f.org_id.into(), f.level.into(), f.method.into(), except.into()])?.is_some())
}

pub(super) fn institution_params(f: &InstitutionFields<'_>) -> Vec<Value> {
    vec![
        f.node_type.into(),
        f.org_id.into(),
        f.certificate_name.into(),
        f.level.into(),
        f.method.into(),
        f.notice.into(),
    ]
}

/// Inserts an active institution.
pub fn insert_institution(db: &dyn Db, f: &InstitutionFields<'_>, by: &str, now: &str) -> Result<i64, StoreError> {
    let mut p = institution_params(f);
    p.extend([by.into(), now.into(), now.into()]);
    first_id(db.query(INSERT_INSTITUTION, &p)?)
}

/// Compare-and-set edit of an active institution.
pub fn update_institution(
    db: &dyn Db,
    id: i64,
    version: i64,
    f: &InstitutionFields<'_>,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    let mut p = institution_params(f);
    p.extend([now.into(), id.into(), version.into()]);
    db.query_opt(UPDATE_INSTITUTION, &p)?.map(|r| r.int(0)).transpose()
}

/// Compare-and-set cancel (注销) of an active institution.
pub fn cancel_institution(db: &dyn Db, id: i64, version: i64, reason: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db.query(CANCEL_INSTITUTION, &[reason.into(), now.into(), id.into(), version.into()])?.is_empty())
}
