//! Routes of the `evaluation` component (高评会组建单位 and the province): review plans,
//! the expert pool, the draw, interviews, tally, offline results, archive:
//! `/api/evaluation/...`.

use super::{
    authenticate, id_segment, method_not_allowed, no_route, op_ctx, page, parse_json, respond, Env, Request, Response,
};
use crate::store::Db;
use crate::workflow::evaluation as ev;

/// Serves `/api/evaluation/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    let who = match authenticate(req, env) {
        Ok(c) => c,
        Err(e) => return Response::error(&e),
    };
    let ctx = op_ctx(db, &who, env);
    let plan = |s: &str| id_segment(s, "评审方案");
    match (req.segments().as_slice(), req.method.as_str()) {
        (["api", "evaluation", "plans"], "POST") => {
            respond(201, parse_json(&req.body).and_then(|b| ev::create_plan(&ctx, b)))
        }
        (["api", "evaluation", "plans"], "GET") => respond(200, page(req).and_then(|p| ev::list_plans(&ctx, p))),
        (["api", "evaluation", "plans", p], "GET") => respond(200, plan(p).and_then(|p| ev::get_plan(&ctx, p))),
        (["api", "evaluation", "plans", p, "submit"], "POST") => {
            respond(200, plan(p).and_then(|p| ev::submit_plan(&ctx, p)))
        }
        (["api", "evaluation", "plans", p, "audit"], "POST") => {
            respond(200, plan(p).and_then(|p| ev::audit_plan(&ctx, p, parse_json(&req.body)?)))
        }
        (["api", "evaluation", "plans", p, "draw"], "POST") => {
            respond(200, plan(p).and_then(|p| ev::draw(&ctx, p, parse_json(&req.body)?)))
        }
        (["api", "evaluation", "plans", p, "draw"], "GET") => {
            respond(200, plan(p).and_then(|p| ev::draw_record(&ctx, p)))
        }
        (["api", "evaluation", "plans", p, "judges", e, "decline"], "POST") => {
            respond(200, plan(p).and_then(|p| ev::decline(&ctx, p, e)))
        }
        (["api", "evaluation", "plans", p, "interviews"], "POST") => {
            respond(201, plan(p).and_then(|p| ev::notify_interview(&ctx, p, parse_json(&req.body)?)))
        }
        (["api", "evaluation", "plans", p, "tally"], "POST") => respond(200, plan(p).and_then(|p| ev::tally(&ctx, p))),
        (["api", "evaluation", "plans", p, "offline-results"], "POST") => {
            respond(200, plan(p).and_then(|p| ev::offline_results(&ctx, p, parse_json(&req.body)?)))
        }
        (["api", "evaluation", "plans", p, "results"], "GET") => {
            respond(200, plan(p).and_then(|p| ev::results(&ctx, p)))
        }
        (["api", "evaluation", "plans", p, "archive"], "GET") => {
            respond(200, plan(p).and_then(|p| ev::archive(&ctx, p)))
        }
        (["api", "evaluation", "experts"], "POST") => {
            respond(201, parse_json(&req.body).and_then(|b| ev::add_expert(&ctx, b)))
        }
        (["api", "evaluation", "experts", e, "relations"], "POST") => {
            respond(201, parse_json(&req.body).and_then(|b| ev::declare_relation(&ctx, e, b)))
        }
        (["api", "evaluation", "applications", a, "interviews"], "GET") => {
            respond(200, id_segment(a, "申报").and_then(|a| ev::interviews(&ctx, a)))
        }
        (["api", "evaluation", ..], _) if is_known(req) => method_not_allowed(),
        _ => no_route(),
    }
}

fn is_known(req: &Request) -> bool {
    matches!(
        req.segments().as_slice(),
        ["api", "evaluation", "plans"]
            | ["api", "evaluation", "plans", _]
            | [
                "api",
                "evaluation",
                "plans",
                _,
                "submit" | "audit" | "draw" | "interviews" | "tally" | "offline-results" | "results" | "archive"
            ]
            | ["api", "evaluation", "plans", _, "judges", _, "decline"]
            | ["api", "evaluation", "experts"]
            | ["api", "evaluation", "experts", _, "relations"]
            | ["api", "evaluation", "applications", _, "interviews"]
    )
}
