//! Routes of the `province` component (省人社厅): organisations and committees for the
//! chain, rollback of the final authority's operations (§1.26), transfers between
//! committees (§1.27): `/api/province/...`.

use super::{
    authenticate, id_segment, method_not_allowed, no_route, op_ctx, parse_json, respond, Env, Request, Response,
};
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::{chain, organisations as orgs};

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
    let id = |s: &str| id_segment(s, "申报");
    match (req.segments().as_slice(), req.method.as_str()) {
        (["api", "province", "organisations"], "POST") => {
            respond(201, parse_json(&req.body).and_then(|b| orgs::create_organisation(&ctx, b)))
        }
        (["api", "province", "committees"], "POST") => {
            respond(201, parse_json(&req.body).and_then(|b| orgs::create_committee(&ctx, b)))
        }
        (["api", "province", "applications", a, "operations"], "GET") => {
            respond(200, id(a).and_then(|a| chain::operations(&ctx, a)))
        }
        (["api", "province", "applications", a, "undo"], "POST") => {
            respond(200, id(a).and_then(|a| chain::undo_latest(&ctx, a, parse_json(&req.body)?)))
        }
        (["api", "province", "transfers"], "POST") => {
            respond(200, parse_json(&req.body).and_then(|b| chain::transfer(&ctx, b)))
        }
        (["api", "province", "organisations"], _)
        | (["api", "province", "committees"], _)
        | (["api", "province", "transfers"], _)
        | (["api", "province", "applications", _, "operations" | "undo"], _) => method_not_allowed(),
        _ => no_route(),
    }
}
