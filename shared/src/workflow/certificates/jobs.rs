//! Generation jobs (§1.17, §1.29).

#[allow(unused_imports)]
use super::*;

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

pub(super) fn run_now() -> bool {
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
/// Most items of a job one transaction takes (a job yields the write lock between chunks).
pub(super) const CHUNK: i64 = 1000;
/// How long one chunk's transaction may hold the write lock: a chunk commits after this
/// much work even when items are left, so other writers wait at most about this long.
pub(super) const CHUNK_BUDGET: std::time::Duration = std::time::Duration::from_millis(200);
/// The pause between two chunks of a job where writers meet in SQLite's busy handler
/// (longer than its longest busy-wait step, so a waiting writer gets in). Where writers
/// queue in order ([`crate::store::Db::queues_writers`]: PostgreSQL, `zhicheng-host`) the waiting writers
/// go first anyway and the job goes on at once (issue 14: the pause was a third of a job's
/// time).
pub(super) const YIELD: std::time::Duration = std::time::Duration::from_millis(110);

/// A job with its progress and the items that did not issue.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    #[serde(flatten)]
    pub job: Job,
    /// Items done (issued + skipped + failed) of `total`.
    pub done: i64,
    /// Items per second of the latest run (recorded after each of its chunks).
    pub rate_per_s: Option<f64>,
    /// Seconds until the job is done at that rate (while it runs).
    pub eta_s: Option<i64>,
    /// The latest run's own figures.
    pub progress: Option<JobProgress>,
    pub problems: Vec<JobItem>,
}

pub(super) fn job_view(db: &dyn Db, id: i64) -> Result<JobView, DomainError> {
    let job = store::job(db, id)?.ok_or(DomainError::NotFound("发证任务"))?;
    let problems = store::job_problems(db, id, 200)?;
    let progress = store::progress(db, id)?;
    let running = job.status == "running";
    Ok(JobView {
        done: job.issued + job.skipped + job.failed,
        rate_per_s: progress.as_ref().and_then(|p| p.rate_per_s),
        eta_s: progress.as_ref().and_then(|p| p.eta_s).filter(|_| running),
        progress,
        job,
        problems,
    })
}

/// The progress of a run that has done `run_done` items in `elapsed`, with `pending` left.
pub(super) fn progress_of(run_done: i64, elapsed: std::time::Duration, pending: i64, now: &str) -> JobProgress {
    let secs = elapsed.as_secs_f64();
    let rate = (secs > 0.0 && run_done > 0).then(|| run_done as f64 / secs);
    JobProgress {
        run_done,
        run_ms: elapsed.as_millis().min(i64::MAX as u128) as i64,
        rate_per_s: rate.map(|r| (r * 10.0).round() / 10.0),
        eta_s: rate.map(|r| (pending as f64 / r).ceil() as i64),
        updated_at: now.to_owned(),
    }
}

/// Who issues certificates (annex 3 §1.17): the province, or a city or county HR bureau
/// (a department) with an issuing-unit code of its own, for the applications whose audit
/// path it was on.
fn require_issuer(ctx: &OpCtx<'_>) -> Result<(), DomainError> {
    match ctx.who.role {
        Role::Province | Role::Dept => Ok(()),
        _ => Err(DomainError::Forbidden),
    }
}

/// Whether application `r` is the caller's to issue: any for the province; for a city or
/// county HR bureau, those whose audit path it was on.
fn issues_for(ctx: &OpCtx<'_>, r: &ApplicationRecord) -> bool {
    if ctx.who.role == Role::Province {
        return true;
    }
    r.path
        .as_deref()
        .and_then(|p| serde_json::from_str::<Vec<crate::domain::path::PathStep>>(p).ok())
        .is_some_and(|steps| steps.iter().any(|s| s.org == ctx.who.org))
}

/// Whether the caller may see job `job` (the province: any; a bureau: those issued under
/// its own codes).
fn owns_job(ctx: &OpCtx<'_>, db: &dyn Db, job: &Job) -> Result<bool, DomainError> {
    if ctx.who.role == Role::Province {
        return Ok(true);
    }
    Ok(store::active_issuing_unit(db, Some(&job.issuer_code), None)?.is_some_and(|u| u.org_id == ctx.who.org)
        || store::issuing_codes_of(db, &ctx.who.org)?.contains(&job.issuer_code))
}

pub(super) fn issuer_for(db: &dyn Db, ctx: &OpCtx<'_>, code: Option<&str>) -> Result<IssuingUnit, DomainError> {
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
    require_issuer(ctx)?;
    let modes = [req.doc_no.is_some(), req.application_ids.is_some(), req.query.is_some()];
    if modes.iter().filter(|m| **m).count() != 1 {
        return Err(DomainError::invalid(
            "doc_no",
            "请三选一：发文文号（doc_no）、勾选（application_ids）或查询条件（query）",
        ));
    }
    let job_id = with_tx(ctx.db, |db| {
        let issuer = issuer_for(db, ctx, req.issuer_code.as_deref())?;
        if ctx.who.role != Role::Province && issuer.org_id != ctx.who.org {
            return Err(DomainError::invalid("issuer_code", "只能使用本单位的发证单位编码（附件3 §1.17）"));
        }
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
        // §1.17: a city or county bureau issues for the applications on its own paths; a
        // selection naming another is refused, a query or document number keeps its own.
        let mut ids = ids;
        if ctx.who.role != Role::Province {
            let mut own = Vec::with_capacity(ids.len());
            for (i, a) in ids.iter().enumerate() {
                let mine = crate::store::applications::load(db, *a)?.is_some_and(|r| issues_for(ctx, &r));
                if mine {
                    own.push(*a);
                } else if mode == "selection" {
                    return Err(DomainError::invalid(
                        format!("application_ids[{i}]"),
                        format!("申报 {a} 不在本单位的审核路径上，不能由本单位发证"),
                    ));
                }
            }
            ids = own;
        }
        if ids.is_empty() {
            return Err(DomainError::conflict(ErrorCode::NothingToIssue, &[]));
        }
        // The face carries the title of the title tree: refuse the job (nothing written)
        // while a series and level selected has none.
        let mut checked = std::collections::HashSet::new();
        for a in &ids {
            let Some(r) = crate::store::applications::load(db, *a)? else { continue };
            if checked.insert((r.series.clone(), r.target_level.clone()))
                && store::title_name(db, &r.series, &r.target_level)?.is_none()
            {
                let level = crate::store::chain::parse_level(&r.target_level).map_or("", |l| l.label());
                return Err(DomainError::conflict(ErrorCode::TitleNotInTree, &[&r.series, &level]));
            }
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

/// Runs (or resumes) a job until no item is pending: chunks of at most [`CHUNK`] items
/// and [`CHUNK_BUDGET`] of work, each in its own transaction with its certificates, their
/// outbox records, the applications' transitions, the items' outcomes and the progress, so
/// a crash loses at most the chunk in flight and a new run resumes with the pending items.
pub fn run_job(ctx: &OpCtx<'_>, key: &SealKey, job_id: i64) -> Result<JobView, DomainError> {
    require_issuer(ctx)?;
    let job = store::job(ctx.db, job_id)?.ok_or(DomainError::NotFound("发证任务"))?;
    if !owns_job(ctx, ctx.db, &job)? {
        return Err(DomainError::NotFound("发证任务"));
    }
    let fmt = load_format(ctx.db)?;
    let pause = if ctx.db.queues_writers() { std::time::Duration::ZERO } else { YIELD };
    let started = std::time::Instant::now();
    let mut run_done = 0;
    let mut busy = 0;
    loop {
        let r = with_tx(ctx.db, |db| {
            let chunk_started = std::time::Instant::now();
            let issuer = store::active_issuing_unit(db, Some(&job.issuer_code), None)?;
            let items = store::pending_items(db, job_id, CHUNK)?;
            // Looked up once per chunk (inside its transaction), not per certificate.
            let mut lookups = Lookups::default();
            let mut done = 0;
            for a in &items {
                if done > 0 && chunk_started.elapsed() >= CHUNK_BUDGET {
                    break;
                }
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
                        let d = draft_of(db, &r, &mut lookups)?;
                        let origin = ("application", Some(job_id), None);
                        Ok(seal_and_store(ctx, db, key, &fmt, issuer, &d, origin, &mut lookups)?)
                    }
                };
                match outcome {
                    Ok(cid) => store::finish_item(db, job_id, *a, "issued", Some(cid), None)?,
                    Err((status, reason)) => store::finish_item(db, job_id, *a, status, None, Some(&reason))?,
                }
                done += 1;
            }
            store::finish_job_if_done(db, job_id, &stamp(ctx.now))?;
            let left = store::job(db, job_id)?.map_or(0, |j| j.total - j.issued - j.skipped - j.failed);
            let p = progress_of(run_done + done, started.elapsed(), left, &stamp(ctx.now));
            store::save_progress(db, job_id, &p)?;
            Ok::<_, DomainError>((done, left))
        });
        match r {
            Ok((done, left)) => {
                run_done += done;
                if left == 0 || done == 0 {
                    return job_view(ctx.db, job_id);
                }
                busy = 0;
                // Let other writers in between chunks: SQLite's busy handler polls at
                // most every 100 ms, so a writer that begins again at once starves them.
                if !pause.is_zero() {
                    std::thread::sleep(pause);
                }
            }
            // Another job holds the write lock longer than the busy timeout: try again.
            Err(DomainError::Busy) if busy < 5 => busy += 1,
            Err(e) => return Err(e),
        }
    }
}

/// One job with its progress.
pub fn get_job(ctx: &OpCtx<'_>, id: i64) -> Result<JobView, DomainError> {
    require_issuer(ctx)?;
    let job = store::job(ctx.db, id)?.ok_or(DomainError::NotFound("发证任务"))?;
    if !owns_job(ctx, ctx.db, &job)? {
        return Err(DomainError::NotFound("发证任务"));
    }
    job_view(ctx.db, id)
}

/// Jobs, latest first (a city or county bureau: those under its own codes).
pub fn list_jobs(ctx: &OpCtx<'_>, page: PageRequest) -> Result<Page<Job>, DomainError> {
    require_issuer(ctx)?;
    let org = (ctx.who.role != Role::Province).then_some(ctx.who.org.as_str());
    let (items, total) = store::list_jobs(ctx.db, org, page.limit(), page.offset())?;
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
    require_issuer(ctx)?;
    let level = q.level.map(crate::store::chain::level_name);
    let mut ids = store::filed_candidates(
        ctx.db,
        doc_no,
        q.batch_year,
        q.committee.as_deref(),
        q.series.as_deref(),
        level,
        MAX_JOB,
    )?;
    if ctx.who.role != Role::Province {
        let mut own = Vec::with_capacity(ids.len());
        for a in ids {
            if astore::load(ctx.db, a)?.is_some_and(|r| issues_for(ctx, &r)) {
                own.push(a);
            }
        }
        ids = own;
    }
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
