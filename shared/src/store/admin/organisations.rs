//! Organisations (lookup, edit) and their administrative parents (上级主管单位).

#[allow(unused_imports)]
use super::*;

pub use crate::store::chain::{organisation, ORG_COLUMNS as ORG_SELECT};

const SELECT_ORG_VERSION: &str = "SELECT version FROM organisations WHERE id = ?";
const UPDATE_ORG_NAME_REGION: &str = "UPDATE organisations SET name = ?, region_code = ?, version = version + 1, \
     updated_at = ? WHERE id = ? AND version = ? RETURNING version";
const SELECT_PARENT: &str = "SELECT parent_id FROM organisation_parents WHERE org_id = ?";
const UPSERT_PARENT: &str = "INSERT INTO organisation_parents (org_id, parent_id, updated_by, updated_at) \
     VALUES (?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET parent_id = excluded.parent_id, \
     updated_by = excluded.updated_by, updated_at = excluded.updated_at";
const DELETE_PARENT: &str = "DELETE FROM organisation_parents WHERE org_id = ?";

/// An organisation's row version (compare-and-set of edits), if it exists.
pub fn organisation_version(db: &dyn Db, id: &str) -> Result<Option<i64>, StoreError> {
    db.query_opt(SELECT_ORG_VERSION, &[id.into()])?.map(|r| r.int(0)).transpose()
}

/// Sets an organisation's name and region code if its version is still `version`; the new
/// version, or `None` if another edit came first.
pub fn update_organisation(
    db: &dyn Db,
    id: &str,
    version: i64,
    name: &str,
    region_code: &str,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    db.query(UPDATE_ORG_NAME_REGION, &[name.into(), region_code.into(), now.into(), id.into(), version.into()])?
        .first()
        .map(|r| r.int(0))
        .transpose()
}

/// Every recorded (organisation, administrative parent) pair.
pub fn all_parents(db: &dyn Db) -> Result<Vec<(String, String)>, StoreError> {
    db.query("SELECT org_id, parent_id FROM organisation_parents ORDER BY org_id", &[])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .collect()
}

/// An organisation's administrative parent, if one is recorded.
pub fn parent_of(db: &dyn Db, id: &str) -> Result<Option<String>, StoreError> {
    db.query_opt(SELECT_PARENT, &[id.into()])?.map(|r| r.text(0)).transpose()
}

/// Records (or, with `None`, clears) an organisation's administrative parent.
pub fn set_parent(db: &dyn Db, id: &str, parent: Option<&str>, by: &str, now: &str) -> Result<(), StoreError> {
    match parent {
        Some(p) => db.execute(UPSERT_PARENT, &[id.into(), p.into(), by.into(), now.into()]),
        None => db.execute(DELETE_PARENT, &[id.into()]),
    }
}
