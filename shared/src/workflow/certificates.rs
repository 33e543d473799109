//! Certificates (六(三), annex 3 §1.9, §1.16–1.17, §1.19–1.20, §1.29): issuing-unit codes,
//! the number format and pools, generation of sealed electronic certificates for filed
//! passers (by filing document number, by selection, by query — a job with progress — or
//! by Excel import), download by the holder, query by authorized roles, revocation.
//!
//! Each certificate is created, numbered, sealed, its application moved to `certified`,
//! its MOHRSS report queued (outbox) and its audit event written in one transaction; a
//! revocation likewise (and, for fraud, the integrity record of 七(一)).

use super::transition;
use super::{shanghai_today, stamp, OpCtx, Page, PageRequest};
use crate::audit;
use crate::auth::Role;
use crate::certificates::face::{self, CertificateFace, Seal, SealedCertificate, FACE_SCHEMA};
use crate::certificates::imports::{self as imp, ImportRow, RowError};
use crate::certificates::numbering::{check_new_range, next_range, NumberFormat, NumberParts, PoolRange};
use crate::certificates::outbox::record_key;
use crate::certificates::registry::RegistryRecord;
use crate::certificates::seal::{self, SealKey};
use crate::domain::application::{Action, Actor, ApplicationState, TitleLevel};
use crate::domain::citizen_id::{mask_str, CitizenId};
use crate::error::{DomainError, ErrorCode};
use crate::excel::{self, Sheet};
use crate::store::applications::{self as astore, ApplicationRecord, Changes};
use crate::store::certificates::{
    self as store, CertificateFilter, CertificateRecord, IssuingUnit, Job, JobItem, Pool,
};
use crate::store::{with_tx, Db};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const CERTIFICATE: &str = "证书";
const APPLICATION: &str = "申报";

fn stale() -> DomainError {
    DomainError::conflict(ErrorCode::CertificateStale, &[])
}

fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(e.to_string())
}

fn level_of(wire: &str) -> Option<TitleLevel> {
    crate::store::chain::parse_level(wire)
}

// ---------------------------------------------------------------- issuing units (§1.9)

/// Body of "add issuing unit".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewIssuingUnit {
    /// The organisation.
    pub org_id: String,
    /// The code; default: the last 4 digits of the organisation's region code.
    #[serde(default)]
    pub code: Option<String>,
    /// The name printed as issuer; default: the organisation's name.
    #[serde(default)]
    pub name: Option<String>,
}

/// Adds an issuing-unit code (发证单位编码): 4 digits, normally the last 4 of the
/// organisation's region code ("一般为机构所属统筹区后4位"); one active code per
/// organisation and per code.
pub fn add_issuing_unit(ctx: &OpCtx<'_>, req: NewIssuingUnit) -> Result<IssuingUnit, DomainError> {
    ctx.require_role(Role::Province)?;
    with_tx(ctx.db, |db| {
        let (org_name, region, status) =
            store::organisation(db, req.org_id.trim())?.ok_or_else(|| DomainError::invalid("org_id", "机构不存在"))?;
        if status != "active" {
            return Err(DomainError::invalid("org_id", "机构未启用"));
        }
        let code = match req.code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => c.to_owned(),
            None => region.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect(),
        };
        if code.len() != 4 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(DomainError::invalid("code", "发证单位编码须为4位数字"));
        }
        if store::active_issuing_unit(db, Some(&code), None)?.is_some() {
            return Err(DomainError::conflict(ErrorCode::IssuingCodeTaken, &[&code]));
        }
        if store::active_issuing_unit(db, None, Some(req.org_id.trim()))?.is_some() {
            return Err(DomainError::conflict(ErrorCode::IssuingUnitExists, &[]));
        }
        let name = req.name.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(&org_name).to_owned();
        let now = stamp(ctx.now);
        let id = store::insert_issuing_unit(db, &code, req.org_id.trim(), &name, &ctx.who.sub, &now)?;
        let mut e = ctx.event("issuing_unit", id, "add_issuing_unit");
        e.detail = Some(serde_json::json!({ "code": code, "org_id": req.org_id.trim(), "name": name }));
        audit::record(db, &e)?;
        store::issuing_unit(db, id)?.ok_or(DomainError::NotFound("发证单位"))
    })
}

/// Body of "cancel" (注销).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cancel {
    /// 注销原因
    pub reason: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Cancels an issuing-unit code with a reason (certificates already issued keep it).
pub fn cancel_issuing_unit(ctx: &OpCtx<'_>, id: i64, req: Cancel) -> Result<IssuingUnit, DomainError> {
    ctx.require_role(Role::Province)?;
    if req.reason.trim().is_empty() {
        return Err(DomainError::invalid("reason", "请填写注销原因"));
    }
    with_tx(ctx.db, |db| {
        let u = store::issuing_unit(db, id)?.ok_or(DomainError::NotFound("发证单位"))?;
        if u.status != "active" {
            return Err(DomainError::conflict(ErrorCode::IssuingUnitCancelled, &[]));
        }
        let version = req.version.unwrap_or(u.version);
        if !store::cancel_issuing_unit(db, id, version, req.reason.trim(), &stamp(ctx.now))? {
            return Err(stale());
        }
        let mut e = ctx.event("issuing_unit", id, "cancel_issuing_unit");
        e.opinion = Some(req.reason.trim().to_owned());
        audit::record(db, &e)?;
        store::issuing_unit(db, id)?.ok_or(DomainError::NotFound("发证单位"))
    })
}

/// Issuing units (by status), by code.
pub fn list_issuing_units(
    ctx: &OpCtx<'_>,
    status: Option<&str>,
    page: PageRequest,
) -> Result<Page<IssuingUnit>, DomainError> {
    ctx.require_role(Role::Province)?;
    let (items, total) = store::list_issuing_units(ctx.db, status, page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

/// Every issuing unit (by status) as a sheet (导出查询结果).
pub fn export_issuing_units(ctx: &OpCtx<'_>, status: Option<&str>) -> Result<Sheet, DomainError> {
    ctx.require_role(Role::Province)?;
    let (items, _) = store::list_issuing_units(ctx.db, status, i64::MAX, 0)?;
    let mut s =
        Sheet::new("发证单位编码", &["发证单位编码", "机构编号", "发证单位名称", "状态", "注销原因", "创建时间"]);
    for u in items {
        s.rows.push(vec![
            u.code,
            u.org_id,
            u.name,
            if u.status == "active" { "有效" } else { "已注销" }.into(),
            u.cancel_reason.unwrap_or_default(),
            u.created_at,
        ]);
    }
    Ok(s)
}

// ---------------------------------------------------------------- number format and pools (§1.16)

/// The format in force and its version (0: the default, never saved).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FormatView {
    pub format: NumberFormat,
    pub version: i64,
}

fn load_format(db: &dyn Db) -> Result<NumberFormat, DomainError> {
    match store::number_format(db)? {
        Some((json, _)) => serde_json::from_str(&json).map_err(|e| internal(format!("stored number format: {e}"))),
        None => Ok(NumberFormat::default()),
    }
}

/// The number format in force.
pub fn number_format(ctx: &OpCtx<'_>) -> Result<FormatView, DomainError> {
    ctx.require_role(Role::Province)?;
    let version = store::number_format(ctx.db)?.map_or(0, |(_, v)| v);
    Ok(FormatView { format: load_format(ctx.db)?, version })
}

/// Saves the number format (compare-and-set on `version`; 0 for the first save).
pub fn save_number_format(ctx: &OpCtx<'_>, req: FormatView) -> Result<FormatView, DomainError> {
    ctx.require_role(Role::Province)?;
    req.format.validate().map_err(|e| DomainError::invalid("format", e.to_string()))?;
    with_tx(ctx.db, |db| {
        let json = serde_json::to_string(&req.format).map_err(internal)?;
        let v = store::save_number_format(db, &json, req.version, &ctx.who.sub, &stamp(ctx.now))?.ok_or_else(stale)?;
        let mut e = ctx.event("certificate_number_format", 1, "save_number_format");
        e.detail = Some(serde_json::to_value(&req.format).map_err(internal)?);
        audit::record(db, &e)?;
        Ok(FormatView { format: req.format.clone(), version: v })
    })
}

fn series_code(db: &dyn Db, fmt: &NumberFormat, series: &str) -> Result<String, DomainError> {
    if let Some(c) = fmt.series_codes.get(series) {
        return Ok(c.clone());
    }
    match store::series_position(db, series)? {
        Some(p) => Ok(format!("{p:02}")),
        None => Err(DomainError::conflict(ErrorCode::SeriesCodeMissing, &[&series])),
    }
}

fn number_error(e: crate::certificates::numbering::NumberError) -> DomainError {
    DomainError::conflict(ErrorCode::CertificateNumber, &[&e])
}

/// Takes the next number of the scope of `parts`, growing the scope's pool when it is
/// used up. Inside the caller's transaction: the pointer only moves forward, and a number
/// already on a certificate (valid or revoked) is skipped, so none is issued twice.
pub fn allocate_number(
    db: &dyn Db,
    fmt: &NumberFormat,
    parts: &NumberParts,
    by: &str,
    now: &str,
) -> Result<String, DomainError> {
    let scope = fmt.scope(parts).map_err(number_error)?;
    loop {
        match store::take_serial(db, &scope)? {
            Some(serial) => {
                let no = fmt.render(parts, serial).map_err(number_error)?;
                if !store::number_taken(db, &no)? {
                    return Ok(no);
                }
            }
            None => {
                let ranges: Vec<PoolRange> = store::pools_of_scope(db, &scope)?
                    .into_iter()
                    .map(|p| PoolRange { start: p.start_serial, end: p.end_serial, next: p.next_serial })
                    .collect();
                let (start, end) = next_range(&ranges, fmt, &scope).map_err(number_error)?;
                store::insert_pool(db, &scope, start, end, "auto", by, now)?;
            }
        }
    }
}

/// Body of "add pool" (批量生成证号): the number's parts and a range of serials.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPool {
    pub level: TitleLevel,
    pub series: String,
    pub year: i32,
    pub issuer_code: String,
    pub start: i64,
    pub end: i64,
}

/// Adds a range of serials to a scope by hand; it may not overlap one there.
pub fn add_pool(ctx: &OpCtx<'_>, req: NewPool) -> Result<Pool, DomainError> {
    ctx.require_role(Role::Province)?;
    with_tx(ctx.db, |db| {
        if store::active_issuing_unit(db, Some(req.issuer_code.trim()), None)?.is_none() {
            return Err(DomainError::invalid("issuer_code", "发证单位编码不存在或已注销"));
        }
        let fmt = load_format(db)?;
        let parts = NumberParts {
            level: crate::store::chain::level_name(req.level).to_owned(),
            series_code: series_code(db, &fmt, req.series.trim())?,
            year: req.year,
            issuing_code: req.issuer_code.trim().to_owned(),
        };
        let scope = fmt.scope(&parts).map_err(number_error)?;
        let ranges: Vec<PoolRange> = store::pools_of_scope(db, &scope)?
            .into_iter()
            .map(|p| PoolRange { start: p.start_serial, end: p.end_serial, next: p.next_serial })
            .collect();
        check_new_range(&ranges, &fmt, req.start, req.end).map_err(|m| DomainError::invalid("start", m))?;
        let now = stamp(ctx.now);
        let id = store::insert_pool(db, &scope, req.start, req.end, "manual", &ctx.who.sub, &now)?;
        let mut e = ctx.event("certificate_number_pool", id, "add_pool");
        e.detail = Some(serde_json::json!({ "scope": scope, "start": req.start, "end": req.end }));
        audit::record(db, &e)?;
        store::pools_of_scope(db, &scope)?.into_iter().find(|p| p.id == id).ok_or(DomainError::NotFound("编号库"))
    })
}

/// Pools (of one scope, or all), latest first.
pub fn list_pools(ctx: &OpCtx<'_>, scope: Option<&str>, page: PageRequest) -> Result<Page<Pool>, DomainError> {
    ctx.require_role(Role::Province)?;
    let (items, total) = store::list_pools(ctx.db, scope, page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

// ---------------------------------------------------------------- sealing

/// Everything a certificate records besides its number and seal.
struct Draft {
    application: Option<(i64, i64, ApplicationState)>,
    holder_sub: Option<String>,
    citizen_id: CitizenId,
    name: String,
    unit_org: String,
    unit_name: String,
    series: String,
    level: String,
    specialty: String,
    title: String,
    committee: String,
    committee_name: String,
    approval_doc_no: String,
    obtained_on: NaiveDate,
}

/// Numbers, seals and stores a certificate, queues its MOHRSS report and audits it, in
/// the caller's transaction. Returns the certificate's id.
fn seal_and_store(
    ctx: &OpCtx<'_>,
    db: &dyn Db,
    key: &SealKey,
    fmt: &NumberFormat,
    issuer: &IssuingUnit,
    d: &Draft,
    origin: (&str, Option<i64>, Option<i64>),
) -> Result<i64, DomainError> {
    let now = stamp(ctx.now);
    let parts = NumberParts {
        level: d.level.clone(),
        series_code: series_code(db, fmt, &d.series)?,
        year: d.obtained_on.year(),
        issuing_code: issuer.code.clone(),
    };
    let no = allocate_number(db, fmt, &parts, &ctx.who.sub, &now)?;
    let level_label = level_of(&d.level).map_or("", |l| l.label());
    let f = CertificateFace {
        schema: FACE_SCHEMA.into(),
        certificate_no: no.clone(),
        name: d.name.clone(),
        gender: d.citizen_id.gender().into(),
        citizen_id: d.citizen_id.mask(),
        unit: d.unit_name.clone(),
        series: d.series.clone(),
        specialty: d.specialty.clone(),
        title: d.title.clone(),
        level: level_label.into(),
        committee: d.committee_name.clone(),
        approval_doc_no: d.approval_doc_no.clone(),
        obtained_on: d.obtained_on.to_string(),
        issuer: issuer.name.clone(),
        issuer_code: issuer.code.clone(),
        issued_on: shanghai_today(ctx.now).to_string(),
    };
    let payload = f.canonical();
    let signature = key.sign(payload.as_bytes());
    let code = seal::verification_code(&signature);
    store::publish_key(db, key.key_id(), seal::ALGORITHM, seal::DEFAULT_DISTID, key.public_key_hex(), &now)?;
    let (source, job_id, import_id) = origin;
    let id = store::insert_certificate(
        db,
        &CertificateRecord {
            id: 0,
            certificate_no: no.clone(),
            application_id: d.application.map(|a| a.0),
            source: source.into(),
            holder_sub: d.holder_sub.clone(),
            citizen_id: d.citizen_id.as_str().into(),
            name: d.name.clone(),
            series: d.series.clone(),
            level: d.level.clone(),
            specialty: d.specialty.clone(),
            committee: d.committee.clone(),
            unit_org: d.unit_org.clone(),
            approval_doc_no: d.approval_doc_no.clone(),
            issuer_code: issuer.code.clone(),
            issued_on: f.issued_on.clone(),
            payload,
            seal_key_id: key.key_id().into(),
            signature: signature.clone(),
            verification_code: code,
            status: "valid".into(),
            revoked_at: None,
            revoked_by: None,
            revocation_reason: None,
            revocation_fraud: false,
            job_id,
            import_id,
            created_by: ctx.who.sub.clone(),
            created_at: now.clone(),
            version: 1,
        },
    )?;
    let doc = SealedCertificate {
        certificate: f,
        seal: Seal {
            algorithm: seal::ALGORITHM.into(),
            distid: seal::DEFAULT_DISTID.into(),
            key_id: key.key_id().into(),
            signature,
        },
    };
    let rk = record_key("issue", &no);
    let record = RegistryRecord {
        record_key: rk.clone(),
        kind: "issue".into(),
        certificate_no: no.clone(),
        body: serde_json::json!({ "certificate": doc.certificate, "seal": doc.seal, "citizen_id": d.citizen_id.as_str() }),
    };
    store::enqueue(db, "issue", id, &rk, &serde_json::to_string(&record).map_err(internal)?, &now)?;
    if let Some((app_id, version, state)) = d.application {
        let mut e = ctx.by();
        e.detail = Some(serde_json::json!({ "certificate_id": id, "certificate_no": no }));
        transition::apply(
            db,
            transition::Current { id: app_id, version, state },
            Action::IssueCertificate,
            Actor::Role(Role::Province),
            ApplicationState::Certified,
            &Changes::default(),
            e,
        )?;
    }
    let mut e = ctx.event("certificate", id, Action::IssueCertificate.as_str());
    e.detail = Some(serde_json::json!({
        "certificate_no": no, "source": source, "application_id": d.application.map(|a| a.0),
        "job_id": job_id, "import_id": import_id, "seal_key_id": key.key_id(),
    }));
    audit::record(db, &e)?;
    Ok(id)
}

/// The draft of the certificate of a filed application.
fn draft_of(db: &dyn Db, r: &ApplicationRecord) -> Result<Draft, DomainError> {
    let filing =
        store::approved_filing_of(db, r.id)?.ok_or_else(|| DomainError::conflict(ErrorCode::NotFiled, &[&r.id]))?;
    let citizen_id = r
        .citizen_id
        .as_deref()
        .and_then(|c| CitizenId::parse(c).ok())
        .ok_or_else(|| internal(format!("application {} has no valid ID number", r.id)))?;
    let level = level_of(&r.target_level).ok_or_else(|| internal(format!("application {} level", r.id)))?;
    let unit_name = store::organisation(db, &r.unit_org)?.map_or_else(|| r.unit_org.clone(), |o| o.0);
    let committee_name = store::committee(db, &r.committee)?.map_or_else(|| r.committee.clone(), |c| c.name);
    let title =
        store::title_name(db, &r.series, &r.target_level)?.unwrap_or_else(|| format!("{}{}", r.series, level.label()));
    let obtained = r.voted_on.as_deref().or(filing.filed_on.as_deref()).unwrap_or_default();
    let obtained_on = NaiveDate::parse_from_str(obtained, "%Y-%m-%d")
        .map_err(|_| internal(format!("application {} has no vote date", r.id)))?;
    Ok(Draft {
        application: Some((r.id, r.version, r.state)),
        holder_sub: Some(r.applicant_id.clone()),
        citizen_id,
        name: r.applicant_name.clone(),
        unit_org: r.unit_org.clone(),
        unit_name,
        series: r.series.clone(),
        level: r.target_level.clone(),
        specialty: r.specialty.clone(),
        title,
        committee: r.committee.clone(),
        committee_name,
        approval_doc_no: filing.doc_no.unwrap_or_default(),
        obtained_on,
    })
}

// ---------------------------------------------------------------- generation jobs (§1.17, §1.29)

/// Which filed passers a job issues for (exactly one of the three).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generate {
    /// By filing document number (录入发文文号).
    #[serde(default)]
    pub doc_no: Option<String>,
    /// By selection (勾选).
    #[serde(default)]
    pub application_ids: Option<Vec<i64>>,
    /// By query (按查询条件批量发证).
    #[serde(default)]
    pub query: Option<CandidateQuery>,
    /// The issuing unit's code; default: the caller's organisation's.
    #[serde(default)]
    pub issuer_code: Option<String>,
    /// Run the job now (default); `false` only creates it, to be run by `…/jobs/{id}/run`.
    #[serde(default = "run_now")]
    pub run: bool,
}

fn run_now() -> bool {
    true
}

/// The query form of a job.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateQuery {
    #[serde(default)]
    pub batch_year: Option<i32>,
    #[serde(default)]
    pub committee: Option<String>,
    #[serde(default)]
    pub series: Option<String>,
    #[serde(default)]
    pub level: Option<TitleLevel>,
}

/// Most applications one job covers.
pub const MAX_JOB: i64 = 20_000;
/// Certificates sealed per transaction (a job yields the write lock between chunks).
const CHUNK: i64 = 50;
/// The pause between two chunks of a job (longer than SQLite's longest busy-wait step).
const YIELD: std::time::Duration = std::time::Duration::from_millis(110);

/// A job with its progress and the items that did not issue.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    #[serde(flatten)]
    pub job: Job,
    /// Items done (issued + skipped + failed) of `total`.
    pub done: i64,
    pub problems: Vec<JobItem>,
}

fn job_view(db: &dyn Db, id: i64) -> Result<JobView, DomainError> {
    let job = store::job(db, id)?.ok_or(DomainError::NotFound("发证任务"))?;
    let problems = store::job_problems(db, id, 200)?;
    Ok(JobView { done: job.issued + job.skipped + job.failed, job, problems })
}

fn issuer_for(db: &dyn Db, ctx: &OpCtx<'_>, code: Option<&str>) -> Result<IssuingUnit, DomainError> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => store::active_issuing_unit(db, Some(c), None)?
            .ok_or_else(|| DomainError::invalid("issuer_code", "发证单位编码不存在或已注销")),
        None => store::active_issuing_unit(db, None, Some(&ctx.who.org))?
            .ok_or_else(|| DomainError::conflict(ErrorCode::IssuingUnitMissing, &[])),
    }
}

/// Creates a generation job for the selected filed passers and runs it to the end (each
/// chunk in its own transaction), unless `run` is false. Two jobs over the same people issue each certificate
/// once: an application already certified is skipped.
pub fn generate(ctx: &OpCtx<'_>, key: &SealKey, req: Generate) -> Result<JobView, DomainError> {
    ctx.require_role(Role::Province)?;
    let modes = [req.doc_no.is_some(), req.application_ids.is_some(), req.query.is_some()];
    if modes.iter().filter(|m| **m).count() != 1 {
        return Err(DomainError::invalid(
            "doc_no",
            "请三选一：发文文号（doc_no）、勾选（application_ids）或查询条件（query）",
        ));
    }
    let job_id = with_tx(ctx.db, |db| {
        let issuer = issuer_for(db, ctx, req.issuer_code.as_deref())?;
        let (mode, ids) = if let Some(doc) = &req.doc_no {
            if doc.trim().is_empty() {
                return Err(DomainError::invalid("doc_no", "请填写发文文号"));
            }
            ("doc_no", store::filed_candidates(db, Some(doc.trim()), None, None, None, None, MAX_JOB)?)
        } else if let Some(ids) = &req.application_ids {
            if ids.is_empty() || ids.len() as i64 > MAX_JOB {
                return Err(DomainError::invalid("application_ids", format!("请选择1到{MAX_JOB}个申报")));
            }
            ("selection", ids.clone())
        } else {
            let q = req.query.clone().unwrap_or_default();
            let level = q.level.map(crate::store::chain::level_name);
            (
                "query",
                store::filed_candidates(
                    db,
                    None,
                    q.batch_year,
                    q.committee.as_deref(),
                    q.series.as_deref(),
                    level,
                    MAX_JOB,
                )?,
            )
        };
        if ids.is_empty() {
            return Err(DomainError::conflict(ErrorCode::NothingToIssue, &[]));
        }
        let selector = serde_json::to_string(&req).map_err(internal)?;
        let id = store::insert_job(db, mode, &selector, &issuer.code, ids.len() as i64, &ctx.who.sub, &stamp(ctx.now))?;
        for a in &ids {
            store::insert_job_item(db, id, *a)?;
        }
        let mut e = ctx.event("certificate_job", id, "start_certificate_job");
        e.detail = Some(serde_json::json!({ "mode": mode, "total": ids.len(), "issuer_code": issuer.code }));
        audit::record(db, &e)?;
        Ok(id)
    })?;
    if req.run {
        run_job(ctx, key, job_id)
    } else {
        job_view(ctx.db, job_id)
    }
}

/// Runs (or resumes) a job until no item is pending.
pub fn run_job(ctx: &OpCtx<'_>, key: &SealKey, job_id: i64) -> Result<JobView, DomainError> {
    ctx.require_role(Role::Province)?;
    let job = store::job(ctx.db, job_id)?.ok_or(DomainError::NotFound("发证任务"))?;
    let fmt = load_format(ctx.db)?;
    let mut busy = 0;
    loop {
        let r = with_tx(ctx.db, |db| {
            let issuer = store::active_issuing_unit(db, Some(&job.issuer_code), None)?;
            let items = store::pending_items(db, job_id, CHUNK)?;
            for a in &items {
                let outcome = match (astore::load(db, *a)?, &issuer) {
                    (None, _) => Err(("failed", "申报不存在".to_owned())),
                    (_, None) => Err(("failed", format!("发证单位编码 {} 已注销", job.issuer_code))),
                    (Some(r), _) if r.state != ApplicationState::Filed => {
                        let reason = match store::certificate_of_application(db, r.id)? {
                            Some(no) => format!("已发证（{no}）"),
                            None => format!("申报状态为“{}”，不是已备案待发证", r.state.label()),
                        };
                        Err(("skipped", reason))
                    }
                    (Some(r), Some(issuer)) => {
                        let d = draft_of(db, &r)?;
                        Ok(seal_and_store(ctx, db, key, &fmt, issuer, &d, ("application", Some(job_id), None))?)
                    }
                };
                match outcome {
                    Ok(cid) => store::finish_item(db, job_id, *a, "issued", Some(cid), None)?,
                    Err((status, reason)) => store::finish_item(db, job_id, *a, status, None, Some(&reason))?,
                }
            }
            store::finish_job_if_done(db, job_id, &stamp(ctx.now))?;
            Ok::<_, DomainError>(items.len() as i64)
        });
        match r {
            Ok(n) if n < CHUNK => return job_view(ctx.db, job_id),
            Ok(_) => {
                busy = 0;
                // Let other writers in between chunks: SQLite's busy handler polls at
                // most every 100 ms, so a writer that begins again at once starves them.
                std::thread::sleep(YIELD);
            }
            // Another job holds the write lock longer than the busy timeout: try again.
            Err(DomainError::Busy) if busy < 5 => busy += 1,
            Err(e) => return Err(e),
        }
    }
}

/// One job with its progress.
pub fn get_job(ctx: &OpCtx<'_>, id: i64) -> Result<JobView, DomainError> {
    ctx.require_role(Role::Province)?;
    job_view(ctx.db, id)
}

/// Jobs, latest first.
pub fn list_jobs(ctx: &OpCtx<'_>, page: PageRequest) -> Result<Page<Job>, DomainError> {
    ctx.require_role(Role::Province)?;
    let (items, total) = store::list_jobs(ctx.db, page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

/// A filed passer awaiting a certificate.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub application_id: i64,
    pub name: String,
    pub citizen_id: Option<String>,
    pub series: String,
    pub level: String,
    pub specialty: String,
    pub committee: String,
    pub doc_no: Option<String>,
}

/// Filed passers awaiting a certificate (默认查询未生成电子证书的信息), by filing document
/// number and the query's filters.
pub fn candidates(
    ctx: &OpCtx<'_>,
    doc_no: Option<&str>,
    q: &CandidateQuery,
    page: PageRequest,
) -> Result<Page<Candidate>, DomainError> {
    ctx.require_role(Role::Province)?;
    let level = q.level.map(crate::store::chain::level_name);
    let ids = store::filed_candidates(
        ctx.db,
        doc_no,
        q.batch_year,
        q.committee.as_deref(),
        q.series.as_deref(),
        level,
        MAX_JOB,
    )?;
    let total = ids.len() as i64;
    let mut items = Vec::new();
    for id in ids.into_iter().skip(page.offset() as usize).take(page.limit() as usize) {
        let r = astore::load(ctx.db, id)?.ok_or(DomainError::NotFound(APPLICATION))?;
        let f = store::approved_filing_of(ctx.db, id)?;
        items.push(Candidate {
            application_id: id,
            name: r.applicant_name,
            citizen_id: r.citizen_id.as_deref().map(mask_str),
            series: r.series,
            level: r.target_level,
            specialty: r.specialty,
            committee: r.committee,
            doc_no: f.and_then(|f| f.doc_no),
        });
    }
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

// ---------------------------------------------------------------- query and download (§1.20, 六(三))

/// A certificate in a list; the ID number masked.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateSummary {
    pub id: i64,
    pub certificate_no: String,
    pub name: String,
    pub citizen_id: String,
    pub series: String,
    pub level: String,
    pub specialty: String,
    pub committee: String,
    pub approval_doc_no: String,
    pub issuer_code: String,
    pub issued_on: String,
    pub status: String,
    pub source: String,
    pub application_id: Option<i64>,
    pub revocation_reason: Option<String>,
    pub revoked_at: Option<String>,
    pub version: i64,
}

fn summary(c: &CertificateRecord) -> CertificateSummary {
    CertificateSummary {
        id: c.id,
        certificate_no: c.certificate_no.clone(),
        name: c.name.clone(),
        citizen_id: mask_str(&c.citizen_id),
        series: c.series.clone(),
        level: c.level.clone(),
        specialty: c.specialty.clone(),
        committee: c.committee.clone(),
        approval_doc_no: c.approval_doc_no.clone(),
        issuer_code: c.issuer_code.clone(),
        issued_on: c.issued_on.clone(),
        status: c.status.clone(),
        source: c.source.clone(),
        application_id: c.application_id,
        revocation_reason: c.revocation_reason.clone(),
        revoked_at: c.revoked_at.clone(),
        version: c.version,
    }
}

/// The caller's scope of certificates (§1.20): the province all; an organising unit those
/// of its committees; a unit its staff's; the holder their own; nobody else.
fn scope_filter(ctx: &OpCtx<'_>) -> Result<CertificateFilter, DomainError> {
    let mut f = CertificateFilter::default();
    match ctx.who.role {
        Role::Province => {}
        Role::CommitteeOrg => f.committees_of_org = Some(ctx.who.org.clone()),
        Role::Unit => f.unit_org = Some(ctx.who.org.clone()),
        Role::Applicant => f.holder_sub = Some(ctx.who.sub.clone()),
        Role::Dept | Role::Judge => return Err(DomainError::Forbidden),
    }
    Ok(f)
}

/// Filters of a certificate query.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateQuery {
    #[serde(default)]
    pub certificate_no: Option<String>,
    #[serde(default)]
    pub citizen_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub doc_no: Option<String>,
    #[serde(default)]
    pub series: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

fn filter_of(ctx: &OpCtx<'_>, q: &CertificateQuery) -> Result<CertificateFilter, DomainError> {
    let mut f = scope_filter(ctx)?;
    let t = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    f.certificate_no = t(&q.certificate_no);
    f.citizen_id = t(&q.citizen_id).map(|c| c.to_ascii_uppercase());
    f.name = t(&q.name);
    f.doc_no = t(&q.doc_no);
    f.series = t(&q.series);
    f.level = t(&q.level);
    f.status = t(&q.status);
    Ok(f)
}

/// Certificates the caller may see, matching the query.
pub fn list(ctx: &OpCtx<'_>, q: &CertificateQuery, page: PageRequest) -> Result<Page<CertificateSummary>, DomainError> {
    let f = filter_of(ctx, q)?;
    let (items, total) = store::list_certificates(ctx.db, &f, page.limit(), page.offset())?;
    Ok(Page { items: items.iter().map(summary).collect(), page: page.page, page_size: page.page_size, total })
}

/// Every certificate matching the query as a sheet (province).
pub fn export(ctx: &OpCtx<'_>, q: &CertificateQuery) -> Result<Sheet, DomainError> {
    ctx.require_role(Role::Province)?;
    let f = filter_of(ctx, q)?;
    let (items, _) = store::list_certificates(ctx.db, &f, i64::MAX, 0)?;
    let mut s = Sheet::new(
        "职称证书",
        &[
            "证书编号",
            "姓名",
            "身份证号",
            "系列",
            "层级",
            "专业",
            "审批文号",
            "发证单位编码",
            "发证日期",
            "状态",
            "撤销原因",
        ],
    );
    for c in items {
        s.rows.push(vec![
            c.certificate_no,
            c.name,
            mask_str(&c.citizen_id),
            c.series,
            level_of(&c.level).map_or(c.level.clone(), |l| l.label().to_owned()),
            c.specialty,
            c.approval_doc_no,
            c.issuer_code,
            c.issued_on,
            if c.status == "valid" { "有效" } else { "已撤销" }.into(),
            c.revocation_reason.unwrap_or_default(),
        ]);
    }
    Ok(s)
}

fn load_visible(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<CertificateRecord, DomainError> {
    let f = scope_filter(ctx)?;
    let c = store::certificate(db, id)?.ok_or(DomainError::NotFound(CERTIFICATE))?;
    let org_committee = match &f.committees_of_org {
        Some(org) => store::committee(db, &c.committee)?.is_some_and(|k| &k.organising_org == org),
        None => true,
    };
    let visible = f.holder_sub.as_ref().is_none_or(|h| c.holder_sub.as_ref() == Some(h))
        && f.unit_org.as_ref().is_none_or(|u| &c.unit_org == u)
        && org_committee;
    if visible {
        Ok(c)
    } else {
        Err(DomainError::NotFound(CERTIFICATE))
    }
}

/// The sealed document of a stored certificate.
pub fn sealed(c: &CertificateRecord) -> Result<SealedCertificate, DomainError> {
    let certificate: CertificateFace =
        serde_json::from_str(&c.payload).map_err(|e| internal(format!("certificate {} payload: {e}", c.id)))?;
    Ok(SealedCertificate {
        certificate,
        seal: Seal {
            algorithm: seal::ALGORITHM.into(),
            distid: seal::DEFAULT_DISTID.into(),
            key_id: c.seal_key_id.clone(),
            signature: c.signature.clone(),
        },
    })
}

/// A certificate with its sealed document, verification code and report status.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateDetail {
    #[serde(flatten)]
    pub summary: CertificateSummary,
    /// The sealed certificate (verifiable offline with the published key).
    pub document: SealedCertificate,
    /// The exact bytes the seal signs.
    pub canonical: String,
    pub verification_code: String,
    /// Reports to MOHRSS (issue, and revocation if any), with their status.
    pub mohrss: Vec<store::OutboxRecord>,
}

/// One certificate the caller may see.
pub fn get(ctx: &OpCtx<'_>, id: i64) -> Result<CertificateDetail, DomainError> {
    let c = load_visible(ctx, ctx.db, id)?;
    Ok(CertificateDetail {
        summary: summary(&c),
        document: sealed(&c)?,
        canonical: c.payload.clone(),
        verification_code: c.verification_code.clone(),
        mohrss: store::outbox_of_certificate(ctx.db, id)?,
    })
}

/// The certificate as a printable HTML page with its QR code; `base_url` is the public
/// address of this service (the QR code leads to its public verification).
pub fn html(ctx: &OpCtx<'_>, id: i64, base_url: &str) -> Result<String, DomainError> {
    let c = load_visible(ctx, ctx.db, id)?;
    let doc = sealed(&c)?;
    let url = face::verify_url(base_url, &c.certificate_no, &c.verification_code);
    Ok(face::render_html(&doc, &c.verification_code, &url, c.status == "revoked"))
}

// ---------------------------------------------------------------- revocation (§1.19, R21)

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
            crate::store::chain::record_integrity(
                db,
                &c.citizen_id,
                &c.name,
                &format!("以不正当手段取得职称，证书 {} 已撤销：{reason}", c.certificate_no),
                today,
                super::chain::record_period_end(today, super::chain::INTEGRITY_RECORD_YEARS),
                &now,
            )?;
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

// ---------------------------------------------------------------- Excel import (§1.29 4–6)

/// The import template (下载excel模板).
pub fn import_template(ctx: &OpCtx<'_>) -> Result<Vec<u8>, DomainError> {
    ctx.require_role(Role::Province)?;
    let cols: Vec<_> = imp::columns().into_iter().map(|c| c.column).collect();
    excel::write_template(
        "职称证书",
        &cols,
        Some(&[
            "李四",
            "430102198503151236",
            "某医院",
            "卫生",
            "内科学",
            "副主任医师",
            "副高级",
            "",
            "湘人社职备〔2024〕15号",
            "2024-09-27",
            "",
        ]),
    )
}

/// The result of validating (or committing) an import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportReport {
    pub id: i64,
    pub status: String,
    pub filename: String,
    /// Data rows read.
    pub total: usize,
    /// Rows that passed (validation) or were written (commit).
    pub passed: usize,
    /// Rows that failed.
    pub failed: usize,
    /// Every failure: row, column, reason.
    pub errors: Vec<RowError>,
    /// Certificates created by the commit.
    #[serde(default)]
    pub certificates: Vec<String>,
}

/// Checks a parsed row against the store: the series, an active issuing unit, and no valid
/// certificate already held for the same series and level.
fn check_row_in_store(db: &dyn Db, ctx: &OpCtx<'_>, r: &ImportRow) -> Result<Vec<RowError>, DomainError> {
    let mut errs = Vec::new();
    if store::series_position(db, &r.series)?.is_none() {
        errs.push(imp::error_at(r.row, "series", format!("系列“{}”不在职称系列中", r.series)));
    }
    if issuer_for(db, ctx, r.issuer_code.as_deref()).is_err() {
        errs.push(imp::error_at(r.row, "issuer_code", "发证单位编码不存在或已注销（不填则为本单位的编码）"));
    }
    if store::holds_valid(db, &r.citizen_id, &r.series, &r.level)? {
        errs.push(imp::error_at(r.row, "citizen_id", "此人已持有该系列、层级的有效证书"));
    }
    Ok(errs)
}

/// Validates an uploaded workbook row by row (nothing is written but the report): how
/// many rows pass, how many fail and why (row, column, reason).
pub fn validate_import(ctx: &OpCtx<'_>, filename: &str, bytes: &[u8]) -> Result<ImportReport, DomainError> {
    ctx.require_role(Role::Province)?;
    let rows = excel::read_first_sheet(bytes)?;
    let Some(header) = rows.first() else {
        return Err(DomainError::invalid("file", "文件为空"));
    };
    imp::check_header(header).map_err(|m| DomainError::invalid("file", m))?;
    let mut good = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let data: Vec<(usize, &Vec<String>)> = rows
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, r)| r.iter().any(|c| !c.is_empty()))
        .map(|(i, r)| (i + 1, r))
        .collect();
    for (n, cells) in &data {
        match imp::parse_row(*n, cells) {
            Err(mut e) => errors.append(&mut e),
            Ok(r) => {
                let mut e = check_row_in_store(ctx.db, ctx, &r)?;
                if !seen.insert((r.citizen_id.clone(), r.series.clone(), r.level.clone())) {
                    e.push(imp::error_at(r.row, "citizen_id", "与本文件前面的行重复（同一人、同一系列和层级）"));
                }
                if e.is_empty() {
                    good.push(r);
                } else {
                    errors.append(&mut e);
                }
            }
        }
    }
    let failed_rows = data.len() - good.len();
    let sha = crate::audit::hex(&Sha256::digest(bytes));
    with_tx(ctx.db, |db| {
        let mut report = ImportReport {
            id: 0,
            status: "validated".into(),
            filename: filename.to_owned(),
            total: data.len(),
            passed: good.len(),
            failed: failed_rows,
            errors: errors.clone(),
            certificates: Vec::new(),
        };
        let rows_json = serde_json::to_string(&good).map_err(internal)?;
        let report_json = serde_json::to_string(&report).map_err(internal)?;
        report.id = store::insert_import(db, filename, &sha, &rows_json, &report_json, &ctx.who.sub, &stamp(ctx.now))?;
        let mut e = ctx.event("certificate_import", report.id, "validate_certificate_import");
        e.detail = Some(
            serde_json::json!({ "total": report.total, "passed": report.passed, "failed": report.failed, "sha256": sha }),
        );
        audit::record(db, &e)?;
        Ok(report)
    })
}

/// The report of an import (its commit report once committed).
pub fn get_import(ctx: &OpCtx<'_>, id: i64) -> Result<ImportReport, DomainError> {
    ctx.require_role(Role::Province)?;
    let i = store::import(ctx.db, id)?.ok_or(DomainError::NotFound("导入"))?;
    let json = i.commit_report.as_deref().unwrap_or(&i.report);
    let mut r: ImportReport = serde_json::from_str(json).map_err(internal)?;
    r.id = i.id;
    r.status = i.status;
    Ok(r)
}

/// Commits a validated import (提交): the rows that passed are checked again and each one
/// still valid becomes a sealed certificate (with its MOHRSS report queued); rows that no
/// longer pass are reported, not written. One transaction.
pub fn commit_import(ctx: &OpCtx<'_>, key: &SealKey, id: i64) -> Result<ImportReport, DomainError> {
    ctx.require_role(Role::Province)?;
    with_tx(ctx.db, |db| {
        let i = store::import(db, id)?.ok_or(DomainError::NotFound("导入"))?;
        if i.status != "validated" {
            return Err(DomainError::conflict(ErrorCode::ImportCommitted, &[]));
        }
        let rows: Vec<ImportRow> = serde_json::from_str(&i.rows).map_err(internal)?;
        let fmt = load_format(db)?;
        let mut report = ImportReport {
            id,
            status: "committed".into(),
            filename: i.filename.clone(),
            total: rows.len(),
            passed: 0,
            failed: 0,
            errors: Vec::new(),
            certificates: Vec::new(),
        };
        for r in &rows {
            let mut errs = check_row_in_store(db, ctx, r)?;
            if !errs.is_empty() {
                report.failed += 1;
                report.errors.append(&mut errs);
                continue;
            }
            let issuer = issuer_for(db, ctx, r.issuer_code.as_deref())?;
            let citizen_id = CitizenId::parse(&r.citizen_id).map_err(|e| internal(e.0))?;
            let d = Draft {
                application: None,
                holder_sub: None,
                citizen_id,
                name: r.name.clone(),
                unit_org: String::new(),
                unit_name: r.unit.clone(),
                series: r.series.clone(),
                level: r.level.clone(),
                specialty: r.specialty.clone(),
                title: r.title.clone(),
                committee: String::new(),
                committee_name: r.committee.clone(),
                approval_doc_no: r.approval_doc_no.clone(),
                obtained_on: r.obtained_on,
            };
            let cid = seal_and_store(ctx, db, key, &fmt, &issuer, &d, ("import", None, Some(id)))?;
            let c = store::certificate(db, cid)?.ok_or(DomainError::NotFound(CERTIFICATE))?;
            report.certificates.push(c.certificate_no);
            report.passed += 1;
        }
        let json = serde_json::to_string(&report).map_err(internal)?;
        if !store::commit_import(db, id, i.version, &json, &stamp(ctx.now))? {
            return Err(stale());
        }
        let mut e = ctx.event("certificate_import", id, "commit_certificate_import");
        e.detail = Some(serde_json::json!({ "written": report.passed, "failed": report.failed }));
        audit::record(db, &e)?;
        Ok(report)
    })
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;
    use crate::store::native::{apply_migrations_dir, NativeDb};

    #[test]
    fn numbers_come_from_the_lowest_range_skip_any_already_taken_and_the_scope_grows_by_itself() {
        let db = NativeDb::open_in_memory().unwrap();
        apply_migrations_dir(&db, &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations")).unwrap();
        let fmt = NumberFormat { grow_by: 2, ..NumberFormat::default() };
        let parts = NumberParts {
            level: "deputy_senior".into(),
            series_code: "04".into(),
            year: 2024,
            issuing_code: "9900".into(),
        };
        let scope = fmt.scope(&parts).unwrap();
        store::insert_pool(&db, &scope, 1, 3, "manual", "t", "t").unwrap();
        // Serial 2 is on a certificate already (say, imported under an older pool).
        db.execute("INSERT INTO seal_keys VALUES ('k', 'a', 'd', '04', 't')", &[]).unwrap();
        db.execute(
            "INSERT INTO certificates (certificate_no, source, citizen_id, name, series, level, specialty, committee, \
             approval_doc_no, issuer_code, issued_on, payload, seal_key_id, signature, verification_code, status, \
             created_by, created_at) VALUES ('B042499000000002', 'import', 'x', 'n', 's', 'l', 'p', '', 'd', '9900', \
             'd', '{}', 'k', 's', 'c', 'revoked', 't', 't')",
            &[],
        )
        .unwrap();
        let got: Vec<String> = (0..4).map(|_| allocate_number(&db, &fmt, &parts, "t", "t").unwrap()).collect();
        assert_eq!(got, vec!["B042499000000001", "B042499000000003", "B042499000000004", "B042499000000005"]);
        let pools = store::pools_of_scope(&db, &scope).unwrap();
        let ranges: Vec<(i64, i64, &str)> =
            pools.iter().map(|p| (p.start_serial, p.end_serial, p.origin.as_str())).collect();
        assert_eq!(ranges, vec![(1, 3, "manual"), (4, 5, "auto")]);
    }
}
