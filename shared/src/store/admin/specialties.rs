//! Specialties.

#[allow(unused_imports)]
use super::*;

/// A node of the specialty tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Specialty {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub parent_code: Option<String>,
    pub code: String,
    pub name: String,
    pub is_root: bool,
    pub version: i64,
    pub updated_at: String,
}

/// Columns of [`Specialty`] over `specialties s LEFT JOIN specialties p`.
pub const SPECIALTY_SELECT: &str = "s.id, s.parent_id, p.code, s.code, s.name, s.is_root, s.version, s.updated_at";
/// The join a specialty listing reads from.
pub const SPECIALTY_FROM: &str = "specialties s LEFT JOIN specialties p ON p.id = s.parent_id";

/// Decodes a [`SPECIALTY_SELECT`] row.
pub fn specialty(r: &Row) -> Result<Specialty, StoreError> {
    Ok(Specialty {
        id: r.int(0)?,
        parent_id: r.opt_int(1)?,
        parent_code: r.opt_text(2)?,
        code: r.text(3)?,
        name: r.text(4)?,
        is_root: r.int(5)? != 0,
        version: r.int(6)?,
        updated_at: r.text(7)?,
    })
}

/// One specialty by id.
pub fn specialty_by_id(db: &dyn Db, id: i64) -> Result<Option<Specialty>, StoreError> {
    let sql = format!("SELECT {SPECIALTY_SELECT} FROM {SPECIALTY_FROM} WHERE s.id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(specialty).transpose()
}

/// One specialty by code.
pub fn specialty_by_code(db: &dyn Db, code: &str) -> Result<Option<Specialty>, StoreError> {
    let sql = format!("SELECT {SPECIALTY_SELECT} FROM {SPECIALTY_FROM} WHERE s.code = ?");
    db.query_opt(&sql, &[code.into()])?.as_ref().map(specialty).transpose()
}

/// One specialty by name.
pub fn specialty_by_name(db: &dyn Db, name: &str) -> Result<Option<Specialty>, StoreError> {
    let sql = format!("SELECT {SPECIALTY_SELECT} FROM {SPECIALTY_FROM} WHERE s.name = ?");
    db.query_opt(&sql, &[name.into()])?.as_ref().map(specialty).transpose()
}

pub(super) const INSERT_SPECIALTY: &str =
    "INSERT INTO specialties (parent_id, code, name, is_root, version, created_at, \
     updated_at) VALUES (?, ?, ?, 0, 1, ?, ?) RETURNING id";
pub(super) const UPDATE_SPECIALTY: &str =
    "UPDATE specialties SET code = ?, name = ?, version = version + 1, updated_at = ? \
     WHERE id = ? AND version = ? AND is_root = 0 RETURNING version";
pub(super) const DELETE_SPECIALTY: &str =
    "DELETE FROM specialties WHERE id = ? AND version = ? AND is_root = 0 RETURNING id";
pub(super) const COUNT_CHILDREN: &str = "SELECT COUNT(*) FROM specialties WHERE parent_id = ?";
pub(super) const SPECIALTY_COMMITTEES: &str =
    "SELECT committee_id FROM committee_specialties WHERE specialty = ? ORDER BY committee_id LIMIT 5";
pub(super) const SPECIALTY_APPLICATIONS: &str =
    "SELECT COUNT(*) FROM applications WHERE json_extract(form, '$.specialty') = ? OR specialty = ?";

/// Inserts a specialty below `parent_id`.
pub fn insert_specialty(db: &dyn Db, parent_id: i64, code: &str, name: &str, now: &str) -> Result<i64, StoreError> {
    first_id(db.query(INSERT_SPECIALTY, &[parent_id.into(), code.into(), name.into(), now.into(), now.into()])?)
}

/// Compare-and-set edit; `None` if the row moved on.
pub fn update_specialty(
    db: &dyn Db,
    id: i64,
    version: i64,
    code: &str,
    name: &str,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    db.query_opt(UPDATE_SPECIALTY, &[code.into(), name.into(), now.into(), id.into(), version.into()])?
        .map(|r| r.int(0))
        .transpose()
}

/// Compare-and-set delete; `false` if the row moved on.
pub fn delete_specialty(db: &dyn Db, id: i64, version: i64) -> Result<bool, StoreError> {
    Ok(!db.query(DELETE_SPECIALTY, &[id.into(), version.into()])?.is_empty())
}

/// How many children a node has.
pub fn specialty_children(db: &dyn Db, id: i64) -> Result<i64, StoreError> {
    count(db, COUNT_CHILDREN, &[id.into()])
}

/// What uses a specialty name: up to five committees, and the number of applications.
pub fn specialty_usage(db: &dyn Db, name: &str) -> Result<(Vec<String>, i64), StoreError> {
    let committees =
        db.query(SPECIALTY_COMMITTEES, &[name.into()])?.iter().map(|r| r.text(0)).collect::<Result<_, _>>()?;
    let apps = count(db, SPECIALTY_APPLICATIONS, &[name.into(), name.into()])?;
    Ok((committees, apps))
}
