//! Routes of the `evaluation` component (高评会组建单位 and the province): review plans,
//! the expert pool, the draw, interviews, tally, offline results, archive:
//! `/api/evaluation/...`.

use super::{authenticate, id_segment, op_ctx, page, parse_json, respond, Env, Request, Response, Route};
use crate::store::Db;
use crate::workflow::evaluation as ev;

const fn r(method: &'static str, path: &'static str) -> Route {
    Route::new(method, path)
}

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] = &[
    r("POST", "/api/evaluation/plans"),
    r("GET", "/api/evaluation/plans"),
    r("GET", "/api/evaluation/plans/{plan}"),
    r("POST", "/api/evaluation/plans/{plan}/submit"),
    r("POST", "/api/evaluation/plans/{plan}/audit"),
    r("POST", "/api/evaluation/plans/{plan}/draw"),
    r("GET", "/api/evaluation/plans/{plan}/draw"),
    r("POST", "/api/evaluation/plans/{plan}/judges/{expert}/decline"),
    r("POST", "/api/evaluation/plans/{plan}/interviews"),
    r("POST", "/api/evaluation/plans/{plan}/tally"),
    r("POST", "/api/evaluation/plans/{plan}/offline-results"),
    r("GET", "/api/evaluation/plans/{plan}/results"),
    r("GET", "/api/evaluation/plans/{plan}/archive"),
    r("POST", "/api/evaluation/experts"),
    r("POST", "/api/evaluation/experts/{expert}/relations"),
    r("GET", "/api/evaluation/applications/{id}/interviews"),
];

/// Serves `/api/evaluation/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    let who = match authenticate(req, env) {
        Ok(c) => c,
        Err(e) => return Response::error(&e),
    };
    let ctx = op_ctx(db, &who, env);
    let (route, p) = match crate::api::route(ROUTES, req) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let plan = || id_segment(p[0], "评审方案");
    match (route.method, route.path) {
        ("POST", "/api/evaluation/plans") => respond(201, parse_json(&req.body).and_then(|b| ev::create_plan(&ctx, b))),
        ("GET", "/api/evaluation/plans") => respond(200, page(req).and_then(|pg| ev::list_plans(&ctx, pg))),
        ("GET", "/api/evaluation/plans/{plan}") => respond(200, plan().and_then(|id| ev::get_plan(&ctx, id))),
        ("POST", "/api/evaluation/plans/{plan}/submit") => {
            respond(200, plan().and_then(|id| ev::submit_plan(&ctx, id)))
        }
        ("POST", "/api/evaluation/plans/{plan}/audit") => {
            respond(200, plan().and_then(|id| ev::audit_plan(&ctx, id, parse_json(&req.body)?)))
        }
        ("POST", "/api/evaluation/plans/{plan}/draw") => {
            respond(200, plan().and_then(|id| ev::draw(&ctx, id, parse_json(&req.body)?)))
        }
        ("GET", "/api/evaluation/plans/{plan}/draw") => respond(200, plan().and_then(|id| ev::draw_record(&ctx, id))),
        ("POST", "/api/evaluation/plans/{plan}/judges/{expert}/decline") => {
            respond(200, plan().and_then(|id| ev::decline(&ctx, id, p[1])))
        }
        ("POST", "/api/evaluation/plans/{plan}/interviews") => {
            respond(201, plan().and_then(|id| ev::notify_interview(&ctx, id, parse_json(&req.body)?)))
        }
        ("POST", "/api/evaluation/plans/{plan}/tally") => respond(200, plan().and_then(|id| ev::tally(&ctx, id))),
        ("POST", "/api/evaluation/plans/{plan}/offline-results") => {
            respond(200, plan().and_then(|id| ev::offline_results(&ctx, id, parse_json(&req.body)?)))
        }
        ("GET", "/api/evaluation/plans/{plan}/results") => respond(200, plan().and_then(|id| ev::results(&ctx, id))),
        ("GET", "/api/evaluation/plans/{plan}/archive") => respond(200, plan().and_then(|id| ev::archive(&ctx, id))),
        ("POST", "/api/evaluation/experts") => {
            respond(201, parse_json(&req.body).and_then(|b| ev::add_expert(&ctx, b)))
        }
        ("POST", "/api/evaluation/experts/{expert}/relations") => {
            respond(201, parse_json(&req.body).and_then(|b| ev::declare_relation(&ctx, p[0], b)))
        }
        ("GET", "/api/evaluation/applications/{id}/interviews") => {
            respond(200, id_segment(p[0], "申报").and_then(|a| ev::interviews(&ctx, a)))
        }
        _ => super::admin::unhandled(route),
    }
}
