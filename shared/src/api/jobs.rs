//! Routes of the `jobs` component (province, 省人社厅): run scheduled jobs by hand and
//! verify the audit chain. The cron components call the same functions.

use super::{respond, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::Caller;
use crate::audit;
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::publicity;

const PROVINCE: Roles = &[Role::Province];

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::signed("POST", "/api/jobs/publicity-timer", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| publicity::run(c.db, x.now, &format!("publicity-timer(by {})", x.who.sub))))
    }),
    Route::signed("GET", "/api/jobs/audit-chain", PROVINCE, Caller, |c| {
        respond(200, audit::verify_chain(c.db).map_err(DomainError::from))
    }),
];

/// Serves `/api/jobs/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    super::serve(ROUTES, req, db, env, &Deps::default())
}
