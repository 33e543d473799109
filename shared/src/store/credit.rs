//! SQL of the credit-platform outbox (migration 0025).

use super::{Db, Row, StoreError, Value};
use serde::Serialize;

/// An outbox record (without its payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditOutboxRecord {
    pub id: i64,
    /// `fraud_revocation` or `blacklist`.
    pub kind: String,
    /// The certificate number / the blacklist record id.
    pub subject_ref: String,
    pub record_key: String,
    /// `pending`, `sent`, `acknowledged` or `failed` (the dead letter).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub acknowledged_at: Option<String>,
    pub receipt: Option<String>,
}

const COLUMNS: &str = "id, kind, subject_ref, record_key, status, attempts, next_attempt_at, last_error, \
     created_at, acknowledged_at, receipt";

fn record(r: &Row) -> Result<CreditOutboxRecord, StoreError> {
    Ok(CreditOutboxRecord {
        id: r.int(0)?,
        kind: r.text(1)?,
        subject_ref: r.text(2)?,
        record_key: r.text(3)?,
        status: r.text(4)?,
        attempts: r.int(5)?,
        next_attempt_at: r.text(6)?,
        last_error: r.opt_text(7)?,
        created_at: r.text(8)?,
        acknowledged_at: r.opt_text(9)?,
        receipt: r.opt_text(10)?,
    })
}

/// Queues a record (once per key), due now.
pub fn enqueue(
    db: &dyn Db,
    kind: &str,
    subject_ref: &str,
    record_key: &str,
    payload: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT OR IGNORE INTO credit_outbox (kind, subject_ref, record_key, payload, status, next_attempt_at, \
         created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
        &[kind.into(), subject_ref.into(), record_key.into(), payload.into(), now.into(), now.into()],
    )
}

/// The next record due at `now`: pending and past its backoff, or sent and past its lease
/// (the answer was never recorded); with its payload.
pub fn due(db: &dyn Db, now: &str) -> Result<Option<(CreditOutboxRecord, String)>, StoreError> {
    match db.query_opt(
        &format!(
            "SELECT {COLUMNS}, payload FROM credit_outbox WHERE (status = 'pending' AND next_attempt_at <= ?) \
             OR (status = 'sent' AND lease_until < ?) ORDER BY id LIMIT 1"
        ),
        &[now.into(), now.into()],
    )? {
        Some(r) => Ok(Some((record(&r)?, r.text(11)?))),
        None => Ok(None),
    }
}

/// Claims a due record for one send: `sent`, one more attempt, leased until `lease`;
/// compare-and-set on the status and attempts read. `false` if another run took it.
pub fn claim(db: &dyn Db, r: &CreditOutboxRecord, lease: &str) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            "UPDATE credit_outbox SET status = 'sent', attempts = attempts + 1, lease_until = ? \
             WHERE id = ? AND status = ? AND attempts = ? RETURNING id",
            &[lease.into(), r.id.into(), r.status.as_str().into(), r.attempts.into()],
        )?
        .is_empty())
}

/// Records the outcome of send number `attempts`, if that send still holds the record
/// (`false`: taken over after the lease, the newer send records its own).
#[allow(clippy::too_many_arguments)]
pub fn settle(
    db: &dyn Db,
    id: i64,
    attempts: i64,
    status: &str,
    next_attempt_at: Option<&str>,
    error: Option<&str>,
    receipt: Option<&str>,
    at: &str,
) -> Result<bool, StoreError> {
    let acked: Value = if status == "acknowledged" { at.into() } else { Value::Null };
    Ok(!db
        .query(
            "UPDATE credit_outbox SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), lease_until = NULL, \
             last_error = ?, receipt = COALESCE(?, receipt), acknowledged_at = COALESCE(?, acknowledged_at) \
             WHERE id = ? AND status = 'sent' AND attempts = ? RETURNING id",
            &[
                status.into(),
                next_attempt_at.map(str::to_owned).into(),
                error.map(str::to_owned).into(),
                receipt.map(str::to_owned).into(),
                acked,
                id.into(),
                attempts.into(),
            ],
        )?
        .is_empty())
}

/// Requeues dead-lettered records (the listed ones, or all) and makes waiting ones due now;
/// the number requeued from the dead letter.
pub fn requeue(db: &dyn Db, ids: Option<&[i64]>, now: &str) -> Result<i64, StoreError> {
    let mut n = 0;
    let targets: Vec<i64> = match ids {
        Some(ids) => ids.to_vec(),
        None => db
            .query("SELECT id FROM credit_outbox WHERE status IN ('failed', 'pending') ORDER BY id", &[])?
            .iter()
            .map(|r| r.int(0))
            .collect::<Result<_, _>>()?,
    };
    for id in targets {
        n += db
            .query(
                "UPDATE credit_outbox SET status = 'pending', attempts = 0, next_attempt_at = ? \
                 WHERE id = ? AND status = 'failed' RETURNING id",
                &[now.into(), id.into()],
            )?
            .len() as i64;
        db.execute(
            "UPDATE credit_outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending'",
            &[now.into(), id.into()],
        )?;
    }
    Ok(n)
}

/// Whether a record exists.
pub fn exists(db: &dyn Db, id: i64) -> Result<bool, StoreError> {
    Ok(db.query_opt("SELECT 1 FROM credit_outbox WHERE id = ?", &[id.into()])?.is_some())
}

/// Records (of a status, or all), newest first, a page; with the total.
pub fn list(
    db: &dyn Db,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CreditOutboxRecord>, i64), StoreError> {
    let (cond, mut params): (&str, Vec<Value>) = match status {
        Some(s) => ("WHERE status = ?", vec![s.into()]),
        None => ("", Vec::new()),
    };
    let total =
        db.query_opt(&format!("SELECT COUNT(*) FROM credit_outbox {cond}"), &params)?.map_or(Ok(0), |r| r.int(0))?;
    params.extend([limit.into(), offset.into()]);
    let items = db
        .query(&format!("SELECT {COLUMNS} FROM credit_outbox {cond} ORDER BY id DESC LIMIT ? OFFSET ?"), &params)?
        .iter()
        .map(record)
        .collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// Records per status (of a status, or all).
pub fn counts(db: &dyn Db, status: Option<&str>) -> Result<Vec<(String, i64)>, StoreError> {
    let (cond, params): (&str, Vec<Value>) = match status {
        Some(s) => ("WHERE status = ?", vec![s.into()]),
        None => ("", Vec::new()),
    };
    db.query(&format!("SELECT status, COUNT(*) FROM credit_outbox {cond} GROUP BY status ORDER BY status"), &params)?
        .iter()
        .map(|r| Ok((r.text(0)?, r.int(1)?)))
        .collect()
}
