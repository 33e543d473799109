//! Result publicity and filing (六(一)–(二), annex 2 §1.2.6–1.2.7, annex 3 §1.15; R18, R19).
//!
//! The committee's organising unit opens the publicity of a session (committee, plan, vote
//! date) within 3 working days of the vote; it lasts at least 5 working days of the official
//! calendar. An objection puts the person on hold; the organising unit resolves it: upheld ⇒
//! not passed, dismissed ⇒ back into publicity while it runs, else ready for filing — filed
//! separately, later. The publicity timer closes publicity and flags sessions whose
//! publicity was not opened in time or whose filing was not requested within 15 working
//! days. The organising unit requests filing; the province approves with the filing
//! document number (备案文号) and date, or rejects with an opinion. Publicity opened after
//! the 3rd working day is refused unless the province recorded an exception for the
//! session (then it is flagged `opened_late`); a late filing request is allowed but
//! flagged: refusing it would leave the people concerned without a title. A deadline that
//! falls in a year whose official calendar is not loaded yet is kept pending ('') and
//! computed when that calendar is loaded ([`resolve_pending_deadlines`]).

use super::transition;
use super::{shanghai_today, stamp, OpCtx, Page, PageRequest};
use crate::audit::{self, AuditEvent};
use crate::auth::Role;
use crate::domain::application::{next_state, Action, Actor, ApplicationState, TransitionError};
use crate::domain::citizen_id::mask_str;
use crate::error::{DomainError, ErrorCode};
use crate::store::applications::{self as astore, ApplicationRecord, Changes, Objection};
use crate::store::certificates::{self as store, Filing, ListedPerson, Publicity, SessionFlag};
use crate::store::{reference, with_tx, Db};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

const PUBLICITY: &str = "评审结果公示";
const FILING: &str = "备案申请";
const APPLICATION: &str = "申报";
/// The `objections.stage` of result publicity.
pub const STAGE: &str = "result_publicity";

fn stale() -> DomainError {
    DomainError::conflict(ErrorCode::ApplicationStale, &[])
}

fn map_transition(state: ApplicationState, e: TransitionError) -> DomainError {
    match e {
        TransitionError::NotYourAction => DomainError::Forbidden,
        TransitionError::WrongState => {
            DomainError::conflict(ErrorCode::InvalidState, &[&format!("申报当前状态为“{}”", state.label())])
        }
    }
}

/// A deadline that may not be computable yet: `None` while its year's calendar is missing.
fn pending(d: Result<NaiveDate, DomainError>) -> Result<Option<NaiveDate>, DomainError> {
    match d {
        Ok(d) => Ok(Some(d)),
        Err(DomainError::CalendarYearNotPublished(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn pending_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Computes the deadlines of result publicities kept pending for a calendar not loaded
/// then (after a year's calendar is loaded, and at each timer run); returns the ids of
/// the publicities completed or advanced.
pub fn resolve_pending_deadlines(db: &dyn Db, at: &str) -> Result<Vec<i64>, DomainError> {
    let pendings = store::pending_deadline_publicities(db)?;
    if pendings.is_empty() {
        return Ok(Vec::new());
    }
    let calendar = reference::calendar(db)?;
    let mut done = Vec::new();
    for (id, _) in pendings {
        let Some(p) = store::publicity(db, id)? else { continue };
        let Some(batch) = reference::batch(db, p.batch_year)? else { continue };
        let voted = date(&p.voted_on)?;
        let or_compute =
            |stored: &str, f: &dyn Fn() -> Result<NaiveDate, DomainError>| -> Result<String, DomainError> {
                if stored.is_empty() {
                    Ok(pending_text(pending(f())?))
                } else {
                    Ok(stored.to_owned())
                }
            };
        let open = or_compute(&p.open_deadline, &|| {
            calendar.add_working_days(voted, batch.result_publicity_open_working_days)
        })?;
        let end = or_compute(&p.end_on, &|| {
            calendar.add_working_days(date(&p.start_on)?, batch.result_publicity_working_days)
        })?;
        let filing = or_compute(&p.filing_deadline, &|| calendar.add_working_days(voted, batch.filing_working_days))?;
        if (open.as_str(), end.as_str(), filing.as_str()) == (&p.open_deadline, &p.end_on, &p.filing_deadline) {
            continue;
        }
        if store::set_publicity_deadlines(db, id, p.version, &open, &end, &filing)? {
            let mut e = AuditEvent {
                subject_kind: "result_publicity".into(),
                subject_id: id.to_string(),
                actor: "system:calendar".into(),
                role: "system".into(),
                org: String::new(),
                action: "compute_pending_deadlines".into(),
                from_state: None,
                to_state: None,
                opinion: None,
                detail: None,
                at: at.to_owned(),
            };
            e.detail = Some(serde_json::json!({ "open_deadline": open, "end_on": end, "filing_deadline": filing }));
            audit::record(db, &e)?;
            done.push(id);
        }
    }
    Ok(done)
}

fn date(s: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| DomainError::Internal(format!("stored date {s}: {e}")))
}

/// The organising unit's scope: its own org; the province sees all; others may not.
fn org_scope(ctx: &OpCtx<'_>) -> Result<Option<String>, DomainError> {
    match ctx.who.role {
        Role::CommitteeOrg => Ok(Some(ctx.who.org.clone())),
        Role::Province => Ok(None),
        _ => Err(DomainError::Forbidden),
    }
}

/// Moves one application by `action` (compare-and-set on its version) and audits it.
#[allow(clippy::too_many_arguments)]
fn move_application(
    db: &dyn Db,
    r: &ApplicationRecord,
    action: Action,
    actor: Actor,
    to: ApplicationState,
    changes: Changes,
    audit_base: &AuditEvent,
    detail: serde_json::Value,
) -> Result<(), DomainError> {
    let e = AuditEvent { detail: Some(detail), ..audit_base.clone() };
    transition::apply(db, r, action, actor, to, &changes, e)?;
    Ok(())
}

// ---------------------------------------------------------------- views

/// One person on a result list; the ID number masked.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub application_id: i64,
    pub name: String,
    pub citizen_id: Option<String>,
    pub unit_org: String,
    pub series: String,
    pub level: String,
    pub specialty: String,
    pub state: String,
    pub version: i64,
}

fn person_view(p: ListedPerson) -> PersonView {
    PersonView {
        application_id: p.application_id,
        name: p.name,
        citizen_id: p.citizen_id.as_deref().map(mask_str),
        unit_org: p.unit_org,
        series: p.series,
        level: p.level,
        specialty: p.specialty,
        state: p.state,
        version: p.version,
    }
}

/// A publicity with its people.
#[derive(Debug, Clone, Serialize)]
pub struct PublicityView {
    #[serde(flatten)]
    pub publicity: Publicity,
    pub people: Vec<PersonView>,
}

/// A filing request with its people.
#[derive(Debug, Clone, Serialize)]
pub struct FilingView {
    #[serde(flatten)]
    pub filing: Filing,
    pub people: Vec<PersonView>,
}

/// A session awaiting publicity, with its deadline.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    pub committee: String,
    pub committee_name: String,
    pub organising_org: String,
    pub plan_id: Option<i64>,
    pub voted_on: String,
    pub batch_year: i32,
    pub passed: i64,
    /// The last day publicity may open (R18).
    pub open_deadline: Option<String>,
    /// Whether that day has passed.
    pub overdue: bool,
}

/// Sessions awaiting publicity and the flags raised so far.
#[derive(Debug, Clone, Serialize)]
pub struct Sessions {
    pub awaiting_publicity: Vec<SessionView>,
    pub flags: Vec<SessionFlag>,
}

/// The sessions of the caller's committees whose passed applications await publicity
/// (province: all), with their deadlines, and the flags raised by the timer.
pub fn sessions(ctx: &OpCtx<'_>) -> Result<Sessions, DomainError> {
    let org = org_scope(ctx)?;
    let calendar = reference::calendar(ctx.db)?;
    let today = shanghai_today(ctx.now);
    let mut out = Vec::new();
    for s in store::pending_sessions(ctx.db, org.as_deref())? {
        let days = reference::batch(ctx.db, s.batch_year)?.map_or(3, |b| b.result_publicity_open_working_days);
        let deadline = calendar.add_working_days(date(&s.voted_on)?, days).ok();
        out.push(SessionView {
            overdue: deadline.is_some_and(|d| today > d),
            open_deadline: deadline.map(|d| d.to_string()),
            committee: s.committee,
            committee_name: s.committee_name,
            organising_org: s.organising_org,
            plan_id: s.plan_id,
            voted_on: s.voted_on,
            batch_year: s.batch_year,
            passed: s.passed,
        });
    }
    Ok(Sessions { awaiting_publicity: out, flags: store::flags(ctx.db, org.as_deref())? })
}

// ---------------------------------------------------------------- opening publicity

/// Body of "open result publicity".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenPublicity {
    /// The committee (评委会) whose session it is.
    pub committee: String,
    /// The date of the vote.
    pub voted_on: NaiveDate,
    /// The review plan of the session (absent for a session entered without a plan).
    #[serde(default)]
    pub plan_id: Option<i64>,
    /// First day of publicity.
    pub start_on: NaiveDate,
    /// 受理投诉部门
    pub complaint_office: String,
    /// 投诉电话
    pub complaint_phone: String,
}

/// Opens the result publicity of a session: every passed application of it goes into
/// publicity (R18). The period is the batch's working days after `start_on`; opening after
/// the 3rd working day after the vote is refused (`R18_RESULT_PUBLICITY_LATE`) unless the
/// province recorded an exception for the session, then flagged (`opened_late`). A
/// deadline in a year whose calendar is not loaded is kept pending, never a refusal.
pub fn open_publicity(ctx: &OpCtx<'_>, req: OpenPublicity) -> Result<PublicityView, DomainError> {
    ctx.require_role(Role::CommitteeOrg)?;
    if req.complaint_office.trim().is_empty() {
        return Err(DomainError::invalid("complaint_office", "请填写受理投诉的部门"));
    }
    if req.complaint_phone.trim().is_empty() {
        return Err(DomainError::invalid("complaint_phone", "请填写投诉电话"));
    }
    let today = shanghai_today(ctx.now);
    if req.start_on < today {
        return Err(DomainError::invalid("start_on", "公示开始日期不能早于今天"));
    }
    if req.start_on < req.voted_on {
        return Err(DomainError::invalid("start_on", "公示开始日期不能早于评审表决日期"));
    }
    with_tx(ctx.db, |db| {
        let c = store::committee(db, &req.committee)?
            .filter(|c| c.organising_org == ctx.who.org)
            .ok_or(DomainError::NotFound("评委会"))?;
        let voted = req.voted_on.to_string();
        let ids = store::passed_in_session(db, &c.id, req.plan_id, &voted)?;
        let first = match ids.first() {
            Some(id) => astore::load(db, *id)?.ok_or(DomainError::NotFound(APPLICATION))?,
            None => return Err(DomainError::conflict(ErrorCode::NothingToPublicise, &[])),
        };
        let batch = reference::batch(db, first.batch_year)?.ok_or(DomainError::NotFound("年度批次"))?;
        let calendar = reference::calendar(db)?;
        // 六(一): opened within 3 working days after the vote, lasting >= 5 working days.
        let open_days = batch.result_publicity_open_working_days;
        let open_deadline = pending(calendar.add_working_days(req.voted_on, open_days))?;
        let late = match open_deadline {
            Some(d) => req.start_on > d,
            // The deadline's year is not loaded: count up to the start instead.
            None => calendar.working_days_between(req.voted_on, req.start_on)? > open_days,
        };
        let exception = if late {
            let e = crate::store::admin::late_publicity_exception(db, &c.id, &voted)?
                .filter(|e| e.until.as_str() >= req.start_on.to_string().as_str());
            if e.is_none() {
                let deadline = open_deadline.map_or_else(|| "（待计算）".to_owned(), |d| d.to_string());
                return Err(DomainError::rule(
                    "R18",
                    ErrorCode::R18ResultPublicityLate,
                    &[&voted, &open_days, &deadline, &req.start_on],
                    Some("start_on"),
                ));
            }
            e
        } else {
            None
        };
        let end_on = pending(calendar.add_working_days(req.start_on, batch.result_publicity_working_days))?;
        // 六(二): filing within 15 working days after the session.
        let filing_deadline = pending(calendar.add_working_days(req.voted_on, batch.filing_working_days))?;
        let now = stamp(ctx.now);
        let mut p = Publicity {
            id: 0,
            committee: c.id.clone(),
            organising_org: c.organising_org.clone(),
            batch_year: first.batch_year,
            plan_id: req.plan_id,
            voted_on: voted.clone(),
            open_deadline: pending_text(open_deadline),
            start_on: req.start_on.to_string(),
            end_on: pending_text(end_on),
            opened_late: late,
            complaint_office: req.complaint_office.trim().to_owned(),
            complaint_phone: req.complaint_phone.trim().to_owned(),
            filing_deadline: pending_text(filing_deadline),
            status: "open".into(),
            closed_on: None,
            opened_by: ctx.who.sub.clone(),
            opened_at: now.clone(),
            version: 1,
        };
        p.id = store::insert_publicity(db, &p)?;
        let base = ctx.event("result_publicity", p.id, Action::OpenResultPublicity.as_str());
        let mut e = base.clone();
        e.detail = Some(serde_json::json!({
            "committee": c.id, "plan_id": req.plan_id, "voted_on": voted, "start_on": p.start_on,
            "end_on": p.end_on, "open_deadline": p.open_deadline, "opened_late": p.opened_late,
            "filing_deadline": p.filing_deadline, "exception_id": exception.as_ref().map(|e| e.id),
            "applications": ids,
        }));
        audit::record(db, &e)?;
        for id in &ids {
            let r = astore::load(db, *id)?.ok_or(DomainError::NotFound(APPLICATION))?;
            store::insert_entry(db, r.id, p.id)?;
            move_application(
                db,
                &r,
                Action::OpenResultPublicity,
                Actor::Role(Role::CommitteeOrg),
                ApplicationState::ResultPublicity,
                Changes::default(),
                &base,
                serde_json::json!({ "publicity_id": p.id, "start_on": p.start_on, "end_on": p.end_on }),
            )?;
        }
        publicity_view(db, p.id)
    })
}

fn publicity_view(db: &dyn Db, id: i64) -> Result<PublicityView, DomainError> {
    let publicity = store::publicity(db, id)?.ok_or(DomainError::NotFound(PUBLICITY))?;
    let people = store::publicity_people(db, id)?.into_iter().map(person_view).collect();
    Ok(PublicityView { publicity, people })
}

fn visible_publicity(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<Publicity, DomainError> {
    let org = org_scope(ctx)?;
    store::publicity(db, id)?
        .filter(|p| org.as_deref().is_none_or(|o| o == p.organising_org))
        .ok_or(DomainError::NotFound(PUBLICITY))
}

/// One publicity with its people.
pub fn get_publicity(ctx: &OpCtx<'_>, id: i64) -> Result<PublicityView, DomainError> {
    visible_publicity(ctx, ctx.db, id)?;
    publicity_view(ctx.db, id)
}

/// The caller's publicities, latest first (province: all).
pub fn list_publicities(ctx: &OpCtx<'_>, page: PageRequest) -> Result<Page<Publicity>, DomainError> {
    let org = org_scope(ctx)?;
    let (items, total) = store::list_publicities(ctx.db, org.as_deref(), page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

// ---------------------------------------------------------------- objections

/// Loads an application in a publicity of the caller's organising unit.
fn load_in_publicity(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<(ApplicationRecord, Publicity), DomainError> {
    ctx.require_role(Role::CommitteeOrg)?;
    let (pid, _) = store::entry(db, id)?.ok_or(DomainError::NotFound(APPLICATION))?;
    let p = visible_publicity(ctx, db, pid).map_err(|_| DomainError::NotFound(APPLICATION))?;
    let r = astore::load(db, id)?.ok_or(DomainError::NotFound(APPLICATION))?;
    Ok((r, p))
}

/// Body of "record objection".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordObjection {
    /// What the objection says.
    pub content: String,
}

/// Records an objection received during result publicity: the person is on hold until
/// every objection is resolved.
pub fn record_objection(ctx: &OpCtx<'_>, id: i64, req: RecordObjection) -> Result<Objection, DomainError> {
    if req.content.trim().is_empty() {
        return Err(DomainError::invalid("content", "请填写异议内容"));
    }
    with_tx(ctx.db, |db| {
        let (r, p) = load_in_publicity(ctx, db, id)?;
        if r.state == ApplicationState::ResultPublicity
            && !p.end_on.is_empty()
            && shanghai_today(ctx.now) > date(&p.end_on)?
        {
            return Err(DomainError::conflict(ErrorCode::PublicityEnded, &[]));
        }
        let oid = astore::insert_objection(db, id, STAGE, req.content.trim(), &ctx.who.sub, &stamp(ctx.now))?;
        let base = ctx.event("application", id, "");
        move_application(
            db,
            &r,
            Action::RecordResultObjection,
            Actor::Role(Role::CommitteeOrg),
            ApplicationState::ResultOnHold,
            Changes::default(),
            &base,
            serde_json::json!({ "objection_id": oid, "publicity_id": p.id }),
        )?;
        astore::list_objections(db, id)?.into_iter().find(|o| o.id == oid).ok_or(DomainError::NotFound("异议"))
    })
}

/// The objections of an application in one of the caller's publicities.
pub fn objections(ctx: &OpCtx<'_>, id: i64) -> Result<Vec<Objection>, DomainError> {
    load_in_publicity(ctx, ctx.db, id)?;
    Ok(astore::list_objections(ctx.db, id)?.into_iter().filter(|o| o.stage == STAGE).collect())
}

/// Body of "resolve objection".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveObjection {
    /// Whether the investigation upheld it.
    pub upheld: bool,
    /// The finding (调查核实结果).
    pub finding: String,
}

/// Resolves an objection after investigation: upheld ⇒ not passed (the title is not
/// granted); dismissed ⇒ the person continues — back into publicity while it runs, else
/// ready to be filed separately (六(二) 待处理结束后再另行备案).
pub fn resolve_objection(
    ctx: &OpCtx<'_>,
    id: i64,
    objection: i64,
    req: ResolveObjection,
) -> Result<serde_json::Value, DomainError> {
    if req.finding.trim().is_empty() {
        return Err(DomainError::invalid("finding", "请填写调查核实结果"));
    }
    with_tx(ctx.db, |db| {
        let (r, p) = load_in_publicity(ctx, db, id)?;
        let now = stamp(ctx.now);
        let o = astore::list_objections(db, id)?
            .into_iter()
            .find(|o| o.id == objection && o.stage == STAGE)
            .ok_or(DomainError::NotFound("异议"))?;
        if o.status != "pending"
            || !astore::resolve_objection(db, id, objection, req.upheld, req.finding.trim(), &ctx.who.sub, &now)?
        {
            return Err(DomainError::conflict(ErrorCode::ObjectionResolved, &[]));
        }
        let base = ctx.event("application", id, "");
        let detail =
            serde_json::json!({ "objection_id": objection, "publicity_id": p.id, "finding": req.finding.trim() });
        let actor = Actor::Role(Role::CommitteeOrg);
        if req.upheld {
            let changes = Changes {
                decision_reason: Some(Some(format!("评审结果公示异议经查实：{}", req.finding.trim()))),
                ..Changes::default()
            };
            move_application(
                db,
                &r,
                Action::UpholdResultObjection,
                actor,
                ApplicationState::NotPassed,
                changes,
                &base,
                detail,
            )?;
        } else {
            let pending = astore::list_objections(db, id)?.iter().any(|o| o.stage == STAGE && o.status == "pending");
            let running = p.status == "open" && (p.end_on.is_empty() || shanghai_today(ctx.now) <= date(&p.end_on)?);
            let to = if pending {
                ApplicationState::ResultOnHold
            } else if running {
                ApplicationState::ResultPublicity
            } else {
                ApplicationState::PublicityPassed
            };
            move_application(db, &r, Action::DismissResultObjection, actor, to, Changes::default(), &base, detail)?;
        }
        let r = astore::load(db, id)?.ok_or(DomainError::NotFound(APPLICATION))?;
        Ok(
            serde_json::json!({ "application_id": id, "state": r.state.as_str(), "state_label": r.state.label(), "version": r.version }),
        )
    })
}

// ---------------------------------------------------------------- the timer

/// What the timer did to result publicity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResultTimerReport {
    /// Publicities closed.
    pub closed_result_publicity: Vec<i64>,
    /// Applications that passed publicity (ready for filing).
    pub publicity_passed: Vec<i64>,
    /// Sessions newly flagged: publicity not opened within 3 working days of the vote (R18).
    pub late_result_publicity_sessions: Vec<SessionFlag>,
    /// Sessions newly flagged: filing not requested within 15 working days (R19).
    pub overdue_filing_sessions: Vec<SessionFlag>,
}

/// Closes every result publicity whose last day is before today (Asia/Shanghai): people
/// without a pending objection pass publicity; flags late sessions. Idempotent.
pub fn run_timer(db: &dyn Db, now: DateTime<Utc>, job: &str) -> Result<ResultTimerReport, DomainError> {
    let today = shanghai_today(now);
    let today_s = today.to_string();
    let at = stamp(now);
    let mut report = ResultTimerReport::default();
    with_tx(db, |db| resolve_pending_deadlines(db, &at))?;
    let base = AuditEvent {
        subject_kind: "result_publicity".into(),
        subject_id: String::new(),
        actor: format!("system:{job}"),
        role: "system".into(),
        org: String::new(),
        action: Action::CloseResultPublicity.as_str().into(),
        from_state: None,
        to_state: None,
        opinion: None,
        detail: None,
        at: at.clone(),
    };
    loop {
        let due = store::due_publicities(db, &today_s, 20)?;
        if due.is_empty() {
            break;
        }
        for pid in due {
            with_tx(db, |db| {
                if !store::close_publicity(db, pid, &today_s)? {
                    return Ok(());
                }
                let mut e = base.clone();
                e.subject_id = pid.to_string();
                e.detail = Some(serde_json::json!({ "closed_on": today_s }));
                audit::record(db, &e)?;
                for id in store::publicity_in_state(db, pid, ApplicationState::ResultPublicity.as_str())? {
                    let r = astore::load(db, id)?.ok_or(DomainError::NotFound(APPLICATION))?;
                    let next = next_state(r.state, Action::CloseResultPublicity, Actor::System)
                        .map_err(|e| map_transition(r.state, e))?;
                    move_application(
                        db,
                        &r,
                        Action::CloseResultPublicity,
                        Actor::System,
                        next,
                        Changes::default(),
                        &base,
                        serde_json::json!({ "publicity_id": pid, "closed_on": today_s }),
                    )?;
                    report.publicity_passed.push(id);
                }
                report.closed_result_publicity.push(pid);
                Ok::<_, DomainError>(())
            })?;
        }
    }
    let calendar = reference::calendar(db)?;
    with_tx(db, |db| {
        for s in store::pending_sessions(db, None)? {
            let days = reference::batch(db, s.batch_year)?.map_or(3, |b| b.result_publicity_open_working_days);
            // Not computable yet (its year's calendar is missing): not flagged, kept pending.
            let Some(deadline) = pending(calendar.add_working_days(date(&s.voted_on)?, days))? else { continue };
            if today > deadline
                && store::insert_flag(
                    db,
                    &s.committee,
                    s.plan_id,
                    &s.voted_on,
                    "publicity_not_opened",
                    &deadline.to_string(),
                    &today_s,
                )?
            {
                report.late_result_publicity_sessions.push(SessionFlag {
                    committee: s.committee,
                    plan_id: s.plan_id,
                    voted_on: s.voted_on,
                    kind: "publicity_not_opened".into(),
                    deadline: deadline.to_string(),
                    flagged_on: today_s.clone(),
                });
            }
        }
        for p in store::overdue_filings(db, &today_s)? {
            if store::insert_flag(
                db,
                &p.committee,
                p.plan_id,
                &p.voted_on,
                "filing_overdue",
                &p.filing_deadline,
                &today_s,
            )? {
                report.overdue_filing_sessions.push(SessionFlag {
                    committee: p.committee,
                    plan_id: p.plan_id,
                    voted_on: p.voted_on,
                    kind: "filing_overdue".into(),
                    deadline: p.filing_deadline,
                    flagged_on: today_s.clone(),
                });
            }
        }
        Ok::<_, DomainError>(())
    })?;
    Ok(report)
}

// ---------------------------------------------------------------- filing

/// Body of "request filing".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestFiling {
    /// The publicity whose people are filed.
    pub publicity_id: i64,
    /// Only these (default: everyone of the publicity who passed it and is not yet filed).
    #[serde(default)]
    pub application_ids: Option<Vec<i64>>,
}

/// The organising unit requests filing (§1.2.7) for people who passed publicity with no
/// objection standing. Within 15 working days of the vote; later is allowed but flagged
/// (`late`). A request after an earlier one of the same publicity is a separate filing
/// (另行备案: people whose objection was dismissed).
pub fn request_filing(ctx: &OpCtx<'_>, req: RequestFiling) -> Result<FilingView, DomainError> {
    ctx.require_role(Role::CommitteeOrg)?;
    with_tx(ctx.db, |db| {
        let p = visible_publicity(ctx, db, req.publicity_id)?;
        let ready = store::publicity_in_state(db, p.id, ApplicationState::PublicityPassed.as_str())?;
        let ids = match &req.application_ids {
            None => ready,
            Some(ids) => {
                for (i, id) in ids.iter().enumerate() {
                    if !ready.contains(id) {
                        return Err(DomainError::invalid(
                            format!("application_ids[{i}]"),
                            format!("申报 {id} 不在本次公示中或未通过公示，不能申请备案"),
                        ));
                    }
                }
                ids.clone()
            }
        };
        if ids.is_empty() {
            return Err(DomainError::conflict(ErrorCode::NothingToFile, &[]));
        }
        let today = shanghai_today(ctx.now);
        let mut f = Filing {
            id: 0,
            publicity_id: p.id,
            committee: p.committee.clone(),
            organising_org: p.organising_org.clone(),
            batch_year: p.batch_year,
            deadline: p.filing_deadline.clone(),
            late: !p.filing_deadline.is_empty() && today > date(&p.filing_deadline)?,
            separate: store::filings_of_publicity(db, p.id)? > 0,
            status: "pending".into(),
            doc_no: None,
            filed_on: None,
            opinion: None,
            requested_by: ctx.who.sub.clone(),
            requested_at: stamp(ctx.now),
            audited_by: None,
            audited_at: None,
            version: 1,
        };
        f.id = store::insert_filing(db, &f)?;
        let base = ctx.event("filing_request", f.id, Action::RequestFiling.as_str());
        let mut e = base.clone();
        e.detail = Some(serde_json::json!({
            "publicity_id": p.id, "applications": ids, "deadline": f.deadline, "late": f.late, "separate": f.separate,
        }));
        audit::record(db, &e)?;
        for id in &ids {
            let r = astore::load(db, *id)?.ok_or(DomainError::NotFound(APPLICATION))?;
            check_committee_for_filing(db, &r, today)?;
            store::insert_filing_entry(db, f.id, r.id)?;
            store::set_entry_filing(db, r.id, f.id)?;
            move_application(
                db,
                &r,
                Action::RequestFiling,
                Actor::Role(Role::CommitteeOrg),
                ApplicationState::FilingRequested,
                Changes::default(),
                &base,
                serde_json::json!({ "filing_id": f.id, "late": f.late }),
            )?;
        }
        filing_view(db, f.id)
    })
}

/// 七(四): a committee acting outside its approval or scope (cancelled, past its validity on
/// the day of the vote, not a final authority, or reviewing a series, level or specialty it
/// was not approved for) has its results not filed: the refusal names the committee and the
/// break (R20 is also checked at the door and on the path; this is the last check, at filing).
pub fn check_committee_for_filing(db: &dyn Db, r: &ApplicationRecord, today: NaiveDate) -> Result<(), DomainError> {
    let outside = |why: &str| DomainError::conflict(ErrorCode::CommitteeOutsideApproval, &[&r.committee, &why]);
    let Some(c) = crate::store::chain::committee_facts(db, &r.committee)? else {
        return Err(outside("评委会不存在"));
    };
    let level = crate::store::chain::parse_level(&r.target_level).ok_or_else(|| outside("申报级别无效"))?;
    let voted_on = r.voted_on.as_deref().map(date).transpose()?.unwrap_or(today);
    let q = crate::domain::path::PathQuery {
        unit: &r.unit_org,
        series: &r.series,
        specialty: &r.specialty,
        level,
        method: crate::domain::path::Method::Review,
        today: voted_on,
    };
    crate::domain::path::check_committee(&q, &c).map_err(|b| outside(&b.message))
}

fn filing_view(db: &dyn Db, id: i64) -> Result<FilingView, DomainError> {
    let filing = store::filing(db, id)?.ok_or(DomainError::NotFound(FILING))?;
    let people = store::filing_people(db, id)?.into_iter().map(person_view).collect();
    Ok(FilingView { filing, people })
}

fn visible_filing(ctx: &OpCtx<'_>, db: &dyn Db, id: i64) -> Result<Filing, DomainError> {
    let org = org_scope(ctx)?;
    store::filing(db, id)?
        .filter(|f| org.as_deref().is_none_or(|o| o == f.organising_org))
        .ok_or(DomainError::NotFound(FILING))
}

/// One filing request with its people.
pub fn get_filing(ctx: &OpCtx<'_>, id: i64) -> Result<FilingView, DomainError> {
    visible_filing(ctx, ctx.db, id)?;
    filing_view(ctx.db, id)
}

/// Filing requests (of the caller's organising unit; province: all), by status.
pub fn list_filings(ctx: &OpCtx<'_>, status: Option<&str>, page: PageRequest) -> Result<Page<Filing>, DomainError> {
    let org = org_scope(ctx)?;
    if let Some(s) = status {
        if !["pending", "approved", "rejected"].contains(&s) {
            return Err(DomainError::invalid("status", "status 须为 pending、approved 或 rejected"));
        }
    }
    let (items, total) = store::list_filings(ctx.db, org.as_deref(), status, page.limit(), page.offset())?;
    Ok(Page { items, page: page.page, page_size: page.page_size, total })
}

/// Body of the province's filing audit (§1.15).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditFiling {
    /// 审核结果
    pub approve: bool,
    /// 备案文号 (required when approving)
    #[serde(default)]
    pub doc_no: Option<String>,
    /// 备案时间 (required when approving)
    #[serde(default)]
    pub filed_on: Option<NaiveDate>,
    /// 审核意见 (required when rejecting)
    #[serde(default)]
    pub opinion: Option<String>,
    /// Compare-and-set.
    #[serde(default)]
    pub version: Option<i64>,
}

/// The province audits a filing request: approve with the filing document number and
/// date (the people are filed), or reject with an opinion (back to the organising unit,
/// which may request again).
pub fn audit_filing(ctx: &OpCtx<'_>, id: i64, req: AuditFiling) -> Result<FilingView, DomainError> {
    ctx.require_role(Role::Province)?;
    let doc_no = req.doc_no.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let opinion = req.opinion.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if req.approve {
        if doc_no.is_none() {
            return Err(DomainError::invalid("doc_no", "审核通过须填写备案文号"));
        }
        if req.filed_on.is_none() {
            return Err(DomainError::invalid("filed_on", "审核通过须填写备案时间"));
        }
    } else if opinion.is_none() {
        return Err(DomainError::invalid("opinion", "审核不通过须填写审核意见"));
    }
    with_tx(ctx.db, |db| {
        let f = visible_filing(ctx, db, id)?;
        if req.version.is_some_and(|v| v != f.version) {
            return Err(stale());
        }
        if f.status != "pending" {
            return Err(DomainError::conflict(ErrorCode::FilingAudited, &[]));
        }
        let filed_on = req.filed_on.map(|d| d.to_string());
        let now = stamp(ctx.now);
        if !store::audit_filing(
            db,
            id,
            f.version,
            req.approve,
            doc_no,
            filed_on.as_deref(),
            opinion,
            &ctx.who.sub,
            &now,
        )? {
            return Err(stale());
        }
        let (action, to) = if req.approve {
            (Action::ApproveFiling, ApplicationState::Filed)
        } else {
            (Action::RejectFiling, ApplicationState::PublicityPassed)
        };
        let mut base = ctx.event("filing_request", id, action.as_str());
        base.opinion = opinion.map(str::to_owned);
        let mut e = base.clone();
        e.detail = Some(serde_json::json!({ "doc_no": doc_no, "filed_on": filed_on }));
        audit::record(db, &e)?;
        for p in store::filing_people(db, id)? {
            let r = astore::load(db, p.application_id)?.ok_or(DomainError::NotFound(APPLICATION))?;
            if r.state != ApplicationState::FilingRequested {
                continue;
            }
            if req.approve {
                // 七(四): a committee cancelled or found outside its approval since the request.
                check_committee_for_filing(db, &r, shanghai_today(ctx.now))?;
            }
            move_application(
                db,
                &r,
                action,
                Actor::Role(Role::Province),
                to,
                Changes::default(),
                &base,
                serde_json::json!({ "filing_id": id, "doc_no": doc_no, "filed_on": filed_on }),
            )?;
        }
        filing_view(db, id)
    })
}
