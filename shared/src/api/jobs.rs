//! Routes of the `jobs` component (province, 省人社厅): run scheduled jobs by hand and
//! verify the audit chain. The cron components call the same functions.

use super::{authenticate, method_not_allowed, no_route, respond, Env, Request, Response};
use crate::audit;
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::publicity;

/// Serves `/api/jobs/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    let who = match authenticate(req, env) {
        Ok(c) => c,
        Err(e) => return Response::error(&e),
    };
    if who.role != Role::Province {
        return Response::error(&DomainError::Forbidden);
    }
    match (req.segments().as_slice(), req.method.as_str()) {
        (["api", "jobs", "publicity-timer"], "POST") => {
            respond(200, publicity::run(db, env.now, &format!("publicity-timer(by {})", who.sub)))
        }
        (["api", "jobs", "audit-chain"], "GET") => respond(200, audit::verify_chain(db).map_err(DomainError::from)),
        (["api", "jobs", "publicity-timer"], _) | (["api", "jobs", "audit-chain"], _) => method_not_allowed(),
        _ => no_route(),
    }
}
