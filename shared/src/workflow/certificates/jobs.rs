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
/// Most items one runner claims at a time. A run's first chunk is one item and each next
/// one twice the last, up to this: progress shows at once, and a chunk's writing holds the
/// write lock for tens of milliseconds at most (its sealing holds nothing).
pub(super) const CHUNK: i64 = 256;
/// How long a runner's claim on its chunk lasts: a runner that dies between claiming and
/// writing leaves its claims to the next runner after this, with the same numbers.
pub(super) const LEASE: std::time::Duration = std::time::Duration::from_secs(60);
/// The pause between two chunks of a job where writers meet in SQLite's busy handler
/// (longer than its longest busy-wait step, so a waiting writer gets in). Where writers
/// queue in order ([`crate::store::Db::queues_writers`]: PostgreSQL, `zhicheng-host`) the waiting writers
/// go first anyway and the job goes on at once (issue 14: the pause was a third of a job's
/// time).
pub(super) const YIELD: std::time::Duration = std::time::Duration::from_millis(110);
/// How long a run waits at most, without claiming anything, for items other runners hold
/// (past one lease), and how often it looks.
const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(75);
const POLL: std::time::Duration = std::time::Duration::from_millis(25);
/// A job's progress is one run's while chunks keep coming at most this far apart: two
/// runners side by side add up to one rate.
const RUN_GAP_MS: i64 = 10_000;

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
    /// Pending items a runner holds now (being sealed), and when the last of those claims
    /// lapses: a runner that died leaves them to the next run after that time.
    pub in_flight: i64,
    pub in_flight_until: Option<String>,
    pub problems: Vec<JobItem>,
    /// Numbers taken for an item that then could not be issued (作废号码).
    pub voided: Vec<VoidedNumber>,
}

pub(super) fn job_view(db: &dyn Db, id: i64, now: &str) -> Result<JobView, DomainError> {
    let job = store::job(db, id)?.ok_or(DomainError::NotFound("发证任务"))?;
    let problems = store::job_problems(db, id, 200)?;
    let voided = store::voided_of_job(db, id, 200)?;
    let progress = store::progress(db, id)?;
    let (in_flight, in_flight_until) = store::in_flight(db, id, now)?;
    let running = job.status == "running";
    Ok(JobView {
        done: job.issued + job.skipped + job.failed,
        rate_per_s: progress.as_ref().and_then(|p| p.rate_per_s),
        eta_s: progress.as_ref().and_then(|p| p.eta_s).filter(|_| running),
        progress,
        in_flight,
        in_flight_until,
        job,
        problems,
        voided,
    })
}

/// A time with milliseconds (claims and progress order runners within a second).
fn precise(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
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
        job_view(ctx.db, job_id, &precise(ctx.now))
    }
}

/// A claimed item, drafted, with its number: sealed outside any transaction.
struct Claimed {
    application_id: i64,
    draft: Draft,
    no: String,
}

/// Runs (or resumes) a job: one runner, which claims chunks of the pending items no other
/// runner holds until none is left. Each chunk takes two short transactions with its
/// sealing between them (issue 14): the first claims the items and reserves their numbers
/// (an item that cannot issue is settled there), the second writes the certificates, their
/// outbox records, the applications' transitions, the items' outcomes and the progress.
/// Runners of one job (two `…/run` requests, on one replica or several) seal side by side,
/// one per core, and take turns only to write. A crash loses no number: a dead runner's
/// claims lapse after [`LEASE`] and the next run takes them over with the numbers they
/// reserved. A number whose item can no longer be issued when it is written (another job or
/// an import issued it meanwhile) is recorded as voided, so every number taken is on a
/// certificate, claimed, or voided.
pub fn run_job(ctx: &OpCtx<'_>, key: &SealKey, job_id: i64) -> Result<JobView, DomainError> {
    require_issuer(ctx)?;
    let job = store::job(ctx.db, job_id)?.ok_or(DomainError::NotFound("发证任务"))?;
    if !owns_job(ctx, ctx.db, &job)? {
        return Err(DomainError::NotFound("发证任务"));
    }
    let fmt = load_format(ctx.db)?;
    let pause = if ctx.db.queues_writers() { std::time::Duration::ZERO } else { YIELD };
    let started = std::time::Instant::now();
    // The run's clock: the request's time, moved on by how long the run has taken.
    let at = || ctx.now + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
    let mut run_done = 0;
    let mut chunk = 1;
    let mut busy = 0;
    // Since when this runner has found nothing to claim while other runners held items.
    let mut idle: Option<std::time::Instant> = None;
    loop {
        let claimed = match with_tx(ctx.db, |db| claim_chunk(ctx, db, &job, &fmt, chunk, precise(at()))) {
            Ok(c) => c,
            // Another job holds the write lock longer than the busy timeout: try again.
            Err(DomainError::Busy) if busy < 5 => {
                busy += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        let (settled, claimed, issuer) = claimed;
        if claimed.is_empty() {
            run_done += settled;
            if settled > 0 {
                continue;
            }
            // Nothing to claim: done, or the rest is held by other runners (of this job or
            // of another over the same people). Wait for them while their claims are live
            // (each poll a read; a live runner writes its chunk within a second, a dead
            // one's claims lapse after LEASE), then claim again.
            let now = precise(at());
            let idle_since = *idle.get_or_insert_with(std::time::Instant::now);
            if store::held_items(ctx.db, job_id, &now)? == 0 || idle_since.elapsed() > MAX_WAIT {
                return job_view(ctx.db, job_id, &now);
            }
            while store::claimable_items(ctx.db, job_id, &precise(at()), 1)?.is_empty()
                && store::held_items(ctx.db, job_id, &precise(at()))? > 0
                && idle_since.elapsed() <= MAX_WAIT
            {
                std::thread::sleep(POLL);
            }
            continue;
        }
        idle = None;
        let Some(issuer) = issuer else { return Err(internal("claimed without an issuer")) };
        // Sealing: no transaction, no lock; the other runners write meanwhile.
        let faces = claimed.iter().map(|c| face_of(ctx, &issuer, &c.draft, c.no.clone())).collect();
        let sealed: Vec<(Claimed, Sealed)> = claimed.into_iter().zip(seal_faces(key, faces)).collect();
        let n = sealed.len() as i64;
        let r = loop {
            let r = with_long_tx(ctx.db, |db| {
                let done = write_chunk(ctx, db, key, &issuer, job_id, &sealed)?;
                store::finish_job_if_done(db, job_id, &stamp(ctx.now))?;
                let left = store::job(db, job_id)?.map_or(0, |j| j.total - j.issued - j.skipped - j.failed);
                record_progress(db, job_id, settled + done, run_done + settled + done, started.elapsed(), at(), left)?;
                Ok::<_, DomainError>((done, left))
            });
            match r {
                Err(DomainError::Busy) if busy < 5 => busy += 1,
                r => break r,
            }
        };
        match r {
            Ok((done, left)) => {
                run_done += settled + done;
                busy = 0;
                if left == 0 {
                    return job_view(ctx.db, job_id, &precise(at()));
                }
                if done == n {
                    chunk = (chunk * 2).min(CHUNK);
                }
                // Let other writers in between chunks: SQLite's busy handler polls at
                // most every 100 ms, so a writer that begins again at once starves them.
                if !pause.is_zero() {
                    std::thread::sleep(pause);
                }
            }
            // The chunk's claims stand; they lapse and the next run writes them.
            Err(e) => return Err(e),
        }
    }
}

/// The claiming transaction of a chunk: up to `limit` pending items no runner holds at
/// `now` (never claimed, or whose claim lapsed), each drafted with its number (a lapsed
/// claim's own, or the next of its scope's pool) and claimed until `now` + [`LEASE`]. An
/// item that cannot issue is settled here (skipped or failed, its lapsed claim's number
/// voided). Returns how many were settled, the claimed, and the issuing unit.
fn claim_chunk(
    ctx: &OpCtx<'_>,
    db: &dyn Db,
    job: &Job,
    fmt: &NumberFormat,
    limit: i64,
    now: String,
) -> Result<(i64, Vec<Claimed>, Option<IssuingUnit>), DomainError> {
    let until = chrono::DateTime::parse_from_rfc3339(&now).map_err(internal)?.with_timezone(&chrono::Utc)
        + chrono::Duration::from_std(LEASE).map_err(internal)?;
    let until = precise(until);
    let issuer = store::active_issuing_unit(db, Some(&job.issuer_code), None)?;
    let items = store::claimable_items(db, job.id, &now, limit)?;
    let mut lookups = Lookups::default();
    let (mut settled, mut claimed) = (0, Vec::with_capacity(items.len()));
    for item in items {
        let a = item.application_id;
        let outcome = match (astore::load(db, a)?, &issuer) {
            (None, _) => Err(("failed", "申报不存在".to_owned())),
            (_, None) => Err(("failed", format!("发证单位编码 {} 已注销", job.issuer_code))),
            (Some(r), _) if r.state != ApplicationState::Filed => {
                Err(("skipped", not_filed_reason(db, r.id, r.state)?))
            }
            (Some(r), Some(issuer)) => {
                let draft = draft_of(db, &r, &mut lookups)?;
                let no = match item.reserved_no.clone() {
                    Some(no) => no,
                    None => number_for(ctx, db, fmt, issuer, &draft, &mut lookups)?,
                };
                Ok(Claimed { application_id: a, draft, no })
            }
        };
        match outcome {
            Ok(c) => {
                store::claim_item(db, job.id, a, &c.no, &until)?;
                claimed.push(c);
            }
            Err((status, reason)) => {
                if let Some(no) = &item.reserved_no {
                    void(ctx, db, no, job.id, a, &reason)?;
                }
                store::finish_item(db, job.id, a, status, None, Some(&reason))?;
                settled += 1;
            }
        }
    }
    if settled > 0 {
        store::finish_job_if_done(db, job.id, &stamp(ctx.now))?;
    }
    Ok((settled, claimed, issuer))
}

/// The writing transaction of a chunk: each sealed item still pending with the number
/// claimed for it is stored (certificate, outbox record, transition, audit, outcome) and
/// its claim dropped. One another runner wrote meanwhile (after this one's claim lapsed) is
/// left alone; one whose application is no longer filed has its number voided and is
/// skipped; one whose application changed while filed has its claim lapse now, to be
/// drafted again with the same number. Returns how many items it settled.
fn write_chunk(
    ctx: &OpCtx<'_>,
    db: &dyn Db,
    key: &SealKey,
    issuer: &IssuingUnit,
    job_id: i64,
    items: &[(Claimed, Sealed)],
) -> Result<i64, DomainError> {
    let mut lookups = Lookups::default();
    let (mut done, mut issued) = (0, 0);
    for (c, sealed) in items {
        let a = c.application_id;
        // Still pending with this number claimed (not written by a runner that took the
        // claim over), and the application as it is now.
        let Some(held) = store::claim_to_write(db, job_id, a)? else { continue };
        if held.certificate_no != sealed.certificate_no() {
            continue;
        }
        let drafted = c.draft.application.map(|d| d.1);
        let state = ApplicationState::parse(&held.state).ok_or_else(|| internal(format!("application {a} state")))?;
        if state != ApplicationState::Filed {
            let reason = not_filed_reason(db, a, state)?;
            void(ctx, db, &c.no, job_id, a, &reason)?;
            store::finish_item(db, job_id, a, "skipped", None, Some(&reason))?;
            done += 1;
        } else if drafted != Some(held.version) {
            store::lapse_claim(db, job_id, a)?;
        } else {
            let origin = ("application", Some(job_id), None);
            let cid = store_sealed(ctx, db, key, issuer, &c.draft, sealed, origin, &mut lookups)?;
            // Counted in the job once for the chunk, below.
            if store::mark_issued(db, job_id, a, cid)? {
                issued += 1;
            }
            done += 1;
        }
    }
    // The claims of the items now finished go, and the job counts the chunk's issues: one
    // statement each per chunk, not per certificate.
    store::release_finished_claims(db, job_id)?;
    store::count_issued(db, job_id, issued)?;
    Ok(done)
}

/// Why a job skips application `id` in `state` (not 已备案待发证): when claimed, and when
/// about to be written.
fn not_filed_reason(db: &dyn Db, id: i64, state: ApplicationState) -> Result<String, DomainError> {
    Ok(match store::certificate_of_application(db, id)? {
        Some(no) => format!("已发证（{no}）"),
        None => format!("申报状态为“{}”，不是已备案待发证", state.label()),
    })
}

/// Records number `no`, reserved for item (`job_id`, `a`), as voided, with an audit event.
fn void(ctx: &OpCtx<'_>, db: &dyn Db, no: &str, job_id: i64, a: i64, reason: &str) -> Result<(), DomainError> {
    store::void_number(db, no, job_id, a, reason, &ctx.who.sub, &stamp(ctx.now))?;
    let mut e = ctx.event("certificate_job", job_id, "void_certificate_number");
    e.detail = Some(serde_json::json!({ "certificate_no": no, "application_id": a, "reason": reason }));
    audit::record(db, &e)?;
    Ok(())
}

/// Records a job's progress after a chunk that settled `chunk_done` items (`runner_done` by
/// this runner in `runner_elapsed`), at `at`, with `left` pending. While chunks keep coming
/// (the last record at most [`RUN_GAP_MS`] before), they belong to one run, whichever
/// runner wrote them, so runners side by side show their combined rate.
fn record_progress(
    db: &dyn Db,
    job_id: i64,
    chunk_done: i64,
    runner_done: i64,
    runner_elapsed: std::time::Duration,
    at: chrono::DateTime<chrono::Utc>,
    left: i64,
) -> Result<(), DomainError> {
    let prev = store::progress(db, job_id)?.and_then(|p| {
        let t = chrono::DateTime::parse_from_rfc3339(&p.updated_at).ok()?.with_timezone(&chrono::Utc);
        Some((p, t))
    });
    let (done, elapsed) = match prev {
        Some((p, t)) if (at - t).num_milliseconds() <= RUN_GAP_MS && p.run_done > 0 => {
            let run_started = t - chrono::Duration::milliseconds(p.run_ms);
            let ms = (at - run_started).num_milliseconds().max(p.run_ms).max(0) as u64;
            (p.run_done + chunk_done, std::time::Duration::from_millis(ms))
        }
        _ => (runner_done, runner_elapsed),
    };
    store::save_progress(db, job_id, &progress_of(done, elapsed, left, &precise(at)))?;
    Ok(())
}

/// One job with its progress.
pub fn get_job(ctx: &OpCtx<'_>, id: i64) -> Result<JobView, DomainError> {
    require_issuer(ctx)?;
    let job = store::job(ctx.db, id)?.ok_or(DomainError::NotFound("发证任务"))?;
    if !owns_job(ctx, ctx.db, &job)? {
        return Err(DomainError::NotFound("发证任务"));
    }
    job_view(ctx.db, id, &precise(ctx.now))
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
