//! `results`: the committee's organising unit publicises the results of a session, records
//! and resolves objections, and requests filing; the province audits the filing (六(一)–(二)).
//! Routes: `/api/results/...`.

use shared::api::{Env, Request as ApiRequest, Response as ApiResponse};
use shared::store::Db;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

// The seal key signs the audit chain's anchors (issue 10).
fn router(req: &ApiRequest, db: &dyn Db, env: &Env) -> ApiResponse {
    shared::api::results::handle(req, db, env, &shared::certificates::spin::seal_key)
}

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, router)
}
