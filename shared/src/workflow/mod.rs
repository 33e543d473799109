//! Operations: each one authorises the caller, runs the domain rules and the store
//! inside one transaction, and writes its audit event in that same transaction.

pub mod accountability;
pub mod applications;
pub mod certificates;
pub mod chain;
pub mod credit;
pub mod evaluation;
pub mod inspections;
pub mod materials;
pub mod mohrss;
pub mod organisations;
pub mod public;
pub mod publicity;
pub mod quotas;
pub mod results;
pub mod self_review;
pub mod session;
pub mod transition;

use crate::auth::{Claims, Role};
use crate::error::DomainError;
use crate::store::Db;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Everything an operation needs from its request: the connection, the verified
/// caller and the time (the domain never reads the clock).
pub struct OpCtx<'a> {
    /// The request's connection.
    pub db: &'a dyn Db,
    /// The verified token's claims.
    pub who: &'a Claims,
    /// The time of the request.
    pub now: DateTime<Utc>,
}

impl OpCtx<'_> {
    /// An audit event of the caller acting on object `kind`/`id`, at the request's time.
    pub fn event(&self, kind: &str, id: impl ToString, action: &str) -> crate::audit::AuditEvent {
        crate::audit::AuditEvent {
            subject_kind: kind.into(),
            subject_id: id.to_string(),
            actor: self.who.sub.clone(),
            role: self.who.role.as_str().into(),
            org: self.who.org.clone(),
            action: action.into(),
            from_state: None,
            to_state: None,
            opinion: None,
            detail: None,
            at: stamp(self.now),
        }
    }

    /// The caller and the request's time: the base of the audit event of a state change,
    /// which [`transition::apply`] completes with the subject, action and states.
    pub fn by(&self) -> crate::audit::AuditEvent {
        self.event("application", "", "")
    }

    /// An audit event of the caller moving an application from one state to another.
    pub fn application_event(
        &self,
        id: i64,
        action: &str,
        from: crate::domain::application::ApplicationState,
        to: crate::domain::application::ApplicationState,
    ) -> crate::audit::AuditEvent {
        crate::audit::AuditEvent {
            from_state: Some(from.as_str().into()),
            to_state: Some(to.as_str().into()),
            ..self.event("application", id, action)
        }
    }

    /// Refuses callers of any other role (403).
    pub fn require_role(&self, role: Role) -> Result<(), DomainError> {
        if self.who.role == role {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }
}

/// UTC time as stored: RFC 3339 with seconds.
pub fn stamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Today's date in Asia/Shanghai (UTC+8, no daylight saving), the date users live by.
pub fn shanghai_today(now: DateTime<Utc>) -> NaiveDate {
    let cst = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    now.with_timezone(&cst).date_naive()
}

/// The last day of an `n`-working-day period that opens on `opened`
/// ([`crate::calendar::WorkCalendar::add_working_days`]), reading only the calendar's days it
/// needs: a window of 2n + 31 days, doubled until the count ends inside it. Inside a write
/// transaction the whole calendar (~120 rows, each crossing into the component) held the
/// write lock ~110 µs of a unit approval's ~290 µs (issue 14).
pub fn working_days_after(db: &dyn Db, opened: NaiveDate, n: u32) -> Result<NaiveDate, DomainError> {
    working_days_after_from(db, opened, n, 2 * u64::from(n) + 31)
}

/// [`working_days_after`] with a first window of `span` days.
fn working_days_after_from(db: &dyn Db, opened: NaiveDate, n: u32, mut span: u64) -> Result<NaiveDate, DomainError> {
    loop {
        let last = opened.checked_add_days(chrono::Days::new(span)).unwrap_or(NaiveDate::MAX);
        let calendar = crate::store::reference::calendar_for(db, opened, last)?;
        if let Some(day) = calendar.add_working_days_within(opened, n)? {
            return Ok(day);
        }
        span *= 2;
    }
}

/// A page request: 1-based page, page size 1..=100 (default 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u32,
    /// Items per page.
    pub page_size: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { page: 1, page_size: 20 }
    }
}

impl PageRequest {
    /// SQL LIMIT.
    pub fn limit(self) -> i64 {
        i64::from(self.page_size)
    }

    /// SQL OFFSET.
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.page_size)
    }
}

/// A page of results.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// 1-based page number.
    pub page: u32,
    /// Page size.
    pub page_size: u32,
    /// Total matching items.
    pub total: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "native")]
    #[test]
    fn a_period_counted_on_a_window_of_the_calendar_ends_where_it_ends_on_the_whole_calendar() {
        use chrono::Datelike;
        let db = crate::store::native::NativeDb::open_in_memory().unwrap();
        let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        crate::store::native::apply_migrations_dir(&db, &migrations).unwrap();
        let whole = crate::store::reference::calendar(&db).unwrap();
        // From before the first published year to past the last: each start day, each length.
        let (mut day, last) =
            (NaiveDate::from_ymd_opt(2023, 12, 20).unwrap(), NaiveDate::from_ymd_opt(2027, 1, 5).unwrap());
        let mut ended_in_a_holiday_window = 0;
        while day <= last {
            for n in [0, 1, 3, 5, 30, 80] {
                let expected = whole.add_working_days(day, n);
                assert_eq!(working_days_after(&db, day, n), expected, "{day} + {n} working days");
                // A first window of one day: widened again and again until the count fits.
                assert_eq!(working_days_after_from(&db, day, n, 1), expected, "{day} + {n}, from one day");
                ended_in_a_holiday_window +=
                    usize::from(expected.is_ok_and(|end| end.month() == 10 && end.day() <= 12));
            }
            day = day.succ_opt().unwrap();
        }
        assert!(ended_in_a_holiday_window > 0);
    }

    #[test]
    fn shanghai_today_turns_at_16_utc() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(shanghai_today(t("2024-10-12T15:59:59Z")).to_string(), "2024-10-12");
        assert_eq!(shanghai_today(t("2024-10-12T16:00:00Z")).to_string(), "2024-10-13");
    }
}
