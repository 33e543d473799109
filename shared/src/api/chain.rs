//! Routes of the `chain` component (organisations on the audit path: 主管部门, 市州人社局,
//! 高评会组建单位, and the province): `/api/chain/...`.

use super::applicant::download_material;
use super::{list_filter, parse_json, respond, Deps, Env, Request, Response, Roles, Route};
use crate::access::Scope::{Application, Caller, EdgeLower, EdgeUpper};
use crate::auth::Role;
use crate::error::DomainError;
use crate::store::Db;
use crate::workflow::applications as wf;
use crate::workflow::chain::{self, SimulationQuery};
use crate::workflow::materials;
use crate::workflow::organisations as orgs;

/// The organisations on audit paths.
const PATH_ORGS: Roles = &[Role::Dept, Role::CommitteeOrg, Role::Province];
/// Every organisation (the path simulation and "who are my uppers/lowers").
const ORGS: Roles = &[Role::Unit, Role::Dept, Role::CommitteeOrg, Role::Province];
const A: &str = "申报";
/// The province's collection point and the committees' offices receive the paper
/// performance materials (二(二)).
const RECEIVERS: Roles = &[Role::CommitteeOrg, Role::Province];

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

/// Every operation of this router.
pub const ROUTES: &[Route] = &[
    Route::signed("GET", "/api/chain/applications", PATH_ORGS, Caller, |c| {
        respond(200, c.with(|x| wf::list(x, scope_is_history(c.req)?, &list_filter(c.req)?, c.page()?)))
    }),
    Route::signed("GET", "/api/chain/applications/export", PATH_ORGS, Caller, |c| {
        super::admin::export(c.with(|x| wf::export(x, scope_is_history(c.req)?, &list_filter(c.req)?)))
    }),
    Route::signed("GET", "/api/chain/applications/{id}", PATH_ORGS, Application, |c| {
        respond(200, c.with(|x| wf::get(x, c.id(0, A)?)))
    }),
    Route::signed("GET", "/api/chain/applications/{id}/tracking", PATH_ORGS, Application, |c| {
        respond(200, c.with(|x| chain::tracking(x, c.id(0, A)?)))
    }),
    Route::signed("GET", "/api/chain/applications/{id}/materials", PATH_ORGS, Application, |c| {
        respond(200, c.with(|x| wf::list_materials(x, c.id(0, A)?)))
    }),
    Route::signed("GET", "/api/chain/applications/{id}/materials/{mid}", PATH_ORGS, Application, download_material),
    Route::signed("GET", "/api/chain/applications/{id}/material-checklist", PATH_ORGS, Application, |c| {
        respond(200, c.with(|x| materials::checklist(x, c.id(0, A)?)))
    }),
    Route::signed("PUT", "/api/chain/applications/{id}/paper-materials", RECEIVERS, Application, |c| {
        respond(200, c.with(|x| materials::record_paper_receipt(x, c.id(0, A)?, c.json()?)))
    }),
    Route::signed("POST", "/api/chain/applications/{id}/approve", PATH_ORGS, Application, |c| {
        respond(200, c.with(|x| chain::approve_step(x, c.id(0, A)?, c.json()?)))
    }),
    Route::signed("POST", "/api/chain/applications/{id}/return", PATH_ORGS, Application, |c| {
        respond(200, c.with(|x| chain::return_step(x, c.id(0, A)?, c.json()?)))
    }),
    Route::signed("POST", "/api/chain/applications/{id}/pass-down", PATH_ORGS, Application, |c| {
        respond(200, c.with(|x| chain::pass_down_return(x, c.id(0, A)?, c.json()?)))
    }),
    Route::signed("POST", "/api/chain/applications/{id}/reject", PATH_ORGS, Application, |c| {
        respond(200, c.with(|x| chain::reject_step(x, c.id(0, A)?, c.json()?)))
    }),
    Route::signed("POST", "/api/chain/applications/{id}/recheck", PATH_ORGS, Application, |c| {
        respond(200, c.with(|x| chain::recheck(x, c.id(0, A)?, c.json()?)))
    }),
    Route::signed("GET", "/api/chain/simulate", ORGS, Caller, |c| {
        respond(200, c.with(|x| chain::simulate(x, &query_as::<SimulationQuery>(c.req)?)))
    }),
    Route::signed("GET", "/api/chain/uppers", ORGS, Caller, |c| {
        respond(200, c.with(|x| orgs::neighbours(x, c.req.query_param("org").as_deref(), false)))
    }),
    Route::signed("GET", "/api/chain/lowers", ORGS, Caller, |c| {
        respond(200, c.with(|x| orgs::neighbours(x, c.req.query_param("org").as_deref(), true)))
    }),
    Route::signed("POST", "/api/chain/lowers", PATH_ORGS, Caller, |c| {
        respond(201, c.with(|x| orgs::designate_lower(x, c.req.query_param("upper_org").as_deref(), c.json()?)))
    }),
    Route::signed("POST", "/api/chain/lowers/{id}/cancel", PATH_ORGS, EdgeUpper, |c| {
        respond(200, c.with(|x| orgs::cancel_edge(x, c.id(0, "审核路径")?, &c.json::<CancelBody>()?.reason)))
    }),
    // 审核层级配置单位确认 (annex 2 §1.6.2): the designated lower confirms or declines.
    Route::signed("GET", "/api/chain/designations", ORGS, Caller, |c| {
        let pending = c.req.query_param("pending").as_deref() != Some("false");
        respond(200, c.with(|x| orgs::designations(x, pending)))
    }),
    Route::signed("POST", "/api/chain/designations/{id}/confirm", ORGS, EdgeLower, |c| {
        respond(200, c.with(|x| orgs::answer_designation(x, c.id(0, "审核路径")?, true, c.json()?)))
    }),
    Route::signed("POST", "/api/chain/designations/{id}/decline", ORGS, EdgeLower, |c| {
        respond(200, c.with(|x| orgs::answer_designation(x, c.id(0, "审核路径")?, false, c.json()?)))
    }),
    // 初定 / 认定 (annex 3 §1.4–1.5): the acceptance institution approves, no committee vote.
    Route::signed("POST", "/api/chain/applications/{id}/approve-title", PATH_ORGS, Application, |c| {
        respond(200, c.with(|x| chain::approve_title(x, c.id(0, A)?, c.json()?)))
    }),
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
    super::serve(ROUTES, req, db, env, &Deps::default())
}
