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

    #[test]
    fn shanghai_today_turns_at_16_utc() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(shanghai_today(t("2024-10-12T15:59:59Z")).to_string(), "2024-10-12");
        assert_eq!(shanghai_today(t("2024-10-12T16:00:00Z")).to_string(), "2024-10-13");
    }
}
