//! `jobs`: the province runs scheduled jobs by hand (the same code as the cron
//! components) and verifies the audit chain. Routes: `/api/jobs/...`.

use shared::api::{Env, Request as ApiRequest, Response as ApiResponse};
use shared::store::Db;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

// The seal key signs the audit chain's anchors (issue 10).
fn router(req: &ApiRequest, db: &dyn Db, env: &Env) -> ApiResponse {
    shared::api::jobs::handle(req, db, env, &shared::certificates::spin::seal_key)
}

#[http_component]
fn handle(req: Request) -> Response {
    shared::spin::serve(req, router)
}
