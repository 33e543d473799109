//! Routes of the `chain` component (organisations on the audit path: 主管部门, 市州人社局,
//! 高评会组建单位, and the province): `/api/chain/...`.

use super::applicant::download;
use super::{authenticate, id_segment, list_filter, op_ctx, page, parse_json, respond, Env, Request, Response, Route};
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::applications as wf;
use crate::workflow::chain::{self, SimulationQuery};
use crate::workflow::organisations as orgs;

/// Parses the query string into a JSON object and then into `T`, naming bad fields.
pub fn query_as<T: serde::de::DeserializeOwned>(req: &Request) -> Result<T, DomainError> {
    let mut m = serde_json::Map::new();
    for kv in req.query.split('&').filter(|s| !s.is_empty()) {
        let (k, _) = kv.split_once('=').unwrap_or((kv, ""));
        if let Some(v) = req.query_param(k) {
            m.insert(k.to_owned(), serde_json::Value::String(v));
        }
    }
    let body = serde_json::to_vec(&m).map_err(|e| DomainError::Internal(e.to_string()))?;
    parse_json(&body)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelBody {
    reason: String,
}

/// Every operation of this router (see [`Route`]).
pub const ROUTES: &[Route] = &[
    Route::new("GET", "/api/chain/applications"),
    Route::new("GET", "/api/chain/applications/export"),
    Route::new("GET", "/api/chain/applications/{id}"),
    Route::new("GET", "/api/chain/applications/{id}/tracking"),
    Route::new("GET", "/api/chain/applications/{id}/materials"),
    Route::new("GET", "/api/chain/applications/{id}/materials/{mid}"),
    Route::new("POST", "/api/chain/applications/{id}/approve"),
    Route::new("POST", "/api/chain/applications/{id}/return"),
    Route::new("POST", "/api/chain/applications/{id}/pass-down"),
    Route::new("POST", "/api/chain/applications/{id}/reject"),
    Route::new("POST", "/api/chain/applications/{id}/recheck"),
    Route::new("GET", "/api/chain/simulate"),
    Route::new("GET", "/api/chain/uppers"),
    Route::new("GET", "/api/chain/lowers"),
    Route::new("POST", "/api/chain/lowers"),
    Route::new("POST", "/api/chain/lowers/{id}/cancel"),
];

fn scope_is_history(req: &Request) -> Result<bool, DomainError> {
    match req.query_param("scope").as_deref() {
        None | Some("current") => Ok(false),
        Some("history") => Ok(true),
        Some(_) => Err(DomainError::invalid("scope", "scope 须为 current 或 history")),
    }
}

/// Serves `/api/chain/...`.
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
    let id = || id_segment(p[0], "申报");
    match (route.method, route.path) {
        ("GET", "/api/chain/applications") => {
            respond(200, scope_is_history(req).and_then(|h| wf::list(&ctx, h, &list_filter(req)?, page(req)?)))
        }
        ("GET", "/api/chain/applications/export") => {
            super::admin::export(scope_is_history(req).and_then(|h| wf::export(&ctx, h, &list_filter(req)?)))
        }
        ("GET", "/api/chain/applications/{id}") => respond(200, id().and_then(|a| wf::get(&ctx, a))),
        ("GET", "/api/chain/applications/{id}/tracking") => respond(200, id().and_then(|a| chain::tracking(&ctx, a))),
        ("GET", "/api/chain/applications/{id}/materials") => {
            respond(200, id().and_then(|a| wf::list_materials(&ctx, a)))
        }
        ("GET", "/api/chain/applications/{id}/materials/{mid}") => {
            download(id().and_then(|a| wf::download_material(&ctx, a, id_segment(p[1], "材料")?)))
        }
        ("POST", "/api/chain/applications/{id}/approve") => {
            respond(200, id().and_then(|a| chain::approve_step(&ctx, a, parse_json(&req.body)?)))
        }
        ("POST", "/api/chain/applications/{id}/return") => {
            respond(200, id().and_then(|a| chain::return_step(&ctx, a, parse_json(&req.body)?)))
        }
        ("POST", "/api/chain/applications/{id}/pass-down") => {
            respond(200, id().and_then(|a| chain::pass_down_return(&ctx, a, parse_json(&req.body)?)))
        }
        ("POST", "/api/chain/applications/{id}/reject") => {
            respond(200, id().and_then(|a| chain::reject_step(&ctx, a, parse_json(&req.body)?)))
        }
        ("POST", "/api/chain/applications/{id}/recheck") => {
            respond(200, id().and_then(|a| chain::recheck(&ctx, a, parse_json(&req.body)?)))
        }
        ("GET", "/api/chain/simulate") => {
            respond(200, query_as::<SimulationQuery>(req).and_then(|q| chain::simulate(&ctx, &q)))
        }
        ("GET", "/api/chain/uppers") => respond(200, orgs::neighbours(&ctx, req.query_param("org").as_deref(), false)),
        ("GET", "/api/chain/lowers") => respond(200, orgs::neighbours(&ctx, req.query_param("org").as_deref(), true)),
        ("POST", "/api/chain/lowers") => respond(
            201,
            parse_json(&req.body).and_then(|b| orgs::designate_lower(&ctx, req.query_param("upper_org").as_deref(), b)),
        ),
        ("POST", "/api/chain/lowers/{id}/cancel") => respond(
            200,
            id_segment(p[0], "审核路径")
                .and_then(|e| parse_json::<CancelBody>(&req.body).and_then(|b| orgs::cancel_edge(&ctx, e, &b.reason))),
        ),
        _ => super::admin::unhandled(route),
    }
}
