//! Accountability (notice 七(二)–(四), issue 13): the province suspends an expert from the
//! pool for a period or removes them, with the reason, and reinstates them; a suspension for
//! a period ends after its last day (lifted at the next draw or listing, recorded as the
//! system's). Judges' and staff members' integrity records keep who, what, the decision and
//! its period. Every change is audited.

use super::{shanghai_today, stamp, OpCtx, Page, PageRequest};
use crate::audit;
use crate::auth::Role;
use crate::error::{DomainError, ErrorCode};
use crate::store::accountability::{self as store, IntegrityRecord, Suspension};
use crate::store::evaluation::{self as estore, Expert};
use crate::store::{with_tx, Db};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

const EXPERT: &str = "专家";

/// Body of "suspend or remove an expert".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suspend {
    /// `suspend` (暂停, for a period) or `remove` (取消评委资格).
    pub kind: String,
    /// Why (at most 500 characters).
    pub reason: String,
    /// The last day of a suspension (today or later); absent for a removal.
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

fn text<'a>(field: &str, v: &'a str, max: usize, what: &str) -> Result<&'a str, DomainError> {
    let t = v.trim();
    if t.is_empty() {
        return Err(DomainError::invalid(field, format!("请填写{what}")));
    }
    if t.chars().count() > max {
        return Err(DomainError::invalid(field, format!("{what}不超过{max}字")));
    }
    Ok(t)
}

/// Lifts the suspensions whose last day passed before `today` (the system's act, audited).
pub fn lift_expired(ctx: &OpCtx<'_>, db: &dyn Db) -> Result<Vec<String>, DomainError> {
    let today = shanghai_today(ctx.now).to_string();
    let mut lifted = Vec::new();
    for expert in store::expired(db, &today)? {
        if store::lift(db, &expert, "system", "暂停期满", &stamp(ctx.now))? {
            let mut e = ctx.event("expert", &expert, "reinstate_expert");
            e.actor = "system".into();
            e.detail = Some(serde_json::json!({ "reason": "暂停期满" }));
            audit::record(db, &e)?;
            lifted.push(expert);
        }
    }
    Ok(lifted)
}

/// The province suspends (for a period) or removes an expert; the expert leaves the pool
/// at once and is never drawn while suspended.
pub fn suspend(ctx: &OpCtx<'_>, expert: &str, req: Suspend) -> Result<Vec<Suspension>, DomainError> {
    ctx.require_role(Role::Province)?;
    let reason = text("reason", &req.reason, 500, "暂停或取消的原因")?;
    let today = shanghai_today(ctx.now);
    let until = match (req.kind.as_str(), req.until) {
        ("suspend", Some(d)) if d >= today => Some(d.to_string()),
        ("suspend", Some(_)) => return Err(DomainError::invalid("until", "暂停截止日期不能早于今天")),
        ("suspend", None) => return Err(DomainError::invalid("until", "请填写暂停截止日期")),
        ("remove", None) => None,
        ("remove", Some(_)) => return Err(DomainError::invalid("until", "取消评委资格不设期限")),
        _ => return Err(DomainError::invalid("kind", "处理方式须为 suspend（暂停）或 remove（取消评委资格）")),
    };
    with_tx(ctx.db, |db| {
        lift_expired(ctx, db)?;
        let e = estore::expert_by_id(db, expert)?.ok_or(DomainError::NotFound(EXPERT))?;
        if !store::suspend(
            db,
            &e.id,
            &req.kind,
            reason,
            &today.to_string(),
            until.as_deref(),
            &ctx.who.sub,
            &stamp(ctx.now),
        )? {
            return Err(DomainError::conflict(ErrorCode::InvalidState, &[&"该专家已暂停或已取消评委资格"]));
        }
        let mut ev = ctx.event("expert", &e.id, if req.kind == "remove" { "remove_expert" } else { "suspend_expert" });
        ev.opinion = Some(reason.to_owned());
        ev.detail = Some(serde_json::json!({ "kind": req.kind, "until": until }));
        audit::record(db, &ev)?;
        Ok(store::suspensions_of(db, &e.id)?)
    })
}

/// Body of "reinstate".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reinstate {
    pub reason: String,
}

/// The province reinstates a suspended (or removed) expert, with the reason.
pub fn reinstate(ctx: &OpCtx<'_>, expert: &str, req: Reinstate) -> Result<Vec<Suspension>, DomainError> {
    ctx.require_role(Role::Province)?;
    let reason = text("reason", &req.reason, 500, "恢复的原因")?;
    with_tx(ctx.db, |db| {
        let e = estore::expert_by_id(db, expert)?.ok_or(DomainError::NotFound(EXPERT))?;
        if !store::lift(db, &e.id, &ctx.who.sub, reason, &stamp(ctx.now))? {
            return Err(DomainError::conflict(ErrorCode::InvalidState, &[&"该专家未被暂停或取消评委资格"]));
        }
        let mut ev = ctx.event("expert", &e.id, "reinstate_expert");
        ev.opinion = Some(reason.to_owned());
        audit::record(db, &ev)?;
        Ok(store::suspensions_of(db, &e.id)?)
    })
}

/// An expert's suspensions and removals, newest first (the expired ones lifted first).
pub fn suspensions(ctx: &OpCtx<'_>, expert: &str) -> Result<Vec<Suspension>, DomainError> {
    with_tx(ctx.db, |db| {
        lift_expired(ctx, db)?;
        estore::expert_by_id(db, expert)?.ok_or(DomainError::NotFound(EXPERT))?;
        Ok(store::suspensions_of(db, expert)?)
    })
}

/// An expert of the pool as the pool list shows it: the expert and the suspension or
/// removal in force (七(二)), if any.
#[derive(Debug, Serialize)]
pub struct PoolEntry {
    #[serde(flatten)]
    pub expert: Expert,
    /// The suspension or removal in force; `null` for an active expert.
    pub suspension: Option<Suspension>,
}

/// The expert pool, by id, paginated; `status` (`active` / `suspended`) filters. Expired
/// suspensions are lifted first, so the list shows who may be drawn today.
pub fn list_experts(ctx: &OpCtx<'_>, status: Option<&str>, page: PageRequest) -> Result<Page<PoolEntry>, DomainError> {
    if !matches!(ctx.who.role, Role::Province | Role::CommitteeOrg) {
        return Err(DomainError::Forbidden);
    }
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s @ ("active" | "suspended")) => Some(s),
        Some(_) => return Err(DomainError::invalid("status", "状态须为 active（在库）或 suspended（暂停或取消）")),
    };
    with_tx(ctx.db, |db| {
        lift_expired(ctx, db)?;
        let (experts, total) = estore::list_experts(db, status, page.limit(), page.offset())?;
        let items = experts
            .into_iter()
            .map(|e| Ok(PoolEntry { suspension: store::open_suspension(db, &e.id)?, expert: e }))
            .collect::<Result<Vec<_>, DomainError>>()?;
        Ok(Page { items, page: page.page, page_size: page.page_size, total })
    })
}

/// Body of "record an integrity entry".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    /// `judge` (an expert of the pool) or `staff` (a staff member of an organisation).
    pub subject_kind: String,
    /// The expert id (judge), or the person's or operator's reference (staff).
    pub subject_ref: String,
    pub subject_name: String,
    /// The organisation the subject acted for.
    pub org: String,
    /// What happened (违规行为).
    pub conduct: String,
    /// The decision (处理决定).
    pub decision: String,
    pub from_on: NaiveDate,
    #[serde(default)]
    pub until_on: Option<NaiveDate>,
}

/// The province records an integrity entry of a judge or a staff member (七(二)–(四)).
pub fn record(ctx: &OpCtx<'_>, req: NewRecord) -> Result<IntegrityRecord, DomainError> {
    ctx.require_role(Role::Province)?;
    if !matches!(req.subject_kind.as_str(), "judge" | "staff") {
        return Err(DomainError::invalid("subject_kind", "对象须为 judge（评委）或 staff（工作人员）"));
    }
    let subject_ref = text("subject_ref", &req.subject_ref, 64, "对象编号")?;
    let name = text("subject_name", &req.subject_name, 50, "姓名")?;
    let org = text("org", &req.org, 100, "所在单位")?;
    let conduct = text("conduct", &req.conduct, 1000, "违规行为")?;
    let decision = text("decision", &req.decision, 500, "处理决定")?;
    if req.until_on.is_some_and(|u| u < req.from_on) {
        return Err(DomainError::invalid("until_on", "截止日期不能早于起始日期"));
    }
    with_tx(ctx.db, |db| {
        if req.subject_kind == "judge" && estore::expert_by_id(db, subject_ref)?.is_none() {
            return Err(DomainError::invalid("subject_ref", "评委须为专家库中的专家编号"));
        }
        let mut r = IntegrityRecord {
            id: 0,
            subject_kind: req.subject_kind.clone(),
            subject_ref: subject_ref.to_owned(),
            subject_name: name.to_owned(),
            org: org.to_owned(),
            conduct: conduct.to_owned(),
            decision: decision.to_owned(),
            from_on: req.from_on.to_string(),
            until_on: req.until_on.map(|d| d.to_string()),
            recorded_by: ctx.who.sub.clone(),
            recorded_at: stamp(ctx.now),
        };
        r.id = store::insert_record(db, &r)?;
        let mut ev = ctx.event("integrity_record", r.id, "record_integrity");
        ev.detail = Some(serde_json::json!({ "subject_kind": r.subject_kind, "subject_ref": r.subject_ref }));
        audit::record(db, &ev)?;
        Ok(r)
    })
}

/// Integrity records (of one kind, or all), newest first, a page.
pub fn records(ctx: &OpCtx<'_>, kind: Option<&str>, page: PageRequest) -> Result<Page<IntegrityRecord>, DomainError> {
    ctx.require_role(Role::Province)?;
    if kind.is_some_and(|k| !matches!(k, "judge" | "staff")) {
        return Err(DomainError::invalid("subject_kind", "对象须为 judge 或 staff"));
    }
    let (items, total) = store::records(ctx.db, kind, page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}
