//! The committee's evaluation (五, annex 2 §1.2.2–1.2.5, §1.3, §1.4; annex 3 §1.13–1.14,
//! §1.23): review plans audited by the province (R13), the verifiable judge draw with
//! recusal (R14), interview notices, the judges' work inside their window, anonymous
//! ballots (R16), the tally with pass-rate (R15) and quota (R10) control, the offline
//! path, the confidential archive, and the reversible operations the province may undo.

use super::applications::{load_visible, view, ApplicationView};
use super::transition;
use super::{shanghai_today, stamp, OpCtx, Page, PageRequest};
use crate::audit::{self, AuditEvent};
use crate::auth::Role;
use crate::domain::application::{Action, Actor, ApplicationState};
use crate::domain::evaluation::{
    self as ev, Controls, ExpertNeed, Outcome, PassRule, PoolExpert, Recusal, ScoringItem, Tallied,
};
use crate::error::{DomainError, ErrorCode};
use crate::store::applications::{self as astore, ApplicationRecord, Changes};
use crate::store::chain::{self as cstore, ReversibleOperation};
use crate::store::evaluation::{self as estore, Expert, Plan};
use crate::store::{reference, with_tx, Db, Value};
use chrono::{Days, NaiveDate};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};

const PLAN: &str = "评审方案";

fn plan_event(ctx: &OpCtx<'_>, id: i64, action: &str, from: Option<&str>, to: Option<&str>) -> AuditEvent {
    AuditEvent {
        from_state: from.map(str::to_owned),
        to_state: to.map(str::to_owned),
        ..ctx.event("review_plan", id, action)
    }
}

fn date(s: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| DomainError::Internal(format!("stored date {s}: {e}")))
}

fn stale() -> DomainError {
    DomainError::conflict(ErrorCode::PlanStale, &[])
}

/// Loads a plan the caller may see: its organising unit, the province; judges only their own.
fn load_plan(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<Plan, DomainError> {
    let p = estore::plan_by_id(db, id)?.ok_or(DomainError::NotFound(PLAN))?;
    let visible = match ctx.who.role {
        Role::Province => true,
        Role::CommitteeOrg => p.organising_org == ctx.who.org,
        Role::Judge => estore::judges(db, id)?.iter().any(|(e, _, s)| e == &ctx.who.sub && s == "drawn"),
        _ => false,
    };
    if visible {
        Ok(p)
    } else {
        Err(DomainError::NotFound(PLAN))
    }
}

fn own_plan(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<Plan, DomainError> {
    ctx.require_role(Role::CommitteeOrg)?;
    load_plan(ctx, db, id)
}

// ---------------------------------------------------------------- plans

/// Body of "create plan".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePlan {
    pub committee: String,
    pub batch_year: i32,
    #[serde(default = "normal")]
    pub kind: String,
    #[serde(default)]
    pub offline: bool,
    pub review_start: NaiveDate,
    pub judging_end: NaiveDate,
    pub place: String,
    #[serde(default)]
    pub pass_rule: Option<PassRule>,
    #[serde(default)]
    pub pass_rate_limit_percent: Option<u32>,
    #[serde(default)]
    pub pass_rate_exception: bool,
    #[serde(default)]
    pub exception_reason: Option<String>,
    #[serde(default)]
    pub scoring_rules: Vec<ScoringItem>,
    #[serde(default)]
    pub expert_needs: Vec<ExpertNeed>,
    pub participants: Vec<i64>,
    /// SHA-256 (hex) of the secret seed the committee will reveal at the draw.
    #[serde(default)]
    pub seed_commitment: Option<String>,
}

fn normal() -> String {
    "normal".into()
}

/// The committee's organising unit creates a plan (draft) for its qualified applications.
pub fn create_plan(ctx: &OpCtx<'_>, req: CreatePlan) -> Result<Plan, DomainError> {
    ctx.require_role(Role::CommitteeOrg)?;
    if !matches!(req.kind.as_str(), "normal" | "special") {
        return Err(DomainError::invalid("kind", "方案类型须为 normal 或 special"));
    }
    if req.place.trim().is_empty() {
        return Err(DomainError::invalid("place", "请填写评审地点"));
    }
    if req.judging_end < req.review_start {
        return Err(DomainError::invalid("judging_end", "评审结束日期不能早于开评日期"));
    }
    if req.participants.is_empty() {
        return Err(DomainError::invalid("participants", "请选择参评人员"));
    }
    if req.pass_rate_limit_percent.is_some_and(|p| p == 0 || p > 100) {
        return Err(DomainError::invalid("pass_rate_limit_percent", "通过率须在1到100之间"));
    }
    if req.pass_rate_exception && req.exception_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(DomainError::invalid("exception_reason", "突破通过率须事先说明理由"));
    }
    let rule = req.pass_rule.unwrap_or_default();
    if rule.denominator == 0 || rule.numerator == 0 || rule.numerator > rule.denominator {
        return Err(DomainError::invalid("pass_rule", "表决通过规则无效"));
    }
    if !req.scoring_rules.is_empty() && req.scoring_rules.iter().map(|s| s.weight).sum::<u32>() != 100 {
        return Err(DomainError::invalid("scoring_rules", "量化评分项权重之和须为100"));
    }
    if !req.offline {
        if req.expert_needs.is_empty() || req.expert_needs.iter().any(|n| n.count == 0 || n.specialty.trim().is_empty())
        {
            return Err(DomainError::invalid("expert_needs", "请填写各专业组所需评委人数"));
        }
        let c = req.seed_commitment.as_deref().unwrap_or("");
        if c.len() != 64 || !c.chars().all(|ch| ch.is_ascii_hexdigit()) {
            return Err(DomainError::invalid("seed_commitment", "请提供抽取种子的 SHA-256 承诺值（64位十六进制）"));
        }
    }
    with_tx(ctx.db, |db| {
        let committee = cstore::committee_facts(db, &req.committee)?
            .ok_or_else(|| DomainError::invalid("committee", "评委会不存在"))?;
        if committee.organising_org != ctx.who.org {
            return Err(DomainError::invalid("committee", "只能为本单位组建的评委会制定评审方案"));
        }
        let batch = reference::batch_for(db, req.batch_year, &req.committee)?
            .ok_or_else(|| DomainError::invalid("batch_year", "年度评审批次尚未设立"))?;
        ev::check_voting_deadline(req.judging_end, batch.voting_deadline, Some("judging_end"))?;
        let mut seen = HashSet::new();
        for (i, a) in req.participants.iter().enumerate() {
            let field = format!("participants[{i}]");
            if !seen.insert(*a) {
                return Err(DomainError::invalid(field, "参评人员重复"));
            }
            let r =
                astore::load(db, *a)?.ok_or_else(|| DomainError::invalid(field.clone(), format!("申报 {a} 不存在")))?;
            if let Some(cid) = &r.citizen_id {
                if estore::failed_this_year(db, cid, r.batch_year)? {
                    return Err(DomainError::rule("R16", ErrorCode::R16NoRejudging, &[a], Some(&field)));
                }
            }
            if r.state != ApplicationState::Qualified || r.committee != req.committee || r.batch_year != req.batch_year
            {
                return Err(DomainError::invalid(field, format!("申报 {a} 不是本评委会本年度复核合格的申报")));
            }
            if estore::in_other_plan(db, *a)? {
                return Err(DomainError::invalid(field, format!("申报 {a} 已列入其他评审方案")));
            }
        }
        let now = stamp(ctx.now);
        let mut p = Plan {
            id: 0,
            committee_id: req.committee.clone(),
            organising_org: ctx.who.org.clone(),
            batch_year: req.batch_year,
            kind: req.kind.clone(),
            offline: req.offline,
            review_start: req.review_start.to_string(),
            judging_end: req.judging_end.to_string(),
            place: req.place.trim().to_owned(),
            pass_numerator: rule.numerator,
            pass_denominator: rule.denominator,
            pass_rate_limit_percent: req.pass_rate_limit_percent,
            pass_rate_exception: req.pass_rate_exception,
            exception_reason: req.exception_reason.clone(),
            scoring_rules: serde_json::to_value(&req.scoring_rules).unwrap_or_default(),
            expert_needs: serde_json::to_value(&req.expert_needs).unwrap_or_default(),
            seed_commitment: req.seed_commitment.as_deref().map(str::to_ascii_lowercase),
            status: "draft".into(),
            audit_opinion: None,
            submitted_at: None,
            audited_at: None,
            tallied_on: None,
            version: 1,
            participants: req.participants.clone(),
        };
        p.id = estore::insert_plan(db, &p, &ctx.who.sub, &now)?;
        audit::record(db, &plan_event(ctx, p.id, "create_plan", None, Some("draft")))?;
        estore::plan_by_id(db, p.id)?.ok_or(DomainError::NotFound(PLAN))
    })
}

/// The plan is submitted to the province, at least 10 (self-review units) or 15 (others)
/// working days before the review starts (R13, 五(一)).
pub fn submit_plan(ctx: &OpCtx<'_>, id: i64) -> Result<Plan, DomainError> {
    with_tx(ctx.db, |db| {
        let p = own_plan(ctx, db, id)?;
        if p.status != "draft" && p.status != "rejected" {
            return Err(DomainError::conflict(ErrorCode::InvalidState, &[&"只有草稿或被退回的方案可以报送"]));
        }
        let batch = reference::batch_for(db, p.batch_year, &p.committee_id)?
            .ok_or_else(|| DomainError::Internal("batch vanished".into()))?;
        let self_review = cstore::organisation_by_id(db, &p.organising_org)?.is_some_and(|o| o.self_review);
        let lead = if self_review { batch.plan_lead_working_days_self } else { batch.plan_lead_working_days_other };
        let latest = reference::calendar(db)?.subtract_working_days(date(&p.review_start)?, lead)?;
        let today = shanghai_today(ctx.now);
        if today > latest {
            let who = if self_review { "自主评审单位" } else { "高评会组建单位" };
            return Err(DomainError::rule(
                "R13",
                ErrorCode::R13PlanTooLate,
                &[&who, &lead, &p.review_start, &latest, &today],
                Some("review_start"),
            ));
        }
        let now = stamp(ctx.now);
        if !estore::set_plan_status(
            db,
            id,
            p.version,
            &p.status,
            "submitted",
            &[("submitted_at", now.as_str().into())],
            &now,
        )? {
            return Err(stale());
        }
        audit::record(db, &plan_event(ctx, id, "submit_plan", Some(&p.status), Some("submitted")))?;
        estore::plan_by_id(db, id)?.ok_or(DomainError::NotFound(PLAN))
    })
}

/// Body of a plan audit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditPlan {
    pub approve: bool,
    #[serde(default)]
    pub opinion: Option<String>,
}

/// The province audits a submitted plan — normal and special plans by different desks.
/// On approval its participants enter the plan (no plan, no judging).
pub fn audit_plan(ctx: &OpCtx<'_>, id: i64, req: AuditPlan) -> Result<Plan, DomainError> {
    ctx.require_role(Role::Province)?;
    let opinion = req.opinion.as_deref().map(str::trim).unwrap_or("");
    if !req.approve && opinion.is_empty() {
        return Err(DomainError::invalid("opinion", "不予核准须填写意见"));
    }
    with_tx(ctx.db, |db| {
        let p = load_plan(ctx, db, id)?;
        if p.status != "submitted" {
            return Err(DomainError::conflict(ErrorCode::InvalidState, &[&"该方案不在待审核状态"]));
        }
        let desk = estore::audit_desk(db, &p.kind)?.unwrap_or_default();
        if desk != ctx.who.org {
            return Err(DomainError::conflict(
                ErrorCode::PlanAuditDesk,
                &[&if p.kind == "special" { "专场" } else { "常规" }, &desk],
            ));
        }
        let now = stamp(ctx.now);
        let to = if req.approve { "approved" } else { "rejected" };
        let extra = [
            ("audit_opinion", Value::from(opinion)),
            ("audited_by", ctx.who.sub.as_str().into()),
            ("audited_at", now.as_str().into()),
        ];
        if !estore::set_plan_status(db, id, p.version, "submitted", to, &extra, &now)? {
            return Err(stale());
        }
        if req.approve {
            for a in &p.participants {
                let r = astore::load(db, *a)?.ok_or(DomainError::NotFound("申报"))?;
                if r.state != ApplicationState::Qualified {
                    return Err(DomainError::conflict(ErrorCode::ParticipantState, &[a, &r.state.label()]));
                }
                let changes = Changes { plan_id: Some(Some(id)), ..Changes::default() };
                let mut e = ctx.by();
                e.detail = Some(serde_json::json!({ "plan_id": id }));
                let province = Actor::Role(Role::Province);
                transition::apply(db, &r, Action::EnterPlan, province, ApplicationState::InPlan, &changes, e)?;
            }
        }
        let mut e = plan_event(ctx, id, "audit_plan", Some("submitted"), Some(to));
        e.opinion = Some(opinion.to_owned()).filter(|o| !o.is_empty());
        audit::record(db, &e)?;
        estore::plan_by_id(db, id)?.ok_or(DomainError::NotFound(PLAN))
    })
}

/// Plans the caller may see (organising unit: its own; province: all).
pub fn list_plans(ctx: &OpCtx<'_>, page: PageRequest) -> Result<Page<Plan>, DomainError> {
    let org = match ctx.who.role {
        Role::CommitteeOrg => Some(ctx.who.org.as_str()),
        Role::Province => None,
        _ => return Err(DomainError::Forbidden),
    };
    let (items, total) = estore::list_plans(ctx.db, org, page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

/// One plan.
pub fn get_plan(ctx: &OpCtx<'_>, id: i64) -> Result<Plan, DomainError> {
    load_plan(ctx, ctx.db, id)
}

// ---------------------------------------------------------------- experts

/// Body of "add expert".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewExpert {
    pub id: String,
    pub name: String,
    pub citizen_id: crate::domain::citizen_id::CitizenId,
    pub specialty: String,
    pub org: String,
    pub title: String,
}

/// Hash of an ID number as kept for recusal (the number itself is not stored).
pub fn person_hash(citizen_id: &str) -> String {
    crate::audit::hex(&Sha256::digest(citizen_id.as_bytes()))
}

/// The province (or a committee's organising unit) adds an expert to the pool.
pub fn add_expert(ctx: &OpCtx<'_>, req: NewExpert) -> Result<Expert, DomainError> {
    if !matches!(ctx.who.role, Role::Province | Role::CommitteeOrg) {
        return Err(DomainError::Forbidden);
    }
    for (f, v) in
        [("id", &req.id), ("name", &req.name), ("specialty", &req.specialty), ("org", &req.org), ("title", &req.title)]
    {
        if v.trim().is_empty() {
            return Err(DomainError::invalid(f, format!("请填写 {f}")));
        }
    }
    with_tx(ctx.db, |db| {
        let e = Expert {
            id: req.id.trim().to_owned(),
            name: req.name.trim().to_owned(),
            person_hash: person_hash(req.citizen_id.as_str()),
            specialty: req.specialty.trim().to_owned(),
            org: req.org.trim().to_owned(),
            title: req.title.trim().to_owned(),
            status: "active".into(),
        };
        if !estore::insert_expert(db, &e, &stamp(ctx.now))? {
            return Err(DomainError::conflict(ErrorCode::ExpertExists, &[&e.id]));
        }
        audit::record(db, &ctx.event("expert", &e.id, "add_expert"))?;
        Ok(e)
    })
}

/// Body of "declare relation".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub application_id: i64,
    pub relation: String,
}

/// Records an expert's declared relation with an applicant (回避).
pub fn declare_relation(ctx: &OpCtx<'_>, expert: &str, req: Relation) -> Result<serde_json::Value, DomainError> {
    let own_declaration = ctx.who.role == Role::Judge && ctx.who.sub == expert;
    if !(matches!(ctx.who.role, Role::Province | Role::CommitteeOrg) || own_declaration) {
        return Err(DomainError::Forbidden);
    }
    if req.relation.trim().is_empty() {
        return Err(DomainError::invalid("relation", "请填写关系"));
    }
    with_tx(ctx.db, |db| {
        estore::expert_by_id(db, expert)?.ok_or(DomainError::NotFound("专家"))?;
        astore::load(db, req.application_id)?.ok_or_else(|| DomainError::invalid("application_id", "申报不存在"))?;
        estore::insert_relation(db, expert, req.application_id, req.relation.trim())?;
        let mut ev = ctx.event("expert", expert, "declare_relation");
        ev.detail = Some(serde_json::json!({ "application_id": req.application_id }));
        audit::record(db, &ev)?;
        Ok(serde_json::json!({ "expert_id": expert, "application_id": req.application_id }))
    })
}

// ---------------------------------------------------------------- the draw

/// Body of "draw".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawRequest {
    /// The secret seed, revealed now; must hash to the plan's commitment.
    pub seed: String,
    /// The supervising observer (监督人, 纪委).
    pub supervisor: String,
}

fn recusal_for(db: &dyn Db, p: &Plan) -> Result<Recusal, DomainError> {
    let mut r = Recusal::default();
    for a in &p.participants {
        let app = astore::load(db, *a)?.ok_or(DomainError::NotFound("申报"))?;
        r.participant_orgs.insert(app.unit_org.clone());
        if let Some(c) = &app.citizen_id {
            r.participant_persons.insert(person_hash(c));
        }
    }
    r.related_experts.extend(estore::related_experts(db, &p.participants)?);
    Ok(r)
}

fn needs_of(p: &Plan) -> Result<Vec<ExpertNeed>, DomainError> {
    serde_json::from_value(p.expert_needs.clone()).map_err(|e| DomainError::Internal(format!("needs: {e}")))
}

/// Draws the judges on the day before the review (R14), under the recorded supervisor:
/// the revealed seed must match the commitment; the panel is a deterministic function
/// of the seed and the pool snapshot, so anyone can replay it.
pub fn draw(ctx: &OpCtx<'_>, id: i64, req: DrawRequest) -> Result<serde_json::Value, DomainError> {
    if req.supervisor.trim().is_empty() {
        return Err(DomainError::invalid("supervisor", "请填写监督人"));
    }
    with_tx(ctx.db, |db| {
        let p = own_plan(ctx, db, id)?;
        if p.offline {
            return Err(DomainError::conflict(ErrorCode::PlanOffline, &[]));
        }
        if p.status != "approved" {
            return Err(DomainError::conflict(ErrorCode::PlanNotApproved, &[]));
        }
        let day_before =
            date(&p.review_start)?.checked_sub_days(Days::new(1)).ok_or(DomainError::Internal("date".into()))?;
        let today = shanghai_today(ctx.now);
        if today != day_before {
            return Err(DomainError::conflict(ErrorCode::DrawNotToday, &[&day_before]));
        }
        if p.seed_commitment.as_deref() != Some(ev::commitment(&req.seed).as_str()) {
            return Err(DomainError::invalid("seed", "种子与方案核准时的承诺值不符"));
        }
        let pool: Vec<PoolExpert> = estore::active_experts(db)?
            .into_iter()
            .map(|e| PoolExpert { id: e.id, specialty: e.specialty, org: e.org, person: e.person_hash })
            .collect();
        let recusal = recusal_for(db, &p)?;
        let needs = needs_of(&p)?;
        let panel = ev::draw(&req.seed, &pool, &needs, &recusal).map_err(|s| {
            DomainError::conflict(
                ErrorCode::DrawShortfall,
                &[&format!("“{}”专业可抽取专家 {} 人，所需 {} 人", s.specialty, s.available, s.needed)],
            )
        })?;
        let now = stamp(ctx.now);
        let snapshot = serde_json::to_string(&pool).map_err(|e| DomainError::Internal(e.to_string()))?;
        let recusal_json = serde_json::to_string(&recusal).map_err(|e| DomainError::Internal(e.to_string()))?;
        let panel_json = serde_json::to_string(&panel).map_err(|e| DomainError::Internal(e.to_string()))?;
        estore::insert_draw(
            db,
            id,
            &req.seed,
            &snapshot,
            &ev::snapshot_hash(&pool),
            &recusal_json,
            &panel_json,
            req.supervisor.trim(),
            &ctx.who.sub,
            &now,
        )?;
        for (i, ids) in panel.iter().enumerate() {
            for e in ids {
                estore::insert_judge(db, id, e, i, None)?;
            }
        }
        if !estore::set_plan_status(
            db,
            id,
            p.version,
            "approved",
            "drawn",
            &[("seed", req.seed.as_str().into())],
            &now,
        )? {
            return Err(stale());
        }
        let mut e = plan_event(ctx, id, "draw_judges", Some("approved"), Some("drawn"));
        e.detail =
            Some(serde_json::json!({ "supervisor": req.supervisor.trim(), "snapshot_hash": ev::snapshot_hash(&pool) }));
        audit::record(db, &e)?;
        estore::draw_record(db, id)?.ok_or(DomainError::NotFound("抽取记录"))
    })
}

/// The draw record (seed, snapshot, recusal, panel) for anyone allowed to see the plan.
pub fn draw_record(ctx: &OpCtx<'_>, id: i64) -> Result<serde_json::Value, DomainError> {
    if ctx.who.role == Role::Judge {
        return Err(DomainError::NotFound(PLAN));
    }
    load_plan(ctx, ctx.db, id)?;
    let mut rec = estore::draw_record(ctx.db, id)?.ok_or(DomainError::NotFound("抽取记录"))?;
    rec["judges"] = serde_json::to_value(
        estore::judges(ctx.db, id)?
            .into_iter()
            .map(|(e, n, s)| serde_json::json!({"expert_id": e, "need_index": n, "status": s}))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    Ok(rec)
}

/// A drawn expert declines; the substitute is the next in the same deterministic order.
pub fn decline(ctx: &OpCtx<'_>, id: i64, expert: &str) -> Result<serde_json::Value, DomainError> {
    with_tx(ctx.db, |db| {
        let p = own_plan(ctx, db, id)?;
        if p.status != "drawn" {
            return Err(DomainError::conflict(ErrorCode::InvalidState, &[&"评委尚未抽取或评审已结束"]));
        }
        let judges = estore::judges(db, id)?;
        let need_index =
            judges.iter().find(|(e, _, _)| e == expert).map(|(_, n, _)| *n).ok_or(DomainError::NotFound("评委"))?;
        if !estore::decline_judge(db, id, expert)? {
            return Err(DomainError::conflict(ErrorCode::JudgeNotDrawn, &[]));
        }
        let rec = estore::draw_record(db, id)?.ok_or(DomainError::NotFound("抽取记录"))?;
        let seed = rec["seed"].as_str().unwrap_or_default().to_owned();
        let pool: Vec<PoolExpert> =
            serde_json::from_value(rec["snapshot"].clone()).map_err(|e| DomainError::Internal(e.to_string()))?;
        let recusal: Recusal =
            serde_json::from_value(rec["recusal"].clone()).map_err(|e| DomainError::Internal(e.to_string()))?;
        let needs = needs_of(&p)?;
        let already: HashSet<String> = judges.iter().map(|(e, _, _)| e.clone()).collect();
        let sub = ev::substitute(&seed, &pool, need_index, &needs[need_index], &recusal, &already)
            .ok_or_else(|| DomainError::conflict(ErrorCode::DrawShortfall, &[&"没有可递补的专家"]))?;
        estore::insert_judge(db, id, &sub, need_index, Some(expert))?;
        let mut e = plan_event(ctx, id, "substitute_judge", None, None);
        e.detail = Some(serde_json::json!({ "declined": expert, "substitute": sub }));
        audit::record(db, &e)?;
        Ok(serde_json::json!({ "declined": expert, "substitute": sub }))
    })
}

// ---------------------------------------------------------------- interviews

/// Body of "interview notice".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterviewNotice {
    pub application_id: i64,
    pub scheduled_at: chrono::NaiveDateTime,
    pub place: String,
}

/// Schedules and notifies a participant's interview (面试答辩通知).
pub fn notify_interview(ctx: &OpCtx<'_>, id: i64, req: InterviewNotice) -> Result<serde_json::Value, DomainError> {
    if req.place.trim().is_empty() {
        return Err(DomainError::invalid("place", "请填写答辩地点"));
    }
    with_tx(ctx.db, |db| {
        let p = own_plan(ctx, db, id)?;
        if !p.participants.contains(&req.application_id) {
            return Err(DomainError::invalid("application_id", "不是本方案的参评人员"));
        }
        if !matches!(p.status.as_str(), "approved" | "drawn") {
            return Err(DomainError::conflict(ErrorCode::InvalidState, &[&"方案核准后方可通知答辩"]));
        }
        let at = req.scheduled_at.format("%Y-%m-%dT%H:%M").to_string();
        estore::upsert_interview(db, id, req.application_id, &at, req.place.trim(), &stamp(ctx.now))?;
        let mut e = ctx.application_event(
            req.application_id,
            "interview_notice",
            ApplicationState::InPlan,
            ApplicationState::InPlan,
        );
        e.detail = Some(serde_json::json!({ "plan_id": id, "scheduled_at": at, "place": req.place.trim() }));
        audit::record(db, &e)?;
        Ok(
            serde_json::json!({ "plan_id": id, "application_id": req.application_id, "scheduled_at": at, "place": req.place.trim() }),
        )
    })
}

/// The interview notices of one of the caller's applications.
pub fn interviews(ctx: &OpCtx<'_>, application: i64) -> Result<Vec<serde_json::Value>, DomainError> {
    load_visible(ctx, ctx.db, application)?;
    Ok(estore::interviews_of(ctx.db, application)?)
}

// ---------------------------------------------------------------- judges' work

/// What a judge does for one participant (§1.3).
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum JudgeAct {
    /// 材料复审
    MaterialReview {
        pass: bool,
        #[serde(default)]
        reason: Option<String>,
    },
    /// 面试评分 (0–100)
    InterviewScore { score: u32 },
    /// 材料评分: one score (0–100) per scoring item
    MaterialScore { scores: BTreeMap<String, u32> },
    /// 投票
    Vote { choice: String },
    /// 评审意见
    Opinion { text: String },
}

fn act_kind(a: &JudgeAct) -> &'static str {
    match a {
        JudgeAct::MaterialReview { .. } => "material_review",
        JudgeAct::InterviewScore { .. } => "interview_score",
        JudgeAct::MaterialScore { .. } => "material_score",
        JudgeAct::Vote { .. } => "vote",
        JudgeAct::Opinion { .. } => "opinion",
    }
}

fn random_id() -> Result<String, DomainError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| DomainError::Internal(format!("random: {e}")))?;
    Ok(crate::audit::hex(&b))
}

/// A judge acts on a participant: only a judge drawn for the plan, only inside its
/// judging window, only on its participants; no ballot after the voting deadline (R17);
/// one ballot per judge and participant, stored without any reference to the judge (R16).
pub fn judge_act(
    ctx: &OpCtx<'_>,
    plan_id: i64,
    application: i64,
    act: JudgeAct,
) -> Result<serde_json::Value, DomainError> {
    ctx.require_role(Role::Judge)?;
    let kind = act_kind(&act);
    let value = match &act {
        JudgeAct::MaterialReview { pass, reason } => {
            if !pass && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(DomainError::invalid("reason", "复审不通过须填写原因"));
            }
            serde_json::json!({ "pass": pass, "reason": reason })
        }
        JudgeAct::InterviewScore { score } => {
            if *score > 100 {
                return Err(DomainError::invalid("score", "评分须在0到100之间"));
            }
            serde_json::json!({ "score": score })
        }
        JudgeAct::MaterialScore { scores } => {
            if scores.values().any(|s| *s > 100) {
                return Err(DomainError::invalid("scores", "评分须在0到100之间"));
            }
            serde_json::json!({ "scores": scores })
        }
        JudgeAct::Vote { choice } => {
            if !matches!(choice.as_str(), "agree" | "disagree" | "abstain") {
                return Err(DomainError::invalid("choice", "表决须为 agree、disagree 或 abstain"));
            }
            serde_json::Value::Null
        }
        JudgeAct::Opinion { text } => {
            if text.trim().is_empty() {
                return Err(DomainError::invalid("text", "请填写评审意见"));
            }
            serde_json::json!({ "text": text.trim() })
        }
    };
    with_tx(ctx.db, |db| {
        let p = load_plan(ctx, db, plan_id)?;
        if !p.participants.contains(&application) {
            return Err(DomainError::NotFound("参评人员"));
        }
        if p.status != "drawn" {
            return Err(DomainError::conflict(ErrorCode::JudgingClosed, &[]));
        }
        let today = shanghai_today(ctx.now);
        let batch = reference::batch_for(db, p.batch_year, &p.committee_id)?
            .ok_or_else(|| DomainError::Internal("batch".into()))?;
        if today < date(&p.review_start)? || today > date(&p.judging_end)? {
            return Err(DomainError::conflict(ErrorCode::OutsideJudgingWindow, &[&p.review_start, &p.judging_end]));
        }
        if kind == "vote" {
            ev::check_voting_deadline(today, batch.voting_deadline, None)?;
        }
        let app = astore::load(db, application)?.ok_or(DomainError::NotFound("申报"))?;
        if app.state != ApplicationState::InPlan {
            return Err(DomainError::conflict(ErrorCode::InvalidState, &[&"该参评人员已完成评审"]));
        }
        let now = stamp(ctx.now);
        let before = if let JudgeAct::Vote { choice } = &act {
            if !estore::cast_ballot(db, plan_id, application, &ctx.who.sub, &random_id()?, choice)? {
                return Err(DomainError::conflict(ErrorCode::AlreadyVoted, &[]));
            }
            serde_json::json!({ "phase": "vote" })
        } else {
            let prior = estore::judge_review(db, plan_id, application, &ctx.who.sub, kind)?;
            estore::set_judge_review(db, plan_id, application, &ctx.who.sub, kind, Some(&value.to_string()), &now)?;
            serde_json::json!({ "expert": ctx.who.sub, "kind": kind, "prior": prior })
        };
        // The province may undo judges' operations latest first (§1.26). Votes are undone as
        // a whole per participant, so the log never ties a judge to a ballot.
        let latest = cstore::operations(db, application)?.into_iter().find(|o| o.undone_at.is_none());
        let same_vote_phase = kind == "vote" && latest.as_ref().is_some_and(|o| o.kind == "judge_vote");
        if !same_vote_phase {
            cstore::insert_operation(
                db,
                &ReversibleOperation {
                    id: 0,
                    application_id: application,
                    kind: format!("judge_{kind}"),
                    actor: if kind == "vote" { "judges".into() } else { ctx.who.sub.clone() },
                    org: p.organising_org.clone(),
                    before_state: serde_json::json!({ "plan_id": plan_id, "before": before }).to_string(),
                    after_version: app.version,
                    at: now.clone(),
                    undone_at: None,
                },
            )?;
        }
        Ok(serde_json::json!({ "recorded": kind }))
    })
}

/// Undoes one judge operation (called by the province's undo): restores the judge's
/// prior review of that kind, or removes all ballots of the participant for a vote phase.
pub(crate) fn undo_judge_operation(
    db: &dyn Db,
    application: i64,
    op: &ReversibleOperation,
    now: &str,
) -> Result<(), DomainError> {
    let rec: serde_json::Value =
        serde_json::from_str(&op.before_state).map_err(|e| DomainError::Internal(e.to_string()))?;
    let plan_id = rec["plan_id"].as_i64().ok_or_else(|| DomainError::Internal("op plan".into()))?;
    let app = astore::load(db, application)?.ok_or(DomainError::NotFound("申报"))?;
    if app.state != ApplicationState::InPlan {
        return Err(DomainError::conflict(ErrorCode::UndoOutOfOrder, &[&"须先回退评审结果"]));
    }
    if op.kind == "judge_vote" {
        estore::clear_ballots(db, plan_id, application)?;
    } else {
        let b = &rec["before"];
        let expert = b["expert"].as_str().unwrap_or_default();
        let kind = b["kind"].as_str().unwrap_or_default();
        estore::set_judge_review(db, plan_id, application, expert, kind, b["prior"].as_str(), now)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- tally and results

fn score_of(db: &dyn Db, plan: &Plan, app: i64) -> Result<f64, DomainError> {
    let rules: Vec<ScoringItem> = serde_json::from_value(plan.scoring_rules.clone()).unwrap_or_default();
    let mut totals = Vec::new();
    for (_, kind, v) in estore::reviews_of(db, plan.id, app)? {
        match kind.as_str() {
            "material_score" if !rules.is_empty() => {
                let scores: BTreeMap<String, u32> = serde_json::from_value(v["scores"].clone()).unwrap_or_default();
                totals.push(ev::weighted_score(&rules, &scores));
            }
            "interview_score" => totals.push(v["score"].as_f64().unwrap_or(0.0)),
            _ => {}
        }
    }
    Ok(if totals.is_empty() { 0.0 } else { totals.iter().sum::<f64>() / totals.len() as f64 })
}

/// Per participant: the quota key (unit, series, level) and whether it is a public institution.
type QuotaKeys = BTreeMap<i64, (String, bool)>;

fn controls(db: &dyn Db, plan: &Plan, apps: &[ApplicationRecord]) -> Result<(Controls, QuotaKeys), DomainError> {
    let mut remaining = BTreeMap::new();
    let mut units = BTreeMap::new();
    for a in apps {
        let key = format!("{}|{}|{}", a.unit_org, a.series, a.target_level);
        let public = cstore::organisation_by_id(db, &a.unit_org)?.is_some_and(|o| o.public_institution);
        if public && !remaining.contains_key(&key) {
            let (approved, _) = cstore::quota_usage(db, &a.unit_org, a.batch_year, &a.series, &a.target_level, 0)?;
            let passed = estore::passed_count(db, &a.unit_org, a.batch_year, &a.series, &a.target_level)?;
            remaining.insert(key.clone(), approved - passed);
        }
        units.insert(a.id, (key, public));
    }
    Ok((
        Controls {
            pass_rate_limit_percent: plan.pass_rate_limit_percent,
            pass_rate_exception: plan.pass_rate_exception,
            remaining_quota: remaining,
        },
        units,
    ))
}

/// One participant's counts for the offline path.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfflineResult {
    pub application_id: i64,
    pub agree: u32,
    pub disagree: u32,
    #[serde(default)]
    pub abstain: u32,
    pub present: u32,
}

/// Body of "offline results".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfflineResults {
    pub voted_on: NaiveDate,
    pub results: Vec<OfflineResult>,
}

fn apply_results(
    ctx: &OpCtx<'_>,
    db: &dyn Db,
    plan: &Plan,
    counts: Vec<(i64, u32, u32, u32, u32, f64)>,
    voted_on: NaiveDate,
    offline: bool,
) -> Result<Vec<serde_json::Value>, DomainError> {
    let apps: Vec<ApplicationRecord> =
        counts.iter().map(|c| astore::load(db, c.0)?.ok_or(DomainError::NotFound("申报"))).collect::<Result<_, _>>()?;
    let (controls, units) = controls(db, plan, &apps)?;
    let tallied: Vec<Tallied> = counts
        .iter()
        .map(|&(id, agree, disagree, abstain, present, score)| {
            let (unit, public) = units.get(&id).cloned().unwrap_or_default();
            Tallied {
                application_id: id,
                unit_org: unit,
                public_institution: public,
                agree,
                disagree,
                abstain,
                present,
                score,
            }
        })
        .collect();
    let rule = PassRule { numerator: plan.pass_numerator, denominator: plan.pass_denominator };
    let now = stamp(ctx.now);
    let voted = voted_on.to_string();
    for (id, outcome, rank) in ev::decide(rule, &controls, &tallied) {
        let t = tallied.iter().find(|t| t.application_id == id).ok_or(DomainError::Internal("tally".into()))?;
        let r = apps.iter().find(|a| a.id == id).ok_or(DomainError::Internal("tally".into()))?;
        let target = if outcome == Outcome::Passed { ApplicationState::Passed } else { ApplicationState::NotPassed };
        let outcome_name =
            serde_json::to_value(outcome).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        estore::insert_result(
            db,
            plan.id,
            id,
            (t.agree, t.disagree, t.abstain, t.present),
            t.score,
            &outcome_name,
            rank,
            &voted,
            offline,
        )?;
        let reason = match outcome {
            Outcome::Passed => None,
            Outcome::FailedVote => Some("评审表决未达到通过票数".to_owned()),
            Outcome::OverPassRate => Some("超出评委会通过率控制".to_owned()),
            Outcome::OverQuota => Some("超出单位核定评审职数".to_owned()),
        };
        let changes = Changes {
            voted_on: Some(Some(voted.clone())),
            decision_reason: Some(reason.clone()),
            ..Changes::default()
        };
        let mut e = ctx.by();
        e.opinion = reason;
        e.detail = Some(
            serde_json::json!({ "plan_id": plan.id, "outcome": outcome_name, "agree": t.agree, "present": t.present, "rank": rank }),
        );
        let action = if offline { Action::EnterOfflineResult } else { Action::Tally };
        let after = transition::apply(db, r, action, Actor::Role(Role::CommitteeOrg), target, &changes, e)?;
        cstore::insert_operation(
            db,
            &ReversibleOperation {
                id: 0,
                application_id: id,
                kind: "tally".into(),
                actor: ctx.who.sub.clone(),
                org: ctx.who.org.clone(),
                before_state: serde_json::json!({ "plan_id": plan.id, "state": r.state.as_str(), "decision_reason": r.decision_reason, "voted_on": r.voted_on }).to_string(),
                after_version: after,
                at: now.clone(),
                undone_at: None,
            },
        )?;
    }
    Ok(estore::results(db, plan.id)?)
}

/// Tallies the anonymous ballots of a drawn plan (by its organising unit): pass rule,
/// then pass-rate control, then quota double control. No tally after the voting deadline.
pub fn tally(ctx: &OpCtx<'_>, id: i64) -> Result<Vec<serde_json::Value>, DomainError> {
    with_tx(ctx.db, |db| {
        let p = own_plan(ctx, db, id)?;
        if p.status != "drawn" {
            return Err(DomainError::conflict(ErrorCode::InvalidState, &[&"该方案不能计票"]));
        }
        let today = shanghai_today(ctx.now);
        let batch = reference::batch_for(db, p.batch_year, &p.committee_id)?
            .ok_or_else(|| DomainError::Internal("batch".into()))?;
        ev::check_voting_deadline(today, batch.voting_deadline, None)?;
        let present = estore::judges(db, id)?.iter().filter(|(_, _, s)| s == "drawn").count() as u32;
        let mut counts = Vec::new();
        for a in &p.participants {
            let (agree, disagree, abstain) = estore::ballot_counts(db, id, *a)?;
            counts.push((*a, agree, disagree, abstain, present, score_of(db, &p, *a)?));
        }
        let out = apply_results(ctx, db, &p, counts, today, false)?;
        let now = stamp(ctx.now);
        if !estore::set_plan_status(
            db,
            id,
            p.version,
            "drawn",
            "tallied",
            &[("tallied_on", today.to_string().into())],
            &now,
        )? {
            return Err(stale());
        }
        audit::record(db, &plan_event(ctx, id, "tally", Some("drawn"), Some("tallied")))?;
        Ok(out)
    })
}

/// The offline path (§1.2.5 其他事项): a committee that met offline enters results
/// directly — no draw, no interview — still with pass-rate and quota control, audited.
pub fn offline_results(ctx: &OpCtx<'_>, id: i64, req: OfflineResults) -> Result<Vec<serde_json::Value>, DomainError> {
    with_tx(ctx.db, |db| {
        let p = own_plan(ctx, db, id)?;
        if !p.offline {
            return Err(DomainError::conflict(ErrorCode::PlanOnline, &[]));
        }
        if p.status != "approved" {
            return Err(DomainError::conflict(ErrorCode::PlanNotApproved, &[]));
        }
        let batch = reference::batch_for(db, p.batch_year, &p.committee_id)?
            .ok_or_else(|| DomainError::Internal("batch".into()))?;
        ev::check_voting_deadline(req.voted_on, batch.voting_deadline, Some("voted_on"))?;
        if req.voted_on < date(&p.review_start)? || req.voted_on > shanghai_today(ctx.now) {
            return Err(DomainError::invalid("voted_on", "表决日期须在开评日期之后且不晚于今日"));
        }
        let mut seen = HashSet::new();
        for (i, r) in req.results.iter().enumerate() {
            if !p.participants.contains(&r.application_id) || !seen.insert(r.application_id) {
                return Err(DomainError::invalid(format!("results[{i}].application_id"), "不是本方案的参评人员或重复"));
            }
            if r.present == 0 || r.agree + r.disagree + r.abstain > r.present {
                return Err(DomainError::invalid(format!("results[{i}].present"), "票数之和不能超过出席评委人数"));
            }
        }
        if seen.len() != p.participants.len() {
            return Err(DomainError::invalid("results", "须录入本方案全部参评人员的结果"));
        }
        let counts =
            req.results.iter().map(|r| (r.application_id, r.agree, r.disagree, r.abstain, r.present, 0.0)).collect();
        let out = apply_results(ctx, db, &p, counts, req.voted_on, true)?;
        let now = stamp(ctx.now);
        if !estore::set_plan_status(
            db,
            id,
            p.version,
            "approved",
            "tallied",
            &[("tallied_on", req.voted_on.to_string().into())],
            &now,
        )? {
            return Err(stale());
        }
        audit::record(db, &plan_event(ctx, id, "enter_offline_results", Some("approved"), Some("tallied")))?;
        Ok(out)
    })
}

/// Undoes a tally for one participant (called by the province's undo, which moves the
/// application back into the plan with the returned changes): deletes the result.
pub(crate) fn undo_tally(db: &dyn Db, r: &ApplicationRecord, op: &ReversibleOperation) -> Result<Changes, DomainError> {
    let rec: serde_json::Value =
        serde_json::from_str(&op.before_state).map_err(|e| DomainError::Internal(e.to_string()))?;
    let plan_id = rec["plan_id"].as_i64().ok_or_else(|| DomainError::Internal("op plan".into()))?;
    if op.after_version != r.version {
        return Err(DomainError::conflict(
            ErrorCode::UndoOutOfOrder,
            &[&"该操作之后申报已有新的变化，须先回退后续操作"],
        ));
    }
    estore::delete_result(db, plan_id, r.id)?;
    Ok(Changes {
        voted_on: Some(rec["voted_on"].as_str().map(str::to_owned)),
        decision_reason: Some(rec["decision_reason"].as_str().map(str::to_owned)),
        ..Changes::default()
    })
}

/// The results of a tallied plan (organising unit and province).
pub fn results(ctx: &OpCtx<'_>, id: i64) -> Result<Vec<serde_json::Value>, DomainError> {
    if !matches!(ctx.who.role, Role::CommitteeOrg | Role::Province) {
        return Err(DomainError::NotFound(PLAN));
    }
    load_plan(ctx, ctx.db, id)?;
    Ok(estore::results(ctx.db, id)?)
}

/// The confidential archive (R16): ballot counts, scores, opinions and reasons — only
/// for the organising unit and the province, and ballots only after the tally.
pub fn archive(ctx: &OpCtx<'_>, id: i64) -> Result<serde_json::Value, DomainError> {
    if !matches!(ctx.who.role, Role::CommitteeOrg | Role::Province) {
        return Err(DomainError::NotFound(PLAN));
    }
    let p = load_plan(ctx, ctx.db, id)?;
    let mut participants = Vec::new();
    for a in &p.participants {
        let ballots = if p.status == "tallied" {
            let (agree, disagree, abstain) = estore::ballot_counts(ctx.db, id, *a)?;
            serde_json::json!({ "agree": agree, "disagree": disagree, "abstain": abstain })
        } else {
            serde_json::Value::Null
        };
        let reviews: Vec<serde_json::Value> = estore::reviews_of(ctx.db, id, *a)?
            .into_iter()
            .map(|(e, k, v)| serde_json::json!({ "expert_id": e, "kind": k, "value": v }))
            .collect();
        participants.push(serde_json::json!({ "application_id": a, "ballots": ballots, "reviews": reviews }));
    }
    Ok(
        serde_json::json!({ "plan": p, "draw": estore::draw_record(ctx.db, id)?, "participants": participants, "results": estore::results(ctx.db, id)? }),
    )
}

/// A participant as a judge sees it (the plan's participants, for its work).
pub fn judge_participants(ctx: &OpCtx<'_>, id: i64) -> Result<Vec<ApplicationView>, DomainError> {
    ctx.require_role(Role::Judge)?;
    let p = load_plan(ctx, ctx.db, id)?;
    p.participants.iter().map(|a| Ok(view(&astore::load(ctx.db, *a)?.ok_or(DomainError::NotFound("申报"))?))).collect()
}
