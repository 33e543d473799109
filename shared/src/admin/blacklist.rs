//! The blacklist (黑名单 / 诚信档案, annex 3 §1.21; 七(一)): add a person found by name or ID
//! number with a reason and a record period (3 years by default: "记录期限为3年"), modify,
//! lift with a reason, query, export; lifted automatically once the period ends (the
//! `blacklist-lifter` job). While recorded, the person may not apply (R5 — the submission
//! check reads `lifted_at IS NULL AND recorded_on <= today AND expires_on >= today`).

use super::{check_version, event, parse_date, require_province, required_text, stale};
use crate::audit::{self, AuditEvent};
use crate::domain::citizen_id::{mask_str, CitizenId};
use crate::error::{DomainError, ErrorCode};
use crate::excel::Sheet;
use crate::store::admin::{
    self as store, BlacklistRecord, Filter, BLACKLIST_FROM, BLACKLIST_SELECT, BLACKLIST_VERSION_KIND,
};
use crate::store::{with_tx, Db};
use crate::workflow::{shanghai_today, stamp, OpCtx, Page, PageRequest};
use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

const WHAT: &str = "黑名单记录";

/// The default record period (七(一): 记录期限为3年).
pub const DEFAULT_RECORD_YEARS: u32 = 3;

/// The last day of a record period of `years` that starts on `recorded_on`.
pub fn default_expiry(recorded_on: NaiveDate, years: u32) -> NaiveDate {
    recorded_on
        .checked_add_months(Months::new(12 * years))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .unwrap_or(recorded_on)
}

/// Where a record stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Recorded from a later day.
    Pending,
    /// Recorded today: the person may not apply (R5).
    Recorded,
    /// The period ended; not lifted yet (the job will).
    Expired,
    /// Lifted, by hand or by the job.
    Lifted,
}

impl RecordStatus {
    /// Where `r` stands on `today` — the same condition as R5's query.
    pub fn of(r: &BlacklistRecord, today: NaiveDate) -> RecordStatus {
        let t = today.to_string();
        if r.lifted_at.is_some() {
            RecordStatus::Lifted
        } else if r.expires_on < t {
            RecordStatus::Expired
        } else if r.recorded_on > t {
            RecordStatus::Pending
        } else {
            RecordStatus::Recorded
        }
    }

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Pending => "pending",
            RecordStatus::Recorded => "recorded",
            RecordStatus::Expired => "expired",
            RecordStatus::Lifted => "lifted",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            RecordStatus::Pending => "未生效",
            RecordStatus::Recorded => "记录中",
            RecordStatus::Expired => "已到期",
            RecordStatus::Lifted => "已解除",
        }
    }
}

/// A record as shown: the ID number masked.
#[derive(Debug, Clone, Serialize)]
pub struct BlacklistView {
    pub id: i64,
    pub citizen_id: String,
    pub name: String,
    pub reason: String,
    pub recorded_on: String,
    pub expires_on: String,
    pub status: RecordStatus,
    pub status_label: &'static str,
    pub lifted_at: Option<String>,
    pub lifted_reason: Option<String>,
    pub created_at: String,
    pub version: i64,
}

fn view(r: BlacklistRecord, today: NaiveDate) -> BlacklistView {
    let status = RecordStatus::of(&r, today);
    BlacklistView {
        id: r.id,
        citizen_id: mask_str(&r.citizen_id),
        name: r.name,
        reason: r.reason,
        recorded_on: r.recorded_on,
        expires_on: r.expires_on,
        status,
        status_label: status.label(),
        lifted_at: r.lifted_at,
        lifted_reason: r.lifted_reason,
        created_at: r.created_at,
        version: r.version,
    }
}

/// Body of "add to the blacklist": the person by ID number and name, or by an application
/// found with the people lookup; the period defaults to 3 years from today.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AddInput {
    #[serde(default)]
    pub citizen_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// The application the people lookup returned (its applicant is the person).
    #[serde(default)]
    pub application_id: Option<i64>,
    /// 加入黑名单原因.
    pub reason: String,
    /// First day recorded (default: today, Asia/Shanghai).
    #[serde(default)]
    pub recorded_on: Option<String>,
    /// Last day recorded (default: 3 years from the first, less a day).
    #[serde(default)]
    pub expires_on: Option<String>,
}

/// A validated record period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub recorded_on: NaiveDate,
    pub expires_on: NaiveDate,
}

/// Parses a record period with its defaults (pure).
pub fn period(recorded_on: Option<&str>, expires_on: Option<&str>, today: NaiveDate) -> Result<Period, DomainError> {
    let recorded_on = match recorded_on.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_date("recorded_on", "记录开始日期", s)?,
        None => today,
    };
    let expires_on = match expires_on.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_date("expires_on", "记录截止日期", s)?,
        None => default_expiry(recorded_on, DEFAULT_RECORD_YEARS),
    };
    if expires_on < recorded_on {
        return Err(DomainError::invalid("expires_on", "记录截止日期不能早于开始日期"));
    }
    if expires_on > default_expiry(recorded_on, 10) {
        return Err(DomainError::invalid("expires_on", "记录期限不能超过10年"));
    }
    Ok(Period { recorded_on, expires_on })
}

/// Adds a record inside the caller's transaction (API and import).
pub fn add_in(ctx: &OpCtx<'_>, db: &dyn Db, input: &AddInput) -> Result<BlacklistView, DomainError> {
    let today = shanghai_today(ctx.now);
    let reason = required_text("reason", "加入黑名单原因", &input.reason, 500)?;
    let p = period(input.recorded_on.as_deref(), input.expires_on.as_deref(), today)?;
    let (citizen_id, name) = match (input.application_id, input.citizen_id.as_deref()) {
        (Some(a), None) => {
            let person = store::person_by_application(db, a)?
                .ok_or_else(|| DomainError::invalid("application_id", "未找到该人员"))?;
            (person.citizen_id, person.name)
        }
        (None, Some(c)) => {
            let id = CitizenId::parse(c).map_err(|e| DomainError::invalid("citizen_id", e.0))?;
            let name = required_text("name", "姓名", input.name.as_deref().unwrap_or(""), 50)?;
            // Issue 10: stored as the number's token (crate::pii).
            (crate::pii::protect(db, &id)?, name)
        }
        _ => {
            return Err(DomainError::invalid(
                "citizen_id",
                "请填写身份证号和姓名，或选择查询到的人员（application_id）",
            ))
        }
    };
    let (from, to) = (p.recorded_on.to_string(), p.expires_on.to_string());
    if store::blacklist_overlap(db, &citizen_id, &from, &to, 0)?.is_some() {
        return Err(DomainError::conflict(ErrorCode::BlacklistDuplicate, &[]));
    }
    let id = store::insert_blacklist(db, &citizen_id, &name, &reason, &from, &to, &stamp(ctx.now))?;
    // 七(一): the entry reaches the national credit platform, queued in this transaction.
    let fraud = crate::workflow::credit::Fraud {
        name: &name,
        citizen_id: &citizen_id,
        conduct: &reason,
        decision: "记入职称申报诚信档案库",
        from_on: from.clone(),
        until_on: to.clone(),
    };
    crate::workflow::credit::queue_blacklisting(db, id, &fraud, &stamp(ctx.now))?;
    let mut e = event(
        ctx,
        "blacklist",
        &id.to_string(),
        "add_blacklist",
        serde_json::json!({
            "citizen_id": mask_str(&citizen_id), "recorded_on": from, "expires_on": to
        }),
    );
    e.to_state = Some("recorded".into());
    e.opinion = Some(reason);
    audit::record(db, &e)?;
    Ok(view(store::blacklist_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?, today))
}

/// Adds a person to the blacklist (§1.21 1).
pub fn add(ctx: &OpCtx<'_>, input: AddInput) -> Result<BlacklistView, DomainError> {
    require_province(ctx)?;
    with_tx(ctx.db, |db| add_in(ctx, db, &input))
}

/// Body of "modify" (§1.21 2).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModifyInput {
    pub name: String,
    pub reason: String,
    pub recorded_on: String,
    pub expires_on: String,
    pub version: i64,
}

/// Modifies an unlifted record.
pub fn modify(ctx: &OpCtx<'_>, id: i64, input: ModifyInput) -> Result<BlacklistView, DomainError> {
    require_province(ctx)?;
    let today = shanghai_today(ctx.now);
    let name = required_text("name", "姓名", &input.name, 50)?;
    let reason = required_text("reason", "加入黑名单原因", &input.reason, 500)?;
    let p = period(Some(&input.recorded_on), Some(&input.expires_on), today)?;
    with_tx(ctx.db, |db| {
        let r = store::blacklist_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
        if r.lifted_at.is_some() {
            return Err(DomainError::conflict(ErrorCode::BlacklistLifted, &[]));
        }
        let (from, to) = (p.recorded_on.to_string(), p.expires_on.to_string());
        if store::blacklist_overlap(db, &r.citizen_id, &from, &to, id)?.is_some() {
            return Err(DomainError::conflict(ErrorCode::BlacklistDuplicate, &[]));
        }
        if !store::bump_row_version(
            db,
            BLACKLIST_VERSION_KIND,
            &id.to_string(),
            input.version,
            &ctx.who.sub,
            &stamp(ctx.now),
        )? {
            return Err(stale(WHAT));
        }
        if !store::update_blacklist(db, id, &name, &reason, &from, &to)? {
            return Err(stale(WHAT));
        }
        let mut e = event(
            ctx,
            "blacklist",
            &id.to_string(),
            "modify_blacklist",
            serde_json::json!({
                "recorded_on": [r.recorded_on, from], "expires_on": [r.expires_on, to]
            }),
        );
        e.opinion = Some(reason);
        audit::record(db, &e)?;
        Ok(view(store::blacklist_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?, today))
    })
}

/// Lifts a record with a reason (§1.21 4).
pub fn lift(ctx: &OpCtx<'_>, id: i64, body: super::ReasonBody) -> Result<BlacklistView, DomainError> {
    require_province(ctx)?;
    let reason = required_text("reason", "解除原因", &body.reason, 500)?;
    let today = shanghai_today(ctx.now);
    with_tx(ctx.db, |db| {
        let r = store::blacklist_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?;
        if r.lifted_at.is_some() {
            return Err(DomainError::conflict(ErrorCode::BlacklistLifted, &[]));
        }
        check_version(WHAT, r.version, body.version)?;
        let now = stamp(ctx.now);
        if !store::bump_row_version(db, BLACKLIST_VERSION_KIND, &id.to_string(), r.version, &ctx.who.sub, &now)?
            || !store::lift_blacklist(db, id, &reason, &now)?
        {
            return Err(stale(WHAT));
        }
        let mut e = event(ctx, "blacklist", &id.to_string(), "lift_blacklist", serde_json::json!({}));
        e.from_state = Some(RecordStatus::of(&r, today).as_str().into());
        e.to_state = Some("lifted".into());
        e.opinion = Some(reason);
        audit::record(db, &e)?;
        Ok(view(store::blacklist_by_id(db, id)?.ok_or(DomainError::NotFound(WHAT))?, today))
    })
}

/// What one run of the lifter did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LiftReport {
    /// Records lifted because their period had ended.
    pub lifted: Vec<i64>,
}

/// The reason the job writes.
pub const AUTO_LIFT_REASON: &str = "记录期满，自动解除";

/// Lifts every unlifted record whose last day is before today (Asia/Shanghai). Idempotent:
/// each record is lifted once however often the job runs. `job` names the actor.
pub fn lift_expired(db: &dyn Db, now: DateTime<Utc>, job: &str) -> Result<LiftReport, DomainError> {
    const CHUNK: i64 = 200;
    let today = shanghai_today(now).to_string();
    let at = stamp(now);
    let mut report = LiftReport::default();
    loop {
        let lifted = with_tx(db, |db| {
            let mut lifted = Vec::new();
            for id in store::expired_unlifted(db, &today, CHUNK)? {
                let Some(r) = store::blacklist_by_id(db, id)? else { continue };
                if !store::lift_blacklist(db, id, AUTO_LIFT_REASON, &at)? {
                    continue;
                }
                store::bump_row_version(db, BLACKLIST_VERSION_KIND, &id.to_string(), r.version, job, &at)?;
                audit::record(
                    db,
                    &AuditEvent {
                        subject_kind: "blacklist".into(),
                        subject_id: id.to_string(),
                        actor: format!("system:{job}"),
                        role: "system".into(),
                        org: String::new(),
                        action: "lift_blacklist_expired".into(),
                        from_state: Some("expired".into()),
                        to_state: Some("lifted".into()),
                        opinion: Some(AUTO_LIFT_REASON.into()),
                        detail: Some(serde_json::json!({ "expires_on": r.expires_on, "lifted_on": today })),
                        at: at.clone(),
                    },
                )?;
                lifted.push(id);
            }
            Ok::<_, DomainError>(lifted)
        })?;
        let done = (lifted.len() as i64) < CHUNK;
        report.lifted.extend(lifted);
        if done {
            return Ok(report);
        }
    }
}

/// One record.
pub fn get(ctx: &OpCtx<'_>, id: i64) -> Result<BlacklistView, DomainError> {
    require_province(ctx)?;
    let r = store::blacklist_by_id(ctx.db, id)?.ok_or(DomainError::NotFound(WHAT))?;
    Ok(view(r, shanghai_today(ctx.now)))
}

/// Query filters: `q` (name contains, or ID number equals), `status`.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub q: Option<String>,
    pub status: Option<String>,
}

fn filter(q: &Query, today: NaiveDate) -> Result<Filter, DomainError> {
    let t = today.to_string();
    let mut f = Filter::default();
    if let Some(s) = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        f.and(
            "(b.name LIKE ? ESCAPE '\\' OR b.citizen_id = ?)",
            [store::like(s).into(), crate::pii::search_token(s)?.into()],
        );
    }
    match q.status.as_deref() {
        None | Some("") | Some("all") => {}
        Some("lifted") => {
            f.and("b.lifted_at IS NOT NULL", []);
        }
        Some("recorded") => {
            f.and("b.lifted_at IS NULL AND b.recorded_on <= ? AND b.expires_on >= ?", [t.clone().into(), t.into()]);
        }
        Some("expired") => {
            f.and("b.lifted_at IS NULL AND b.expires_on < ?", [t.into()]);
        }
        Some("pending") => {
            f.and("b.lifted_at IS NULL AND b.recorded_on > ?", [t.into()]);
        }
        Some(_) => return Err(DomainError::invalid("status", "status 可选：recorded、pending、expired、lifted、all")),
    }
    Ok(f)
}

/// A page of records (the province).
pub fn list(ctx: &OpCtx<'_>, q: &Query, page: PageRequest) -> Result<Page<BlacklistView>, DomainError> {
    require_province(ctx)?;
    let today = shanghai_today(ctx.now);
    let l = store::list(
        ctx.db,
        BLACKLIST_SELECT,
        BLACKLIST_FROM,
        &filter(q, today)?,
        "b.id DESC",
        Some((page.limit(), page.offset())),
        store::blacklist_record,
    )?;
    let items = l.rows.into_iter().map(|r| view(r, today)).collect();
    Ok(Page { items, page: page.page, page_size: page.page_size, total: l.total })
}

/// Every record matching the query, as a sheet, ID numbers masked (导出查询结果).
pub fn export(ctx: &OpCtx<'_>, q: &Query) -> Result<Sheet, DomainError> {
    require_province(ctx)?;
    let today = shanghai_today(ctx.now);
    let all = store::list(
        ctx.db,
        BLACKLIST_SELECT,
        BLACKLIST_FROM,
        &filter(q, today)?,
        "b.id",
        None,
        store::blacklist_record,
    )?;
    let mut sheet = Sheet::new(
        "黑名单",
        &["编号", "姓名", "身份证号", "加入原因", "记录开始日期", "记录截止日期", "状态", "解除时间", "解除原因"],
    );
    sheet.rows = all
        .rows
        .into_iter()
        .map(|r| view(r, today))
        .map(|v| {
            vec![
                v.id.to_string(),
                v.name,
                v.citizen_id,
                v.reason,
                v.recorded_on,
                v.expires_on,
                v.status_label.into(),
                v.lifted_at.unwrap_or_default(),
                v.lifted_reason.unwrap_or_default(),
            ]
        })
        .collect();
    Ok(sheet)
}

/// A person found by the lookup (§1.21 1.1), ID masked.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    /// Pass this as `application_id` to add the person.
    pub application_id: i64,
    pub name: String,
    pub citizen_id: String,
    pub unit_org: String,
}

/// People by name (contains) or ID number (equals), from the applications on file.
pub fn people(ctx: &OpCtx<'_>, q: &str) -> Result<Vec<PersonView>, DomainError> {
    require_province(ctx)?;
    if q.trim().chars().count() < 2 {
        return Err(DomainError::invalid("q", "请输入至少2个字的姓名或完整身份证号"));
    }
    Ok(store::people(ctx.db, q, &crate::pii::search_token(q.trim())?)?
        .into_iter()
        .map(|p| PersonView {
            application_id: p.application_id,
            name: p.name,
            citizen_id: mask_str(&p.citizen_id),
            unit_org: p.unit_org,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_default_record_period_is_three_years_to_the_day_before() {
        assert_eq!(default_expiry(d("2024-06-01"), 3), d("2027-05-31"));
        assert_eq!(default_expiry(d("2024-02-29"), 3), d("2027-02-27"));
        let p = period(None, None, d("2024-10-10")).unwrap();
        assert_eq!((p.recorded_on, p.expires_on), (d("2024-10-10"), d("2027-10-09")));
    }

    #[test]
    fn a_period_ending_before_it_starts_is_refused() {
        assert_eq!(
            period(Some("2024-10-10"), Some("2024-10-09"), d("2024-10-10")).unwrap_err().field(),
            Some("expires_on")
        );
        assert_eq!(period(Some("2024/10/10"), None, d("2024-10-10")).unwrap_err().field(), Some("recorded_on"));
    }

    #[test]
    fn a_record_is_recorded_from_its_first_to_its_last_day_inclusive() {
        let r = BlacklistRecord {
            id: 1,
            citizen_id: "11010519491231002X".into(),
            name: "张三".into(),
            reason: "虚假材料".into(),
            recorded_on: "2024-06-01".into(),
            expires_on: "2027-05-31".into(),
            lifted_at: None,
            lifted_reason: None,
            created_at: String::new(),
            version: 1,
        };
        assert_eq!(RecordStatus::of(&r, d("2024-05-31")), RecordStatus::Pending);
        assert_eq!(RecordStatus::of(&r, d("2024-06-01")), RecordStatus::Recorded);
        assert_eq!(RecordStatus::of(&r, d("2027-05-31")), RecordStatus::Recorded);
        assert_eq!(RecordStatus::of(&r, d("2027-06-01")), RecordStatus::Expired);
        let lifted = BlacklistRecord { lifted_at: Some("x".into()), ..r };
        assert_eq!(RecordStatus::of(&lifted, d("2025-01-01")), RecordStatus::Lifted);
    }
}
