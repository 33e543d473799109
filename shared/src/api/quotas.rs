//! Routes of the `quota` component (评审职数): `/api/quotas/...`.

use super::chain::query_as;
use super::{
    authenticate, id_segment, method_not_allowed, no_route, op_ctx, page, parse_json, respond, Env, Request, Response,
};
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

/// Serves `/api/quotas/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    let who = match authenticate(req, env) {
        Ok(c) => c,
        Err(e) => return Response::error(&e),
    };
    let ctx = op_ctx(db, &who, env);
    match (req.segments().as_slice(), req.method.as_str()) {
        (["api", "quotas"], "POST") => {
            respond(201, parse_json(&req.body).and_then(|b| quotas::declare(&ctx, false, b)))
        }
        (["api", "quotas", "special"], "POST") => {
            respond(201, parse_json(&req.body).and_then(|b| quotas::declare(&ctx, true, b)))
        }
        (["api", "quotas"], "GET") => respond(
            200,
            (|| {
                let q: Query = query_as(req)?;
                let year = match q.batch_year {
                    None => None,
                    Some(y) => Some(
                        y.parse()
                            .map_err(|_| crate::error::DomainError::invalid("batch_year", "batch_year 须为年份"))?,
                    ),
                };
                let f = QuotaFilter { unit_org: q.unit_org, auditor_org: None, year, status: q.status, kind: q.kind };
                quotas::list(&ctx, f, page(req)?)
            })(),
        ),
        (["api", "quotas", "export"], "GET") => super::admin::export((|| {
            let q: Query = query_as(req)?;
            let year = match q.batch_year {
                None => None,
                Some(y) => Some(
                    y.parse().map_err(|_| crate::error::DomainError::invalid("batch_year", "batch_year 须为年份"))?,
                ),
            };
            quotas::export(
                &ctx,
                QuotaFilter { unit_org: q.unit_org, auditor_org: None, year, status: q.status, kind: q.kind },
            )
        })()),
        (["api", "quotas", id, "audit"], "POST") => respond(
            200,
            id_segment(id, "评审职数申报").and_then(|id| quotas::audit_quota(&ctx, id, parse_json(&req.body)?)),
        ),
        (["api", "quotas"], _)
        | (["api", "quotas", "special"], _)
        | (["api", "quotas", "export"], _)
        | (["api", "quotas", _, "audit"], _) => method_not_allowed(),
        _ => no_route(),
    }
}
