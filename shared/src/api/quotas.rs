//! Routes of the `quota` component (评审职数): `/api/quotas/...`.

use super::chain::query_as;
use super::{authenticate, id_segment, op_ctx, page, parse_json, respond, Env, Request, Response, Route};
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

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] = &[
    Route::new("POST", "/api/quotas"),
    Route::new("POST", "/api/quotas/special"),
    Route::new("GET", "/api/quotas"),
    Route::new("GET", "/api/quotas/export"),
    Route::new("POST", "/api/quotas/{id}/audit"),
];

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
    let who = match authenticate(req, env) {
        Ok(c) => c,
        Err(e) => return Response::error(&e),
    };
    let ctx = op_ctx(db, &who, env);
    let (route, p) = match crate::api::route(ROUTES, req) {
        Ok(found) => found,
        Err(response) => return response,
    };
    match (route.method, route.path) {
        ("POST", "/api/quotas") => respond(201, parse_json(&req.body).and_then(|b| quotas::declare(&ctx, false, b))),
        ("POST", "/api/quotas/special") => {
            respond(201, parse_json(&req.body).and_then(|b| quotas::declare(&ctx, true, b)))
        }
        ("GET", "/api/quotas") => respond(200, filter(req).and_then(|f| quotas::list(&ctx, f, page(req)?))),
        ("GET", "/api/quotas/export") => super::admin::export(filter(req).and_then(|f| quotas::export(&ctx, f))),
        ("POST", "/api/quotas/{id}/audit") => respond(
            200,
            id_segment(p[0], "评审职数申报").and_then(|id| quotas::audit_quota(&ctx, id, parse_json(&req.body)?)),
        ),
        _ => super::admin::unhandled(route),
    }
}
