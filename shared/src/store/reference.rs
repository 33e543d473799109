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
}

const SELECT_BATCH: &str = "SELECT year, material_cutoff, voting_deadline, unit_publicity_working_days, \
     assessment_years FROM annual_batches WHERE year = ?";

fn date(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Decode(format!("date {s}: {e}")))
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
        })),
    }
}

const SELECT_YEARS: &str = "SELECT year FROM work_calendar_years ORDER BY year";
const SELECT_DAYS: &str = "SELECT day, kind FROM work_calendar_days";

/// The whole published calendar (a few dozen rows per year).
pub fn calendar(db: &dyn Db) -> Result<WorkCalendar, StoreError> {
    let years: Vec<i32> =
        db.query(SELECT_YEARS, &[])?.iter().map(|r| r.int(0).map(|y| y as i32)).collect::<Result<_, _>>()?;
    let mut off = Vec::new();
    let mut work = Vec::new();
    for r in db.query(SELECT_DAYS, &[])? {
        let day = date(&r.text(0)?)?;
        if r.text(1)? == "off" {
            off.push(day);
        } else {
            work.push(day);
        }
    }
    Ok(WorkCalendar::new(years, off, work))
}
