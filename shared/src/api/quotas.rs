//! Routes of the `quota` component (评审职数): `/api/quotas/...`.

use super::chain::query_as;
use super::{respond, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::{Caller, QuotaAuditor};
use crate::auth::Role;
use crate::store::chain::QuotaFilter;
use crate::store::Db;
use crate::workflow::quotas;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    #[serde(default)]
    batch_year: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    unit_org: Option<String>,
    // Pagination is read by `api::page`; listed here so that unknown fields stay refused.
    #[serde(default, rename = "page")]
    _page: Option<String>,
    #[serde(default, rename = "page_size")]
    _page_size: Option<String>,
}

const UNIT: Roles = &[Role::Unit];
/// Units see their own declarations, auditing organisations those they audit, the
/// province all.
const QUOTA_PARTIES: Roles = &[Role::Unit, Role::Dept, Role::Province];
/// The auditor of a normal declaration is an organisation on the unit's path; special
/// requests are first checked there and then audited by the province.
const AUDITORS: Roles = &[Role::Dept, Role::Province];
/// The city HR bureaus and departments that check and summarise special requests (三(二)2).
const CHECKERS: Roles = &[Role::Dept];

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::signed("POST", "/api/quotas", UNIT, Caller, |c| {
        respond(201, c.with(|x| quotas::declare(x, false, c.json()?)))
    }),
    Route::signed("POST", "/api/quotas/special", UNIT, Caller, |c| {
        respond(201, c.with(|x| quotas::declare(x, true, c.json()?)))
    }),
    Route::signed("POST", "/api/quotas/special/reports", CHECKERS, Caller, |c| {
        respond(201, c.with(|x| quotas::submit_special_report(x, c.json()?)))
    }),
    Route::signed("GET", "/api/quotas/special/reports", AUDITORS, Caller, |c| {
        respond(200, c.with(|x| quotas::special_reports(x, year_param(c.req)?)))
    }),
    Route::signed("GET", "/api/quotas", QUOTA_PARTIES, Caller, |c| {
        respond(200, c.with(|x| quotas::list(x, filter(c.req)?, c.page()?)))
    }),
    Route::signed("GET", "/api/quotas/export", QUOTA_PARTIES, Caller, |c| {
        super::admin::export(c.with(|x| quotas::export(x, filter(c.req)?)))
    }),
    Route::signed("POST", "/api/quotas/{id}/audit", AUDITORS, QuotaAuditor, |c| {
        respond(200, c.with(|x| quotas::audit_quota(x, c.id(0, "评审职数申报")?, c.json()?)))
    }),
];

fn year_param(req: &Request) -> Result<Option<i32>, crate::error::DomainError> {
    match req.query_param("batch_year") {
        None => Ok(None),
        Some(y) => {
            y.parse().map(Some).map_err(|_| crate::error::DomainError::invalid("batch_year", "batch_year 须为年份"))
        }
    }
}

fn filter(req: &Request) -> Result<QuotaFilter, crate::error::DomainError> {
    let q: Query = query_as(req)?;
    let year = match q.batch_year {
        None => None,
        Some(y) => {
            Some(y.parse().map_err(|_| crate::error::DomainError::invalid("batch_year", "batch_year 须为年份"))?)
        }
    };
    Ok(QuotaFilter { unit_org: q.unit_org, auditor_org: None, year, status: q.status, kind: q.kind })
}

/// Serves `/api/quotas/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    super::serve(ROUTES, req, db, env, &Deps::default())
}
