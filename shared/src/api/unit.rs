//! Routes of the `review` component (unit, 用人单位): `/api/unit/applications/...`.

use super::applicant::download;
use super::{
    authenticate, id_segment, method_not_allowed, no_route, op_ctx, page, parse_json, respond, Env, Request, Response,
};
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::applications as wf;

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
    let seg = req.segments();
    let m = req.method.as_str();
    let id = |s: &str| id_segment(s, "申报");
    match seg.as_slice() {
        ["api", "unit", "applications"] => match m {
            "GET" => respond(
                200,
                (|| {
                    let filter = super::list_filter(req)?;
                    wf::list(&ctx, false, &filter, page(req)?)
                })(),
            ),
            _ => method_not_allowed(),
        },
        ["api", "unit", "applications", "export"] => match m {
            "GET" => super::admin::export(super::list_filter(req).and_then(|f| wf::export(&ctx, false, &f))),
            _ => method_not_allowed(),
        },
        ["api", "unit", "applications", a] => match m {
            "GET" => respond(200, id(a).and_then(|a| wf::get(&ctx, a))),
            _ => method_not_allowed(),
        },
        ["api", "unit", "applications", a, "events"] => match m {
            "GET" => respond(200, id(a).and_then(|a| wf::history(&ctx, a))),
            _ => method_not_allowed(),
        },
        ["api", "unit", "applications", a, "materials"] => match m {
            "GET" => respond(200, id(a).and_then(|a| wf::list_materials(&ctx, a))),
            _ => method_not_allowed(),
        },
        ["api", "unit", "applications", a, "materials", mid] => match m {
            "GET" => download(id(a).and_then(|a| wf::download_material(&ctx, a, id_segment(mid, "材料")?))),
            _ => method_not_allowed(),
        },
        ["api", "unit", "applications", a, "approve"] => match m {
            "POST" => respond(200, id(a).and_then(|a| wf::approve_into_publicity(&ctx, a, parse_json(&req.body)?))),
            _ => method_not_allowed(),
        },
        ["api", "unit", "applications", a, "recommend"] => match m {
            "POST" => respond(
                200,
                id(a)
                    .and_then(|a| crate::workflow::chain::recommend(&ctx, a, super::parse_json_or_default(&req.body)?)),
            ),
            _ => method_not_allowed(),
        },
        ["api", "unit", "applications", a, "tracking"] => match m {
            "GET" => respond(200, id(a).and_then(|a| crate::workflow::chain::tracking(&ctx, a))),
            _ => method_not_allowed(),
        },
        ["api", "unit", "applications", a, "return"] => match m {
            "POST" => respond(200, id(a).and_then(|a| wf::return_for_correction(&ctx, a, parse_json(&req.body)?))),
            _ => method_not_allowed(),
        },
        ["api", "unit", "applications", a, "reject"] => match m {
            "POST" => respond(200, id(a).and_then(|a| wf::reject(&ctx, a, parse_json(&req.body)?))),
            _ => method_not_allowed(),
        },
        ["api", "unit", "applications", a, "objections"] => match m {
            "POST" => respond(201, id(a).and_then(|a| wf::record_objection(&ctx, a, parse_json(&req.body)?))),
            "GET" => respond(200, id(a).and_then(|a| wf::objections(&ctx, a))),
            _ => method_not_allowed(),
        },
        ["api", "unit", "applications", a, "objections", o, "resolve"] => match m {
            "POST" => respond(
                200,
                id(a).and_then(|a| wf::resolve_objection(&ctx, a, id_segment(o, "异议")?, parse_json(&req.body)?)),
            ),
            _ => method_not_allowed(),
        },
        _ => no_route(),
    }
}
