//! Routes of the `review` component (用人单位, the unit's HR office):
//! `/api/unit/applications/...`. A unit sees its own staff's applications, never drafts.

use super::applicant::download_material;
use super::{list_filter, respond, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::{Application, Caller};
use crate::auth::Role;
use crate::store::Db;
use crate::workflow::{applications as wf, chain};

const UNIT: Roles = &[Role::Unit];
const A: &str = "申报";

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::signed("GET", "/api/unit/applications", UNIT, Caller, |c| {
        respond(200, c.with(|x| wf::list(x, false, &list_filter(c.req)?, c.page()?)))
    }),
    Route::signed("GET", "/api/unit/applications/export", UNIT, Caller, |c| {
        super::admin::export(c.with(|x| wf::export(x, false, &list_filter(c.req)?)))
    }),
    Route::signed("GET", "/api/unit/applications/{id}", UNIT, Application, |c| {
        respond(200, c.with(|x| wf::get(x, c.id(0, A)?)))
    }),
    Route::signed("GET", "/api/unit/applications/{id}/events", UNIT, Application, |c| {
        respond(200, c.with(|x| wf::history(x, c.id(0, A)?)))
    }),
    Route::signed("GET", "/api/unit/applications/{id}/tracking", UNIT, Application, |c| {
        respond(200, c.with(|x| chain::tracking(x, c.id(0, A)?)))
    }),
    Route::signed("GET", "/api/unit/applications/{id}/materials", UNIT, Application, |c| {
        respond(200, c.with(|x| wf::list_materials(x, c.id(0, A)?)))
    }),
    Route::signed("GET", "/api/unit/applications/{id}/materials/{mid}", UNIT, Application, download_material),
    Route::signed("POST", "/api/unit/applications/{id}/approve", UNIT, Application, |c| {
        respond(200, c.with(|x| wf::approve_into_publicity(x, c.id(0, A)?, c.json()?)))
    }),
    Route::signed("POST", "/api/unit/applications/{id}/recommend", UNIT, Application, |c| {
        respond(200, c.with(|x| chain::recommend(x, c.id(0, A)?, c.json_or_default()?)))
    }),
    Route::signed("POST", "/api/unit/applications/{id}/return", UNIT, Application, |c| {
        respond(200, c.with(|x| wf::return_for_correction(x, c.id(0, A)?, c.json()?)))
    }),
    Route::signed("POST", "/api/unit/applications/{id}/reject", UNIT, Application, |c| {
        respond(200, c.with(|x| wf::reject(x, c.id(0, A)?, c.json()?)))
    }),
    Route::signed("POST", "/api/unit/applications/{id}/objections", UNIT, Application, |c| {
        respond(201, c.with(|x| wf::record_objection(x, c.id(0, A)?, c.json()?)))
    }),
    Route::signed("GET", "/api/unit/applications/{id}/objections", UNIT, Application, |c| {
        respond(200, c.with(|x| wf::objections(x, c.id(0, A)?)))
    }),
    Route::signed("POST", "/api/unit/applications/{id}/objections/{oid}/resolve", UNIT, Application, |c| {
        respond(200, c.with(|x| wf::resolve_objection(x, c.id(0, A)?, c.id(1, "异议")?, c.json()?)))
    }),
    Route::signed("GET", "/api/unit/applications/{id}/public-objections", UNIT, Application, |c| {
        respond(200, c.with(|x| crate::workflow::public::received_by_unit(x, c.id(0, A)?)))
    }),
];

/// Serves `/api/unit/applications/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    super::serve(ROUTES, req, db, env, &Deps::default())
}
