//! SQL for review plans, experts, draws, judges' work, ballots and results.

use super::{Db, Row, StoreError, Value};
use serde::Serialize;

/// A review plan as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub id: i64,
    pub committee_id: String,
    pub organising_org: String,
    pub batch_year: i32,
    pub kind: String,
    pub offline: bool,
    pub review_start: String,
    pub judging_end: String,
    pub place: String,
    pub pass_numerator: u32,
    pub pass_denominator: u32,
    pub pass_rate_limit_percent: Option<u32>,
    pub pass_rate_exception: bool,
    pub exception_reason: Option<String>,
    pub scoring_rules: serde_json::Value,
    pub expert_needs: serde_json::Value,
    pub seed_commitment: Option<String>,
    pub status: String,
    pub audit_opinion: Option<String>,
    pub submitted_at: Option<String>,
    pub audited_at: Option<String>,
    pub tallied_on: Option<String>,
    pub version: i64,
    pub participants: Vec<i64>,
}

const PLAN_COLUMNS: &str = "id, committee_id, organising_org, batch_year, kind, offline, review_start, judging_end, \
     place, pass_numerator, pass_denominator, pass_rate_limit_percent, pass_rate_exception, exception_reason, \
     scoring_rules, expert_needs, seed_commitment, status, audit_opinion, submitted_at, audited_at, tallied_on, version";

fn json(s: String) -> serde_json::Value {
    serde_json::from_str(&s).unwrap_or_default()
}

fn plan(db: &dyn Db, r: &Row) -> Result<Plan, StoreError> {
    let id = r.int(0)?;
    Ok(Plan {
        id,
        committee_id: r.text(1)?,
        organising_org: r.text(2)?,
        batch_year: r.int(3)? as i32,
        kind: r.text(4)?,
        offline: r.int(5)? != 0,
        review_start: r.text(6)?,
        judging_end: r.text(7)?,
        place: r.text(8)?,
        pass_numerator: r.int(9)? as u32,
        pass_denominator: r.int(10)? as u32,
        pass_rate_limit_percent: r.opt_int(11)?.map(|v| v as u32),
        pass_rate_exception: r.int(12)? != 0,
        exception_reason: r.opt_text(13)?,
        scoring_rules: json(r.text(14)?),
        expert_needs: json(r.text(15)?),
        seed_commitment: r.opt_text(16)?,
        status: r.text(17)?,
        audit_opinion: r.opt_text(18)?,
        submitted_at: r.opt_text(19)?,
        audited_at: r.opt_text(20)?,
        tallied_on: r.opt_text(21)?,
        version: r.int(22)?,
        participants: participants(db, id)?,
    })
}

/// One plan by id, with its participants.
pub fn plan_by_id(db: &dyn Db, id: i64) -> Result<Option<Plan>, StoreError> {
    match db.query_opt(&format!("SELECT {PLAN_COLUMNS} FROM review_plans WHERE id = ?"), &[id.into()])? {
        Some(r) => Ok(Some(plan(db, &r)?)),
        None => Ok(None),
    }
}

/// Plans of an organising unit (or all), newest first.
pub fn list_plans(db: &dyn Db, org: Option<&str>, limit: i64, offset: i64) -> Result<(Vec<Plan>, i64), StoreError> {
    let (filter, params): (&str, Vec<Value>) = match org {
        Some(o) => ("organising_org = ?", vec![o.into()]),
        None => ("1 = 1", vec![]),
    };
    let total = db
        .query_opt(&format!("SELECT COUNT(*) FROM review_plans WHERE {filter}"), &params)?
        .map_or(Ok(0), |r| r.int(0))?;
    let mut p = params;
    p.extend([limit.into(), offset.into()]);
    let rows = db.query(
        &format!("SELECT {PLAN_COLUMNS} FROM review_plans WHERE {filter} ORDER BY id DESC LIMIT ? OFFSET ?"),
        &p,
    )?;
    Ok((rows.iter().map(|r| plan(db, r)).collect::<Result<_, _>>()?, total))
}

/// The participants of a plan.
pub fn participants(db: &dyn Db, plan_id: i64) -> Result<Vec<i64>, StoreError> {
    db.query(
        "SELECT application_id FROM plan_participants WHERE plan_id = ? ORDER BY application_id",
        &[plan_id.into()],
    )?
    .iter()
    .map(|r| r.int(0))
    .collect()
}

const INSERT_PLAN: &str = "INSERT INTO review_plans (committee_id, organising_org, batch_year, kind, offline, \
     review_start, judging_end, place, pass_numerator, pass_denominator, pass_rate_limit_percent, pass_rate_exception, \
     exception_reason, scoring_rules, expert_needs, seed_commitment, status, created_by, created_at, updated_at) \
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?) RETURNING id";

/// Inserts a draft plan with its participants.
pub fn insert_plan(db: &dyn Db, p: &Plan, by: &str, now: &str) -> Result<i64, StoreError> {
    let id = db
        .query(
            INSERT_PLAN,
            &[
                p.committee_id.as_str().into(),
                p.organising_org.as_str().into(),
                p.batch_year.into(),
                p.kind.as_str().into(),
                p.offline.into(),
                p.review_start.as_str().into(),
                p.judging_end.as_str().into(),
                p.place.as_str().into(),
                i64::from(p.pass_numerator).into(),
                i64::from(p.pass_denominator).into(),
                p.pass_rate_limit_percent.map(i64::from).into(),
                p.pass_rate_exception.into(),
                p.exception_reason.clone().into(),
                p.scoring_rules.to_string().into(),
                p.expert_needs.to_string().into(),
                p.seed_commitment.clone().into(),
                by.into(),
                now.into(),
                now.into(),
            ],
        )?
        .first()
        .ok_or_else(|| StoreError::Decode("insert returned no id".into()))?
        .int(0)?;
    for a in &p.participants {
        db.execute("INSERT INTO plan_participants (plan_id, application_id) VALUES (?, ?)", &[id.into(), (*a).into()])?;
    }
    Ok(id)
}

/// Compare-and-set of a plan's status (and audit fields).
pub fn set_plan_status(
    db: &dyn Db,
    id: i64,
    version: i64,
    from: &str,
    to: &str,
    extra: &[(&str, Value)],
    now: &str,
) -> Result<bool, StoreError> {
    let mut sets = vec!["status = ?".to_owned(), "version = version + 1".to_owned(), "updated_at = ?".to_owned()];
    let mut params: Vec<Value> = vec![to.into(), now.into()];
    for (col, v) in extra {
        sets.push(format!("{col} = ?"));
        params.push(v.clone());
    }
    params.extend([id.into(), version.into(), from.into()]);
    let sql =
        format!("UPDATE review_plans SET {} WHERE id = ? AND version = ? AND status = ? RETURNING id", sets.join(", "));
    Ok(!db.query(&sql, &params)?.is_empty())
}

/// Whether the application is a participant of another plan that is not rejected.
pub fn in_other_plan(db: &dyn Db, application_id: i64) -> Result<bool, StoreError> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM plan_participants pp JOIN review_plans p ON p.id = pp.plan_id \
             WHERE pp.application_id = ? AND p.status <> 'rejected' LIMIT 1",
            &[application_id.into()],
        )?
        .is_some())
}

/// Whether the person failed a review this year (R16: never judged again that year).
pub fn failed_this_year(db: &dyn Db, citizen_id: &str, year: i32) -> Result<bool, StoreError> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM applications WHERE citizen_id = ? AND batch_year = ? AND state = 'not_passed' LIMIT 1",
            &[citizen_id.into(), year.into()],
        )?
        .is_some())
}

/// Records the 一人一议 plan's justification (八(三)).
pub fn insert_individual_plan(
    db: &dyn Db,
    plan: i64,
    application: i64,
    justification: &str,
    by: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO individual_plans (plan_id, application_id, justification, created_by, created_at) \
         VALUES (?, ?, ?, ?, ?)",
        &[plan.into(), application.into(), justification.into(), by.into(), now.into()],
    )
}

/// The justification of a 一人一议 plan, if the plan is one.
pub fn individual_plan(db: &dyn Db, plan: i64) -> Result<Option<String>, StoreError> {
    db.query_opt("SELECT justification FROM individual_plans WHERE plan_id = ?", &[plan.into()])?
        .map(|r| r.text(0))
        .transpose()
}

/// The province desk auditing a kind of plan.
pub fn audit_desk(db: &dyn Db, kind: &str) -> Result<Option<String>, StoreError> {
    db.query_opt("SELECT org FROM plan_audit_desks WHERE kind = ?", &[kind.into()])?.map(|r| r.text(0)).transpose()
}

// ---------------------------------------------------------------- experts

/// An expert of the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expert {
    pub id: String,
    pub name: String,
    #[serde(skip)]
    pub person_hash: String,
    pub specialty: String,
    pub org: String,
    pub title: String,
    pub status: String,
}

fn expert(r: &Row) -> Result<Expert, StoreError> {
    Ok(Expert {
        id: r.text(0)?,
        name: r.text(1)?,
        person_hash: r.text(2)?,
        specialty: r.text(3)?,
        org: r.text(4)?,
        title: r.text(5)?,
        status: r.text(6)?,
    })
}

const EXPERT_COLUMNS: &str = "id, name, person_hash, specialty, org, title, status";

/// Inserts an expert; `false` if the id exists.
pub fn insert_expert(db: &dyn Db, e: &Expert, now: &str) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            "INSERT INTO experts (id, name, person_hash, specialty, org, title, status, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id",
            &[
                e.id.as_str().into(),
                e.name.as_str().into(),
                e.person_hash.as_str().into(),
                e.specialty.as_str().into(),
                e.org.as_str().into(),
                e.title.as_str().into(),
                e.status.as_str().into(),
                now.into(),
            ],
        )?
        .is_empty())
}

/// Active experts, sorted by id (the pool snapshot).
pub fn active_experts(db: &dyn Db) -> Result<Vec<Expert>, StoreError> {
    db.query(&format!("SELECT {EXPERT_COLUMNS} FROM experts WHERE status = 'active' ORDER BY id"), &[])?
        .iter()
        .map(expert)
        .collect()
}

/// A page of the pool by id, with the total; `status` (`active` / `suspended`) filters.
pub fn list_experts(
    db: &dyn Db,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Expert>, i64), StoreError> {
    let (filter, params): (&str, Vec<Value>) = match status {
        Some(s) => ("status = ?", vec![s.into()]),
        None => ("1 = 1", vec![]),
    };
    let total =
        db.query_opt(&format!("SELECT COUNT(*) FROM experts WHERE {filter}"), &params)?.map_or(Ok(0), |r| r.int(0))?;
    let mut p = params;
    p.extend([limit.into(), offset.into()]);
    let rows =
        db.query(&format!("SELECT {EXPERT_COLUMNS} FROM experts WHERE {filter} ORDER BY id LIMIT ? OFFSET ?"), &p)?;
    Ok((rows.iter().map(expert).collect::<Result<_, _>>()?, total))
}

/// One expert.
pub fn expert_by_id(db: &dyn Db, id: &str) -> Result<Option<Expert>, StoreError> {
    db.query_opt(&format!("SELECT {EXPERT_COLUMNS} FROM experts WHERE id = ?"), &[id.into()])?
        .as_ref()
        .map(expert)
        .transpose()
}

/// Records a declared relation between an expert and an application.
pub fn insert_relation(db: &dyn Db, expert_id: &str, application_id: i64, relation: &str) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO expert_relations (expert_id, application_id, relation) VALUES (?, ?, ?) \
         ON CONFLICT (expert_id, application_id) DO UPDATE SET relation = excluded.relation",
        &[expert_id.into(), application_id.into(), relation.into()],
    )
}

/// Experts related to any of the applications.
pub fn related_experts(db: &dyn Db, application_ids: &[i64]) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for a in application_ids {
        for r in db.query("SELECT expert_id FROM expert_relations WHERE application_id = ?", &[(*a).into()])? {
            out.push(r.text(0)?);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- draws and judges

/// Stores the draw record.
#[allow(clippy::too_many_arguments)]
pub fn insert_draw(
    db: &dyn Db,
    plan_id: i64,
    seed: &str,
    snapshot: &str,
    snapshot_hash: &str,
    recusal: &str,
    panel: &str,
    supervisor: &str,
    by: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO plan_draws (plan_id, seed, snapshot, snapshot_hash, recusal, panel, supervisor, drawn_by, drawn_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            plan_id.into(),
            seed.into(),
            snapshot.into(),
            snapshot_hash.into(),
            recusal.into(),
            panel.into(),
            supervisor.into(),
            by.into(),
            now.into(),
        ],
    )
}

/// The draw record: (seed, snapshot, snapshot hash, recusal, panel, supervisor, drawn at).
pub fn draw_record(db: &dyn Db, plan_id: i64) -> Result<Option<serde_json::Value>, StoreError> {
    let Some(r) = db.query_opt(
        "SELECT seed, snapshot, snapshot_hash, recusal, panel, supervisor, drawn_at FROM plan_draws WHERE plan_id = ?",
        &[plan_id.into()],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(serde_json::json!({
        "seed": r.text(0)?, "snapshot": json(r.text(1)?), "snapshot_hash": r.text(2)?,
        "recusal": json(r.text(3)?), "panel": json(r.text(4)?), "supervisor": r.text(5)?, "drawn_at": r.text(6)?,
    })))
}

/// Adds a judge to a plan.
pub fn insert_judge(
    db: &dyn Db,
    plan_id: i64,
    expert: &str,
    need: usize,
    substitute_of: Option<&str>,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO plan_judges (plan_id, expert_id, need_index, status, substitute_of) VALUES (?, ?, ?, 'drawn', ?)",
        &[plan_id.into(), expert.into(), (need as i64).into(), substitute_of.map(str::to_owned).into()],
    )
}

/// The plans an expert is drawn for (and has not declined), latest review first.
pub fn plans_of_judge(db: &dyn Db, expert: &str) -> Result<Vec<Plan>, StoreError> {
    let rows = db.query(
        &format!(
            "SELECT {PLAN_COLUMNS} FROM review_plans WHERE id IN \
             (SELECT plan_id FROM plan_judges WHERE expert_id = ? AND status = 'drawn') \
             ORDER BY review_start DESC, id DESC"
        ),
        &[expert.into()],
    )?;
    rows.iter().map(|r| plan(db, r)).collect()
}

/// The judges of a plan: (expert id, need index, status).
pub fn judges(db: &dyn Db, plan_id: i64) -> Result<Vec<(String, usize, String)>, StoreError> {
    db.query(
        "SELECT expert_id, need_index, status FROM plan_judges WHERE plan_id = ? ORDER BY need_index, expert_id",
        &[plan_id.into()],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.int(1)? as usize, r.text(2)?)))
    .collect()
}

/// Marks a drawn judge as declined; `false` if not drawn.
pub fn decline_judge(db: &dyn Db, plan_id: i64, expert: &str) -> Result<bool, StoreError> {
    Ok(!db
        .query(
            "UPDATE plan_judges SET status = 'declined' WHERE plan_id = ? AND expert_id = ? AND status = 'drawn' RETURNING expert_id",
            &[plan_id.into(), expert.into()],
        )?
        .is_empty())
}

/// Records an interview notice.
pub fn upsert_interview(
    db: &dyn Db,
    plan_id: i64,
    app: i64,
    at: &str,
    place: &str,
    now: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO interview_notices (plan_id, application_id, scheduled_at, place, notified_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (plan_id, application_id) DO UPDATE SET scheduled_at = excluded.scheduled_at, place = excluded.place, notified_at = excluded.notified_at",
        &[plan_id.into(), app.into(), at.into(), place.into(), now.into()],
    )
}

/// Interview notices of an application.
pub fn interviews_of(db: &dyn Db, app: i64) -> Result<Vec<serde_json::Value>, StoreError> {
    db.query("SELECT plan_id, scheduled_at, place, notified_at FROM interview_notices WHERE application_id = ?", &[app.into()])?
        .iter()
        .map(|r| Ok(serde_json::json!({"plan_id": r.int(0)?, "scheduled_at": r.text(1)?, "place": r.text(2)?, "notified_at": r.text(3)?})))
        .collect()
}

// ---------------------------------------------------------------- judges' work

/// A judge's review of one kind, if any.
pub fn judge_review(db: &dyn Db, plan: i64, app: i64, expert: &str, kind: &str) -> Result<Option<String>, StoreError> {
    db.query_opt(
        "SELECT value FROM judge_reviews WHERE plan_id = ? AND application_id = ? AND expert_id = ? AND kind = ?",
        &[plan.into(), app.into(), expert.into(), kind.into()],
    )?
    .map(|r| r.text(0))
    .transpose()
}

/// Sets (or, with `None`, removes) a judge's review of one kind.
pub fn set_judge_review(
    db: &dyn Db,
    plan: i64,
    app: i64,
    expert: &str,
    kind: &str,
    value: Option<&str>,
    now: &str,
) -> Result<(), StoreError> {
    match value {
        Some(v) => db.execute(
            "INSERT INTO judge_reviews (plan_id, application_id, expert_id, kind, value, at) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (plan_id, application_id, expert_id, kind) DO UPDATE SET value = excluded.value, at = excluded.at",
            &[plan.into(), app.into(), expert.into(), kind.into(), v.into(), now.into()],
        ),
        None => db.execute(
            "DELETE FROM judge_reviews WHERE plan_id = ? AND application_id = ? AND expert_id = ? AND kind = ?",
            &[plan.into(), app.into(), expert.into(), kind.into()],
        ),
    }
}

/// Every review of a participant of a plan: (expert, kind, value).
pub fn reviews_of(db: &dyn Db, plan: i64, app: i64) -> Result<Vec<(String, String, serde_json::Value)>, StoreError> {
    db.query(
        "SELECT expert_id, kind, value FROM judge_reviews WHERE plan_id = ? AND application_id = ? ORDER BY expert_id, kind",
        &[plan.into(), app.into()],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.text(1)?, json(r.text(2)?))))
    .collect()
}

/// Casts an anonymous ballot and records participation; `false` if the judge already voted.
pub fn cast_ballot(
    db: &dyn Db,
    plan: i64,
    app: i64,
    expert: &str,
    ballot_id: &str,
    choice: &str,
) -> Result<bool, StoreError> {
    let first = !db
        .query(
            "INSERT INTO ballot_participation (plan_id, application_id, expert_id) VALUES (?, ?, ?) \
             ON CONFLICT DO NOTHING RETURNING expert_id",
            &[plan.into(), app.into(), expert.into()],
        )?
        .is_empty();
    if first {
        db.execute(
            "INSERT INTO ballots (ballot_id, plan_id, application_id, choice) VALUES (?, ?, ?, ?)",
            &[ballot_id.into(), plan.into(), app.into(), choice.into()],
        )?;
    }
    Ok(first)
}

/// (agree, disagree, abstain) of a participant.
pub fn ballot_counts(db: &dyn Db, plan: i64, app: i64) -> Result<(u32, u32, u32), StoreError> {
    let r = db
        .query_opt(
            "SELECT COALESCE(SUM(choice = 'agree'), 0), COALESCE(SUM(choice = 'disagree'), 0), COALESCE(SUM(choice = 'abstain'), 0) \
             FROM ballots WHERE plan_id = ? AND application_id = ?",
            &[plan.into(), app.into()],
        )?
        .ok_or_else(|| StoreError::Decode("no counts".into()))?;
    Ok((r.int(0)? as u32, r.int(1)? as u32, r.int(2)? as u32))
}

/// Removes every ballot and participation of a participant (undo of the votes).
pub fn clear_ballots(db: &dyn Db, plan: i64, app: i64) -> Result<(), StoreError> {
    db.execute("DELETE FROM ballots WHERE plan_id = ? AND application_id = ?", &[plan.into(), app.into()])?;
    db.execute("DELETE FROM ballot_participation WHERE plan_id = ? AND application_id = ?", &[plan.into(), app.into()])
}

// ---------------------------------------------------------------- results

/// Stores a participant's result.
#[allow(clippy::too_many_arguments)]
pub fn insert_result(
    db: &dyn Db,
    plan: i64,
    app: i64,
    counts: (u32, u32, u32, u32),
    score: f64,
    outcome: &str,
    rank: u32,
    voted_on: &str,
    offline: bool,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO review_results (plan_id, application_id, agree, disagree, abstain, present, score, outcome, rank, voted_on, offline) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (plan_id, application_id) DO UPDATE SET agree = excluded.agree, disagree = excluded.disagree, \
         abstain = excluded.abstain, present = excluded.present, score = excluded.score, outcome = excluded.outcome, \
         rank = excluded.rank, voted_on = excluded.voted_on, offline = excluded.offline",
        &[
            plan.into(),
            app.into(),
            i64::from(counts.0).into(),
            i64::from(counts.1).into(),
            i64::from(counts.2).into(),
            i64::from(counts.3).into(),
            Value::Real(score),
            outcome.into(),
            i64::from(rank).into(),
            voted_on.into(),
            offline.into(),
        ],
    )
}

/// Removes a participant's result (undo of the tally).
pub fn delete_result(db: &dyn Db, plan: i64, app: i64) -> Result<(), StoreError> {
    db.execute("DELETE FROM review_results WHERE plan_id = ? AND application_id = ?", &[plan.into(), app.into()])
}

/// The results of a plan.
pub fn results(db: &dyn Db, plan: i64) -> Result<Vec<serde_json::Value>, StoreError> {
    db.query(
        "SELECT application_id, agree, disagree, abstain, present, score, outcome, rank, voted_on, offline \
         FROM review_results WHERE plan_id = ? ORDER BY outcome <> 'passed', rank, application_id",
        &[plan.into()],
    )?
    .iter()
    .map(|r| {
        let score = match r.0.get(5) {
            Some(Value::Real(f)) => *f,
            Some(Value::Integer(i)) => *i as f64,
            _ => 0.0,
        };
        Ok(serde_json::json!({
            "application_id": r.int(0)?, "agree": r.int(1)?, "disagree": r.int(2)?, "abstain": r.int(3)?,
            "present": r.int(4)?, "score": score, "outcome": r.text(6)?, "rank": r.int(7)?, "voted_on": r.text(8)?,
            "offline": r.int(9)? != 0,
        }))
    })
    .collect()
}

/// Applications of a unit already passed this year for a level (R10 double control); a
/// 一人一议 pass (八(三)) is outside quota counting.
pub fn passed_count(db: &dyn Db, unit: &str, year: i32, series: &str, level: &str) -> Result<i64, StoreError> {
    db.query_opt(
        "SELECT COUNT(*) FROM applications WHERE unit_org = ? AND batch_year = ? AND series = ? AND target_level = ? \
         AND state IN ('passed', 'result_publicity', 'result_on_hold', 'publicity_passed', 'filing_requested', 'filed', 'certified') \
         AND id NOT IN (SELECT application_id FROM individual_plans)",
        &[unit.into(), year.into(), series.into(), level.into()],
    )?
    .map_or(Ok(0), |r| r.int(0))
}
