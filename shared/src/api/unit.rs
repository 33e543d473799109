//! Routes of the `review` component (unit, 用人单位): `/api/unit/applications/...`.

use super::applicant::download;
use super::{
    authenticate, id_segment, list_filter, op_ctx, page, parse_json, parse_json_or_default, respond, Env, Request,
    Response, Route,
};
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::{applications as wf, chain};

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] = &[
    Route::new("GET", "/api/unit/applications"),
    Route::new("GET", "/api/unit/applications/export"),
    Route::new("GET", "/api/unit/applications/{id}"),
    Route::new("GET", "/api/unit/applications/{id}/events"),
    Route::new("GET", "/api/unit/applications/{id}/tracking"),
    Route::new("GET", "/api/unit/applications/{id}/materials"),
    Route::new("GET", "/api/unit/applications/{id}/materials/{mid}"),
    Route::new("POST", "/api/unit/applications/{id}/approve"),
    Route::new("POST", "/api/unit/applications/{id}/recommend"),
    Route::new("POST", "/api/unit/applications/{id}/return"),
    Route::new("POST", "/api/unit/applications/{id}/reject"),
    Route::new("POST", "/api/unit/applications/{id}/objections"),
    Route::new("GET", "/api/unit/applications/{id}/objections"),
    Route::new("POST", "/api/unit/applications/{id}/objections/{oid}/resolve"),
];

/// Serves `/api/unit/applications` and everything under it.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    let who = match authenticate(req, env) {
        Ok(c) => c,
        Err(e) => return Response::error(&e),
    };
    if who.role != Role::Unit {
        return Response::error(&DomainError::Forbidden);
    }
    let ctx = op_ctx(db, &who, env);
    let (route, p) = match crate::api::route(ROUTES, req) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let id = || id_segment(p[0], "申报");
    match (route.method, route.path) {
        ("GET", "/api/unit/applications") => {
            respond(200, list_filter(req).and_then(|f| wf::list(&ctx, false, &f, page(req)?)))
        }
        ("GET", "/api/unit/applications/export") => {
            super::admin::export(list_filter(req).and_then(|f| wf::export(&ctx, false, &f)))
        }
        ("GET", "/api/unit/applications/{id}") => respond(200, id().and_then(|a| wf::get(&ctx, a))),
        ("GET", "/api/unit/applications/{id}/events") => respond(200, id().and_then(|a| wf::history(&ctx, a))),
        ("GET", "/api/unit/applications/{id}/tracking") => respond(200, id().and_then(|a| chain::tracking(&ctx, a))),
        ("GET", "/api/unit/applications/{id}/materials") => {
            respond(200, id().and_then(|a| wf::list_materials(&ctx, a)))
        }
        ("GET", "/api/unit/applications/{id}/materials/{mid}") => {
            download(id().and_then(|a| wf::download_material(&ctx, a, id_segment(p[1], "材料")?)))
        }
        ("POST", "/api/unit/applications/{id}/approve") => {
            respond(200, id().and_then(|a| wf::approve_into_publicity(&ctx, a, parse_json(&req.body)?)))
        }
        ("POST", "/api/unit/applications/{id}/recommend") => {
            respond(200, id().and_then(|a| chain::recommend(&ctx, a, parse_json_or_default(&req.body)?)))
        }
        ("POST", "/api/unit/applications/{id}/return") => {
            respond(200, id().and_then(|a| wf::return_for_correction(&ctx, a, parse_json(&req.body)?)))
        }
        ("POST", "/api/unit/applications/{id}/reject") => {
            respond(200, id().and_then(|a| wf::reject(&ctx, a, parse_json(&req.body)?)))
        }
        ("POST", "/api/unit/applications/{id}/objections") => {
            respond(201, id().and_then(|a| wf::record_objection(&ctx, a, parse_json(&req.body)?)))
        }
        ("GET", "/api/unit/applications/{id}/objections") => respond(200, id().and_then(|a| wf::objections(&ctx, a))),
        ("POST", "/api/unit/applications/{id}/objections/{oid}/resolve") => respond(
            200,
            id().and_then(|a| wf::resolve_objection(&ctx, a, id_segment(p[1], "异议")?, parse_json(&req.body)?)),
        ),
        _ => super::admin::unhandled(route),
    }
}
