//! Generation jobs.

#[allow(unused_imports)]
use super::*;

/// A generation job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Job {
    pub id: i64,
    pub mode: String,
    pub selector: serde_json::Value,
    pub issuer_code: String,
    pub status: String,
    pub total: i64,
    pub issued: i64,
    pub skipped: i64,
    pub failed: i64,
    pub created_by: String,
    pub created_at: String,
    pub finished_at: Option<String>,
}

pub(super) const JOB_COLUMNS: &str =
    "id, mode, selector, issuer_code, status, total, issued, skipped, failed, created_by, created_at, finished_at";

pub(super) fn job_row(r: &Row) -> Result<Job, StoreError> {
    Ok(Job {
        id: r.int(0)?,
        mode: r.text(1)?,
        selector: serde_json::from_str(&r.text(2)?).unwrap_or_default(),
        issuer_code: r.text(3)?,
        status: r.text(4)?,
        total: r.int(5)?,
        issued: r.int(6)?,
        skipped: r.int(7)?,
        failed: r.int(8)?,
        created_by: r.text(9)?,
        created_at: r.text(10)?,
        finished_at: r.opt_text(11)?,
    })
}

/// Inserts a running job.
pub fn insert_job(
    db: &dyn Db,
    mode: &str,
    selector: &str,
    issuer_code: &str,
    total: i64,
    by: &str,
    now: &str,
) -> Result<i64, StoreError> {
    first_id(db.query(
        "INSERT INTO certificate_jobs (mode, selector, issuer_code, status, total, created_by, created_at) \
         VALUES (?, ?, ?, 'running', ?, ?, ?) RETURNING id",
        &[mode.into(), selector.into(), issuer_code.into(), total.into(), by.into(), now.into()],
    )?)
}

/// Adds a pending item to a job.
pub fn insert_job_item(db: &dyn Db, job_id: i64, application_id: i64) -> Result<(), StoreError> {
    db.execute(
        "INSERT OR IGNORE INTO certificate_job_items (job_id, application_id, status) VALUES (?, ?, 'pending')",
        &[job_id.into(), application_id.into()],
    )
}

/// One job.
pub fn job(db: &dyn Db, id: i64) -> Result<Option<Job>, StoreError> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM certificate_jobs WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(job_row).transpose()
}

/// A page of jobs, latest first: all, or those issued under the codes of `org` (§1.17).
pub fn list_jobs(db: &dyn Db, org: Option<&str>, limit: i64, offset: i64) -> Result<(Vec<Job>, i64), StoreError> {
    let Some(org) = org else {
        let sql = format!("SELECT {JOB_COLUMNS} FROM certificate_jobs ORDER BY id DESC LIMIT ? OFFSET ?");
        let items = db.query(&sql, &[limit.into(), offset.into()])?.iter().map(job_row).collect::<Result<_, _>>()?;
        return Ok((items, count(db, "SELECT COUNT(*) FROM certificate_jobs", &[])?));
    };
    let own = "issuer_code IN (SELECT code FROM issuing_units WHERE org_id = ?)";
    let sql = format!("SELECT {JOB_COLUMNS} FROM certificate_jobs WHERE {own} ORDER BY id DESC LIMIT ? OFFSET ?");
    let items =
        db.query(&sql, &[org.into(), limit.into(), offset.into()])?.iter().map(job_row).collect::<Result<_, _>>()?;
    Ok((items, count(db, &format!("SELECT COUNT(*) FROM certificate_jobs WHERE {own}"), &[org.into()])?))
}

/// Every issuing-unit code an organisation has held (active or cancelled).
pub fn issuing_codes_of(db: &dyn Db, org: &str) -> Result<Vec<String>, StoreError> {
    db.query("SELECT code FROM issuing_units WHERE org_id = ?", &[org.into()])?.iter().map(|r| r.text(0)).collect()
}

/// The next pending items of a job.
pub fn pending_items(db: &dyn Db, job_id: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
    db.query(
        "SELECT application_id FROM certificate_job_items WHERE job_id = ? AND status = 'pending' \
         ORDER BY application_id LIMIT ?",
        &[job_id.into(), limit.into()],
    )?
    .iter()
    .map(|r| r.int(0))
    .collect()
}

/// Records an item's outcome and counts it in the job.
pub fn finish_item(
    db: &dyn Db,
    job_id: i64,
    application_id: i64,
    status: &str,
    certificate_id: Option<i64>,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    let done = db.query(
        "UPDATE certificate_job_items SET status = ?, certificate_id = ?, reason = ? \
         WHERE job_id = ? AND application_id = ? AND status = 'pending' RETURNING job_id",
        &[status.into(), certificate_id.into(), reason.into(), job_id.into(), application_id.into()],
    )?;
    if done.is_empty() {
        return Ok(());
    }
    let col = match status {
        "issued" => "issued",
        "skipped" => "skipped",
        _ => "failed",
    };
    db.execute(&format!("UPDATE certificate_jobs SET {col} = {col} + 1 WHERE id = ?"), &[job_id.into()])
}

/// Marks a job done when no item is pending.
pub fn finish_job_if_done(db: &dyn Db, job_id: i64, now: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE certificate_jobs SET status = 'done', finished_at = ? WHERE id = ? AND status = 'running' \
         AND NOT EXISTS (SELECT 1 FROM certificate_job_items WHERE job_id = ? AND status = 'pending')",
        &[now.into(), job_id.into(), job_id.into()],
    )
}

/// An item of a job that did not issue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JobItem {
    pub application_id: i64,
    pub status: String,
    pub certificate_id: Option<i64>,
    pub reason: Option<String>,
}

/// The items of a job that were skipped or failed (at most `limit`).
pub fn job_problems(db: &dyn Db, job_id: i64, limit: i64) -> Result<Vec<JobItem>, StoreError> {
    db.query(
        "SELECT application_id, status, certificate_id, reason FROM certificate_job_items \
         WHERE job_id = ? AND status IN ('skipped', 'failed') ORDER BY application_id LIMIT ?",
        &[job_id.into(), limit.into()],
    )?
    .iter()
    .map(|r| {
        Ok(JobItem {
            application_id: r.int(0)?,
            status: r.text(1)?,
            certificate_id: r.opt_int(2)?,
            reason: r.opt_text(3)?,
        })
    })
    .collect()
}

/// How far the latest run of a job has got, and how fast.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JobProgress {
    /// Items done by the latest run so far.
    pub run_done: i64,
    /// Milliseconds that run has been running.
    pub run_ms: i64,
    /// Items per second in that run.
    pub rate_per_s: Option<f64>,
    /// Seconds until no item is pending at that rate.
    pub eta_s: Option<i64>,
    pub updated_at: String,
}

/// Records a running job's progress (one row per job, replaced).
pub fn save_progress(db: &dyn Db, job_id: i64, p: &JobProgress) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO certificate_job_progress (job_id, run_done, run_ms, rate_per_s, eta_s, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET run_done = excluded.run_done, \
         run_ms = excluded.run_ms, rate_per_s = excluded.rate_per_s, eta_s = excluded.eta_s, \
         updated_at = excluded.updated_at",
        &[
            job_id.into(),
            p.run_done.into(),
            p.run_ms.into(),
            p.rate_per_s.map_or(Value::Null, Value::Real),
            p.eta_s.into(),
            p.updated_at.as_str().into(),
        ],
    )
}

/// A job's progress, if a run has recorded one.
pub fn progress(db: &dyn Db, job_id: i64) -> Result<Option<JobProgress>, StoreError> {
    db.query_opt(
        "SELECT run_done, run_ms, rate_per_s, eta_s, updated_at FROM certificate_job_progress WHERE job_id = ?",
        &[job_id.into()],
    )?
    .map(|r| {
        let rate = match r.0.get(2) {
            Some(Value::Real(v)) => Some(*v),
            Some(Value::Integer(v)) => Some(*v as f64),
            _ => None,
        };
        Ok(JobProgress {
            run_done: r.int(0)?,
            run_ms: r.int(1)?,
            rate_per_s: rate,
            eta_s: r.opt_int(3)?,
            updated_at: r.text(4)?,
        })
    })
    .transpose()
}

// ------------------------------------------------------------------ claims (issue 14)
//
// A runner claims a chunk of pending items with the numbers they will carry (migration
// 0028), seals them outside any transaction and writes them in a second one; a claim is a
// lease that any runner takes over once it has ended, with the same number.

/// A pending item no runner holds, with the number an earlier, lapsed claim reserved for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimable {
    pub application_id: i64,
    pub reserved_no: Option<String>,
}

/// Up to `limit` pending items of job `job_id` that no runner holds at `now`: never
/// claimed, or claimed until before `now`, and not held by a runner of another job (two
/// jobs over the same people take turns instead of both reserving a number). In
/// application order.
pub fn claimable_items(db: &dyn Db, job_id: i64, now: &str, limit: i64) -> Result<Vec<Claimable>, StoreError> {
    db.query(
        "SELECT i.application_id, c.certificate_no FROM certificate_job_items i \
         LEFT JOIN certificate_job_claims c ON c.job_id = i.job_id AND c.application_id = i.application_id \
         WHERE i.job_id = ? AND i.status = 'pending' AND (c.claimed_until IS NULL OR c.claimed_until < ?) \
         AND NOT EXISTS (SELECT 1 FROM certificate_job_claims o WHERE o.application_id = i.application_id \
         AND o.job_id <> i.job_id AND o.claimed_until >= ?) \
         ORDER BY i.application_id LIMIT ?",
        &[job_id.into(), now.into(), now.into(), limit.into()],
    )?
    .iter()
    .map(|r| Ok(Claimable { application_id: r.int(0)?, reserved_no: r.opt_text(1)? }))
    .collect()
}

/// Claims item (`job_id`, `application_id`) with number `no` until `until` (a lapsed
/// claim is renewed; its number stays).
pub fn claim_item(db: &dyn Db, job_id: i64, application_id: i64, no: &str, until: &str) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO certificate_job_claims (job_id, application_id, certificate_no, claimed_until) \
         VALUES (?, ?, ?, ?) ON CONFLICT (job_id, application_id) DO UPDATE SET claimed_until = excluded.claimed_until",
        &[job_id.into(), application_id.into(), no.into(), until.into()],
    )
}

/// A claim about to be written: its number, and its application's state and version now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimToWrite {
    pub certificate_no: String,
    pub state: String,
    pub version: i64,
}

/// The claim of item (`job_id`, `application_id`) while the item is pending, with its
/// application's state and version.
pub fn claim_to_write(db: &dyn Db, job_id: i64, application_id: i64) -> Result<Option<ClaimToWrite>, StoreError> {
    db.query_opt(
        "SELECT c.certificate_no, a.state, a.version FROM certificate_job_claims c \
         JOIN certificate_job_items i ON i.job_id = c.job_id AND i.application_id = c.application_id \
         JOIN applications a ON a.id = c.application_id \
         WHERE c.job_id = ? AND c.application_id = ? AND i.status = 'pending'",
        &[job_id.into(), application_id.into()],
    )?
    .map(|r| Ok(ClaimToWrite { certificate_no: r.text(0)?, state: r.text(1)?, version: r.int(2)? }))
    .transpose()
}

/// Marks a pending item issued with certificate `certificate_id`, without counting it in
/// the job ([`count_issued`] does, once per chunk). Whether it was pending.
pub fn mark_issued(db: &dyn Db, job_id: i64, application_id: i64, certificate_id: i64) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            "UPDATE certificate_job_items SET status = 'issued', certificate_id = ? \
             WHERE job_id = ? AND application_id = ? AND status = 'pending' RETURNING job_id",
            &[certificate_id.into(), job_id.into(), application_id.into()],
        )?
        .is_empty())
}

/// Counts `n` more issued items in job `job_id`.
pub fn count_issued(db: &dyn Db, job_id: i64, n: i64) -> Result<(), StoreError> {
    if n == 0 {
        return Ok(());
    }
    db.execute("UPDATE certificate_jobs SET issued = issued + ? WHERE id = ?", &[n.into(), job_id.into()])
}

/// Drops the claims of job `job_id` whose items are no longer pending.
pub fn release_finished_claims(db: &dyn Db, job_id: i64) -> Result<(), StoreError> {
    db.execute(
        "DELETE FROM certificate_job_claims WHERE job_id = ? AND EXISTS (SELECT 1 FROM certificate_job_items i \
         WHERE i.job_id = certificate_job_claims.job_id AND i.application_id = certificate_job_claims.application_id \
         AND i.status <> 'pending')",
        &[job_id.into()],
    )
}

/// Drops the claim of an item (its number is now on its certificate, or voided).
pub fn release_claim(db: &dyn Db, job_id: i64, application_id: i64) -> Result<(), StoreError> {
    db.execute(
        "DELETE FROM certificate_job_claims WHERE job_id = ? AND application_id = ?",
        &[job_id.into(), application_id.into()],
    )
}

/// Ends the lease of an item's claim now (the number stays reserved): the next runner
/// drafts it afresh.
pub fn lapse_claim(db: &dyn Db, job_id: i64, application_id: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE certificate_job_claims SET claimed_until = '' WHERE job_id = ? AND application_id = ?",
        &[job_id.into(), application_id.into()],
    )
}

/// A number taken from a pool that no certificate will carry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VoidedNumber {
    pub certificate_no: String,
    pub application_id: Option<i64>,
    pub reason: String,
    pub voided_at: String,
}

/// Records number `no` as voided (作废) with its reason, and drops the item's claim.
#[allow(clippy::too_many_arguments)]
pub fn void_number(
    db: &dyn Db,
    no: &str,
    job_id: i64,
    application_id: i64,
    reason: &str,
    by: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO certificate_voided_numbers (certificate_no, job_id, application_id, reason, voided_by, voided_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
        &[no.into(), job_id.into(), application_id.into(), reason.into(), by.into(), now.into()],
    )?;
    release_claim(db, job_id, application_id)
}

/// The numbers voided in job `job_id` (at most `limit`), in number order.
pub fn voided_of_job(db: &dyn Db, job_id: i64, limit: i64) -> Result<Vec<VoidedNumber>, StoreError> {
    db.query(
        "SELECT certificate_no, application_id, reason, voided_at FROM certificate_voided_numbers \
         WHERE job_id = ? ORDER BY certificate_no LIMIT ?",
        &[job_id.into(), limit.into()],
    )?
    .iter()
    .map(|r| {
        Ok(VoidedNumber {
            certificate_no: r.text(0)?,
            application_id: r.opt_int(1)?,
            reason: r.text(2)?,
            voided_at: r.text(3)?,
        })
    })
    .collect()
}

/// Pending items of job `job_id` held by a runner at `now`, and when the last such lease ends.
pub fn in_flight(db: &dyn Db, job_id: i64, now: &str) -> Result<(i64, Option<String>), StoreError> {
    let r = db.query_opt(
        "SELECT COUNT(*), MAX(c.claimed_until) FROM certificate_job_claims c JOIN certificate_job_items i \
         ON i.job_id = c.job_id AND i.application_id = c.application_id \
         WHERE c.job_id = ? AND i.status = 'pending' AND c.claimed_until >= ?",
        &[job_id.into(), now.into()],
    )?;
    match r {
        Some(r) => Ok((r.int(0)?, r.opt_text(1)?)),
        None => Ok((0, None)),
    }
}

/// Pending items of job `job_id` whose application a runner (of this job or another)
/// holds at `now`.
pub fn held_items(db: &dyn Db, job_id: i64, now: &str) -> Result<i64, StoreError> {
    count(
        db,
        "SELECT COUNT(*) FROM certificate_job_items i WHERE i.job_id = ? AND i.status = 'pending' \
         AND EXISTS (SELECT 1 FROM certificate_job_claims c WHERE c.application_id = i.application_id \
         AND c.claimed_until >= ?)",
        &[job_id.into(), now.into()],
    )
}
