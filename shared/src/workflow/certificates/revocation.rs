//! Revocation (§1.19, R21).

#[allow(unused_imports)]
use super::*;

/// Body of "revoke".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revoke {
    /// 撤销原因
    pub reason: String,
    /// 提供虚假材料、剽窃或其他不正当手段取得 (七(一)): also recorded in the integrity file
    /// (blacklist) for 3 years.
    #[serde(default)]
    pub fraud: bool,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Revokes a certificate with a reason (§1.19). Fraud also blacklists the person for 3
/// years (七(一), R21). The number stays taken. The revocation is reported to MOHRSS too.
pub fn revoke(ctx: &OpCtx<'_>, id: i64, req: Revoke) -> Result<CertificateDetail, DomainError> {
    ctx.require_role(Role::Province)?;
    if req.reason.trim().is_empty() {
        return Err(DomainError::invalid("reason", "请填写撤销原因"));
    }
    with_tx(ctx.db, |db| {
        let c = store::certificate(db, id)?.ok_or(DomainError::NotFound(CERTIFICATE))?;
        if c.status != "valid" {
            return Err(DomainError::conflict(ErrorCode::CertificateRevoked, &[]));
        }
        if req.version.is_some_and(|v| v != c.version) {
            return Err(stale());
        }
        let now = stamp(ctx.now);
        let reason = req.reason.trim();
        if !store::revoke(db, id, c.version, reason, req.fraud, &ctx.who.sub, &now)? {
            return Err(stale());
        }
        let today = shanghai_today(ctx.now);
        if req.fraud {
            let conduct = format!("以不正当手段取得职称，证书 {} 已撤销：{reason}", c.certificate_no);
            let until = super::super::chain::record_period_end(today, super::super::chain::INTEGRITY_RECORD_YEARS);
            crate::store::chain::record_integrity(db, &c.citizen_id, &c.name, &conduct, today, until, &now)?;
            // 七(一): the fraud revocation reaches the national credit platform (one record,
            // carrying the integrity-file period), queued in this transaction.
            let fraud = super::super::credit::Fraud {
                name: &c.name,
                citizen_id: &c.citizen_id,
                conduct: &conduct,
                decision: "撤销职称证书，记入职称申报诚信档案库",
                from_on: today.to_string(),
                until_on: until.to_string(),
            };
            super::super::credit::queue_fraud_revocation(db, &c.certificate_no, &fraud, &now)?;
        }
        if let Some(app_id) = c.application_id {
            if let Some(r) = astore::load(db, app_id)? {
                let changes = Changes {
                    decision_reason: Some(Some(format!("职称已撤销：{reason}"))),
                    ..Changes::default()
                };
                let mut e = ctx.by();
                e.opinion = Some(reason.to_owned());
                e.detail = Some(serde_json::json!({ "certificate_id": id, "fraud": req.fraud }));
                let province = Actor::Role(Role::Province);
                transition::apply(db, &r, Action::RevokeCertificate, province, ApplicationState::Revoked, &changes, e)?;
            }
        }
        let rk = record_key("revoke", &c.certificate_no);
        let record = RegistryRecord {
            record_key: rk.clone(),
            kind: "revoke".into(),
            certificate_no: c.certificate_no.clone(),
            body: serde_json::json!({
                "revoked_on": today.to_string(), "reason": reason, "fraud": req.fraud, "citizen_id": c.citizen_id,
            }),
        };
        store::enqueue(db, "revoke", id, &rk, &serde_json::to_string(&record).map_err(internal)?, &now)?;
        let mut e = ctx.event("certificate", id, Action::RevokeCertificate.as_str());
        e.opinion = Some(reason.to_owned());
        e.detail = Some(serde_json::json!({ "certificate_no": c.certificate_no, "fraud": req.fraud }));
        audit::record(db, &e)?;
        Ok(())
    })?;
    get(ctx, id)
}
