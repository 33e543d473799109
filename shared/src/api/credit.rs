//! Routes of the `credit-report` component (the province): fraud records reported to the
//! national credit platform (notice 七(一)) — the outbox with its dead letter, and "report
//! selected / all" by hand: `/api/credit/...`.

use super::{respond, Call, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::Caller;
use crate::auth::Role;
use crate::certificates::outbox::OutboxConfig;
use crate::certificates::registry::Transport;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::credit as wf;

const PROVINCE: Roles = &[Role::Province];

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::signed("POST", "/api/credit/report", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| wf::report(x, transport(c)?.as_ref(), &OutboxConfig::default(), c.json()?)))
    }),
    Route::signed("GET", "/api/credit/outbox", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| wf::outbox(x, c.req.query_param("status").as_deref(), c.page()?)))
    }),
];

fn transport(c: &Call<'_>) -> Result<Box<dyn Transport>, DomainError> {
    match c.deps.credit_platform {
        Some(source) => source(),
        None => Err(DomainError::Internal("this component has no credit-platform transport".into())),
    }
}

/// Serves `/api/credit/...` with the platform transport from `transport`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env, transport: super::mohrss::TransportSource<'_>) -> Response {
    super::serve(ROUTES, req, db, env, &Deps { credit_platform: Some(transport), ..Deps::default() })
}
