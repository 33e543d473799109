//! Routes of the `evaluation` component (高评会组建单位 and the province): review plans,
//! the expert pool, the draw, interviews, tally, offline results, archive:
//! `/api/evaluation/...`.

use super::{respond, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::{Application, Caller, OfficePlan};
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::evaluation as ev;

const OFFICE: Roles = &[Role::CommitteeOrg];
const OFFICE_OR_PROVINCE: Roles = &[Role::CommitteeOrg, Role::Province];
const PROVINCE: Roles = &[Role::Province];
const P: &str = "评审方案";

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::signed("POST", "/api/evaluation/plans", OFFICE, Caller, |c| {
        respond(201, c.with(|x| ev::create_plan(x, c.json()?)))
    }),
    Route::signed("GET", "/api/evaluation/plans", OFFICE_OR_PROVINCE, Caller, |c| {
        respond(200, c.with(|x| ev::list_plans(x, c.page()?)))
    }),
    Route::signed("GET", "/api/evaluation/plans/{plan}", OFFICE_OR_PROVINCE, OfficePlan, |c| {
        respond(200, c.with(|x| ev::get_plan(x, c.id(0, P)?)))
    }),
    Route::signed("POST", "/api/evaluation/plans/{plan}/submit", OFFICE, OfficePlan, |c| {
        respond(200, c.with(|x| ev::submit_plan(x, c.id(0, P)?)))
    }),
    Route::signed("POST", "/api/evaluation/plans/{plan}/audit", PROVINCE, OfficePlan, |c| {
        respond(200, c.with(|x| ev::audit_plan(x, c.id(0, P)?, c.json()?)))
    }),
    Route::signed("POST", "/api/evaluation/plans/{plan}/draw", OFFICE, OfficePlan, |c| {
        respond(200, c.with(|x| ev::draw(x, c.id(0, P)?, c.json()?)))
    }),
    Route::signed("GET", "/api/evaluation/plans/{plan}/draw", OFFICE_OR_PROVINCE, OfficePlan, |c| {
        respond(200, c.with(|x| ev::draw_record(x, c.id(0, P)?)))
    }),
    Route::signed("POST", "/api/evaluation/plans/{plan}/judges/{expert}/decline", OFFICE, OfficePlan, |c| {
        respond(200, c.with(|x| ev::decline(x, c.id(0, P)?, c.param(1))))
    }),
    Route::signed("POST", "/api/evaluation/plans/{plan}/interviews", OFFICE, OfficePlan, |c| {
        respond(201, c.with(|x| ev::notify_interview(x, c.id(0, P)?, c.json()?)))
    }),
    Route::signed("POST", "/api/evaluation/plans/{plan}/tally", OFFICE, OfficePlan, |c| {
        respond(200, c.with(|x| ev::tally(x, c.id(0, P)?)))
    }),
    Route::signed("POST", "/api/evaluation/plans/{plan}/offline-results", OFFICE, OfficePlan, |c| {
        respond(200, c.with(|x| ev::offline_results(x, c.id(0, P)?, c.json()?)))
    }),
    Route::signed("GET", "/api/evaluation/plans/{plan}/results", OFFICE_OR_PROVINCE, OfficePlan, |c| {
        respond(200, c.with(|x| ev::results(x, c.id(0, P)?)))
    }),
    Route::signed("GET", "/api/evaluation/plans/{plan}/archive", OFFICE_OR_PROVINCE, OfficePlan, |c| {
        respond(200, c.with(|x| ev::archive(x, c.id(0, P)?)))
    }),
    Route::signed("POST", "/api/evaluation/experts", OFFICE_OR_PROVINCE, Caller, |c| {
        respond(201, c.with(|x| ev::add_expert(x, c.json()?)))
    }),
    Route::signed("GET", "/api/evaluation/experts", OFFICE_OR_PROVINCE, Caller, |c| {
        respond(
            200,
            c.with(|x| {
                crate::workflow::accountability::list_experts(x, c.req.query_param("status").as_deref(), c.page()?)
            }),
        )
    }),
    Route::signed("POST", "/api/evaluation/experts/{expert}/suspend", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| crate::workflow::accountability::suspend(x, c.param(0), c.json()?)))
    }),
    Route::signed("POST", "/api/evaluation/experts/{expert}/reinstate", PROVINCE, Caller, |c| {
        respond(200, c.with(|x| crate::workflow::accountability::reinstate(x, c.param(0), c.json()?)))
    }),
    Route::signed("GET", "/api/evaluation/experts/{expert}/suspensions", OFFICE_OR_PROVINCE, Caller, |c| {
        respond(200, c.with(|x| crate::workflow::accountability::suspensions(x, c.param(0))))
    }),
    Route::signed("POST", "/api/evaluation/experts/{expert}/relations", OFFICE_OR_PROVINCE, Caller, |c| {
        respond(
            201,
            c.with(|x| {
                let relation: ev::Relation = c.json()?;
                // The application named in the body must be one routed to the caller's
                // committees; any other (or none) is the same 404.
                if !crate::access::application_of_office(x.db, x.who, relation.application_id)? {
                    return Err(DomainError::NotFound("申报"));
                }
                ev::declare_relation(x, c.param(0), relation)
            }),
        )
    }),
    Route::signed(
        "GET",
        "/api/evaluation/applications/{id}/interviews",
        &[Role::Applicant, Role::CommitteeOrg, Role::Province],
        Application,
        |c| respond(200, c.with(|x| ev::interviews(x, c.id(0, "申报")?))),
    ),
];

/// Serves `/api/evaluation/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    super::serve(ROUTES, req, db, env, &Deps::default())
}
