//! SQL for reference data: annual batches and the working-day calendar.

use super::{Db, StoreError};
use crate::calendar::WorkCalendar;
use chrono::NaiveDate;

/// An annual batch (年度批次).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnualBatch {
    pub year: i32,
    pub material_cutoff: NaiveDate,
    pub voting_deadline: NaiveDate,
    pub unit_publicity_working_days: u32,
    pub assessment_years: u32,
    pub quota_audit_deadline: Option<String>,
    pub special_quota_start: Option<String>,
    pub special_quota_end: Option<String>,
    pub plan_lead_working_days_self: u32,
    pub plan_lead_working_days_other: u32,
    pub result_publicity_open_working_days: u32,
    pub result_publicity_working_days: u32,
    pub filing_working_days: u32,
}

const SELECT_BATCH: &str = "SELECT year, material_cutoff, voting_deadline, unit_publicity_working_days, \
     assessment_years, quota_audit_deadline, special_quota_start, special_quota_end, plan_lead_working_days_self, \
     plan_lead_working_days_other, result_publicity_open_working_days, result_publicity_working_days, \
     filing_working_days FROM annual_batches WHERE year = ?";

fn date(s: &str) -> Result<NaiveDate, StoreError> {
    crate::calendar::parse_iso_date(s).map_err(|e| StoreError::Decode(format!("date {s}: {e}")))
}

/// The batch of a year, if configured.
pub fn batch(db: &dyn Db, year: i32) -> Result<Option<AnnualBatch>, StoreError> {
    match db.query_opt(SELECT_BATCH, &[year.into()])? {
        None => Ok(None),
        Some(r) => Ok(Some(AnnualBatch {
            year: r.int(0)? as i32,
            material_cutoff: date(&r.text(1)?)?,
            voting_deadline: date(&r.text(2)?)?,
            unit_publicity_working_days: r.int(3)? as u32,
            assessment_years: r.int(4)? as u32,
            quota_audit_deadline: r.opt_text(5)?,
            special_quota_start: r.opt_text(6)?,
            special_quota_end: r.opt_text(7)?,
            plan_lead_working_days_self: r.int(8)? as u32,
            plan_lead_working_days_other: r.int(9)? as u32,
            result_publicity_open_working_days: r.int(10)? as u32,
            result_publicity_working_days: r.int(11)? as u32,
            filing_working_days: r.int(12)? as u32,
        })),
    }
}

/// The batch of a year as it applies to a committee: a committee with its own schedule
/// (二(五): self-review units, teachers, grassroots series) overrides the material cutoff
/// and the voting deadline.
pub fn batch_for(db: &dyn Db, year: i32, committee: &str) -> Result<Option<AnnualBatch>, StoreError> {
    let Some(mut b) = batch(db, year)? else { return Ok(None) };
    if let Some(own) = super::admin::committee_batch_of(db, year, committee)? {
        if let Some(d) = own.material_cutoff.as_deref() {
            b.material_cutoff = date(d)?;
        }
        if let Some(d) = own.voting_deadline.as_deref() {
            b.voting_deadline = date(d)?;
        }
    }
    Ok(Some(b))
}

/// The published years (a row each, `day` null) and their exception days, in one statement.
const SELECT_CALENDAR: &str = "SELECT year, NULL, NULL FROM work_calendar_years \
     UNION ALL SELECT NULL, day, kind FROM work_calendar_days";

/// The whole published calendar (a few dozen rows per year).
pub fn calendar(db: &dyn Db) -> Result<WorkCalendar, StoreError> {
    calendar_of(db.query(SELECT_CALENDAR, &[])?)
}

/// The published years and their exception days from one day to another, in one statement.
const SELECT_CALENDAR_WINDOW: &str = "SELECT year, NULL, NULL FROM work_calendar_years \
     UNION ALL SELECT NULL, day, kind FROM work_calendar_days WHERE day >= ? AND day <= ?";

/// The calendar for the days from `first` to `last` (both included) only: every published
/// year, and the exception days in that window ([`WorkCalendar::listed_for`]).
pub fn calendar_for(db: &dyn Db, first: NaiveDate, last: NaiveDate) -> Result<WorkCalendar, StoreError> {
    let window = [first.to_string().into(), last.to_string().into()];
    Ok(calendar_of(db.query(SELECT_CALENDAR_WINDOW, &window)?)?.listed_for(first, last))
}

fn calendar_of(rows: Vec<super::Row>) -> Result<WorkCalendar, StoreError> {
    let (mut years, mut off, mut work) = (Vec::new(), Vec::new(), Vec::new());
    for r in rows {
        match r.opt_text(1)? {
            None => years.push(r.int(0)? as i32),
            Some(day) if r.text(2)? == "off" => off.push(date(&day)?),
            Some(day) => work.push(date(&day)?),
        }
    }
    Ok(WorkCalendar::new(years, off, work))
}

const SELECT_FIELD_RULE: &str = "SELECT ce_hours_required, grassroots_service_required, field FROM field_rules \
     WHERE series = ? AND substr(?, 1, length(specialty_prefix)) = specialty_prefix \
     ORDER BY length(specialty_prefix) DESC LIMIT 1";

/// The conditions configured for a series and specialty (R7, R8): the row of the series
/// with the longest specialty prefix matching (none when not configured).
pub fn series_rule(db: &dyn Db, series: &str, specialty: &str) -> Result<crate::domain::rules::SeriesRule, StoreError> {
    Ok(match db.query_opt(SELECT_FIELD_RULE, &[series.into(), specialty.into()])? {
        Some(r) => crate::domain::rules::SeriesRule {
            ce_hours_required: r.int(0)?.max(0) as u32,
            grassroots_service_required: r.int(1)? != 0,
            in_field: !r.text(2)?.is_empty(),
        },
        None => crate::domain::rules::SeriesRule::default(),
    })
}
