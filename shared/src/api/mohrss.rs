//! Routes of the `mohrss-report` component (the province): report certificates and
//! revocations to the national registry, selected or all (annex 3 §1.18), and follow the
//! outbox and its batches: `/api/mohrss/...`.

use super::{respond, Call, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::Caller;
use crate::auth::Role;
use crate::certificates::outbox::OutboxConfig;
use crate::certificates::registry::Transport;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::mohrss as wf;

const PROVINCE: Roles = &[Role::Province];

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::signed("POST", "/api/mohrss/report", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| wf::report(x, transport(c)?.as_ref(), &OutboxConfig::default(), c.json()?)))
    }),
    Route::signed("GET", "/api/mohrss/outbox", PROVINCE, Caller, |c| {
        respond(
            200,
            c.with(|x| {
                let cid = c
                    .req
                    .query_param("certificate_id")
                    .map(|v| v.parse().map_err(|_| DomainError::invalid("certificate_id", "certificate_id 须为整数")))
                    .transpose()?;
                wf::outbox(x, c.req.query_param("status").as_deref(), cid, c.page()?)
            }),
        )
    }),
    Route::signed("GET", "/api/mohrss/batches", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| wf::batches(x, c.req.query_param("status").as_deref(), c.page()?)))
    }),
    Route::signed("GET", "/api/mohrss/batches/{id}", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| wf::batch(x, c.id(0, "报送批次")?)))
    }),
];

/// Where the registry transport comes from (only "report" sends).
pub type TransportSource<'a> = &'a dyn Fn() -> Result<Box<dyn Transport>, DomainError>;

fn transport(c: &Call<'_>) -> Result<Box<dyn Transport>, DomainError> {
    match c.deps.registry {
        Some(source) => source(),
        None => Err(DomainError::Internal("this component has no registry transport".into())),
    }
}

/// Serves `/api/mohrss/...` with the registry transport from `transport`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env, transport: TransportSource<'_>) -> Response {
    super::serve(ROUTES, req, db, env, &Deps { registry: Some(transport), ..Deps::default() })
}
