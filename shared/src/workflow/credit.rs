//! Reporting fraud records to the national credit platform (notice 七(一), issue 13) through
//! its outbox, like certificates to MOHRSS ([`super::mohrss`]): the record is queued in the
//! transaction of the fraud revocation ([`super::certificates`]) or of the integrity-file entry
//! ([`super::chain::reject_step`] with false materials, [`crate::admin::blacklist`]); a run
//! (the `credit-report` cron, or "report" by hand) sends each due record with its idempotency
//! key and records the answer. Temporary failures retry with exponential backoff; after
//! `max_attempts` sends the record goes to the dead letter (`failed`), which the province sees
//! and requeues. A send whose answer was never recorded is sent again, under the same key,
//! once its lease has expired. No transaction is held while a record is on the wire.

use super::{stamp, OpCtx, Page, PageRequest};
use crate::audit::{self, AuditEvent};
use crate::auth::Role;
use crate::certificates::outbox::OutboxConfig;
use crate::certificates::registry::Transport;
use crate::credit::{deliver, CreditRecord, Delivery, CREDIT_SCHEMA};
use crate::error::DomainError;
use crate::store::credit::{self as store, CreditOutboxRecord};
use crate::store::{with_tx, Db};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The authority named in the records.
pub const AUTHORITY: &str = "湖南省人力资源和社会保障厅";

/// A fraud record to queue (the fields of [`CreditRecord`] the caller knows).
#[derive(Debug, Clone)]
pub struct Fraud<'a> {
    pub name: &'a str,
    pub citizen_id: &'a str,
    pub conduct: &'a str,
    pub decision: &'a str,
    pub from_on: String,
    pub until_on: String,
}

fn queue(
    db: &dyn Db,
    kind: &str,
    subject: &str,
    f: &Fraud<'_>,
    certificate_no: Option<&str>,
    now: &str,
) -> Result<(), DomainError> {
    let key = format!("{kind}:{subject}");
    let record = CreditRecord {
        schema: CREDIT_SCHEMA.into(),
        record_key: key.clone(),
        reporter: super::mohrss::REPORTER.into(),
        kind: kind.into(),
        name: f.name.into(),
        citizen_id: f.citizen_id.into(),
        conduct: f.conduct.into(),
        decision: f.decision.into(),
        from_on: f.from_on.clone(),
        until_on: f.until_on.clone(),
        certificate_no: certificate_no.map(str::to_owned),
        authority: AUTHORITY.into(),
        decided_at: now.into(),
    };
    let payload = serde_json::to_string(&record).map_err(|e| DomainError::Internal(e.to_string()))?;
    store::enqueue(db, kind, subject, &key, &payload, now)?;
    Ok(())
}

/// Queues a certificate revoked for fraud (call in the revocation's transaction).
pub fn queue_fraud_revocation(db: &dyn Db, certificate_no: &str, f: &Fraud<'_>, now: &str) -> Result<(), DomainError> {
    queue(db, "fraud_revocation", certificate_no, f, Some(certificate_no), now)
}

/// Queues an integrity-file (blacklist) entry (call in the entry's transaction).
pub fn queue_blacklisting(db: &dyn Db, blacklist_id: i64, f: &Fraud<'_>, now: &str) -> Result<(), DomainError> {
    queue(db, "blacklist", &blacklist_id.to_string(), f, None, now)
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    pub sends: usize,
    pub acknowledged: usize,
    pub retrying: usize,
    pub dead_lettered: usize,
    pub errors: Vec<String>,
}

/// The audit event of a send or a report run, as the registry outbox writes it.
fn event(actor: &str, id: i64, action: &str, at: &str) -> AuditEvent {
    super::mohrss::system_event(actor, "credit_record", id, action, at)
}

/// One run: sends every due record (up to `cfg.batches_per_run × cfg.batch_size`) and records
/// each answer. `actor` names the runner in the audit trail.
pub fn run(
    db: &dyn Db,
    transport: &dyn Transport,
    now: DateTime<Utc>,
    cfg: &OutboxConfig,
    actor: &str,
) -> Result<RunReport, DomainError> {
    let at = stamp(now);
    let mut report = RunReport::default();
    for _ in 0..cfg.batches_per_run * cfg.batch_size {
        let claimed = with_tx(db, |db| {
            let Some((r, payload)) = store::due(db, &at)? else { return Ok::<_, DomainError>(None) };
            if !store::claim(db, &r, &stamp(cfg.lease_until(now)))? {
                return Ok(None);
            }
            Ok(Some((r, payload)))
        })?;
        let Some((r, payload)) = claimed else { break };
        let attempts = r.attempts + 1;
        report.sends += 1;
        // Issue 10: the outbox holds tokens; the platform gets the full number, opened here,
        // in memory, for this send only.
        let mut record: serde_json::Value =
            serde_json::from_str(&payload).map_err(|e| DomainError::Internal(format!("credit outbox payload: {e}")))?;
        crate::pii::open_citizen_ids(db, &mut record)?;
        let body = serde_json::to_vec(&record).map_err(|e| DomainError::Internal(e.to_string()))?;
        let outcome = deliver(transport, &r.record_key, &body);
        with_tx(db, |db| {
            let mut e = event(actor, r.id, "send_credit_record", &at);
            let (status, next, error, receipt) = match &outcome {
                Delivery::Acknowledged(receipt) => ("acknowledged", None, None, receipt.clone()),
                Delivery::Temporary(err) if attempts < cfg.max_attempts => {
                    ("pending", Some(stamp(now + cfg.backoff(attempts))), Some(err.clone()), None)
                }
                Delivery::Temporary(err) | Delivery::Refused(err) => {
                    ("failed", None, Some(format!("after {attempts} send(s): {err}")), None)
                }
            };
            if !store::settle(db, r.id, attempts, status, next.as_deref(), error.as_deref(), receipt.as_deref(), &at)? {
                return Ok::<_, DomainError>(());
            }
            match status {
                "acknowledged" => report.acknowledged += 1,
                "pending" => report.retrying += 1,
                _ => report.dead_lettered += 1,
            }
            if let Some(err) = &error {
                report.errors.push(err.clone());
            }
            e.to_state = Some(status.into());
            e.detail = Some(serde_json::json!({
                "record_key": r.record_key, "attempt": attempts, "error": error, "next_attempt_at": next,
            }));
            audit::record(db, &e)?;
            Ok(())
        })?;
    }
    Ok(report)
}

/// Body of "report": selected records (from the dead letter, or waiting) or all.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    #[serde(default)]
    pub record_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub all: bool,
}

/// What "report" did.
#[derive(Debug, Clone, Serialize)]
pub struct ReportOutcome {
    pub requeued: i64,
    pub run: RunReport,
}

/// The province reports selected records, or all waiting and dead-lettered ones, now.
pub fn report(
    ctx: &OpCtx<'_>,
    transport: &dyn Transport,
    cfg: &OutboxConfig,
    req: ReportRequest,
) -> Result<ReportOutcome, DomainError> {
    ctx.require_role(Role::Province)?;
    let ids = match (&req.record_ids, req.all) {
        (Some(ids), false) if !ids.is_empty() => Some(ids.clone()),
        (None, true) => None,
        _ => return Err(DomainError::invalid("record_ids", "请选择记录（record_ids），或全部上报（all: true）")),
    };
    let at = stamp(ctx.now);
    let requeued = with_tx(ctx.db, |db| {
        if let Some(ids) = &ids {
            for (i, id) in ids.iter().enumerate() {
                if !store::exists(db, *id)? {
                    return Err(DomainError::invalid(format!("record_ids[{i}]"), format!("记录 {id} 不存在")));
                }
            }
        }
        let n = store::requeue(db, ids.as_deref(), &at)?;
        let mut e = event(&ctx.who.sub, 0, "report_credit_records", &at);
        e.org = ctx.who.org.clone();
        e.detail = Some(serde_json::json!({ "record_ids": ids, "all": req.all, "requeued": n }));
        audit::record(db, &e)?;
        Ok(n)
    })?;
    let run = run(ctx.db, transport, ctx.now, cfg, &ctx.who.sub)?;
    Ok(ReportOutcome { requeued, run })
}

/// Counts per status and a page of records.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxView {
    pub counts: std::collections::BTreeMap<String, i64>,
    #[serde(flatten)]
    pub page: Page<CreditOutboxRecord>,
}

/// The outbox (province): counts per status and records, by status.
pub fn outbox(ctx: &OpCtx<'_>, status: Option<&str>, page: PageRequest) -> Result<OutboxView, DomainError> {
    ctx.require_role(Role::Province)?;
    if status.is_some_and(|s| !["pending", "sent", "acknowledged", "failed"].contains(&s)) {
        return Err(DomainError::invalid("status", "status 须为 pending、sent、acknowledged 或 failed"));
    }
    let (items, total) = store::list(ctx.db, status, page.limit(), page.offset())?;
    Ok(OutboxView {
        counts: store::counts(ctx.db, status)?.into_iter().collect(),
        page: Page { items, page: page.page, page_size: page.page_size, total },
    })
}
