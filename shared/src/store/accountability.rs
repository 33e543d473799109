//! SQL of accountability (migration 0018): expert suspensions and integrity records.

use super::{Db, Row, StoreError, Value};
use serde::Serialize;

/// A suspension or removal of an expert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suspension {
    pub id: i64,
    pub expert_id: String,
    /// `suspend` (for a period) or `remove` (取消评委资格).
    pub kind: String,
    pub reason: String,
    pub from_on: String,
    pub until_on: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
    pub lifted_at: Option<String>,
    pub lifted_by: Option<String>,
    pub lift_reason: Option<String>,
}

const SUSPENSION_COLUMNS: &str = "id, expert_id, kind, reason, from_on, until_on, decided_by, decided_at, \
     lifted_at, lifted_by, lift_reason";

fn suspension(r: &Row) -> Result<Suspension, StoreError> {
    Ok(Suspension {
        id: r.int(0)?,
        expert_id: r.text(1)?,
        kind: r.text(2)?,
        reason: r.text(3)?,
        from_on: r.text(4)?,
        until_on: r.opt_text(5)?,
        decided_by: r.text(6)?,
        decided_at: r.text(7)?,
        lifted_at: r.opt_text(8)?,
        lifted_by: r.opt_text(9)?,
        lift_reason: r.opt_text(10)?,
    })
}

/// The suspension or removal in force of an expert (not lifted), if any.
pub fn open_suspension(db: &dyn Db, expert: &str) -> Result<Option<Suspension>, StoreError> {
    db.query_opt(
        &format!(
            "SELECT {SUSPENSION_COLUMNS} FROM expert_suspensions WHERE expert_id = ? AND lifted_at IS NULL \
             ORDER BY id DESC LIMIT 1"
        ),
        &[expert.into()],
    )?
    .as_ref()
    .map(suspension)
    .transpose()
}

/// Records a suspension (or removal) and takes the expert out of the pool, compare-and-set
/// on the expert being active; `false` if it was not.
#[allow(clippy::too_many_arguments)]
pub fn suspend(
    db: &dyn Db,
    expert: &str,
    kind: &str,
    reason: &str,
    from_on: &str,
    until_on: Option<&str>,
    by: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let taken = db.query(
        "UPDATE experts SET status = 'suspended' WHERE id = ? AND status = 'active' RETURNING id",
        &[expert.into()],
    )?;
    if taken.is_empty() {
        return Ok(false);
    }
    db.execute(
        "INSERT INTO expert_suspensions (expert_id, kind, reason, from_on, until_on, decided_by, decided_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        &[
            expert.into(),
            kind.into(),
            reason.into(),
            from_on.into(),
            until_on.map(str::to_owned).into(),
            by.into(),
            at.into(),
        ],
    )?;
    Ok(true)
}

/// Ends the open suspension of an expert and puts them back in the pool; `false` if none
/// was open.
pub fn lift(db: &dyn Db, expert: &str, by: &str, reason: &str, at: &str) -> Result<bool, StoreError> {
    let lifted = db.query(
        "UPDATE expert_suspensions SET lifted_at = ?, lifted_by = ?, lift_reason = ? \
         WHERE expert_id = ? AND lifted_at IS NULL RETURNING id",
        &[at.into(), by.into(), reason.into(), expert.into()],
    )?;
    if lifted.is_empty() {
        return Ok(false);
    }
    db.execute("UPDATE experts SET status = 'active' WHERE id = ? AND status = 'suspended'", &[expert.into()])?;
    Ok(true)
}

/// The experts whose suspension for a period ended before `today` (their last day passed).
pub fn expired(db: &dyn Db, today: &str) -> Result<Vec<String>, StoreError> {
    db.query(
        "SELECT expert_id FROM expert_suspensions WHERE lifted_at IS NULL AND kind = 'suspend' \
         AND until_on IS NOT NULL AND until_on < ? ORDER BY expert_id",
        &[today.into()],
    )?
    .iter()
    .map(|r| r.text(0))
    .collect()
}

/// An expert's suspensions, newest first.
pub fn suspensions_of(db: &dyn Db, expert: &str) -> Result<Vec<Suspension>, StoreError> {
    db.query(
        &format!("SELECT {SUSPENSION_COLUMNS} FROM expert_suspensions WHERE expert_id = ? ORDER BY id DESC"),
        &[expert.into()],
    )?
    .iter()
    .map(suspension)
    .collect()
}

/// An integrity record of a judge or a staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntegrityRecord {
    pub id: i64,
    /// `judge` or `staff`.
    pub subject_kind: String,
    pub subject_ref: String,
    pub subject_name: String,
    pub org: String,
    pub conduct: String,
    pub decision: String,
    pub from_on: String,
    pub until_on: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

const RECORD_COLUMNS: &str = "id, subject_kind, subject_ref, subject_name, org, conduct, decision, from_on, \
     until_on, recorded_by, recorded_at";

fn record(r: &Row) -> Result<IntegrityRecord, StoreError> {
    Ok(IntegrityRecord {
        id: r.int(0)?,
        subject_kind: r.text(1)?,
        subject_ref: r.text(2)?,
        subject_name: r.text(3)?,
        org: r.text(4)?,
        conduct: r.text(5)?,
        decision: r.text(6)?,
        from_on: r.text(7)?,
        until_on: r.opt_text(8)?,
        recorded_by: r.text(9)?,
        recorded_at: r.text(10)?,
    })
}

/// Inserts an integrity record; returns its id.
pub fn insert_record(db: &dyn Db, r: &IntegrityRecord) -> Result<i64, StoreError> {
    let rows = db.query(
        "INSERT INTO integrity_records (subject_kind, subject_ref, subject_name, org, conduct, decision, from_on, \
         until_on, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            r.subject_kind.as_str().into(),
            r.subject_ref.as_str().into(),
            r.subject_name.as_str().into(),
            r.org.as_str().into(),
            r.conduct.as_str().into(),
            r.decision.as_str().into(),
            r.from_on.as_str().into(),
            r.until_on.clone().into(),
            r.recorded_by.as_str().into(),
            r.recorded_at.as_str().into(),
        ],
    )?;
    rows.first().ok_or_else(|| StoreError::Decode("no id returned".into()))?.int(0)
}

/// Integrity records (of one kind, or all), newest first, a page; with the total.
pub fn records(
    db: &dyn Db,
    kind: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<IntegrityRecord>, i64), StoreError> {
    let (cond, mut params): (&str, Vec<Value>) = match kind {
        Some(k) => ("WHERE subject_kind = ?", vec![k.into()]),
        None => ("", Vec::new()),
    };
    let total = db
        .query_opt(&format!("SELECT COUNT(*) FROM integrity_records {cond}"), &params)?
        .map_or(Ok(0), |r| r.int(0))?;
    params.extend([limit.into(), offset.into()]);
    let items = db
        .query(
            &format!("SELECT {RECORD_COLUMNS} FROM integrity_records {cond} ORDER BY id DESC LIMIT ? OFFSET ?"),
            &params,
        )?
        .iter()
        .map(record)
        .collect::<Result<_, _>>()?;
    Ok((items, total))
}
