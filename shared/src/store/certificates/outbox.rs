//! MOHRSS outbox.

#[allow(unused_imports)]
use super::*;

/// Queues a record (once per record key).
pub fn enqueue(
    db: &dyn Db,
    kind: &str,
    certificate_id: i64,
    record_key: &str,
    payload: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT OR IGNORE INTO mohrss_outbox (kind, certificate_id, record_key, payload, status, created_at) \
         VALUES (?, ?, ?, ?, 'pending', ?)",
        &[kind.into(), certificate_id.into(), record_key.into(), payload.into(), now.into()],
    )
}

/// An outbox record (without its payload).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxRecord {
    pub id: i64,
    pub kind: String,
    pub certificate_id: i64,
    pub record_key: String,
    pub status: String,
    pub batch_id: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub acknowledged_at: Option<String>,
    pub receipt: Option<String>,
}

pub(super) const OUTBOX_COLUMNS: &str =
    "id, kind, certificate_id, record_key, status, batch_id, attempts, last_error, created_at, acknowledged_at, receipt";

pub(super) fn outbox_row(r: &Row) -> Result<OutboxRecord, StoreError> {
    Ok(OutboxRecord {
        id: r.int(0)?,
        kind: r.text(1)?,
        certificate_id: r.int(2)?,
        record_key: r.text(3)?,
        status: r.text(4)?,
        batch_id: r.opt_int(5)?,
        attempts: r.int(6)?,
        last_error: r.opt_text(7)?,
        created_at: r.text(8)?,
        acknowledged_at: r.opt_text(9)?,
        receipt: r.opt_text(10)?,
    })
}

/// Pending records not in a batch, oldest first.
pub fn unbatched(db: &dyn Db, limit: i64) -> Result<Vec<OutboxRecord>, StoreError> {
    let sql = format!(
        "SELECT {OUTBOX_COLUMNS} FROM mohrss_outbox WHERE status = 'pending' AND batch_id IS NULL ORDER BY id LIMIT ?"
    );
    db.query(&sql, &[limit.into()])?.iter().map(outbox_row).collect()
}

/// A page of outbox records (by status and certificate, or all), by id, and the total.
pub fn list_outbox(
    db: &dyn Db,
    status: Option<&str>,
    certificate_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OutboxRecord>, i64), StoreError> {
    let w = "(? IS NULL OR status = ?) AND (? IS NULL OR certificate_id = ?)";
    let p: Vec<Value> = vec![status.into(), status.into(), certificate_id.into(), certificate_id.into()];
    let sql = format!("SELECT {OUTBOX_COLUMNS} FROM mohrss_outbox WHERE {w} ORDER BY id LIMIT ? OFFSET ?");
    let mut pp = p.clone();
    pp.extend([limit.into(), offset.into()]);
    let items = db.query(&sql, &pp)?.iter().map(outbox_row).collect::<Result<_, _>>()?;
    Ok((items, count(db, &format!("SELECT COUNT(*) FROM mohrss_outbox WHERE {w}"), &p)?))
}

/// The records of a certificate.
pub fn outbox_of_certificate(db: &dyn Db, certificate_id: i64) -> Result<Vec<OutboxRecord>, StoreError> {
    let sql = format!("SELECT {OUTBOX_COLUMNS} FROM mohrss_outbox WHERE certificate_id = ? ORDER BY id");
    db.query(&sql, &[certificate_id.into()])?.iter().map(outbox_row).collect()
}

/// The records of a batch with their payloads.
pub fn batch_records(db: &dyn Db, batch_id: i64) -> Result<Vec<(OutboxRecord, String)>, StoreError> {
    let sql = format!("SELECT {OUTBOX_COLUMNS}, payload FROM mohrss_outbox WHERE batch_id = ? ORDER BY id");
    db.query(&sql, &[batch_id.into()])?.iter().map(|r| Ok((outbox_row(r)?, r.text(11)?))).collect()
}

/// Counts of records per status.
pub fn outbox_counts(
    db: &dyn Db,
    status: Option<&str>,
    certificate_id: Option<i64>,
) -> Result<Vec<(String, i64)>, StoreError> {
    db.query(
        "SELECT status, COUNT(*) FROM mohrss_outbox WHERE (? IS NULL OR status = ?) \
         AND (? IS NULL OR certificate_id = ?) GROUP BY status ORDER BY status",
        &[status.into(), status.into(), certificate_id.into(), certificate_id.into()],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.int(1)?)))
    .collect()
}

/// A batch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Batch {
    pub id: i64,
    pub batch_key: String,
    pub status: String,
    pub record_count: i64,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub lease_until: Option<String>,
    pub last_error: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub last_attempt_at: Option<String>,
    pub acknowledged_at: Option<String>,
}

pub(super) const BATCH_COLUMNS: &str =
    "id, batch_key, status, record_count, attempts, next_attempt_at, lease_until, last_error, \
     created_by, created_at, last_attempt_at, acknowledged_at";

pub(super) fn batch_row(r: &Row) -> Result<Batch, StoreError> {
    Ok(Batch {
        id: r.int(0)?,
        batch_key: r.text(1)?,
        status: r.text(2)?,
        record_count: r.int(3)?,
        attempts: r.int(4)?,
        next_attempt_at: r.text(5)?,
        lease_until: r.opt_text(6)?,
        last_error: r.opt_text(7)?,
        created_by: r.text(8)?,
        created_at: r.text(9)?,
        last_attempt_at: r.opt_text(10)?,
        acknowledged_at: r.opt_text(11)?,
    })
}

/// One batch.
pub fn batch(db: &dyn Db, id: i64) -> Result<Option<Batch>, StoreError> {
    let sql = format!("SELECT {BATCH_COLUMNS} FROM mohrss_batches WHERE id = ?");
    db.query_opt(&sql, &[id.into()])?.as_ref().map(batch_row).transpose()
}

/// A page of batches (by status, or all), latest first.
pub fn list_batches(
    db: &dyn Db,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Batch>, i64), StoreError> {
    let sql = format!(
        "SELECT {BATCH_COLUMNS} FROM mohrss_batches WHERE (? IS NULL OR status = ?) ORDER BY id DESC LIMIT ? OFFSET ?"
    );
    let items = db
        .query(&sql, &[status.into(), status.into(), limit.into(), offset.into()])?
        .iter()
        .map(batch_row)
        .collect::<Result<_, _>>()?;
    let total = count(
        db,
        "SELECT COUNT(*) FROM mohrss_batches WHERE (? IS NULL OR status = ?)",
        &[status.into(), status.into()],
    )?;
    Ok((items, total))
}

/// Creates the batch `key` (or requeues the finished batch that had the same records) and
/// assigns the records to it.
pub fn form_batch(db: &dyn Db, key: &str, record_ids: &[i64], by: &str, now: &str) -> Result<i64, StoreError> {
    let id = match db.query_opt("SELECT id FROM mohrss_batches WHERE batch_key = ?", &[key.into()])? {
        Some(r) => {
            let id = r.int(0)?;
            db.execute(
                "UPDATE mohrss_batches SET status = 'queued', attempts = 0, next_attempt_at = ?, lease_until = NULL, \
                 record_count = ? WHERE id = ?",
                &[now.into(), (record_ids.len() as i64).into(), id.into()],
            )?;
            id
        }
        None => first_id(db.query(
            "INSERT INTO mohrss_batches (batch_key, status, record_count, next_attempt_at, created_by, created_at) \
             VALUES (?, 'queued', ?, ?, ?, ?) RETURNING id",
            &[key.into(), (record_ids.len() as i64).into(), now.into(), by.into(), now.into()],
        )?)?,
    };
    for rid in record_ids {
        db.execute("UPDATE mohrss_outbox SET batch_id = ? WHERE id = ?", &[id.into(), (*rid).into()])?;
    }
    Ok(id)
}

/// The next batch due to be sent: queued or retrying and due, or sending with its lease
/// expired (the sender died before recording the answer).
pub fn due_batch(db: &dyn Db, now: &str) -> Result<Option<Batch>, StoreError> {
    let sql = format!(
        "SELECT {BATCH_COLUMNS} FROM mohrss_batches WHERE (status IN ('queued', 'retry') AND next_attempt_at <= ?) \
         OR (status = 'sending' AND lease_until < ?) ORDER BY next_attempt_at, id LIMIT 1"
    );
    db.query_opt(&sql, &[now.into(), now.into()])?.as_ref().map(batch_row).transpose()
}

/// Compare-and-set: claims a batch for one send (it must still be as read).
pub fn claim_batch(db: &dyn Db, b: &Batch, lease_until: &str, now: &str) -> Result<bool, StoreError> {
    let claimed = !db
        .query(
            "UPDATE mohrss_batches SET status = 'sending', attempts = attempts + 1, lease_until = ?, \
             last_attempt_at = ? WHERE id = ? AND status = ? AND attempts = ? RETURNING id",
            &[lease_until.into(), now.into(), b.id.into(), b.status.as_str().into(), b.attempts.into()],
        )?
        .is_empty();
    if claimed {
        db.execute(
            "UPDATE mohrss_outbox SET status = 'sent', attempts = attempts + 1 WHERE batch_id = ? AND status IN ('pending', 'sent')",
            &[b.id.into()],
        )?;
    }
    Ok(claimed)
}

/// Whether the batch is still in the send numbered `attempts` (no one took it over).
pub fn still_sending(db: &dyn Db, batch_id: i64, attempts: i64) -> Result<bool, StoreError> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM mohrss_batches WHERE id = ? AND status = 'sending' AND attempts = ?",
            &[batch_id.into(), attempts.into()],
        )?
        .is_some())
}

/// Sets a batch's status after a send.
pub fn set_batch(
    db: &dyn Db,
    id: i64,
    status: &str,
    next_attempt_at: Option<&str>,
    error: Option<&str>,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(
        "UPDATE mohrss_batches SET status = ?, next_attempt_at = COALESCE(?, next_attempt_at), last_error = ?, \
         lease_until = NULL, acknowledged_at = CASE WHEN ? = 'acknowledged' THEN ? ELSE acknowledged_at END WHERE id = ?",
        &[status.into(), next_attempt_at.into(), error.into(), status.into(), now.into(), id.into()],
    )
}

/// A record is held by the registry.
pub fn acknowledge(db: &dyn Db, record_key: &str, receipt: Option<&str>, now: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE mohrss_outbox SET status = 'acknowledged', acknowledged_at = ?, receipt = ?, last_error = NULL \
         WHERE record_key = ?",
        &[now.into(), receipt.into(), record_key.into()],
    )
}

/// A record goes to the dead letter.
pub fn dead_letter(db: &dyn Db, record_key: &str, error: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE mohrss_outbox SET status = 'failed', last_error = ? WHERE record_key = ?",
        &[error.into(), record_key.into()],
    )
}

/// A record waits for its batch's next send.
pub fn back_to_pending(db: &dyn Db, record_key: &str, error: Option<&str>) -> Result<(), StoreError> {
    db.execute(
        "UPDATE mohrss_outbox SET status = 'pending', last_error = ? WHERE record_key = ?",
        &[error.into(), record_key.into()],
    )
}

/// A record leaves its batch, to be batched again.
pub fn unbatch(db: &dyn Db, record_key: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE mohrss_outbox SET status = 'pending', batch_id = NULL WHERE record_key = ?",
        &[record_key.into()],
    )
}

/// Requeues dead-lettered records (of some certificates, or all) and makes the pending
/// ones of those certificates due now. Returns how many records were touched.
pub fn requeue(db: &dyn Db, certificate_ids: Option<&[i64]>, now: &str) -> Result<i64, StoreError> {
    let mut touched = 0;
    let ids: Vec<Option<i64>> = match certificate_ids {
        Some(ids) => ids.iter().map(|i| Some(*i)).collect(),
        None => vec![None],
    };
    for cid in ids {
        touched += db
            .query(
                "UPDATE mohrss_outbox SET status = 'pending', batch_id = NULL, attempts = 0 \
                 WHERE status = 'failed' AND (? IS NULL OR certificate_id = ?) RETURNING id",
                &[cid.into(), cid.into()],
            )?
            .len() as i64;
        touched += db
            .query(
                "UPDATE mohrss_batches SET next_attempt_at = ? WHERE status = 'retry' AND id IN \
                 (SELECT batch_id FROM mohrss_outbox WHERE status = 'pending' AND (? IS NULL OR certificate_id = ?)) \
                 RETURNING id",
                &[now.into(), cid.into(), cid.into()],
            )?
            .len() as i64;
    }
    Ok(touched)
}

/// The number of the certificate issued for an application, if any.
pub fn certificate_of_application(db: &dyn Db, application_id: i64) -> Result<Option<String>, StoreError> {
    db.query_opt("SELECT certificate_no FROM certificates WHERE application_id = ?", &[application_id.into()])?
        .map(|r| r.text(0))
        .transpose()
}
