//! Tally and results.

#[allow(unused_imports)]
use super::*;

pub(super) fn score_of(db: &dyn Db, plan: &Plan, app: i64) -> Result<f64, DomainError> {
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
pub(super) type QuotaKeys = BTreeMap<i64, (String, bool)>;

pub(super) fn controls(
    db: &dyn Db,
    plan: &Plan,
    apps: &[ApplicationRecord],
) -> Result<(Controls, QuotaKeys), DomainError> {
    let mut remaining = BTreeMap::new();
    let mut units = BTreeMap::new();
    // 八(三): a 一人一议 plan is outside quota counting.
    let individual = estore::individual_plan(db, plan.id)?.is_some();
    for a in apps {
        let key = format!("{}|{}|{}", a.unit_org, a.series, a.target_level);
        // R10 (三(二)): the quota double control binds senior titles of public institutions.
        let senior = cstore::parse_level(&a.target_level).is_some_and(|l| l.is_senior());
        let public =
            senior && !individual && cstore::organisation_by_id(db, &a.unit_org)?.is_some_and(|o| o.public_institution);
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
            // A plan's declared rate binds even when it is an approved exception (五(三));
            // only a plan of before the rate was required, with no rate, went unlimited.
            pass_rate_exception: plan.pass_rate_exception && plan.pass_rate_limit_percent.is_none(),
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

pub(super) fn apply_results(
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
