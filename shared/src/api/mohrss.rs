//! HTTP routes of the `mohrss-report` component (province, §1.18): report selected
//! certificates (批量上报) or all unreported (全部上报) now, and the status of every record
//! and batch: `/api/mohrss/...`. The same component's cron runs the outbox on schedule.

use super::{authenticate, id_segment, op_ctx, page, parse_json, respond, Env, Request, Response, Route};
use crate::certificates::outbox::OutboxConfig;
use crate::certificates::registry::Transport;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::mohrss as wf;

const fn r(method: &'static str, path: &'static str) -> Route {
    Route::new(method, path)
}

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] = &[
    r("POST", "/api/mohrss/report"),
    r("GET", "/api/mohrss/outbox"),
    r("GET", "/api/mohrss/batches"),
    r("GET", "/api/mohrss/batches/{id}"),
];

/// Where the transport to the registry comes from (read only by "report").
pub type TransportSource<'a> = &'a dyn Fn() -> Result<Box<dyn Transport>, DomainError>;

/// Serves `/api/mohrss/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env, transport: TransportSource<'_>) -> Response {
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
        ("POST", "/api/mohrss/report") => respond(
            200,
            (|| {
                ctx.require_role(crate::auth::Role::Province)?;
                let body = parse_json(&req.body)?;
                wf::report(&ctx, transport()?.as_ref(), &OutboxConfig::default(), body)
            })(),
        ),
        ("GET", "/api/mohrss/outbox") => respond(
            200,
            (|| {
                let cid = req
                    .query_param("certificate_id")
                    .map(|v| v.parse().map_err(|_| DomainError::invalid("certificate_id", "certificate_id 须为整数")))
                    .transpose()?;
                wf::outbox(&ctx, req.query_param("status").as_deref(), cid, page(req)?)
            })(),
        ),
        ("GET", "/api/mohrss/batches") => {
            respond(200, page(req).and_then(|pg| wf::batches(&ctx, req.query_param("status").as_deref(), pg)))
        }
        ("GET", "/api/mohrss/batches/{id}") => {
            respond(200, id_segment(p[0], "报送批次").and_then(|i| wf::batch(&ctx, i)))
        }
        _ => super::admin::unhandled(route),
    }
}
