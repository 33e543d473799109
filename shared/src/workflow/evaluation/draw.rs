//! The draw.

#[allow(unused_imports)]
use super::*;

/// Body of "draw".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawRequest {
    /// The secret seed, revealed now; must hash to the plan's commitment.
    pub seed: String,
    /// The supervising observer (监督人, 纪委).
    pub supervisor: String,
}

pub(super) fn recusal_for(db: &dyn Db, p: &Plan) -> Result<Recusal, DomainError> {
    let mut r = Recusal::default();
    for a in &p.participants {
        let app = astore::load(db, *a)?.ok_or(DomainError::NotFound("申报"))?;
        r.participant_orgs.insert(app.unit_org.clone());
        if let Some(c) = &app.citizen_id {
            r.participant_persons.insert(person_hash(c)?);
        }
    }
    r.related_experts.extend(estore::related_experts(db, &p.participants)?);
    Ok(r)
}

pub(super) fn needs_of(p: &Plan) -> Result<Vec<ExpertNeed>, DomainError> {
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
        // 七(二): suspensions whose last day passed end now; suspended experts stay out.
        crate::workflow::accountability::lift_expired(ctx, db)?;
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
