//! The publicity timer (`publicity-timer`, cron and HTTP): closes unit publicity once its
//! working days have passed (R11), and result publicity too (R18, [`super::results`]). Idempotent: each application moves once, however
//! often or late the job runs.

use super::transition;
use super::{shanghai_today, stamp};
use crate::audit::AuditEvent;
use crate::domain::application::{next_state, Action, Actor};
use crate::error::{DomainError, ErrorCode};
use crate::store::applications::{self as store, Changes};
use crate::store::{with_tx, Db};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// How many applications one run handles per transaction.
const CHUNK: i64 = 200;

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TimerReport {
    /// Applications whose unit publicity was closed (now recommendable).
    pub closed_unit_publicity: Vec<i64>,
    /// Result publicity (六(一), R18): closed publicities, people who passed them, and
    /// sessions newly flagged (publicity not opened within 3 working days of the vote;
    /// filing not requested within 15 working days).
    #[serde(flatten)]
    pub results: super::results::ResultTimerReport,
}

/// Whether a run closed any publicity (unit or result): the audit chain is then anchored.
pub fn closed_any(report: &TimerReport) -> bool {
    !report.closed_unit_publicity.is_empty() || !report.results.closed_result_publicity.is_empty()
}

/// Closes every unit publicity whose last day is before today (Asia/Shanghai) and that
/// has no pending objection. `job` names the actor in the audit trail.
pub fn run(db: &dyn Db, now: DateTime<Utc>, job: &str) -> Result<TimerReport, DomainError> {
    let today = shanghai_today(now).to_string();
    let at = stamp(now);
    let mut report = TimerReport::default();
    loop {
        let moved = with_tx(db, |db| {
            let due = store::due_unit_publicity(db, &today, CHUNK)?;
            let mut moved = Vec::new();
            for id in due {
                let Some(r) = store::load(db, id)? else { continue };
                let next = next_state(r.state, Action::ClosePublicity, Actor::System)
                    .map_err(|_| DomainError::Internal(format!("application {id} not in publicity")))?;
                let changes = Changes { publicity_closed_on: Some(today.clone()), ..Changes::default() };
                let by = AuditEvent {
                    subject_kind: String::new(),
                    subject_id: String::new(),
                    actor: format!("system:{job}"),
                    role: "system".into(),
                    org: String::new(),
                    action: String::new(),
                    from_state: None,
                    to_state: None,
                    opinion: None,
                    detail: Some(serde_json::json!({
                        "publicity_end": r.publicity_end,
                        "closed_on": today,
                    })),
                    at: at.clone(),
                };
                // Another run moved it first: skip it, as before (idempotent timer).
                match transition::apply(db, &r, Action::ClosePublicity, Actor::System, next, &changes, by) {
                    Ok(_) => moved.push(id),
                    Err(DomainError::Conflict { code: ErrorCode::ApplicationStale, .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok::<_, DomainError>(moved)
        })?;
        let done = (moved.len() as i64) < CHUNK;
        report.closed_unit_publicity.extend(moved);
        if done {
            report.results = super::results::run_timer(db, now, job)?;
            return Ok(report);
        }
    }
}
