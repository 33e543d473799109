//! Routes of the `jobs` component (province, 省人社厅): run scheduled jobs by hand and
//! verify the audit chain. The cron components call the same functions.

use super::{authenticate, respond, Env, Request, Response, Route};
use crate::audit;
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::publicity;

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] =
    &[Route::new("POST", "/api/jobs/publicity-timer"), Route::new("GET", "/api/jobs/audit-chain")];

/// Serves `/api/jobs/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    let who = match authenticate(req, env) {
        Ok(c) => c,
        Err(e) => return Response::error(&e),
    };
    if who.role != Role::Province {
        return Response::error(&DomainError::Forbidden);
    }
    let route = match crate::api::route(ROUTES, req) {
        Ok((route, _)) => route,
        Err(response) => return response,
    };
    match (route.method, route.path) {
        ("POST", "/api/jobs/publicity-timer") => {
            respond(200, publicity::run(db, env.now, &format!("publicity-timer(by {})", who.sub)))
        }
        ("GET", "/api/jobs/audit-chain") => respond(200, audit::verify_chain(db).map_err(DomainError::from)),
        _ => super::admin::unhandled(route),
    }
}
