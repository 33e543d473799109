//! Reference lookups.

#[allow(unused_imports)]
use super::*;

pub(super) const COMMITTEE: &str = "SELECT id, name, organising_org FROM committees WHERE id = ?";

/// A committee's id, name and organising unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitteeRef {
    pub id: String,
    pub name: String,
    pub organising_org: String,
}

/// The committee `id`, if it exists.
pub fn committee(db: &dyn Db, id: &str) -> Result<Option<CommitteeRef>, StoreError> {
    db.query_opt(COMMITTEE, &[id.into()])?
        .map(|r| Ok(CommitteeRef { id: r.text(0)?, name: r.text(1)?, organising_org: r.text(2)? }))
        .transpose()
}

pub(super) const TITLE_NAME: &str = "SELECT name FROM titles WHERE series = ? AND level = ? ORDER BY id LIMIT 1";

/// The title tree's name for a series and level (the first one configured), if any.
pub fn title_name(db: &dyn Db, series: &str, level: &str) -> Result<Option<String>, StoreError> {
    db.query_opt(TITLE_NAME, &[series.into(), level.into()])?.map(|r| r.text(0)).transpose()
}

pub(super) const SERIES_POSITION: &str = "SELECT position FROM title_series WHERE name = ?";

/// The position of a series in the title tree (its default number code).
pub fn series_position(db: &dyn Db, series: &str) -> Result<Option<i64>, StoreError> {
    db.query_opt(SERIES_POSITION, &[series.into()])?.map(|r| r.int(0)).transpose()
}

pub(super) const ORG_NAME_REGION: &str = "SELECT name, region_code, status FROM organisations WHERE id = ?";

/// An organisation's name, region code and status.
pub fn organisation(db: &dyn Db, id: &str) -> Result<Option<(String, String, String)>, StoreError> {
    db.query_opt(ORG_NAME_REGION, &[id.into()])?.map(|r| Ok((r.text(0)?, r.text(1)?, r.text(2)?))).transpose()
}

pub(super) const SPECIALTY_KNOWN: &str = "SELECT (SELECT COUNT(*) FROM specialties WHERE name = ?) \
     + (SELECT COUNT(*) FROM committee_specialties WHERE specialty = ?)";

/// Whether a specialty is known: in the specialty tree (annex 3 §1.1) or reviewed by a
/// committee (§1.10).
pub fn specialty_known(db: &dyn Db, name: &str) -> Result<bool, StoreError> {
    Ok(db.query_opt(SPECIALTY_KNOWN, &[name.into(), name.into()])?.map_or(Ok(0), |r| r.int(0))? > 0)
}
