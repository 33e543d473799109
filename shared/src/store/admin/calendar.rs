//! Calendar.

#[allow(unused_imports)]
use super::*;

/// A published calendar year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarYear {
    pub year: i32,
    pub notice: String,
    pub off_days: i64,
    pub adjusted_workdays: i64,
}

pub(super) const SELECT_CALENDAR_YEARS: &str = "SELECT y.year, y.notice, \
     (SELECT COUNT(*) FROM work_calendar_days d WHERE d.kind = 'off' AND substr(d.day, 1, 4) = CAST(y.year AS TEXT)), \
     (SELECT COUNT(*) FROM work_calendar_days d WHERE d.kind = 'workday' AND substr(d.day, 1, 4) = CAST(y.year AS TEXT)) \
     FROM work_calendar_years y ORDER BY y.year";
pub(super) const SELECT_YEAR_DAYS: &str =
    "SELECT day, kind FROM work_calendar_days WHERE day >= ? AND day <= ? ORDER BY day";
pub(super) const DELETE_YEAR_DAYS: &str = "DELETE FROM work_calendar_days WHERE day >= ? AND day <= ?";
pub(super) const INSERT_DAY: &str = "INSERT INTO work_calendar_days (day, kind) VALUES (?, ?)";
pub(super) const UPSERT_YEAR: &str = "INSERT INTO work_calendar_years (year, notice) VALUES (?, ?) \
     ON CONFLICT (year) DO UPDATE SET notice = excluded.notice";

/// The published years with their day counts.
pub fn calendar_years(db: &dyn Db) -> Result<Vec<CalendarYear>, StoreError> {
    db.query(SELECT_CALENDAR_YEARS, &[])?
        .iter()
        .map(|r| {
            Ok(CalendarYear {
                year: r.int(0)? as i32,
                notice: r.text(1)?,
                off_days: r.int(2)?,
                adjusted_workdays: r.int(3)?,
            })
        })
        .collect()
}

/// The listed days of a year: (day, kind).
pub fn calendar_days(db: &dyn Db, year: i32) -> Result<Vec<(String, String)>, StoreError> {
    db.query(SELECT_YEAR_DAYS, &[format!("{year}-01-01").into(), format!("{year}-12-31").into()])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .collect()
}

/// Replaces a year's schedule and publishes the year.
pub fn replace_calendar_year(
    db: &dyn Db,
    year: i32,
    notice: &str,
    days: &[(String, &'static str)],
) -> Result<(), StoreError> {
    db.execute(DELETE_YEAR_DAYS, &[format!("{year}-01-01").into(), format!("{year}-12-31").into()])?;
    for (day, kind) in days {
        db.execute(INSERT_DAY, &[day.as_str().into(), (*kind).into()])?;
    }
    db.execute(UPSERT_YEAR, &[year.into(), notice.into()])
}
