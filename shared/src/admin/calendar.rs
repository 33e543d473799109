//! Calendar administration: the province loads a year's official State Council schedule
//! (法定节假日安排: days off and adjusted weekend workdays, 调休). Until a year is loaded,
//! every working-day computation that reaches it is refused with
//! `CALENDAR_YEAR_NOT_PUBLISHED` ([`crate::calendar::WorkCalendar`]).

use super::{event, require_province, required_text};
use crate::audit;
use crate::error::{DomainError, ErrorCode};
use crate::store::admin::{self as store, CalendarYear};
use crate::store::with_tx;
use crate::workflow::OpCtx;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A year's schedule as published.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearSchedule {
    /// The State Council notice (its address or document number).
    pub notice: String,
    /// Days off: the holidays and the weekend days joined to them.
    pub off: Vec<String>,
    /// Adjusted weekend workdays (调休上班).
    #[serde(default)]
    pub workdays: Vec<String>,
    /// Required to replace an already loaded year (a correction).
    #[serde(default)]
    pub replace: bool,
}

/// Checks a schedule (pure): every day in the year, none listed twice, adjusted workdays
/// only on weekends, and at least New Year's Day off.
pub fn validate(year: i32, s: &YearSchedule) -> Result<Vec<(String, &'static str)>, DomainError> {
    if !(2000..=2100).contains(&year) {
        return Err(DomainError::invalid("year", "年度须在2000到2100之间"));
    }
    let mut seen = BTreeSet::new();
    let mut days = Vec::new();
    for (list, kind, name) in [(&s.off, "off", "off"), (&s.workdays, "workday", "workdays")] {
        for (i, d) in list.iter().enumerate() {
            let field = format!("{name}[{i}]");
            let day = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|_| DomainError::invalid(field.clone(), "日期格式应为 YYYY-MM-DD"))?;
            if day.year() != year {
                return Err(DomainError::invalid(field, format!("{day} 不在{year}年内")));
            }
            if !seen.insert(day) {
                return Err(DomainError::invalid(field, format!("{day} 重复列出")));
            }
            if kind == "workday" && !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                return Err(DomainError::invalid(field, format!("{day} 不是周末，无需列为调休上班日")));
            }
            days.push((day.to_string(), kind));
        }
    }
    let new_year = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| DomainError::invalid("year", "年度无效"))?;
    if !s.off.iter().any(|d| d.trim() == new_year.to_string()) {
        return Err(DomainError::invalid("off", "放假安排应包含元旦（1月1日）"));
    }
    days.sort();
    Ok(days)
}

/// The loaded years.
pub fn years(ctx: &OpCtx<'_>) -> Result<Vec<CalendarYear>, DomainError> {
    Ok(store::calendar_years(ctx.db)?)
}

/// A loaded year's listed days.
#[derive(Debug, Clone, Serialize)]
pub struct YearView {
    pub year: i32,
    pub notice: String,
    pub off: Vec<String>,
    pub workdays: Vec<String>,
}

/// One loaded year.
pub fn year(ctx: &OpCtx<'_>, year: i32) -> Result<YearView, DomainError> {
    let y = store::calendar_years(ctx.db)?
        .into_iter()
        .find(|y| y.year == year)
        .ok_or(DomainError::CalendarYearNotPublished(year))?;
    let days = store::calendar_days(ctx.db, year)?;
    Ok(YearView {
        year,
        notice: y.notice,
        off: days.iter().filter(|(_, k)| k == "off").map(|(d, _)| d.clone()).collect(),
        workdays: days.iter().filter(|(_, k)| k == "workday").map(|(d, _)| d.clone()).collect(),
    })
}

/// Loads (publishes) a year's schedule; replacing a loaded year needs `replace: true`.
pub fn load(ctx: &OpCtx<'_>, year_: i32, s: YearSchedule) -> Result<YearView, DomainError> {
    require_province(ctx)?;
    let notice = required_text("notice", "国务院办公厅通知", &s.notice, 300)?;
    let days = validate(year_, &s)?;
    with_tx(ctx.db, |db| {
        let loaded = store::calendar_years(db)?.into_iter().any(|y| y.year == year_);
        if loaded && !s.replace {
            return Err(DomainError::conflict(ErrorCode::CalendarYearPublished, &[&year_]));
        }
        store::replace_calendar_year(db, year_, &notice, &days)?;
        // Deadlines kept pending for this year's calendar are computed now.
        let completed = crate::workflow::results::resolve_pending_deadlines(db, &crate::workflow::stamp(ctx.now))?;
        audit::record(
            db,
            &event(
                ctx,
                "calendar_year",
                &year_.to_string(),
                if loaded { "replace_calendar_year" } else { "load_calendar_year" },
                serde_json::json!({
                    "notice": notice,
                    "off": days.iter().filter(|(_, k)| *k == "off").count(),
                    "workdays": days.iter().filter(|(_, k)| *k == "workday").count(),
                    "pending_deadlines_computed": completed,
                }),
            ),
        )?;
        Ok(())
    })?;
    year(ctx, year_)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(off: &[&str], work: &[&str]) -> YearSchedule {
        YearSchedule {
            notice: "国办发明电〔2026〕1号".into(),
            off: off.iter().map(|s| (*s).into()).collect(),
            workdays: work.iter().map(|s| (*s).into()).collect(),
            replace: false,
        }
    }

    #[test]
    fn a_schedule_lists_days_of_its_year_once_with_workdays_on_weekends() {
        // 2027-01-01 is a Friday; 2027-01-02 a Saturday.
        assert_eq!(validate(2027, &schedule(&["2027-01-01"], &["2027-01-02"])).unwrap().len(), 2);
        let e = validate(2027, &schedule(&["2027-01-01"], &["2027-01-04"])).unwrap_err();
        assert_eq!(e.field(), Some("workdays[0]"));
        let e = validate(2027, &schedule(&["2027-01-01", "2027-01-01"], &[])).unwrap_err();
        assert_eq!(e.field(), Some("off[1]"));
        let e = validate(2027, &schedule(&["2027-01-01", "2026-12-31"], &[])).unwrap_err();
        assert_eq!(e.field(), Some("off[1]"));
    }

    #[test]
    fn a_schedule_without_new_years_day_is_refused() {
        assert_eq!(validate(2027, &schedule(&["2027-10-01"], &[])).unwrap_err().field(), Some("off"));
    }
}

/// A working-day computation on the official calendar (the same one every deadline uses).
#[derive(Debug, Clone, Serialize)]
pub struct WorkingDays {
    pub from: String,
    /// `add`, `subtract`, `between` or `is_working_day`.
    pub op: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_day: Option<bool>,
}

fn parse_date(field: &str, v: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| DomainError::invalid(field, format!("{field} 须为 YYYY-MM-DD 日期")))
}

fn parse_days(field: &str, v: &str) -> Result<u32, DomainError> {
    v.parse()
        .ok()
        .filter(|n| *n <= 366)
        .ok_or_else(|| DomainError::invalid(field, format!("{field} 须为0到366之间的整数")))
}

/// Answers one of: `add` working days after `from` (the period's last day; the opening day
/// does not count), `subtract` working days before `from`, count the working days
/// `between` `from` (exclusive) and `to` (inclusive), or whether `from` `is_working_day`.
/// A computation reaching an unpublished year is refused (`CALENDAR_YEAR_NOT_PUBLISHED`).
pub fn working_days(
    ctx: &OpCtx<'_>,
    from: Option<&str>,
    add: Option<&str>,
    subtract: Option<&str>,
    to: Option<&str>,
) -> Result<WorkingDays, DomainError> {
    let from_s = from.ok_or_else(|| DomainError::invalid("from", "请提供 from 日期"))?;
    let d = parse_date("from", from_s)?;
    let cal = crate::store::reference::calendar(ctx.db)?;
    let mut out = WorkingDays {
        from: d.to_string(),
        op: "is_working_day",
        days: None,
        to: None,
        result: None,
        count: None,
        working_day: None,
    };
    match (add, subtract, to) {
        (Some(n), None, None) => {
            let n = parse_days("add", n)?;
            out.op = "add";
            out.days = Some(n);
            out.result = Some(cal.add_working_days(d, n)?.to_string());
        }
        (None, Some(n), None) => {
            let n = parse_days("subtract", n)?;
            out.op = "subtract";
            out.days = Some(n);
            out.result = Some(cal.subtract_working_days(d, n)?.to_string());
        }
        (None, None, Some(t)) => {
            let t = parse_date("to", t)?;
            out.op = "between";
            out.to = Some(t.to_string());
            out.count = Some(cal.working_days_between(d, t)?);
        }
        (None, None, None) => out.working_day = Some(cal.is_working_day(d)?),
        _ => return Err(DomainError::invalid("add", "add、subtract、to 只能选一个")),
    }
    Ok(out)
}
