//! Routes of the `judging` component (评委): the participants of the plan a judge was
//! drawn for, and the judge's work on each (§1.3): `/api/judging/...`.

use super::{authenticate, id_segment, op_ctx, parse_json, respond, Env, Request, Response, Route};
use crate::store::Db;
use crate::workflow::evaluation as ev;

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] = &[
    Route::new("GET", "/api/judging/plans/{plan}/participants"),
    Route::new("POST", "/api/judging/plans/{plan}/participants/{participant}"),
];

/// Serves `/api/judging/...`.
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
        ("GET", "/api/judging/plans/{plan}/participants") => {
            respond(200, plan().and_then(|id| ev::judge_participants(&ctx, id)))
        }
        ("POST", "/api/judging/plans/{plan}/participants/{participant}") => respond(
            200,
            plan().and_then(|id| ev::judge_act(&ctx, id, id_segment(p[1], "参评人员")?, parse_json(&req.body)?)),
        ),
        _ => super::admin::unhandled(route),
    }
}
