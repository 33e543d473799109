//! Interviews.

#[allow(unused_imports)]
use super::*;

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
