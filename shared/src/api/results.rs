//! Routes of the `results` component (高评会组建单位 and the province): result publicity,
//! objections during it, filing requests and their audit (六(一)–(二), annex 2
//! §1.2.6–1.2.7, annex 3 §1.15): `/api/results/...`.

use super::{authenticate, id_segment, op_ctx, page, parse_json, respond, Env, Request, Response, Route};
use crate::store::Db;
use crate::workflow::results as wf;

const fn r(method: &'static str, path: &'static str) -> Route {
    Route::new(method, path)
}

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] = &[
    r("GET", "/api/results/sessions"),
    r("GET", "/api/results/publicities"),
    r("POST", "/api/results/publicities"),
    r("GET", "/api/results/publicities/{id}"),
    r("GET", "/api/results/applications/{id}/objections"),
    r("POST", "/api/results/applications/{id}/objections"),
    r("POST", "/api/results/applications/{id}/objections/{oid}/resolve"),
    r("GET", "/api/results/filings"),
    r("POST", "/api/results/filings"),
    r("GET", "/api/results/filings/{id}"),
    r("POST", "/api/results/filings/{id}/audit"),
];

/// Serves `/api/results/...`.
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
    match (route.method, route.path) {
        ("GET", "/api/results/sessions") => respond(200, wf::sessions(&ctx)),
        ("GET", "/api/results/publicities") => respond(200, page(req).and_then(|pg| wf::list_publicities(&ctx, pg))),
        ("POST", "/api/results/publicities") => {
            respond(201, parse_json(&req.body).and_then(|b| wf::open_publicity(&ctx, b)))
        }
        ("GET", "/api/results/publicities/{id}") => {
            respond(200, id_segment(p[0], "评审结果公示").and_then(|i| wf::get_publicity(&ctx, i)))
        }
        ("GET", "/api/results/applications/{id}/objections") => {
            respond(200, id_segment(p[0], "申报").and_then(|i| wf::objections(&ctx, i)))
        }
        ("POST", "/api/results/applications/{id}/objections") => {
            respond(201, id_segment(p[0], "申报").and_then(|i| wf::record_objection(&ctx, i, parse_json(&req.body)?)))
        }
        ("POST", "/api/results/applications/{id}/objections/{oid}/resolve") => respond(
            200,
            id_segment(p[0], "申报")
                .and_then(|i| wf::resolve_objection(&ctx, i, id_segment(p[1], "异议")?, parse_json(&req.body)?)),
        ),
        ("GET", "/api/results/filings") => {
            respond(200, page(req).and_then(|pg| wf::list_filings(&ctx, req.query_param("status").as_deref(), pg)))
        }
        ("POST", "/api/results/filings") => {
            respond(201, parse_json(&req.body).and_then(|b| wf::request_filing(&ctx, b)))
        }
        ("GET", "/api/results/filings/{id}") => {
            respond(200, id_segment(p[0], "备案申请").and_then(|i| wf::get_filing(&ctx, i)))
        }
        ("POST", "/api/results/filings/{id}/audit") => {
            respond(200, id_segment(p[0], "备案申请").and_then(|i| wf::audit_filing(&ctx, i, parse_json(&req.body)?)))
        }
        _ => super::admin::unhandled(route),
    }
}
