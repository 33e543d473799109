//! Deadlines the province maintains beyond the batch's dates, and the exceptions it
//! records: the online qualification-audit deadline (二(一): 9月30日前完成线上资格审查),
//! its extensions, late result publicity allowed for a session (六(一)), and the official
//! calendars the year's deadlines will need (so a missing one is loaded before it blocks).

use super::{event, optional_text, parse_date, require_province, required_text};
use crate::audit;
use crate::error::{DomainError, ErrorCode};
use crate::store::admin::{self as store, RuleException};
use crate::store::{reference, with_tx, Db};
use crate::workflow::{shanghai_today, stamp, OpCtx};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The notice's qualification-audit deadline of `year` (二(一): 9月30日前).
pub fn notice_qualification_deadline(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 9, 30).unwrap_or(NaiveDate::MIN)
}

/// The qualification-audit deadline in force for one organisation's step on an
/// application of `committee` in `year`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QualificationDeadline {
    /// The batch's (or the committee's own, 二(五)) deadline, else the notice's 09-30.
    pub deadline: NaiveDate,
    /// The extension the province recorded that reaches further, if any.
    pub extension: Option<RuleException>,
}

impl QualificationDeadline {
    /// The last day the step may be taken.
    pub fn last_day(&self) -> NaiveDate {
        self.extension
            .as_ref()
            .and_then(|e| NaiveDate::parse_from_str(&e.until, "%Y-%m-%d").ok())
            .map_or(self.deadline, |u| u.max(self.deadline))
    }
}

fn stored_date(s: &str) -> Result<NaiveDate, DomainError> {
    crate::calendar::parse_iso_date(s).map_err(|e| DomainError::Internal(format!("stored date {s}: {e}")))
}

/// The qualification-audit deadline of a year as the batch sets it (else the notice's).
pub fn batch_qualification_deadline(db: &dyn Db, year: i32) -> Result<NaiveDate, DomainError> {
    match store::qualification_deadline(db, year, "")? {
        Some(d) => stored_date(&d),
        None => Ok(notice_qualification_deadline(year)),
    }
}

/// The deadline in force for `org`'s step on an application of `committee` in `year`:
/// the committee's own (二(五)), else the batch's, else 09-30; and any extension.
pub fn qualification_deadline(
    db: &dyn Db,
    year: i32,
    committee: &str,
    org: &str,
) -> Result<QualificationDeadline, DomainError> {
    let deadline = match store::qualification_deadline_in_force(db, year, committee)? {
        Some(d) => stored_date(&d)?,
        None => notice_qualification_deadline(year),
    };
    let extension = store::qualification_extension(db, year, committee, org)?
        .filter(|e| NaiveDate::parse_from_str(&e.until, "%Y-%m-%d").is_ok_and(|u| u > deadline));
    Ok(QualificationDeadline { deadline, extension })
}

/// Refuses a step of the online qualification audit (submit, unit review, recommendation,
/// upper audit, formal review) after the deadline in force (二(一)). `step` names it in
/// the refusal (e.g. "提交申报").
pub fn check_qualification_deadline(
    db: &dyn Db,
    year: i32,
    committee: &str,
    org: &str,
    today: NaiveDate,
    step: &str,
) -> Result<(), DomainError> {
    let d = qualification_deadline(db, year, committee, org)?;
    let last = d.last_day();
    if today > last {
        return Err(DomainError::rule(
            "二(一)",
            ErrorCode::QualificationAuditClosed,
            &[&last, &format!("今日 {today} "), &step],
            None,
        ));
    }
    Ok(())
}

/// Kinds of recorded exceptions.
pub const EXCEPTION_KINDS: &[&str] = &["qualification_audit_extension", "late_result_publicity"];

/// Body of "record an exception".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionInput {
    /// `qualification_audit_extension` (二(一) 延期) or `late_result_publicity` (六(一)).
    pub kind: String,
    /// The batch year.
    pub year: i32,
    /// The committee (required for late result publicity; else '' = every committee).
    #[serde(default)]
    pub committee: Option<String>,
    /// The organisation whose audit steps are extended ('' = every organisation).
    #[serde(default)]
    pub org: Option<String>,
    /// The session's vote date (late result publicity).
    #[serde(default)]
    pub voted_on: Option<String>,
    /// The last day the act is allowed.
    pub until: String,
    /// Why (the document or the circumstance).
    pub reason: String,
}

/// Records an exception to a deadline (province), audited with who granted it and why.
pub fn record_exception(ctx: &OpCtx<'_>, input: ExceptionInput) -> Result<RuleException, DomainError> {
    require_province(ctx)?;
    let kind = input.kind.trim();
    if !EXCEPTION_KINDS.contains(&kind) {
        return Err(DomainError::invalid("kind", format!("例外类型无效，可选：{}", EXCEPTION_KINDS.join("、"))));
    }
    let until = parse_date("until", "例外截止日", &input.until)?;
    let reason = required_text("reason", "例外理由", &input.reason, 500)?;
    let committee = optional_text("committee", "评委会", input.committee.as_deref(), 64)?.unwrap_or_default();
    let org = optional_text("org", "机构", input.org.as_deref(), 64)?.unwrap_or_default();
    let voted_on = match input.voted_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(v) => Some(parse_date("voted_on", "投票日期", v)?),
        None => None,
    };
    if kind == "late_result_publicity" {
        if committee.is_empty() {
            return Err(DomainError::invalid("committee", "请填写评委会"));
        }
        let Some(v) = voted_on else { return Err(DomainError::invalid("voted_on", "请填写投票日期")) };
        if until < v {
            return Err(DomainError::invalid("until", "例外截止日不能早于投票日期"));
        }
    } else if voted_on.is_some() {
        return Err(DomainError::invalid("voted_on", "资格审查延期不填写投票日期"));
    } else if until <= batch_qualification_deadline(ctx.db, input.year)? {
        return Err(DomainError::invalid("until", "延期截止日须晚于资格审查截止日"));
    }
    with_tx(ctx.db, |db| {
        if reference::batch(db, input.year)?.is_none() {
            return Err(DomainError::NotFound("年度批次"));
        }
        if !committee.is_empty() && store::committee_by_id(db, &committee)?.is_none() {
            return Err(DomainError::NotFound("评委会"));
        }
        if !org.is_empty() && crate::store::chain::organisation_by_id(db, &org)?.is_none() {
            return Err(DomainError::NotFound("机构"));
        }
        let mut e = RuleException {
            id: 0,
            kind: kind.to_owned(),
            year: input.year,
            committee_id: committee.clone(),
            org_id: org.clone(),
            voted_on: voted_on.map(|d| d.to_string()),
            until: until.to_string(),
            reason: reason.clone(),
            granted_by: ctx.who.sub.clone(),
            granted_org: ctx.who.org.clone(),
            granted_at: stamp(ctx.now),
        };
        e.id = store::insert_exception(db, &e)?;
        audit::record(
            db,
            &event(
                ctx,
                "rule_exception",
                &e.id.to_string(),
                "record_rule_exception",
                serde_json::to_value(&e).unwrap_or_default(),
            ),
        )?;
        Ok(e)
    })
}

/// The recorded exceptions of a year (every year when absent), latest first.
pub fn list_exceptions(ctx: &OpCtx<'_>, year: Option<i32>) -> Result<Vec<RuleException>, DomainError> {
    require_province(ctx)?;
    Ok(store::exceptions(ctx.db, year)?)
}

/// An official calendar a deadline needs, and whether it is loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarNeed {
    pub year: i32,
    /// Loaded (published) already.
    pub loaded: bool,
    /// The first day a deadline computation may reach into it.
    pub needed_from: String,
    /// What needs it (Chinese).
    pub reasons: Vec<String>,
}

/// The calendars this and next year's deadlines need, and the deadlines waiting for one
/// (result publicity whose filing deadline falls in a year not yet loaded): the province
/// loads them before they block anyone.
pub fn calendar_needs(ctx: &OpCtx<'_>) -> Result<Vec<CalendarNeed>, DomainError> {
    require_province(ctx)?;
    let db = ctx.db;
    let calendar = reference::calendar(db)?;
    let today = shanghai_today(ctx.now);
    let mut needs: std::collections::BTreeMap<i32, (NaiveDate, Vec<String>)> = Default::default();
    let mut need = |year: i32, from: NaiveDate, why: String| {
        let e = needs.entry(year).or_insert((from, Vec::new()));
        e.0 = e.0.min(from);
        e.1.push(why);
    };
    for b in crate::store::admin::batches(db)? {
        if b.year < today.year() - 1 {
            continue;
        }
        let first = NaiveDate::from_ymd_opt(b.year, 1, 1).unwrap_or(NaiveDate::MIN);
        need(b.year, first, format!("{} 年度批次的单位公示、方案报备、评审结果公示", b.year));
        // A vote on the deadline day (二(四)) is filed within 15 working days: into next year.
        let voting = stored_date(&b.voting_deadline)?;
        need(
            b.year + 1,
            voting,
            format!(
                "{} 年度评议投票截止日 {} 之后的结果公示与备案期限（{} 个工作日）",
                b.year, voting, b.filing_working_days
            ),
        );
    }
    for (id, voted_on) in crate::store::certificates::pending_deadline_publicities(db)? {
        let voted = stored_date(&voted_on)?;
        let year = (voted.year()..voted.year() + 3).find(|y| !calendar.is_published(*y)).unwrap_or(voted.year() + 1);
        need(year, voted, format!("评审结果公示 {id}（投票 {voted_on}）的期限待该年节假日安排导入后计算"));
    }
    Ok(needs
        .into_iter()
        .map(|(year, (from, reasons))| CalendarNeed {
            year,
            loaded: calendar.is_published(year),
            needed_from: from.to_string(),
            reasons,
        })
        .collect())
}

/// The 领域 of 八(二) (grassroots service for 副高级 and above; 定向评价).
pub const FIELDS: &[&str] = &["卫生", "教育", "农业", "林业", "水利"];

/// Body of "set a field rule" (R7 三(三), R8 八(二)).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRuleInput {
    /// A series of the title tree (e.g. 中小学教师, 工程).
    pub series: String,
    /// Specialties starting with this (e.g. 林业); absent = every specialty of the series.
    #[serde(default)]
    pub specialty_prefix: Option<String>,
    /// 领域 of 八(二), absent if none.
    #[serde(default)]
    pub field: Option<String>,
    /// 继续教育学时 required (三(三)); 0 = no threshold.
    pub ce_hours_required: i64,
    /// Grassroots front-line service required for 副高级 and above (八(二)).
    pub grassroots_service_required: bool,
}

/// The conditions per series and specialty (anyone signed in: they are the rules).
pub fn field_rules(ctx: &OpCtx<'_>) -> Result<Vec<store::FieldRule>, DomainError> {
    Ok(store::field_rules(ctx.db)?)
}

/// Sets the conditions of a series (or of its specialties with a prefix), audited.
pub fn set_field_rule(ctx: &OpCtx<'_>, input: FieldRuleInput) -> Result<store::FieldRule, DomainError> {
    require_province(ctx)?;
    let series = required_text("series", "系列", &input.series, 50)?;
    let prefix = optional_text("specialty_prefix", "专业", input.specialty_prefix.as_deref(), 50)?.unwrap_or_default();
    let field = optional_text("field", "领域", input.field.as_deref(), 10)?.unwrap_or_default();
    if !field.is_empty() && !FIELDS.contains(&field.as_str()) {
        return Err(DomainError::invalid("field", format!("领域取值无效，可选：{}", FIELDS.join("、"))));
    }
    if !(0..=1000).contains(&input.ce_hours_required) {
        return Err(DomainError::invalid("ce_hours_required", "继续教育学时须在0到1000之间"));
    }
    with_tx(ctx.db, |db| {
        if !store::series_exists(db, &series)? {
            return Err(DomainError::invalid("series", format!("系列“{series}”不在职称系列中")));
        }
        let before = store::field_rule(db, &series, &prefix)?;
        let r = store::FieldRule {
            series: series.clone(),
            specialty_prefix: prefix.clone(),
            field: field.clone(),
            ce_hours_required: input.ce_hours_required,
            grassroots_service_required: input.grassroots_service_required,
            updated_by: ctx.who.sub.clone(),
            updated_at: stamp(ctx.now),
        };
        store::set_field_rule(db, &r)?;
        audit::record(
            db,
            &event(
                ctx,
                "field_rule",
                &format!("{series}/{prefix}"),
                "set_field_rule",
                serde_json::json!({ "before": before, "after": r }),
            ),
        )?;
        Ok(r)
    })
}

/// Body of "set a pass-rate limit" (五(三), R15): for a series or for a committee.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassRateInput {
    /// A series of the title tree (e.g. 卫生) …
    #[serde(default)]
    pub series: Option<String>,
    /// … or a committee (its row wins over its series').
    #[serde(default)]
    pub committee: Option<String>,
    /// The rate, 1..=100 percent.
    pub percent: i64,
}

/// The pass-rate limits the province set (anyone signed in: they are the rules).
pub fn pass_rates(ctx: &OpCtx<'_>) -> Result<Vec<store::PassRateLimit>, DomainError> {
    Ok(store::pass_rate_limits(ctx.db)?)
}

/// Sets the pass rate of a series or a committee (province), audited.
pub fn set_pass_rate(ctx: &OpCtx<'_>, input: PassRateInput) -> Result<store::PassRateLimit, DomainError> {
    require_province(ctx)?;
    let series = optional_text("series", "系列", input.series.as_deref(), 50)?;
    let committee = optional_text("committee", "评委会", input.committee.as_deref(), 64)?;
    let (scope, key) = match (series, committee) {
        (Some(s), None) => ("series", s),
        (None, Some(c)) => ("committee", c),
        _ => return Err(DomainError::invalid("series", "请填写系列或评委会（二选一）")),
    };
    if !(1..=100).contains(&input.percent) {
        return Err(DomainError::invalid("percent", "通过率须在1到100之间"));
    }
    with_tx(ctx.db, |db| {
        let known = if scope == "series" {
            store::series_exists(db, &key)?
        } else {
            store::committee_by_id(db, &key)?.is_some()
        };
        if !known {
            return Err(DomainError::invalid(scope, format!("“{key}”不存在")));
        }
        let l = store::PassRateLimit {
            scope: scope.to_owned(),
            key: key.clone(),
            percent: input.percent,
            updated_by: ctx.who.sub.clone(),
            updated_at: stamp(ctx.now),
        };
        store::set_pass_rate(db, &l)?;
        audit::record(
            db,
            &event(
                ctx,
                "pass_rate_limit",
                &format!("{scope}/{key}"),
                "set_pass_rate",
                serde_json::to_value(&l).unwrap_or_default(),
            ),
        )?;
        Ok(l)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(until: &str) -> RuleException {
        RuleException {
            id: 1,
            kind: "qualification_audit_extension".into(),
            year: 2024,
            committee_id: String::new(),
            org_id: "ORG".into(),
            voted_on: None,
            until: until.into(),
            reason: "延期".into(),
            granted_by: "p".into(),
            granted_org: "ORG-PROVINCE".into(),
            granted_at: "t".into(),
        }
    }

    #[test]
    fn the_notices_qualification_deadline_is_september_30th() {
        assert_eq!(notice_qualification_deadline(2024).to_string(), "2024-09-30");
    }

    #[test]
    fn an_extension_only_ever_moves_the_last_day_later() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let q = QualificationDeadline { deadline: d("2024-09-30"), extension: Some(ext("2024-10-15")) };
        assert_eq!(q.last_day(), d("2024-10-15"));
        let q = QualificationDeadline { deadline: d("2024-09-30"), extension: Some(ext("2024-09-01")) };
        assert_eq!(q.last_day(), d("2024-09-30"));
        let q = QualificationDeadline { deadline: d("2024-09-30"), extension: None };
        assert_eq!(q.last_day(), d("2024-09-30"));
    }
}
