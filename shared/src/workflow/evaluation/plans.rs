//! Plans.

#[allow(unused_imports)]
use super::*;

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
    /// 一人一议 (八(三)): an individual plan of a park committee for one introduced talent.
    #[serde(default)]
    pub individual: Option<IndividualPlan>,
}

/// The green channel's individual evaluation (一人一议, 八(三)).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndividualPlan {
    /// Why this person is evaluated on their own (recorded, shown to the province).
    pub justification: String,
}

pub(super) fn normal() -> String {
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
    let justification = match &req.individual {
        None => None,
        Some(i) => {
            // 八(三): one person, a dedicated (special) session, its own justification.
            if req.participants.len() != 1 {
                return Err(DomainError::invalid("participants", "一人一议方案只能有一名参评人员"));
            }
            if req.kind != "special" {
                return Err(DomainError::invalid("kind", "一人一议方案须为专场方案（special）"));
            }
            let j = i.justification.trim();
            if j.is_empty() || j.chars().count() > 2000 {
                return Err(DomainError::invalid("individual.justification", "请填写一人一议的理由（不超过2000字）"));
            }
            Some(j.to_owned())
        }
    };
    // 五(三) (R15): the pass-rate control continues — every plan carries its rate.
    let Some(rate) = req.pass_rate_limit_percent else {
        return Err(DomainError::rule("R15", ErrorCode::R15PassRateRequired, &[], Some("pass_rate_limit_percent")));
    };
    if rate == 0 || rate > 100 {
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
        // The province's rate (committee's, else series'): a plan may only lower it, unless
        // it declares the exception in advance (then the plan audit must approve it).
        if let Some(limit) = crate::store::admin::pass_rate_for(db, &committee.id, &committee.series)? {
            if i64::from(rate) > limit && !req.pass_rate_exception {
                return Err(DomainError::rule(
                    "R15",
                    ErrorCode::R15PassRateAboveLimit,
                    &[&rate, &limit],
                    Some("pass_rate_limit_percent"),
                ));
            }
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
            // 初定 and 认定 are approved by their acceptance institution, never judged.
            if r.method != "review" {
                return Err(DomainError::conflict(ErrorCode::MethodMismatch, &[a, &r.method, &"列入评审方案"]));
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
        if justification.is_some() && cstore::park_delegation(db, &req.committee)?.is_none() {
            return Err(DomainError::invalid("individual", "一人一议仅适用于五好园区的专场评委会（八(三)）"));
        }
        p.id = estore::insert_plan(db, &p, &ctx.who.sub, &now)?;
        let mut e = plan_event(ctx, p.id, "create_plan", None, Some("draft"));
        if let Some(j) = &justification {
            estore::insert_individual_plan(db, p.id, req.participants[0], j, &ctx.who.sub, &now)?;
            e.detail = Some(serde_json::json!({"individual": true, "justification": j}));
        }
        audit::record(db, &e)?;
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
    /// 五(三): approves the plan's declared pass rate above the province's.
    #[serde(default)]
    pub approve_pass_rate_exception: bool,
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
        // 五(三): a rate above the province's needs its approval, here, explicitly.
        let committee = cstore::committee_facts(db, &p.committee_id)?.ok_or(DomainError::NotFound("评委会"))?;
        let limit = crate::store::admin::pass_rate_for(db, &p.committee_id, &committee.series)?;
        let over = match (limit, p.pass_rate_limit_percent) {
            (Some(l), Some(r)) if i64::from(r) > l => Some((l, i64::from(r))),
            _ => None,
        };
        if let (true, Some((l, r))) = (req.approve, over) {
            if !req.approve_pass_rate_exception {
                return Err(DomainError::rule(
                    "R15",
                    ErrorCode::R15PassRateExceptionNotApproved,
                    &[&r, &l],
                    Some("approve_pass_rate_exception"),
                ));
            }
            crate::store::admin::approve_plan_pass_rate(db, id, l, r, &ctx.who.sub, &now)?;
        }
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
        if let (true, Some((l, r))) = (req.approve, over) {
            e.detail =
                Some(serde_json::json!({ "pass_rate_exception_approved": { "province_limit": l, "plan_rate": r } }));
        }
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
