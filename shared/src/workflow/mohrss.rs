//! Reporting to MOHRSS (人社部, annex 3 §1.18) through the outbox: every certificate and
//! every revocation is queued in the transaction that creates it ([`super::certificates`]);
//! a run (the `mohrss-report` cron, or "report selected / all" by hand) forms batches of
//! queued records, sends each batch with its idempotency key, and records the answer.
//! Temporary failures retry with exponential backoff on later runs; after
//! `max_attempts` sends the records go to the dead letter (`failed`), from which "report
//! selected / all" requeues them. A send whose answer was never recorded (the host died)
//! is sent again, under the same key, once its lease has expired — the registry keeps one
//! record per record key, so nothing is recorded twice.
//!
//! No transaction is held while a batch is on the wire.

use super::{stamp, OpCtx, Page, PageRequest};
use crate::audit::{self, AuditEvent};
use crate::auth::Role;
use crate::certificates::outbox::{batch_key, OutboxConfig};
use crate::certificates::registry::{classify, BatchRequest, RecordOutcome, RegistryRecord, SendOutcome, Transport, BATCH_SCHEMA};
use crate::error::DomainError;
use crate::store::certificates::{self as store, Batch, OutboxRecord};
use crate::store::{with_tx, Db};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The reporting province's region code (湖南省).
pub const REPORTER: &str = "430000";

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Batches formed from queued records.
    pub batches_formed: usize,
    /// Sends attempted.
    pub sends: usize,
    /// Records the registry now holds (accepted or duplicate).
    pub acknowledged: usize,
    /// Batches to be retried later (temporary failure).
    pub retrying: usize,
    /// Records sent to the dead letter.
    pub dead_lettered: usize,
    /// The errors of the failed sends.
    pub errors: Vec<String>,
}

fn system_event(actor: &str, kind: &str, id: i64, action: &str, at: &str) -> AuditEvent {
    AuditEvent {
        subject_kind: kind.into(),
        subject_id: id.to_string(),
        actor: actor.into(),
        role: if actor.starts_with("system:") { "system" } else { "province" }.into(),
        org: String::new(),
        action: action.into(),
        from_state: None,
        to_state: None,
        opinion: None,
        detail: None,
        at: at.into(),
    }
}

/// One run of the outbox: forms batches, sends every due batch (up to
/// `cfg.batches_per_run`), records the answers. `actor` names the runner in the audit
/// trail (`system:mohrss-report`, or the province user).
pub fn run(
    db: &dyn Db,
    transport: &dyn Transport,
    now: DateTime<Utc>,
    cfg: &OutboxConfig,
    actor: &str,
) -> Result<RunReport, DomainError> {
    let at = stamp(now);
    let mut report = RunReport::default();
    // Form batches of queued records.
    loop {
        let formed = with_tx(db, |db| {
            let records = store::unbatched(db, cfg.batch_size as i64)?;
            if records.is_empty() {
                return Ok::<_, DomainError>(false);
            }
            let keys: Vec<String> = records.iter().map(|r| r.record_key.clone()).collect();
            let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
            let key = batch_key(&keys);
            let id = store::form_batch(db, &key, &ids, actor, &at)?;
            let mut e = system_event(actor, "mohrss_batch", id, "form_batch", &at);
            e.detail = Some(serde_json::json!({ "batch_key": key, "records": keys.len() }));
            audit::record(db, &e)?;
            Ok(true)
        })?;
        if !formed {
            break;
        }
        report.batches_formed += 1;
    }
    // Send the due batches.
    for _ in 0..cfg.batches_per_run {
        let claimed = with_tx(db, |db| {
            let Some(b) = store::due_batch(db, &at)? else { return Ok::<_, DomainError>(None) };
            let lease = stamp(cfg.lease_until(now));
            if !store::claim_batch(db, &b, &lease, &at)? {
                return Ok(None);
            }
            let records = store::batch_records(db, b.id)?;
            Ok(Some((b, records)))
        })?;
        let Some((b, records)) = claimed else { break };
        let attempts = b.attempts + 1;
        let parsed: Vec<RegistryRecord> = records
            .iter()
            .filter(|(r, _)| r.status == "sent" || r.status == "pending")
            .map(|(_, payload)| serde_json::from_str(payload))
            .collect::<Result<_, _>>()
            .map_err(|e| DomainError::Internal(format!("outbox payload: {e}")))?;
        let keys: Vec<String> = parsed.iter().map(|r| r.record_key.clone()).collect();
        let body = BatchRequest {
            schema: BATCH_SCHEMA.into(),
            batch_key: b.batch_key.clone(),
            reporter: REPORTER.into(),
            records: parsed,
        };
        let bytes = serde_json::to_vec(&body).map_err(|e| DomainError::Internal(e.to_string()))?;
        report.sends += 1;
        let outcome = classify(transport.post_batch(&b.batch_key, &bytes), &b.batch_key, &keys);
        with_tx(db, |db| {
            if !store::still_sending(db, b.id, attempts)? {
                // Taken over after the lease expired: the newer send records its answer.
                return Ok::<_, DomainError>(());
            }
            let mut e = system_event(actor, "mohrss_batch", b.id, "send_batch", &at);
            match &outcome {
                SendOutcome::Answered(results) => {
                    let mut acked = 0;
                    for (key, o) in results {
                        match o {
                            RecordOutcome::Acknowledged { receipt } => {
                                store::acknowledge(db, key, receipt.as_deref(), &at)?;
                                acked += 1;
                            }
                            RecordOutcome::Refused(reason) => {
                                store::dead_letter(db, key, &format!("registry rejected: {reason}"))?;
                                report.dead_lettered += 1;
                            }
                            RecordOutcome::Unanswered => store::unbatch(db, key)?,
                        }
                    }
                    report.acknowledged += acked;
                    store::set_batch(db, b.id, "acknowledged", None, None, &at)?;
                    e.detail = Some(serde_json::json!({ "attempt": attempts, "outcome": "answered", "acknowledged": acked }));
                }
                SendOutcome::Temporary(err) if attempts < cfg.max_attempts => {
                    let next = stamp(now + cfg.backoff(attempts));
                    for k in &keys {
                        store::back_to_pending(db, k, Some(err))?;
                    }
                    store::set_batch(db, b.id, "retry", Some(&next), Some(err), &at)?;
                    report.retrying += 1;
                    report.errors.push(err.clone());
                    e.detail = Some(serde_json::json!({ "attempt": attempts, "outcome": "retry", "error": err, "next_attempt_at": next }));
                }
                SendOutcome::Temporary(err) | SendOutcome::Refused(err) => {
                    let why = format!("after {attempts} send(s): {err}");
                    for k in &keys {
                        store::dead_letter(db, k, &why)?;
                    }
                    store::set_batch(db, b.id, "failed", None, Some(&why), &at)?;
                    report.dead_lettered += keys.len();
                    report.errors.push(err.clone());
                    e.detail = Some(serde_json::json!({ "attempt": attempts, "outcome": "failed", "error": err }));
                }
            }
            audit::record(db, &e)?;
            Ok(())
        })?;
    }
    Ok(report)
}

/// Body of "report" (上报): selected certificates (批量上报) or all unreported (全部上报).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    #[serde(default)]
    pub certificate_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub all: bool,
}

/// What "report" did: records requeued, then one run.
#[derive(Debug, Clone, Serialize)]
pub struct ReportOutcome {
    pub requeued: i64,
    pub run: RunReport,
}

/// The province reports selected certificates, or all unreported ones, now: their
/// dead-lettered records are requeued, waiting ones made due, and a run is made.
pub fn report(
    ctx: &OpCtx<'_>,
    transport: &dyn Transport,
    cfg: &OutboxConfig,
    req: ReportRequest,
) -> Result<ReportOutcome, DomainError> {
    ctx.require_role(Role::Province)?;
    let ids = match (&req.certificate_ids, req.all) {
        (Some(ids), false) if !ids.is_empty() => Some(ids.clone()),
        (None, true) => None,
        _ => return Err(DomainError::invalid("certificate_ids", "请选择证书（certificate_ids），或全部上报（all: true）")),
    };
    let at = stamp(ctx.now);
    let requeued = with_tx(ctx.db, |db| {
        if let Some(ids) = &ids {
            for (i, id) in ids.iter().enumerate() {
                if store::certificate(db, *id)?.is_none() {
                    return Err(DomainError::invalid(format!("certificate_ids[{i}]"), format!("证书 {id} 不存在")));
                }
            }
        }
        let n = store::requeue(db, ids.as_deref(), &at)?;
        let mut e = system_event(&ctx.who.sub, "mohrss_outbox", 0, "report", &at);
        e.org = ctx.who.org.clone();
        e.detail = Some(serde_json::json!({ "certificate_ids": ids, "all": req.all, "requeued": n }));
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
    pub page: Page<OutboxRecord>,
}

/// The outbox (province): counts per status, and records by status / certificate.
pub fn outbox(
    ctx: &OpCtx<'_>,
    status: Option<&str>,
    certificate_id: Option<i64>,
    page: PageRequest,
) -> Result<OutboxView, DomainError> {
    ctx.require_role(Role::Province)?;
    if let Some(s) = status {
        if !["pending", "sent", "acknowledged", "failed"].contains(&s) {
            return Err(DomainError::invalid("status", "status 须为 pending、sent、acknowledged 或 failed"));
        }
    }
    let (items, total) = store::list_outbox(ctx.db, status, certificate_id, page.limit(), page.offset())?;
    Ok(OutboxView {
        counts: store::outbox_counts(ctx.db)?.into_iter().collect(),
        page: Page { items, page: page.page, page_size: page.page_size, total },
    })
}

/// Batches (province), latest first.
pub fn batches(ctx: &OpCtx<'_>, status: Option<&str>, page: PageRequest) -> Result<Page<Batch>, DomainError> {
    ctx.require_role(Role::Province)?;
    let (items, total) = store::list_batches(ctx.db, status, page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

/// A batch with its records.
#[derive(Debug, Clone, Serialize)]
pub struct BatchView {
    #[serde(flatten)]
    pub batch: Batch,
    pub records: Vec<OutboxRecord>,
}

/// One batch (province).
pub fn batch(ctx: &OpCtx<'_>, id: i64) -> Result<BatchView, DomainError> {
    ctx.require_role(Role::Province)?;
    let batch = store::batch(ctx.db, id)?.ok_or(DomainError::NotFound("报送批次"))?;
    let records = store::batch_records(ctx.db, id)?.into_iter().map(|(r, _)| r).collect();
    Ok(BatchView { batch, records })
}
