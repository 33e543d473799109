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
use crate::certificates::registry::{
    classify, BatchRequest, RecordOutcome, RegistryRecord, SendOutcome, Transport, BATCH_SCHEMA,
};
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

/// The audit event of an outbox runner: the system (`system:…`) or the province user.
pub(super) fn system_event(actor: &str, kind: &str, id: i64, action: &str, at: &str) -> AuditEvent {
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
        let mut parsed: Vec<RegistryRecord> = records
            .iter()
            .filter(|(r, _)| r.status == "sent" || r.status == "pending")
            .map(|(_, payload)| serde_json::from_str(payload))
            .collect::<Result<_, _>>()
            .map_err(|e| DomainError::Internal(format!("outbox payload: {e}")))?;
        // Issue 10: the outbox holds tokens; the registry gets the full number, opened
        // here, in memory, for this send only.
        for r in &mut parsed {
            crate::pii::open_citizen_ids(db, &mut r.body)?;
        }
        let keys: Vec<String> = parsed.iter().map(|r| r.record_key.clone()).collect();
        let body = BatchRequest {
            schema: BATCH_SCHEMA.into(),
            batch_key: b.batch_key.clone(),
            reporter: REPORTER.into(),
            records: parsed,
            audit_anchor: crate::audit::anchor::latest(db)?,
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
                    e.detail =
                        Some(serde_json::json!({ "attempt": attempts, "outcome": "answered", "acknowledged": acked }));
                }
                SendOutcome::Temporary(err) if attempts < cfg.max_attempts => {
                    let next = stamp(now + cfg.backoff(attempts));
                    for k in &keys {
                        store::back_to_pending(db, k, Some(err))?;
                    }
                    store::set_batch(db, b.id, "retry", Some(&next), Some(err), &at)?;
                    report.retrying += 1;
                    report.errors.push(err.clone());
                    e.detail = Some(
                        serde_json::json!({ "attempt": attempts, "outcome": "retry", "error": err, "next_attempt_at": next }),
                    );
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
        _ => {
            return Err(DomainError::invalid(
                "certificate_ids",
                "请选择证书（certificate_ids），或全部上报（all: true）",
            ))
        }
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

/// The outbox (province): counts per status and records, both by status / certificate.
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
        counts: store::outbox_counts(ctx.db, status, certificate_id)?.into_iter().collect(),
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

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;
    use crate::certificates::outbox::record_key;
    use crate::store::certificates::CertificateRecord;
    use crate::store::native::{apply_migrations_dir, NativeDb};
    use std::cell::RefCell;

    fn db() -> NativeDb {
        let db = NativeDb::open_in_memory().unwrap();
        apply_migrations_dir(&db, &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations")).unwrap();
        db.execute("INSERT INTO seal_keys VALUES ('k', 'SM2-with-SM3', '1234567812345678', '04', 't')", &[]).unwrap();
        db
    }

    /// Queues an issue record for a new certificate `no`.
    fn queue(db: &NativeDb, no: &str) {
        let c = CertificateRecord {
            id: 0,
            certificate_no: no.into(),
            application_id: None,
            source: "import".into(),
            holder_sub: None,
            citizen_id: "430102198503151236".into(),
            name: "张三".into(),
            series: "卫生".into(),
            level: "deputy_senior".into(),
            specialty: "内科学".into(),
            committee: String::new(),
            unit_org: String::new(),
            approval_doc_no: "D".into(),
            issuer_code: "9900".into(),
            issued_on: "2024-11-01".into(),
            payload: "{}".into(),
            seal_key_id: "k".into(),
            signature: "s".into(),
            verification_code: "C".into(),
            status: "valid".into(),
            revoked_at: None,
            revoked_by: None,
            revocation_reason: None,
            revocation_fraud: false,
            job_id: None,
            import_id: None,
            created_by: "t".into(),
            created_at: "t".into(),
            version: 1,
        };
        let id = store::insert_certificate(db, &c).unwrap();
        let rk = record_key("issue", no);
        let r = RegistryRecord {
            record_key: rk.clone(),
            kind: "issue".into(),
            certificate_no: no.into(),
            body: serde_json::json!({}),
        };
        store::enqueue(db, "issue", id, &rk, &serde_json::to_string(&r).unwrap(), "t").unwrap();
    }

    /// A registry that answers from a script and remembers the batch keys it saw.
    struct Scripted {
        script: RefCell<Vec<Result<u16, String>>>,
        keys: RefCell<Vec<String>>,
    }

    impl Transport for Scripted {
        fn post_batch(&self, key: &str, body: &[u8]) -> Result<(u16, Vec<u8>), String> {
            self.keys.borrow_mut().push(key.to_owned());
            let batch: BatchRequest = serde_json::from_slice(body).unwrap();
            let status = self.script.borrow_mut().remove(0)?;
            let results: Vec<_> = batch
                .records
                .iter()
                .map(|r| serde_json::json!({"record_key": r.record_key, "status": "accepted", "receipt": "R"}))
                .collect();
            Ok((status, serde_json::json!({"batch_key": key, "results": results}).to_string().into_bytes()))
        }
    }

    fn scripted(script: Vec<Result<u16, String>>) -> Scripted {
        Scripted { script: RefCell::new(script), keys: RefCell::new(Vec::new()) }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn statuses(db: &NativeDb) -> Vec<(String, i64)> {
        store::outbox_counts(db, None, None).unwrap()
    }

    #[test]
    fn a_failed_send_waits_its_backoff_and_is_resent_under_the_same_key() {
        let db = db();
        queue(&db, "B1");
        queue(&db, "B2");
        let cfg = OutboxConfig::default();
        let t = scripted(vec![Ok(503), Err("timeout".into()), Ok(200)]);
        let r = run(&db, &t, at("2024-11-01T00:00:00Z"), &cfg, "system:test").unwrap();
        assert_eq!((r.batches_formed, r.sends, r.retrying), (1, 1, 1));
        // Not due before 60 s.
        assert_eq!(run(&db, &t, at("2024-11-01T00:00:59Z"), &cfg, "system:test").unwrap().sends, 0);
        run(&db, &t, at("2024-11-01T00:01:00Z"), &cfg, "system:test").unwrap();
        // The second wait is 120 s.
        assert_eq!(run(&db, &t, at("2024-11-01T00:02:59Z"), &cfg, "system:test").unwrap().sends, 0);
        let r = run(&db, &t, at("2024-11-01T00:03:00Z"), &cfg, "system:test").unwrap();
        assert_eq!(r.acknowledged, 2);
        assert_eq!(statuses(&db), vec![("acknowledged".to_owned(), 2)]);
        let keys = t.keys.borrow();
        assert_eq!(keys.len(), 3);
        assert!(keys.iter().all(|k| k == &keys[0]), "one idempotency key for every send of the batch");
    }

    #[test]
    fn a_send_whose_answer_was_never_recorded_is_resent_once_its_lease_expires() {
        let db = db();
        queue(&db, "B1");
        let cfg = OutboxConfig::default();
        let now = at("2024-11-01T00:00:00Z");
        // The host dies after claiming (and sending) the batch: claimed, never recorded.
        run(&db, &scripted(vec![]), now, &OutboxConfig { batches_per_run: 0, ..cfg.clone() }, "system:test").unwrap();
        let b = store::due_batch(&db, &stamp(now)).unwrap().unwrap();
        assert!(store::claim_batch(&db, &b, &stamp(cfg.lease_until(now)), &stamp(now)).unwrap());
        assert_eq!(statuses(&db), vec![("sent".to_owned(), 1)]);
        let t = scripted(vec![Ok(200)]);
        assert_eq!(run(&db, &t, at("2024-11-01T00:09:59Z"), &cfg, "system:test").unwrap().sends, 0, "within the lease");
        let r = run(&db, &t, at("2024-11-01T00:10:01Z"), &cfg, "system:test").unwrap();
        assert_eq!((r.sends, r.acknowledged), (1, 1));
        assert_eq!(t.keys.borrow()[0], b.batch_key);
        assert_eq!(store::batch(&db, b.id).unwrap().unwrap().attempts, 2);
    }

    #[test]
    fn after_max_attempts_the_records_go_to_the_dead_letter_and_a_refused_batch_at_once() {
        let db = db();
        queue(&db, "B1");
        let cfg = OutboxConfig { max_attempts: 3, ..OutboxConfig::default() };
        let t = scripted(vec![Ok(500), Ok(500), Ok(500)]);
        for m in ["00:00", "00:01", "00:03"] {
            run(&db, &t, at(&format!("2024-11-01T{m}:00Z")), &cfg, "system:test").unwrap();
        }
        assert_eq!(statuses(&db), vec![("failed".to_owned(), 1)]);
        queue(&db, "B2");
        let r = run(&db, &scripted(vec![Ok(400)]), at("2024-11-01T01:00:00Z"), &cfg, "system:test").unwrap();
        assert_eq!((r.sends, r.dead_lettered), (1, 1), "a malformed batch is not retried");
        assert_eq!(store::requeue(&db, None, "2024-11-01T02:00:00Z").unwrap(), 2);
        let r = run(&db, &scripted(vec![Ok(200)]), at("2024-11-01T02:00:00Z"), &cfg, "system:test").unwrap();
        assert_eq!(r.acknowledged, 2);
    }
}
