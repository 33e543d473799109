//! The qualification audit chain (annex 2 §1.1.2–1.1.3, §1.2.1; annex 3 §1.12, §1.24,
//! §1.26–1.28): recommendation within quota (R10), the climb through every organisation
//! on the configured path, returns that travel back one level at a time with every item
//! (R12), rejection with the integrity file, the committee's recheck, the province's
//! rollback of the final authority's operations, transfers between committees, and
//! process tracking.

use super::applications::{load_visible, view, ApplicationView, ReturnItem};
use super::{shanghai_today, stamp, OpCtx};
use crate::audit::{self, HistoryEntry};
use crate::auth::Role;
use crate::domain::application::{next_states, Action, Actor, ApplicationForm, ApplicationState};
use crate::domain::path::{self, Method, PathBreak, PathQuery, PathStep, StepKind};
use crate::error::{DomainError, ErrorCode};
use crate::store::applications::{self as store, ApplicationRecord, Changes, ListFilter, ListScope};
use crate::store::chain::{self as cstore, ReversibleOperation};
use crate::store::{with_tx, Db};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

const APPLICATION: &str = "申报";

use super::transition::{self, refusal as map_transition, stale, wrong_state};

fn stored_path(r: &ApplicationRecord) -> Result<Vec<PathStep>, DomainError> {
    let raw = r.path.as_deref().ok_or_else(|| DomainError::Internal(format!("application {} has no path", r.id)))?;
    serde_json::from_str(raw).map_err(|e| DomainError::Internal(format!("path of {}: {e}", r.id)))
}

// The path and the transfer rules never need the ID number: it is left sealed.
fn form_of(r: &ApplicationRecord) -> Result<ApplicationForm, DomainError> {
    crate::pii::form_without_id(&r.form)
}

fn path_error(b: PathBreak) -> DomainError {
    DomainError::path_break(&b)
}

// ---------------------------------------------------------------- resolution

/// The query of a path simulation (§1.28).
#[derive(Debug, Clone, Deserialize)]
pub struct SimulationQuery {
    pub unit_org: String,
    pub series: String,
    pub specialty: String,
    pub level: crate::domain::application::TitleLevel,
    #[serde(default = "default_method")]
    pub method: Method,
    /// The committee (titles by review).
    #[serde(default)]
    pub committee: String,
    /// The acceptance institution (初定 / 认定), its id (a query parameter is a string).
    #[serde(default)]
    pub institution: Option<String>,
}

fn default_method() -> Method {
    Method::Review
}

/// One step of a resolved chain, with the organisation's name.
#[derive(Debug, Clone, Serialize)]
pub struct ChainStep {
    pub org: String,
    pub org_name: Option<String>,
    pub kind: StepKind,
    pub kind_label: &'static str,
}

/// The answer of a simulation: the whole chain, or the exact break.
#[derive(Debug, Clone, Serialize)]
pub struct SimulationResult {
    pub ok: bool,
    pub chain: Vec<ChainStep>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken: Option<PathBreak>,
}

fn resolve_path(
    db: &dyn Db,
    q: &SimulationQuery,
    today: NaiveDate,
) -> Result<Result<Vec<PathStep>, PathBreak>, DomainError> {
    let unit = cstore::organisation_by_id(db, &q.unit_org)?;
    if unit.as_ref().is_none_or(|u| u.status != "active") {
        return Ok(Err(PathBreak {
            code: ErrorCode::UnitNotRegistered,
            message: ErrorCode::UnitNotRegistered.render(&[&q.unit_org]),
            at: q.unit_org.clone(),
            fixer: "单位完成账号注册并经人社部门审核".into(),
        }));
    }
    let edges = cstore::active_edges(db, q.level, q.method)?;
    let pq = PathQuery {
        unit: &q.unit_org,
        series: &q.series,
        specialty: &q.specialty,
        level: q.level,
        method: q.method,
        today,
    };
    if q.method == Method::Review {
        let committee = cstore::committee_facts(db, &q.committee)?;
        return Ok(path::resolve(&pq, &edges, committee.as_ref()));
    }
    // 初定 / 认定 (annex 3 §1.4–1.5): the path ends at the acceptance institution.
    let asked = q.institution.clone().unwrap_or_default();
    let institution = match asked.trim().parse::<i64>() {
        Ok(i) => cstore::institution_facts(db, i)?,
        Err(_) => None,
    };
    Ok(path::resolve_to_institution(&pq, &edges, institution.as_ref(), &asked))
}

fn named(db: &dyn Db, steps: &[PathStep]) -> Result<Vec<ChainStep>, DomainError> {
    let names = cstore::organisation_names(db, &steps.iter().map(|s| s.org.clone()).collect::<Vec<_>>())?;
    Ok(steps
        .iter()
        .map(|s| ChainStep {
            org: s.org.clone(),
            org_name: names.get(&s.org).cloned(),
            kind: s.kind,
            kind_label: s.kind.label(),
        })
        .collect())
}

/// Simulates the path for a unit, series, specialty, level, method and committee.
pub fn simulate(ctx: &OpCtx<'_>, q: &SimulationQuery) -> Result<SimulationResult, DomainError> {
    if matches!(ctx.who.role, Role::Applicant | Role::Judge) {
        return Err(DomainError::Forbidden);
    }
    match resolve_path(ctx.db, q, shanghai_today(ctx.now))? {
        Ok(steps) => Ok(SimulationResult { ok: true, chain: named(ctx.db, &steps)?, broken: None }),
        Err(b) => Ok(SimulationResult { ok: false, chain: Vec::new(), broken: Some(b) }),
    }
}

// ---------------------------------------------------------------- recommendation

fn query_of(r: &ApplicationRecord, form: &ApplicationForm) -> Result<SimulationQuery, DomainError> {
    Ok(SimulationQuery {
        unit_org: r.unit_org.clone(),
        series: form.series.clone().unwrap_or_default(),
        specialty: form.specialty.clone().unwrap_or_default(),
        level: form.target_level.ok_or_else(|| DomainError::invalid("target_level", "申报层级缺失"))?,
        method: form.acquisition(),
        committee: form.committee.clone().unwrap_or_default(),
        institution: form.institution.map(|i| i.to_string()),
    })
}

/// Body of "recommend".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommend {
    #[serde(default)]
    pub opinion: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// The unit recommends upward (推荐上报) once its publicity closed: the path is resolved
/// (or the break reported) and, for a public institution, the approved annual quota is
/// checked (R10).
pub fn recommend(ctx: &OpCtx<'_>, id: i64, req: Recommend) -> Result<ApplicationView, DomainError> {
    ctx.require_role(Role::Unit)?;
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        next_states(r.state, Action::Recommend, Actor::Role(Role::Unit)).map_err(|e| map_transition(r.state, e))?;
        if req.version.is_some_and(|v| v != r.version) {
            return Err(stale());
        }
        if r.publicity_closed_on.is_none() {
            return Err(DomainError::conflict(ErrorCode::PublicityNotCompleted, &[]));
        }
        // 二(一): the online qualification audit ends on its deadline.
        crate::admin::rules::check_qualification_deadline(
            db,
            r.batch_year,
            &r.committee,
            &ctx.who.org,
            shanghai_today(ctx.now),
            "推荐上报",
        )?;
        let form = form_of(&r)?;
        let q = query_of(&r, &form)?;
        let steps = resolve_path(db, &q, shanghai_today(ctx.now))?.map_err(path_error)?;
        let unit = cstore::organisation_by_id(db, &r.unit_org)?.ok_or(DomainError::NotFound("单位"))?;
        // R10 (三(二)): the approved quota of posts binds senior titles.
        if unit.public_institution && form.target_level.is_some_and(|l| l.is_senior()) {
            let (approved, used) =
                cstore::quota_usage(db, &r.unit_org, r.batch_year, &r.series, &r.target_level, r.id)?;
            if used + 1 > approved {
                let level = crate::store::chain::parse_level(&r.target_level).map_or("", |l| l.label());
                return Err(DomainError::rule(
                    "R10",
                    ErrorCode::R10QuotaExceeded,
                    &[&r.batch_year, &r.series, &level, &approved, &used],
                    None,
                ));
            }
        }
        let first = &steps[0];
        let now = stamp(ctx.now);
        let changes = Changes {
            path: Some(Some(serde_json::to_string(&steps).map_err(|e| DomainError::Internal(e.to_string()))?)),
            path_position: Some(Some(0)),
            holder_org: Some(Some(first.org.clone())),
            recommended_at: Some(r.recommended_at.clone().unwrap_or_else(|| now.clone())),
            return_items: Some(None),
            ..Changes::default()
        };
        let mut e = ctx.by();
        e.opinion = req.opinion.clone();
        e.detail = Some(serde_json::json!({ "path": steps, "to_org": first.org }));
        let to = ApplicationState::at_step(first.kind);
        let r = transition::apply_returning(db, &r, Action::Recommend, Actor::Role(Role::Unit), to, &changes, e)?;
        Ok(view(&r))
    })
}

// ---------------------------------------------------------------- steps on the path

/// Loads an application that the caller's organisation holds now on the path.
fn load_held(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<(ApplicationRecord, Vec<PathStep>, usize), DomainError> {
    if !matches!(ctx.who.role, Role::Dept | Role::CommitteeOrg | Role::Province) {
        return Err(DomainError::Forbidden);
    }
    let r = load_visible(ctx, db, id)?;
    if r.holder_org.as_deref() != Some(ctx.who.org.as_str()) || !r.state.is_on_path() {
        return Err(DomainError::conflict(ErrorCode::NotYourStep, &[]));
    }
    let steps = stored_path(&r)?;
    let pos = r.path_position.unwrap_or(0) as usize;
    if pos >= steps.len() {
        return Err(DomainError::Internal(format!("application {id} position {pos} beyond its path")));
    }
    Ok((r, steps, pos))
}

/// Body of the step operations.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDecision {
    /// 审核意见
    #[serde(default)]
    pub opinion: Option<String>,
    /// Optional compare-and-set version.
    #[serde(default)]
    pub version: Option<i64>,
}

fn check_version(r: &ApplicationRecord, v: Option<i64>) -> Result<(), DomainError> {
    if v.is_some_and(|v| v != r.version) {
        Err(stale())
    } else {
        Ok(())
    }
}

/// The holder approves its audit or formal-review step: the application goes to the next
/// organisation on the path (upper audit, formal review, or the committee's recheck).
pub fn approve_step(ctx: &OpCtx<'_>, id: i64, req: StepDecision) -> Result<ApplicationView, DomainError> {
    with_tx(ctx.db, |db| {
        let (r, steps, pos) = load_held(ctx, db, id)?;
        check_version(&r, req.version)?;
        let nxt = steps.get(pos + 1).ok_or_else(|| wrong_state(r.state))?;
        // 二(一): cities, departments and provincial units finish the online qualification
        // audit and hand the results to the committee by the deadline.
        crate::admin::rules::check_qualification_deadline(
            db,
            r.batch_year,
            &r.committee,
            &ctx.who.org,
            shanghai_today(ctx.now),
            steps[pos].kind.label(),
        )?;
        let changes = Changes {
            path_position: Some(Some(pos as i64 + 1)),
            holder_org: Some(Some(nxt.org.clone())),
            ..Changes::default()
        };
        let mut e = ctx.by();
        e.opinion = req.opinion.clone();
        e.detail = Some(serde_json::json!({ "step": steps[pos].kind, "to_org": nxt.org }));
        let to = ApplicationState::at_step(nxt.kind);
        let r = transition::apply_returning(db, &r, Action::ApproveStep, Actor::PathHolder, to, &changes, e)?;
        Ok(view(&r))
    })
}

/// Body of "return": every item at once (R12).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepReturn {
    /// Every item to correct (一次性告知).
    pub items: Vec<ReturnItem>,
    #[serde(default)]
    pub opinion: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Where a return lands one level down from `pos`.
fn one_level_down(steps: &[PathStep], pos: usize) -> (ApplicationState, Option<i64>, Option<String>) {
    if pos == 0 {
        (ApplicationState::ReturnedToUnit, None, None)
    } else {
        (ApplicationState::ReturnDescending, Some(pos as i64 - 1), Some(steps[pos - 1].org.clone()))
    }
}

/// Returns with every item to correct (R12, 四(三) 一次性告知); the return travels back one
/// level at a time (层层退回) to the applicant.
pub fn return_step(ctx: &OpCtx<'_>, id: i64, req: StepReturn) -> Result<ApplicationView, DomainError> {
    if req.items.is_empty() {
        return Err(DomainError::invalid("items", "退回须一次性告知需要补齐补正的全部内容"));
    }
    super::applications::validate_return_items(&req.items)?;
    with_tx(ctx.db, |db| {
        let (r, steps, pos) = load_held(ctx, db, id)?;
        check_version(&r, req.version)?;
        let (target, position, holder) = one_level_down(&steps, pos);
        let items = serde_json::to_value(&req.items).map_err(|e| DomainError::Internal(e.to_string()))?;
        let changes = Changes {
            path_position: Some(position),
            holder_org: Some(holder.clone()),
            return_items: Some(Some(items.to_string())),
            ..Changes::default()
        };
        let mut e = ctx.by();
        e.opinion = req.opinion.clone();
        e.detail = Some(serde_json::json!({ "items": items, "step": steps[pos].kind, "to_org": holder }));
        let r = transition::apply_returning(db, &r, Action::ReturnStep, Actor::PathHolder, target, &changes, e)?;
        Ok(view(&r))
    })
}

/// An organisation below the one that returned passes the return down one more level.
pub fn pass_down_return(ctx: &OpCtx<'_>, id: i64, req: StepDecision) -> Result<ApplicationView, DomainError> {
    with_tx(ctx.db, |db| {
        let (r, steps, pos) = load_held(ctx, db, id)?;
        check_version(&r, req.version)?;
        let (target, position, holder) = one_level_down(&steps, pos);
        let changes = Changes { path_position: Some(position), holder_org: Some(holder.clone()), ..Changes::default() };
        let mut e = ctx.by();
        e.opinion = req.opinion.clone();
        e.detail = Some(serde_json::json!({ "to_org": holder }));
        let r = transition::apply_returning(db, &r, Action::PassDownReturn, Actor::PathHolder, target, &changes, e)?;
        Ok(view(&r))
    })
}

/// Body of "reject".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepReject {
    pub reason: String,
    /// 提供虚假材料: recorded in the integrity file (诚信档案) for 3 years.
    #[serde(default)]
    pub false_materials: bool,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Years a false-materials record stays in the integrity file (七(一)).
pub const INTEGRITY_RECORD_YEARS: i32 = 3;

/// The last day of a record period of `years` starting on `from`.
pub fn record_period_end(from: NaiveDate, years: i32) -> NaiveDate {
    let same_day = from.with_year(from.year() + years).unwrap_or_else(|| {
        // 29 February: the period ends on 28 February of the last year.
        NaiveDate::from_ymd_opt(from.year() + years, 3, 1).expect("valid date")
    });
    same_day.pred_opt().expect("valid date")
}

/// The holder rejects (审核不通过): the application ends for the year. False materials are
/// recorded in the integrity file for three years (四(三), 七(一)).
pub fn reject_step(ctx: &OpCtx<'_>, id: i64, req: StepReject) -> Result<ApplicationView, DomainError> {
    if req.reason.trim().is_empty() {
        return Err(DomainError::invalid("reason", "请填写不通过原因"));
    }
    with_tx(ctx.db, |db| {
        let (r, _steps, _pos) = load_held(ctx, db, id)?;
        check_version(&r, req.version)?;
        let now = stamp(ctx.now);
        let changes = Changes {
            holder_org: Some(None),
            decision_reason: Some(Some(req.reason.trim().to_owned())),
            ..Changes::default()
        };
        let mut e = ctx.by();
        e.opinion = Some(req.reason.trim().to_owned());
        e.detail = Some(serde_json::json!({ "false_materials": req.false_materials }));
        let to = ApplicationState::Rejected;
        transition::apply(db, &r, Action::RejectStep, Actor::PathHolder, to, &changes, e)?;
        if req.false_materials {
            if let Some(cid) = &r.citizen_id {
                let from = shanghai_today(ctx.now);
                let until = record_period_end(from, INTEGRITY_RECORD_YEARS);
                let conduct = format!("提供虚假材料：{}", req.reason.trim());
                let bid = cstore::record_integrity(db, cid, &r.applicant_name, &conduct, from, until, &now)?;
                // 七(一): reported to the national credit platform, queued in this transaction.
                let fraud = super::credit::Fraud {
                    name: &r.applicant_name,
                    citizen_id: cid,
                    conduct: &conduct,
                    decision: "记入职称申报诚信档案库，三年内不得申报",
                    from_on: from.to_string(),
                    until_on: until.to_string(),
                };
                super::credit::queue_blacklisting(db, bid, &fraud, &now)?;
            }
        }
        Ok(view(&store::load(db, id)?.ok_or(DomainError::NotFound(APPLICATION))?))
    })
}

// ---------------------------------------------------------------- recheck and rollback

/// Body of "recheck".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecheckDecision {
    /// Complete, true and eligible?
    pub pass: bool,
    /// The reason (required when it fails; visible to the applicant). Also accepted as
    /// `opinion`, the name its sibling operations (approve, return) take.
    #[serde(default, alias = "opinion")]
    pub reason: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// What an undo restores: every column the final authority's operations change.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Snapshot {
    state: String,
    path_position: Option<i64>,
    holder_org: Option<String>,
    decision_reason: Option<String>,
}

fn snapshot(r: &ApplicationRecord) -> Snapshot {
    Snapshot {
        state: r.state.as_str().into(),
        path_position: r.path_position,
        holder_org: r.holder_org.clone(),
        decision_reason: r.decision_reason.clone(),
    }
}

/// The committee's organising unit rechecks (材料复核, 四(四)): pass → qualified (进入评审);
/// fail → terminated for the year with the reason visible to the applicant. A reversible
/// operation of the final authority (§1.26).
pub fn recheck(ctx: &OpCtx<'_>, id: i64, req: RecheckDecision) -> Result<ApplicationView, DomainError> {
    let reason = req.reason.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if !req.pass && reason.is_none() {
        return Err(DomainError::invalid("reason", "复核不合格须填写原因"));
    }
    with_tx(ctx.db, |db| {
        let (r, _steps, _pos) = load_held(ctx, db, id)?;
        check_version(&r, req.version)?;
        let (action, target) = if req.pass {
            (Action::RecheckPass, ApplicationState::Qualified)
        } else {
            (Action::RecheckFail, ApplicationState::Terminated)
        };
        let now = stamp(ctx.now);
        let changes = Changes {
            holder_org: Some(None),
            decision_reason: Some(if req.pass { None } else { reason.map(|s| format!("材料复核不合格：{s}")) }),
            ..Changes::default()
        };
        let mut e = ctx.by();
        e.opinion = reason.map(str::to_owned);
        let after = transition::apply(db, &r, action, Actor::PathHolder, target, &changes, e)?;
        cstore::insert_operation(
            db,
            &ReversibleOperation {
                id: 0,
                application_id: id,
                kind: action.as_str().into(),
                actor: ctx.who.sub.clone(),
                org: ctx.who.org.clone(),
                before_state: serde_json::to_string(&snapshot(&r)).map_err(|e| DomainError::Internal(e.to_string()))?,
                after_version: after,
                at: now.clone(),
                undone_at: None,
            },
        )?;
        Ok(view(&store::load(db, id)?.ok_or(DomainError::NotFound(APPLICATION))?))
    })
}

/// Body of "approve a 初定 or 认定".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveTitle {
    /// 核准文号: carried on the certificate as the approval document.
    pub doc_no: String,
    /// The approval date (default: today, Asia/Shanghai); never in the future.
    #[serde(default)]
    pub approved_on: Option<NaiveDate>,
    #[serde(default)]
    pub opinion: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// 初定 / 认定 (annex 3 §1.4–1.5): the acceptance institution that rechecked the
/// application approves it with a document number — no plan, no vote — and it is ready
/// for its certificate (which names the institution and the method).
pub fn approve_title(ctx: &OpCtx<'_>, id: i64, req: ApproveTitle) -> Result<ApplicationView, DomainError> {
    let doc_no = req.doc_no.trim();
    if doc_no.is_empty() || doc_no.chars().count() > 100 {
        return Err(DomainError::invalid("doc_no", "请填写核准文号（不超过100字）"));
    }
    let today = shanghai_today(ctx.now);
    let approved_on = req.approved_on.unwrap_or(today);
    if approved_on > today {
        return Err(DomainError::invalid("approved_on", "核准日期不能晚于今天"));
    }
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        next_states(r.state, Action::ApproveTitle, Actor::PathHolder).map_err(|e| map_transition(r.state, e))?;
        if req.version.is_some_and(|v| v != r.version) {
            return Err(stale());
        }
        let form = form_of(&r)?;
        let method = form.acquisition();
        let Some(institution) = form.institution.filter(|_| method != Method::Review) else {
            return Err(DomainError::conflict(
                ErrorCode::MethodMismatch,
                &[&id, &method.label(), &"直接核准（评审须经评委会表决）"],
            ));
        };
        // Only the acceptance institution that rechecked it (the path's last step).
        if stored_path(&r)?.last().is_none_or(|s| s.org != ctx.who.org) {
            return Err(DomainError::conflict(ErrorCode::NotYourStep, &[]));
        }
        cstore::insert_title_approval(
            db,
            &cstore::TitleApproval {
                application_id: id,
                method: method.as_str().to_owned(),
                institution_id: institution,
                doc_no: doc_no.to_owned(),
                approved_on: approved_on.to_string(),
            },
            &ctx.who.sub,
            &ctx.who.org,
            &stamp(ctx.now),
        )?;
        let changes = Changes { voted_on: Some(Some(approved_on.to_string())), ..Changes::default() };
        let mut e = ctx.by();
        e.opinion = req.opinion.clone();
        e.detail = Some(serde_json::json!({ "doc_no": doc_no, "approved_on": approved_on, "method": method.as_str() }));
        let r = transition::apply_returning(
            db,
            &r,
            Action::ApproveTitle,
            Actor::PathHolder,
            ApplicationState::Filed,
            &changes,
            e,
        )?;
        Ok(view(&r))
    })
}

/// The reversible operations of an application, latest first (province).
pub fn operations(ctx: &OpCtx<'_>, id: i64) -> Result<Vec<ReversibleOperation>, DomainError> {
    ctx.require_role(Role::Province)?;
    load_visible(ctx, ctx.db, id)?;
    Ok(cstore::operations(ctx.db, id)?)
}

/// Body of "undo".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Undo {
    /// Why (recorded in the audit trail).
    pub reason: String,
    /// The operation the caller means to undo; refused unless it is the latest.
    #[serde(default)]
    pub operation_id: Option<i64>,
}

/// The province undoes the latest not-yet-undone operation of the final authority on an
/// application — judges' opinions, votes, scores, material re-reviews, the tally, the
/// committee's recheck — restoring exactly the prior state (§1.26). One at a time, latest
/// first; anything done to the application since makes the undo refuse (409).
pub fn undo_latest(ctx: &OpCtx<'_>, id: i64, req: Undo) -> Result<ApplicationView, DomainError> {
    ctx.require_role(Role::Province)?;
    if req.reason.trim().is_empty() {
        return Err(DomainError::invalid("reason", "请填写回退原因"));
    }
    with_tx(ctx.db, |db| {
        let r = load_visible(ctx, db, id)?;
        let op = cstore::operations(db, id)?
            .into_iter()
            .find(|o| o.undone_at.is_none())
            .ok_or_else(|| DomainError::conflict(ErrorCode::NothingToUndo, &[]))?;
        if req.operation_id.is_some_and(|want| want != op.id) {
            return Err(DomainError::conflict(
                ErrorCode::UndoOutOfOrder,
                &[&format!("最近的操作是 {}（{}）", op.id, op.kind)],
            ));
        }
        let now = stamp(ctx.now);
        let province = Actor::Role(Role::Province);
        let mut e = ctx.by();
        e.opinion = Some(req.reason.trim().to_owned());
        e.detail = Some(serde_json::json!({ "operation_id": op.id, "undone": op.kind, "by_org": op.org }));
        match op.kind.as_str() {
            "recheck_pass" | "recheck_fail" => {
                if op.after_version != r.version {
                    return Err(DomainError::conflict(
                        ErrorCode::UndoOutOfOrder,
                        &[&"该操作之后申报已有新的变化，须先回退后续操作"],
                    ));
                }
                let before: Snapshot = serde_json::from_str(&op.before_state)
                    .map_err(|e| DomainError::Internal(format!("snapshot: {e}")))?;
                let prior = ApplicationState::parse(&before.state)
                    .ok_or_else(|| DomainError::Internal(format!("snapshot state {}", before.state)))?;
                let changes = Changes {
                    path_position: Some(before.path_position),
                    holder_org: Some(before.holder_org.clone()),
                    decision_reason: Some(before.decision_reason.clone()),
                    ..Changes::default()
                };
                transition::apply(db, &r, Action::Undo, province, prior, &changes, e)?;
            }
            "tally" => {
                let changes = crate::workflow::evaluation::undo_tally(db, &r, &op)?;
                transition::apply(db, &r, Action::Undo, province, ApplicationState::InPlan, &changes, e)?;
            }
            k if k.starts_with("judge_") => {
                next_states(r.state, Action::Undo, province).map_err(|e| map_transition(r.state, e))?;
                crate::workflow::evaluation::undo_judge_operation(db, id, &op, &now)?;
                transition::record_in_place(db, &r, Action::Undo, province, e)?;
            }
            other => return Err(DomainError::Internal(format!("unknown operation kind {other}"))),
        }
        if !cstore::mark_undone(db, op.id, &ctx.who.sub, &now)? {
            return Err(stale());
        }
        Ok(view(&store::load(db, id)?.ok_or(DomainError::NotFound(APPLICATION))?))
    })
}

// ---------------------------------------------------------------- transfer

/// Which applications a transfer moves: selected ids, or every one matching a query.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    #[serde(default)]
    pub application_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub query: Option<TransferQuery>,
    pub to_committee: String,
    pub reason: String,
    /// Answer how many and which, move nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// The query form of a transfer (year, level, committee, state).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferQuery {
    pub batch_year: i32,
    pub committee: String,
    #[serde(default)]
    pub level: Option<crate::domain::application::TitleLevel>,
    #[serde(default)]
    pub state: Option<ApplicationState>,
}

/// What a transfer did (or would do).
#[derive(Debug, Serialize)]
pub struct TransferReport {
    pub dry_run: bool,
    pub count: usize,
    pub application_ids: Vec<i64>,
    pub to_committee: String,
}

/// States an application may be moved to another committee in: not ended, not yet in a
/// plan. Before the path the committee is only a field of the form; on the path (and once
/// qualified) the path is resolved anew for the new committee.
const TRANSFERABLE: [ApplicationState; 10] = [
    ApplicationState::UnitReview,
    ApplicationState::Returned,
    ApplicationState::UnitPublicity,
    ApplicationState::Recommendable,
    ApplicationState::ReturnedToUnit,
    ApplicationState::UpperAudit,
    ApplicationState::FormalReview,
    ApplicationState::ReturnDescending,
    ApplicationState::Recheck,
    ApplicationState::Qualified,
];

/// Where an application on the path (or qualified) lands on the new committee's path:
/// the organisation holding it keeps it at its own step of the new path; an application
/// at (or past) the recheck goes to the new committee's recheck. `None`: the holder is
/// not on the new path (the move is refused: return it and recommend it again).
fn position_on_new_path(r: &ApplicationRecord, old: &[PathStep], new: &[PathStep]) -> Option<usize> {
    let recheck = new.iter().position(|s| s.kind == StepKind::Recheck)?;
    if matches!(r.state, ApplicationState::Qualified | ApplicationState::Recheck) {
        return Some(recheck);
    }
    let pos = r.path_position.unwrap_or(0) as usize;
    let held = old.get(pos)?;
    new.iter().position(|s| s.org == held.org && s.kind == held.kind).filter(|p| *p < recheck)
}

/// Most applications one transfer may move.
pub const MAX_TRANSFER: i64 = 5000;

/// Moves applications to another committee (§1.27): all or nothing — a committee that
/// cannot review one of them (R20: specialty, series, level, validity) refuses the whole
/// move. One audit event per application.
pub fn transfer(ctx: &OpCtx<'_>, req: Transfer) -> Result<TransferReport, DomainError> {
    ctx.require_role(Role::Province)?;
    if req.reason.trim().is_empty() {
        return Err(DomainError::invalid("reason", "请填写调整原因"));
    }
    with_tx(ctx.db, |db| {
        let rows: Vec<ApplicationRecord> = match (&req.application_ids, &req.query) {
            (Some(ids), None) => {
                if ids.is_empty() {
                    return Err(DomainError::invalid("application_ids", "请选择申报"));
                }
                let mut v = Vec::new();
                for (i, id) in ids.iter().enumerate() {
                    let r = store::load(db, *id)?.filter(|r| r.state != ApplicationState::Draft).ok_or_else(|| {
                        DomainError::invalid(format!("application_ids[{i}]"), format!("申报 {id} 不存在"))
                    })?;
                    v.push(r);
                }
                v
            }
            (None, Some(q)) => {
                let f = ListFilter {
                    state: q.state,
                    batch_year: Some(q.batch_year),
                    level: q.level.map(|l| cstore::level_name(l).to_owned()),
                    committee: Some(q.committee.clone()),
                    ..ListFilter::default()
                };
                store::select_all(db, ListScope::All, &f, MAX_TRANSFER)?
            }
            _ => {
                return Err(DomainError::invalid(
                    "application_ids",
                    "请二选一：指定申报（application_ids）或按条件（query）",
                ))
            }
        };
        let committee = cstore::committee_facts(db, &req.to_committee)?
            .ok_or_else(|| DomainError::invalid("to_committee", "目标评委会不存在"))?;
        let today = shanghai_today(ctx.now);
        // The new path of each application already on one: (steps, position).
        let mut new_paths: Vec<Option<(Vec<PathStep>, usize)>> = Vec::new();
        for r in &rows {
            if !TRANSFERABLE.contains(&r.state) {
                return Err(DomainError::conflict(ErrorCode::TransferState, &[&r.id, &r.state.label()]));
            }
            let mut form = form_of(r)?;
            form.committee = Some(req.to_committee.clone());
            let q = query_of(r, &form)?;
            if r.path.is_some() && (r.state.is_on_path() || r.state == ApplicationState::Qualified) {
                let old = stored_path(r)?;
                let steps = resolve_path(db, &q, today)?.map_err(|b| {
                    path_error(PathBreak {
                        message: format!("申报 {}：{}（本次调整未执行）", r.id, b.message), ..b
                    })
                })?;
                let pos = position_on_new_path(r, &old, &steps).ok_or_else(|| {
                    DomainError::conflict(
                        ErrorCode::TransferState,
                        &[
                            &r.id,
                            &format!("{}（当前审核单位不在新评委会的审核路径上，请退回后重新推荐）", r.state.label()),
                        ],
                    )
                })?;
                new_paths.push(Some((steps, pos)));
            } else {
                new_paths.push(None);
            }
            let pq = PathQuery {
                unit: &r.unit_org,
                series: &q.series,
                specialty: &q.specialty,
                level: q.level,
                method: q.method,
                today,
            };
            path::check_committee(&pq, &committee).map_err(|b| {
                DomainError::path_break(&PathBreak {
                    message: format!("申报 {}：{}（本次调整未执行）", r.id, b.message),
                    ..b
                })
            })?;
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        if !req.dry_run {
            for (r, new_path) in rows.iter().zip(new_paths) {
                // The whole form is written back, its ID number as the same token.
                let mut form = crate::pii::open_form(db, &r.form)?;
                let from = form.committee.replace(req.to_committee.clone());
                let (cols, form_json) = crate::pii::protect_form_columns(db, &form)?;
                let mut changes = Changes { form: Some(form_json), form_columns: Some(cols), ..Changes::default() };
                let mut detail = serde_json::json!({ "from_committee": from, "to_committee": req.to_committee });
                let mut to = r.state;
                if let Some((steps, pos)) = new_path {
                    if r.state == ApplicationState::Qualified {
                        to = ApplicationState::Recheck;
                    }
                    changes.path =
                        Some(Some(serde_json::to_string(&steps).map_err(|e| DomainError::Internal(e.to_string()))?));
                    changes.path_position = Some(Some(pos as i64));
                    changes.holder_org = Some(Some(steps[pos].org.clone()));
                    detail["path"] = serde_json::json!(steps);
                    detail["to_org"] = serde_json::json!(steps[pos].org);
                }
                let mut e = ctx.by();
                e.opinion = Some(req.reason.trim().to_owned());
                e.detail = Some(detail);
                transition::apply(db, r, Action::TransferCommittee, Actor::Role(Role::Province), to, &changes, e)?;
            }
        }
        Ok(TransferReport {
            dry_run: req.dry_run,
            count: ids.len(),
            application_ids: ids,
            to_committee: req.to_committee.clone(),
        })
    })
}

// ---------------------------------------------------------------- tracking

/// One step of the path with its status.
#[derive(Debug, Serialize)]
pub struct TrackedStep {
    pub org: String,
    pub org_name: Option<String>,
    pub kind: StepKind,
    pub kind_label: &'static str,
    /// `done`, `current`, or `pending`.
    pub status: &'static str,
}

/// Process tracking (§1.24): where the application is, who holds it, the path, and every
/// step taken.
#[derive(Debug, Serialize)]
pub struct Tracking {
    pub application: ApplicationView,
    /// Who must act now: `applicant`, `unit`, an organisation id, or nobody (ended).
    pub held_by: Option<String>,
    pub held_by_name: Option<String>,
    pub path: Vec<TrackedStep>,
    pub history: Vec<HistoryEntry>,
}

/// Tracking of an application the caller may see.
pub fn tracking(ctx: &OpCtx<'_>, id: i64) -> Result<Tracking, DomainError> {
    let r = load_visible(ctx, ctx.db, id)?;
    let steps: Vec<PathStep> = r.path.as_deref().and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default();
    let names = cstore::organisation_names(
        ctx.db,
        &steps.iter().map(|s| s.org.clone()).chain(std::iter::once(r.unit_org.clone())).collect::<Vec<_>>(),
    )?;
    let pos = r.path_position.map(|p| p as usize);
    let on_path = r.state.is_on_path();
    let path = steps
        .iter()
        .enumerate()
        .map(|(i, s)| TrackedStep {
            org: s.org.clone(),
            org_name: names.get(&s.org).cloned(),
            kind: s.kind,
            kind_label: s.kind.label(),
            status: match (on_path, pos) {
                (true, Some(p)) if i < p => "done",
                (true, Some(p)) if i == p => "current",
                (false, _) if matches!(r.state, ApplicationState::Qualified) => "done",
                _ => "pending",
            },
        })
        .collect();
    use ApplicationState as S;
    let held_by = match r.state {
        S::Draft | S::Returned => Some("applicant".to_owned()),
        S::UnitReview | S::UnitPublicity | S::Recommendable | S::ReturnedToUnit => Some(r.unit_org.clone()),
        _ if on_path => r.holder_org.clone(),
        _ => None,
    };
    let held_by_name = held_by.as_ref().and_then(|h| names.get(h).cloned());
    Ok(Tracking {
        application: view(&r),
        held_by,
        held_by_name,
        path,
        history: audit::history(ctx.db, "application", &id.to_string())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn r21_fraud_is_recorded_for_three_years_ending_the_day_before_the_anniversary() {
        assert_eq!(record_period_end(d("2024-09-30"), INTEGRITY_RECORD_YEARS), d("2027-09-29"));
        assert_eq!(record_period_end(d("2024-01-01"), 3), d("2026-12-31"));
        // Recorded on 29 February: the period ends on 28 February three years later.
        assert_eq!(record_period_end(d("2024-02-29"), 3), d("2027-02-28"));
    }
}
