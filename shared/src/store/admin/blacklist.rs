//! Blacklist.

#[allow(unused_imports)]
use super::*;

/// A blacklist record (诚信档案).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlacklistRecord {
    pub id: i64,
    pub citizen_id: String,
    pub name: String,
    pub reason: String,
    pub recorded_on: String,
    pub expires_on: String,
    pub lifted_at: Option<String>,
    pub lifted_reason: Option<String>,
    pub created_at: String,
    pub version: i64,
}

/// Version kind of a blacklist record in `admin_row_versions`.
pub const BLACKLIST_VERSION_KIND: &str = "blacklist";

/// Columns of [`BlacklistRecord`] over [`BLACKLIST_FROM`].
pub const BLACKLIST_SELECT: &str = "b.id, b.citizen_id, b.name, b.reason, b.recorded_on, b.expires_on, b.lifted_at, \
     b.lifted_reason, b.created_at, COALESCE(v.version, 1)";
/// The join a blacklist listing reads from.
pub const BLACKLIST_FROM: &str = "blacklist b LEFT JOIN admin_row_versions v ON v.kind = 'blacklist' \
     AND v.key = CAST(b.id AS TEXT)";

/// Decodes a [`BLACKLIST_SELECT`] row.
pub fn blacklist_record(r: &Row) -> Result<BlacklistRecord, StoreError> {
    Ok(BlacklistRecord {
        id: r.int(0)?,
        citizen_id: r.text(1)?,
        name: r.text(2)?,
        reason: r.text(3)?,
        recorded_on: r.text(4)?,
        expires_on: r.text(5)?,
        lifted_at: r.opt_text(6)?,
        lifted_reason: r.opt_text(7)?,
        created_at: r.text(8)?,
        version: r.int(9)?,
    })
}

/// One record by id.
pub fn blacklist_by_id(db: &dyn Db, id: i64) -> Result<Option<BlacklistRecord>, StoreError> {
    let sql = format!("SELECT {BLACKLIST_SELECT} FROM {BLACKLIST_FROM} WHERE b.id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(blacklist_record).transpose()
}

pub(super) const OVERLAPPING: &str = "SELECT id FROM blacklist WHERE citizen_id = ? AND lifted_at IS NULL AND id <> ? \
     AND recorded_on <= ? AND expires_on >= ? LIMIT 1";
pub(super) const INSERT_BLACKLIST: &str =
    "INSERT INTO blacklist (citizen_id, name, reason, recorded_on, expires_on, created_at) \
     VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
pub(super) const UPDATE_BLACKLIST: &str = "UPDATE blacklist SET name = ?, reason = ?, recorded_on = ?, expires_on = ? \
     WHERE id = ? AND lifted_at IS NULL RETURNING id";
pub(super) const LIFT_BLACKLIST: &str =
    "UPDATE blacklist SET lifted_at = ?, lifted_reason = ? WHERE id = ? AND lifted_at IS NULL RETURNING id";
pub(super) const EXPIRED_UNLIFTED: &str =
    "SELECT id FROM blacklist WHERE lifted_at IS NULL AND expires_on < ? ORDER BY id LIMIT ?";

/// Another unlifted record of the same person whose period overlaps `[from, to]`.
pub fn blacklist_overlap(
    db: &dyn Db,
    citizen_id: &str,
    from: &str,
    to: &str,
    except: i64,
) -> Result<Option<i64>, StoreError> {
    db.query_opt(OVERLAPPING, &[citizen_id.into(), except.into(), to.into(), from.into()])?
        .map(|r| r.int(0))
        .transpose()
}

/// Inserts a record.
pub fn insert_blacklist(
    db: &dyn Db,
    citizen_id: &str,
    name: &str,
    reason: &str,
    recorded_on: &str,
    expires_on: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        INSERT_BLACKLIST,
        &[citizen_id.into(), name.into(), reason.into(), recorded_on.into(), expires_on.into(), now.into()],
    )?)
}

/// Changes an unlifted record (the version is checked by the caller with
/// [`bump_row_version`] in the same transaction).
pub fn update_blacklist(
    db: &dyn Db,
    id: i64,
    name: &str,
    reason: &str,
    recorded_on: &str,
    expires_on: &str,
) -> Result<bool, StoreError> {
    Ok(!db
        .query(UPDATE_BLACKLIST, &[name.into(), reason.into(), recorded_on.into(), expires_on.into(), id.into()])?
        .is_empty())
}

/// Lifts an unlifted record.
pub fn lift_blacklist(db: &dyn Db, id: i64, reason: &str, now: &str) -> Result<bool, StoreError> {
    Ok(!db.query(LIFT_BLACKLIST, &[now.into(), reason.into(), id.into()])?.is_empty())
}

/// Unlifted records whose last day is before `today`.
pub fn expired_unlifted(db: &dyn Db, today: &str, limit: i64) -> Result<Vec<i64>, StoreError> {
    db.query(EXPIRED_UNLIFTED, &[today.into(), limit.into()])?.iter().map(|r| r.int(0)).collect()
}

/// A person found by name or ID number among applications (for "add by lookup").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonHit {
    pub application_id: i64,
    pub name: String,
    pub citizen_id: String,
    pub unit_org: String,
}

// Each person's latest application (standard SQL: no bare columns beside an aggregate).
pub(super) const PEOPLE: &str = "SELECT a.id, a.applicant_name, a.citizen_id, a.unit_org FROM applications a \
     WHERE a.id IN (SELECT MAX(id) FROM applications \
       WHERE citizen_id IS NOT NULL AND (applicant_name LIKE ? ESCAPE '\\' OR citizen_id = ?) GROUP BY citizen_id) \
     ORDER BY a.applicant_name LIMIT 50";
pub(super) const PERSON_BY_APPLICATION: &str =
    "SELECT id, applicant_name, citizen_id, unit_org FROM applications WHERE id = ? AND citizen_id IS NOT NULL";

pub(super) fn person(r: &Row) -> Result<PersonHit, StoreError> {
    Ok(PersonHit { application_id: r.int(0)?, name: r.text(1)?, citizen_id: r.text(2)?, unit_org: r.text(3)? })
}

/// People whose name contains `q` or whose ID number is `q` (at most 50).
/// `token`: the ID number's token when `q` is one (crate::pii::search_token).
pub fn people(db: &dyn Db, q: &str, token: &str) -> Result<Vec<PersonHit>, StoreError> {
    db.query(PEOPLE, &[like(q).into(), token.into()])?.iter().map(person).collect()
}

/// The person of an application.
pub fn person_by_application(db: &dyn Db, id: i64) -> Result<Option<PersonHit>, StoreError> {
    db.query_opt(PERSON_BY_APPLICATION, &[id.into()])?.as_ref().map(person).transpose()
}
