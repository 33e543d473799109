//! Routes of the `chain` component (organisations on the audit path: 主管部门, 市州人社局,
//! 高评会组建单位, and the province): `/api/chain/...`.

use super::applicant::download;
use super::{
    authenticate, id_segment, list_filter, method_not_allowed, no_route, op_ctx, page, parse_json, respond, Env,
    Request, Response,
};
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

/// Serves `/api/chain/...`.
pub fn handle(req: &Request, db: &dyn Db, env: &Env) -> Response {
    let who = match authenticate(req, env) {
        Ok(c) => c,
        Err(e) => return Response::error(&e),
    };
    let ctx = op_ctx(db, &who, env);
    let seg = req.segments();
    let m = req.method.as_str();
    let id = |s: &str| id_segment(s, "申报");
    match seg.as_slice() {
        ["api", "chain", "applications"] => match m {
            "GET" => respond(
                200,
                (|| {
                    let history = match req.query_param("scope").as_deref() {
                        None | Some("current") => false,
                        Some("history") => true,
                        Some(_) => return Err(DomainError::invalid("scope", "scope 须为 current 或 history")),
                    };
                    wf::list(&ctx, history, &list_filter(req)?, page(req)?)
                })(),
            ),
            _ => method_not_allowed(),
        },
        ["api", "chain", "applications", "export"] => match m {
            "GET" => super::admin::export((|| {
                let history = req.query_param("scope").as_deref() == Some("history");
                wf::export(&ctx, history, &list_filter(req)?)
            })()),
            _ => method_not_allowed(),
        },
        ["api", "chain", "applications", a] => match m {
            "GET" => respond(200, id(a).and_then(|a| wf::get(&ctx, a))),
            _ => method_not_allowed(),
        },
        ["api", "chain", "applications", a, "tracking"] => match m {
            "GET" => respond(200, id(a).and_then(|a| chain::tracking(&ctx, a))),
            _ => method_not_allowed(),
        },
        ["api", "chain", "applications", a, "materials"] => match m {
            "GET" => respond(200, id(a).and_then(|a| wf::list_materials(&ctx, a))),
            _ => method_not_allowed(),
        },
        ["api", "chain", "applications", a, "materials", mid] => match m {
            "GET" => download(id(a).and_then(|a| wf::download_material(&ctx, a, id_segment(mid, "材料")?))),
            _ => method_not_allowed(),
        },
        ["api", "chain", "applications", a, op] if m == "POST" => {
            let a = match id(a) {
                Ok(a) => a,
                Err(e) => return Response::error(&e),
            };
            match *op {
                "approve" => respond(200, parse_json(&req.body).and_then(|b| chain::approve_step(&ctx, a, b))),
                "return" => respond(200, parse_json(&req.body).and_then(|b| chain::return_step(&ctx, a, b))),
                "pass-down" => respond(200, parse_json(&req.body).and_then(|b| chain::pass_down_return(&ctx, a, b))),
                "reject" => respond(200, parse_json(&req.body).and_then(|b| chain::reject_step(&ctx, a, b))),
                "recheck" => respond(200, parse_json(&req.body).and_then(|b| chain::recheck(&ctx, a, b))),
                _ => no_route(),
            }
        }
        ["api", "chain", "simulate"] => match m {
            "GET" => respond(200, query_as::<SimulationQuery>(req).and_then(|q| chain::simulate(&ctx, &q))),
            _ => method_not_allowed(),
        },
        ["api", "chain", "uppers"] => match m {
            "GET" => respond(200, orgs::neighbours(&ctx, req.query_param("org").as_deref(), false)),
            _ => method_not_allowed(),
        },
        ["api", "chain", "lowers"] => match m {
            "GET" => respond(200, orgs::neighbours(&ctx, req.query_param("org").as_deref(), true)),
            "POST" => respond(
                201,
                parse_json(&req.body)
                    .and_then(|b| orgs::designate_lower(&ctx, req.query_param("upper_org").as_deref(), b)),
            ),
            _ => method_not_allowed(),
        },
        ["api", "chain", "lowers", e, "cancel"] => match m {
            "POST" => respond(
                200,
                id_segment(e, "审核路径").and_then(|e| {
                    parse_json::<CancelBody>(&req.body).and_then(|b| orgs::cancel_edge(&ctx, e, &b.reason))
                }),
            ),
            _ => method_not_allowed(),
        },
        _ => no_route(),
    }
}
