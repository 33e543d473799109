//! Judges' work.

#[allow(unused_imports)]
use super::*;

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

pub(super) fn act_kind(a: &JudgeAct) -> &'static str {
    match a {
        JudgeAct::MaterialReview { .. } => "material_review",
        JudgeAct::InterviewScore { .. } => "interview_score",
        JudgeAct::MaterialScore { .. } => "material_score",
        JudgeAct::Vote { .. } => "vote",
        JudgeAct::Opinion { .. } => "opinion",
    }
}

pub(super) fn random_id() -> Result<String, DomainError> {
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
        // a whole per participant, so the log never ties a judge to a ballot; and the vote
        // phase is stamped with its day only (00:00 Asia/Shanghai), never the time of the vote
        // that opened it, so no time ties a judge to voting either (五(四), issue 10).
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
                    at: if kind == "vote" { day_stamp(today) } else { now.clone() },
                    undone_at: None,
                },
            )?;
        }
        Ok(serde_json::json!({ "recorded": kind }))
    })
}

/// The start of `day` in Asia/Shanghai (UTC+8), as a UTC stamp: the only time a vote leaves.
fn day_stamp(day: chrono::NaiveDate) -> String {
    stamp(day.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::hours(8))
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

/// The plans the calling judge was drawn for (annex 2 §1.3): what the judge needs to do its
/// work — the window, the place, the pass rule and the scoring items — and nothing of the
/// draw or of other judges.
pub fn judge_plans(ctx: &OpCtx<'_>) -> Result<Vec<serde_json::Value>, DomainError> {
    ctx.require_role(Role::Judge)?;
    let today = shanghai_today(ctx.now);
    Ok(estore::plans_of_judge(ctx.db, &ctx.who.sub)?
        .into_iter()
        .map(|p| {
            let open =
                date(&p.review_start).is_ok_and(|s| s <= today) && date(&p.judging_end).is_ok_and(|e| today <= e);
            serde_json::json!({
                "id": p.id,
                "committee_id": p.committee_id,
                "batch_year": p.batch_year,
                "kind": p.kind,
                "review_start": p.review_start,
                "judging_end": p.judging_end,
                "place": p.place,
                "pass_numerator": p.pass_numerator,
                "pass_denominator": p.pass_denominator,
                "scoring_rules": p.scoring_rules,
                "status": p.status,
                "participants": p.participants,
                "window_open": open,
            })
        })
        .collect())
}

/// A participant of a plan the calling judge was drawn for, inside the judging window
/// (annex 2 §1.3: the judge re-reviews the materials only then).
fn judged_participant(ctx: &OpCtx<'_>, plan_id: i64, application: i64) -> Result<(), DomainError> {
    ctx.require_role(Role::Judge)?;
    let p = load_plan(ctx, ctx.db, plan_id)?;
    if !p.participants.contains(&application) {
        return Err(DomainError::NotFound("参评人员"));
    }
    let today = shanghai_today(ctx.now);
    if today < date(&p.review_start)? || today > date(&p.judging_end)? {
        return Err(DomainError::conflict(ErrorCode::OutsideJudgingWindow, &[&p.review_start, &p.judging_end]));
    }
    Ok(())
}

/// The materials of a participant, for the judge's material re-review.
pub fn judge_materials(
    ctx: &OpCtx<'_>,
    plan_id: i64,
    application: i64,
) -> Result<Vec<astore::MaterialMeta>, DomainError> {
    judged_participant(ctx, plan_id, application)?;
    Ok(astore::list_materials(ctx.db, application)?)
}

/// One material of a participant: (content type, file name, content).
pub fn judge_material(
    ctx: &OpCtx<'_>,
    plan_id: i64,
    application: i64,
    material: i64,
) -> Result<(String, String, Vec<u8>), DomainError> {
    judged_participant(ctx, plan_id, application)?;
    astore::material_content(ctx.db, application, material)?.ok_or(DomainError::NotFound("材料"))
}
