//! Routes of the `jobs` component (province, 省人社厅): run scheduled jobs by hand and
//! verify the audit chain and export its anchors. The cron components call the same
//! functions.

use super::certificates::KeySource;
use super::{respond, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::Caller;
use crate::audit;
use crate::audit::anchor::{self, Reason};
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::publicity;

const PROVINCE: Roles = &[Role::Province];

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::signed("POST", "/api/jobs/publicity-timer", PROVINCE, Caller, |c| {
        let job = format!("publicity-timer(by {})", c.ctx().map(|x| x.who.sub.as_str()).unwrap_or_default());
        respond(
            200,
            c.with_anchor(Reason::PublicityClose, &job, publicity::closed_any, |x, _| {
                publicity::run(c.db, x.now, &job)
            }),
        )
    }),
    // Issue 10: moves clear ID numbers (old rows, imports) into the vault and rekeys it.
    Route::signed("POST", "/api/jobs/pii-reseal", PROVINCE, Caller, |c| {
        respond(
            200,
            c.with(|x| {
                let report = crate::pii::reseal(x.db)?;
                let mut e = x.event("pii_vault", "all", "pii_reseal");
                e.detail = serde_json::to_value(&report).ok();
                audit::record(x.db, &e)?;
                Ok(report)
            }),
        )
    }),
    Route::signed("GET", "/api/jobs/audit-chain", PROVINCE, Caller, |c| {
        respond(200, audit::verify_chain(c.db).map_err(DomainError::from))
    }),
    // The anchors of the audit chain, for the province to keep outside this system.
    Route::signed("GET", "/api/jobs/audit-anchors", PROVINCE, Caller, |c| {
        respond(200, anchor::all(c.db).map_err(DomainError::from))
    }),
];

/// Serves `/api/jobs/...`; the seal key (`key`) anchors the audit chain when a run closes
/// a publicity.
pub fn handle(req: &Request, db: &dyn Db, env: &Env, key: KeySource<'_>) -> Response {
    super::serve(ROUTES, req, db, env, &Deps { seal_key: Some(key), ..Deps::default() })
}
