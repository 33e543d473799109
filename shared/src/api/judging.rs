//! Routes of the `judging` component (评委): the participants of the plan a judge was
//! drawn for, and the judge's work on each (§1.3): `/api/judging/...`.

use super::{
    authenticate, id_segment, method_not_allowed, no_route, op_ctx, parse_json, respond, Env, Request, Response,
};
use crate::store::Db;
use crate::workflow::evaluation as ev;

/// Serves `/api/judging/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    let who = match authenticate(req, env) {
        Ok(c) => c,
        Err(e) => return Response::error(&e),
    };
    let ctx = op_ctx(db, &who, env);
    let plan = |s: &str| id_segment(s, "评审方案");
    match (req.segments().as_slice(), req.method.as_str()) {
        (["api", "judging", "plans", p, "participants"], "GET") => {
            respond(200, plan(p).and_then(|p| ev::judge_participants(&ctx, p)))
        }
        (["api", "judging", "plans", p, "participants", a], "POST") => respond(
            200,
            plan(p).and_then(|p| ev::judge_act(&ctx, p, id_segment(a, "参评人员")?, parse_json(&req.body)?)),
        ),
        (["api", "judging", "plans", _, "participants"], _)
        | (["api", "judging", "plans", _, "participants", _], _) => method_not_allowed(),
        _ => no_route(),
    }
}
