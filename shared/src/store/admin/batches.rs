//! Annual batches.

#[allow(unused_imports)]
use super::*;

/// Every column of an annual batch (年度批次), dates as `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct BatchRow {
    pub year: i32,
    pub material_cutoff: String,
    pub voting_deadline: String,
    pub unit_publicity_working_days: i64,
    pub assessment_years: i64,
    pub quota_audit_deadline: Option<String>,
    pub special_quota_start: Option<String>,
    pub special_quota_end: Option<String>,
    pub plan_lead_working_days_self: i64,
    pub plan_lead_working_days_other: i64,
    pub result_publicity_open_working_days: i64,
    pub result_publicity_working_days: i64,
    pub filing_working_days: i64,
    pub notice: String,
}

/// Version kind of a batch in `admin_row_versions`.
pub const BATCH_VERSION_KIND: &str = "annual_batch";

pub(super) const BATCH_COLUMNS: &str =
    "year, material_cutoff, voting_deadline, unit_publicity_working_days, assessment_years, \
     quota_audit_deadline, special_quota_start, special_quota_end, plan_lead_working_days_self, \
     plan_lead_working_days_other, result_publicity_open_working_days, result_publicity_working_days, \
     filing_working_days, notice";

pub(super) fn batch_row(r: &Row) -> Result<BatchRow, StoreError> {
    Ok(BatchRow {
        year: r.int(0)? as i32,
        material_cutoff: r.text(1)?,
        voting_deadline: r.text(2)?,
        unit_publicity_working_days: r.int(3)?,
        assessment_years: r.int(4)?,
        quota_audit_deadline: r.opt_text(5)?,
        special_quota_start: r.opt_text(6)?,
        special_quota_end: r.opt_text(7)?,
        plan_lead_working_days_self: r.int(8)?,
        plan_lead_working_days_other: r.int(9)?,
        result_publicity_open_working_days: r.int(10)?,
        result_publicity_working_days: r.int(11)?,
        filing_working_days: r.int(12)?,
        notice: r.text(13)?,
    })
}

pub(super) fn batch_params(b: &BatchRow) -> Vec<Value> {
    vec![
        b.year.into(),
        b.material_cutoff.as_str().into(),
        b.voting_deadline.as_str().into(),
        b.unit_publicity_working_days.into(),
        b.assessment_years.into(),
        b.quota_audit_deadline.clone().into(),
        b.special_quota_start.clone().into(),
        b.special_quota_end.clone().into(),
        b.plan_lead_working_days_self.into(),
        b.plan_lead_working_days_other.into(),
        b.result_publicity_open_working_days.into(),
        b.result_publicity_working_days.into(),
        b.filing_working_days.into(),
        b.notice.as_str().into(),
    ]
}

/// Every batch, newest first.
pub fn batches(db: &dyn Db) -> Result<Vec<BatchRow>, StoreError> {
    db.query(&format!("SELECT {BATCH_COLUMNS} FROM annual_batches ORDER BY year DESC"), &[])?
        .iter()
        .map(batch_row)
        .collect()
}

/// One batch by year.
pub fn batch_by_year(db: &dyn Db, year: i32) -> Result<Option<BatchRow>, StoreError> {
    db.query_opt(&format!("SELECT {BATCH_COLUMNS} FROM annual_batches WHERE year = ?"), &[year.into()])?
        .as_ref()
        .map(batch_row)
        .transpose()
}

/// Inserts a batch; `false` if the year exists.
pub fn insert_batch(db: &dyn Db, b: &BatchRow) -> Result<bool, StoreError> {
    let sql = format!(
        "INSERT INTO annual_batches ({BATCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (year) DO NOTHING RETURNING year"
    );
    Ok(!db.query(&sql, &batch_params(b))?.is_empty())
}

pub(super) const UPDATE_BATCH: &str = "UPDATE annual_batches SET material_cutoff = ?, voting_deadline = ?, \
     unit_publicity_working_days = ?, assessment_years = ?, quota_audit_deadline = ?, special_quota_start = ?, \
     special_quota_end = ?, plan_lead_working_days_self = ?, plan_lead_working_days_other = ?, \
     result_publicity_open_working_days = ?, result_publicity_working_days = ?, filing_working_days = ?, notice = ? \
     WHERE year = ? RETURNING year";

/// Replaces a batch's settings (the version is checked with [`bump_row_version`]).
pub fn update_batch(db: &dyn Db, b: &BatchRow) -> Result<bool, StoreError> {
    let mut p = batch_params(b);
    let year = p.remove(0);
    p.push(year);
    Ok(!db.query(UPDATE_BATCH, &p)?.is_empty())
}

/// A committee's own dates for a year (二(五)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitteeBatch {
    pub year: i32,
    pub committee_id: String,
    pub material_cutoff: Option<String>,
    pub voting_deadline: Option<String>,
    pub version: i64,
}

pub(super) const SELECT_COMMITTEE_BATCHES: &str =
    "SELECT year, committee_id, material_cutoff, voting_deadline, version \
     FROM committee_batches WHERE year = ? ORDER BY committee_id";
pub(super) const SELECT_COMMITTEE_BATCH: &str = "SELECT year, committee_id, material_cutoff, voting_deadline, version \
     FROM committee_batches WHERE year = ? AND committee_id = ?";
pub(super) const UPSERT_COMMITTEE_BATCH: &str = "INSERT INTO committee_batches (year, committee_id, material_cutoff, \
     voting_deadline, version, updated_by, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?) \
     ON CONFLICT (year, committee_id) DO UPDATE SET material_cutoff = excluded.material_cutoff, \
     voting_deadline = excluded.voting_deadline, version = committee_batches.version + 1, \
     updated_by = excluded.updated_by, updated_at = excluded.updated_at WHERE committee_batches.version = ? \
     RETURNING version";

pub(super) fn committee_batch(r: &Row) -> Result<CommitteeBatch, StoreError> {
    Ok(CommitteeBatch {
        year: r.int(0)? as i32,
        committee_id: r.text(1)?,
        material_cutoff: r.opt_text(2)?,
        voting_deadline: r.opt_text(3)?,
        version: r.int(4)?,
    })
}

/// The committees' own dates of a year.
pub fn committee_batches(db: &dyn Db, year: i32) -> Result<Vec<CommitteeBatch>, StoreError> {
    db.query(SELECT_COMMITTEE_BATCHES, &[year.into()])?.iter().map(committee_batch).collect()
}

/// One committee's own dates of a year.
pub fn committee_batch_of(db: &dyn Db, year: i32, committee: &str) -> Result<Option<CommitteeBatch>, StoreError> {
    db.query_opt(SELECT_COMMITTEE_BATCH, &[year.into(), committee.into()])?.as_ref().map(committee_batch).transpose()
}

/// Sets a committee's own dates (compare-and-set on `expected`, ignored for a new row).
#[allow(clippy::too_many_arguments)]
pub fn upsert_committee_batch(
    db: &dyn Db,
    year: i32,
    committee: &str,
    material_cutoff: Option<&str>,
    voting_deadline: Option<&str>,
    expected: i64,
    by: &str,
    now: &str,
) -> Result<Option<i64>, StoreError> {
    db.query_opt(
        UPSERT_COMMITTEE_BATCH,
        &[
            year.into(),
            committee.into(),
            material_cutoff.map(str::to_owned).into(),
            voting_deadline.map(str::to_owned).into(),
            by.into(),
            now.into(),
            expected.into(),
        ],
    )?
    .map(|r| r.int(0))
    .transpose()
}
