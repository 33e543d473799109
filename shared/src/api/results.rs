//! Routes of the `results` component (高评会组建单位 and the province): result publicity,
//! objections during it, filing requests and their audit (六(一)–(二), annex 2
//! §1.2.6–1.2.7, annex 3 §1.15): `/api/results/...`.

use super::certificates::KeySource;
use super::{respond, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::{Caller, OfficeFiling, OfficePublicity, ResultEntry};
use crate::audit::anchor::Reason;
use crate::auth::Role;
use crate::store::Db;
use crate::workflow::results as wf;

const OFFICE: Roles = &[Role::CommitteeOrg];
const OFFICE_OR_PROVINCE: Roles = &[Role::CommitteeOrg, Role::Province];
const PROVINCE: Roles = &[Role::Province];

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::signed("GET", "/api/results/sessions", OFFICE_OR_PROVINCE, Caller, |c| respond(200, c.with(wf::sessions))),
    Route::signed("GET", "/api/results/publicities", OFFICE_OR_PROVINCE, Caller, |c| {
        respond(200, c.with(|x| wf::list_publicities(x, c.page()?)))
    }),
    Route::signed("POST", "/api/results/publicities", OFFICE, Caller, |c| {
        respond(201, c.with(|x| wf::open_publicity(x, c.json()?)))
    }),
    Route::signed("GET", "/api/results/publicities/{id}", OFFICE_OR_PROVINCE, OfficePublicity, |c| {
        respond(200, c.with(|x| wf::get_publicity(x, c.id(0, "评审结果公示")?)))
    }),
    Route::signed("GET", "/api/results/applications/{id}/objections", OFFICE, ResultEntry, |c| {
        respond(200, c.with(|x| wf::objections(x, c.id(0, "申报")?)))
    }),
    Route::signed("POST", "/api/results/applications/{id}/objections", OFFICE, ResultEntry, |c| {
        respond(201, c.with(|x| wf::record_objection(x, c.id(0, "申报")?, c.json()?)))
    }),
    Route::signed("POST", "/api/results/applications/{id}/objections/{oid}/resolve", OFFICE, ResultEntry, |c| {
        respond(200, c.with(|x| wf::resolve_objection(x, c.id(0, "申报")?, c.id(1, "异议")?, c.json()?)))
    }),
    Route::signed("GET", "/api/results/filings", OFFICE_OR_PROVINCE, Caller, |c| {
        respond(200, c.with(|x| wf::list_filings(x, c.req.query_param("status").as_deref(), c.page()?)))
    }),
    Route::signed("POST", "/api/results/filings", OFFICE, Caller, |c| {
        respond(201, c.with(|x| wf::request_filing(x, c.json()?)))
    }),
    Route::signed("GET", "/api/results/filings/{id}", OFFICE_OR_PROVINCE, OfficeFiling, |c| {
        respond(200, c.with(|x| wf::get_filing(x, c.id(0, "备案申请")?)))
    }),
    Route::signed("POST", "/api/results/filings/{id}/audit", PROVINCE, OfficeFiling, |c| {
        let reference = format!("filing:{}", c.param(0));
        respond(
            200,
            c.with_anchor(
                Reason::Filing,
                &reference,
                |_| true,
                |x, _| wf::audit_filing(x, c.id(0, "备案申请")?, c.json()?),
            ),
        )
    }),
    Route::signed("GET", "/api/results/public-objections", OFFICE, Caller, |c| {
        respond(200, c.with(|x| crate::workflow::public::received_by_office(x, publicity_param(c)?)))
    }),
];

/// The optional `publicity_id` filter of the query.
fn publicity_param(c: &super::Call<'_>) -> Result<Option<i64>, crate::error::DomainError> {
    c.req
        .query_param("publicity_id")
        .map(|v| {
            v.parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| crate::error::DomainError::invalid("publicity_id", "publicity_id 须为正整数"))
        })
        .transpose()
}

/// Serves `/api/results/...`.
///
/// The seal key (`key`) signs the audit chain's anchor at each filing audit (issue 10).
pub fn handle(req: &Request, db: &dyn Db, env: &Env, key: KeySource<'_>) -> Response {
    super::serve(ROUTES, req, db, env, &Deps { seal_key: Some(key), ..Deps::default() })
}
