//! Routes of the `province` component (省人社厅): organisations and committees for the
//! chain, rollback of the final authority's operations (§1.26), transfers between
//! committees (§1.27): `/api/province/...`.

use super::{authenticate, id_segment, op_ctx, parse_json, respond, Env, Request, Response, Route};
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::{chain, organisations as orgs};

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] = &[
    Route::new("POST", "/api/province/organisations"),
    Route::new("POST", "/api/province/committees"),
    Route::new("GET", "/api/province/applications/{id}/operations"),
    Route::new("POST", "/api/province/applications/{id}/undo"),
    Route::new("POST", "/api/province/transfers"),
];

/// Serves `/api/province/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    let who = match authenticate(req, env) {
        Ok(c) => c,
        Err(e) => return Response::error(&e),
    };
    if who.role != Role::Province {
        return Response::error(&DomainError::Forbidden);
    }
    let ctx = op_ctx(db, &who, env);
    let (route, p) = match crate::api::route(ROUTES, req) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let id = || id_segment(p[0], "申报");
    match (route.method, route.path) {
        ("POST", "/api/province/organisations") => {
            respond(201, parse_json(&req.body).and_then(|b| orgs::create_organisation(&ctx, b)))
        }
        ("POST", "/api/province/committees") => {
            respond(201, parse_json(&req.body).and_then(|b| orgs::create_committee(&ctx, b)))
        }
        ("GET", "/api/province/applications/{id}/operations") => {
            respond(200, id().and_then(|a| chain::operations(&ctx, a)))
        }
        ("POST", "/api/province/applications/{id}/undo") => {
            respond(200, id().and_then(|a| chain::undo_latest(&ctx, a, parse_json(&req.body)?)))
        }
        ("POST", "/api/province/transfers") => {
            respond(200, parse_json(&req.body).and_then(|b| chain::transfer(&ctx, b)))
        }
        _ => super::admin::unhandled(route),
    }
}
