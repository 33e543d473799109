//! Working days of the official Chinese calendar: weekends off, statutory holidays off,
//! adjusted weekend workdays (调休) on. The schedules are data (migration 0002, loaded by
//! the province each year); a computation that reaches an unpublished year is refused.
//!
//! Convention: an N-working-day period that opens on day D starts the day after D, so
//! it is never shorter than N full working days.

use crate::error::DomainError;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::collections::{BTreeSet, HashSet};

/// A `%Y-%m-%d` date, as `NaiveDate::parse_from_str(s, "%Y-%m-%d")` reads it. The stored
/// form (`2024-10-01`) is read directly: chrono parses its format string on every call,
/// which was a visible share of a request that loads the calendar (issue 14).
pub fn parse_iso_date(s: &str) -> Result<NaiveDate, chrono::ParseError> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
            if let Some(day) = NaiveDate::from_ymd_opt(y as i32, m, d) {
                return Ok(day);
            }
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
}

/// The official schedule of the published years.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    years: BTreeSet<i32>,
    off: HashSet<NaiveDate>,
    adjusted_workdays: HashSet<NaiveDate>,
    /// When set, the listed days are known for these days only, first and last included (a
    /// calendar read for a window, [`WorkCalendar::listed_for`]).
    listed: Option<(NaiveDate, NaiveDate)>,
}

impl WorkCalendar {
    /// Builds a calendar from the published years and their listed days.
    pub fn new(
        years: impl IntoIterator<Item = i32>,
        off: impl IntoIterator<Item = NaiveDate>,
        adjusted_workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        WorkCalendar {
            years: years.into_iter().collect(),
            off: off.into_iter().collect(),
            adjusted_workdays: adjusted_workdays.into_iter().collect(),
            listed: None,
        }
    }

    /// The same calendar, for a caller that gave it the listed days from `first` to `last`
    /// only: a day outside them is not judged (an error), and a count that would leave them
    /// stops ([`WorkCalendar::add_working_days_within`]).
    pub fn listed_for(mut self, first: NaiveDate, last: NaiveDate) -> Self {
        self.listed = Some((first, last));
        self
    }

    fn is_listed_for(&self, day: NaiveDate) -> bool {
        self.listed.is_none_or(|(first, last)| first <= day && day <= last)
    }

    /// Whether the State Council schedule of `year` is loaded.
    pub fn is_published(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Whether `day` is a working day; refused for an unpublished year.
    pub fn is_working_day(&self, day: NaiveDate) -> Result<bool, DomainError> {
        if !self.is_listed_for(day) {
            return Err(outside_the_window());
        }
        if !self.is_published(day.year()) {
            return Err(DomainError::CalendarYearNotPublished(day.year()));
        }
        if self.off.contains(&day) {
            return Ok(false);
        }
        if self.adjusted_workdays.contains(&day) {
            return Ok(true);
        }
        Ok(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The last day of an `n`-working-day period that opens on `opened`: the n-th working
    /// day strictly after `opened`. `n = 0` returns `opened`.
    pub fn add_working_days(&self, opened: NaiveDate, n: u32) -> Result<NaiveDate, DomainError> {
        self.add_working_days_within(opened, n)?.ok_or_else(outside_the_window)
    }

    /// [`WorkCalendar::add_working_days`] on a calendar of a window
    /// ([`WorkCalendar::listed_for`]): `None` when the count would leave it.
    pub fn add_working_days_within(&self, opened: NaiveDate, n: u32) -> Result<Option<NaiveDate>, DomainError> {
        self.step(opened, n, Days::new(1), true)
    }

    /// The n-th working day strictly before `day` (e.g. the latest date a plan may be
    /// filed `n` working days before a review starts).
    pub fn subtract_working_days(&self, day: NaiveDate, n: u32) -> Result<NaiveDate, DomainError> {
        self.step(day, n, Days::new(1), false)?.ok_or_else(outside_the_window)
    }

    /// Working days strictly after `from` up to and including `to` (0 if `to <= from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, DomainError> {
        let mut count = 0;
        let mut d = from;
        while d < to {
            d = d.succ_opt().ok_or(DomainError::Internal("date overflow".into()))?;
            if self.is_working_day(d)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// The n-th working day after (or before) `start`; `None` when the count leaves the
    /// calendar's window.
    fn step(&self, start: NaiveDate, n: u32, one: Days, forward: bool) -> Result<Option<NaiveDate>, DomainError> {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = if forward { d.checked_add_days(one) } else { d.checked_sub_days(one) }
                .ok_or(DomainError::Internal("date overflow".into()))?;
            if !self.is_listed_for(d) {
                return Ok(None);
            }
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(Some(d))
    }
}

/// A day asked of a calendar read for a window that does not hold it: a caller's mistake.
fn outside_the_window() -> DomainError {
    DomainError::Internal("the working-day calendar was read for a window that does not hold this day".into())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_iso_date_is_read_as_chrono_reads_it_and_anything_else_is_refused_as_chrono_refuses_it() {
        let cases = [
            "2024-10-01",
            "2024-02-29",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-1-05",
            "2024-01-5",
            "0999-01-01",
            "2024/10/01",
            "2024-10-01 ",
            " 2024-10-01",
            "20241001",
            "2024-10-0a",
            "",
            "２０２４-10-01",
        ];
        for c in cases {
            assert_eq!(parse_iso_date(c), NaiveDate::parse_from_str(c, "%Y-%m-%d"), "{c:?}");
        }
        assert_eq!(parse_iso_date("2026-02-17"), Ok(NaiveDate::from_ymd_opt(2026, 2, 17).unwrap()));
    }

    /// The official 2024–2026 schedules, read from the same migration the app applies.
    pub(crate) fn official() -> WorkCalendar {
        let sql = include_str!("../../migrations/0002_work_calendar_2024_2026.sql");
        let mut years = Vec::new();
        let mut off = Vec::new();
        let mut work = Vec::new();
        for line in sql.lines() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("('") {
                let date = &rest[..10];
                if rest.contains("'off'") {
                    off.push(d(date));
                } else if rest.contains("'workday'") {
                    work.push(d(date));
                }
            }
            if let Some(y) = line.strip_prefix("INSERT OR IGNORE INTO work_calendar_years (year, notice) VALUES (") {
                years.push(y[..4].parse().unwrap());
            }
        }
        assert_eq!(years, vec![2024, 2025, 2026]);
        WorkCalendar::new(years, off, work)
    }

    #[test]
    fn ten_working_days_before_2025_10_15_is_2025_09_25() {
        assert_eq!(official().subtract_working_days(d("2025-10-15"), 10).unwrap(), d("2025-09-25"));
    }

    #[test]
    fn three_working_days_after_2026_09_30_end_on_2026_10_10() {
        // 10-01..10-07 National Day, 10-08 Thu, 10-09 Fri, 10-10 Sat (adjusted workday).
        assert_eq!(official().add_working_days(d("2026-09-30"), 3).unwrap(), d("2026-10-10"));
    }

    #[test]
    fn r11_five_working_days_of_publicity_opened_2024_09_30_end_on_the_adjusted_saturday_2024_10_12() {
        assert_eq!(official().add_working_days(d("2024-09-30"), 5).unwrap(), d("2024-10-12"));
    }

    #[test]
    fn an_adjusted_weekend_workday_is_a_working_day_and_a_weekday_holiday_is_not() {
        let c = official();
        assert!(c.is_working_day(d("2024-10-12")).unwrap()); // Saturday, 调休
        assert!(!c.is_working_day(d("2024-10-01")).unwrap()); // Tuesday, 国庆
        assert!(!c.is_working_day(d("2025-05-31")).unwrap()); // Saturday, 端午
        assert!(c.is_working_day(d("2026-01-04")).unwrap()); // Sunday, 调休
        assert!(!c.is_working_day(d("2026-01-02")).unwrap()); // Friday, 元旦
    }

    #[test]
    fn a_computation_reaching_2027_is_refused() {
        let c = official();
        assert_eq!(c.is_working_day(d("2027-01-04")), Err(DomainError::CalendarYearNotPublished(2027)));
        assert_eq!(c.add_working_days(d("2026-12-28"), 10), Err(DomainError::CalendarYearNotPublished(2027)));
    }

    #[test]
    fn a_period_never_counts_its_opening_day() {
        // Opened on Monday 2024-11-04: five working days are Tue..Fri and Mon 11-11.
        assert_eq!(official().add_working_days(d("2024-11-04"), 5).unwrap(), d("2024-11-11"));
        assert_eq!(official().add_working_days(d("2024-11-04"), 0).unwrap(), d("2024-11-04"));
    }

    #[test]
    fn a_calendar_read_for_a_window_stops_a_count_that_would_leave_it_and_judges_no_day_outside() {
        // National Day 2024: 10-01..10-07 off; 09-29 (Sun) and 10-12 (Sat) adjusted workdays.
        let c = official().listed_for(d("2024-09-30"), d("2024-10-11"));
        assert_eq!(c.add_working_days_within(d("2024-09-30"), 4).unwrap(), Some(d("2024-10-11")));
        assert_eq!(c.add_working_days_within(d("2024-09-30"), 5).unwrap(), None);
        assert!(c.add_working_days(d("2024-09-30"), 5).is_err());
        assert!(c.is_working_day(d("2024-10-12")).is_err());
        assert!(c.is_working_day(d("2024-09-29")).is_err());
        assert!(c.subtract_working_days(d("2024-10-08"), 2).is_err());
        assert_eq!(c.subtract_working_days(d("2024-10-08"), 1).unwrap(), d("2024-09-30"));
    }

    #[test]
    fn spring_festival_2025_spans_the_adjusted_sunday_and_saturday() {
        let c = official();
        // 2025-01-26 (Sun) and 2025-02-08 (Sat) are workdays; 01-28..02-04 are off.
        assert_eq!(c.add_working_days(d("2025-01-24"), 1).unwrap(), d("2025-01-26"));
        assert_eq!(c.add_working_days(d("2025-01-27"), 1).unwrap(), d("2025-02-05"));
        assert_eq!(c.working_days_between(d("2025-01-27"), d("2025-02-08")).unwrap(), 4);
    }
}
